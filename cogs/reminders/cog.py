"""/reminders list and /reminders me, and the Discord side of the reminder engine.

Discord glue only: when reminders are due and what happens to them is in ``engine.py`` and
``plan.py``; what they say is in ``render.py``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import MISSING

from cogs.common.interactions import answer_soon, lang_of, reply
from cogs.common.services import Services
from cogs.reminders import render
from cogs.reminders.engine import Batch, DeliveryError, ReminderEngine, post_kind
from cogs.reminders.offsets import Offset, format_offsets, parse_offset
from cogs.reminders.plan import due_at
from cogs.reminders.planner import offsets_of, opt_in_dm
from cogs.reports.views import report_buttons
from cogs.walkouts.lookup import find_walkout, walkout_choices
from core.errors import UserError
from core.visibility import PUBLIC, Viewer
from db import reminders as reminders_db
from db import walkouts as walkouts_db
from db.models import Reminder, Walkout
from db.reminders import DmTarget
from messages import normalize_locale, t

log = logging.getLogger(__name__)

DEFAULT_DM_BEFORE = "1h"
DM_CLOSED = 50007  # Discord: "Cannot send messages to this user"
UNKNOWN_CHANNEL = 10003


def delivery_error(exc: discord.HTTPException, *, dm: bool = False) -> DeliveryError:
    """What a failed post means for the reminder: retry later, or give up (and why). A 429 posted
    nothing; a 5xx may have posted anyway (``unsure``). A DM that can't be delivered is the
    member's setting: recorded, never the moderators' problem."""
    if exc.status == 429:
        return DeliveryError("http-429", retry=True)
    if exc.status >= 500:
        return DeliveryError(f"http-{exc.status}", retry=True, unsure=True)
    if dm and (isinstance(exc, discord.Forbidden | discord.NotFound) or exc.code == DM_CLOSED):
        return DeliveryError("dm-closed", retry=False)
    if isinstance(exc, discord.NotFound) or exc.code == UNKNOWN_CHANNEL:
        return DeliveryError("reminders.failed.channel_missing", retry=False, tell_moderators=True)
    if exc.code == DM_CLOSED:
        return DeliveryError("dm-closed", retry=False)
    if isinstance(exc, discord.Forbidden):
        return DeliveryError("reminders.failed.forbidden", retry=False, tell_moderators=True)
    return DeliveryError(f"http-{exc.status}-{exc.code}", retry=False)


class DiscordPoster:
    """The engine's Discord side (see ``engine.Poster``)."""

    def __init__(self, bot: commands.Bot, services: Services) -> None:
        self.bot = bot
        self.db = services.db
        self.keys = services.keys
        self.guild_config = services.guild_config

    async def is_going(self, guild_id: int, walkout_id: int, user_id: int) -> bool:
        keys = self.keys.candidates(guild_id, user_id, "rsvp")
        async with self.db() as s:
            return await walkouts_db.has_rsvp(s, walkout_id, keys)

    def guild_lang(self, guild_id: int) -> str:
        guild = self.bot.get_guild(guild_id)
        return normalize_locale(guild.preferred_locale if guild else None)

    async def post(self, batch: Batch) -> int:
        walkouts = [w for _, w in batch.items]
        try:
            if batch.kind == "dm":
                if batch.user_id is None:  # they deleted their data while this was under way
                    raise DeliveryError("member-gone", retry=False)
                lang = batch.lang or "en"
                w = walkouts[0]
                going = await self.is_going(batch.guild_id, w.id, batch.user_id)
                member = Viewer(user_id=batch.user_id, going=going)
                embed = render.dm_post(
                    w,
                    lang=lang,
                    going=batch.counts.get(w.id, 0),
                    late=batch.late,
                    meeting_point=(await self.guild_config.shown(member, w)).meeting_point,
                )
                dm = await self.bot.create_dm(discord.Object(batch.user_id))
                message = await dm.send(embed=embed, nonce=batch.nonce)
                return message.id
            assert batch.channel_id is not None
            lang = self.guild_lang(batch.guild_id)
            embed = render.channel_post(
                batch.kind,
                walkouts,
                lang=lang,
                counts=batch.counts,
                late=batch.late,
                meeting_point=(await self.guild_config.shown(PUBLIC, walkouts[0])).meeting_point,
            )
            channel = self.bot.get_partial_messageable(batch.channel_id, guild_id=batch.guild_id)
            # After a walkout: one "Report" button per walkout opens the report form.
            view = report_buttons(walkouts, lang=lang) if batch.kind == "after" else MISSING
            if batch.role_id:
                message = await channel.send(
                    content=f"<@&{batch.role_id}>",
                    embed=embed,
                    nonce=batch.nonce,
                    allowed_mentions=discord.AllowedMentions(
                        everyone=False, users=False, roles=[discord.Object(batch.role_id)]
                    ),
                    view=view,
                )
            else:
                message = await channel.send(embed=embed, nonce=batch.nonce, view=view)
            return message.id
        except discord.HTTPException as exc:
            raise delivery_error(exc, dm=batch.kind == "dm") from exc

    async def tell_moderators(self, guild_id: int, note: str) -> None:
        config = await self.guild_config.get(guild_id)
        if config.reports_channel_id is None:
            log.warning(
                "reminders in server %s failed (%s); no reports channel to tell", guild_id, note
            )
            return
        channel = self.bot.get_partial_messageable(config.reports_channel_id, guild_id=guild_id)
        await channel.send(t(note, self.guild_lang(guild_id)))

    async def tell_member(self, target: DmTarget, walkout: Walkout, *, what: str) -> None:
        channel = await self.bot.create_dm(discord.Object(target.user_id))
        await channel.send(render.notice(walkout, lang=target.lang, what=what, due=target.due))


