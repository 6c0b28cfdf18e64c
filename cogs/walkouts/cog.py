"""/walkout: register, list, info, edit, cancel and join walkouts; the announcement buttons.

Discord glue only: the lifecycle (register, edit, cancel, RSVP and their transactions) is in
``service.py``; parsing, permissions, time math and text live in the pure modules next door.
This module reads options, calls the service, and renders its answers.
"""

from __future__ import annotations

import asyncio
import io
import logging
import math
from datetime import datetime
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from cogs.actions.lookup import action_choices
from cogs.common.interactions import (
    answer_soon,
    guild_lang_of,
    lang_of,
    reply,
    user_error_text,
)
from cogs.common.pager import send_paged
from cogs.common.services import Services
from cogs.setup.zones import resolve_zone, search_zones
from cogs.walkouts import render
from cogs.walkouts.events import EventMirror
from cogs.walkouts.ics import walkout_ics
from cogs.walkouts.lookup import parse_walkout_ref, walkout_choices
from cogs.walkouts.render import message_url
from cogs.walkouts.service import (
    Actor,
    AnnounceFailed,
    Changes,
    Draft,
    Posted,
    WalkoutService,
    decided_error,
)
from cogs.walkouts.views import (
    ApproveButton,
    CalendarButton,
    RejectButton,
    RejectModal,
    RsvpButton,
    announcement_view,
    review_view,
)
from cogs.walkouts.when import parse_when
from core.coalesce import Coalescer
from core.errors import UserError
from core.permissions import is_moderator, require_moderator
from core.text import CHOICE_VALUE_MAX, MESSAGE_CONTENT_MAX, clean_field, fit
from core.visibility import PUBLIC, SCHEDULED, WITHDRAWN, Shown, Viewer
from db import actions as actions_db
from db import maintenance as maintenance_db
from db import walkouts as walkouts_db
from db.models import (
    CITY_MAX,
    DETAILS_MAX,
    MEETING_POINT_MAX,
    REASON_MAX,
    SCHOOL_MAX,
    Walkout,
)
from messages import normalize_locale, t

log = logging.getLogger(__name__)

PAGE_SIZE = 10
REVIEW_MAX = 5  # walkouts per /walkout review message: one row of buttons each
RSVP_REFRESH_DELAY = 0.75  # seconds a burst of RSVPs may gather before the announcement is edited


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


def actor_of(itx: discord.Interaction) -> Actor:
    """What the permission rules need to know about the member behind ``itx``."""
    return Actor(
        user_id=itx.user.id,
        is_mod=is_moderator(itx.permissions.value),
        role_ids=tuple(role.id for role in getattr(itx.user, "roles", [])),
    )


class DiscordAnnouncer:
    """The lifecycle's Discord side (see ``service.Announcer``) for one interaction: public
    posts in the server's language, events with the bot's permissions in that server."""

    def __init__(self, cog: Walkouts, itx: discord.Interaction) -> None:
        self.cog = cog
        self.itx = itx
        self.lang = guild_lang_of(itx)

    async def post(self, walkout: Walkout, channel_id: int) -> Posted:
        # Rendered as what it is about to be (scheduled), not what it is while being announced.
        shown = await self.cog.guild_config.shown(PUBLIC, walkout, status=SCHEDULED)
        embed, view = self.cog.announcement(walkout, rsvps=0, lang=self.lang, shown=shown)
        channel = self.cog.bot.get_partial_messageable(channel_id, guild_id=walkout.guild_id)
        try:
            message = await channel.send(embed=embed, view=view)
        except discord.HTTPException as exc:
            log.warning("announcement failed in channel %s: %s", channel_id, exc)
            raise AnnounceFailed(channel_id) from exc
        return Posted(channel_id=channel_id, message_id=message.id, url=message.jump_url)

    async def retract(self, posted: Posted) -> None:
        channel = self.cog.bot.get_partial_messageable(posted.channel_id)
        await channel.get_partial_message(posted.message_id).delete()

    async def created(self, walkout: Walkout) -> str | None:
        return await self.cog.events.create_for(
            walkout, app_permissions=self.itx.app_permissions, lang=self.lang
        )

    async def changed(self, walkout: Walkout) -> None:
        await self.cog.refresh(walkout, self.lang)
        await self.cog.events.update_for(walkout, self.lang)

    async def cancelled(self, walkout: Walkout) -> None:
        await self.cog.refresh(walkout, self.lang)
        await self.cog.events.cancel_for(walkout)

    async def counted(self, walkout: Walkout) -> None:
        self.cog.refresh_later(walkout, self.lang, delay=RSVP_REFRESH_DELAY)

    async def awaiting_approval(self, walkout: Walkout) -> None:
        config = await self.cog.guild_config.get(walkout.guild_id)
        if config.reports_channel_id is None:
            return  # moderators find it with /walkout review
        channel = self.cog.bot.get_partial_messageable(
            config.reports_channel_id, guild_id=walkout.guild_id
        )
        await channel.send(
            content=t("walkout.review.notice", self.lang),
            embed=render.review_embed(walkout, lang=self.lang),
            view=review_view(walkout.id, walkout.revision, lang=self.lang),
        )


