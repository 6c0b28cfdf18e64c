"""/rights, /history and /snippet end to end: the real bot through the loopback Discord server."""

from __future__ import annotations

import pytest

from messages.snippets import shipped_snippets
from tests.e2e.helpers import EPHEMERAL, MEMBER, MODERATOR, custom_ids, embed_text, unique

pytestmark = pytest.mark.e2e

LEGAL_EN = (
    "General information, not legal advice. Talk to a lawyer or a local immigrant-rights group."
)
LEGAL_ES = (
    "Información general, no es asesoría legal. Habla con un abogado o con un grupo local de "
    "derechos de los inmigrantes."
)
RIGHTS_MENU_EN = "snippet:topic:rights:en"
AUTOCOMPLETE_DEADLINE = 1.0  # seconds; Discord allows 3, we want to be well inside


def footer(message: dict) -> str:
    return message["embeds"][0].get("footer", {}).get("text", "")


def select_options(message: dict, custom_id: str) -> list[dict]:
    for row in message.get("components") or []:
        for comp in row.get("components") or []:
            if comp.get("custom_id") == custom_id:
                return comp["options"]
    raise AssertionError(f"no select {custom_id!r} in {custom_ids(message)}")


async def ask(fake, guild, member, command, options=None, **kw):
    itx = await fake.invoke(guild, member, command, options or {}, **kw)
    return itx, await itx.final_message()


def slug(prefix: str) -> str:
    """A snippet id no other test uses: ``prefix-<n>``."""
    return unique(prefix).replace(" ", "-").lower()


async def add_snippet(fake, guild, member, fields: dict[str, str], **options):
    """/snippet add, then submit its modal with ``fields`` (by field custom_id)."""
    locale = options.pop("locale", None)
    opener = await fake.invoke(guild, member, "snippet add", options, locale=locale)
    await opener.first_response()
    modal = opener.modal
    assert modal is not None, "the bot did not open a modal"
    itx = await fake.submit_modal(guild, member, modal["custom_id"], fields, locale=locale)
    return modal, itx, await itx.final_message()


# --- /rights and /history ---------------------------------------------------------------------


async def test_rights_without_topic_is_a_private_index_with_a_menu(fake, world, bot):
    itx, msg = await ask(fake, world.guild, world.alice, "rights")
    assert itx.ephemeral
    embed = msg["embeds"][0]
    assert embed["title"] == "Know your rights"
    assert "`remain-silent` Your right to remain silent" in embed["description"]
    assert footer(msg) == LEGAL_EN
    options = select_options(msg, RIGHTS_MENU_EN)
    assert 1 < len(options) <= 25
    assert {"remain-silent", "dont-sign"} <= {o["value"] for o in options}


async def test_history_index_follows_the_users_spanish_client(fake, world, bot):
    itx, msg = await ask(fake, world.guild, world.bob, "history")  # bob's client: es-419
    assert itx.ephemeral
    assert msg["embeds"][0]["title"] == "Historia y contexto"
    assert "`east-la-blowouts-1968`" in msg["embeds"][0]["description"]
    assert "snippet:topic:history:es" in custom_ids(msg)
    assert LEGAL_ES not in embed_text(msg)  # history carries no legal notice


async def test_rights_topic_in_spanish_with_sources_and_legal_footer(fake, world, bot):
    itx, msg = await ask(
        fake, world.guild, world.alice, "rights", {"topic": "remain-silent"}, locale="es-ES"
    )
    assert itx.ephemeral
    embed = msg["embeds"][0]
    assert embed["title"] == "Tu derecho a guardar silencio"
    assert "Quinta Enmienda" in embed["description"]
    (sources,) = embed["fields"]
    assert sources["name"] == "Fuentes"
    assert "Salinas v. Texas" in sources["value"] and "2013-06-17" in sources["value"]
    assert footer(msg).startswith(LEGAL_ES)
    checked = next(s.checked for s in shipped_snippets() if s.id == "remain-silent")
    assert f"revisados por última vez el {checked.isoformat()}" in footer(msg)


