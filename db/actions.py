"""National actions: one date at the same local time everywhere.

Shipped actions (``guild_id`` NULL, inserted by migrations) are visible to every server and
can't be removed; a server's own actions are visible only to that server.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from sqlalchemy import ColumnElement, case, delete, func, inspect, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from db import guilds as guilds_db
from db.models import ID_MAX, NationalAction, Walkout
from db.sql import never_stored

RemoveResult = Literal["removed", "shipped", "missing"]


def visible_to(guild_id: int) -> ColumnElement[bool]:
    """Shipped actions plus the server's own."""
    return or_(NationalAction.guild_id.is_(None), NationalAction.guild_id == guild_id)


async def list_for_guild(s: AsyncSession, guild_id: int) -> list[NationalAction]:
    """Every action the server can use, soonest date first."""
    stmt = (
        select(NationalAction)
        .where(visible_to(guild_id))
        .order_by(NationalAction.local_date, NationalAction.local_time, NationalAction.id)
    )
    return list(await s.scalars(stmt))


async def get_for_guild(s: AsyncSession, guild_id: int, action_id: int) -> NationalAction | None:
    """The action if the server can see it (shipped or its own), else None."""
    if not 0 < action_id <= ID_MAX:
        return None
    stmt = select(NationalAction).where(NationalAction.id == action_id, visible_to(guild_id))
    return await s.scalar(stmt)


async def find_by_name(s: AsyncSession, guild_id: int, name: str) -> NationalAction | None:
    """Case-insensitive exact name match; the server's own action wins over a shipped one."""
    if never_stored(name):
        return None
    own_first = case((NationalAction.guild_id.is_(None), 1), else_=0)
    stmt = (
        select(NationalAction)
        .where(visible_to(guild_id), func.lower(NationalAction.name) == name.strip().lower())
        .order_by(own_first, NationalAction.id)
        .limit(1)
    )
    return await s.scalar(stmt)


async def add(
    s: AsyncSession,
    guild_id: int,
    *,
    name: str,
    local_date: date,
    local_time: time,
    now: datetime,
) -> NationalAction:
    action = NationalAction(
        guild_id=guild_id,
        name=name.strip(),
        local_date=local_date,
        local_time=local_time,
        created_at=now,
    )
    s.add(action)
    await s.flush()
    return action


async def add_unless_named(
    s: AsyncSession,
    guild_id: int,
    *,
    name: str,
    local_date: date,
    local_time: time,
    now: datetime,
) -> NationalAction | None:
    """:func:`add`, unless the server already sees an action of that name (None then). The
    server's settings row is locked first, so two moderators adding one name at once add it
    once (on PostgreSQL too, where both would otherwise find no such name and both insert)."""
    await guilds_db.get_or_create(s, guild_id, now=now, lock=True)
    if await find_by_name(s, guild_id, name) is not None:
        return None
    return await add(s, guild_id, name=name, local_date=local_date, local_time=local_time, now=now)


async def remove(s: AsyncSession, guild_id: int, action_id: int) -> RemoveResult:
    """Delete one of the server's own actions.

    Walkouts that used it keep their time; their ``action_id`` becomes NULL. The foreign key is
    ON DELETE SET NULL; the explicit UPDATE does the same and also keeps walkouts already loaded
    in this session in step (their ``action_id`` and, if loaded, ``action``).
    """
    action = await get_for_guild(s, guild_id, action_id)
    if action is None:
        return "missing"
    if action.guild_id is None:
        return "shipped"
    action_id = action.id
    await s.execute(update(Walkout).where(Walkout.action_id == action_id).values(action_id=None))
    for obj in list(s.identity_map.values()):
        if isinstance(obj, Walkout) and inspect(obj).dict.get("action") is action:
            set_committed_value(obj, "action", None)
    await s.execute(delete(NationalAction).where(NationalAction.id == action_id))
    s.expunge(action)
    return "removed"
