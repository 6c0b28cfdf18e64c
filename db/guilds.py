"""Per-server settings. A server without a row uses the defaults; setters create the row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import GuildSettings


async def get(s: AsyncSession, guild_id: int) -> GuildSettings | None:
    return await s.get(GuildSettings, guild_id)


async def get_or_create(s: AsyncSession, guild_id: int) -> GuildSettings:
    """The server's row, created if missing. Safe when two requests create it at once: the
    insert runs in a savepoint, and losing the race just means reading the winner's row."""
    settings = await s.get(GuildSettings, guild_id)
    if settings is not None:
        return settings
    try:
        async with s.begin_nested():
            settings = GuildSettings(guild_id=guild_id)
            s.add(settings)
    except IntegrityError:
        settings = await s.get(GuildSettings, guild_id, populate_existing=True)
        if settings is None:  # pragma: no cover - the conflicting row cannot vanish
            raise
    return settings


async def set_timezone(
    s: AsyncSession, guild_id: int, zone: str, *, now: datetime
) -> GuildSettings:
    """Store the server's IANA zone name (validated by the caller)."""
    settings = await get_or_create(s, guild_id)
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
    settings = await get_or_create(s, guild_id)
    settings.announcements_channel_id = announcements_id
    settings.reports_channel_id = reports_id
    settings.updated_at = now
    await s.flush()
    return settings


async def set_organizer_role(
    s: AsyncSession, guild_id: int, role_id: int | None, *, now: datetime
) -> GuildSettings:
    settings = await get_or_create(s, guild_id)
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
    settings = await get_or_create(s, guild_id)
    settings.events_note = note
    settings.events_note_at = now
    await s.flush()
    return settings