async def test_language_option_beats_the_client_locale(fake, world, bot):
    _, msg = await ask(
        fake, world.guild, world.bob, "rights", {"topic": "remain-silent", "language": "en"}
    )
    assert msg["embeds"][0]["title"] == "Your right to remain silent"
    assert footer(msg).startswith(LEGAL_EN)
    _, msg = await ask(
        fake, world.guild, world.alice, "history", {"topic": "walkout-chants", "language": "es"}
    )
    assert msg["embeds"][0]["title"].startswith("Consignas")
    assert LEGAL_ES not in footer(msg) and LEGAL_EN not in footer(msg)


async def test_a_locale_without_a_catalog_falls_back_to_the_servers(fake, world, bot):
    guild = fake.add_guild(name="Servidor en español", locale="es-419", bot_permissions=0)
    member = fake.add_member(guild, "luis", permissions=MEMBER, locale="fr")
    await fake.wait_ready(timeout=10)
    _, msg = await ask(fake, guild, member, "rights", {"topic": "dont-sign"})
    assert msg["embeds"][0]["fields"][0]["name"] == "Fuentes"


async def test_typed_text_opens_the_best_match_and_nonsense_says_so(fake, world, bot):
    _, msg = await ask(fake, world.guild, world.alice, "rights", {"topic": "guardar silencio"})
    assert msg["embeds"][0]["title"] == "Your right to remain silent"
    itx, msg = await ask(fake, world.guild, world.alice, "rights", {"topic": "qqqzzz"})
    assert itx.ephemeral and "can't find the topic" in msg["content"]


async def test_menu_opens_a_topic_in_place(fake, world, bot):
    _, index = await ask(fake, world.guild, world.alice, "rights")
    itx = await fake.select(world.guild, world.alice, index, RIGHTS_MENU_EN, values=["dont-sign"])
    msg = await itx.final_message()
    assert msg["id"] == index["id"] and msg["flags"] & EPHEMERAL
    assert msg["embeds"][0]["title"] == "Don't sign immigration papers without a lawyer"
    assert footer(msg).startswith(LEGAL_EN)
    assert RIGHTS_MENU_EN in custom_ids(msg)  # pick another one from the same menu
    itx = await fake.select(world.guild, world.alice, msg, RIGHTS_MENU_EN, values=["remain-silent"])
    assert (await itx.final_message())["embeds"][0]["title"] == "Your right to remain silent"


async def test_public_posts_to_the_channel_and_pings_nobody(fake, world, bot):
    itx, msg = await ask(
        fake, world.guild, world.alice, "rights", {"topic": "recording-police", "public": True}
    )
    assert not itx.ephemeral
    assert msg["id"] in {m["id"] for m in fake.messages(world.general.id)}
    first = await itx.first_response()
    assert first["data"]["allowed_mentions"] == {"parse": []}


async def test_public_index_menu_answers_each_reader_privately(fake, world, bot):
    itx, index = await ask(fake, world.guild, world.alice, "history", {"public": True})
    assert not itx.ephemeral
    pick = await fake.select(
        world.guild, world.bob, index, "snippet:topic:history:en", values=["walkout-chants"]
    )
    msg = await pick.final_message()
    assert pick.ephemeral
    assert msg["embeds"][0]["title"].startswith("Consignas")  # bob reads Spanish
    unchanged = fake.message(index["id"])
    assert unchanged["embeds"][0]["title"] == "History and background"


async def test_public_is_only_for_members_who_may_register(fake, world, bot):
    guild = fake.add_guild(name="Organizers only", bot_permissions=0)
    organizers = fake.add_role(guild, "organizers")
    mod = fake.add_member(guild, "mod3", permissions=MODERATOR)
    kim = fake.add_member(guild, "kim", permissions=MEMBER)
    ana = fake.add_member(guild, "ana", permissions=MEMBER, roles=[organizers.id])
    await fake.wait_ready(timeout=10)
    await ask(fake, guild, mod, "setup organizer-role", {"role": organizers.id})
    before = len(fake.messages(guild.channels[0].id))

    itx, msg = await ask(fake, guild, kim, "rights", {"topic": "dont-sign", "public": True})
    assert itx.ephemeral and "Only members who may register walkouts" in msg["content"]
    assert len(fake.messages(guild.channels[0].id)) == before
    itx, msg = await ask(fake, guild, kim, "rights", {"topic": "dont-sign"})
    assert itx.ephemeral and msg["embeds"]  # privately is always fine

    for member in (ana, mod):
        itx, msg = await ask(fake, guild, member, "rights", {"topic": "dont-sign", "public": True})
        assert not itx.ephemeral and msg["embeds"][0]["title"]


