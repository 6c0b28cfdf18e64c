"""Embeds for reports. Pure: rows and a language in, ``discord.Embed`` out, within Discord's
limits. A notification never names an anonymous reporter (there is nothing to name); a named
one shows the member as a mention inside the embed, which never pings."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from cogs.reports.form import CHOICES, Draft, kinds_of
from cogs.reports.stats import Stats
from cogs.walkouts.when import discord_timestamp
from core import text as limits
from core.text import fit, neutralize
from db.models import Report, Walkout
from messages import t

COLOR_NEW = discord.Colour(0x1565C0)
COLOR_REPERCUSSIONS = discord.Colour(0xC62828)
COLOR_INFO = discord.Colour(0x455A64)


def kind_names(bits: int | None, lang: str) -> str:
    kinds = kinds_of(bits)
    if not kinds:
        return t("report.notice.unknown", lang)
    return ", ".join(t(f"report.kind.{kind}", lang) for kind in kinds)


def has_repercussions(report: Report) -> bool:
    return bool(report.repercussions) or bool(report.repercussion_details)


def notice(
    report: Report, walkout: Walkout, *, lang: str, reporter_id: int | None, edited: bool = False
) -> discord.Embed:
    """The moderators' notification in the reports channel; repercussions stand out."""
    title_key = "report.notice.title_edited" if edited else "report.notice.title"
    danger = has_repercussions(report)
    embed = discord.Embed(
        title=fit(t(title_key, lang, school=walkout.school, id=report.id), limits.EMBED_TITLE_MAX),
        description=fit(report.what_happened, limits.EMBED_DESCRIPTION_MAX)
        if report.what_happened
        else None,
        colour=COLOR_REPERCUSSIONS if danger else COLOR_NEW,
    )
    embed.add_field(
        name=t("report.notice.walkout", lang),
        value=fit(
            f"#{walkout.id} {walkout.school} · {walkout.city} · "
            f"{discord_timestamp(walkout.starts_at, 'f')}",
            limits.FIELD_VALUE_MAX,
        ),
        inline=False,
    )
    turnout = report.turnout
    embed.add_field(
        name=t("report.notice.turnout", lang),
        value=str(turnout) if turnout is not None else t("report.notice.unknown", lang),
    )
    key = "report.notice.repercussions" if danger else "report.notice.no_repercussions"
    embed.add_field(name=t(key, lang), value=kind_names(report.repercussions, lang))
    if report.repercussion_details:
        embed.add_field(
            name=t("report.notice.details", lang),
            value=fit(report.repercussion_details, limits.FIELD_VALUE_MAX),
            inline=False,
        )
    if report.media_links:
        embed.add_field(
            name=t("report.notice.links", lang),
            value=fit(report.media_links, limits.FIELD_VALUE_MAX),
            inline=False,
        )
    if reporter_id is not None:
        embed.add_field(name=t("report.notice.reporter", lang), value=f"<@{reporter_id}>")
    footer = (
        "report.notice.footer_anonymous" if report.is_anonymous else "report.notice.footer_named"
    )
    embed.set_footer(text=t(footer, lang, id=report.id))
    return embed


def echo(draft: Draft, lang: str) -> discord.Embed:
    """What the reporter typed, shown back privately after a refusal so nothing is lost."""
    embed = discord.Embed(title=t("report.typed", lang), colour=COLOR_INFO)
    embed.description = fit(neutralize(draft.what_happened), limits.EMBED_DESCRIPTION_MAX) or None
    rows = [
        ("report.form.turnout", draft.turnout),
        (
            "report.form.kinds",
            ", ".join(t(f"report.kind.{k}", lang) for k in draft.kinds if k in CHOICES),
        ),
        ("report.form.details", draft.details),
        ("report.form.links", draft.links),
    ]
    for key, value in rows:
        if value.strip():
            embed.add_field(
                name=t(key, lang),
                value=fit(neutralize(value), limits.FIELD_VALUE_MAX),
                inline=False,
            )
    return embed


