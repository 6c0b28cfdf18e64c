"""The settings cache: read-through, invalidated by writers, never caches a stale read."""

from datetime import UTC, datetime

from cogs.common.guild_config import GuildConfig, GuildConfigCache
from db import guilds

NOW = datetime(2026, 2, 1, tzinfo=UTC)
G = 123456789012345678


async def test_defaults_then_reads_through_and_invalidates(sessionmaker):
    cache = GuildConfigCache(sessionmaker)
    assert await cache.get(G) == GuildConfig(G)
    async with sessionmaker.begin() as s:
        await guilds.set_timezone(s, G, "America/Detroit", now=NOW)
    assert (await cache.get(G)).timezone is None  # cached until invalidated
    cache.invalidate(G)
    assert (await cache.get(G)).timezone == "America/Detroit"


async def test_a_read_racing_a_write_is_not_cached(sessionmaker):
    cache = GuildConfigCache(sessionmaker)
    original = guilds.get

    async def slow_get(s, guild_id):
        row = await original(s, guild_id)
        cache.invalidate(guild_id)  # a writer lands while this read is in flight
        return row

    guilds.get = slow_get
    try:
        await cache.get(G)
    finally:
        guilds.get = original
    assert G not in cache._items
