"""/walkout: register, list, info, edit, cancel and join walkouts; the announcement buttons.

Discord glue only: parsing, permissions, time math and text live in the pure modules next door.
"""

from __future__ import annotations

import asyncio
import io
import logging
import math
from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from cogs.actions.lookup import action_choices, find_action
from cogs.actions.national import check_registrable
from cogs.common.interactions import guild_lang_of, lang_of, user_error_text
from cogs.setup.zones import resolve_zone, search_zones
from cogs.walkouts import events, render
from cogs.walkouts.ics import walkout_ics
from cogs.walkouts.views import CalendarButton, Pager, RsvpButton, announcement_view
from cogs.walkouts.when import When, parse_when
from core.errors import UserError
from core.permissions import can_manage_walkout, can_register, is_moderator
from core.pseudonym import member_key
from core.text import CHOICE_VALUE_MAX, clean_field, fit
from db import actions as actions_db
from db import walkouts as walkouts_db
from db.models import (
    CITY_MAX,
    DETAILS_MAX,
    MEETING_POINT_MAX,
    REASON_MAX,
    SCHOOL_MAX,
    NationalAction,
    Walkout,
)
from messages import t

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot import WalkoutBot

log = logging.getLogger(__name__)

PAGE_SIZE = 10
PAGER_TIMEOUT = 600.0  # seconds; list buttons are removed after this (tokens live 15 minutes)
DEFAULT_DURATION = timedelta(hours=1)
RSVP_REFRESH_DELAY = 0.75  # seconds a burst of RSVPs may gather before the announcement is edited
Scope = Literal["upcoming", "past", "all"]


# (catalog field name, max length, required, mentions allowed, single line) per user-typed
# walkout field. Names must not carry mentions (free text is defused instead) and are put on one
# line (see clean_field).
FIELD_RULES: dict[str, tuple[str, int, bool, bool, bool]] = {
    "school": ("school", SCHOOL_MAX, True, False, True),
    "city": ("city", CITY_MAX, True, False, True),
    "meeting_point": ("meeting-point", MEETING_POINT_MAX, False, False, True),
    "details": ("details", DETAILS_MAX, False, True, False),
}


def clean_walkout_fields(**values: str | None) -> dict[str, str | None]:
    """Clean the given walkout fields (None = not given, left out) with the same rules for
    register and edit."""
    out: dict[str, str | None] = {}
    for key, value in values.items():
        if value is None:
            continue
        field, max_len, required, mentions, single_line = FIELD_RULES[key]
        out[key] = clean_field(
            value,
            field=field,
            max_len=max_len,
            required=required,
            allow_mentions=mentions,
            single_line=single_line,
        )
    return out


def parse_walkout_ref(text: str) -> int:
    """``"12"``, ``"#12"`` or an autocomplete value -> 12; anything else is not a walkout."""
    raw = text.strip().lstrip("#").split(" ", 1)[0]
    if not raw.isdigit() or len(raw) > 18:
        raise UserError("error.walkout.not_found", ref=fit(text, 40))
    return int(raw)


