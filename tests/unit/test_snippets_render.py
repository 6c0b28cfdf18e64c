"""Snippet embeds, indexes and search results: within Discord's limits, in both languages; the
language rule; checking a server snippet typed into the modal."""

from __future__ import annotations

from datetime import date

import discord
import pytest

from cogs.snippets import render
from cogs.snippets.render import resolve_lang
from cogs.snippets.store import check_new_snippet, find_topic, normalize_slug
from cogs.snippets.views import AddSnippetModal, topic_options, topic_view
from core import text as limits
from core.errors import UserError
from db import models
from messages import LANGS, normalize_locale, t
from messages import snippets as content
from messages.snippets import Snippet, guild_snippet, shipped_snippets

SHIPPED = shipped_snippets()
LEGAL = {lang: t("snippet.legal_notice", lang) for lang in LANGS}


def embed_total(embed: discord.Embed) -> int:
    """Characters Discord counts toward the 6,000 limit of an embed."""
    total = len(embed.title or "") + len(embed.description or "")
    total += sum(len(f.name or "") + len(f.value or "") for f in embed.fields)
    total += len(embed.footer.text or "") + len(embed.author.name or "")
    return total


def assert_within_limits(embed: discord.Embed) -> None:
    assert embed.title and len(embed.title) <= limits.EMBED_TITLE_MAX
    assert len(embed.description or "") <= limits.EMBED_DESCRIPTION_MAX
    assert len(embed.fields) <= limits.EMBED_FIELDS_MAX
    for f in embed.fields:
        assert 0 < len(f.name) <= limits.FIELD_NAME_MAX
        assert 0 < len(f.value) <= limits.FIELD_VALUE_MAX
    assert len(embed.footer.text or "") <= limits.FOOTER_MAX
    assert embed_total(embed) <= limits.EMBED_TOTAL_MAX


def guild(
    snippet_id: str = "our-walkout",
    *,
    kind: str = "history",
    lang: str = "en",
    title: str = "Our walkout",
    body: str = "We walked out.",
) -> Snippet:
    return guild_snippet(
        snippet_id,
        kind,
        title,
        body,
        "Student paper",
        lang,
        checked=date(2026, 11, 23),
        keywords=("walkout",),
    )


# --- the language rule --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "user", "server", "lang"),
    [
        ("es", "en-US", "en-US", "es"),  # the option wins
        ("en", "es-419", "es-ES", "en"),
        (None, "es-419", "en-US", "es"),  # then the user's Discord locale
        (None, "en-GB", "es-ES", "en"),
        (None, "fr", "es-ES", "es"),  # a locale we don't have: the server's
        (None, "pt-BR", "de", "en"),  # neither: English
        (None, None, None, "en"),
        (None, discord.Locale.latin_american_spanish, None, "es"),
        (None, "fr", discord.Locale.spain_spanish, "es"),
    ],
)
def test_resolve_lang(option, user, server, lang):
    assert resolve_lang(option, user, server) == lang


def test_unsupported_locales_fall_through_to_the_next_candidate():
    """resolve_lang asks normalize_locale for None (not English) on a locale we don't have."""
    assert normalize_locale("es-ES", default=None) == "es"
    assert normalize_locale("ES", default=None) == "es"
    assert normalize_locale(" es-419 ", default=None) == "es"
    assert normalize_locale("fr", default=None) is None
    assert normalize_locale("", default=None) is None
    assert normalize_locale("english", default=None) is None
    assert normalize_locale(None, default=None) is None


# --- one snippet --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("snippet", SHIPPED, ids=lambda s: s.id)
def test_every_shipped_snippet_renders_within_limits(snippet, lang):
    embed = render.snippet_embed(snippet, lang=lang)
    assert_within_limits(embed)
    text = snippet.texts[lang]
    assert embed.title == text.title
    assert embed.description == text.body  # never cut: the validator leaves room
    (sources,) = embed.fields
    assert sources.name == t("snippet.embed.sources", lang)
    assert sources.value == content.sources_text(snippet)
    assert snippet.checked.isoformat() in embed.footer.text


