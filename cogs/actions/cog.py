"""/action: national actions, one date at the same *local* time everywhere (e.g. Feb 13, 2 PM)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from cogs.actions.lookup import action_choices, find_action
from cogs.actions.national import action_status, check_addable, parse_action
from cogs.common.interactions import lang_of
from cogs.common.services import Services
from core.errors import UserError
from core.permissions import require_moderator
from core.text import EMBED_DESCRIPTION_MAX, clean_field, fit
from db import actions as actions_db
from db.models import ACTION_NAME_MAX, NationalAction
from messages import t

if TYPE_CHECKING:
    from datetime import datetime


COLOR = discord.Colour(0x6A1B9A)


def action_line(a: NationalAction, *, lang: str, now: datetime) -> str:
    status = action_status(a.local_date, a.local_time, now=now)
    return t(
        "action.list.line",
        lang,
        id=a.id,
        name=a.name,
        weekday=t(f"weekday.{a.local_date.weekday()}", lang),
        date=f"{a.local_date:%Y-%m-%d}",
        time=f"{a.local_time:%H:%M}",
        status=t(f"action.status.{status}", lang),
        origin=t("action.origin.shipped" if a.guild_id is None else "action.origin.server", lang),
    )


class Actions(commands.Cog):
    """National actions walkouts can join; shipped ones plus each server's own."""

    action = app_commands.Group(
        name="action",
        description="National actions: one date, local time everywhere",
        guild_only=True,
    )

    def __init__(self, bot: commands.Bot, services: Services) -> None:
        self.bot = bot
        self.db = services.db
        self.clock = services.clock
        self.guild_config = services.guild_config

    @action.command(name="list", description="List national actions")
    async def list_(self, itx: discord.Interaction) -> None:
        assert itx.guild_id is not None
        lang = lang_of(itx)
        async with self.db() as s:
            rows = await actions_db.list_for_guild(s, itx.guild_id)
        now = self.clock()
        body = "\n\n".join(action_line(a, lang=lang, now=now) for a in rows)
        embed = discord.Embed(
            title=t("action.list.title", lang),
            description=fit(body or t("action.list.empty", lang), EMBED_DESCRIPTION_MAX),
            colour=COLOR,
        )
        embed.set_footer(text=t("action.list.footer", lang))
        await itx.response.send_message(embed=embed, ephemeral=True)

    @action.command(name="add", description="Add a national action (moderators)")
    @app_commands.describe(
        name="Name of the action",
        date="Date, YYYY-MM-DD",
        time="Local time everywhere, HH:MM (24-hour)",
    )
    async def add(
        self,
        itx: discord.Interaction,
        name: app_commands.Range[str, 1, ACTION_NAME_MAX],
        date: app_commands.Range[str, 1, 20],
        time: app_commands.Range[str, 1, 20],
    ) -> None:
        require_moderator(itx.permissions.value)
        assert itx.guild_id is not None
        lang = lang_of(itx)
        # A name, like a school's: one line, and mentions are refused, not defused.
        clean = clean_field(
            name,
            field="name",
            max_len=ACTION_NAME_MAX,
            required=True,
            allow_mentions=False,
            single_line=True,
        )
        assert clean is not None
        day, at = parse_action(date, time)
        now = self.clock()
        check_addable(day, at, now=now)
        async with self.db.begin() as s:
            row = await actions_db.add_unless_named(
                s, itx.guild_id, name=clean, local_date=day, local_time=at, now=now
            )
        if row is None:
            raise UserError("error.action.duplicate", name=clean)
        await itx.response.send_message(
            t("action.added", lang, line=action_line(row, lang=lang, now=now)), ephemeral=True
        )

    @action.command(name="remove", description="Remove one of this server's national actions")
    @app_commands.describe(action="The action to remove")
    async def remove(self, itx: discord.Interaction, action: str) -> None:
        require_moderator(itx.permissions.value)
        assert itx.guild_id is not None
        lang = lang_of(itx)
        async with self.db.begin() as s:
            target = await find_action(s, itx.guild_id, action)
            name = target.name
            result = await actions_db.remove(s, itx.guild_id, target.id)
        if result == "shipped":
            raise UserError("error.action.shipped", name=name)
        if result == "missing":
            raise UserError("error.action.not_found", ref=fit(action, 60))
        await itx.response.send_message(t("action.removed", lang, name=name), ephemeral=True)

    @remove.autocomplete("action")
    async def action_autocomplete(
        self, itx: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if itx.guild_id is None:
            return []
        async with self.db() as s:
            rows = await actions_db.list_for_guild(s, itx.guild_id)
        return [
            app_commands.Choice(name=name, value=value)
            for name, value in action_choices(rows, current, own_only=True)
        ]
