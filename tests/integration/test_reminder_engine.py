"""Reminders on a real database: planned, moved and cancelled with their walkout; claimed,
posted once and recorded by the engine; recovered after a crash; batched; the missed rule."""

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from cogs.common.guild_config import GuildConfigCache
from cogs.reminders.engine import (
    CLAIM_LEASE,
    NONCE_MARGIN,
    NONCE_WINDOW,
    DeliveryError,
    ReminderEngine,
)
from cogs.reminders.offsets import parse_offsets
from cogs.reminders.planner import ReminderPlanner, set_offsets
from cogs.walkouts.service import Actor, Changes, Draft, WalkoutService
from core.clock import FrozenClock
from core.errors import UserError
from core.pacing import Pacer
from db import guilds
from db import reminders as reminders_db
from db.engine import Database, create_engine
from db.models import Reminder
from tests.integration.doubles import Announcer

NOW = datetime(2027, 2, 1, 17, 0, tzinfo=UTC)
G = 111111111111111111
CHANNEL = 4242
DETROIT = ZoneInfo("America/Detroit")
MOD = Actor(user_id=3, is_mod=True)
START = datetime(2027, 2, 12, 14, 0, tzinfo=DETROIT).astimezone(UTC)


class Poster:
    """Records posts like Discord would, deduplicating repeated nonces (enforce_nonce)."""

    def __init__(self) -> None:
        self.batches = []
        self.messages: dict[str, int] = {}
        self.fail_with: list[DeliveryError] = []
        self.told = []
        self.members = []
        self.posted = asyncio.Event()

    async def post(self, batch):
        self.batches.append(batch)
        if self.fail_with:
            raise self.fail_with.pop(0)
        self.posted.set()
        return self.messages.setdefault(batch.nonce, 70000 + len(self.messages))

    async def tell_moderators(self, guild_id, note):
        self.told.append((guild_id, note))

    async def tell_member(self, target, walkout, *, what):
        self.members.append((target.user_id, target.lang, what, target.due))


async def no_sleep(_seconds):
    return None


@pytest.fixture
async def world(sessionmaker):
    clock = FrozenClock(NOW)
    async with sessionmaker.begin() as s:
        await guilds.set_timezone(s, G, "America/Detroit", now=NOW)
        await guilds.set_channels(s, G, announcements_id=CHANNEL, reports_id=None, now=NOW)
    config = GuildConfigCache(sessionmaker)
    poster = Poster()
    engine = ReminderEngine(
        sessionmaker,
        clock=clock,
        guild_config=config,
        poster=poster,
        pacer=Pacer(1000, burst=1000),
        sleep=no_sleep,
    )
    planner = ReminderPlanner(engine, config)
    service = WalkoutService(sessionmaker, clock=clock, guild_config=config, hooks=[planner])

    class World:
        pass

    w = World()
    w.db, w.clock, w.config, w.poster, w.engine, w.service = (
        sessionmaker,
        clock,
        config,
        poster,
        engine,
        service,
    )
    yield w
    await engine.stop()


async def register(w, school="Cass Tech", when="2027-02-12 14:00", **kw):
    draft = Draft(school=school, city="Detroit", when=when, **kw)
    return (await w.service.register(G, MOD, draft, Announcer(), channel_id=1)).walkout


async def rows(db, walkout_id=None):
    async with db() as s:
        stmt = select(Reminder).order_by(Reminder.due_at, Reminder.id)
        if walkout_id is not None:
            stmt = stmt.where(Reminder.walkout_id == walkout_id)
        return list((await s.scalars(stmt)).all())


# ------------------------------------------------------------------ planning


async def test_register_plans_the_default_offsets_at_local_wall_clock(world):
    walkout = await register(world)
    planned = await rows(world.db, walkout.id)
    assert [r.offset_minutes for r in planned] == [-10080, -1440, -120, 0, 180]
    assert {r.status for r in planned} == {"pending"}
    local = [r.due_at.astimezone(DETROIT).replace(tzinfo=None) for r in planned]
    assert local == [
        datetime(2027, 2, 5, 14, 0),
        datetime(2027, 2, 11, 14, 0),
        datetime(2027, 2, 12, 12, 0),
        datetime(2027, 2, 12, 14, 0),
        datetime(2027, 2, 12, 17, 0),
    ]