@pytest.mark.parametrize("lang", LANGS)
def test_legal_notice_only_on_rights(lang):
    kinds = {s.kind for s in SHIPPED}
    assert kinds == {"rights", "history"}
    for snippet in SHIPPED:
        footer = render.snippet_embed(snippet, lang=lang).footer.text
        assert (LEGAL[lang] in footer) == (snippet.kind == "rights"), snippet.id
        assert footer.startswith(LEGAL[lang]) or snippet.kind == "history"


def test_legal_notice_text_is_the_issue_text():
    assert LEGAL["en"] == (
        "General information, not legal advice. Talk to a lawyer or a local immigrant-rights group."
    )
    assert LEGAL["es"] == (
        "Información general, no es asesoría legal. Habla con un abogado o con un grupo local de "
        "derechos de los inmigrantes."
    )


def test_server_snippet_keeps_its_language_and_says_so():
    snippet = guild(lang="es", title="Nuestra salida", body="Salimos de clase.", kind="rights")
    embed = render.snippet_embed(snippet, lang="en")
    assert (embed.title, embed.description) == ("Nuestra salida", "Salimos de clase.")
    footer = embed.footer.text
    assert LEGAL["en"] in footer  # a server's rights snippet gets the notice too
    assert "this server's moderators" in footer and "only in Spanish" in footer
    assert "2026-11-23" in footer
    assert embed.fields[0].value == "• Student paper"
    es = render.snippet_embed(snippet, lang="es").footer.text
    assert "solo en español" in es and LEGAL["es"] in es


def test_oversized_text_is_cut_to_fit_the_total():
    """Defensive: even text past the validator's limits yields a valid embed."""
    snippet = guild(title="T" * 300, body="B" * 5000)
    embed = render.snippet_embed(snippet, lang="en")
    assert_within_limits(embed)
    assert embed.description.endswith(limits.ELLIPSIS)


# --- index --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", ["rights", "history"])
def test_index_lists_every_topic_with_its_id(kind, lang):
    entries = render.index_entries(SHIPPED, kind=kind, lang=lang)
    assert {s.id for s in entries} == {s.id for s in SHIPPED if s.kind == kind}
    embed = render.index_embed(entries, kind=kind, lang=lang)
    assert_within_limits(embed)
    assert embed.title == t(f"snippet.index.title_{kind}", lang)
    for snippet in entries:
        assert f"`{snippet.id}` {snippet.texts[lang].title}" in embed.description
    assert (embed.footer.text == LEGAL[lang]) == (kind == "rights")
    assert (embed.footer.text is None) == (kind == "history")


def test_index_orders_shipped_by_title_then_the_servers_own():
    own = guild("zz-first-by-id", title="A server topic")
    entries = render.index_entries([*SHIPPED, own], kind="history", lang="en")
    assert entries[-1] is own
    titles = [s.texts["en"].title.casefold() for s in entries[:-1]]
    assert titles == sorted(titles)
    embed = render.index_embed(entries, kind="history", lang="en")
    assert "`zz-first-by-id` A server topic · *this server*" in embed.description


def test_index_over_25_topics_menu_has_25_and_text_lists_all():
    own = [guild(f"extra-{i:02d}", title=f"Extra topic {i:02d}") for i in range(20)]
    entries = render.index_entries([*SHIPPED, *own], kind="history", lang="en")
    assert len(entries) > limits.SELECT_OPTIONS_MAX
    embed = render.index_embed(entries, kind="history", lang="en")
    assert_within_limits(embed)
    assert all(f"`{s.id}`" in embed.description for s in entries)
    assert "first 25" in embed.description
    options = topic_options(entries, lang="en")
    assert [o.value for o in options] == [s.id for s in entries[:25]]
    view = topic_view(entries, kind="history", lang="en")
    (select,) = view.children
    assert len(select.item.options) == 25
    assert select.item.custom_id == "snippet:topic:history:en"


