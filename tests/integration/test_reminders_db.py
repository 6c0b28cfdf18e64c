"""db.reminders' engine queries on each backend: keyset pages of due reminders (a row-value
comparison over a timestamp, a snowflake and an id) and the shard filter (``guild_id >> 22``,
Discord's rule), with real snowflakes up to 2**63 - 1."""

from datetime import UTC, datetime, timedelta

from db import reminders, walkouts
from db.reminders import Shards

NOW = datetime(2027, 2, 1, 17, 0, tzinfo=UTC)
# Real-looking snowflakes, the largest a signed 64-bit column holds among them; shards 0..4 of 5.
GUILDS = [(shard << 22) | low for shard, low in ((0, 7), (1, 99), (2, 5), (3, 12345), (4, 1))] + [
    175928847299117063,  # a Discord id of 2016
    1_234_567_890_123_456_789,
    2**63 - 1,
]


async def seed(db) -> None:
    """Every server: three walkouts; each with reminders at three instants, some shared by
    several servers (one post per server and instant), all due by NOW."""
    async with db.begin() as s:
        for g in GUILDS:
            for k in range(3):
                start = NOW - timedelta(hours=k)
                w = await walkouts.create(
                    s,
                    guild_id=g,
                    school=f"School {k}",
                    city="Detroit",
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                    timezone="America/Detroit",
                    meeting_point=None,
                    details=None,
                    action_id=None,
                    registrant_id=None,
                    status="scheduled",
                    now=NOW - timedelta(days=30),
                )
                planned = [(-120, start - timedelta(hours=2)), (0, start), (60, NOW)]
                await reminders.plan_channel(s, w, planned, now=NOW - timedelta(days=30))


async def all_due(db, *, shards=None, limit=1000):
    async with db() as s:
        return await reminders.due(s, until=NOW, shards=shards, limit=limit)


def key(row):
    reminder, _ = row
    return (reminder.due_at, reminder.guild_id, reminder.id)


async def test_keyset_pages_read_every_due_reminder_once_in_order(sessionmaker):
    await seed(sessionmaker)
    everything = await all_due(sessionmaker)
    assert len(everything) == len(GUILDS) * 3 * 3
    assert [key(r) for r in everything] == sorted(key(r) for r in everything)
    for size in (1, 4, 7, 100):
        seen, cursor = [], None
        while True:
            async with sessionmaker() as s:
                page = await reminders.due(s, until=NOW, after=cursor, limit=size)
            if not page:
                break
            seen += page
            cursor = key(page[-1])
        assert [key(r) for r in seen] == [key(r) for r in everything], size


async def test_the_shard_filter_is_discords_rule(sessionmaker):
    await seed(sessionmaker)
    everything = await all_due(sessionmaker)
    for count in (2, 3, 5):
        union = []
        for shard in range(count):
            shards = Shards(ids=(shard,), count=count)
            rows = await all_due(sessionmaker, shards=shards)
            assert rows, (shard, count)
            assert {w.guild_id for _, w in rows} == {g for g in GUILDS if shards.owns(g)}
            async with sessionmaker() as s:
                first = await reminders.next_due(s, shards)
            assert first == min(r.due_at for r, _ in rows)
            union += rows
        assert sorted(key(r) for r in union) == [key(r) for r in everything]
    both = Shards(ids=(1, 3), count=5)
    assert {w.guild_id for _, w in await all_due(sessionmaker, shards=both)} == {
        g for g in GUILDS if (g >> 22) % 5 in (1, 3)
    }
