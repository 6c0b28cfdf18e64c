"""After-action reports: stored, found by their owner's mark, listed, counted, exported, purged.

Every function takes the ``guild_id`` and matches it: a report, walkout or receipt of another
server behaves as if it did not exist. Functions never commit; the caller owns the transaction.

Owners are found by a mark, never by a user id: the SHA-256 of an anonymous report's receipt code
(:func:`by_receipt`), or the member's keyed hashes for a named one (:func:`owned`; a list, one per
pseudonym key version).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Executable,
    String,
    delete,
    func,
    select,
    type_coerce,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ID_MAX, Report, Rsvp, Walkout


@dataclass(frozen=True)
class ReportContent:
    """What a reporter says, validated (``cogs/reports/form.py``). ``repercussions`` is the bit
    set of ``db.models.REPERCUSSION_BITS`` (None: not said, 0: none); ``media_links`` one URL
    per line."""

    turnout: int | None = None
    what_happened: str | None = None
    repercussions: int | None = None
    repercussion_details: str | None = None
    media_links: str | None = None


@dataclass(frozen=True)
class Notice:
    """Where a report's notification was posted (to edit or delete it with the report)."""

    report_id: int
    channel_id: int
    message_id: int


def _rowcount(result: Any) -> int:
    return max(cast(CursorResult[Any], result).rowcount, 0)


def _notice(report: Report) -> Notice | None:
    if report.notice_channel_id is None or report.notice_message_id is None:
        return None
    return Notice(report.id, report.notice_channel_id, report.notice_message_id)


def notices_of(reports: Sequence[Report]) -> list[Notice]:
    return [n for n in (_notice(r) for r in reports) if n is not None]


# --------------------------------------------------------------------------- writing


async def create(
    s: AsyncSession,
    *,
    guild_id: int,
    walkout_id: int,
    content: ReportContent,
    now: datetime,
    reporter_key: str | None = None,
    receipt_hash: str | None = None,
) -> Report:
    """Insert a report with exactly one owner mark (the CHECK refuses both or neither). The
    caller has resolved ``walkout_id`` in ``guild_id`` (``db.walkouts.get``)."""
    report = Report(
        guild_id=guild_id,
        walkout_id=walkout_id,
        reporter_key=reporter_key,
        receipt_hash=receipt_hash,
        turnout=content.turnout,
        what_happened=content.what_happened,
        repercussions=content.repercussions,
        repercussion_details=content.repercussion_details,
        media_links=content.media_links,
        created_at=now,
    )
    s.add(report)
    await s.flush()
    return report


async def replace_content(
    s: AsyncSession, report: Report, content: ReportContent, *, now: datetime
) -> Report:
    """Overwrite what the report says (every field: the form shows them all) and stamp it."""
    report.turnout = content.turnout
    report.what_happened = content.what_happened
    report.repercussions = content.repercussions
    report.repercussion_details = content.repercussion_details
    report.media_links = content.media_links
    report.updated_at = now
    await s.flush()
    return report


