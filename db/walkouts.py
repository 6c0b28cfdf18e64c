"""Walkouts and their RSVPs.

Every lookup that takes a ``guild_id`` is scoped to that server: a walkout id from another server
behaves as if it did not exist. A ``pending`` walkout (stored, not announced yet) is invisible to
every lookup but the lifecycle's own. Functions never commit; the caller owns the transaction.

Writes that depend on a walkout's state are single conditional statements
(``UPDATE … WHERE id = :id AND guild_id = :g AND status = 'scheduled'``): when two requests race,
exactly one changes the row and the other learns it lost (``None`` / ``False``), on SQLite and
PostgreSQL alike.

"Upcoming" means ``starts_at >= now`` everywhere in this module (an ongoing walkout counts as
past). Text matching is case-insensitive substring matching with LIKE wildcards escaped, on
SQLite (Unicode-aware, see ``db.engine``) and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal, TypedDict, Unpack, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    and_,
    case,
    delete,
    func,
    or_,
    select,
)
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from db import actions
from db.models import (
    ID_MAX,
    WALKOUT_CANCELLED,
    WALKOUT_PENDING,
    WALKOUT_SCHEDULED,
    NationalAction,
    Rsvp,
    Walkout,
)
from db.sql import insert_or_ignore

PENDING = WALKOUT_PENDING
SCHEDULED = WALKOUT_SCHEDULED
CANCELLED = WALKOUT_CANCELLED

Scope = Literal["upcoming", "past", "all"]
SCOPES: tuple[Scope, ...] = ("upcoming", "past", "all")


class WalkoutEdit(TypedDict, total=False):
    """The fields :func:`update` may change."""

    school: str
    city: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    meeting_point: str | None
    details: str | None
    action_id: int | None


EDITABLE: frozenset[str] = frozenset(WalkoutEdit.__annotations__)


def _rowcount(result: Any) -> int:
    return max(cast(CursorResult[Any], result).rowcount, 0)


def _announced() -> ColumnElement[bool]:
    """Walkouts members may see: announced (scheduled) or cancelled, never pending."""
    return Walkout.status != PENDING


def _this(guild_id: int, walkout_id: int) -> list[ColumnElement[bool]]:
    return [Walkout.id == walkout_id, Walkout.guild_id == guild_id]


async def _visible_action(
    s: AsyncSession, guild_id: int, action_id: int | None
) -> NationalAction | None:
    if action_id is None:
        return None
    action = await actions.get_for_guild(s, guild_id, action_id)
    if action is None:
        raise ValueError(f"national action {action_id} is not visible in guild {guild_id}")
    return action


async def create(
    s: AsyncSession,
    *,
    guild_id: int,
    school: str,
    city: str,
    starts_at: datetime,
    ends_at: datetime,
    timezone: str,
    meeting_point: str | None,
    details: str | None,
    action_id: int | None,
    registrant_id: int | None,
    now: datetime,
    status: str = PENDING,
) -> Walkout:
    """Insert a walkout, ``pending`` unless told otherwise; ``walkout.action`` is loaded.

    Raises ValueError if ``action_id`` names an action the server can't see.
    """
    action = await _visible_action(s, guild_id, action_id)
    walkout = Walkout(
        guild_id=guild_id,
        school=school,
        city=city,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=timezone,
        meeting_point=meeting_point,
        details=details,
        action=action,
        registrant_id=registrant_id,
        status=status,
        created_at=now,
    )
    s.add(walkout)
    await s.flush()
    return walkout


async def mark_scheduled(
    s: AsyncSession, guild_id: int, walkout_id: int, *, channel_id: int, message_id: int
) -> bool:
    """``pending`` -> ``scheduled`` once its announcement exists; False if it was not pending
    (swept meanwhile)."""
    result = await s.execute(
        sql_update(Walkout)
        .where(*_this(guild_id, walkout_id), Walkout.status == PENDING)
        .values(status=SCHEDULED, channel_id=channel_id, message_id=message_id)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


async def discard_pending(s: AsyncSession, guild_id: int, walkout_id: int) -> bool:
    """Delete the walkout if it is still ``pending`` (its announcement failed)."""
    result = await s.execute(
        delete(Walkout)
        .where(*_this(guild_id, walkout_id), Walkout.status == PENDING)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


async def sweep_pending(s: AsyncSession, *, created_before: datetime) -> int:
    """Delete every ``pending`` walkout created before the given instant (a crash left it
    half-registered); returns how many."""
    result = await s.execute(
        delete(Walkout)
        .where(Walkout.status == PENDING, Walkout.created_at < created_before)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


async def get(
    s: AsyncSession, guild_id: int, walkout_id: int, *, fresh: bool = False
) -> Walkout | None:
    """The server's announced walkout with its action loaded, or None (also for other servers'
    ids and pending walkouts). ``fresh`` overwrites a copy already in the session."""
    if not 0 < walkout_id <= ID_MAX:
        return None
    stmt = (
        select(Walkout)
        .options(joinedload(Walkout.action))
        .where(*_this(guild_id, walkout_id), _announced())
    )
    if fresh:
        stmt = stmt.execution_options(populate_existing=True)
    return await s.scalar(stmt)


def _page_query(
    guild_id: int,
    *,
    scope: Scope,
    now: datetime,
    city: str | None,
    include_cancelled: bool,
) -> tuple[list[ColumnElement[bool]], list[Any]]:
    """The WHERE and ORDER BY of a page of walkouts (see :func:`list_page`)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    is_upcoming = Walkout.starts_at >= now
    filters: list[ColumnElement[bool]] = [Walkout.guild_id == guild_id, _announced()]
    if scope == "upcoming":
        filters.append(is_upcoming)
        order: list[Any] = [Walkout.starts_at.asc(), Walkout.id.asc()]
    elif scope == "past":
        filters.append(Walkout.starts_at < now)
        order = [Walkout.starts_at.desc(), Walkout.id.desc()]
    else:
        order = [
            case((is_upcoming, 0), else_=1),
            case((is_upcoming, Walkout.starts_at)).asc(),  # NULL (all equal) for past rows
            Walkout.starts_at.desc(),
            Walkout.id.asc(),
        ]
    if city and city.strip():
        filters.append(Walkout.city.icontains(city.strip(), autoescape=True))
    if not include_cancelled:
        filters.append(Walkout.status != CANCELLED)
    return filters, order


