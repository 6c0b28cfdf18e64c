"""Autocomplete ranking and full-text search over snippets."""

from __future__ import annotations

from datetime import date

import pytest

from messages.snippets import Snippet, Source, Text, shipped_snippets
from messages.snippets.search import autocomplete, fold, search


def make(
    snippet_id: str,
    en_title: str,
    *,
    es_title: str | None = None,
    kind: str = "rights",
    en_keywords: tuple[str, ...] = (),
    es_keywords: tuple[str, ...] = (),
    en_body: str = "Body text.",
    es_body: str = "Texto.",
) -> Snippet:
    return Snippet(
        id=snippet_id,
        kind=kind,
        checked=date(2026, 2, 27),
        sources=(Source("Publication", "Title"),),
        texts={
            "en": Text(en_title, en_body, en_keywords),
            "es": Text(es_title or en_title, es_body, es_keywords),
        },
    )


def ids(choices: list[tuple[str, str]]) -> list[str]:
    return [snippet_id for _, snippet_id in choices]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Policía", "policia"),
        ("¿Tengo la libertad de irme?", "tengo la libertad de irme"),
        ("DERECHOS", "derechos"),
        ("287(g)", "287 g"),
        ("remain-silent", "remain silent"),
        ("  niño   ", "nino"),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


# --- autocomplete ------------------------------------------------------------------------------


def test_ranking_tiers():
    """exact id > id prefix > title prefix > keyword > substring in title; non-matches dropped."""
    snippets = [
        make("ccc", "The back door"),  # substring in title
        make("bbb", "Bells", en_keywords=("doorbell",)),  # keyword
        make("aaa", "Doors and windows"),  # title prefix
        make("door-rules", "Zebra rules"),  # id prefix
        make("door", "Zzz exact"),  # exact id
        make("zzz", "Nothing here"),
    ]
    assert ids(autocomplete(snippets, "door", lang="en")) == [
        "door",
        "door-rules",
        "aaa",
        "bbb",
        "ccc",
    ]


def test_title_prefix_in_either_language():
    """A Spanish title matches even when the user's language is English."""
    snippets = [make("x-one", "Stopped in a car", es_title="Si te paran en un carro")]
    assert autocomplete(snippets, "si te", lang="en") == [("Stopped in a car", "x-one")]


def test_keyword_words_match_as_prefixes():
    """Each query word may start any keyword word: "fifth am" finds "fifth amendment"."""
    snippets = [make("silence", "Silence", en_keywords=("fifth amendment", "police"))]
    assert ids(autocomplete(snippets, "amend fifth", lang="en")) == ["silence"]


def test_ties_sorted_by_title_in_language():
    snippets = [
        make("one", "B title", es_title="A título"),
        make("two", "A title", es_title="B título"),
    ]
    assert ids(autocomplete(snippets, "title", lang="en")) == ["two", "one"]
    assert ids(autocomplete(snippets, "titulo", lang="es")) == ["one", "two"]


def test_empty_query_lists_kind_by_title():
    snippets = [
        make("r-b", "Beta"),
        make("h-a", "Alpha", kind="history"),
        make("r-a", "Alpha right", es_title="Zeta"),
    ]
    assert autocomplete(snippets, "", lang="en", kind="rights") == [
        ("Alpha right", "r-a"),
        ("Beta", "r-b"),
    ]
    assert ids(autocomplete(snippets, "  ", lang="es", kind="rights")) == ["r-b", "r-a"]
    assert ids(autocomplete(snippets, "", lang="en")) == ["h-a", "r-a", "r-b"]


def test_kind_filter():
    snippets = [make("r-x", "Walkout rights"), make("h-x", "Walkout history", kind="history")]
    assert ids(autocomplete(snippets, "walkout", lang="en", kind="history")) == ["h-x"]


def test_limit_is_25_by_default():
    """Discord allows 25 choices; more matches are cut, best first."""
    snippets = [make(f"topic-{i:03d}", f"Topic number {i:03d}") for i in range(60)]
    choices = autocomplete(snippets, "topic", lang="en")
    assert len(choices) == 25
    assert ids(choices) == [f"topic-{i:03d}" for i in range(25)]
    assert len(autocomplete(snippets, "", lang="en", kind="rights")) == 25
    assert len(autocomplete(snippets, "topic", lang="en", limit=5)) == 5
    assert autocomplete(snippets, "topic", lang="en", limit=0) == []


def test_display_name_fits_discord():
    """Choice names are cut to 100 characters with an ellipsis."""
    snippets = [make("long-one", "L" * 180)]
    [(name, snippet_id)] = autocomplete(snippets, "long", lang="en")
    assert len(name) == 100
    assert name.endswith("…")
    assert snippet_id == "long-one"


def test_display_name_in_language_with_discord_locale():
    snippets = [make("x-one", "Recording police", es_title="Grabar a la policía")]
    assert autocomplete(snippets, "grab", lang="es-419") == [("Grabar a la policía", "x-one")]