def test_index_too_long_for_one_embed_says_how_many_more():
    own = [guild(f"long-{i:03d}", title=f"{i:03d} " + "word " * 19) for i in range(120)]
    entries = render.index_entries([*SHIPPED, *own], kind="history", lang="es")
    embed = render.index_embed(entries, kind="history", lang="es")
    assert_within_limits(embed)
    last = embed.description.splitlines()[-1]
    shown = embed.description.count("\n`")
    assert last == t("snippet.index.more", "es", count=len(entries) - shown, command="/historia")


def test_select_options_fit_discord():
    long = guild("long-title", title="L" * 200)
    options = topic_options([long, *SHIPPED], lang="es")
    for option in options:
        assert 1 <= len(option.label) <= 100
        assert len(option.value) <= 100
        assert len(option.description or "") <= 100
    assert options[0].description == "long-title · este servidor"


def test_empty_index_has_no_menu():
    embed = render.index_embed([], kind="rights", lang="en")
    assert embed.description == t("snippet.index.empty", "en")
    assert topic_view([], kind="rights", lang="en") is None


# --- search -------------------------------------------------------------------------------------


def test_search_embed_lists_id_kind_and_title():
    results = [SHIPPED[0], guild()]
    embed = render.search_embed(results, query="walk <@123> @everyone", lang="en")
    assert_within_limits(embed)
    assert "@everyone" not in embed.title and "<@123>" not in embed.title
    lines = embed.description.split("\n")
    assert lines[0] == f"**1. {SHIPPED[0].texts['en'].title}**"
    assert lines[1] == f"`{SHIPPED[0].id}` · {SHIPPED[0].kind}"
    assert lines[3] == "`our-walkout` · history · this server"


def test_search_embed_empty_says_so():
    embed = render.search_embed([], query="zzz", lang="es")
    assert embed.description == t("snippet.search.empty", "es", query="zzz")


# --- finding a topic ----------------------------------------------------------------------------


def test_find_topic_by_id_then_best_match():
    assert find_topic(SHIPPED, "remain-silent", kind="rights", lang="en").id == "remain-silent"
    assert find_topic(SHIPPED, " Remain-Silent ", kind="rights", lang="en").id == "remain-silent"
    # A history id under /rights still opens it: the user picked it.
    assert find_topic(SHIPPED, "walkout-chants", kind="rights", lang="en").kind == "history"
    # Typed without picking: the best autocomplete match of the kind.
    assert find_topic(SHIPPED, "guardar silencio", kind="rights", lang="es").id == "remain-silent"
    with pytest.raises(UserError) as info:
        find_topic(SHIPPED, "qqqq <@1>", kind="rights", lang="en")
    assert info.value.key == "error.snippet.not_found"
    assert "<@1>" not in info.value.fields["ref"]


# --- a server snippet from the modal ------------------------------------------------------------

SHIPPED_IDS = {s.id for s in SHIPPED}


def new(**fields):
    values = {
        "slug": "our-walkout",
        "title": "Our walkout",
        "body": "We walked out at 2 PM.",
        "source": "Student paper, 2026-02-14",
        "keywords": "walkout, ICE,, walkout",
        "kind": "history",
        "lang": "es",
        "taken_ids": SHIPPED_IDS | {"taken-here"},
    }
    values.update(fields)
    return check_new_snippet(**values)


@pytest.mark.parametrize(
    ("typed", "slug"),
    [
        ("our-walkout", "our-walkout"),
        ("Our Walkout_2026", "our-walkout-2026"),
        ("  Niños   unidos! ", "ninos-unidos"),
        ("--a--b--", "a-b"),
    ],
)
def test_normalize_slug(typed, slug):
    assert normalize_slug(typed) == slug


