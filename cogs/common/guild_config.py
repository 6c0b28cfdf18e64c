"""A read-through cache of per-server settings.

Settings are read by nearly every interaction (time zone, organizer role, channels) and written
rarely, always by this process (/setup, event notes), so the writers invalidate and the readers
skip a database round trip. Values are frozen snapshots, never live ORM rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.visibility import Shown, Viewer, shown
from db import guilds as guilds_db
from db.engine import Database
from db.models import REGISTRATIONS_PER_HOUR, GuildSettings, Walkout


@dataclass(frozen=True)
class GuildConfig:
    """What the cogs need to know about a server; defaults for a server never configured."""

    guild_id: int
    timezone: str | None = None
    announcements_channel_id: int | None = None
    reports_channel_id: int | None = None
    organizer_role_id: int | None = None
    events_note: str | None = None
    reminder_offsets: str | None = None  # canonical text; None = the default offsets
    reminder_role_id: int | None = None
    reminders_note: str | None = None
    retention_days: int | None = None
    approval_required: bool = False
    meeting_point_public: bool = False  # False: only those going see it
    registrations_per_hour: int = REGISTRATIONS_PER_HOUR

    @classmethod
    def of(cls, guild_id: int, row: GuildSettings | None) -> GuildConfig:
        if row is None:
            return cls(guild_id)
        return cls(
            guild_id=guild_id,
            timezone=row.timezone,
            announcements_channel_id=row.announcements_channel_id,
            reports_channel_id=row.reports_channel_id,
            organizer_role_id=row.organizer_role_id,
            events_note=row.events_note,
            reminder_offsets=row.reminder_offsets,
            reminder_role_id=row.reminder_role_id,
            reminders_note=row.reminders_note,
            retention_days=row.retention_days,
            approval_required=bool(row.approval_required),
            meeting_point_public=bool(row.meeting_point_public),
            registrations_per_hour=row.registrations_per_hour,
        )


class GuildConfigCache:
    """``await cache.get(guild_id)``; call :meth:`invalidate` after writing settings."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._items: dict[int, GuildConfig] = {}
        self._generation = 0  # bumped by every invalidation

    async def get(self, guild_id: int) -> GuildConfig:
        cached = self._items.get(guild_id)
        if cached is not None:
            return cached
        generation = self._generation
        async with self._db() as s:
            config = GuildConfig.of(guild_id, await guilds_db.get(s, guild_id))
        if generation == self._generation:  # no write landed while we were reading
            self._items[guild_id] = config
        return config

    async def get_many(self, guild_ids: Iterable[int]) -> dict[int, GuildConfig]:
        """Several servers' settings: the cached ones, the rest in one query."""
        wanted = set(guild_ids)
        found = {g: self._items[g] for g in wanted if g in self._items}
        missing = wanted - found.keys()
        if missing:
            generation = self._generation
            async with self._db() as s:
                rows = await guilds_db.get_many(s, missing)
            for guild_id in missing:
                found[guild_id] = config = GuildConfig.of(guild_id, rows.get(guild_id))
                if generation == self._generation:
                    self._items[guild_id] = config
        return found

    async def shown(self, viewer: Viewer, w: Walkout, *, status: str | None = None) -> Shown:
        """What ``viewer`` may see of ``w``: core.visibility with the server's setting (every
        renderer asks here). ``status`` renders it as it is about to be."""
        config = await self.get(w.guild_id)
        return shown(
            viewer,
            status=status or w.status,
            registrant_id=w.registrant_id,
            meeting_point_public=config.meeting_point_public,
        )

    def invalidate(self, guild_id: int) -> None:
        self._generation += 1
        self._items.pop(guild_id, None)