class Walkouts(commands.Cog):
    """The walkout registry: one row per planned walkout, announced with an RSVP button."""

    walkout = app_commands.Group(
        name="walkout",
        description="Register, find and RSVP to walkouts",
        guild_only=True,
    )

    def __init__(self, bot: commands.Bot, services: Services) -> None:
        self.bot = bot
        self.db = services.db
        self.clock = services.clock
        self.guild_config = services.guild_config
        self.keys = services.keys
        self.service = WalkoutService(
            services.db,
            clock=services.clock,
            guild_config=services.guild_config,
            hooks=services.hooks,
        )
        self.events = EventMirror(bot, services)
        # One announcement edit per walkout at a time; bursts of RSVPs coalesce (core.coalesce).
        self.refresher: Coalescer[tuple[int, int], str] = Coalescer(
            self._refresh_announcement, name="announcement"
        )
        self._background: set[asyncio.Task[None]] = set()
        self._maintained = False

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RsvpButton, CalendarButton, ApproveButton, RejectButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(RsvpButton, CalendarButton, ApproveButton, RejectButton)
        self.refresher.cancel_all()
        for task in self._background:
            task.cancel()

    # ----------------------------------------------------------------- helpers

    def now(self) -> datetime:
        return self.clock()

    def announcement(
        self, w: Walkout, *, rsvps: int, lang: str, shown: Shown
    ) -> tuple[discord.Embed, discord.ui.View]:
        """The announcement of ``w`` as ``shown`` allows, and its buttons."""
        action_name = w.action.name if w.action else None
        embed = render.announcement(w, lang=lang, rsvps=rsvps, shown=shown, action_name=action_name)
        return embed, announcement_view(w.id, lang=lang, open_=not w.is_cancelled)

    async def viewer_of(self, itx: discord.Interaction, walkout_id: int | None = None) -> Viewer:
        """The member behind ``itx`` as a viewer; with ``walkout_id``, whether they're going."""
        assert itx.guild_id is not None
        going = False
        if walkout_id is not None:
            keys = self.keys.candidates(itx.guild_id, itx.user.id, "rsvp")
            async with self.db() as s:
                going = await walkouts_db.has_rsvp(s, walkout_id, keys)
        return Viewer(user_id=itx.user.id, is_mod=is_moderator(itx.permissions.value), going=going)

    def refresh(self, w: Walkout, lang: str) -> asyncio.Task[None]:
        """Bring the public announcement in line with the database (coalesced, see
        :class:`core.coalesce.Coalescer`: an older refresh never lands after a newer one)."""
        return self.refresher.request((w.guild_id, w.id), lang)

    def refresh_later(self, w: Walkout, lang: str, *, delay: float) -> asyncio.Task[None]:
        """Like :meth:`refresh` after ``delay`` seconds, so a burst of RSVPs costs one or two
        edits (Discord allows about five edits per channel every five seconds)."""
        return self.refresher.request((w.guild_id, w.id), lang, delay=delay)

    def guild_lang(self, guild_id: int) -> str:
        guild = self.bot.get_guild(guild_id)
        return normalize_locale(guild.preferred_locale if guild else None)

    async def republish(self, guild_id: int | None) -> int:
        """Re-render every posted announcement (past and cancelled ones too: they can still be
        read) and every upcoming event of the server, or of every server (``None``), as the
        rules of what a public post may show say now. The edits run in the background, paced by
        the refresher (one per walkout at a time). Returns how many walkouts are re-rendered."""
        count, after, now = 0, 0, self.now()
        while True:
            async with self.db() as s:
                page = await walkouts_db.posted(s, guild_id, after_id=after)
            if not page:
                return count
            for w in page:
                lang = self.guild_lang(w.guild_id)
                self.refresh(w, lang)
                if w.event_id is not None and not w.is_cancelled and w.ends_at > now:
                    task = asyncio.create_task(self.events.update_for(w, lang))
                    self._background.add(task)  # keep a reference until it is done
                    task.add_done_callback(self._background.discard)
            count += len(page)
            after = page[-1].id

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """A one-time job left by a migration: re-render every posted announcement (0006: they
        named their registrant and showed the meeting point). Done in the background; the job
        is cleared once every edit went out, so a crash half-way repeats it."""
        if self._maintained:
            return
        self._maintained = True
        async with self.db() as s:
            job = await maintenance_db.pending(s, maintenance_db.REPUBLISH)
        if job is None:
            return

        async def run() -> None:
            count = await self.republish(None)
            await self.refresher.idle()
            async with self.db.begin() as s:
                await maintenance_db.done(s, maintenance_db.REPUBLISH)
            log.info("re-rendered %d announcement(s) after the %s upgrade", count, job)

        task = asyncio.create_task(run())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _refresh_announcement(self, key: tuple[int, int], lang: str) -> None:
        guild_id, walkout_id = key
        async with self.db() as s:
            found = await walkouts_db.get_with_rsvps(s, guild_id, walkout_id)
        if found is None:
            return
        w, count = found
        if not (w.channel_id and w.message_id):
            return
        shown_now = await self.guild_config.shown(PUBLIC, w)
        embed, view = self.announcement(w, rsvps=count, lang=lang, shown=shown_now)
        channel = self.bot.get_partial_messageable(w.channel_id, guild_id=w.guild_id)
        try:
            await channel.get_partial_message(w.message_id).edit(embed=embed, view=view)
        except discord.NotFound:
            log.info("announcement for walkout %s was deleted; forgetting it", w.id)
            async with self.db.begin() as s:
                await walkouts_db.set_announcement(
                    s, guild_id, walkout_id, channel_id=None, message_id=None
                )
        except discord.HTTPException:
            log.warning("could not update the announcement of walkout %s", w.id, exc_info=True)

    async def _zone(
        self, guild_id: int, option: str | None, fallback: str | None = None
    ) -> ZoneInfo:
        """The walkout's zone: the option, else the walkout's own, else the server's."""
        if option:
            return resolve_zone(option)
        if fallback:
            return ZoneInfo(fallback)
        config = await self.guild_config.get(guild_id)
        if not config.timezone:
            raise UserError("error.zone.missing")
        return ZoneInfo(config.timezone)

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
        assert itx.guild_id is not None and itx.channel_id is not None
        lang = lang_of(itx)
        fields = clean_walkout_fields(
            school=school, city=city, meeting_point=meeting_point, details=details
        )
        draft = Draft(
            school=fields["school"] or "",
            city=fields["city"] or "",
            meeting_point=fields.get("meeting_point"),
            details=fields.get("details"),
            when=when,
            timezone=timezone,
            action=action,
        )
        done = await answer_soon(
            itx,
            self.service.register(
                itx.guild_id,
                actor_of(itx),
                draft,
                DiscordAnnouncer(self, itx),
                channel_id=itx.channel_id,
            ),
        )
        w = done.walkout
        if done.posted is None:  # the server asks for approval: nothing is public yet
            await reply(
                itx,
                content=t("walkout.waiting", lang, id=w.id, school=w.school)
                + "\n"
                + render.when_value(w.starts_at, w.timezone),
            )
            return
        lines = [
            t("walkout.registered", lang, id=w.id, school=w.school, link=done.posted.url),
            render.when_value(w.starts_at, w.timezone),
        ]
        if done.when is not None and done.when.ambiguous and done.when.other is not None:
            lines.append(
                t(
                    "walkout.ambiguous",
                    lang,
                    chosen=render.local_label(done.when.start, w.timezone),
                    other=render.local_label(done.when.other, w.timezone),
                )
            )
        if done.event_note:
            lines.append(t(done.event_note, lang))
        await reply(itx, content="\n".join(lines))

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
        viewer = await self.viewer_of(itx)

        async def render_page(page: int) -> tuple[discord.Embed, int]:
            async with self.db() as s:
                page_rows, total = await walkouts_db.list_page_with_rsvps(
                    s,
                    guild_id,
                    scope=scope,  # type: ignore[arg-type]
                    now=self.now(),
                    city=city_filter,
                    offset=(page - 1) * PAGE_SIZE,
                    limit=PAGE_SIZE,
                    viewer=viewer,
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

        await send_paged(itx, render_page, lang=lang, not_yours="walkout.list.not_yours")

    # -------------------------------------------------------------------- info

    @walkout.command(name="info", description="Show one walkout")
    @app_commands.describe(walkout="The walkout (type a school, city or #id)")
    async def info(
        self, itx: discord.Interaction, walkout: app_commands.Range[str, 1, 100]
    ) -> None:
        assert itx.guild_id is not None
        lang = lang_of(itx)
        member = await self.viewer_of(itx)
        async with self.db() as s:  # the walkout, its count and whether they're going: one query
            found = await walkouts_db.get_for_member(
                s,
                itx.guild_id,
                parse_walkout_ref(walkout),
                viewer=member,
                member_keys=self.keys.candidates(itx.guild_id, itx.user.id, "rsvp"),
            )
        if found is None:
            raise UserError("error.walkout.not_found", ref=fit(walkout, 40))
        w, count, going = found
        viewer = Viewer(user_id=member.user_id, is_mod=member.is_mod, going=going)
        embed, _ = self.announcement(
            w, rsvps=count, lang=lang, shown=await self.guild_config.shown(viewer, w)
        )
        embed.url = message_url(w)
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
        changes = Changes(
            text=clean_walkout_fields(
                school=school, city=city, meeting_point=meeting_point, details=details
            ),
            when=when,
            timezone=timezone,
            action=action,
        )
        done = await answer_soon(
            itx,
            self.service.edit(
                itx.guild_id,
                parse_walkout_ref(walkout),
                actor_of(itx),
                changes,
                DiscordAnnouncer(self, itx),
                ref=walkout,
            ),
        )
        w = done.walkout
        await reply(
            itx,
            content=t("walkout.edited", lang, id=w.id, school=w.school)
            + "\n"
            + render.when_value(w.starts_at, w.timezone),
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
        w = await answer_soon(
            itx,
            self.service.cancel(
                itx.guild_id,
                parse_walkout_ref(walkout),
                actor_of(itx),
                why,
                DiscordAnnouncer(self, itx),
                ref=walkout,
            ),
        )
        key = "walkout.withdrawn" if w.status == WITHDRAWN else "walkout.cancelled"
        await reply(itx, content=t(key, lang, id=w.id, school=w.school))

    # -------------------------------------------------------------------- join

    @walkout.command(name="join", description="RSVP to a walkout (run again to undo)")
    @app_commands.describe(walkout="The walkout")
    async def join(
        self, itx: discord.Interaction, walkout: app_commands.Range[str, 1, 100]
    ) -> None:
        await self.toggle_rsvp(itx, parse_walkout_ref(walkout), ref=walkout)

    async def toggle_rsvp(self, itx: discord.Interaction, walkout_id: int, ref: str = "") -> None:
        """Shared by /walkout join and the RSVP button: toggle, confirm privately, recount."""
        if itx.guild_id is None:
            raise UserError("error.guild_only")
        key, *older = self.keys.candidates(itx.guild_id, itx.user.id, "rsvp")
        done = await answer_soon(
            itx,
            self.service.toggle_rsvp(
                itx.guild_id,
                walkout_id,
                key,
                DiscordAnnouncer(self, itx),
                ref=ref,
                older_keys=older,
            ),
        )
        w = done.walkout
        lang = lang_of(itx)
        text_key = "walkout.rsvp.going" if done.going else "walkout.rsvp.not_going"
        lines = [t(text_key, lang, school=w.school, id=w.id)]
        if done.going and w.meeting_point:
            viewer = Viewer(
                user_id=itx.user.id, is_mod=is_moderator(itx.permissions.value), going=True
            )
            if (await self.guild_config.shown(viewer, w)).meeting_point:
                lines.append(t("walkout.rsvp.meeting_point", lang, place=w.meeting_point))
        await reply(itx, content="\n".join(lines))

    # ---------------------------------------------------------------- approval

    @walkout.command(name="review", description="Walkouts waiting for approval (moderators)")
    async def review(self, itx: discord.Interaction) -> None:
        require_moderator(itx.permissions.value)
        assert itx.guild_id is not None
        lang = lang_of(itx)
        async with self.db() as s:
            waiting = await walkouts_db.awaiting_approval(s, itx.guild_id, limit=REVIEW_MAX + 1)
        if not waiting:
            await reply(itx, content=t("walkout.review.none", lang))
            return
        shown_now, more = waiting[:REVIEW_MAX], len(waiting) > REVIEW_MAX
        view = discord.ui.View(timeout=None)
        for w in shown_now:  # one row of Approve / Reject per walkout, in embed order
            view.add_item(ApproveButton(w.id, w.revision, lang=lang))
            view.add_item(RejectButton(w.id, lang=lang))
        text = t("walkout.review.more" if more else "walkout.review.count", lang, n=len(waiting))
        await reply(
            itx,
            content=text,
            embeds=[render.review_embed(w, lang=lang) for w in shown_now],
            view=view,
        )

    async def approve_clicked(
        self, itx: discord.Interaction, walkout_id: int, revision: int | None = None
    ) -> None:
        """Approve / the button: announce it as a direct registration would."""
        if itx.guild_id is None:
            raise UserError("error.guild_only")
        lang = lang_of(itx)
        await itx.response.defer()  # the click's own message is updated once it's decided
        done = await self.service.approve(
            itx.guild_id, walkout_id, actor_of(itx), DiscordAnnouncer(self, itx), revision=revision
        )
        w = done.walkout
        await self._mark_decided(itx, walkout_id, "walkout.review.approved")
        assert done.posted is not None
        await itx.followup.send(
            t(
                "walkout.review.approved_reply",
                lang,
                id=w.id,
                school=w.school,
                link=done.posted.url,
            ),
            ephemeral=True,
        )

    async def reject_clicked(self, itx: discord.Interaction, walkout_id: int) -> None:
        """Reject / the button: checks first, then asks for an optional reason."""
        if itx.guild_id is None:
            raise UserError("error.guild_only")
        require_moderator(itx.permissions.value)
        async with self.db() as s:
            w = await walkouts_db.get(s, itx.guild_id, walkout_id, viewer=None)
            if w is None or not w.is_pending_approval:
                raise await decided_error(s, itx.guild_id, walkout_id)
        await itx.response.send_modal(RejectModal(walkout_id, lang=lang_of(itx), school=w.school))

    async def reject_submitted(
        self, itx: discord.Interaction, walkout_id: int, reason: str
    ) -> None:
        """The reject form: decide, tell the registrant once by DM, forget both."""
        assert itx.guild_id is not None
        lang = lang_of(itx)
        why = clean_field(reason, field="reason", max_len=REASON_MAX, required=False)
        done = await self.service.reject(itx.guild_id, walkout_id, actor_of(itx))
        # The first answer updates the message whose button opened the form; then the DM.
        await self._mark_decided(itx, walkout_id, "walkout.review.rejected")
        if not itx.response.is_done():
            await itx.response.defer(ephemeral=True, thinking=True)
        told = False
        if done.registrant_id is not None:
            told = await self._tell_registrant(done.registrant_id, done.walkout, why, itx)
        key = "walkout.review.rejected_told" if told else "walkout.review.rejected_untold"
        await itx.followup.send(
            t(key, lang, id=walkout_id, school=done.walkout.school), ephemeral=True
        )

    async def _tell_registrant(
        self, user_id: int, w: Walkout, reason: str | None, itx: discord.Interaction
    ) -> bool:
        lang = guild_lang_of(itx)
        text = t("walkout.review.rejected_dm", lang, school=w.school, id=w.id)
        if reason:
            text += "\n" + t("walkout.review.reason_dm", lang, reason=reason)
        try:
            dm = await self.bot.create_dm(discord.Object(user_id))
            await dm.send(fit(text, MESSAGE_CONTENT_MAX))
        except discord.HTTPException:
            log.info("could not tell the registrant of walkout %s it was rejected", w.id)
            return False
        return True

    async def _mark_decided(self, itx: discord.Interaction, walkout_id: int, decided: str) -> None:
        """Take the buttons off the message that was clicked (the notice, or a review list)."""
        if itx.message is None:
            return
        lang = guild_lang_of(itx)
        try:
            async with self.db() as s:
                w = await walkouts_db.get(
                    s, itx.message.guild.id if itx.message.guild else 0, walkout_id, viewer=None
                )
            embeds = list(itx.message.embeds)
            if w is not None and len(embeds) == 1:
                embeds = [render.review_embed(w, lang=lang, decided=decided)]
            view = discord.ui.View.from_message(itx.message, timeout=None)
            for item in list(view.children):
                parts = (getattr(item, "custom_id", "") or "").split(":")
                if parts[:2] in (["walkout", "approve"], ["walkout", "reject"]) and parts[2:3] == [
                    str(walkout_id)
                ]:
                    view.remove_item(item)
            if itx.response.is_done():  # a deferred click: its own message is the original
                await itx.edit_original_response(embeds=embeds, view=view)
            else:  # a form opened from the message: update that message as the answer
                await itx.response.edit_message(embeds=embeds, view=view)
        except discord.HTTPException:
            log.info("could not update the review message for walkout %s", walkout_id)

    # ---------------------------------------------------------------- calendar

    async def send_calendar(self, itx: discord.Interaction, walkout_id: int) -> None:
        """The "Add to calendar" button: an .ics file for this walkout, only for the clicker."""
        if itx.guild_id is None:
            raise UserError("error.guild_only")
        lang = lang_of(itx)
        viewer = await self.viewer_of(itx, walkout_id)
        async with self.db() as s:
            w = await walkouts_db.get(s, itx.guild_id, walkout_id, viewer=viewer)
        if w is None:
            raise UserError("error.walkout.not_found", ref=f"#{walkout_id}")
        allowed = await self.guild_config.shown(viewer, w)
        data = walkout_ics(
            uid=f"walkout-{w.id}-{w.guild_id}@walkout-bot",
            summary=t("walkout.embed.title", lang, school=w.school),
            school=w.school,
            city=w.city,
            starts_at=w.starts_at,
            ends_at=w.ends_at,
            zone=w.timezone,
            meeting_point=w.meeting_point if allowed.meeting_point else None,
            details=w.details,
            url=message_url(w),
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
        return await walkout_choices(
            self.db, itx.guild_id, current, now=self.now(), viewer=await self.viewer_of(itx)
        )

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
        async with self.db() as s:
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
                    viewer = await self.viewer_of(itx)  # their own waiting walkout too
                    async with self.db() as s:
                        w = await walkouts_db.get(
                            s, itx.guild_id, parse_walkout_ref(str(ref)), viewer=viewer
                        )
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
