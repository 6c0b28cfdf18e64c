"""/setup: server configuration."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot import WalkoutBot


async def setup(bot: WalkoutBot) -> None:
    """Extension entry point; imports the cog lazily so pure modules stay Discord-free."""
    from cogs.setup.cog import Setup

    await bot.add_cog(Setup(bot))
