"""One FakeDiscord and one bare discord.py bot for the whole session (same event loop).

The bot is :func:`fakediscord.barebot.build_bare_bot` plus a few test-only commands
(``/sleepy``, ``/file``).  ``point_discord_py_at`` is re-applied before every test because
discord.py's URLs are process-global and other suites may run their own fake.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import aiohttp
import discord
import pytest
import pytest_asyncio
from discord.ext import commands

from fakediscord import FakeChannel, FakeDiscord, FakeGuild, FakeMember, point_discord_py_at
from fakediscord.barebot import BareBotRunner, build_bare_bot, start_bare_bot


@dataclass
class World:
    fake: FakeDiscord
    bot: commands.Bot
    runner: BareBotRunner
    guild: FakeGuild
    general: FakeChannel
    alice: FakeMember
    http: aiohttp.ClientSession

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bot {self.fake.bot_token}"}


def _add_test_commands(bot: commands.Bot) -> None:
    @bot.tree.command(name="sleepy", description="Sleep, then answer without deferring")
    async def sleepy(interaction: discord.Interaction, seconds: float) -> None:
        await asyncio.sleep(seconds)
        await interaction.response.send_message(f"slept {seconds}")

    @bot.tree.context_menu(name="Wave at")
    async def wave(interaction: discord.Interaction, member: discord.Member) -> None:
        await interaction.response.send_message(f"waves at {member.name}", ephemeral=True)

    @bot.tree.command(name="file", description="Answer with a file")
    async def file(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            "report attached", file=discord.File(io.BytesIO(b"walkout,10:00\n"), "report.csv")
        )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def world() -> AsyncIterator[World]:
    fake = FakeDiscord(heartbeat_interval_ms=5000)
    await fake.start()
    guild = fake.add_guild("Test School Org", locale="en-US")
    alice = fake.add_member(guild, "alice", locale="en-US")
    bot = build_bare_bot(guild_ready_timeout=0.05, reidentify_delay=0.05)
    _add_test_commands(bot)
    runner = await start_bare_bot(fake, bot)
    await asyncio.wait_for(bot.wait_until_ready(), 10)
    http = aiohttp.ClientSession()
    try:
        yield World(fake, bot, runner, guild, guild.channel("general"), alice, http)
    finally:
        await http.close()
        await runner.stop()
        await fake.stop()


@pytest.fixture(autouse=True)
def _discord_py_points_at_fake(world: World) -> Iterator[None]:
    restore = point_discord_py_at(world.fake)
    yield
    restore()


@pytest.fixture
def fake(world: World) -> FakeDiscord:
    """The session fake, with violations cleared before the test."""
    world.fake.clear_violations()
    return world.fake