async def test_topic_autocomplete_is_relevant_bounded_and_fast(fake, world, bot):
    cases = [
        ("rights", "sil", "en-US", "remain-silent"),
        ("rights", "orden judicial", "es-419", "judicial-vs-administrative-warrants"),
        ("history", "blowouts", "en-US", "east-la-blowouts-1968"),
    ]
    for command, typed, locale, expected in cases:
        itx = await fake.autocomplete(
            world.guild, world.alice, command, {"topic": typed}, focused="topic", locale=locale
        )
        first = await itx.first_response()
        assert first["elapsed"] < AUTOCOMPLETE_DEADLINE
        choices = itx.autocomplete_choices
        assert 1 <= len(choices) <= 25
        assert choices[0]["value"] == expected, (typed, choices[:3])
    itx = await fake.autocomplete(world.guild, world.alice, "history", {"topic": ""})
    await itx.first_response()
    assert 10 <= len(itx.autocomplete_choices) <= 25
    titles = [c["name"] for c in itx.autocomplete_choices]
    assert all(1 <= len(title) <= 100 for title in titles)


async def test_autocomplete_titles_follow_the_language_option(fake, world, bot):
    itx = await fake.autocomplete(
        world.guild, world.alice, "rights", {"language": "es", "topic": "silen"}, focused="topic"
    )
    await itx.first_response()
    assert itx.autocomplete_choices[0]["name"] == "Tu derecho a guardar silencio"


# --- /snippet search --------------------------------------------------------------------------


async def test_search_ranks_matches_in_both_languages(fake, world, bot):
    itx, msg = await ask(fake, world.guild, world.alice, "snippet search", {"query": "warrant"})
    assert itx.ephemeral
    lines = msg["embeds"][0]["description"].split("\n")
    assert lines[:2] == [  # the best match first: title, then id and kind
        "**1. Warrants: judicial vs. administrative**",
        "`judicial-vs-administrative-warrants` · rights",
    ]
    _, msg = await ask(fake, world.guild, world.bob, "snippet search", {"query": "huelga 2006"})
    assert "hr-4437-walkouts-2006" in embed_text(msg) or "day-without-immigrants-2006" in (
        embed_text(msg)
    )
    assert msg["embeds"][0]["title"].startswith("Fichas que coinciden")


async def test_search_without_results_says_so(fake, world, bot):
    itx, msg = await ask(fake, world.guild, world.alice, "snippet search", {"query": "xylophonez"})
    assert itx.ephemeral
    assert "Nothing matches “xylophonez”" in embed_text(msg)


# --- /snippet add and remove ------------------------------------------------------------------


async def test_added_snippet_is_searchable_and_shown_only_in_its_server(fake, world, bot):
    sid = slug("zebra-walkout")
    modal, itx, msg = await add_snippet(
        fake,
        world.guild,
        world.mod,
        {
            "id": sid,
            "title": "Our zebra walkout",
            "body": "On Feb 13 we walked out of Zebra High. @everyone <@&1> came.",
            "source": "Zebra High student paper, 2026-02-14",
            "keywords": "zebra, stripes",
        },
        kind="history",
    )
    assert modal["title"] == "New history snippet (English)"
    assert itx.ephemeral and f"(`{sid}`)" in msg["content"]
    assert msg["embeds"][0]["title"] == "Our zebra walkout"
    assert "@everyone" not in msg["embeds"][0]["description"]

    _, found = await ask(fake, world.guild, world.alice, "snippet search", {"query": "zebra"})
    assert sid in embed_text(found) and "this server" in embed_text(found)
    _, shown = await ask(fake, world.guild, world.bob, "history", {"topic": sid})
    assert shown["embeds"][0]["title"] == "Our zebra walkout"  # English, though bob reads Spanish
    assert "solo en inglés" in footer(shown)
    _, index = await ask(fake, world.guild, world.alice, "history")
    assert f"`{sid}`" in index["embeds"][0]["description"]
    itx = await fake.autocomplete(world.guild, world.alice, "history", {"topic": "zebra"})
    await itx.first_response()
    assert [c["value"] for c in itx.autocomplete_choices] == [sid]

    other, outsider = world.other_guild, world.outsider
    _, found = await ask(fake, other, outsider, "snippet search", {"query": "zebra"})
    assert sid not in embed_text(found)
    itx, msg = await ask(fake, other, outsider, "history", {"topic": sid})
    assert itx.ephemeral and "can't find the topic" in msg["content"]
    itx = await fake.autocomplete(other, outsider, "history", {"topic": "zebra"})
    await itx.first_response()
    assert itx.autocomplete_choices == []


