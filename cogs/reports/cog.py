"""/report (members) and /reports (moderators), the report form, and the retention job.

Discord glue only: validation is ``form.py``, receipts ``receipts.py``, storage and proofs
``service.py``, files ``export.py``, numbers ``stats.py``, the picture ``chart.py``, words
``render.py``. Nothing here logs typed text or a user id.
"""

from __future__ import annotations

import asyncio
import io
import logging
import math
import tempfile
import zipfile
from datetime import datetime, time
from typing import BinaryIO, cast
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands, tasks

from cogs.common.interactions import answer_soon, guild_lang_of, lang_of, reply, user_error_text
from cogs.common.pager import send_paged
from cogs.common.services import Services
from cogs.reports import render
from cogs.reports.chart import MAX_WALKOUTS, render_png
from cogs.reports.export import Format, filename
from cogs.reports.form import Draft, draft_of
from cogs.reports.service import ReportService, purge_expired
from cogs.reports.views import Purpose, ReportButton, RetryView, form
from cogs.walkouts.lookup import find_walkout, parse_walkout_ref, walkout_choices
from core.errors import UserError
from core.permissions import require_moderator
from core.text import CHOICE_NAME_MAX, fit
from db.models import Report, Walkout
from db.reports import Notice
from messages import t

log = logging.getLogger(__name__)

PAGE_SIZE = 10
DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024  # Discord's default when the interaction doesn't say
RETENTION_EVERY_HOURS = 1
FORMAT_CHOICES = [
    app_commands.Choice(name="CSV (spreadsheets)", value="csv"),
    app_commands.Choice(name="JSON (programs)", value="json"),
]


def upload_limit(itx: discord.Interaction) -> int:
    """The largest file this interaction may answer with (Discord tells it per server)."""
    limit = getattr(itx, "filesize_limit", None)
    return limit if isinstance(limit, int) and limit > 0 else DEFAULT_UPLOAD_LIMIT


def parse_since(text: str | None, zone: str | None) -> datetime | None:
    """``since``: a date, read as midnight in the server's zone (UTC without one)."""
    if not text or not text.strip():
        return None
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d").date()  # noqa: DTZ007 - a date only
    except ValueError:
        raise UserError("error.report.since", text=fit(text, 40)) from None
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone or "UTC"))


