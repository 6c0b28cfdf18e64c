"""Reminders end to end: the real bot, its reminder engine and APScheduler timer, through the
loopback Discord server.

The bot's clock is frozen; a test moves it to a due instant and pokes the engine (what start-up
and every change do), so the timer fires at once instead of after real minutes. These tests use
their own server and walkouts in 2028: moving the clock there makes every older reminder of the
session's other tests too old to post (the missed-while-down rule marks them missed), so no
other test sees a reminder post.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from db.models import Reminder
from tests.e2e.helpers import (
    BOT,
    MEMBER,
    MODERATOR,
    embed_text,
    eventually,
    unique,
    walkout_id_from,
)

pytestmark = pytest.mark.e2e

DETROIT = ZoneInfo("America/Detroit")
START = datetime(2028, 3, 3, 14, 0, tzinfo=DETROIT)
MESSAGES = "/channels/{channel_id}/messages"


class R:
    """The reminder tests' own server."""


@pytest.fixture(scope="module")
async def r(fake, bot):
    w = R()
    w.guild = fake.add_guild(name="Reminder Test Org", bot_permissions=BOT)
    w.mod = fake.add_member(w.guild, "rmod", permissions=MODERATOR)
    w.alice = fake.add_member(w.guild, "ralice", permissions=MEMBER)
    w.closed = fake.add_member(w.guild, "rclosed", permissions=MEMBER, accepts_dms=False)
    w.bob = fake.add_member(w.guild, "rbob", permissions=MEMBER)
    w.channel = fake.add_channel(w.guild, "reminders-here")
    w.reports = fake.add_channel(w.guild, "mod-reports")
    w.role = fake.add_role(w.guild, "Walkers")
    await fake.settle()
    for name, options in (
        ("setup timezone", {"zone": "America/Detroit"}),
        ("setup channels", {"announcements": w.channel.id, "reports": w.reports.id}),
    ):
        await (await fake.invoke(w.guild, w.mod, name, options)).final_message()
    return w


def reminder_posts(fake, channel_id, title):
    return [
        m
        for m in fake.messages(channel_id)
        if m.get("embeds") and title in (m["embeds"][0].get("title") or "")
    ]


async def register(fake, r, when="2028-03-03 14:00", **options):
    options = {"school": unique("Reminder High"), "city": "Detroit", "when": when} | options
    itx = await fake.invoke(r.guild, r.mod, "walkout register", options)
    assert "registered" in (await itx.final_message())["content"]
    return options["school"], walkout_id_from(fake.messages(r.channel.id)[-1])


async def jump(bot, clock, when):
    """Move the clock to ``when`` and poke the engine, as a change or a start-up would."""
    clock.set(when.astimezone(UTC))
    await bot.services.reminders.poke()


async def settled(bot):
    engine = bot.services.reminders
    await asyncio.sleep(0.05)  # let the timer job start
    await engine.idle()


async def reminder_rows(bot, walkout_id):
    async with bot.services.db() as s:
        stmt = select(Reminder).where(Reminder.walkout_id == walkout_id).order_by(Reminder.due_at)
        return list((await s.scalars(stmt)).all())


async def test_reminders_post_at_their_due_instants_exactly_once(fake, r, bot, clock):
    school, wid = await register(fake, r, **{"meeting-point": "Front steps"})
    listing = await (
        await fake.invoke(r.guild, r.alice, "reminders list", {"walkout": str(wid)})
    ).final_message()
    text = embed_text(listing)
    week_before = int((START - timedelta(days=7)).timestamp())
    assert f"<t:{week_before}:f>" in text and "7d before" in text and "3h after" in text
    since = len(fake.requests)

    await jump(bot, clock, START - timedelta(days=7, minutes=1))  # a minute early: nothing
    await settled(bot)
    assert reminder_posts(fake, r.channel.id, "Walkout reminder") == []

    await jump(bot, clock, START - timedelta(days=7))
    (week,) = await eventually(lambda: reminder_posts(fake, r.channel.id, "Walkout reminder"))
    await settled(bot)
    assert school in embed_text(week)
    # The meeting point is only for those going (the server's default): not in a public post.
    assert "Front steps" not in embed_text(week) and "people who are going" in embed_text(week)
    await bot.services.reminders.poke()  # poking again posts nothing twice
    await settled(bot)
    assert len(reminder_posts(fake, r.channel.id, "Walkout reminder")) == 1

    # Back half an hour before the start: the day-before and two-hours-before posts were due on
    # the way and the walkout has not started, so both go out, late, once each.
    await jump(bot, clock, START - timedelta(minutes=30))
    await eventually(lambda: len(reminder_posts(fake, r.channel.id, "Walkout reminder")) == 3)
    await jump(bot, clock, START)
    await eventually(lambda: reminder_posts(fake, r.channel.id, "It's time"))
    await jump(bot, clock, START + timedelta(hours=3))
    await eventually(lambda: reminder_posts(fake, r.channel.id, "How did it go"))
    await settled(bot)
    assert len(reminder_posts(fake, r.channel.id, "Walkout reminder")) == 3
    statuses = [row.status for row in await reminder_rows(bot, wid)]
    assert statuses == ["sent", "late", "late", "sent", "sent"]
    posts = [q for q in fake.requests[since:] if q.method == "POST" and q.route == MESSAGES]
    assert len(posts) == 5
    for q in posts:  # each post carries its claim's nonce, which Discord enforces
        assert q.json["enforce_nonce"] is True and 0 < len(q.json["nonce"]) <= 25
    assert len({q.json["nonce"] for q in posts}) == 5
    assert all(q.json["allowed_mentions"] == {"parse": []} for q in posts)