@pytest.mark.parametrize(
    ("query", "lang"),
    [("policia", "es"), ("POLICÍA", "es"), ("Policia", "en"), ("derechos", "es")],
)
def test_accent_and_case_insensitive(query, lang):
    snippets = [
        make(
            "x-police",
            "Recording police",
            es_title="Policía y Derechos",
            es_keywords=("derechos",),
        )
    ]
    assert ids(autocomplete(snippets, query, lang=lang)) == ["x-police"]


def test_autocomplete_on_shipped_content():
    shipped = shipped_snippets()
    assert ids(autocomplete(shipped, "silencio", lang="es", kind="rights"))[0] == "remain-silent"
    assert ids(autocomplete(shipped, "remain-silent", lang="en", kind="rights"))[0] == (
        "remain-silent"
    )
    assert ids(autocomplete(shipped, "orden judicial", lang="es", kind="rights"))[0] == (
        "judicial-vs-administrative-warrants"
    )
    assert "hazel-park-amazon-arrests" in ids(autocomplete(shipped, "amazon", lang="en"))
    assert ids(autocomplete(shipped, "287", lang="en", kind="history")) == ["287g-agreements"]
    assert len(autocomplete(shipped, "", lang="es", kind="history")) == sum(
        1 for s in shipped if s.kind == "history"
    )


# --- search ------------------------------------------------------------------------------------


def test_search_ranks_title_over_body():
    snippets = [
        make("in-body", "Something else", en_body="This mentions a warrant once."),
        make("in-title", "Warrants explained"),
        make("unrelated", "Chants"),
    ]
    results = search(snippets, "warrant", lang="en")
    assert [s.id for s, _ in results] == ["in-title", "in-body"]
    assert results[0][1] > results[1][1] > 0


def test_search_prefers_snippets_matching_all_words():
    snippets = [
        make("both", "School rules", en_body="Suspension after a walkout."),
        make("one", "School lunches", en_body="Menus."),
    ]
    assert next(s.id for s, _ in search(snippets, "school suspension", lang="en")) == "both"


def test_search_both_languages_and_accents():
    snippets = [make("x-one", "Recording", es_body="Puedes grabar a la policía.")]
    assert [s.id for s, _ in search(snippets, "policia", lang="en")] == ["x-one"]


def test_search_user_language_counts_more():
    snippets = [
        make("en-hit", "Other", en_body="red card details"),
        make("es-hit", "Other too", es_body="red card detalles"),
    ]
    assert [s.id for s, _ in search(snippets, "card", lang="en")] == ["en-hit", "es-hit"]
    assert [s.id for s, _ in search(snippets, "card", lang="es")] == ["es-hit", "en-hit"]


def test_search_ties_are_deterministic():
    snippets = [make("b-id", "Same title"), make("a-id", "Same title"), make("c-id", "Alpha same")]
    results = search(snippets, "same", lang="en")
    assert [s.id for s, _ in results] == ["c-id", "a-id", "b-id"]
    assert results == search(list(reversed(snippets)), "same", lang="en")


def test_search_empty_and_limits():
    snippets = [make(f"t-{i}", f"Topic {i}") for i in range(30)]
    assert search(snippets, "", lang="en") == []
    assert search(snippets, "?!", lang="en") == []
    assert len(search(snippets, "topic", lang="en")) == 10
    assert len(search(snippets, "topic", lang="en", limit=3)) == 3


def test_search_plurals_and_prefixes():
    snippets = [make("w", "Warrant", es_title="Orden", es_body="Las órdenes judiciales.")]
    assert [s.id for s, _ in search(snippets, "warrants", lang="en")] == ["w"]
    assert [s.id for s, _ in search(snippets, "judicial", lang="es")] == ["w"]
    assert [s.id for s, _ in search(snippets, "warr", lang="en")] == ["w"]


def test_search_stopwords_do_not_rank():
    """ "the warrant" ranks like "warrant"; a query of only stopwords still searches."""
    snippets = [make("w", "Warrant"), make("t", "The other")]
    assert [s.id for s, _ in search(snippets, "the warrant", lang="en")] == ["w"]
    assert [s.id for s, _ in search(snippets, "the", lang="en")] == ["t"]


@pytest.mark.parametrize(
    ("query", "lang", "expected_first"),
    [
        ("orden judicial", "es", "judicial-vs-administrative-warrants"),
        ("remain silent", "en", "remain-silent"),
        ("grabar policia", "es", "recording-police"),
        ("tarjeta roja", "es", "red-cards"),
        ("Plyler", "en", "right-to-public-school"),
        ("Bovino", "en", "minneapolis-drawdown"),
        ("1968", "en", "east-la-blowouts-1968"),
    ],
)
def test_search_shipped_content(query, lang, expected_first):
    results = search(shipped_snippets(), query, lang=lang)
    assert results[0][0].id == expected_first, [(s.id, score) for s, score in results]


def test_search_woodbridge_finds_both_topics():
    top = {s.id for s, _ in search(shipped_snippets(), "Woodbridge suspensions", lang="en")[:2]}
    assert top == {"school-discipline-woodbridge", "walkouts-and-school-discipline"}
