"""Previous/next buttons over an ephemeral list (/walkout list, /reports list)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from cogs.common.interactions import ErrorReportingView
from messages import t

PAGER_TIMEOUT = 600.0  # seconds; the buttons are removed after this (tokens live 15 minutes)

#: page number -> (the page's embed, how many pages there are now)
RenderPage = Callable[[int], Awaitable[tuple[discord.Embed, int]]]


class Pager(ErrorReportingView):
    """Previous/next over ``render``, which re-queries each page so it never shows stale rows.

    Only the member who ran the command may turn pages (``not_yours`` is what anyone else is
    told). After ``timeout`` seconds (inside the 15 minutes an interaction token lives) the
    buttons are removed from the list, so nobody presses a button that no longer answers.
    """

    def __init__(
        self,
        *,
        origin: discord.Interaction,
        lang: str,
        page: int,
        pages: int,
        render: RenderPage,
        not_yours: str,
        timeout: float = PAGER_TIMEOUT,
    ) -> None:
        super().__init__(timeout=timeout)
        self.origin = origin
        self.owner_id = origin.user.id
        self.lang = lang
        self.page = page
        self.pages = pages
        self.render = render
        self.not_yours = not_yours
        self.prev.label = t("walkout.list.prev", lang)
        self.next.label = t("walkout.list.next", lang)
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.prev.disabled = self.page <= 1
        self.next.disabled = self.page >= self.pages

    async def on_timeout(self) -> None:
        try:
            await self.origin.edit_original_response(view=None)
        except discord.HTTPException:
            pass  # the list was dismissed, or the token expired: nothing left to tidy

    async def interaction_check(self, itx: discord.Interaction) -> bool:
        if itx.user.id != self.owner_id:
            await itx.response.send_message(t(self.not_yours, self.lang), ephemeral=True)
            return False
        return True

    async def _show(self, itx: discord.Interaction, page: int) -> None:
        embed, pages = await self.render(page)
        self.page, self.pages = page, pages
        self._sync_buttons()
        await itx.response.edit_message(embed=embed, view=self)

    @discord.ui.button(label="◀", style=discord.ButtonStyle.secondary)
    async def prev(self, itx: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        await self._show(itx, max(1, self.page - 1))

    @discord.ui.button(label="▶", style=discord.ButtonStyle.secondary)
    async def next(self, itx: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        await self._show(itx, min(self.pages, self.page + 1))


async def send_paged(
    itx: discord.Interaction,
    render: RenderPage,
    *,
    lang: str,
    not_yours: str,
) -> None:
    """Answer ``itx`` privately with page 1, and the buttons only when there is a page 2."""
    embed, pages = await render(1)
    if pages <= 1:
        await itx.response.send_message(embed=embed, ephemeral=True)
        return
    view = Pager(
        origin=itx,
        lang=lang,
        page=1,
        pages=pages,
        render=render,
        not_yours=not_yours,
        timeout=PAGER_TIMEOUT,
    )
    await itx.response.send_message(embed=embed, view=view, ephemeral=True)