def mine(rows: Sequence[tuple[Report, Walkout]], lang: str) -> discord.Embed:
    embed = discord.Embed(title=t("report.mine.title", lang), colour=COLOR_INFO)
    if not rows:
        embed.description = t("report.mine.empty", lang)
        return embed
    lines = [
        t(
            "report.mine.line",
            lang,
            id=r.id,
            school=fit(w.school, 60),
            walkout=w.id,
            when=discord_timestamp(r.created_at, "f"),
        )
        for r, w in rows
    ]
    embed.description = fit("\n".join(lines), limits.EMBED_DESCRIPTION_MAX)
    embed.set_footer(text=t("report.mine.footer", lang))
    return embed


def list_embed(
    rows: Sequence[tuple[Report, Walkout]],
    *,
    lang: str,
    page: int,
    pages: int,
    total: int,
    walkout: Walkout | None,
) -> discord.Embed:
    """One page of /reports list: a line per report, repercussions named."""
    title = (
        t("report.list.title_walkout", lang, id=walkout.id, school=walkout.school)
        if walkout
        else t("report.list.title", lang)
    )
    embed = discord.Embed(title=fit(title, limits.EMBED_TITLE_MAX), colour=COLOR_INFO)
    if not rows:
        embed.description = t("report.list.empty", lang)
    else:
        lines = []
        for r, w in rows:
            turnout = (
                t("report.list.turnout", lang, count=r.turnout)
                if r.turnout is not None
                else t("report.notice.unknown", lang)
            )
            kinds = kind_names(r.repercussions, lang)
            if r.repercussions:
                kinds = f"⚠ {kinds}"
            line = t(
                "report.list.line",
                lang,
                id=r.id,
                school=fit(w.school, 50),
                walkout=w.id,
                when=discord_timestamp(r.created_at, "d"),
                turnout=turnout,
                kinds=kinds,
                named="" if r.is_anonymous else t("report.list.named", lang),
            )
            if r.what_happened:
                line += "\n> " + fit(" ".join(r.what_happened.split()), 150)
            lines.append(line)
        embed.description = fit("\n".join(lines), limits.EMBED_DESCRIPTION_MAX)
    embed.set_footer(text=t("report.list.footer", lang, page=page, pages=pages, total=total))
    return embed


def stats_embed(stats: Stats, lang: str) -> discord.Embed:
    none = t("report.stats.none", lang)
    embed = discord.Embed(title=t("report.stats.title", lang), colour=COLOR_INFO)
    embed.add_field(name=t("report.stats.walkouts", lang), value=str(stats.walkouts))
    embed.add_field(name=t("report.stats.reports", lang), value=str(stats.reports))
    embed.add_field(name=t("report.stats.turnout_total", lang), value=str(stats.turnout_total))
    median = stats.turnout_median
    embed.add_field(
        name=t("report.stats.turnout_median", lang),
        value=none if median is None else f"{median:g}",
    )
    lines = [
        f"{t(f'report.kind.{kind}', lang)}: {count}" for kind, count in stats.repercussions.items()
    ]
    embed.add_field(
        name=t("report.stats.repercussions", lang),
        value="\n".join(lines) if stats.reports else none,
        inline=False,
    )
    cities = [
        t(
            "report.stats.city_line",
            lang,
            city=fit(c.city, 60),
            walkouts=c.walkouts,
            reports=c.reports,
            turnout=c.turnout,
        )
        for c in stats.cities[:15]
    ]
    embed.add_field(
        name=t("report.stats.cities", lang),
        value=fit("\n".join(cities), limits.FIELD_VALUE_MAX) if cities else none,
        inline=False,
    )
    embed.set_footer(text=t("report.stats.footer", lang))
    return embed


def chart_labels(lang: str, *, count: int) -> tuple[dict[str, str], dict[str, str]]:
    labels = {
        "turnout_title": t("report.stats.chart_turnout", lang, count=count),
        "repercussions_title": t("report.stats.chart_repercussions", lang),
        "people": t("report.stats.chart_people", lang),
        "reports": t("report.stats.chart_reports", lang),
        "no_turnout": t("report.stats.chart_unknown", lang),
    }
    kinds = {kind: t(f"report.kind.{kind}", lang) for kind in CHOICES}
    return labels, kinds