class Reminders(commands.Cog):
    """Reminder posts before, at and after every walkout, and personal DM reminders."""

    reminders = app_commands.Group(
        name="reminders",
        description="See upcoming reminder posts, or get a reminder by DM",
        guild_only=True,
    )

    def __init__(self, bot: commands.Bot, services: Services) -> None:
        self.bot = bot
        self.db = services.db
        self.clock = services.clock
        self.guild_config = services.guild_config
        self.engine: ReminderEngine = services.reminders
        self.poster = DiscordPoster(bot, services)
        self._started = False

    async def cog_unload(self) -> None:
        await self.engine.stop()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        if self._started:
            return
        self._started = True
        try:
            await self.engine.start(self.poster)
        except Exception:
            self._started = False
            log.exception("the reminder engine could not start")

    async def republish(self, guild_id: int) -> int:
        """Re-render the server's reminder posts still in the channel for upcoming walkouts, as
        the rules of what a public post may show say now (a meeting point switched to "going"
        leaves them). Returns how many posts were edited."""
        async with self.db() as s:
            rows = await reminders_db.posted_channel_posts(s, guild_id, now=self.clock())
            counts = await walkouts_db.rsvp_counts(s, {w.id for _, w in rows})
        posts: dict[tuple[int, int], list[tuple[Reminder, Walkout]]] = defaultdict(list)
        for reminder, walkout in rows:
            assert reminder.channel_id is not None and reminder.message_id is not None
            posts[(reminder.channel_id, reminder.message_id)].append((reminder, walkout))
        lang = self.poster.guild_lang(guild_id)
        edited = 0
        for (channel_id, message_id), items in posts.items():
            first, walkout = items[0]
            embed = render.channel_post(
                post_kind(first),
                [w for _, w in items],
                lang=lang,
                counts=counts,
                late=first.status == reminders_db.LATE,
                meeting_point=(await self.guild_config.shown(PUBLIC, walkout)).meeting_point,
            )
            channel = self.bot.get_partial_messageable(channel_id, guild_id=guild_id)
            try:
                await channel.get_partial_message(message_id).edit(embed=embed)
                edited += 1
            except discord.HTTPException:
                log.info("could not re-render reminder post %s", message_id)
        return edited

    # -------------------------------------------------------------------- list

    @reminders.command(name="list", description="What reminders will be posted when")
    @app_commands.describe(walkout="Only this walkout")
    async def list_(
        self, itx: discord.Interaction, walkout: app_commands.Range[str, 1, 100] | None = None
    ) -> None:
        assert itx.guild_id is not None
        lang = lang_of(itx)
        target = await find_walkout(self.db, itx.guild_id, walkout) if walkout else None
        config = await self.guild_config.get(itx.guild_id)
        async with self.db() as s:
            ahead, done = await reminders_db.for_guild(
                s, itx.guild_id, walkout_id=target.id if target else None, limit=15
            )
            mine = await reminders_db.my_dm(s, target.id, itx.user.id) if target else None
        embed = render.list_embed(
            ahead, done, lang=lang, offsets_text=format_offsets(offsets_of(config)), dm=mine
        )
        await itx.response.send_message(embed=embed, ephemeral=True)

    # ---------------------------------------------------------------------- me

    @reminders.command(name="me", description="Get (or stop) a reminder by DM before a walkout")
    @app_commands.describe(
        walkout="The walkout", before='How long before it starts, e.g. "1h" (default) or "1d"'
    )
    async def me(
        self,
        itx: discord.Interaction,
        walkout: app_commands.Range[str, 1, 100],
        before: app_commands.Range[str, 1, 20] | None = None,
    ) -> None:
        assert itx.guild_id is not None
        lang = lang_of(itx)
        w = await find_walkout(self.db, itx.guild_id, walkout)
        done = await answer_soon(itx, self._toggle_dm(itx, w, before, lang))
        await reply(itx, content=done)

    async def _toggle_dm(
        self, itx: discord.Interaction, w: Walkout, before: str | None, lang: str
    ) -> str:
        now = self.clock()
        async with self.db.begin() as s:
            if await reminders_db.opt_out(s, w.id, itx.user.id):
                return t("reminders.me.off", lang, school=w.school, id=w.id)
        if w.is_cancelled:
            raise UserError("error.walkout.cancelled", id=w.id)
        offset = parse_offset(before or DEFAULT_DM_BEFORE)
        if offset.after:
            raise UserError("error.reminders.after", part=before or "")
        offset = Offset(days=offset.days, minutes=offset.minutes)
        due = due_at(w.starts_at, ZoneInfo(w.timezone), offset)
        if due <= now:
            raise UserError("error.reminders.too_late", when=int(due.timestamp()))
        # Closed DMs are found out now, while the member is here to read why.
        confirm = t(
            "reminders.me.confirm", lang, school=w.school, due=f"<t:{int(due.timestamp())}:F>"
        )
        try:
            dm = await self.bot.create_dm(itx.user)
            await dm.send(confirm)
        except discord.HTTPException as exc:
            if exc.code == DM_CLOSED or isinstance(exc, discord.Forbidden):
                raise UserError("error.reminders.dm_closed") from exc
            raise
        due = await opt_in_dm(self.db, w, user_id=itx.user.id, lang=lang, offset=offset, now=now)
        await self.engine.poke()
        return t("reminders.me.on", lang, school=w.school, due=f"<t:{int(due.timestamp())}:F>")

    @list_.autocomplete("walkout")
    @me.autocomplete("walkout")
    async def walkout_autocomplete(
        self, itx: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if itx.guild_id is None:
            return []
        return await walkout_choices(self.db, itx.guild_id, current, now=self.clock())
