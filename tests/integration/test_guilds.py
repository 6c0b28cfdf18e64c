"""db.guilds on a migrated database."""

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from db import guilds
from db.models import GuildSettings

NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
G1, G2 = 111111111111111111, 222222222222222222


async def test_get_missing_is_none(sessionmaker):
    """A server without settings has no row."""
    async with sessionmaker() as s:
        assert await guilds.get(s, G1) is None


async def test_get_or_create_is_idempotent(sessionmaker):
    """get_or_create makes one row with defaults and returns it again later."""
    async with sessionmaker.begin() as s:
        first = await guilds.get_or_create(s, G1, now=NOW)
        assert first.timezone is None
        assert first.created_at.tzinfo is UTC
    async with sessionmaker.begin() as s:
        again = await guilds.get_or_create(s, G1, now=NOW)
        assert again.guild_id == G1
        assert again.created_at == first.created_at


async def test_setters_persist_per_guild(sessionmaker):
    """Each setter creates the row if needed, stores its fields and stamps updated_at."""
    later = NOW + timedelta(minutes=5)
    async with sessionmaker.begin() as s:
        await guilds.set_timezone(s, G1, "America/Chicago", now=NOW)
        await guilds.set_channels(s, G1, announcements_id=10, reports_id=None, now=NOW)
        await guilds.set_organizer_role(s, G1, 99, now=later)
        await guilds.set_timezone(s, G2, "Europe/Madrid", now=NOW)
    async with sessionmaker() as s:
        one = await guilds.get(s, G1)
        two = await guilds.get(s, G2)
    assert one is not None and two is not None
    assert (one.timezone, one.announcements_channel_id, one.reports_channel_id) == (
        "America/Chicago",
        10,
        None,
    )
    assert one.organizer_role_id == 99
    assert one.updated_at == later
    assert two.timezone == "Europe/Madrid"
    assert two.organizer_role_id is None


async def test_role_and_channels_can_be_cleared(sessionmaker):
    """None clears the organizer role and the reports channel."""
    async with sessionmaker.begin() as s:
        await guilds.set_channels(s, G1, announcements_id=10, reports_id=20, now=NOW)
        await guilds.set_organizer_role(s, G1, 99, now=NOW)
    async with sessionmaker.begin() as s:
        await guilds.set_channels(s, G1, announcements_id=11, reports_id=None, now=NOW)
        await guilds.set_organizer_role(s, G1, None, now=NOW)
    async with sessionmaker() as s:
        row = await guilds.get(s, G1)
    assert row is not None
    assert (row.announcements_channel_id, row.reports_channel_id, row.organizer_role_id) == (
        11,
        None,
        None,
    )


async def test_note_events_sets_and_clears(sessionmaker):
    """note_events records the reason and when; None clears the reason."""
    async with sessionmaker.begin() as s:
        await guilds.note_events(s, G1, "events.missing_permission", now=NOW)
    async with sessionmaker() as s:
        row = await guilds.get(s, G1)
    assert row is not None
    assert row.events_note == "events.missing_permission"
    assert row.events_note_at == NOW
    assert row.updated_at is None

    later = NOW + timedelta(hours=1)
    async with sessionmaker.begin() as s:
        await guilds.note_events(s, G1, None, now=later)
    async with sessionmaker() as s:
        row = await guilds.get(s, G1)
    assert row is not None
    assert row.events_note is None
    assert row.events_note_at == later


async def test_get_or_create_survives_a_concurrent_create(sessionmaker):
    """Another request created the row between our look and our insert: we read theirs."""
    gid = 987654321098765432
    async with sessionmaker.begin() as s:
        await guilds.set_timezone(s, gid, "America/Detroit", now=NOW)
    async with sessionmaker.begin() as s:
        real_get = s.get
        looks = 0

        async def stale_first_look(*args, **kwargs):
            nonlocal looks
            looks += 1
            return None if looks == 1 else await real_get(*args, **kwargs)

        s.get = stale_first_look
        row = await guilds.get_or_create(s, gid, now=NOW)
        assert row.timezone == "America/Detroit"
        await guilds.note_events(s, gid, "setup.events.limit", now=NOW)
    async with sessionmaker() as s:
        row = await guilds.get(s, gid)
    assert (row.timezone, row.events_note) == ("America/Detroit", "setup.events.limit")


async def test_ten_requests_creating_one_servers_row_at_once_all_succeed(sessionmaker):
    """The first /setup of a server, ten times at once: one row, no IntegrityError (on
    PostgreSQL the inserts really race; on SQLite the write lock orders them)."""
    gid = 876543210987654321

    async def setup(i: int) -> None:
        async with sessionmaker.begin() as s:
            await guilds.set_organizer_role(s, gid, 1000 + i, now=NOW)

    await asyncio.gather(*(setup(i) for i in range(10)))
    async with sessionmaker() as s:
        rows = (await s.scalars(select(GuildSettings).where(GuildSettings.guild_id == gid))).all()
    assert len(rows) == 1 and rows[0].organizer_role_id in range(1000, 1010)
