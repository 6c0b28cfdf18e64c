"""/rights, /history and /snippet: sourced know-your-rights and history topics."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot import WalkoutBot


async def setup(bot: WalkoutBot) -> None:
    """Extension entry point; imports the cog lazily so pure modules stay Discord-free."""
    from cogs.snippets.cog import Snippets

    await bot.add_cog(Snippets(bot))
