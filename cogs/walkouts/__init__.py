"""/walkout: the walkout registry."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot import WalkoutBot


async def setup(bot: WalkoutBot) -> None:
    """Extension entry point; imports the cog lazily so pure modules stay Discord-free."""
    from cogs.walkouts.cog import Walkouts

    await bot.add_cog(Walkouts(bot))