class Reports(commands.Cog):
    """After-action reports: members tell how it went (anonymously by default); moderators
    review, count and export them."""

    report = app_commands.Group(
        name="report",
        description="Tell the organizers how a walkout went, and about any repercussions",
        guild_only=True,
    )
    reports = app_commands.Group(
        name="reports",
        description="Review, count and export reports (moderators)",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: commands.Bot, services: Services) -> None:
        self.bot = bot
        self.engine_shards = services.reminders.shards  # retention: this process's servers
        self.db = services.db
        self.clock = services.clock
        self.guild_config = services.guild_config
        self.service = ReportService(services.db, clock=services.clock, keys=services.keys)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ReportButton)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        if not self.retention.is_running():
            self.retention.start()

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ReportButton)
        self.retention.cancel()

    # ------------------------------------------------------------------ the form

    async def open_form(
        self, itx: discord.Interaction, walkout_id: int, *, anonymous: bool
    ) -> None:
        """/report new and the "Report" button: the empty form for this walkout."""
        if itx.guild_id is None:
            raise UserError("error.guild_only")
        walkout = await self.service.check_walkout(itx.guild_id, walkout_id, ref=f"#{walkout_id}")
        purpose = Purpose(walkout_id=walkout.id, school=walkout.school, anonymous=anonymous)
        await itx.response.send_modal(form(itx, purpose, lang_of(itx), Draft()))

    async def submit_form(self, itx: discord.Interaction, purpose: Purpose, draft: Draft) -> None:
        """A submitted form: saved, or refused with the typed text echoed and a button that
        reopens the form filled in."""
        assert itx.guild_id is not None
        lang = lang_of(itx)
        try:
            if purpose.proof is None:
                done = await answer_soon(
                    itx,
                    self.service.submit(
                        itx.guild_id,
                        itx.user.id,
                        purpose.walkout_id,
                        draft,
                        anonymous=purpose.anonymous,
                    ),
                )
                report, walkout, code = done.report, done.walkout, done.code
            else:
                found = await answer_soon(
                    itx, self.service.edit(itx.guild_id, itx.user.id, purpose.proof, draft)
                )
                report, walkout, code = found.report, found.walkout, None
        except UserError as error:
            text = user_error_text(error, lang) + "\n" + t("report.refused", lang)
            view = RetryView(purpose=purpose, lang=lang, draft=draft)
            await reply(itx, content=text, embed=render.echo(draft, lang), view=view)
            return
        config = await self.guild_config.get(itx.guild_id)
        if purpose.proof is not None:
            text = t("report.edited", lang, id=report.id, school=walkout.school)
        elif code is not None:
            text = t("report.sent_anonymous", lang, school=walkout.school, code=code)
        else:
            text = t("report.sent_named", lang, school=walkout.school, id=report.id)
        if purpose.proof is None and config.reports_channel_id is None:
            text += "\n" + t("report.no_channel", lang)
        if purpose.proof is None and purpose.anonymous and code is not None:
            text += "\n" + t("report.named_hint", lang)
        await reply(itx, content=fit(text, 2000))
        reporter = None if report.is_anonymous else itx.user.id
        await self._notify(
            itx, report, walkout, reporter_id=reporter, edited=purpose.proof is not None
        )

    async def _notify(
        self,
        itx: discord.Interaction,
        report: Report,
        walkout: Walkout,
        *,
        reporter_id: int | None,
        edited: bool,
    ) -> None:
        """Post (or, for an edit, update) the moderators' notification; best effort."""
        config = await self.guild_config.get(report.guild_id)
        embed = render.notice(
            report, walkout, lang=guild_lang_of(itx), reporter_id=reporter_id, edited=edited
        )
        try:
            if edited and report.notice_channel_id and report.notice_message_id:
                channel = self.bot.get_partial_messageable(
                    report.notice_channel_id, guild_id=report.guild_id
                )
                await channel.get_partial_message(report.notice_message_id).edit(embed=embed)
                return
            if config.reports_channel_id is None:
                return
            channel = self.bot.get_partial_messageable(
                config.reports_channel_id, guild_id=report.guild_id
            )
            message = await channel.send(embed=embed)
            await self.service.set_notice(report, channel_id=channel.id, message_id=message.id)
        except discord.HTTPException:
            log.warning("could not post the notification of report %s", report.id, exc_info=True)

    async def delete_notices(self, notices: list[Notice]) -> None:
        """Take deleted reports out of the reports channel too (best effort)."""
        for notice in notices:
            channel = self.bot.get_partial_messageable(notice.channel_id)
            try:
                await channel.get_partial_message(notice.message_id).delete()
            except discord.NotFound:
                pass
            except discord.HTTPException:
                log.warning("could not delete the notification of report %s", notice.report_id)

    # -------------------------------------------------------------------- /report

    @report.command(
        name="new", description="Report on a walkout (anonymous unless you say otherwise)"
    )
    @app_commands.describe(
        walkout="The walkout (type a school, city or #id)",
        anonymous="False: organizers see it's you and can reach out (default: True)",
    )
    async def new(
        self,
        itx: discord.Interaction,
        walkout: app_commands.Range[str, 1, 100],
        anonymous: bool = True,
    ) -> None:
        await self.open_form(itx, parse_walkout_ref(walkout), anonymous=anonymous)

    @report.command(name="edit", description="Change a report you sent")
    @app_commands.describe(code="The receipt code of an anonymous report, or pick a named one")
    async def edit(
        self, itx: discord.Interaction, code: app_commands.Range[str, 1, 100] | None = None
    ) -> None:
        assert itx.guild_id is not None
        found = await self.service.find(itx.guild_id, itx.user.id, code)
        purpose = Purpose(
            walkout_id=found.walkout.id,
            school=found.walkout.school,
            anonymous=found.report.is_anonymous,
            proof=found.proof,
        )
        await itx.response.send_modal(form(itx, purpose, lang_of(itx), draft_of(found.report)))

    @report.command(name="delete", description="Delete a report you sent")
    @app_commands.describe(code="The receipt code of an anonymous report, or pick a named one")
    async def delete(
        self, itx: discord.Interaction, code: app_commands.Range[str, 1, 100] | None = None
    ) -> None:
        assert itx.guild_id is not None
        notice = await answer_soon(itx, self.service.delete(itx.guild_id, itx.user.id, code))
        await reply(itx, content=t("report.deleted", lang_of(itx)))
        if notice is not None:
            await self.delete_notices([notice])

    @report.command(name="mine", description="List your named reports in this server")
    async def mine(self, itx: discord.Interaction) -> None:
        assert itx.guild_id is not None
        rows = await self.service.mine(itx.guild_id, itx.user.id)
        await itx.response.send_message(embed=render.mine(rows, lang_of(itx)), ephemeral=True)

    @edit.autocomplete("code")
    @delete.autocomplete("code")
    async def code_autocomplete(
        self, itx: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """The member's named reports (receipt codes are never listed: the bot doesn't have
        them)."""
        if itx.guild_id is None:
            return []
        rows = await self.service.mine(itx.guild_id, itx.user.id)
        typed = current.strip().lstrip("#").casefold()
        choices = []
        for r, w in rows:
            label = fit(
                f"#{r.id} · {w.school} (#{w.id}) · {r.created_at:%Y-%m-%d}", CHOICE_NAME_MAX
            )
            if typed and typed not in label.casefold():
                continue
            choices.append(app_commands.Choice(name=label, value=f"#{r.id}"))
        return choices[:25]

    @new.autocomplete("walkout")
    async def walkout_autocomplete(
        self, itx: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if itx.guild_id is None:
            return []
        return await walkout_choices(self.db, itx.guild_id, current, now=self.clock())

    # ------------------------------------------------------------------- /reports

    @reports.command(name="list", description="Reports, newest first")
    @app_commands.describe(walkout="Only this walkout")
    async def list_(
        self, itx: discord.Interaction, walkout: app_commands.Range[str, 1, 100] | None = None
    ) -> None:
        require_moderator(itx.permissions.value)
        assert itx.guild_id is not None
        guild_id = itx.guild_id
        lang = lang_of(itx)
        target = await find_walkout(self.db, guild_id, walkout) if walkout else None

        async def render_page(page: int) -> tuple[discord.Embed, int]:
            require_moderator(itx.permissions.value)
            rows, total = await self.service.page(
                guild_id, walkout_id=target.id if target else None, page=page, size=PAGE_SIZE
            )
            pages = max(1, math.ceil(total / PAGE_SIZE))
            embed = render.list_embed(
                rows, lang=lang, page=page, pages=pages, total=total, walkout=target
            )
            return embed, pages

        await send_paged(itx, render_page, lang=lang, not_yours="report.list.not_yours")

    @reports.command(name="stats", description="Turnout and repercussions, with a chart")
    async def stats(self, itx: discord.Interaction) -> None:
        require_moderator(itx.permissions.value)
        assert itx.guild_id is not None
        lang = lang_of(itx)
        await itx.response.defer(ephemeral=True, thinking=True)
        stats = await self.service.stats(itx.guild_id)
        labels, kinds = render.chart_labels(lang, count=min(MAX_WALKOUTS, stats.walkouts))
        png = await asyncio.to_thread(render_png, stats, labels=labels, kinds=kinds)
        embed = render.stats_embed(stats, lang)
        embed.set_image(url="attachment://report-stats.png")
        file = discord.File(io.BytesIO(png), filename="report-stats.png")
        await reply(itx, embed=embed, file=file)

    @reports.command(name="export", description="Download the reports as a file")
    @app_commands.describe(
        format="CSV for spreadsheets (default) or JSON",
        walkout="Only this walkout",
        since="Only reports sent on or after this date (YYYY-MM-DD)",
    )
    @app_commands.choices(format=FORMAT_CHOICES)
    async def export(
        self,
        itx: discord.Interaction,
        format: str = "csv",
        walkout: app_commands.Range[str, 1, 100] | None = None,
        since: app_commands.Range[str, 1, 20] | None = None,
    ) -> None:
        require_moderator(itx.permissions.value)
        assert itx.guild_id is not None
        lang = lang_of(itx)
        fmt: Format = "json" if format == "json" else "csv"
        config = await self.guild_config.get(itx.guild_id)
        after = parse_since(since, config.timezone)
        target = await find_walkout(self.db, itx.guild_id, walkout) if walkout else None
        await itx.response.defer(ephemeral=True, thinking=True)
        limit = upload_limit(itx)
        name = filename(fmt, now=self.clock())
        with tempfile.SpooledTemporaryFile(max_size=limit) as spool:
            out = cast(BinaryIO, spool)
            count = await self.service.export(
                itx.guild_id, fmt, out, walkout_id=target.id if target else None, since=after
            )
            size = out.tell()
            out.seek(0)
            if size <= limit:
                file = discord.File(io.BytesIO(out.read()), filename=name)
                text = t("report.export.done", lang, count=count, fmt=fmt.upper())
                await reply(itx, content=text, file=file)
                return
            packed = await asyncio.to_thread(_zip, out, name)
        if len(packed) > limit:
            mb = f"{len(packed) / 1_048_576:.1f}"
            raise UserError("error.report.too_big", size=mb, limit=f"{limit / 1_048_576:.0f}")
        file = discord.File(io.BytesIO(packed), filename=name + ".zip")
        await reply(
            itx, content=t("report.export.zipped", lang, count=count, fmt=fmt.upper()), file=file
        )

    @list_.autocomplete("walkout")
    @export.autocomplete("walkout")
    async def mod_walkout_autocomplete(
        self, itx: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if itx.guild_id is None:
            return []
        return await walkout_choices(self.db, itx.guild_id, current, now=self.clock())

    # ------------------------------------------------------------------ retention

    @tasks.loop(hours=RETENTION_EVERY_HOURS)
    async def retention(self) -> None:
        """Purge reports and RSVPs past each server's retention period."""
        try:
            shards = self.engine_shards()
            purged = await purge_expired(
                self.db, now=self.clock(), owns=shards.owns if shards else lambda _g: True
            )
        except Exception:
            log.exception("the retention purge failed; it runs again in an hour")
            return
        await self.delete_notices(purged.notices)


def _zip(source: BinaryIO, name: str) -> bytes:
    """The export in a ZIP archive (Windows and macOS open it without extra software)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as z,
        z.open(name, "w") as target,
    ):
        while chunk := source.read(1 << 20):
            target.write(chunk)
    return buffer.getvalue()