class Walkouts(commands.Cog):
    """The walkout registry: one row per planned walkout, announced with an RSVP button."""

    walkout = app_commands.Group(
        name="walkout",
        description="Register, find and RSVP to walkouts",
        guild_only=True,
    )

    def __init__(self, bot: WalkoutBot) -> None:
        self.bot = bot
        # Announcement refreshes in flight, one per walkout (see schedule_refresh).
        self._refreshing: dict[int, asyncio.Task[None]] = {}
        self._stale: set[int] = set()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RsvpButton, CalendarButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(RsvpButton, CalendarButton)
        for task in self._refreshing.values():
            task.cancel()

    # ----------------------------------------------------------------- helpers

    def now(self) -> datetime:
        return self.bot.clock()

    async def _zone(
        self, guild_id: int, option: str | None, fallback: str | None = None
    ) -> ZoneInfo:
        """The walkout's zone: the option, else the walkout's own, else the server's."""
        if option:
            return resolve_zone(option)
        if fallback:
            return ZoneInfo(fallback)
        config = await self.bot.guild_config.get(guild_id)
        if not config.timezone:
            raise UserError("error.zone.missing")
        return ZoneInfo(config.timezone)

    async def _walkout(self, s: AsyncSession, guild_id: int, ref: str) -> Walkout:
        w = await walkouts_db.get(s, guild_id, parse_walkout_ref(ref))
        if w is None:
            raise UserError("error.walkout.not_found", ref=fit(ref, 40))
        return w

    def _check_manage(self, itx: discord.Interaction, w: Walkout) -> None:
        mod = is_moderator(itx.permissions.value)
        if not can_manage_walkout(user_id=itx.user.id, registrant_id=w.registrant_id, is_mod=mod):
            raise UserError("error.permission.manage_walkout", id=w.id)

    def _member_key(self, guild_id: int, user_id: int) -> str:
        return member_key(self.bot.secret, guild_id, user_id, "rsvp")

    async def _announce_payload(
        self, s: AsyncSession, walkout_id: int, guild_id: int, lang: str
    ) -> tuple[Walkout, discord.Embed, discord.ui.View]:
        """The walkout as it is now, its embed and its buttons (one query)."""
        found = await walkouts_db.get_with_rsvps(s, guild_id, walkout_id)
        if found is None:
            raise UserError("error.walkout.not_found", ref=f"#{walkout_id}")
        w, count = found
        action_name = w.action.name if w.action else None
        embed = render.announcement(w, lang=lang, rsvps=count, action_name=action_name)
        return w, embed, announcement_view(w.id, lang=lang, open_=not w.is_cancelled)

    async def refresh_announcement(self, w: Walkout, lang: str) -> None:
        """Bring the public announcement in line with the row (best effort, logged on failure)."""
        if not (w.channel_id and w.message_id):
            return
        async with self.bot.db() as s:
            _, embed, view = await self._announce_payload(s, w.id, w.guild_id, lang)
        channel = self.bot.get_partial_messageable(w.channel_id, guild_id=w.guild_id)
        try:
            await channel.get_partial_message(w.message_id).edit(embed=embed, view=view)
        except discord.NotFound:
            log.info("announcement for walkout %s was deleted; forgetting it", w.id)
            async with self.bot.db.begin() as s:
                row = await walkouts_db.get(s, w.guild_id, w.id)
                if row is not None:
                    await walkouts_db.set_announcement(s, row, channel_id=None, message_id=None)
        except discord.HTTPException:
            log.warning("could not update the announcement of walkout %s", w.id, exc_info=True)

    def schedule_refresh(self, w: Walkout, lang: str, *, delay: float = 0.0) -> asyncio.Task[None]:
        """Refresh the announcement (after ``delay`` seconds) and return the task doing it.

        One refresh per walkout runs at a time; asking while one is pending or running marks it
        stale, so it runs once more afterwards and reads the state as it is then. Every change
        (RSVP, edit, cancel) goes through here, so an older refresh never lands after a newer
        one. RSVPs pass a short delay: a burst of clicks then costs one or two edits, not one
        each (Discord allows about five edits per channel every five seconds).
        """
        task = self._refreshing.get(w.id)
        if task is not None:
            self._stale.add(w.id)
            return task
        task = asyncio.create_task(
            self._refresh_until_fresh(w, lang, delay), name=f"refresh-{w.id}"
        )
        self._refreshing[w.id] = task
        return task

    async def _refresh_until_fresh(self, w: Walkout, lang: str, delay: float) -> None:
        try:
            if delay:
                await asyncio.sleep(delay)
            while True:
                self._stale.discard(w.id)
                await self.refresh_announcement(w, lang)
                if w.id not in self._stale:
                    return
        except Exception:
            log.exception("refreshing the announcement of walkout %s failed", w.id)
        finally:
            self._refreshing.pop(w.id, None)
            self._stale.discard(w.id)

    async def _after_commit(self, what: str, w: Walkout, step: Awaitable[object]) -> None:
        """Side effects after a walkout change is committed (announcement, Discord event) are
        best effort: they are logged when they fail, and the user still hears it succeeded."""
        try:
            await step
        except Exception:
            log.exception("%s failed for walkout %s", what, w.id)

    def _resolve_start(
        self, when: str | None, action: NationalAction | None, zone: ZoneInfo
    ) -> When | datetime:
        if when:
            return parse_when(when, zone, now=self.now())
        if action is not None:
            return check_registrable(action.local_date, action.local_time, zone, now=self.now())
        raise UserError("error.when.missing")

    # ---------------------------------------------------------------- register

    @walkout.command(name="register", description="Register a planned walkout and announce it")
    @app_commands.rename(meeting_point="meeting-point")
    @app_commands.describe(
        school="School name",
        city="City",
        when='Local start, e.g. "2027-02-12 14:00" or "Feb 12 2pm"',
        timezone="Time zone of the school (default: the server's)",
        meeting_point="Where to meet",
        action="National action this walkout joins (its local time is used if no time given)",
        details="Demands and anything else people should know",
    )
    async def register(
        self,
        itx: discord.Interaction,
        school: app_commands.Range[str, 1, SCHOOL_MAX],
        city: app_commands.Range[str, 1, CITY_MAX],
        when: app_commands.Range[str, 1, 100] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        meeting_point: app_commands.Range[str, 1, MEETING_POINT_MAX] | None = None,
        action: app_commands.Range[str, 1, 100] | None = None,
        details: app_commands.Range[str, 1, DETAILS_MAX] | None = None,
    ) -> None:
        assert itx.guild_id is not None
        lang = lang_of(itx)
        fields = {"meeting_point": None, "details": None} | clean_walkout_fields(
            school=school, city=city, meeting_point=meeting_point, details=details
        )
        config = await self.bot.guild_config.get(itx.guild_id)
        role_ids = [r.id for r in getattr(itx.user, "roles", [])]
        if not can_register(
            is_mod=is_moderator(itx.permissions.value),
            role_ids=role_ids,
            organizer_role_id=config.organizer_role_id,
        ):
            raise UserError("error.permission.organizer")
        zone = await self._zone(itx.guild_id, timezone)
        action_row = None
        if action:
            async with self.bot.db() as s:
                action_row = await find_action(s, itx.guild_id, action)
        parsed = self._resolve_start(when, action_row, zone)
        start = parsed.start if isinstance(parsed, When) else parsed
        channel_id = config.announcements_channel_id or itx.channel_id
        assert channel_id is not None

        await itx.response.defer(ephemeral=True, thinking=True)
        announce_lang = guild_lang_of(itx)
        async with self.bot.db.begin() as s:
            w = await walkouts_db.create(
                s,
                guild_id=itx.guild_id,
                starts_at=start,
                ends_at=start + DEFAULT_DURATION,
                timezone=zone.key,
                action_id=action_row.id if action_row else None,
                registrant_id=itx.user.id,
                **fields,
            )
        try:
            async with self.bot.db() as s:
                _, embed, view = await self._announce_payload(s, w.id, itx.guild_id, announce_lang)
            channel = self.bot.get_partial_messageable(channel_id, guild_id=itx.guild_id)
            message = await channel.send(embed=embed, view=view)
        except Exception as exc:
            # Nothing half-way: without an announcement the walkout is not registered.
            async with self.bot.db.begin() as s:
                row = await walkouts_db.get(s, itx.guild_id, w.id)
                if row is not None:
                    await s.delete(row)
            if not isinstance(exc, discord.HTTPException):
                raise
            log.warning("announcement failed in channel %s: %s", channel_id, exc)
            raise UserError("error.announce_failed", channel=f"<#{channel_id}>") from exc
        async with self.bot.db.begin() as s:
            row = await walkouts_db.get(s, itx.guild_id, w.id)
            assert row is not None
            await walkouts_db.set_announcement(s, row, channel_id=channel_id, message_id=message.id)
            w = row

        event_note: str | None = None
        try:
            event_note = await events.create_for(self.bot, itx, w)
        except Exception:
            log.exception("scheduled event failed for walkout %s", w.id)
        lines = [
            t("walkout.registered", lang, id=w.id, school=w.school, link=message.jump_url),
            render.when_value(w.starts_at, w.timezone),
        ]
        if isinstance(parsed, When) and parsed.ambiguous and parsed.other is not None:
            lines.append(
                t(
                    "walkout.ambiguous",
                    lang,
                    chosen=render.local_label(parsed.start, w.timezone),
                    other=render.local_label(parsed.other, w.timezone),
                )
            )
        if event_note:
            lines.append(t(event_note, lang))
        await itx.followup.send("\n".join(lines), ephemeral=True)

    # -------------------------------------------------------------------- list

    @walkout.command(name="list", description="List walkouts in this server")
    @app_commands.describe(scope="Which walkouts (default: upcoming)", city="Only this city")
    @app_commands.choices(
        scope=[
            app_commands.Choice(name="upcoming", value="upcoming"),
            app_commands.Choice(name="past", value="past"),
            app_commands.Choice(name="all", value="all"),
        ]
    )
    async def list_(
        self,
        itx: discord.Interaction,
        scope: str = "upcoming",
        city: app_commands.Range[str, 1, CITY_MAX] | None = None,
    ) -> None:
        assert itx.guild_id is not None
        guild_id = itx.guild_id
        lang = lang_of(itx)
        if scope not in ("upcoming", "past", "all"):
            scope = "upcoming"
        city_filter = (city or "").strip() or None

        async def render_page(page: int) -> tuple[discord.Embed, int]:
            async with self.bot.db() as s:
                page_rows, total = await walkouts_db.list_page_with_rsvps(
                    s,
                    guild_id,
                    scope=scope,  # type: ignore[arg-type]
                    now=self.now(),
                    city=city_filter,
                    offset=(page - 1) * PAGE_SIZE,
                    limit=PAGE_SIZE,
                )
            rows = [w for w, _ in page_rows]
            counts = {w.id: n for w, n in page_rows}
            pages = max(1, math.ceil(total / PAGE_SIZE))
            embed = render.list_embed(
                rows,
                counts=counts,
                lang=lang,
                scope=scope,
                city=city_filter,
                page=page,
                pages=pages,
                total=total,
            )
            return embed, pages

        embed, pages = await render_page(1)
        if pages > 1:
            view = Pager(
                origin=itx,
                lang=lang,
                page=1,
                pages=pages,
                render=render_page,
                timeout=PAGER_TIMEOUT,
            )
            await itx.response.send_message(embed=embed, view=view, ephemeral=True)
        else:
            await itx.response.send_message(embed=embed, ephemeral=True)

    # -------------------------------------------------------------------- info

    @walkout.command(name="info", description="Show one walkout")
    @app_commands.describe(walkout="The walkout (type a school, city or #id)")
    async def info(
        self, itx: discord.Interaction, walkout: app_commands.Range[str, 1, 100]
    ) -> None:
        assert itx.guild_id is not None
        lang = lang_of(itx)
        async with self.bot.db() as s:
            w, embed, _ = await self._announce_payload(
                s, parse_walkout_ref(walkout), itx.guild_id, lang
            )
        if w.channel_id and w.message_id:
            embed.url = f"https://discord.com/channels/{w.guild_id}/{w.channel_id}/{w.message_id}"
        view = discord.ui.View(timeout=None)
        view.add_item(CalendarButton(w.id, lang=lang))
        await itx.response.send_message(embed=embed, view=view, ephemeral=True)

    # -------------------------------------------------------------------- edit

    @walkout.command(name="edit", description="Change a walkout you registered")
    @app_commands.rename(meeting_point="meeting-point")
    @app_commands.describe(
        walkout="The walkout to change",
        school="New school name",
        city="New city",
        when="New local start time",
        timezone="New time zone (keeps the local time unless 'when' is given)",
        meeting_point="New meeting point",
        action="Attach to a national action",
        details="New details",
    )
    async def edit(
        self,
        itx: discord.Interaction,
        walkout: app_commands.Range[str, 1, 100],
        school: app_commands.Range[str, 1, SCHOOL_MAX] | None = None,
        city: app_commands.Range[str, 1, CITY_MAX] | None = None,
        when: app_commands.Range[str, 1, 100] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        meeting_point: app_commands.Range[str, 1, MEETING_POINT_MAX] | None = None,
        action: app_commands.Range[str, 1, 100] | None = None,
        details: app_commands.Range[str, 1, DETAILS_MAX] | None = None,
    ) -> None:
        assert itx.guild_id is not None
        lang = lang_of(itx)
        changes: dict[str, object] = clean_walkout_fields(
            school=school, city=city, meeting_point=meeting_point, details=details
        )
        async with self.bot.db() as s:
            w = await self._walkout(s, itx.guild_id, walkout)
            self._check_manage(itx, w)
            if w.is_cancelled:
                raise UserError("error.walkout.cancelled", id=w.id)
            zone = await self._zone(itx.guild_id, timezone, fallback=w.timezone)
            action_row = await find_action(s, itx.guild_id, action) if action else None
        parsed: When | datetime | None = None
        if when or action_row is not None:
            parsed = self._resolve_start(when, action_row, zone)
        elif timezone:
            # Same wall-clock time, new zone: "it's 2 PM local, I picked the wrong zone".
            local = w.starts_at.astimezone(ZoneInfo(w.timezone)).replace(tzinfo=None)
            parsed = parse_when(f"{local:%Y-%m-%d %H:%M}", zone, now=self.now())
        if parsed is not None:
            start = parsed.start if isinstance(parsed, When) else parsed
            changes.update(starts_at=start, ends_at=start + (w.ends_at - w.starts_at))
        if timezone:
            changes["timezone"] = zone.key
        if action_row is not None:
            changes["action_id"] = action_row.id
        if not changes:
            raise UserError("error.edit.nothing")

        await itx.response.defer(ephemeral=True, thinking=True)
        async with self.bot.db.begin() as s:
            row = await walkouts_db.get(s, itx.guild_id, w.id)
            if row is None:
                raise UserError("error.walkout.not_found", ref=walkout)
            await walkouts_db.update(s, row, now=self.now(), **changes)
            w = row
        await self._after_commit("announcement", w, self.schedule_refresh(w, guild_lang_of(itx)))
        await self._after_commit(
            "event update", w, events.update_for(self.bot, w, guild_lang_of(itx))
        )
        await itx.followup.send(
            t("walkout.edited", lang, id=w.id, school=w.school)
            + "\n"
            + render.when_value(w.starts_at, w.timezone),
            ephemeral=True,
        )

    # ------------------------------------------------------------------ cancel

    @walkout.command(name="cancel", description="Cancel a walkout you registered")
    @app_commands.describe(
        walkout="The walkout to cancel", reason="Why (shown on the announcement)"
    )
    async def cancel(
        self,
        itx: discord.Interaction,
        walkout: app_commands.Range[str, 1, 100],
        reason: app_commands.Range[str, 1, REASON_MAX] | None = None,
    ) -> None:
        assert itx.guild_id is not None
        lang = lang_of(itx)
        why = clean_field(reason, field="reason", max_len=REASON_MAX, required=False)
        async with self.bot.db() as s:
            w = await self._walkout(s, itx.guild_id, walkout)
            self._check_manage(itx, w)
            if w.is_cancelled:
                raise UserError("error.walkout.cancelled", id=w.id)
        await itx.response.defer(ephemeral=True, thinking=True)
        async with self.bot.db.begin() as s:
            row = await walkouts_db.get(s, itx.guild_id, w.id)
            if row is None:
                raise UserError("error.walkout.not_found", ref=walkout)
            await walkouts_db.cancel(s, row, reason=why, now=self.now())
            w = row
        await self._after_commit("announcement", w, self.schedule_refresh(w, guild_lang_of(itx)))
        await self._after_commit("event cancel", w, events.cancel_for(self.bot, w))
        await itx.followup.send(
            t("walkout.cancelled", lang, id=w.id, school=w.school), ephemeral=True
        )

    # -------------------------------------------------------------------- join

    @walkout.command(name="join", description="RSVP to a walkout (run again to undo)")
    @app_commands.describe(walkout="The walkout")
    async def join(
        self, itx: discord.Interaction, walkout: app_commands.Range[str, 1, 100]
    ) -> None:
        assert itx.guild_id is not None
        await self.toggle_rsvp(itx, parse_walkout_ref(walkout), ref=walkout)

    async def toggle_rsvp(self, itx: discord.Interaction, walkout_id: int, ref: str = "") -> None:
        """Shared by /walkout join and the RSVP button: toggle, confirm privately, recount."""
        if itx.guild_id is None:
            raise UserError("error.guild_only")
        lang = lang_of(itx)
        async with self.bot.db.begin() as s:
            w = await walkouts_db.get(s, itx.guild_id, walkout_id)
            if w is None:
                raise UserError("error.walkout.not_found", ref=fit(ref or f"#{walkout_id}", 40))
            if w.is_cancelled:
                raise UserError("error.walkout.cancelled", id=w.id)
            if w.ends_at <= self.now():
                raise UserError("error.walkout.over", id=w.id)
            going = await walkouts_db.toggle_rsvp(
                s, w.id, self._member_key(itx.guild_id, itx.user.id)
            )
        key = "walkout.rsvp.going" if going else "walkout.rsvp.not_going"
        await itx.response.send_message(t(key, lang, school=w.school, id=w.id), ephemeral=True)
        self.schedule_refresh(w, guild_lang_of(itx), delay=RSVP_REFRESH_DELAY)

    # ---------------------------------------------------------------- calendar

    async def send_calendar(self, itx: discord.Interaction, walkout_id: int) -> None:
        """The "Add to calendar" button: an .ics file for this walkout, only for the clicker."""
        if itx.guild_id is None:
            raise UserError("error.guild_only")
        lang = lang_of(itx)
        async with self.bot.db() as s:
            w = await walkouts_db.get(s, itx.guild_id, walkout_id)
        if w is None:
            raise UserError("error.walkout.not_found", ref=f"#{walkout_id}")
        url = None
        if w.channel_id and w.message_id:
            url = f"https://discord.com/channels/{w.guild_id}/{w.channel_id}/{w.message_id}"
        data = walkout_ics(
            uid=f"walkout-{w.id}-{w.guild_id}@walkout-bot",
            summary=t("walkout.embed.title", lang, school=w.school),
            school=w.school,
            city=w.city,
            starts_at=w.starts_at,
            ends_at=w.ends_at,
            zone=w.timezone,
            meeting_point=w.meeting_point,
            details=w.details,
            url=url,
            now=self.now(),
            cancelled=w.is_cancelled,
            # Each edit stamps updated_at, so a re-downloaded file supersedes the older one.
            sequence=int(w.updated_at.timestamp()) if w.updated_at else None,
        )
        file = discord.File(io.BytesIO(data), filename=f"walkout-{w.id}.ics")
        await itx.response.send_message(
            t("walkout.calendar", lang, school=w.school), file=file, ephemeral=True
        )

    # ------------------------------------------------------------ autocomplete

    @info.autocomplete("walkout")
    @edit.autocomplete("walkout")
    @cancel.autocomplete("walkout")
    @join.autocomplete("walkout")
    async def walkout_autocomplete(
        self, itx: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if itx.guild_id is None:
            return []
        async with self.bot.db() as s:
            rows = await walkouts_db.search(s, itx.guild_id, current, now=self.now(), limit=25)
        return [app_commands.Choice(name=render.choice_label(w), value=str(w.id)) for w in rows]

    @register.autocomplete("timezone")
    @edit.autocomplete("timezone")
    async def timezone_autocomplete(
        self, itx: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in search_zones(current, limit=25)]

    @register.autocomplete("action")
    @edit.autocomplete("action")
    async def action_autocomplete(
        self, itx: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if itx.guild_id is None:
            return []
        async with self.bot.db() as s:
            rows = await actions_db.list_for_guild(s, itx.guild_id)
        return [
            app_commands.Choice(name=name, value=value)
            for name, value in action_choices(rows, current)
        ]

    @register.autocomplete("when")
    @edit.autocomplete("when")
    async def when_autocomplete(
        self, itx: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Echo the instant we understood, so people see "Fri 2027-02-12 14:00 EST" as they type."""
        if itx.guild_id is None or not current.strip():
            return []
        lang = lang_of(itx)
        value = current[:CHOICE_VALUE_MAX]
        try:
            zone_opt = getattr(itx.namespace, "timezone", None)
            fallback = None
            ref = getattr(itx.namespace, "walkout", None)
            if ref and not zone_opt:  # /walkout edit: read the time in the walkout's own zone
                try:
                    async with self.bot.db() as s:
                        w = await walkouts_db.get(s, itx.guild_id, parse_walkout_ref(str(ref)))
                    fallback = w.timezone if w else None
                except UserError:
                    pass
            zone = await self._zone(itx.guild_id, zone_opt, fallback=fallback)
            parsed = parse_when(current, zone, now=self.now())
        except UserError as exc:
            warning = "⚠ " + user_error_text(exc, lang)
            return [app_commands.Choice(name=fit(warning, 100), value=value)]
        local = parsed.local
        weekday = t(f"weekday.{local.weekday()}", lang)
        label = f"{weekday} {local:%Y-%m-%d %H:%M} {local.tzname()} ({zone.key})"
        if parsed.ambiguous:
            label += " " + t("walkout.ambiguous_short", lang)
        return [app_commands.Choice(name=fit(label, 100), value=f"{local:%Y-%m-%d %H:%M}")]