async def test_same_instant_walkouts_in_one_channel_are_one_post(fake, r, bot, clock):
    await (await fake.invoke(r.guild, r.mod, "setup reminders", {"offsets": "0"})).final_message()
    schools = [(await register(fake, r, when="2028-04-07 14:00"))[0] for _ in range(3)]
    await jump(bot, clock, datetime(2028, 4, 7, 14, 0, tzinfo=DETROIT))
    await settled(bot)
    starts = [
        m for m in reminder_posts(fake, r.channel.id, "It's time") if schools[0] in embed_text(m)
    ]
    assert len(starts) == 1
    assert all(s in embed_text(starts[0]) for s in schools)
    assert len(starts[0]["embeds"][0]["fields"]) == 3


async def test_reminders_ping_only_the_chosen_role(fake, r, bot, clock):
    itx = await fake.invoke(
        r.guild, r.mod, "setup reminders", {"offsets": "+1h", "role": r.role.id}
    )
    assert (
        "Walkers" in (await itx.final_message())["content"]
        or str(r.role.id) in (await itx.final_message())["content"]
    )
    school, _ = await register(fake, r, when="2028-05-05 10:00")
    since = len(fake.requests)
    await jump(bot, clock, datetime(2028, 5, 5, 11, 0, tzinfo=DETROIT))
    await settled(bot)
    (post,) = [
        q
        for q in fake.requests[since:]
        if q.method == "POST" and q.route == MESSAGES and school in str(q.json)
    ]
    assert post.json["content"] == f"<@&{r.role.id}>"
    assert post.json["allowed_mentions"] == {"parse": [], "roles": [r.role.id]}


async def test_bad_offsets_are_refused_naming_the_bad_part(fake, r):
    itx = await fake.invoke(r.guild, r.mod, "setup reminders", {"offsets": "7d,tomorrow,2h"})
    msg = await itx.final_message()
    assert itx.ephemeral and '"tomorrow"' in msg["content"]
    itx = await fake.invoke(r.guild, r.alice, "setup reminders", {"offsets": "1h"})
    assert "Only moderators" in (await itx.final_message())["content"]


async def test_a_dm_reminder_is_delivered_and_closed_dms_are_told_at_opt_in(fake, r, bot, clock):
    await (await fake.invoke(r.guild, r.mod, "setup reminders", {"offsets": "off"})).final_message()
    school, wid = await register(fake, r, when="2028-06-02 15:00", **{"meeting-point": "Gym door"})
    await (
        await fake.invoke(r.guild, r.alice, "walkout join", {"walkout": str(wid)})
    ).final_message()
    await (
        await fake.invoke(r.guild, r.bob, "reminders me", {"walkout": str(wid), "before": "2h"})
    ).final_message()  # bob asks for a reminder without saying he's going
    itx = await fake.invoke(r.guild, r.alice, "reminders me", {"walkout": str(wid), "before": "2h"})
    reply = (await itx.final_message())["content"]
    assert itx.ephemeral and "direct message" in reply
    (confirm,) = fake.dms(r.alice.id)
    assert school in confirm["content"]

    itx = await fake.invoke(r.guild, r.closed, "reminders me", {"walkout": str(wid)})
    assert "couldn't send you a direct message" in (await itx.final_message())["content"]
    rows = await reminder_rows(bot, wid)
    assert sorted(row.user_id for row in rows) == sorted([r.alice.id, r.bob.id])  # not closed

    await jump(bot, clock, datetime(2028, 6, 2, 13, 0, tzinfo=DETROIT))
    await eventually(lambda: len(fake.dms(r.alice.id)) == 2)
    await settled(bot)
    dm = fake.dms(r.alice.id)[-1]
    assert school in embed_text(dm) and "Gym door" in embed_text(dm)  # she's going
    await eventually(lambda: len(fake.dms(r.bob.id)) == 2)
    not_going = embed_text(fake.dms(r.bob.id)[-1])
    assert school in not_going and "Gym door" not in not_going  # he isn't
    rows = await reminder_rows(bot, wid)
    assert {(row.status, row.user_id) for row in rows} == {("sent", None)}  # ids gone once sent


