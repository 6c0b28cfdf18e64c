"""/privacy info and /privacy delete-my-data. Discord glue over ``service.py``."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from cogs.common.interactions import ErrorReportingView, answer_soon, guild_lang_of, lang_of, reply
from cogs.common.services import Services
from cogs.privacy.service import forget_member
from core import text as limits
from core.errors import UserError
from core.text import fit
from db import walkouts as walkouts_db
from messages import t

log = logging.getLogger(__name__)

COLOR = discord.Colour(0x455A64)
CONFIRM_TIMEOUT = 5 * 60
SECTIONS = ("rsvp", "dm", "walkouts", "reports", "anonymity", "discord", "delete")


def info_embed(lang: str, *, retention_days: int | None) -> discord.Embed:
    """What the bot keeps about a member, in plain words, in their language."""
    retention = (
        t("privacy.info.retention_on", lang, days=retention_days)
        if retention_days
        else t("privacy.info.retention_off", lang)
    )
    embed = discord.Embed(
        title=t("privacy.info.title", lang), description=t("privacy.info.intro", lang), colour=COLOR
    )
    for section in SECTIONS:
        embed.add_field(
            name=t(f"privacy.info.{section}_title", lang),
            value=fit(
                t(f"privacy.info.{section}", lang, retention=retention), limits.FIELD_VALUE_MAX
            ),
            inline=False,
        )
    return embed


class ConfirmDelete(ErrorReportingView):
    """Delete / Cancel under the warning; only for the member who asked."""

    def __init__(self, cog: Privacy, *, owner_id: int, lang: str) -> None:
        super().__init__(timeout=CONFIRM_TIMEOUT)
        self.cog = cog
        self.owner_id = owner_id
        self.lang = lang
        self.confirm.label = fit(t("privacy.delete.button", lang), limits.BUTTON_LABEL_MAX)
        self.cancel.label = fit(t("privacy.delete.cancel", lang), limits.BUTTON_LABEL_MAX)

    async def interaction_check(self, itx: discord.Interaction) -> bool:
        if itx.user.id != self.owner_id:
            await itx.response.send_message(
                t("privacy.delete.not_yours", self.lang), ephemeral=True
            )
            return False
        return True

    @discord.ui.button(label="Delete", style=discord.ButtonStyle.danger)
    async def confirm(self, itx: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        self.stop()
        await self.cog.delete_now(itx)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, itx: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        self.stop()
        await itx.response.edit_message(content=t("privacy.delete.cancelled", self.lang), view=None)


class Privacy(commands.Cog):
    """What the bot keeps about a member, and deleting what they gave."""

    privacy = app_commands.Group(
        name="privacy", description="What the bot keeps about you, and deleting it", guild_only=True
    )

    def __init__(self, bot: commands.Bot, services: Services) -> None:
        self.bot = bot
        self.db = services.db
        self.keys = services.keys
        self.guild_config = services.guild_config

    @privacy.command(
        name="info", description="What the bot stores about you, for how long, and who sees it"
    )
    async def info(self, itx: discord.Interaction) -> None:
        assert itx.guild_id is not None
        config = await self.guild_config.get(itx.guild_id)
        embed = info_embed(lang_of(itx), retention_days=config.retention_days)
        await itx.response.send_message(embed=embed, ephemeral=True)

    @privacy.command(
        name="delete-my-data",
        description="Delete your RSVPs, DM reminders and named reports in this server",
    )
    async def delete_my_data(self, itx: discord.Interaction) -> None:
        lang = lang_of(itx)
        view = ConfirmDelete(self, owner_id=itx.user.id, lang=lang)
        await itx.response.send_message(
            t("privacy.delete.confirm", lang), view=view, ephemeral=True
        )

    async def delete_now(self, itx: discord.Interaction) -> None:
        """The confirm button: delete, say how many of each, then refresh and tidy up."""
        if itx.guild_id is None:
            raise UserError("error.guild_only")
        lang = lang_of(itx)
        done = await answer_soon(itx, forget_member(self.db, self.keys, itx.guild_id, itx.user.id))
        text = t(
            "privacy.delete.done",
            lang,
            rsvps=done.rsvps,
            reminders=done.reminders,
            reports=done.reports,
            walkouts=done.walkouts,
        )
        if itx.response.is_done():
            await reply(itx, content=text)
        else:
            await itx.response.edit_message(content=text, view=None)
        await self._refresh(itx, done.refresh)
        reports_cog = self.bot.get_cog("Reports")
        if reports_cog is not None and done.notices:
            await reports_cog.delete_notices(done.notices)  # type: ignore[attr-defined]

    async def _refresh(self, itx: discord.Interaction, walkout_ids: tuple[int, ...]) -> None:
        """Announcements whose count or registrant changed show it (coalesced refreshes)."""
        walkouts_cog = self.bot.get_cog("Walkouts")
        if walkouts_cog is None or not walkout_ids or itx.guild_id is None:
            return
        lang = guild_lang_of(itx)
        async with self.db() as s:
            for walkout_id in walkout_ids:
                w = await walkouts_db.get(s, itx.guild_id, walkout_id)
                if w is not None:
                    walkouts_cog.refresh(w, lang)  # type: ignore[attr-defined]
