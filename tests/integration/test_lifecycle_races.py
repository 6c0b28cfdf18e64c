"""Transactions that read a walkout and then write because of what they read, racing the
lifecycle's edit and cancel. On SQLite write transactions run one at a time; on PostgreSQL
(READ COMMITTED) each of these fails unless the read locks the walkout (``db/sql.py``). Each
test holds the first transaction between its read and its write while the other runs."""

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from cogs.common.guild_config import GuildConfigCache
from cogs.reminders.engine import ReminderEngine
from cogs.reminders.offsets import Offset, parse_offsets
from cogs.reminders.plan import plan
from cogs.reminders.planner import ReminderPlanner, opt_in_dm, set_offsets
from cogs.walkouts.service import Actor, Changes, Draft, WalkoutService
from core.clock import FrozenClock
from core.errors import UserError
from core.pacing import Pacer
from db import guilds
from db import reminders as reminders_db
from db import walkouts as walkouts_db
from db.models import Reminder, Rsvp
from tests.integration.doubles import Announcer
from tests.integration.races import Interleave

NOW = datetime(2027, 2, 1, 17, 0, tzinfo=UTC)
G = 111111111111111111
MOD = Actor(user_id=3, is_mod=True)


class Poster:
    def __init__(self) -> None:
        self.told: list[tuple] = []

    async def post(self, batch):
        return 1

    async def tell_moderators(self, *args):
        pass

    async def tell_member(self, *args, **kwargs):
        self.told.append(args)


@pytest.fixture
async def world(sessionmaker):
    clock = FrozenClock(NOW)
    async with sessionmaker.begin() as s:
        await guilds.set_timezone(s, G, "America/Detroit", now=NOW)
        await guilds.set_channels(s, G, announcements_id=4242, reports_id=None, now=NOW)
    config = GuildConfigCache(sessionmaker)
    engine = ReminderEngine(
        sessionmaker,
        clock=clock,
        guild_config=config,
        poster=Poster(),
        pacer=Pacer(1000, burst=1000),
    )
    service = WalkoutService(
        sessionmaker, clock=clock, guild_config=config, hooks=[ReminderPlanner(engine, config)]
    )
    yield service, config
    await engine.stop()


async def register(service):
    draft = Draft(school="Cass Tech", city="Detroit", when="2027-02-12 14:00")
    return (await service.register(G, MOD, draft, Announcer(), channel_id=1)).walkout


async def pending_reminders(sessionmaker, walkout_id, *, kind=None):
    """The walkout's reminders still waiting to be posted (of ``kind`` when given)."""
    stmt = select(Reminder).where(Reminder.walkout_id == walkout_id, Reminder.status == "pending")
    if kind is not None:
        stmt = stmt.where(Reminder.kind == kind)
    async with sessionmaker() as s:
        return (await s.scalars(stmt)).all()


async def test_an_rsvp_never_lands_on_a_walkout_cancelled_after_its_check(
    sessionmaker, world, monkeypatch
):
    service, _ = world
    w = await register(service)
    race = Interleave()
    monkeypatch.setattr(walkouts_db, "toggle_rsvp", race.hold(walkouts_db.toggle_rsvp))
    done: list[str] = []

    async def toggle():
        try:
            return await service.toggle_rsvp(G, w.id, "member-k", Announcer(), ref="")
        finally:
            done.append("rsvp")

    async def cancel():
        await service.cancel(G, w.id, MOD, None, Announcer(), ref="")
        done.append("cancel")

    rsvp = asyncio.create_task(toggle())
    await race.then(cancel())
    outcome = (await asyncio.gather(rsvp, return_exceptions=True))[0]
    async with sessionmaker() as s:
        rsvps = (await s.scalars(select(Rsvp).where(Rsvp.walkout_id == w.id))).all()
        status = (await walkouts_db.get(s, G, w.id, viewer=None)).status
    assert status == "cancelled"
    if done == ["cancel", "rsvp"]:  # the cancel committed while the RSVP was under way
        assert isinstance(outcome, UserError) and outcome.key == "error.walkout.cancelled"
        assert rsvps == []
    else:  # the cancel waited for the RSVP (its lock), which counted before the cancel
        assert done == ["rsvp", "cancel"]
        assert not isinstance(outcome, BaseException), outcome
        assert outcome.going and len(rsvps) == 1


async def test_a_dm_opt_in_racing_a_cancel_is_refused_or_cancelled_with_it(
    sessionmaker, world, monkeypatch
):
    service, _ = world
    w = await register(service)
    race = Interleave()
    monkeypatch.setattr(reminders_db, "opt_in", race.hold(reminders_db.opt_in))
    offset = Offset(days=0, minutes=60)
    opt_in = asyncio.create_task(
        opt_in_dm(sessionmaker, w, user_id=777, lang="en", offset=offset, now=NOW)
    )
    await race.then(service.cancel(G, w.id, MOD, None, Announcer(), ref=""))
    outcome = (await asyncio.gather(opt_in, return_exceptions=True))[0]
    pending = await pending_reminders(sessionmaker, w.id, kind="dm")
    async with sessionmaker() as s:
        ids = (await s.scalars(select(Reminder.user_id).where(Reminder.user_id == 777))).all()
    assert pending == []  # no DM reminder left waiting on a cancelled walkout
    assert ids == []  # and the member's raw id is gone with it
    if isinstance(outcome, BaseException):
        assert isinstance(outcome, UserError) and outcome.key == "error.walkout.cancelled"


