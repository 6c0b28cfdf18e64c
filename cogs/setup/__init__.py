"""/setup: server configuration."""

from __future__ import annotations

from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    """Extension entry point; imports the cog lazily so pure modules stay Discord-free."""
    from cogs.common.services import services_of
    from cogs.setup.cog import Setup

    await bot.add_cog(Setup(bot, services_of(bot)))