async def test_nothing_is_planned_for_an_instant_already_past(world):
    world.clock.set(START - timedelta(days=3))
    walkout = await register(world)
    assert [r.offset_minutes for r in await rows(world.db, walkout.id)] == [-1440, -120, 0, 180]


async def test_edit_moves_pending_reminders_in_the_same_transaction(world):
    walkout = await register(world)
    await world.service.edit(
        G, walkout.id, MOD, Changes(when="2027-02-19 09:30"), Announcer(), ref=""
    )
    moved = await rows(world.db, walkout.id)
    assert moved[3].due_at == datetime(2027, 2, 19, 9, 30, tzinfo=DETROIT)
    assert moved[0].due_at == datetime(2027, 2, 12, 9, 30, tzinfo=DETROIT)
    # A failed edit (unknown action) moves nothing.
    with pytest.raises(UserError):
        await world.service.edit(
            G, walkout.id, MOD, Changes(when="2027-03-01 10:00", action="nope"), Announcer(), ref=""
        )
    assert [r.due_at for r in await rows(world.db, walkout.id)] == [r.due_at for r in moved]


async def test_cancel_removes_pending_reminders_and_tells_dm_opt_ins_once(world):
    walkout = await register(world)
    async with world.db.begin() as s:
        await reminders_db.opt_in(
            s,
            walkout,
            user_id=77,
            lang="es",
            offset_minutes=-60,
            due=START - timedelta(hours=1),
            now=NOW,
        )
    await world.service.cancel(G, walkout.id, MOD, "Snow", Announcer(), ref="")
    await world.engine.idle()
    left = await rows(world.db, walkout.id)
    assert {r.status for r in left} == {"cancelled"}
    assert all(r.user_id is None for r in left)  # the member's id is gone
    assert world.poster.members == [(77, "es", "cancelled", None)]


async def test_edit_tells_dm_opt_ins_where_their_reminder_went(world):
    walkout = await register(world)
    async with world.db.begin() as s:
        await reminders_db.opt_in(
            s,
            walkout,
            user_id=77,
            lang="en",
            offset_minutes=-60,
            due=START - timedelta(hours=1),
            now=NOW,
        )
    await world.service.edit(
        G, walkout.id, MOD, Changes(when="2027-02-13 15:00"), Announcer(), ref=""
    )
    await world.engine.idle()
    new_due = datetime(2027, 2, 13, 14, 0, tzinfo=DETROIT)
    assert world.poster.members == [(77, "en", "moved", new_due)]
    (dm,) = [r for r in await rows(world.db, walkout.id) if r.kind == "dm"]
    assert (dm.due_at, dm.status, dm.user_id) == (new_due, "pending", 77)


async def test_changing_offsets_replans_pending_reminders(world):
    walkout = await register(world)
    count = await set_offsets(
        world.db,
        world.config,
        G,
        offsets=parse_offsets("3d,30m,+1h"),
        text="3d,30m,+1h",
        role_id=None,
        now=NOW,
    )
    assert count == 1
    assert [r.offset_minutes for r in await rows(world.db, walkout.id)] == [-4320, -30, 60]
    await set_offsets(world.db, world.config, G, offsets=(), text="off", role_id=None, now=NOW)
    assert await rows(world.db, walkout.id) == []


# ------------------------------------------------------------------ dispatch


async def test_a_due_reminder_is_posted_once_and_recorded(world):
    walkout = await register(world)
    world.clock.set(START - timedelta(days=7))
    await world.engine.dispatch()
    await world.engine.dispatch()  # nothing new is due: nothing is posted twice
    (batch,) = world.poster.batches
    assert (batch.kind, batch.channel_id, batch.late) == ("before", CHANNEL, False)
    assert [w.id for _, w in batch.items] == [walkout.id]
    first = (await rows(world.db, walkout.id))[0]
    assert (first.status, first.message_id, first.claim_nonce) == ("sent", 70000, batch.nonce)
    assert len(batch.nonce) <= 25


