"""Transactions that are real: rollbacks, claim races, double clicks, on both backends; SQLite's
own snapshot and busy-wait behaviour on a real file."""

import asyncio
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from db import guilds, walkouts
from db.models import GuildSettings, Walkout

NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
G = 111111111111111111


async def pending_walkout(db, school="Claim High"):
    async with db.begin() as s:
        w = await walkouts.create(
            s,
            guild_id=G,
            school=school,
            city="Detroit",
            starts_at=NOW + timedelta(days=1),
            ends_at=NOW + timedelta(days=1, hours=1),
            timezone="America/Detroit",
            meeting_point=None,
            details=None,
            action_id=None,
            registrant_id=None,
            now=NOW,
        )
    return w.id


async def test_a_savepoint_rolls_back_with_its_outer_transaction(sessionmaker):
    """An insert inside begin_nested() does not outlive the outer rollback."""

    class Boom(Exception):
        pass

    try:
        async with sessionmaker.begin() as s:
            async with s.begin_nested():
                s.add(GuildSettings(guild_id=G, timezone="America/Detroit", created_at=NOW))
            # The savepoint was released; the outer transaction now fails.
            raise Boom
    except Boom:
        pass
    async with sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(GuildSettings)) == 0


@pytest.mark.sqlite_only(
    "pysqlite's deferred BEGIN; PostgreSQL reads in READ COMMITTED, a snapshot per statement"
)
async def test_reads_run_inside_the_transaction(sessionmaker, db_url):
    """A read transaction sees one snapshot: a commit by another connection in between is not
    visible until the transaction ends (the driver no longer defers BEGIN to the first write)."""
    async with sessionmaker.begin() as s:
        await guilds.set_timezone(s, G, "America/Detroit", now=NOW)
    path = db_url.split("///", 1)[1]
    async with sessionmaker() as s:
        first = await s.scalar(text("SELECT timezone FROM guild_settings"))
        other = sqlite3.connect(path)
        other.execute("UPDATE guild_settings SET timezone = 'America/Chicago'")
        other.commit()
        other.close()
        again = await s.scalar(text("SELECT timezone FROM guild_settings"))
    assert first == again == "America/Detroit"
    async with sessionmaker() as s:
        assert await s.scalar(text("SELECT timezone FROM guild_settings")) == "America/Chicago"


async def claim(db, walkout_id: int) -> int | None:
    """One conditional statement: only a claimer that finds the row pending gets its id."""
    async with db.begin() as s:
        return await s.scalar(
            text(
                "UPDATE walkouts SET status = 'scheduled' "
                "WHERE id = :id AND status = 'pending' RETURNING id"
            ),
            {"id": walkout_id},
        )


async def test_two_concurrent_claimers_exactly_one_wins_100_times(sessionmaker):
    for round_ in range(100):
        walkout_id = await pending_walkout(sessionmaker, school=f"Claim {round_}")
        results = await asyncio.gather(
            claim(sessionmaker, walkout_id), claim(sessionmaker, walkout_id)
        )
        assert sorted(results, key=lambda r: r is None) == [walkout_id, None], round_
    async with sessionmaker() as s:
        statuses = (await s.scalars(select(Walkout.status))).all()
    assert statuses == ["scheduled"] * 100


@pytest.mark.sqlite_only("busy_timeout, with a second writer through sqlite3")
async def test_a_writer_waits_for_a_lock_held_two_seconds(sessionmaker, db_url):
    """busy_timeout: the writer waits for the other connection instead of failing."""
    path = db_url.split("///", 1)[1]
    async with sessionmaker.begin() as s:  # make sure the file and tables exist
        await guilds.set_timezone(s, G, "America/Detroit", now=NOW)
    locked = threading.Event()

    def hold_the_lock() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("UPDATE guild_settings SET timezone = 'America/Denver'")
            locked.set()
            # Not time.sleep: under libfaketime (the suite's date-moved run) it fails with EINVAL.
            threading.Event().wait(2.0)
            other.execute("COMMIT")
        finally:
            other.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        await asyncio.to_thread(locked.wait, 5)
        started = time.monotonic()
        async with sessionmaker.begin() as s:
            await guilds.set_timezone(s, G, "America/Chicago", now=NOW)
        waited = time.monotonic() - started
    finally:
        await asyncio.to_thread(holder.join, 10)
    assert waited >= 1.5, waited
    async with sessionmaker() as s:
        assert (await guilds.get(s, G)).timezone == "America/Chicago"


async def test_a_nested_write_transaction_fails_at_once_instead_of_hanging(sessionmaker):
    async with sessionmaker.begin():
        with pytest.raises(RuntimeError, match="inside a write transaction"):
            async with sessionmaker.begin():
                pass


async def test_a_double_click_rsvp_never_fails(sessionmaker):
    """Two toggles of one member at once: both succeed, one adds, the other removes."""
    walkout_id = await pending_walkout(sessionmaker)
    for _ in range(20):

        async def toggle():
            async with sessionmaker.begin() as s:
                return await walkouts.toggle_rsvp(s, walkout_id, "same-member")

        results = await asyncio.gather(toggle(), toggle())
        assert sorted(results) == [False, True]
        async with sessionmaker() as s:
            assert (await walkouts.rsvp_counts(s, [walkout_id]))[walkout_id] == 0
