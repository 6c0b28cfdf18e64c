"""/setup: per-server configuration, moderators only (checked by Discord AND again here)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from cogs.common.guild_config import GuildConfig
from cogs.common.interactions import answer_soon, lang_of, reply
from cogs.common.services import Services
from cogs.reminders.offsets import format_offsets, parse_offsets
from cogs.reminders.planner import offsets_of, set_offsets
from cogs.setup.zones import resolve_zone, search_zones
from cogs.walkouts.events import can_manage_events
from core.errors import UserError
from core.permissions import require_moderator
from db import guilds as guilds_db
from db.models import RETENTION_DAYS_MAX
from messages import t

COLOR = discord.Colour(0x1565C0)
PER_HOUR_MAX = 100


def is_public(channel: discord.abc.GuildChannel) -> bool:
    """Whether every member (@everyone) can read the channel."""
    return channel.permissions_for(channel.guild.default_role).view_channel


def settings_embed(
    settings: GuildConfig,
    *,
    lang: str,
    events_ok: bool,
    can_post_here: bool,
    reports_public: bool = False,
) -> discord.Embed:
    unset = t("setup.unset", lang)
    embed = discord.Embed(title=t("setup.show.title", lang), colour=COLOR)
    zone = settings.timezone
    embed.add_field(
        name=t("setup.show.timezone", lang), value=zone or t("setup.show.timezone_unset", lang)
    )
    ann = settings.announcements_channel_id
    embed.add_field(
        name=t("setup.show.announcements", lang),
        value=f"<#{ann}>" if ann else t("setup.show.announcements_unset", lang),
    )
    rep = settings.reports_channel_id
    reports = f"<#{rep}>" if rep else unset
    if reports_public:
        reports += "\n⚠ " + t("setup.show.reports_public", lang)
    embed.add_field(name=t("setup.show.reports", lang), value=reports)
    role = settings.organizer_role_id
    embed.add_field(
        name=t("setup.show.organizer_role", lang),
        value=f"<@&{role}>" if role else t("setup.show.everyone", lang),
    )
    if not events_ok:
        events = t("setup.events.no_permission", lang)
    elif settings.events_note:
        events = t(settings.events_note, lang)
    else:
        events = t("setup.events.ok", lang)
    embed.add_field(name=t("setup.show.events", lang), value=events, inline=False)
    offsets = format_offsets(offsets_of(settings))
    reminders = t(
        "setup.show.reminders_off" if offsets == "off" else "setup.show.reminders_on",
        lang,
        offsets=offsets,
    )
    if settings.reminder_role_id:
        reminders += "\n" + t(
            "setup.show.reminders_role", lang, role=f"<@&{settings.reminder_role_id}>"
        )
    if settings.reminders_note:
        reminders += "\n⚠ " + t(settings.reminders_note, lang)
    embed.add_field(name=t("setup.show.reminders", lang), value=reminders, inline=False)
    retention = (
        t("setup.show.retention_on", lang, days=settings.retention_days)
        if settings.retention_days
        else t("setup.show.retention_off", lang)
    )
    embed.add_field(name=t("setup.show.retention", lang), value=retention, inline=False)
    approval = t(
        "setup.show.approval_on" if settings.approval_required else "setup.show.approval_off",
        lang,
        per_hour=settings.registrations_per_hour,
    )
    embed.add_field(name=t("setup.show.approval", lang), value=approval, inline=False)
    meeting = t(
        "setup.show.meeting_point_public"
        if settings.meeting_point_public
        else "setup.show.meeting_point_going",
        lang,
    )
    embed.add_field(name=t("setup.show.meeting_point", lang), value=meeting, inline=False)
    if not can_post_here:
        embed.set_footer(text=t("setup.show.cannot_post", lang))
    return embed


class Setup(commands.Cog):
    """Server settings: time zone, announcement/report channels, who may register walkouts."""

    setup_group = app_commands.Group(
        name="setup",
        description="Configure walkout-bot for this server (moderators)",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: commands.Bot, services: Services) -> None:
        self.bot = bot
        self.db = services.db
        self.clock = services.clock
        self.guild_config = services.guild_config
        self.reminders = services.reminders

    @setup_group.command(name="show", description="Show this server's walkout-bot settings")
    async def show(self, itx: discord.Interaction) -> None:
        require_moderator(itx.permissions.value)
        assert itx.guild_id is not None
        settings = await self.guild_config.get(itx.guild_id)
        perms = itx.app_permissions
        reports = (
            itx.guild.get_channel(settings.reports_channel_id)
            if itx.guild is not None and settings.reports_channel_id
            else None
        )
        embed = settings_embed(
            settings,
            lang=lang_of(itx),
            events_ok=can_manage_events(perms),
            can_post_here=perms.send_messages and perms.embed_links,
            reports_public=reports is not None and is_public(reports),
        )
        await itx.response.send_message(embed=embed, ephemeral=True)

    @setup_group.command(name="timezone", description="Set the server's default time zone")
    @app_commands.describe(zone="IANA time zone, e.g. America/Detroit (start typing a city)")
    async def timezone(
        self, itx: discord.Interaction, zone: app_commands.Range[str, 1, 64]
    ) -> None:
        require_moderator(itx.permissions.value)
        assert itx.guild_id is not None
        tz = resolve_zone(zone)
        async with self.db.begin() as s:
            await guilds_db.set_timezone(s, itx.guild_id, tz.key, now=self.clock())
        self.guild_config.invalidate(itx.guild_id)
        await itx.response.send_message(
            t("setup.timezone.done", lang_of(itx), zone=tz.key), ephemeral=True
        )

    @timezone.autocomplete("zone")
    async def zone_autocomplete(
        self, itx: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in search_zones(current, limit=25)]

    @setup_group.command(name="channels", description="Choose where announcements and reports go")
    @app_commands.describe(
        announcements="Channel for walkout announcements",
        reports="Channel where moderators are told about new reports",
    )
    async def channels(
        self,
        itx: discord.Interaction,
        announcements: discord.TextChannel,
        reports: discord.TextChannel | None = None,
    ) -> None:
        require_moderator(itx.permissions.value)
        assert itx.guild_id is not None
        lang = lang_of(itx)
        for channel in (announcements, reports):
            if channel is None:
                continue
            perms = channel.permissions_for(channel.guild.me) if channel.guild.me else None
            if perms is not None and not (perms.send_messages and perms.embed_links):
                raise UserError("error.setup.channel_forbidden", channel=channel.mention)
        if reports is not None and is_public(reports):
            # Approval requests name registrants and show meeting points; named reports name
            # their reporter: none of it may land where every member reads.
            raise UserError("error.setup.reports_public", channel=reports.mention)
        async with self.db.begin() as s:
            await guilds_db.set_channels(
                s,
                itx.guild_id,
                announcements_id=announcements.id,
                reports_id=reports.id if reports else None,
                now=self.clock(),
            )
        self.guild_config.invalidate(itx.guild_id)
        text = t("setup.channels.done", lang, announcements=announcements.mention)
        if reports:
            text += "\n" + t("setup.channels.reports", lang, reports=reports.mention)
        await itx.response.send_message(text, ephemeral=True)

    @setup_group.command(name="organizer-role", description="Limit who may register walkouts")
    @app_commands.describe(role="Only members with this role may register (leave empty: everyone)")
    async def organizer_role(
        self, itx: discord.Interaction, role: discord.Role | None = None
    ) -> None:
        require_moderator(itx.permissions.value)
        assert itx.guild_id is not None
        lang = lang_of(itx)
        if role is not None and role.is_default():
            role = None  # @everyone: same as no restriction
        async with self.db.begin() as s:
            await guilds_db.set_organizer_role(
                s, itx.guild_id, role.id if role else None, now=self.clock()
            )
        self.guild_config.invalidate(itx.guild_id)
        if role:
            text = t("setup.organizer_role.done", lang, role=role.mention)
        else:
            text = t("setup.organizer_role.cleared", lang)
        await itx.response.send_message(text, ephemeral=True)

    @setup_group.command(
        name="reminders", description="When reminders are posted, and whom they ping"
    )
    @app_commands.describe(
        offsets='Before/at/after the start, e.g. "7d,1d,2h,0,+3h" ("+" = after; "off" = none)',
        role="The only role a reminder may ping (leave empty: no ping)",
    )
    async def reminders_(
        self,
        itx: discord.Interaction,
        offsets: app_commands.Range[str, 1, 200],
        role: discord.Role | None = None,
    ) -> None:
        require_moderator(itx.permissions.value)
        assert itx.guild_id is not None
        lang = lang_of(itx)
        parsed = parse_offsets(offsets)
        if role is not None and role.is_default():
            raise UserError("error.reminders.everyone_role")
        text = format_offsets(parsed)
        replanned = await answer_soon(
            itx,
            set_offsets(
                self.db,
                self.guild_config,
                itx.guild_id,
                offsets=parsed,
                text=text,
                role_id=role.id if role else None,
                now=self.clock(),
            ),
        )
        await self.reminders.poke()
        key = "setup.reminders.off" if not parsed else "setup.reminders.done"
        lines = [t(key, lang, offsets=text, count=replanned)]
        if role is not None:
            lines.append(t("setup.reminders.role", lang, role=role.mention))
        await reply(itx, content="\n".join(lines))

    @setup_group.command(
        name="retention",
        description="Delete reports and RSVPs this many days after their walkout (0 = keep)",
    )
    @app_commands.describe(days="Days after the walkout ends; 0 keeps them")
    async def retention(
        self, itx: discord.Interaction, days: app_commands.Range[int, 0, RETENTION_DAYS_MAX]
    ) -> None:
        require_moderator(itx.permissions.value)
        assert itx.guild_id is not None
        async with self.db.begin() as s:
            await guilds_db.set_retention(s, itx.guild_id, days, now=self.clock())
        self.guild_config.invalidate(itx.guild_id)
        key = "setup.retention.done" if days else "setup.retention.off"
        await itx.response.send_message(t(key, lang_of(itx), days=days), ephemeral=True)

    @setup_group.command(
        name="approval", description="Walkouts by non-moderators wait for a moderator's approval"
    )
    @app_commands.rename(per_hour="per-hour")
    @app_commands.describe(
        enabled="On: walkouts registered by members who are not moderators wait for approval",
        per_hour="How many walkouts one member may register per hour (default 3)",
    )
    async def approval(
        self,
        itx: discord.Interaction,
        enabled: bool,
        per_hour: app_commands.Range[int, 1, PER_HOUR_MAX] | None = None,
    ) -> None:
        require_moderator(itx.permissions.value)
        assert itx.guild_id is not None
        lang = lang_of(itx)
        async with self.db.begin() as s:
            row = await guilds_db.set_approval(
                s, itx.guild_id, enabled=enabled, per_hour=per_hour, now=self.clock()
            )
            limit = row.registrations_per_hour
        self.guild_config.invalidate(itx.guild_id)
        key = "setup.approval.on" if enabled else "setup.approval.off"
        await itx.response.send_message(t(key, lang, per_hour=limit), ephemeral=True)

    @setup_group.command(name="meeting-point", description="Who sees meeting points")
    @app_commands.describe(
        visibility="going: only members who RSVP (privately); public: in every announcement"
    )
    @app_commands.choices(
        visibility=[
            app_commands.Choice(name="going", value="going"),
            app_commands.Choice(name="public", value="public"),
        ]
    )
    async def meeting_point(self, itx: discord.Interaction, visibility: str) -> None:
        require_moderator(itx.permissions.value)
        assert itx.guild_id is not None
        public = visibility == "public"
        async with self.db.begin() as s:
            await guilds_db.set_meeting_point(s, itx.guild_id, public=public, now=self.clock())
        self.guild_config.invalidate(itx.guild_id)
        # Announcements and events already posted follow at once: "going" takes the meeting
        # point out of every public post.
        updated = 0
        walkouts = self.bot.get_cog("Walkouts")
        if walkouts is not None:
            updated = await walkouts.republish(itx.guild_id)  # type: ignore[attr-defined]
        reminders = self.bot.get_cog("Reminders")
        if reminders is not None:
            await reminders.republish(itx.guild_id)  # type: ignore[attr-defined]
        key = "setup.meeting_point.public" if public else "setup.meeting_point.going"
        await itx.response.send_message(t(key, lang_of(itx), count=updated), ephemeral=True)
