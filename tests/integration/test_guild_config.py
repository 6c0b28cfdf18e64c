"""The settings cache: read-through, invalidated by writers, never caches a stale read.

What is observed is what callers get back and how many times the database is asked: every
statement reading ``guild_settings`` is counted with a SQLAlchemy engine event.
"""

from collections.abc import Awaitable, Iterator
from datetime import UTC, datetime
from typing import TypeVar

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from cogs.common.guild_config import GuildConfig, GuildConfigCache
from db import guilds

NOW = datetime(2026, 2, 1, tzinfo=UTC)
G = 123456789012345678
T = TypeVar("T")


class Reads:
    """Counts the SELECTs on guild_settings that an engine runs."""

    def __init__(self) -> None:
        self.count = 0

    def record(self, conn, cursor, statement: str, parameters, context, executemany) -> None:
        sql = statement.lstrip().upper()
        if sql.startswith("SELECT") and "GUILD_SETTINGS" in sql:
            self.count += 1

    async def during(self, awaitable: Awaitable[T]) -> tuple[T, int]:
        """``(result, number of settings reads while awaiting it)``."""
        before = self.count
        result = await awaitable
        return result, self.count - before


@pytest.fixture
def reads(engine: AsyncEngine) -> Iterator[Reads]:
    counter = Reads()
    event.listen(engine.sync_engine, "before_cursor_execute", counter.record)
    yield counter
    event.remove(engine.sync_engine, "before_cursor_execute", counter.record)


async def test_defaults_then_reads_through_and_invalidates(sessionmaker, reads):
    cache = GuildConfigCache(sessionmaker)
    assert await reads.during(cache.get(G)) == (GuildConfig(G), 1)
    assert await reads.during(cache.get(G)) == (GuildConfig(G), 0)  # served from the cache
    async with sessionmaker.begin() as s:
        await guilds.set_timezone(s, G, "America/Detroit", now=NOW)
    config, queries = await reads.during(cache.get(G))
    assert (config.timezone, queries) == (None, 0)  # cached until invalidated
    cache.invalidate(G)
    config, queries = await reads.during(cache.get(G))
    assert (config.timezone, queries) == ("America/Detroit", 1)
    config, queries = await reads.during(cache.get(G))
    assert (config.timezone, queries) == ("America/Detroit", 0)


async def test_a_read_racing_a_write_is_not_cached(sessionmaker, reads, monkeypatch):
    cache = GuildConfigCache(sessionmaker)
    original = guilds.get

    async def read_then_a_writer_lands(s, guild_id):
        row = await original(s, guild_id)
        async with sessionmaker.begin() as w:  # a /setup lands while this read is in flight
            await guilds.set_timezone(w, guild_id, "America/Detroit", now=NOW)
        cache.invalidate(guild_id)
        return row

    monkeypatch.setattr(guilds, "get", read_then_a_writer_lands)
    assert (await cache.get(G)).timezone is None  # the read in flight saw the old row
    monkeypatch.setattr(guilds, "get", original)

    config, queries = await reads.during(cache.get(G))
    assert (config.timezone, queries) == ("America/Detroit", 1)  # not the stale read
    assert await reads.during(cache.get(G)) == (config, 0)