async def set_notice(
    s: AsyncSession, guild_id: int, report_id: int, *, channel_id: int, message_id: int
) -> bool:
    """Remember the report's notification; False if the report is gone meanwhile."""
    result = await s.execute(
        update(Report)
        .where(Report.id == report_id, Report.guild_id == guild_id)
        .values(notice_channel_id=channel_id, notice_message_id=message_id)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


async def remove(s: AsyncSession, report: Report) -> Notice | None:
    """Delete a report found by its owner; return its notification to delete too."""
    notice = _notice(report)
    await s.execute(
        delete(Report)
        .where(Report.id == report.id, Report.guild_id == report.guild_id)
        .execution_options(synchronize_session=False)
    )
    return notice


# --------------------------------------------------------------------------- owners


async def by_receipt(
    s: AsyncSession, guild_id: int, receipt_hash: str, *, lock: bool = False
) -> Report | None:
    """The server's anonymous report with this receipt hash, or None (also for a receipt of
    another server: the same answer, so nothing can be learned by trying). ``lock``: to edit or
    delete it in this write transaction (``FOR UPDATE`` on PostgreSQL; see ``db.sql``)."""
    stmt = select(Report).where(Report.guild_id == guild_id, Report.receipt_hash == receipt_hash)
    return await s.scalar(stmt.with_for_update() if lock else stmt)


async def owned(
    s: AsyncSession,
    guild_id: int,
    report_id: int,
    reporter_keys: Sequence[str],
    *,
    lock: bool = False,
) -> Report | None:
    """The server's named report ``report_id`` if one of ``reporter_keys`` owns it, else None.
    ``lock``: as for :func:`by_receipt`."""
    if not reporter_keys or not 0 < report_id <= ID_MAX:
        return None
    stmt = select(Report).where(
        Report.id == report_id,
        Report.guild_id == guild_id,
        Report.reporter_key.in_(list(reporter_keys)),
    )
    return await s.scalar(stmt.with_for_update() if lock else stmt)


async def list_owned(
    s: AsyncSession, guild_id: int, reporter_keys: Sequence[str], *, limit: int = 25
) -> list[tuple[Report, Walkout]]:
    """The member's named reports in the server with their walkouts, newest first."""
    if not reporter_keys:
        return []
    stmt = (
        select(Report, Walkout)
        .join(Walkout, Walkout.id == Report.walkout_id)
        .where(Report.guild_id == guild_id, Report.reporter_key.in_(list(reporter_keys)))
        .order_by(Report.created_at.desc(), Report.id.desc())
        .limit(limit)
    )
    return [(r, w) for r, w in (await s.execute(stmt)).all()]


async def forget_reporter(
    s: AsyncSession, guild_id: int, reporter_keys: Sequence[str]
) -> list[Report]:
    """Delete every named report of the member in the server (delete-my-data); return the
    deleted rows (their notifications are deleted next)."""
    if not reporter_keys:
        return []
    result = await s.scalars(
        delete(Report)
        .where(Report.guild_id == guild_id, Report.reporter_key.in_(list(reporter_keys)))
        .returning(Report)
        .execution_options(synchronize_session=False)
    )
    return list(result.all())


# --------------------------------------------------------------------------- moderators


def _filters(
    guild_id: int, *, walkout_id: int | None = None, since: datetime | None = None
) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = [Report.guild_id == guild_id]
    if walkout_id is not None:
        filters.append(Report.walkout_id == walkout_id)
    if since is not None:
        filters.append(Report.created_at >= since)
    return filters


async def page(
    s: AsyncSession,
    guild_id: int,
    *,
    walkout_id: int | None = None,
    offset: int = 0,
    limit: int = 10,
) -> tuple[list[tuple[Report, Walkout]], int]:
    """One page of the server's reports with their walkouts (newest first) and the total."""
    filters = _filters(guild_id, walkout_id=walkout_id)
    total = await s.scalar(select(func.count()).select_from(Report).where(*filters)) or 0
    stmt = (
        select(Report, Walkout)
        .join(Walkout, Walkout.id == Report.walkout_id)
        .where(*filters)
        .order_by(Report.created_at.desc(), Report.id.desc())
        .offset(max(offset, 0))
        .limit(limit)
    )
    return [(r, w) for r, w in (await s.execute(stmt)).all()], total


@dataclass(frozen=True)
class StatsRow:
    """What the statistics need of one report (no text)."""

    walkout_id: int
    school: str
    city: str
    starts_at: datetime
    turnout: int | None
    repercussions: int | None


async def stats_rows(s: AsyncSession, guild_id: int) -> list[StatsRow]:
    """Every report of the server reduced to numbers, walkouts by start."""
    stmt = (
        select(
            Report.walkout_id,
            Walkout.school,
            Walkout.city,
            Walkout.starts_at,
            Report.turnout,
            Report.repercussions,
        )
        .join(Walkout, Walkout.id == Report.walkout_id)
        .where(Report.guild_id == guild_id)
        .order_by(Walkout.starts_at, Report.walkout_id, Report.id)
    )
    return [StatsRow(*row) for row in (await s.execute(stmt)).all()]


EXPORT_COLUMNS = (
    "report_id",
    "walkout_id",
    "school",
    "city",
    "timezone",
    "walkout_starts_at",
    "submitted_at",
    "updated_at",
    "anonymous",
    "turnout",
    "what_happened",
    "repercussions",
    "repercussion_details",
    "media_links",
)
"""The columns :func:`export_rows` yields, in order. No owner mark, no notification ids:
exports never carry anything that identifies a reporter."""


def _export_filters(
    guild_id: int, *, walkout_id: int | None = None, since: datetime | None = None
) -> list[ColumnElement[bool]]:
    r = Report.__table__.c
    filters: list[ColumnElement[bool]] = [r.guild_id == guild_id]
    if walkout_id is not None:
        filters.append(r.walkout_id == walkout_id)
    if since is not None:
        filters.append(r.created_at >= since)
    return filters


def export_query(
    guild_id: int, *, walkout_id: int | None = None, since: datetime | None = None
) -> Executable:
    """The server's reports as plain tuples (:data:`EXPORT_COLUMNS`), oldest first.

    A Core select (no ORM row processing). Instants come as the driver reads them, without the
    per-value conversion of their column type: SQLite's stored naive UTC text, or PostgreSQL's
    aware datetimes; ``cogs/reports/export.py`` prints both the same."""
    r, w = Report.__table__.c, Walkout.__table__.c
    return (
        select(
            r.id,
            r.walkout_id,
            w.school,
            w.city,
            w.timezone,
            type_coerce(w.starts_at, String),
            type_coerce(r.created_at, String),
            type_coerce(r.updated_at, String),
            r.reporter_key.is_(None),
            r.turnout,
            r.what_happened,
            r.repercussions,
            r.repercussion_details,
            r.media_links,
        )
        .select_from(Report.__table__.join(Walkout.__table__, w.id == r.walkout_id))
        .where(*_export_filters(guild_id, walkout_id=walkout_id, since=since))
        .order_by(r.id)
    )


async def count_for_export(
    s: AsyncSession, guild_id: int, *, walkout_id: int | None = None, since: datetime | None = None
) -> int:
    filters = _export_filters(guild_id, walkout_id=walkout_id, since=since)
    return await s.scalar(select(func.count()).select_from(Report.__table__).where(*filters)) or 0


async def export_rows(
    s: AsyncSession,
    guild_id: int,
    *,
    walkout_id: int | None = None,
    since: datetime | None = None,
    chunk: int = 2000,
) -> AsyncIterator[Sequence[Any]]:
    """The export's rows in chunks of ``chunk``, streamed from a cursor: memory stays flat in
    the number of reports."""
    stmt = export_query(guild_id, walkout_id=walkout_id, since=since)
    result = await s.stream(stmt.execution_options(yield_per=chunk))
    async for part in result.partitions(chunk):
        yield part


# --------------------------------------------------------------------------- retention


async def purge_before(
    s: AsyncSession, guild_id: int, *, ended_before: datetime
) -> tuple[list[Notice], int, int]:
    """Retention: delete the server's reports, and the RSVPs, of walkouts that ended before
    ``ended_before``. Returns the deleted reports' notifications, and how many reports and RSVPs
    were deleted."""
    over = select(Walkout.id).where(Walkout.guild_id == guild_id, Walkout.ends_at < ended_before)
    deleted = (
        await s.execute(
            delete(Report)
            .where(Report.guild_id == guild_id, Report.walkout_id.in_(over))
            .returning(Report.id, Report.notice_channel_id, Report.notice_message_id)
            .execution_options(synchronize_session=False)
        )
    ).all()
    rsvps = await s.execute(
        delete(Rsvp).where(Rsvp.walkout_id.in_(over)).execution_options(synchronize_session=False)
    )
    notices = [Notice(i, c, m) for i, c, m in deleted if c is not None and m is not None]
    return notices, len(deleted), _rowcount(rsvps)
