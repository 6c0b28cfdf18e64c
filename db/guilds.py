"""Per-server settings. A server without a row uses the defaults; setters create the row."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import GuildSettings
from db.sql import insert_or_ignore


async def get(s: AsyncSession, guild_id: int) -> GuildSettings | None:
    return await s.get(GuildSettings, guild_id)


async def get_many(s: AsyncSession, guild_ids: Iterable[int]) -> dict[int, GuildSettings]:
    """The rows of the given servers (servers without a row are missing from the result)."""
    ids = list(set(guild_ids))
    rows: dict[int, GuildSettings] = {}
    for start in range(0, len(ids), 500):  # stay well under SQLite's bound-parameter limit
        chunk = ids[start : start + 500]
        result = await s.scalars(select(GuildSettings).where(GuildSettings.guild_id.in_(chunk)))
        rows.update((row.guild_id, row) for row in result)
    return rows


async def get_or_create(
    s: AsyncSession, guild_id: int, *, now: datetime, lock: bool = False
) -> GuildSettings:
    """The server's row, created if missing. Safe when two requests create it at once: the
    insert is one ``INSERT … ON CONFLICT DO NOTHING``, so the loser simply reads the winner's
    row; no savepoint, no IntegrityError. ``lock``: the row is locked until the transaction
    ends (``FOR UPDATE`` on PostgreSQL), which serialises whatever the server's transactions
    check before they write (one national action of a name)."""
    settings = await s.get(GuildSettings, guild_id)
    if settings is not None and not lock:
        return settings
    if settings is None:
        await s.execute(
            insert_or_ignore(s, GuildSettings).values(guild_id=guild_id, created_at=now)
        )
    settings = await s.get(
        GuildSettings, guild_id, with_for_update=lock or None, populate_existing=lock
    )
    if settings is None:  # pragma: no cover - the row was just inserted or already there
        raise RuntimeError(f"settings row of guild {guild_id} vanished")
    return settings


async def set_timezone(
    s: AsyncSession, guild_id: int, zone: str, *, now: datetime
) -> GuildSettings:
    """Store the server's IANA zone name (validated by the caller)."""
    settings = await get_or_create(s, guild_id, now=now)
    settings.timezone = zone
    settings.updated_at = now
    await s.flush()
    return settings


async def set_channels(
    s: AsyncSession,
    guild_id: int,
    *,
    announcements_id: int,
    reports_id: int | None,
    now: datetime,
) -> GuildSettings:
    settings = await get_or_create(s, guild_id, now=now)
    settings.announcements_channel_id = announcements_id
    settings.reports_channel_id = reports_id
    settings.updated_at = now
    await s.flush()
    return settings


async def set_organizer_role(
    s: AsyncSession, guild_id: int, role_id: int | None, *, now: datetime
) -> GuildSettings:
    settings = await get_or_create(s, guild_id, now=now)
    settings.organizer_role_id = role_id
    settings.updated_at = now
    await s.flush()
    return settings


async def note_events(
    s: AsyncSession, guild_id: int, note: str | None, *, now: datetime
) -> GuildSettings:
    """Record why the last Discord scheduled event was skipped (a catalog key); None clears it.

    Not a settings edit, so ``updated_at`` is left alone; ``events_note_at`` records when the
    note was last set or cleared.
    """
    settings = await get_or_create(s, guild_id, now=now)
    settings.events_note = note
    settings.events_note_at = now
    await s.flush()
    return settings


async def note_reminders(
    s: AsyncSession, guild_id: int, note: str | None, *, now: datetime
) -> GuildSettings:
    """Record why reminders could not be posted (a catalog key; moderators are told once per
    note); None clears it after a post succeeds."""
    settings = await get_or_create(s, guild_id, now=now)
    settings.reminders_note = note
    settings.reminders_note_at = now
    await s.flush()
    return settings


async def set_reminders(
    s: AsyncSession, guild_id: int, *, offsets: str, role_id: int | None, now: datetime
) -> GuildSettings:
    """Store the server's reminder offsets (canonical text, "off" for none) and ping role."""
    settings = await get_or_create(s, guild_id, now=now)
    settings.reminder_offsets = offsets
    settings.reminder_role_id = role_id
    settings.updated_at = now
    await s.flush()
    return settings


async def set_retention(
    s: AsyncSession, guild_id: int, days: int | None, *, now: datetime
) -> GuildSettings:
    """Keep reports (and RSVPs) for ``days`` after their walkout ended; None or 0 = keep."""
    settings = await get_or_create(s, guild_id, now=now)
    settings.retention_days = days or None
    settings.updated_at = now
    await s.flush()
    return settings


async def with_retention(s: AsyncSession) -> list[tuple[int, int]]:
    """(guild id, days) of every server with a retention period, for the purge job."""
    stmt = select(GuildSettings.guild_id, GuildSettings.retention_days).where(
        GuildSettings.retention_days > 0
    )
    return [(g, d) for g, d in (await s.execute(stmt)).all() if d]


async def set_approval(
    s: AsyncSession, guild_id: int, *, enabled: bool, per_hour: int | None, now: datetime
) -> GuildSettings:
    """Whether walkouts by members who are not moderators wait for approval, and (when given)
    how many a member may register per hour."""
    settings = await get_or_create(s, guild_id, now=now)
    settings.approval_required = enabled
    if per_hour is not None:
        settings.registrations_per_hour = per_hour
    settings.updated_at = now
    await s.flush()
    return settings


async def set_meeting_point(
    s: AsyncSession, guild_id: int, *, public: bool, now: datetime
) -> GuildSettings:
    """Meeting points in public posts (True) or only for those going (False)."""
    settings = await get_or_create(s, guild_id, now=now)
    settings.meeting_point_public = public
    settings.updated_at = now
    await s.flush()
    return settings
