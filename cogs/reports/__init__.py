"""/report and /reports: after-action reports, moderator review and exports."""

from __future__ import annotations

from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    """Extension entry point; imports the cog lazily so pure modules stay Discord-free."""
    from cogs.common.services import services_of
    from cogs.reports.cog import Reports

    await bot.add_cog(Reports(bot, services_of(bot)))