async def test_walkouts_due_at_the_same_instant_in_one_channel_are_one_post(world):
    ids = []
    for zone in ("America/Detroit", "America/Detroit", "America/Detroit"):
        ids.append((await register(world, school=f"School {len(ids)}", timezone=zone)).id)
    # A fourth school in another zone: the same 14:00 local is another instant, another post.
    await register(world, school="West", timezone="America/Chicago")
    world.clock.set(START)
    await world.engine.dispatch()
    starts = [b for b in world.poster.batches if b.kind == "start"]
    assert len(starts) == 1 and sorted(w.id for _, w in starts[0].items) == sorted(ids)


@pytest.mark.parametrize("pool", ["shared", "separate"])
async def test_two_engines_on_one_database_post_each_reminder_once(world, db_url, pool):
    """Two reminder engines dispatch at once, sharing this process's connection pool or each
    with its own (as two processes would: on SQLite, no shared writer lock either)."""
    for i in range(12):
        await register(world, school=f"Race {i}", when=f"2027-02-12 14:{i:02d}")
    db = world.db if pool == "shared" else Database(create_engine(db_url))
    other = ReminderEngine(
        db,
        clock=world.clock,
        guild_config=GuildConfigCache(world.db),
        poster=world.poster,
        pacer=Pacer(1000, burst=1000),
        sleep=no_sleep,
    )
    world.clock.set(START + timedelta(minutes=12))
    await asyncio.gather(world.engine.dispatch(), other.dispatch())
    starts = [b for b in world.poster.batches if b.kind == "start"]
    posted = sorted(w.id for b in starts for _, w in b.items)
    assert len(posted) == 12 and len(set(posted)) == 12
    await other.stop()
    if db is not world.db:
        await db.dispose()


async def test_missed_while_down(world):
    walkout = await register(world)
    # Down from a week before until 20 minutes after the start.
    world.clock.set(START + timedelta(minutes=20))
    await world.engine.dispatch()
    by_offset = {r.offset_minutes: r.status for r in await rows(world.db, walkout.id)}
    assert by_offset == {
        -10080: "missed",
        -1440: "missed",
        -120: "missed",
        0: "missed",
        180: "pending",
    }
    assert world.poster.batches == []
    # Back 5 hours after the start: the after post is late but still posted, once.
    world.clock.set(START + timedelta(hours=5))
    await world.engine.dispatch()
    (batch,) = world.poster.batches
    assert batch.kind == "after" and batch.late
    assert (await rows(world.db, walkout.id))[-1].status == "late"


async def test_the_start_post_goes_out_late_within_15_minutes(world):
    walkout = await register(world)
    world.clock.set(START + timedelta(minutes=10))
    await world.engine.dispatch()
    (batch,) = world.poster.batches
    assert batch.kind == "start" and batch.late
    assert {r.offset_minutes: r.status for r in await rows(world.db, walkout.id)}[0] == "late"


# ------------------------------------------------------------ crash recovery


async def test_a_claim_left_by_a_dead_process_is_posted_once_under_its_nonce(world):
    walkout = await register(world)
    world.clock.set(START)
    first = {r.offset_minutes: r for r in await rows(world.db, walkout.id)}[0]
    # Process A claimed and posted, then died before recording.
    async with world.db.begin() as s:
        won = await reminders_db.claim(s, [first.id], nonce="wr1g0", channel_id=CHANNEL, now=START)
    assert won == [first.id]
    world.poster.messages["wr1g0"] = 555  # Discord has the message already
    # A restart right away leaves the fresh claim alone (its process may be alive) ...
    await world.engine.recover()
    assert world.poster.batches == []
    # ... and takes it over once the lease has run out: same nonce, Discord's own message.
    world.clock.set(START + CLAIM_LEASE + timedelta(seconds=1))
    await world.engine.recover()
    (batch,) = world.poster.batches
    assert batch.nonce == "wr1g0"
    row = {r.offset_minutes: r for r in await rows(world.db, walkout.id)}[0]
    assert (row.status, row.message_id) == ("sent", 555)  # within a minute of its due instant
    assert world.engine.stats.recovered == 1


