"""Embeds and labels for walkouts. Pure: takes rows and a language, returns discord.Embed/str.

Instants are shown as Discord timestamps (each reader sees their own local time) next to the
walkout's own wall-clock time and zone, so "2 PM local" is never lost in translation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import discord

from cogs.walkouts.when import discord_timestamp
from core import text as limits
from core.text import fit
from core.visibility import Shown
from db.models import Walkout
from messages import t

COLOR_OPEN = discord.Colour(0x2E7D32)
COLOR_CANCELLED = discord.Colour(0x9E9E9E)
COLOR_INFO = discord.Colour(0x1565C0)
COLOR_WAITING = discord.Colour(0xF9A825)


def message_url(w: Walkout) -> str | None:
    """The link to the walkout's announcement, when it is posted."""
    if w.channel_id and w.message_id:
        return f"https://discord.com/channels/{w.guild_id}/{w.channel_id}/{w.message_id}"
    return None


def local_label(instant: datetime, zone_name: str) -> str:
    """``2027-02-12 14:00 EST (America/Detroit)``: the walkout's own wall clock, language-free."""
    local = instant.astimezone(ZoneInfo(zone_name))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({zone_name})"


def when_value(instant: datetime, zone_name: str) -> str:
    """The "when" field: reader-local absolute and relative time, then the walkout's wall clock."""
    return (
        f"{discord_timestamp(instant, 'F')} ({discord_timestamp(instant, 'R')})\n"
        f"{local_label(instant, zone_name)}"
    )


def choice_label(w: Walkout) -> str:
    """One line for autocomplete (<= 100 chars): ``#12 Cass Tech · Detroit · 2027-02-12 14:00``."""
    local = w.starts_at.astimezone(ZoneInfo(w.timezone))
    mark = " ✖" if w.is_cancelled else " ⏳" if w.is_pending_approval else ""
    tail = f" · {w.city} · {local:%Y-%m-%d %H:%M}{mark}"
    head = f"#{w.id} "
    room = limits.CHOICE_NAME_MAX - len(head) - len(tail)
    if room < 8:
        return fit(f"{head}{w.school}{tail}", limits.CHOICE_NAME_MAX)
    return f"{head}{fit(w.school, room)}{tail}"


def announcement(
    w: Walkout,
    *,
    lang: str,
    rsvps: int,
    shown: Shown,
    action_name: str | None = None,
    url: str | None = None,
) -> discord.Embed:
    """The announcement (also /walkout info): what, where, when, who's going. The meeting point
    and the registrant appear only when ``shown`` allows them (see core.visibility)."""
    if w.is_cancelled:
        title = t("walkout.embed.title_cancelled", lang, school=w.school)
        colour = COLOR_CANCELLED
    elif w.is_pending_approval:
        title = t("walkout.embed.title_waiting", lang, school=w.school)
        colour = COLOR_WAITING
    else:
        title = t("walkout.embed.title", lang, school=w.school)
        colour = COLOR_OPEN
    embed = discord.Embed(
        title=fit(title, limits.EMBED_TITLE_MAX),
        description=fit(w.details, limits.EMBED_DESCRIPTION_MAX) if w.details else None,
        colour=colour,
        url=url,
    )
    embed.add_field(name=t("walkout.embed.when", lang), value=when_value(w.starts_at, w.timezone))
    embed.add_field(name=t("walkout.embed.city", lang), value=fit(w.city, limits.FIELD_VALUE_MAX))
    if w.meeting_point and shown.meeting_point:
        embed.add_field(
            name=t("walkout.embed.meeting_point", lang),
            value=fit(w.meeting_point, limits.FIELD_VALUE_MAX),
        )
    elif w.meeting_point:
        embed.add_field(
            name=t("walkout.embed.meeting_point", lang),
            value=t("walkout.embed.meeting_point_going", lang),
        )
    if action_name:
        embed.add_field(
            name=t("walkout.embed.action", lang), value=fit(action_name, limits.FIELD_VALUE_MAX)
        )
    if shown.registrant:
        who = (
            f"<@{w.registrant_id}>" if w.registrant_id else t("walkout.embed.registrant_gone", lang)
        )
        embed.add_field(name=t("walkout.embed.registrant", lang), value=who)
    embed.add_field(name=t("walkout.embed.going", lang), value=str(rsvps))
    if w.is_cancelled:
        embed.add_field(
            name=t("walkout.embed.cancelled", lang),
            value=fit(
                w.cancel_reason or t("walkout.embed.no_reason", lang), limits.FIELD_VALUE_MAX
            ),
            inline=False,
        )
    footer_key = "walkout.embed.footer"
    if w.is_cancelled:
        footer_key = "walkout.embed.footer_cancelled"
    elif w.is_pending_approval:
        footer_key = "walkout.embed.footer_waiting"
    embed.set_footer(text=fit(t(footer_key, lang, id=w.id), limits.FOOTER_MAX))
    return embed


def list_embed(
    rows: Sequence[Walkout],
    *,
    counts: Mapping[int, int],
    lang: str,
    scope: str,
    city: str | None,
    page: int,
    pages: int,
    total: int,
) -> discord.Embed:
    """One page of /walkout list: a line per walkout, newest information first."""
    title = t(f"walkout.list.title_{scope}", lang)
    if city:
        title = t("walkout.list.title_city", lang, title=title, city=city)
    embed = discord.Embed(title=fit(title, limits.EMBED_TITLE_MAX), colour=COLOR_INFO)
    if not rows:
        embed.description = t("walkout.list.empty", lang)
    else:
        lines = []
        for w in rows:
            status = ""
            if w.is_cancelled:
                status = t("walkout.list.cancelled", lang)
            elif w.is_pending_approval:  # only moderators and its registrant see these
                status = t("walkout.list.waiting", lang)
            lines.append(
                t(
                    "walkout.list.line",
                    lang,
                    id=w.id,
                    school=fit(w.school, 80),
                    city=fit(w.city, 60),
                    when=discord_timestamp(w.starts_at, "f"),
                    relative=discord_timestamp(w.starts_at, "R"),
                    going=counts.get(w.id, 0),
                    status=status,
                ).strip()
            )
        embed.description = fit("\n".join(lines), limits.EMBED_DESCRIPTION_MAX)
    embed.set_footer(text=t("walkout.list.footer", lang, page=page, pages=pages, total=total))
    return embed


def review_embed(w: Walkout, *, lang: str, decided: str | None = None) -> discord.Embed:
    """For moderators: a walkout waiting for approval, everything shown (the registrant as a
    mention, which never pings: the bot allows no mentions). ``decided``: a catalog key saying
    how it was decided, once it was."""
    embed = announcement(
        w, lang=lang, rsvps=0, shown=Shown(walkout=True, meeting_point=True, registrant=True)
    )
    embed.title = fit(t("walkout.review.title", lang, school=w.school), limits.EMBED_TITLE_MAX)
    embed.remove_field(len(embed.fields) - 1)  # "going": nobody can RSVP yet
    footer = t("walkout.review.footer", lang, id=w.id)
    if decided is not None:
        footer = t(decided, lang) + " · " + footer
        embed.colour = COLOR_CANCELLED
    embed.set_footer(text=fit(footer, limits.FOOTER_MAX))
    return embed
