"""Bad input end to end: each answered with a clear ephemeral error, nothing stored half-way,
and the bot keeps serving afterwards."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import embed_text, field, unique, walkout_id_from

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
async def ready(fake, world, bot):
    itx = await fake.invoke(world.guild, world.mod, "setup timezone", {"zone": "America/Detroit"})
    await itx.final_message()
    itx = await fake.invoke(
        world.guild, world.mod, "setup channels", {"announcements": world.announcements.id}
    )
    await itx.final_message()
    return world


async def count_walkouts(fake, w) -> str:
    itx = await fake.invoke(w.guild, w.mod, "walkout list", {"scope": "all"})
    msg = await itx.final_message()
    return (msg["embeds"][0].get("footer") or {}).get("text", "")


CASES = [
    ({"when": "whenever we feel like it"}, "couldn't read"),
    ({"when": "2020-01-01 10:00"}, "already in the past"),
    # the edges of what a datetime holds: converting them to UTC used to overflow
    ({"when": "9999-12-31 23:59"}, "more than 2 years away"),
    ({"when": "December 31, 9999 at 11:59 PM"}, "more than 2 years away"),
    ({"when": "0001-01-01 00:00", "timezone": "Asia/Tokyo"}, "already in the past"),
    ({"when": "Feb 12 2027"}, "no time of day"),
    ({"when": "2027-03-14 02:30"}, "doesn't exist in America/Detroit"),
    ({"when": "2027-02-12 14:00", "timezone": "Mars/Olympus_Mons"}, "don't know the time zone"),
    ({"when": "2027-02-12 14:00", "details": "x" * 5000}, "too long: 5000 characters"),
    ({"when": "2027-02-12 14:00", "action": "No Such Action"}, "can't find the national action"),
    ({}, "Give a time"),
    ({"when": "2027-02-12 14:00", "school": "@everyone walk out"}, "can't contain @everyone"),
    ({"when": "2027-02-12 14:00", "city": "<@&123>"}, "can't contain @everyone"),
    # names made only of invisible characters
    ({"when": "2027-02-12 14:00", "school": "\u200b\u200d\u2060"}, "school can't be empty"),
    ({"when": "2027-02-12 14:00", "city": "\u3164 \u2800\ufeff"}, "city can't be empty"),
    ({"when": "2027-02-12 14:00", "school": "\u0301\u202e\U000e0041"}, "school can't be empty"),
]


@pytest.mark.parametrize(("options", "expected"), CASES)
async def test_bad_register_is_refused_clearly_and_stores_nothing(fake, ready, options, expected):
    w = ready
    before_total = await count_walkouts(fake, w)
    before_posts = len(fake.messages(w.announcements.id))
    opts = {"school": unique("Bad Input High"), "city": "Detroit"} | options
    # check_values=False: also what a client that ignores max_length could send
    itx = await fake.invoke(w.guild, w.alice, "walkout register", opts, check_values=False)
    msg = await itx.final_message()
    assert itx.ephemeral
    assert expected in msg["content"]
    assert "Traceback" not in msg["content"]
    assert await count_walkouts(fake, w) == before_total
    assert len(fake.messages(w.announcements.id)) == before_posts


async def test_spanish_user_gets_spanish_errors(fake, ready):
    w = ready
    itx = await fake.invoke(
        w.guild,
        w.bob,
        "walkout register",
        {"school": "X", "city": "Y", "when": "2020-01-01 10:00"},
        locale="es-ES",
    )
    assert "ya pasó" in (await itx.final_message())["content"]


async def test_unknown_walkout_ids_are_not_found(fake, ready):
    w = ready
    # "²" passes str.isdigit() and int() refuses it; "١٢" is 12 to int(), in other digits
    for ref in ("999999", "not-a-number", "#0", "²", "#١٢"):
        itx = await fake.invoke(w.guild, w.alice, "walkout info", {"walkout": ref})
        msg = await itx.final_message()
        assert itx.ephemeral and "can't find" in msg["content"]


async def test_action_add_validates_and_is_moderator_only(fake, ready):
    w = ready
    itx = await fake.invoke(
        w.guild, w.alice, "action add", {"name": "Mine", "date": "2027-05-01", "time": "14:00"}
    )
    assert "Only moderators" in (await itx.final_message())["content"]
    itx = await fake.invoke(
        w.guild, w.mod, "action add", {"name": "Bad", "date": "05/01/2027", "time": "14:00"}
    )
    assert "YYYY-MM-DD" in (await itx.final_message())["content"]
    itx = await fake.invoke(
        w.guild, w.mod, "action remove", {"action": "Walk out and turn up the heat on ICE"}
    )
    assert "can't be removed" in (await itx.final_message())["content"]


async def test_bot_still_serves_after_bad_input(fake, ready):
    w = ready
    itx = await fake.invoke(w.guild, w.alice, "action list")
    msg = await itx.final_message()
    assert "Walk out and turn up the heat on ICE" in embed_text(msg)


# --- free text at its limit, with a mention in it ------------------------------------------------


async def test_details_at_the_limit_with_a_mention_registers_and_cannot_ping(fake, ready, bot):
    """The limit counts what the member typed: the zero-width space that defuses @everyone is
    the bot's, so 1,000 typed characters fit, and the stored text still can't ping."""
    from core.text import has_mention
    from db import walkouts as walkouts_db

    w = ready
    details = ("Walk out with @everyone at noon. " * 31)[:990] + " @everyone"
    assert len(details) == 1000
    opts = {"school": unique("Limit High"), "city": "Detroit", "when": "2027-02-12 14:00"}
    itx = await fake.invoke(w.guild, w.alice, "walkout register", opts | {"details": details})
    msg = await itx.final_message()
    assert "registered" in msg["content"], msg["content"]
    announcement = fake.messages(w.announcements.id)[-1]
    wid = walkout_id_from(announcement)
    description = announcement["embeds"][0]["description"]
    assert "everyone" in description and not has_mention(description)
    async with bot.services.db() as s:
        row = await walkouts_db.get(s, w.guild.id, wid)
    assert row is not None and row.details is not None
    assert not has_mention(row.details) and "everyone" in row.details
    assert len(row.details) > 1000  # the defusing zero-width spaces, not counted against her

    reason = "Cancelled, ask <@&123> why. " + "x" * 272
    assert len(reason) == 300
    itx = await fake.invoke(
        w.guild, w.alice, "walkout cancel", {"walkout": str(wid), "reason": reason}
    )
    assert "cancelled" in (await itx.final_message())["content"]
    async with bot.services.db() as s:
        row = await walkouts_db.get(s, w.guild.id, wid)
    assert row is not None and row.cancel_reason is not None
    assert not has_mention(row.cancel_reason) and len(row.cancel_reason) == 301


async def test_action_names_refuse_mentions(fake, ready):
    w = ready
    itx = await fake.invoke(
        w.guild,
        w.mod,
        "action add",
        {"name": "@everyone out", "date": "2027-05-01", "time": "14:00"},
    )
    assert "can't contain @everyone" in (await itx.final_message())["content"]


# --- names: one line, and something visible ------------------------------------------------------


async def test_line_breaks_in_names_become_spaces(fake, ready):
    """School, city and meeting point are one line: pasted line breaks of any kind become a
    space; an edit to a name that shows nothing is refused like an empty one."""
    w = ready
    school = unique("Line Break High")
    opts = {
        "school": school.replace(" ", "\n", 1),
        "city": "Detroit\u2028Metro",
        "when": "2027-02-12 14:00",
        "meeting-point": "Front\r\nsteps\x0bby the\u2029flagpole",
    }
    itx = await fake.invoke(w.guild, w.alice, "walkout register", opts)
    assert "registered" in (await itx.final_message())["content"]
    announcement = fake.messages(w.announcements.id)[-1]
    assert announcement["embeds"][0]["title"] == f"Walkout: {school}"
    assert field(announcement, "City") == "Detroit Metro"
    wid = walkout_id_from(announcement)
    # The meeting point is only for those going (the default): the registrant sees it privately.
    info = await (
        await fake.invoke(w.guild, w.alice, "walkout info", {"walkout": str(wid)})
    ).final_message()
    assert field(info, "Meeting point") == "Front steps by the flagpole"

    itx = await fake.invoke(
        w.guild, w.alice, "walkout edit", {"walkout": str(wid), "school": "\u200b\u3164"}
    )
    msg = await itx.final_message()
    assert itx.ephemeral and "school can't be empty" in msg["content"]


async def test_action_names_are_one_line_and_visible(fake, ready):
    w = ready
    name = unique("Spring walkout")
    itx = await fake.invoke(
        w.guild,
        w.mod,
        "action add",
        {"name": name.replace(" ", "\n"), "date": "2027-05-01", "time": "14:00"},
    )
    assert f"**{name}**" in (await itx.final_message())["content"]
    itx = await fake.invoke(
        w.guild,
        w.mod,
        "action add",
        {"name": "\u200b\u2800", "date": "2027-05-01", "time": "14:00"},
    )
    assert "name can't be empty" in (await itx.final_message())["content"]


# --- far dates: the edges of what a datetime can hold ---------------------------------------------


async def test_far_dates_in_edit_are_refused_clearly(fake, ready):
    w = ready
    opts = {"school": unique("Far Edit High"), "city": "Detroit", "when": "2027-02-12 14:00"}
    itx = await fake.invoke(w.guild, w.alice, "walkout register", opts)
    await itx.final_message()
    wid = str(walkout_id_from(fake.messages(w.announcements.id)[-1]))
    for options, expected in [
        ({"when": "9999-12-31 23:59"}, "more than 2 years away"),
        ({"when": "0001-01-01 00:00", "timezone": "Asia/Tokyo"}, "already in the past"),
    ]:
        itx = await fake.invoke(w.guild, w.alice, "walkout edit", {"walkout": wid} | options)
        msg = await itx.final_message()
        assert itx.ephemeral and expected in msg["content"], msg["content"]
        assert "incident" not in msg["content"]


@pytest.mark.parametrize(
    ("command", "options", "expected"),
    [
        ("walkout register", {"school": "x", "city": "y"}, "more than 2 years away"),
        ("walkout edit", {"walkout": "1"}, "more than 2 years away"),
        ("walkout register", {"school": "x", "timezone": "Asia/Tokyo"}, "already in the past"),
    ],
)
async def test_far_dates_in_the_when_autocomplete_get_a_warning(
    fake, ready, command, options, expected
):
    """The autocomplete answers (it used to raise and leave Discord "Loading options failed")."""
    w = ready
    text = "0001-01-01 00:00" if "past" in expected else "9999-12-31 23:59"
    itx = await fake.autocomplete(
        w.guild, w.alice, command, options | {"when": text}, focused="when"
    )
    await itx.first_response()
    (choice,) = itx.autocomplete_choices
    assert choice["name"].startswith("⚠") and expected in choice["name"]
    assert choice["value"] == text


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("9999-12-31", "9999-12-31 is more than 2 years away"),
        ("2031-02-13", "2031-02-13 is more than 2 years away"),
        ("0001-01-01", "0001-01-01 has already passed everywhere"),
    ],
)
async def test_action_add_far_dates_are_refused_clearly(fake, ready, date, expected):
    w = ready
    name = unique("Far action")
    itx = await fake.invoke(
        w.guild, w.mod, "action add", {"name": name, "date": date, "time": "14:00"}
    )
    msg = await itx.final_message()
    assert itx.ephemeral and expected in msg["content"], msg["content"]
    listing = await (await fake.invoke(w.guild, w.mod, "action list")).final_message()
    assert name not in embed_text(listing)