async def test_a_claim_older_than_the_nonce_window_is_never_posted_twice(world):
    walkout = await register(world)
    world.clock.set(START)
    first = {r.offset_minutes: r for r in await rows(world.db, walkout.id)}[0]
    async with world.db.begin() as s:
        await reminders_db.claim(s, [first.id], nonce="wr9g0", channel_id=CHANNEL, now=START)
    world.clock.set(START + NONCE_WINDOW + timedelta(seconds=1))
    await world.engine.recover()
    assert world.poster.batches == []
    row = {r.offset_minutes: r for r in await rows(world.db, walkout.id)}[0]
    assert (row.status, row.error) == ("missed", "unconfirmed")


# ------------------------------------------------------------ Discord refusals


async def test_busy_discord_is_retried_under_the_same_claim_until_it_posts(world):
    walkout = await register(world)
    world.clock.set(START)
    world.poster.fail_with = [DeliveryError("http-429", retry=True) for _ in range(7)]
    await world.engine.dispatch()
    await world.engine.idle()
    tries = [b for b in world.poster.batches if b.kind == "start"]
    assert len(tries) == 8 and len({b.nonce for b in tries}) == 1
    row = {r.offset_minutes: r for r in await rows(world.db, walkout.id)}[0]
    assert row.status == "sent" and row.attempts == 8


async def test_a_missing_channel_fails_the_reminder_and_tells_moderators_once(world):
    await set_offsets(
        world.db, world.config, G, offsets=parse_offsets("0"), text="0", role_id=None, now=NOW
    )
    await register(world, school="A")
    await register(world, school="B", when="2027-02-12 15:00")
    gone = DeliveryError("reminders.failed.channel_missing", retry=False, tell_moderators=True)
    world.poster.fail_with = [gone, gone]
    world.clock.set(START)
    await world.engine.dispatch()
    world.clock.set(START + timedelta(hours=1))
    await world.engine.dispatch()
    starts = {r.status for r in await rows(world.db) if r.offset_minutes == 0}
    assert starts == {"failed"}
    assert world.poster.told == [(G, "reminders.failed.channel_missing")]


async def test_a_dm_reminder_is_sent_and_forgets_the_member(world):
    walkout = await register(world)
    async with world.db.begin() as s:
        assert await reminders_db.opt_in(
            s,
            walkout,
            user_id=77,
            lang="es",
            offset_minutes=-60,
            due=START - timedelta(hours=1),
            now=NOW,
        )
        assert not await reminders_db.opt_in(
            s,
            walkout,
            user_id=77,
            lang="es",
            offset_minutes=-60,
            due=START - timedelta(hours=1),
            now=NOW,
        )
    world.clock.set(START - timedelta(hours=1))
    await world.engine.dispatch()
    dms = [b for b in world.poster.batches if b.kind == "dm"]
    assert len(dms) == 1 and (dms[0].user_id, dms[0].lang) == (77, "es")
    (row,) = [r for r in await rows(world.db, walkout.id) if r.kind == "dm"]
    assert (row.status, row.user_id) == ("sent", None)


# --------------------------------------------------------------------- timer


async def test_the_scheduler_wakes_the_engine_at_the_due_instant(world):
    await register(world)
    world.engine.scheduler.start()
    first_due = START - timedelta(days=7)
    world.clock.set(first_due - timedelta(seconds=0.3))  # due in 0.3 s of real time
    await world.engine.poke()
    assert world.engine.armed_for == first_due
    world.clock.set(first_due)  # what the clock reads when the timer fires
    await asyncio.wait_for(world.poster.posted.wait(), 5)
    await world.engine.idle()
    assert [b.kind for b in world.poster.batches] == ["before"]


