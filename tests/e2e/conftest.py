"""End-to-end fixtures: one loopback Discord-compatible server and one real bot for the session.

The bot is the real ``WalkoutBot`` (same class ``python bot.py`` runs) on a real SQLite file,
connected through DISCORD_API_BASE / DISCORD_GATEWAY_URL to ``fakediscord``; its clock is frozen
so "now" is known, and the fake judges time on that same clock. Every request body the bot sends
is checked by the fake against Discord's OpenAPI spec and documented limits; the autouse fixture
fails any test that caused a violation.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from bot import Settings, WalkoutBot, build_services, point_discord_at, prepare_database
from core.clock import FrozenClock
from db import guilds
from fakediscord import FakeDiscord
from tests.e2e.helpers import BOT, MEMBER, MODERATOR, NOW


@dataclass
class World:
    guild: object
    other_guild: object
    mod: object
    alice: object
    bob: object
    outsider: object
    announcements: object
    general: object


@pytest.fixture(scope="session")
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture(scope="session")
async def fake(clock):
    """The server judges time rules (a scheduled event must not start in the past) by the bot's
    frozen clock, not the machine's, so fixed dates in tests stay in the future."""
    server = FakeDiscord(clock=clock)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture(scope="session")
def world(fake) -> World:
    guild = fake.add_guild(name="Detroit Students United", bot_permissions=BOT)
    other = fake.add_guild(name="Another Server", bot_permissions=BOT)
    return World(
        guild=guild,
        other_guild=other,
        mod=fake.add_member(guild, "mod", permissions=MODERATOR),
        alice=fake.add_member(guild, "alice", permissions=MEMBER),
        bob=fake.add_member(guild, "bob", permissions=MEMBER, locale="es-419"),
        outsider=fake.add_member(other, "outsider", permissions=MODERATOR),
        announcements=fake.add_channel(guild, "walkout-announcements"),
        general=guild.channels[0],
    )


@pytest.fixture(scope="session")
async def bot(fake, world, clock, tmp_path_factory):
    data = tmp_path_factory.mktemp("bot-data")
    settings = Settings(
        token=fake.bot_token,
        database_url=f"sqlite+aiosqlite:///{data / 'e2e.sqlite3'}",
        data_dir=data,
        api_base=fake.api_base,
        gateway_url=fake.gateway_url,
        secret=b"e2e-secret",
    )
    point_discord_at(settings.api_base, settings.gateway_url)
    db = await prepare_database(settings)
    client = WalkoutBot(settings=settings, services=build_services(settings, db, clock=clock))
    task = asyncio.create_task(client.start(settings.require_token()))
    await fake.wait_ready(timeout=15)
    await asyncio.wait_for(client.wait_until_ready(), 15)
    await asyncio.wait_for(client.synced.wait(), 15)
    await fake.wait_for_commands(timeout=15)
    # Tests register many walkouts as one member at one frozen instant: raise the spam brake
    # for the shared server (test_safety.py checks the brake in a server of its own).
    async with client.services.db.begin() as s:
        await guilds.set_approval(s, world.guild.id, enabled=False, per_hour=1000, now=NOW)
    client.services.guild_config.invalidate(world.guild.id)
    yield client
    await client.close()
    await asyncio.wait_for(task, 10)


@pytest.fixture(autouse=True)
def no_violations(request):
    """Fail a test whose requests broke Discord's spec or documented limits."""
    if "fake" not in request.fixturenames:
        yield
        return
    server = request.getfixturevalue("fake")
    server.clear_violations()
    yield
    assert server.violations == [], "\n".join(server.violations)


@pytest.fixture(autouse=True)
def reset_clock(request):
    if "clock" in request.fixturenames:
        request.getfixturevalue("clock").set(NOW)
    yield