async def test_edit_and_cancel_tell_dm_opt_ins_once(fake, r, bot, clock):
    school, wid = await register(fake, r, when="2028-07-07 12:00")
    await (
        await fake.invoke(r.guild, r.alice, "reminders me", {"walkout": str(wid)})
    ).final_message()
    before = len(fake.dms(r.alice.id))
    await (
        await fake.invoke(
            r.guild, r.mod, "walkout edit", {"walkout": str(wid), "when": "2028-07-08 12:00"}
        )
    ).final_message()
    await eventually(lambda: len(fake.dms(r.alice.id)) == before + 1)
    moved = fake.dms(r.alice.id)[-1]["content"]
    assert school in moved and "moved" in moved
    new_due = int(datetime(2028, 7, 8, 11, 0, tzinfo=DETROIT).timestamp())
    assert f"<t:{new_due}:F>" in moved
    await (
        await fake.invoke(r.guild, r.mod, "walkout cancel", {"walkout": str(wid)})
    ).final_message()
    await eventually(lambda: len(fake.dms(r.alice.id)) == before + 2)
    assert "cancelled" in fake.dms(r.alice.id)[-1]["content"]
    await settled(bot)
    assert len(fake.dms(r.alice.id)) == before + 2
    assert {row.status for row in await reminder_rows(bot, wid)} == {"cancelled"}
    assert all(row.user_id is None for row in await reminder_rows(bot, wid))


async def test_a_storm_of_429s_still_posts_once(fake, r, bot, clock):
    """More 429s than discord.py's five tries: the engine retries under the same claim."""
    await (await fake.invoke(r.guild, r.mod, "setup reminders", {"offsets": "0"})).final_message()
    school, wid = await register(fake, r, when="2028-08-04 09:00")
    fake.fail_next("POST", MESSAGES, status=429, count=8, retry_after=0.05)
    await jump(bot, clock, datetime(2028, 8, 4, 9, 0, tzinfo=DETROIT))
    await eventually(
        lambda: [
            m for m in reminder_posts(fake, r.channel.id, "It's time") if school in embed_text(m)
        ],
        timeout=15,
    )
    await settled(bot)
    ours = [m for m in reminder_posts(fake, r.channel.id, "It's time") if school in embed_text(m)]
    assert len(ours) == 1
    (row,) = await reminder_rows(bot, wid)
    assert row.status == "sent" and row.attempts >= 2


async def test_a_vanished_channel_fails_and_tells_moderators_once(fake, r, bot, clock):
    await (await fake.invoke(r.guild, r.mod, "setup reminders", {"offsets": "0"})).final_message()
    _, first = await register(fake, r, when="2028-09-01 09:00")
    _, second = await register(fake, r, when="2028-09-01 10:00")
    notes_before = len(fake.messages(r.reports.id))
    # Unknown Channel for the reminder post (the notice to the reports channel still works).
    fake.fail_next("POST", MESSAGES, status=404, count=1, code=10003)
    await jump(bot, clock, datetime(2028, 9, 1, 9, 0, tzinfo=DETROIT))
    await settled(bot)
    fake.fail_next("POST", MESSAGES, status=404, count=1, code=10003)
    await jump(bot, clock, datetime(2028, 9, 1, 10, 0, tzinfo=DETROIT))
    await settled(bot)
    for wid in (first, second):
        (row,) = await reminder_rows(bot, wid)
        assert row.status == "failed"
    notes = fake.messages(r.reports.id)[notes_before:]
    assert len(notes) == 1 and "no longer exists" in notes[0]["content"]


async def test_switching_meeting_points_to_going_re_renders_reminder_posts(fake, r, bot, clock):
    await (await fake.invoke(r.guild, r.mod, "setup reminders", {"offsets": "1d"})).final_message()
    await (
        await fake.invoke(r.guild, r.mod, "setup meeting-point", {"visibility": "public"})
    ).final_message()
    try:
        school, _ = await register(
            fake, r, when="2028-10-06 14:00", **{"meeting-point": "Oak tree"}
        )
        await jump(bot, clock, datetime(2028, 10, 5, 14, 0, tzinfo=DETROIT))
        await settled(bot)
        (post,) = [
            m
            for m in reminder_posts(fake, r.channel.id, "Walkout reminder")
            if school in embed_text(m)
        ]
        assert "Oak tree" in embed_text(post)
    finally:
        await (
            await fake.invoke(r.guild, r.mod, "setup meeting-point", {"visibility": "going"})
        ).final_message()
    await eventually(lambda: "Oak tree" not in embed_text(fake.message(post["id"])))
    assert school in embed_text(fake.message(post["id"]))