def test_check_new_snippet_cleans_and_accepts():
    snippet = new(slug="Our Walkout", title="  Hi @everyone ", keywords="a, b ,A")
    assert snippet.slug == "our-walkout"
    assert snippet.title == "Hi @\u200beveryone"
    assert snippet.keywords == ("a", "b")
    assert (snippet.kind, snippet.lang) == ("history", "es")


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"slug": "  "}, "error.field.empty"),
        ({"slug": "ab"}, "error.snippet.id_format"),
        ({"slug": "x" * 41}, "error.snippet.id_format"),
        ({"slug": "remain-silent"}, "error.snippet.id_taken"),  # a shipped id
        ({"slug": "Taken Here"}, "error.snippet.id_taken"),  # the server's own
        ({"title": " "}, "error.field.empty"),
        ({"title": "t" * 201}, "error.field.too_long"),
        ({"title": "two\nlines"}, "error.snippet.one_line"),
        ({"title": "two\u2028lines"}, "error.snippet.one_line"),
        ({"source": "two\r\nlines"}, "error.snippet.one_line"),
        ({"title": "\u200b\u3164\u2800"}, "error.field.empty"),  # shows nothing
        ({"body": ""}, "error.field.empty"),
        ({"body": "b" * 3501}, "error.field.too_long"),
        ({"source": ""}, "error.field.empty"),
        ({"source": "s" * 301}, "error.field.too_long"),
        ({"keywords": ",".join(f"k{i}" for i in range(11))}, "error.snippet.keywords_count"),
        ({"keywords": "k" * 41}, "error.snippet.keyword_too_long"),
    ],
)
def test_check_new_snippet_refuses(fields, key):
    with pytest.raises(UserError) as info:
        new(**fields)
    assert info.value.key == key


def test_every_refusal_has_text_in_both_languages():
    keys = [
        "error.snippet.id_format",
        "error.snippet.id_taken",
        "error.snippet.one_line",
        "error.snippet.keywords_count",
        "error.snippet.keyword_too_long",
        "error.snippet.invalid",
        "error.snippet.not_found",
        "error.snippet.public",
        "error.snippet.shipped",
        "error.snippet.not_own",
    ]
    for lang in LANGS:
        for key in keys:
            assert t(key, lang) != key
        for name in ("id", "title", "body", "source", "keywords"):
            assert t(f"field.{name}", lang) != f"field.{name}"


def test_model_limits_match_the_validator():
    assert models.SNIPPET_TITLE_MAX == content.TITLE_MAX
    assert models.SNIPPET_BODY_MAX == content.BODY_MAX
    assert models.SNIPPET_SOURCE_MAX == content.SOURCE_LINE_MAX
    assert models.SNIPPET_KEYWORDS_MAX >= content.KEYWORDS_MAX * (content.KEYWORD_MAX_CHARS + 1)
    assert content.ID_PATTERN.fullmatch("x" * models.SNIPPET_SLUG_MAX)
    assert not content.ID_PATTERN.fullmatch("x" * (models.SNIPPET_SLUG_MAX + 1))
    assert models.SNIPPET_KINDS == content.KINDS  # the CHECK constraint lists the same kinds


@pytest.mark.parametrize("ui_lang", LANGS)
@pytest.mark.parametrize("kind", ["rights", "history"])
def test_modal_text_fits_without_cutting(kind, ui_lang):
    for lang in LANGS:
        modal = AddSnippetModal(custom_id="snippet:add:1", kind=kind, lang=lang, ui_lang=ui_lang)
        assert not modal.title.endswith(limits.ELLIPSIS)
        assert len(modal.title) <= limits.MODAL_TITLE_MAX
        labels = modal.children
        assert [label.component.custom_id for label in labels] == [
            "id",
            "title",
            "body",
            "source",
            "keywords",
        ]
        for label in labels:
            assert 1 <= len(label.text) <= limits.TEXT_INPUT_LABEL_MAX
            assert len(label.description or "") <= 100
            for text in (label.text, label.description, label.component.placeholder):
                assert not (text or "").endswith(limits.ELLIPSIS)
            assert t(f"snippet.modal.{label.component.custom_id}", ui_lang) == label.text
