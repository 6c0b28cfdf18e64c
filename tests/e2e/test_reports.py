"""/report, /reports and /privacy end to end: the real bot through the loopback Discord server.

The form is opened and submitted, the notification lands in the reports channel, exports are
parsed back, the stats image is a PNG, and an anonymous reporter leaves no trace in the bot's
database, its WAL or its logs."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest

from cogs.reminders.engine import Batch
from db.models import Reminder
from tests.e2e.helpers import (
    MEMBER,
    NOW,
    custom_ids,
    embed_text,
    eventually,
    field,
    unique,
    walkout_id_from,
)

pytestmark = pytest.mark.e2e

CODE = re.compile(r"```\n([0-9A-Z]{4}(?:-[0-9A-Z]{4}){4})\n```")
INJECTION = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture(scope="module")
async def reports_channel(fake, world, bot):
    channel = fake.add_channel(world.guild, "organizer-reports")
    itx = await fake.invoke(world.guild, world.mod, "setup timezone", {"zone": "America/Detroit"})
    await itx.final_message()
    itx = await fake.invoke(
        world.guild,
        world.mod,
        "setup channels",
        {"announcements": world.announcements.id, "reports": channel.id},
    )
    await itx.final_message()
    return channel


async def walkout_over(fake, world, clock, school: str) -> int:
    """Register a walkout for tomorrow 14:00 in Detroit, then move the clock past it."""
    itx = await fake.invoke(
        world.guild,
        world.alice,
        "walkout register",
        {"school": school, "city": "Detroit", "when": "2026-11-24 14:00"},
    )
    await itx.final_message()
    announcement = fake.messages(world.announcements.id)[-1]
    clock.set(NOW + timedelta(days=2))
    return walkout_id_from(announcement)


async def open_form(fake, guild, member, walkout_id, **options):
    itx = await fake.invoke(guild, member, "report new", {"walkout": str(walkout_id), **options})
    await itx.first_response()
    assert itx.modal is not None, "no form opened"
    return itx.modal


async def send(fake, guild, member, modal, values):
    itx = await fake.submit_modal(guild, member, modal["custom_id"], values)
    return itx, await itx.final_message()


def gone(fake, channel, message) -> bool:
    return message["id"] not in {m["id"] for m in fake.messages(channel.id)}


def notices(fake, channel):
    return [m for m in fake.messages(channel.id) if m.get("embeds")]


async def next_notice(fake, channel, before: int):
    """The notification posted after the first ``before`` ones."""
    return await eventually(lambda: next(iter(notices(fake, channel)[before:]), None))


FULL = {
    "turnout": "1,200",
    "what_happened": INJECTION,
    "kinds": ["police", "arrest"],
    "details": "Two students were held for an hour.",
    "links": "https://example.org/video",
}


async def test_anonymous_report_form_notification_edit_and_delete(
    fake, world, bot, clock, reports_channel
):
    school = unique("Report High")
    wid = await walkout_over(fake, world, clock, school)
    modal = await open_form(fake, world.guild, world.alice, wid)
    assert modal["title"] == f"Anonymous report: {school}"
    fields = [c["component"] for c in modal["components"]]
    assert len(fields) == 5 and [f["type"] for f in fields] == [4, 4, 3, 4, 4]
    assert {o["value"] for o in fields[2]["options"]} == {
        "discipline", "police", "arrest", "ice", "injury", "none"
    }  # fmt: skip

    before = len(notices(fake, reports_channel))
    itx, msg = await send(fake, world.guild, world.alice, modal, FULL)
    assert itx.ephemeral
    code = CODE.search(msg["content"]).group(1)
    note = await next_notice(fake, reports_channel, before)
    text = embed_text(note)
    assert note["embeds"][0]["title"] == f"New report: {school}"
    assert "⚠ Repercussions" in text and "Police contact, Arrest" in text
    assert "1200" in text and "anonymous" in text
    assert str(world.alice.id) not in json.dumps(note)  # no identity for anonymous reports

    # Edit with the receipt code: the form comes back filled in, the notification follows.
    itx = await fake.invoke(world.guild, world.bob, "report edit", {"code": code.lower()})
    await itx.first_response()
    values = {c["component"]["custom_id"]: c["component"] for c in itx.modal["components"]}
    assert values["turnout"]["value"] == "1200"
    assert [o["value"] for o in values["kinds"]["options"] if o.get("default")] == [
        "police",
        "arrest",
    ]
    _, msg = await send(fake, world.guild, world.bob, itx.modal, {"turnout": "1500"})
    assert "updated" in msg["content"] or "actualizado" in msg["content"]
    await eventually(lambda: "1500" in embed_text(fake.message(note["id"])) or None)

    # A wrong code and another server's member learn nothing.
    itx = await fake.invoke(world.guild, world.alice, "report delete", {"code": "0" * 20})
    assert "No report in this server matches" in (await itx.final_message())["content"]
    itx = await fake.invoke(world.other_guild, world.outsider, "report delete", {"code": code})
    assert "No report in this server matches" in (await itx.final_message())["content"]

    itx = await fake.invoke(world.guild, world.alice, "report delete", {"code": code})
    assert "deleted" in (await itx.final_message())["content"]
    await eventually(lambda: gone(fake, reports_channel, note))


async def test_bad_values_are_explained_and_nothing_typed_is_lost(
    fake, world, bot, clock, reports_channel
):
    wid = await walkout_over(fake, world, clock, unique("Typo High"))
    modal = await open_form(fake, world.guild, world.alice, wid)
    typed = dict(FULL, turnout="lots", what_happened="A long story I do not want to type again.")
    before = len(notices(fake, reports_channel))
    itx, msg = await send(fake, world.guild, world.alice, modal, typed)
    assert itx.ephemeral and "whole number" in msg["content"] and '"lots"' in msg["content"]
    assert typed["what_happened"] in embed_text(msg)  # echoed back
    (retry,) = custom_ids(msg)
    click = await fake.click(world.guild, world.alice, msg, retry)
    await click.first_response()
    values = {c["component"]["custom_id"]: c["component"] for c in click.modal["components"]}
    assert values["what_happened"]["value"] == typed["what_happened"]
    assert values["turnout"]["value"] == "lots"
    _, done = await send(fake, world.guild, world.alice, click.modal, {"turnout": "40"})
    assert CODE.search(done["content"])
    await eventually(lambda: len(notices(fake, reports_channel)) == before + 1 or None)


async def test_named_report_names_the_reporter_without_a_ping(
    fake, world, bot, clock, reports_channel
):
    wid = await walkout_over(fake, world, clock, unique("Named High"))
    modal = await open_form(fake, world.guild, world.bob, wid, anonymous=False)
    assert modal["title"].startswith("Reporte con nombre")  # bob reads Spanish
    before = len(notices(fake, reports_channel))
    itx, msg = await send(
        fake, world.guild, world.bob, modal, {"what_happened": "Nos suspendieron."}
    )
    assert CODE.search(msg["content"]) is None
    note = await next_notice(fake, reports_channel, before)
    assert f"<@{world.bob.id}>" in embed_text(note)
    post = next(
        r
        for r in reversed(fake.requests)
        if r.method == "POST" and r.path == f"/channels/{reports_channel.id}/messages"
    )
    assert post.json["allowed_mentions"] == {"parse": []}
    itx = await fake.invoke(world.guild, world.bob, "report mine")
    assert "Named High" in embed_text(await itx.final_message())
    itx = await fake.invoke(world.guild, world.bob, "report delete")  # the only one: no code
    await itx.final_message()
    await eventually(lambda: gone(fake, reports_channel, note))


async def test_walkouts_of_another_server_are_refused(fake, world, bot, clock, reports_channel):
    wid = await walkout_over(fake, world, clock, unique("Not Yours High"))
    itx = await fake.invoke(world.other_guild, world.outsider, "report new", {"walkout": str(wid)})
    msg = await itx.final_message()
    assert itx.modal is None and "can't find walkout" in msg["content"]


async def test_moderators_list_export_and_chart_and_nobody_else(
    fake, world, bot, clock, reports_channel
):
    school = unique("Export High")
    wid = await walkout_over(fake, world, clock, school)
    modal = await open_form(fake, world.guild, world.alice, wid)
    await send(fake, world.guild, world.alice, modal, FULL)

    for command in ("reports list", "reports stats", "reports export"):
        itx = await fake.invoke(world.guild, world.alice, command)
        assert "Only moderators" in (await itx.final_message())["content"]
        assert itx.attachments == []

    itx = await fake.invoke(world.guild, world.mod, "reports list", {"walkout": str(wid)})
    listed = embed_text(await itx.final_message())
    assert school in listed and "Police contact" in listed

    itx = await fake.invoke(world.guild, world.mod, "reports export", {"walkout": str(wid)})
    await itx.final_message()
    ((name, data),) = itx.attachments
    assert name.endswith(".csv") and data.startswith(b"\xef\xbb\xbf")
    (row,) = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    assert row["school"] == school and row["turnout"] == "1200"
    assert row["what_happened"] == "'" + INJECTION  # neutralised for spreadsheets
    assert row["walkout_start_local"] == "2026-11-24T14:00:00-05:00"

    itx = await fake.invoke(world.guild, world.mod, "reports export", {"format": "json"})
    await itx.final_message()
    ((name, data),) = itx.attachments
    doc = json.loads(data)
    mine = [r for r in doc["reports"] if r["walkout_id"] == wid]
    assert mine[0]["turnout"] == 1200 and mine[0]["repercussions"] == ["police", "arrest"]
    assert str(world.alice.id) not in data.decode()

    itx = await fake.invoke(world.other_guild, world.outsider, "reports export", {"format": "json"})
    await itx.final_message()
    ((_, data),) = itx.attachments
    assert json.loads(data)["reports"] == []  # another server sees none of these

    itx = await fake.invoke(world.guild, world.mod, "reports stats")
    msg = await itx.final_message()
    ((name, png),) = itx.attachments
    assert name == "report-stats.png" and png.startswith(b"\x89PNG\r\n\x1a\n")
    assert msg["embeds"][0]["image"]["url"] == "attachment://report-stats.png"


async def test_the_after_walkout_post_carries_a_report_button(
    fake, world, bot, clock, reports_channel
):
    school = unique("Button High")
    wid = await walkout_over(fake, world, clock, school)
    from db import walkouts as walkouts_db

    async with bot.services.db() as s:
        w = await walkouts_db.get(s, world.guild.id, wid)
    poster = bot.get_cog("Reminders").poster
    batch = Batch(
        nonce="wr-test-after",
        guild_id=world.guild.id,
        kind="after",
        items=((Reminder(id=1), w),),
        late=False,
        channel_id=world.announcements.id,
    )
    message_id = await poster.post(batch)
    post = fake.message(message_id)
    assert custom_ids(post) == [f"report:new:{wid}"]
    click = await fake.click(world.guild, world.alice, post, f"report:new:{wid}")
    await click.first_response()
    assert click.modal["title"] == f"Anonymous report: {school}"


async def test_an_anonymous_reporter_leaves_no_trace(fake, world, bot, clock, reports_channel):
    """After an anonymous report, the member's id (as text or integer) and their keyed hashes
    appear nowhere in the bot's database file, its WAL or its log lines (DEBUG included)."""
    dana = fake.add_member(world.guild, "dana", permissions=MEMBER)
    await fake.wait_ready(timeout=10)
    records: list[logging.LogRecord] = []
    handler = logging.Handler(level=logging.DEBUG)
    handler.emit = records.append  # type: ignore[method-assign]
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    quiet = {name: logging.getLogger(name).level for name in ("discord", "aiosqlite")}
    for name in quiet:  # what bot.setup_logging("DEBUG") does
        logging.getLogger(name).setLevel(logging.INFO)
    try:
        wid = await walkout_over(fake, world, clock, unique("Quiet High"))
        modal = await open_form(fake, world.guild, dana, wid)
        _, msg = await send(fake, world.guild, dana, modal, FULL)
        code = CODE.search(msg["content"]).group(1)
        itx = await fake.invoke(world.guild, dana, "report edit", {"code": code})
        await itx.first_response()
        await send(fake, world.guild, dana, itx.modal, {"turnout": "7"})
        await fake.settle()
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)
    path = Path(bot.settings.database_url.removeprefix("sqlite+aiosqlite:///"))
    blobs = path.read_bytes() + Path(f"{path}-wal").read_bytes()  # noqa: ASYNC240
    bot_logs = "\n".join(
        f"{r.getMessage()} {r.exc_text or ''}"
        for r in records
        if not r.name.startswith(("fakediscord", "aiohttp"))
    ).encode()
    assert b"report" in bot_logs  # the bot did log this flow
    keys = bot.services.keys
    needles = [str(dana.id).encode(), dana.id.to_bytes(8, "big"), dana.id.to_bytes(8, "little")]
    for purpose in ("rsvp", "report"):
        needles += [k.encode() for k in keys.candidates(world.guild.id, dana.id, purpose)]
    for needle in needles:
        assert needle not in blobs, needle
        assert needle not in bot_logs, needle
    assert code.encode() not in blobs and b"two students" not in bot_logs.lower()


