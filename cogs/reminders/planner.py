"""Reminders move with their walkout: planned, moved and cancelled inside the walkout
lifecycle's own transactions (it implements ``cogs.walkouts.service.LifecycleHooks``), and
re-planned for a whole server when its offsets change. No Discord here.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from cogs.common.guild_config import GuildConfig, GuildConfigCache
from cogs.reminders.engine import ReminderEngine
from cogs.reminders.offsets import DEFAULT_OFFSETS, Offset, parse_offsets
from cogs.reminders.plan import due_at, plan
from cogs.walkouts.service import AfterCommit
from core.errors import UserError
from db import guilds as guilds_db
from db import reminders as reminders_db
from db import walkouts as walkouts_db
from db.engine import Database
from db.models import Walkout
from db.reminders import DmTarget


def offsets_of(config: GuildConfig) -> tuple[Offset, ...]:
    """The server's channel reminder offsets (the default until a moderator sets them)."""
    if config.reminder_offsets is None:
        return DEFAULT_OFFSETS
    return parse_offsets(config.reminder_offsets)


async def opt_in_dm(
    db: Database, w: Walkout, *, user_id: int, lang: str, offset: Offset, now: datetime
) -> datetime:
    """Store a member's DM reminder ``offset`` before walkout ``w``; return when it is due.

    The walkout is read again, with a shared lock, in the transaction that stores the opt-in:
    it may have been cancelled or moved since ``w`` was read (the cog sends a confirmation DM
    in between), and a cancel or edit can't commit until the opt-in is stored, so the later
    one finds it and tells the member."""
    async with db.begin() as s:
        current = await walkouts_db.get(s, w.guild_id, w.id, fresh=True, share=True)
        if current is None or current.is_cancelled:
            raise UserError("error.walkout.cancelled", id=w.id)
        due = due_at(current.starts_at, ZoneInfo(current.timezone), offset)
        if due <= now:
            raise UserError("error.reminders.too_late", when=int(due.timestamp()))
        await reminders_db.opt_in(
            s,
            current,
            user_id=user_id,
            lang=lang,
            offset_minutes=offset.nominal_minutes,
            due=due,
            now=now,
        )
    return due


class ReminderPlanner:
    """The lifecycle hooks for reminders, and re-planning after ``/setup reminders``."""

    def __init__(self, engine: ReminderEngine, guild_config: GuildConfigCache) -> None:
        self.engine = engine
        self.guild_config = guild_config

    async def _plan_channel(self, s: AsyncSession, walkout: Walkout, *, now: datetime) -> None:
        offsets = offsets_of(await self.guild_config.get(walkout.guild_id))
        planned = plan(walkout.starts_at, ZoneInfo(walkout.timezone), offsets, now=now)
        await reminders_db.plan_channel(
            s, walkout, [(p.offset.nominal_minutes, p.due) for p in planned], now=now
        )

    async def scheduled(self, s: AsyncSession, walkout: Walkout, *, now: datetime) -> AfterCommit:
        await self._plan_channel(s, walkout, now=now)
        return self.engine.poke

    async def moved(self, s: AsyncSession, walkout: Walkout, *, now: datetime) -> AfterCommit:
        await self._plan_channel(s, walkout, now=now)
        zone = ZoneInfo(walkout.timezone)
        targets: list[DmTarget] = []
        for reminder in await reminders_db.dm_reminders(s, walkout.id):
            due = due_at(walkout.starts_at, zone, Offset.from_nominal(reminder.offset_minutes))
            keep = due if due > now else None
            if reminder.user_id is not None:
                targets.append(
                    DmTarget(reminder.id, reminder.user_id, reminder.lang or "en", walkout.id, keep)
                )
            await reminders_db.move_dm(s, reminder, keep)

        async def after() -> None:
            self.engine.tell_members(targets, walkout, what="moved")
            await self.engine.poke()

        return after

    async def cancelled(self, s: AsyncSession, walkout: Walkout, *, now: datetime) -> AfterCommit:
        targets = await reminders_db.cancel_for_walkout(s, walkout.id, now=now)

        async def after() -> None:
            self.engine.tell_members(targets, walkout, what="cancelled")
            await self.engine.poke()

        return after


async def set_offsets(
    db: Database,
    guild_config: GuildConfigCache,
    guild_id: int,
    *,
    offsets: tuple[Offset, ...],
    text: str,
    role_id: int | None,
    now: datetime,
) -> int:
    """Store new offsets and re-plan every scheduled walkout of the server that has not
    ended, in one transaction; returns how many walkouts were re-planned."""
    async with db.begin() as s:
        await guilds_db.set_reminders(s, guild_id, offsets=text, role_id=role_id, now=now)
        walkouts = await reminders_db.scheduled_walkouts(s, guild_id, now=now)
        for walkout in walkouts:
            planned = plan(walkout.starts_at, ZoneInfo(walkout.timezone), offsets, now=now)
            await reminders_db.plan_channel(
                s, walkout, [(p.offset.nominal_minutes, p.due) for p in planned], now=now
            )
    guild_config.invalidate(guild_id)
    return len(walkouts)
