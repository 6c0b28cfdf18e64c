"""Reminder posts, DMs and the /reminders list. Pure: rows and a language in, embeds out.

A channel post lists every walkout due at that instant in that channel (a national action: every
school at 14:00 local) with its own wall clock and Discord timestamps, so one post replaces a
flood. The post never names who registered a walkout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import discord

from cogs.reminders.offsets import Offset
from cogs.walkouts.render import local_label, message_url, when_value
from cogs.walkouts.when import discord_timestamp
from core import text as limits
from core.text import fit
from db.models import Reminder, Walkout
from messages import t

COLOR = {
    "before": discord.Colour(0xF9A825),
    "start": discord.Colour(0xC62828),
    "after": discord.Colour(0x1565C0),
    "dm": discord.Colour(0xF9A825),
}


def _walkout_lines(w: Walkout, *, lang: str, going: int, meeting_point: bool) -> str:
    lines = [when_value(w.starts_at, w.timezone), t("reminders.post.going", lang, count=going)]
    if meeting_point and w.meeting_point:
        lines.append(t("reminders.post.meeting_point", lang, place=w.meeting_point))
    elif w.meeting_point:
        lines.append(t("reminders.post.meeting_point_going", lang))
    url = message_url(w)
    if url:
        lines.append(t("reminders.post.details", lang, url=url))
    return "\n".join(lines)


def channel_post(
    kind: str,
    walkouts: Sequence[Walkout],
    *,
    lang: str,
    counts: Mapping[int, int],
    late: bool,
    meeting_point: bool,
) -> discord.Embed:
    """One reminder post for walkouts due at the same instant in one channel (at most 10)."""
    first = walkouts[0]
    embed = discord.Embed(
        title=fit(t(f"reminders.post.title_{kind}", lang), limits.EMBED_TITLE_MAX),
        description=t(f"reminders.post.body_{kind}", lang),
        colour=COLOR[kind],
    )
    if kind == "before":
        embed.description = (
            t("reminders.post.body_before", lang, when=discord_timestamp(first.starts_at, "R"))
            if len(walkouts) == 1
            else t("reminders.post.body_before_many", lang)
        )
    for w in walkouts[: limits.EMBED_FIELDS_MAX]:
        embed.add_field(
            name=fit(f"{w.school} · {w.city}", limits.FIELD_NAME_MAX),
            value=fit(
                _walkout_lines(
                    w, lang=lang, going=counts.get(w.id, 0), meeting_point=meeting_point
                ),
                limits.FIELD_VALUE_MAX,
            ),
            inline=False,
        )
    footer = t(f"reminders.post.footer_{kind}", lang)
    if late:
        footer = t("reminders.post.late", lang) + " · " + footer
    embed.set_footer(text=fit(footer, limits.FOOTER_MAX))
    return embed


def dm_post(w: Walkout, *, lang: str, going: int, late: bool, meeting_point: bool) -> discord.Embed:
    """A member's own reminder: one walkout, the meeting point included when they may see it
    (they're going, or the server shows it publicly)."""
    embed = discord.Embed(
        title=fit(t("reminders.dm.title", lang, school=w.school), limits.EMBED_TITLE_MAX),
        description=t("reminders.dm.body", lang, when=discord_timestamp(w.starts_at, "R")),
        colour=COLOR["dm"],
        url=message_url(w),
    )
    embed.add_field(
        name=fit(f"{w.school} · {w.city}", limits.FIELD_NAME_MAX),
        value=fit(
            _walkout_lines(w, lang=lang, going=going, meeting_point=meeting_point),
            limits.FIELD_VALUE_MAX,
        ),
        inline=False,
    )
    footer = t("reminders.dm.footer", lang)
    if late:
        footer = t("reminders.post.late", lang) + " · " + footer
    embed.set_footer(text=fit(footer, limits.FOOTER_MAX))
    return embed


def notice(w: Walkout, *, lang: str, what: str, due: datetime | None) -> str:
    """The one DM a member with a reminder gets when its walkout moves or is cancelled."""
    if what == "cancelled":
        text = t("reminders.notice.cancelled", lang, school=w.school, id=w.id)
        if w.cancel_reason:
            text += "\n" + t("reminders.notice.reason", lang, reason=w.cancel_reason)
        return fit(text, limits.MESSAGE_CONTENT_MAX)
    text = t(
        "reminders.notice.moved",
        lang,
        school=w.school,
        id=w.id,
        when=f"{discord_timestamp(w.starts_at, 'F')} ({local_label(w.starts_at, w.timezone)})",
    )
    if due is None:
        text += "\n" + t("reminders.notice.dropped", lang)
    else:
        text += "\n" + t("reminders.notice.moved_to", lang, due=discord_timestamp(due, "F"))
    return fit(text, limits.MESSAGE_CONTENT_MAX)


def status_label(reminder: Reminder, lang: str) -> str:
    return t(f"reminders.status.{reminder.status}", lang)


def offset_label(reminder: Reminder, lang: str) -> str:
    offset = Offset.from_nominal(reminder.offset_minutes)
    if offset.is_start:
        return t("reminders.list.at_start", lang)
    key = "reminders.list.after" if offset.after else "reminders.list.before"
    return t(key, lang, offset=offset.text().lstrip("+"))


def list_embed(
    ahead: Sequence[tuple[Reminder, Walkout]],
    done: Sequence[tuple[Reminder, Walkout]],
    *,
    lang: str,
    offsets_text: str,
    dm: Reminder | None = None,
) -> discord.Embed:
    """``/reminders list``: what will be posted when, and what was posted, late or missed."""
    embed = discord.Embed(title=t("reminders.list.title", lang), colour=COLOR["after"])
    embed.description = t("reminders.list.offsets", lang, offsets=offsets_text)

    def line(r: Reminder, w: Walkout, *, with_status: bool) -> str:
        text = t(
            "reminders.list.line",
            lang,
            when=discord_timestamp(r.due_at, "f"),
            relative=discord_timestamp(r.due_at, "R"),
            offset=offset_label(r, lang),
            school=fit(w.school, 60),
            id=w.id,
        )
        return f"{text} · {status_label(r, lang)}" if with_status else text

    upcoming = "\n".join(line(r, w, with_status=False) for r, w in ahead)
    embed.add_field(
        name=t("reminders.list.ahead", lang),
        value=fit(upcoming or t("reminders.list.none", lang), limits.FIELD_VALUE_MAX),
        inline=False,
    )
    past = "\n".join(line(r, w, with_status=True) for r, w in done)
    embed.add_field(
        name=t("reminders.list.done", lang),
        value=fit(past or t("reminders.list.none", lang), limits.FIELD_VALUE_MAX),
        inline=False,
    )
    if dm is not None:
        embed.add_field(
            name=t("reminders.list.yours", lang),
            value=t("reminders.list.your_dm", lang, when=discord_timestamp(dm.due_at, "F")),
            inline=False,
        )
    return embed