async def test_a_closed_dm_is_recorded_failed_and_never_retried(world):
    await set_offsets(world.db, world.config, G, offsets=(), text="off", role_id=None, now=NOW)
    walkout = await register(world)
    async with world.db.begin() as s:
        await reminders_db.opt_in(
            s,
            walkout,
            user_id=88,
            lang="en",
            offset_minutes=-60,
            due=START - timedelta(hours=1),
            now=NOW,
        )
    world.poster.fail_with = [DeliveryError("dm-closed", retry=False)]
    world.clock.set(START - timedelta(hours=1))
    await world.engine.dispatch()
    await world.engine.idle()
    (dm,) = [r for r in await rows(world.db, walkout.id) if r.kind == "dm"]
    assert (dm.status, dm.error, dm.user_id) == ("failed", "dm-closed", None)
    assert len([b for b in world.poster.batches if b.kind == "dm"]) == 1  # one try only
    assert world.poster.told == []  # a member's closed DMs are not the moderators' problem


async def test_a_process_posts_only_for_the_servers_of_its_shards(world):
    from db.reminders import Shards

    other_guild = G + (1 << 22)  # the next shard of two
    assert (other_guild >> 22) % 2 != (G >> 22) % 2
    async with world.db.begin() as s:
        await guilds.set_timezone(s, other_guild, "America/Detroit", now=NOW)
        await guilds.set_channels(s, other_guild, announcements_id=99, reports_id=None, now=NOW)
    await register(world)
    await world.service.register(
        other_guild,
        MOD,
        Draft(school="Other shard", city="Detroit", when="2027-02-12 14:00"),
        Announcer(),
        channel_id=1,
    )
    mine = (G >> 22) % 2
    world.engine.shards = lambda: Shards(ids=(mine,), count=2)
    world.clock.set(START)
    await world.engine.dispatch()
    posted = {b.guild_id for b in world.poster.batches}
    assert posted == {G}
    async with world.db() as s:
        assert await reminders_db.next_due(s, Shards(ids=(1 - mine,), count=2)) is not None


async def test_a_5xx_is_not_retried_once_discord_may_have_forgotten_the_nonce(world):
    """A 5xx may have posted anyway: retries under the same nonce stop before the nonce window
    closes (marked missed, 'unconfirmed'), so a late retry can never make a second post."""

    async def advancing_sleep(seconds):
        world.clock.advance(seconds=seconds)

    world.engine._sleep = advancing_sleep
    await set_offsets(
        world.db, world.config, G, offsets=parse_offsets("0"), text="0", role_id=None, now=NOW
    )
    walkout = await register(world)
    world.clock.set(START)
    world.poster.fail_with = [DeliveryError("http-503", retry=True, unsure=True) for _ in range(20)]
    await world.engine.dispatch()
    await world.engine.idle()
    (row,) = await rows(world.db, walkout.id)
    assert (row.status, row.error) == ("missed", "unconfirmed")
    tries = [b for b in world.poster.batches if b.kind == "start"]
    assert 1 < len(tries) < 10
    assert world.clock() - START < NONCE_WINDOW  # no try after Discord forgot the nonce


async def test_429s_alone_are_retried_past_the_nonce_window(world):
    """A 429 posted nothing: retrying it can't duplicate, so the window doesn't stop it."""

    async def advancing_sleep(seconds):
        world.clock.advance(seconds=seconds)

    world.engine._sleep = advancing_sleep
    await set_offsets(
        world.db, world.config, G, offsets=parse_offsets("+1h"), text="+1h", role_id=None, now=NOW
    )
    walkout = await register(world)
    world.clock.set(START + timedelta(hours=1))
    world.poster.fail_with = [DeliveryError("http-429", retry=True) for _ in range(9)]
    await world.engine.dispatch()
    await world.engine.idle()
    (row,) = await rows(world.db, walkout.id)
    assert row.status in ("sent", "late") and row.attempts == 10
    # Retried for as long as a 5xx would already have been given up.
    assert world.clock() - (START + timedelta(hours=1)) >= NONCE_WINDOW - NONCE_MARGIN