async def test_privacy_info_and_delete_my_data(fake, world, bot, clock, reports_channel):
    erin = fake.add_member(world.guild, "erin", permissions=MEMBER, locale="es-419")
    await fake.wait_ready(timeout=10)
    itx = await fake.invoke(world.guild, erin, "privacy info")
    info = embed_text(await itx.final_message())
    assert itx.ephemeral and "Lo que ve Discord" in info and "ID de Discord" in info

    itx = await fake.invoke(
        world.guild,
        erin,
        "walkout register",
        {"school": unique("Erin High"), "city": "Detroit", "when": "2026-11-30 14:00"},
    )
    await itx.final_message()
    announcement = fake.messages(world.announcements.id)[-1]
    assert f"<@{erin.id}>" not in embed_text(announcement)  # never named in public
    registered = walkout_id_from(announcement)

    async def registrant_as_moderators_see_it() -> str:
        itx = await fake.invoke(
            world.guild, world.mod, "walkout info", {"walkout": str(registered)}
        )
        return field(await itx.final_message(), "Registered by") or ""

    assert await registrant_as_moderators_see_it() == f"<@{erin.id}>"
    itx = await fake.click(world.guild, erin, announcement, custom_ids(announcement)[0])
    await itx.final_message()
    await eventually(lambda: "\n1\n" in embed_text(fake.message(announcement["id"])) + "\n" or None)
    wid = await walkout_over(fake, world, clock, unique("Erin Past"))
    modal = await open_form(fake, world.guild, erin, wid, anonymous=False)
    before = len(notices(fake, reports_channel))
    await send(fake, world.guild, erin, modal, {"turnout": "12"})
    note = await next_notice(fake, reports_channel, before)

    itx = await fake.invoke(world.guild, erin, "privacy delete-my-data")
    msg = await itx.final_message()
    (confirm, _cancel) = custom_ids(msg)
    click = await fake.click(world.guild, erin, msg, confirm)
    done = (await click.final_message())["content"]
    assert "1 confirmación(es) de asistencia" in done and "1 reporte(s) con nombre" in done
    assert "1 walkout(s)" in done
    await eventually(lambda: gone(fake, reports_channel, note))
    assert await registrant_as_moderators_see_it() == "(their data was deleted)"
    await eventually(lambda: "\n0\n" in embed_text(fake.message(announcement["id"])) + "\n")
    refreshed = fake.message(announcement["id"])
    assert "\n0\n" in embed_text(refreshed) + "\n"