async def test_spanish_rights_snippet_gets_the_legal_notice(fake, world, bot):
    sid = slug("derechos-en-la-escuela")
    modal, _, msg = await add_snippet(
        fake,
        world.guild,
        world.mod,
        {
            "id": sid,
            "title": "Tus derechos en nuestra escuela",
            "body": "La escuela no puede pedirte papeles de inmigración.",
            "source": "Distrito escolar, 2026-01-10",
        },
        kind="rights",
        language="es",
    )
    assert modal["title"] == "New rights snippet (Spanish)"
    assert msg["embeds"][0]["title"] == "Tus derechos en nuestra escuela"
    _, shown = await ask(fake, world.guild, world.alice, "rights", {"topic": sid})
    assert footer(shown).startswith(LEGAL_EN) and "only in Spanish" in footer(shown)


async def test_refused_snippet_can_be_fixed_without_retyping(fake, world, bot):
    fields = {
        "id": "remain-silent",  # a shipped id
        "title": "Keep quiet",
        "body": "A long text the moderator should not have to type again.",
        "source": "Our notes",
    }
    _, itx, msg = await add_snippet(fake, world.guild, world.mod, fields)
    assert itx.ephemeral and "already taken" in msg["content"]
    (retry,) = custom_ids(msg)
    click = await fake.click(world.guild, world.mod, msg, retry)
    await click.first_response()
    reopened = click.modal
    assert reopened is not None
    values = {
        label["component"]["custom_id"]: label["component"].get("value")
        for label in reopened["components"]
    }
    assert values["body"] == fields["body"] and values["id"] == "remain-silent"
    sid = slug("keep-quiet")
    done = await fake.submit_modal(world.guild, world.mod, reopened["custom_id"], {"id": sid})
    assert f"(`{sid}`)" in (await done.final_message())["content"]


async def test_add_and_remove_are_refused_to_non_moderators_in_code(fake, world, bot):
    """/snippet is visible to everyone (for search), so the bot re-checks Manage Server."""
    itx, msg = await ask(fake, world.guild, world.alice, "snippet add", {"kind": "rights"})
    assert itx.ephemeral and "Only moderators" in msg["content"]
    assert itx.modal is None
    itx, msg = await ask(
        fake, world.guild, world.alice, "snippet remove", {"snippet": "remain-silent"}
    )
    assert itx.ephemeral and "Only moderators" in msg["content"]


async def test_remove_only_the_servers_own(fake, world, bot):
    itx, msg = await ask(fake, world.guild, world.mod, "snippet remove", {"snippet": "dont-sign"})
    assert itx.ephemeral and "comes with the bot" in msg["content"]
    _, still = await ask(fake, world.guild, world.alice, "rights", {"topic": "dont-sign"})
    assert still["embeds"][0]["title"] == "Don't sign immigration papers without a lawyer"

    sid = slug("to-remove")
    await add_snippet(
        fake,
        world.guild,
        world.mod,
        {"id": sid, "title": "Short-lived", "body": "Soon gone.", "source": "Us"},
    )
    itx = await fake.autocomplete(world.guild, world.mod, "snippet remove", {"snippet": ""})
    await itx.first_response()
    values = [c["value"] for c in itx.autocomplete_choices]
    assert sid in values and "dont-sign" not in values  # only the server's own

    itx, msg = await ask(
        fake, world.other_guild, world.outsider, "snippet remove", {"snippet": sid}
    )
    assert "has no snippet" in msg["content"]
    itx, msg = await ask(fake, world.guild, world.mod, "snippet remove", {"snippet": sid})
    assert itx.ephemeral and f"Removed **Short-lived** (`{sid}`)" in msg["content"]
    itx, msg = await ask(fake, world.guild, world.alice, "history", {"topic": sid})
    assert "can't find the topic" in msg["content"]