async def test_a_dm_opt_in_racing_an_edit_is_due_before_the_start_that_stays(
    sessionmaker, world, monkeypatch
):
    service, _ = world
    w = await register(service)
    race = Interleave()
    monkeypatch.setattr(walkouts_db, "get", race.hold(walkouts_db.get))
    offset = Offset(days=0, minutes=60)
    opt_in = asyncio.create_task(
        opt_in_dm(sessionmaker, w, user_id=777, lang="en", offset=offset, now=NOW)
    )
    await race.read.wait()
    monkeypatch.undo()  # only the opt-in's read is held
    await race.then(
        service.edit(G, w.id, MOD, Changes(when="2027-02-19 14:00"), Announcer(), ref="")
    )
    due = await opt_in
    async with sessionmaker() as s:
        moved = await walkouts_db.get(s, G, w.id, viewer=None)
        row = await reminders_db.my_dm(s, w.id, 777)
    assert moved.starts_at == datetime(2027, 2, 19, 19, 0, tzinfo=UTC)
    # An hour before the start that stays, whichever committed first (on SQLite the opt-in
    # does: it answers with the old time, and the edit then moves the row and tells them).
    assert row is not None and row.due_at == datetime(2027, 2, 19, 18, 0, tzinfo=UTC)
    assert due in (row.due_at, datetime(2027, 2, 12, 18, 0, tzinfo=UTC))


async def test_new_offsets_racing_an_edit_plan_from_the_start_that_stays(
    sessionmaker, world, monkeypatch
):
    service, config = world
    w = await register(service)
    race = Interleave()
    monkeypatch.setattr(reminders_db, "plan_channel", race.hold(reminders_db.plan_channel))
    offsets = parse_offsets("1d, 1h")
    replan = asyncio.create_task(
        set_offsets(sessionmaker, config, G, offsets=offsets, text="1d, 1h", role_id=None, now=NOW)
    )
    await race.then(
        service.edit(G, w.id, MOD, Changes(when="2027-02-19 14:00"), Announcer(), ref="")
    )
    await replan
    rows = await pending_reminders(sessionmaker, w.id)
    async with sessionmaker() as s:
        fresh = await walkouts_db.get(s, G, w.id, viewer=None)
        stored = (await guilds.get(s, G)).reminder_offsets
    assert fresh.starts_at == datetime(2027, 2, 19, 19, 0, tzinfo=UTC)
    assert stored == "1d, 1h"
    expected = sorted(
        p.due for p in plan(fresh.starts_at, ZoneInfo(fresh.timezone), offsets, now=NOW)
    )
    assert sorted(r.due_at for r in rows) == expected


async def test_new_offsets_racing_a_cancel_plan_nothing_for_it(sessionmaker, world, monkeypatch):
    service, config = world
    w = await register(service)
    race = Interleave()
    monkeypatch.setattr(reminders_db, "plan_channel", race.hold(reminders_db.plan_channel))
    offsets = parse_offsets("1d, 1h")
    replan = asyncio.create_task(
        set_offsets(sessionmaker, config, G, offsets=offsets, text="1d, 1h", role_id=None, now=NOW)
    )
    await race.then(service.cancel(G, w.id, MOD, None, Announcer(), ref=""))
    await replan
    assert await pending_reminders(sessionmaker, w.id) == []


async def test_a_reminder_moved_later_after_it_was_read_as_due_is_not_claimed(sessionmaker, world):
    service, _ = world
    w = await register(service)  # 2027-02-12 14:00 Detroit: the week-before post is due 5 Feb
    later = datetime(2027, 2, 5, 19, 1, tzinfo=UTC)
    async with sessionmaker() as s:
        due = await reminders_db.due(s, until=later)
    assert [r.offset_minutes for r, _ in due] == [-7 * 24 * 60]
    # Moved a week later between the engine's read and its claim.
    await service.edit(G, w.id, MOD, Changes(when="2027-02-19 14:00"), Announcer(), ref="")
    async with sessionmaker.begin() as s:
        won = await reminders_db.claim(
            s, [r.id for r, _ in due], nonce="n1", channel_id=1, now=later
        )
    assert won == []
    async with sessionmaker() as s:
        row = await s.get(Reminder, due[0][0].id, populate_existing=True)
    assert row.status == "pending" and row.due_at == datetime(2027, 2, 12, 19, 0, tzinfo=UTC)
