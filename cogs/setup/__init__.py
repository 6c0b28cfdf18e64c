"""/setup: server configuration."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only the run path loads discord.py: this package holds pure modules too
    from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    """Extension entry point; imports the cog lazily so pure modules stay Discord-free."""
    from cogs.common.services import services_of
    from cogs.setup.cog import Setup

    await bot.add_cog(Setup(bot, services_of(bot)))