async def list_page(
    s: AsyncSession,
    guild_id: int,
    *,
    scope: Scope,
    now: datetime,
    city: str | None = None,
    offset: int = 0,
    limit: int = 10,
    include_cancelled: bool = True,
) -> tuple[list[Walkout], int]:
    """One page of the server's walkouts (actions loaded) and the total matching count.

    Order: ``upcoming`` soonest first; ``past`` most recent first; ``all`` the upcoming ones
    soonest first, then the past ones most recent first. ``city`` is a case-insensitive
    substring filter; blank means no filter.
    """
    rows, total = await list_page_with_rsvps(
        s,
        guild_id,
        scope=scope,
        now=now,
        city=city,
        offset=offset,
        limit=limit,
        include_cancelled=include_cancelled,
    )
    return [w for w, _ in rows], total


def _rsvp_count() -> Any:
    """A correlated subquery: the number of RSVPs of the walkout in the outer query."""
    return (
        select(func.count())
        .select_from(Rsvp)
        .where(Rsvp.walkout_id == Walkout.id)
        .correlate(Walkout)
        .scalar_subquery()
    )


async def list_page_with_rsvps(
    s: AsyncSession,
    guild_id: int,
    *,
    scope: Scope,
    now: datetime,
    city: str | None = None,
    offset: int = 0,
    limit: int = 10,
    include_cancelled: bool = True,
) -> tuple[list[tuple[Walkout, int]], int]:
    """Like :func:`list_page`, with each walkout's RSVP count, in one round trip.

    The total rides along as an uncorrelated scalar subquery (computed once, unlike a window
    count, which makes SQLite evaluate every matching row); only a page past the end (no rows
    to carry it) needs a second query.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    filters, order = _page_query(
        guild_id, scope=scope, now=now, city=city, include_cancelled=include_cancelled
    )
    total = select(func.count()).select_from(Walkout).where(*filters).scalar_subquery()
    stmt = (
        select(Walkout, _rsvp_count(), total)
        .options(joinedload(Walkout.action))
        .where(*filters)
        .order_by(*order)
        .offset(max(offset, 0))
        .limit(limit)
    )
    result = (await s.execute(stmt)).all()
    if result:
        return [(w, int(n)) for w, n, _ in result], int(result[0][2])
    if offset <= 0:
        return [], 0
    count = await s.scalar(select(func.count()).select_from(Walkout).where(*filters))
    return [], count or 0


async def get_with_rsvps(
    s: AsyncSession, guild_id: int, walkout_id: int
) -> tuple[Walkout, int] | None:
    """:func:`get` plus the RSVP count, in one round trip."""
    if not 0 < walkout_id <= ID_MAX:
        return None
    stmt = (
        select(Walkout, _rsvp_count())
        .options(joinedload(Walkout.action))
        .where(*_this(guild_id, walkout_id), _announced())
        .execution_options(populate_existing=True)
    )
    row = (await s.execute(stmt)).first()
    return (row[0], int(row[1])) if row else None


def _parse_id(text: str) -> int | None:
    digits = text.removeprefix("#").strip()
    if digits.isascii() and digits.isdigit() and len(digits) <= len(str(ID_MAX)):
        value = int(digits)
        return value if 0 < value <= ID_MAX else None
    return None


async def search(
    s: AsyncSession, guild_id: int, text: str, *, now: datetime, limit: int = 25
) -> list[Walkout]:
    """Autocomplete: the server's walkouts whose id ("12" or "#12"), school or city matches.

    Ranking: an exact id match first; then upcoming, not cancelled walkouts, soonest first; then
    the rest (past or cancelled), most recent first. Blank text matches everything. Actions are
    not loaded.
    """
    text = text.strip()
    filters: list[ColumnElement[bool]] = [Walkout.guild_id == guild_id, _announced()]
    order: list[Any] = []
    if text:
        matches = [
            Walkout.school.icontains(text, autoescape=True),
            Walkout.city.icontains(text, autoescape=True),
        ]
        walkout_id = _parse_id(text)
        if walkout_id is not None:
            matches.append(Walkout.id == walkout_id)
            order.append(case((Walkout.id == walkout_id, 0), else_=1))
        filters.append(or_(*matches))
    is_open = and_(Walkout.starts_at >= now, Walkout.status != CANCELLED)
    order += [
        case((is_open, 0), else_=1),
        case((is_open, Walkout.starts_at)).asc(),  # NULL (all equal) for the rest
        Walkout.starts_at.desc(),
        Walkout.id.asc(),
    ]
    stmt = select(Walkout).where(*filters).order_by(*order).limit(limit)
    return list(await s.scalars(stmt))


async def update(
    s: AsyncSession,
    guild_id: int,
    walkout_id: int,
    *,
    now: datetime,
    **fields: Unpack[WalkoutEdit],
) -> Walkout | None:
    """Change editable fields (see :class:`WalkoutEdit`) of a *scheduled* walkout and stamp
    ``updated_at``, in one conditional statement; return the walkout as it is now, or None when
    it is not scheduled (cancelled meanwhile, or unknown).

    Raises TypeError for any other field, ValueError for an action the server can't see.
    """
    unknown = set(fields) - EDITABLE
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    if "action_id" in fields:
        await _visible_action(s, guild_id, fields["action_id"])
    result = await s.execute(
        sql_update(Walkout)
        .where(*_this(guild_id, walkout_id), Walkout.status == SCHEDULED)
        .values(**fields, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(result) != 1:
        return None
    return await get(s, guild_id, walkout_id, fresh=True)


async def cancel(
    s: AsyncSession, guild_id: int, walkout_id: int, *, reason: str | None, now: datetime
) -> Walkout | None:
    """Cancel a *scheduled* walkout in one conditional statement; the walkout as it is now, or
    None when it was not scheduled (already cancelled, or unknown)."""
    result = await s.execute(
        sql_update(Walkout)
        .where(*_this(guild_id, walkout_id), Walkout.status == SCHEDULED)
        .values(status=CANCELLED, cancel_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(result) != 1:
        return None
    return await get(s, guild_id, walkout_id, fresh=True)


async def set_announcement(
    s: AsyncSession,
    guild_id: int,
    walkout_id: int,
    *,
    channel_id: int | None,
    message_id: int | None,
) -> None:
    """Remember where the announcement is (None, None: it was deleted)."""
    await s.execute(
        sql_update(Walkout)
        .where(*_this(guild_id, walkout_id))
        .values(channel_id=channel_id, message_id=message_id)
        .execution_options(synchronize_session=False)
    )


async def set_event(s: AsyncSession, guild_id: int, walkout_id: int, event_id: int | None) -> None:
    """Remember the Discord scheduled event created for the walkout (None: none/deleted)."""
    await s.execute(
        sql_update(Walkout)
        .where(*_this(guild_id, walkout_id))
        .values(event_id=event_id)
        .execution_options(synchronize_session=False)
    )


async def toggle_rsvp(
    s: AsyncSession, walkout_id: int, member_key: str, *, older_keys: Iterable[str] = ()
) -> bool:
    """Flip the member's RSVP; True if they are now going.

    Two statements that are each atomic: ``DELETE … RETURNING`` (it was there: now it isn't),
    else ``INSERT … ON CONFLICT DO NOTHING`` (a racing double click lands on "going" instead of
    an IntegrityError). Not guild-scoped: resolve ``walkout_id`` with :func:`get` first (an
    unknown id fails the foreign key). ``older_keys``: the member's hashes under older versions
    of the pseudonym secret; an RSVP stored under one of them counts as theirs.
    """
    keys = [member_key, *older_keys]
    removed = (
        await s.scalars(
            delete(Rsvp)
            .where(Rsvp.walkout_id == walkout_id, Rsvp.member_key.in_(keys))
            .returning(Rsvp.walkout_id)
        )
    ).all()
    if removed:
        return False
    await s.execute(insert_or_ignore(s, Rsvp).values(walkout_id=walkout_id, member_key=member_key))
    return True


async def rsvp_count(s: AsyncSession, walkout_id: int) -> int:
    stmt = select(func.count()).select_from(Rsvp).where(Rsvp.walkout_id == walkout_id)
    return await s.scalar(stmt) or 0


async def rsvp_counts(s: AsyncSession, walkout_ids: Iterable[int]) -> dict[int, int]:
    """RSVP count per walkout id, 0 for ids without RSVPs."""
    ids = set(walkout_ids)
    if not ids:
        return {}
    counts = dict.fromkeys(ids, 0)
    stmt = (
        select(Rsvp.walkout_id, func.count())
        .where(Rsvp.walkout_id.in_(ids))
        .group_by(Rsvp.walkout_id)
    )
    for walkout_id, count in await s.execute(stmt):
        counts[walkout_id] = count
    return counts


async def forget_member(
    s: AsyncSession, guild_id: int, *, user_id: int, member_keys: list[str]
) -> int:
    """Privacy: drop what ties the member to this server's walkouts.

    Nulls ``registrant_id`` on the server's walkouts registered by ``user_id`` and deletes the
    RSVPs stored under any of ``member_keys`` on the server's walkouts. Returns rows touched.
    """
    result = await s.execute(
        sql_update(Walkout)
        .where(Walkout.guild_id == guild_id, Walkout.registrant_id == user_id)
        .values(registrant_id=None)
    )
    touched = _rowcount(result)
    if member_keys:
        in_guild = select(Walkout.id).where(Walkout.guild_id == guild_id)
        result = await s.execute(
            delete(Rsvp).where(Rsvp.member_key.in_(member_keys), Rsvp.walkout_id.in_(in_guild))
        )
        touched += _rowcount(result)
    return touched


async def count_active_events(s: AsyncSession, guild_id: int, *, now: datetime) -> int:
    """Scheduled events the bot still maintains: walkouts with an event, not cancelled or over."""
    stmt = (
        select(func.count())
        .select_from(Walkout)
        .where(
            Walkout.guild_id == guild_id,
            Walkout.event_id.is_not(None),
            Walkout.status != CANCELLED,
            Walkout.ends_at > now,
        )
    )
    return await s.scalar(stmt) or 0


async def forget_registrant(s: AsyncSession, guild_id: int, user_id: int) -> list[int]:
    """Privacy: null ``registrant_id`` on the server's walkouts the member registered; return
    their ids (their announcements show the registrant, so they are refreshed)."""
    result = await s.scalars(
        sql_update(Walkout)
        .where(Walkout.guild_id == guild_id, Walkout.registrant_id == user_id)
        .values(registrant_id=None)
        .returning(Walkout.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(result.all())


async def forget_rsvps(s: AsyncSession, guild_id: int, member_keys: Iterable[str]) -> list[int]:
    """Privacy: delete the member's RSVPs (stored under any of ``member_keys``: one per key
    version) on the server's walkouts; return the ids of the walkouts whose count changed."""
    keys = list(member_keys)
    if not keys:
        return []
    in_guild = select(Walkout.id).where(Walkout.guild_id == guild_id)
    result = await s.scalars(
        delete(Rsvp)
        .where(Rsvp.member_key.in_(keys), Rsvp.walkout_id.in_(in_guild))
        .returning(Rsvp.walkout_id)
        .execution_options(synchronize_session=False)
    )
    return sorted(result.all())
