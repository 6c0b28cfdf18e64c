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
SQLite (Unicode-aware, see ``db.engine``) and PostgreSQL alike; typed text holding a NUL
matches nothing on both (``db.sql.never_stored``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Literal, TypedDict, Unpack, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    and_,
    case,
    delete,
    false,
    func,
    or_,
    select,
)
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from core.visibility import ANNOUNCED, PUBLIC, Viewer
from db import actions
from db.models import (
    ID_MAX,
    WALKOUT_CANCELLED,
    WALKOUT_PENDING,
    WALKOUT_PENDING_APPROVAL,
    WALKOUT_REJECTED,
    WALKOUT_SCHEDULED,
    WALKOUT_WITHDRAWN,
    NationalAction,
    Rsvp,
    Walkout,
)
from db.sql import insert_or_ignore, never_stored

PENDING = WALKOUT_PENDING
PENDING_APPROVAL = WALKOUT_PENDING_APPROVAL
SCHEDULED = WALKOUT_SCHEDULED
REJECTED = WALKOUT_REJECTED
WITHDRAWN = WALKOUT_WITHDRAWN
CANCELLED = WALKOUT_CANCELLED
OPEN = (SCHEDULED, PENDING_APPROVAL)
"""Statuses a walkout can still be edited or cancelled in."""
EVERYTHING = Viewer(user_id=0, is_mod=True)
"""A viewer who may see every walkout a member may: the lifecycle's own reads."""

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


def _visible(viewer: Viewer) -> ColumnElement[bool]:
    """Walkouts ``viewer`` may see (the rule of :func:`core.visibility.shown`): announced or
    cancelled ones; one waiting for approval only by moderators and its registrant; never one
    being announced or rejected."""
    announced = Walkout.status.in_(ANNOUNCED)
    if viewer.is_mod:
        return or_(announced, Walkout.status == PENDING_APPROVAL)
    if viewer.user_id is None:
        return announced
    mine = and_(Walkout.status == PENDING_APPROVAL, Walkout.registrant_id == viewer.user_id)
    return or_(announced, mine)


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
    approval_required: bool = False,
    channel_id: int | None = None,
) -> Walkout:
    """Insert a walkout, ``pending`` unless told otherwise; ``walkout.action`` is loaded.
    ``channel_id``: where it is to be announced (kept while it waits for approval).

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
        approval_required=approval_required,
        channel_id=channel_id,
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
    """Undo a ``pending`` walkout whose announcement failed: a new registration is deleted, an
    approved one goes back to waiting for approval."""
    this = [*_this(guild_id, walkout_id), Walkout.status == PENDING]
    result = await s.execute(
        delete(Walkout)
        .where(*this, Walkout.approval_required.is_(False))
        .execution_options(synchronize_session=False)
    )
    if _rowcount(result):
        return True
    result = await s.execute(
        sql_update(Walkout)
        .where(*this, Walkout.approval_required.is_(True))
        .values(status=PENDING_APPROVAL)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


async def sweep_pending(s: AsyncSession, *, created_before: datetime) -> int:
    """Undo every ``pending`` walkout a crash left half-announced (created, or approved, before
    the given instant): new registrations are deleted, approved ones wait for approval again.
    Returns how many."""
    since = func.coalesce(Walkout.updated_at, Walkout.created_at)  # registered, or approved
    stale = [Walkout.status == PENDING, since < created_before]
    deleted = await s.execute(
        delete(Walkout)
        .where(*stale, Walkout.approval_required.is_(False))
        .execution_options(synchronize_session=False)
    )
    reverted = await s.execute(
        sql_update(Walkout)
        .where(*stale, Walkout.approval_required.is_(True))
        .values(status=PENDING_APPROVAL)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(deleted) + _rowcount(reverted)


async def claim_approval(
    s: AsyncSession,
    guild_id: int,
    walkout_id: int,
    *,
    now: datetime,
    revision: int | None = None,
) -> bool:
    """``pending_approval`` -> ``pending`` (being announced): one conditional statement, so of two
    moderators approving at once exactly one wins. With ``revision``, only that revision (what
    the moderator was shown) is approved: an edit since then makes this lose."""
    where = [*_this(guild_id, walkout_id), Walkout.status == PENDING_APPROVAL]
    if revision is not None:
        where.append(Walkout.revision == revision)
    result = await s.execute(
        sql_update(Walkout)
        .where(*where)
        .values(status=PENDING, updated_at=now)  # the sweep's grace counts from the approval
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


async def withdraw(s: AsyncSession, guild_id: int, walkout_id: int, *, now: datetime) -> bool:
    """``pending_approval`` -> ``withdrawn`` by its registrant: it never becomes public, and only
    its name stays (for the answer to a moderator who clicks an old notice)."""
    result = await s.execute(
        sql_update(Walkout)
        .where(*_this(guild_id, walkout_id), Walkout.status == PENDING_APPROVAL)
        .values(
            status=WITHDRAWN,
            registrant_id=None,
            details=None,
            meeting_point=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


async def reject(s: AsyncSession, guild_id: int, walkout_id: int, *, now: datetime) -> int | None:
    """``pending_approval`` -> ``rejected``, forgetting the registrant, the details and the
    meeting point (only the name stays, for the answer to a late click); returns who registered
    it (to tell them once), or None when it was not waiting (decided meanwhile, or unknown)."""
    registrant = await s.scalar(
        select(Walkout.registrant_id)
        .where(*_this(guild_id, walkout_id), Walkout.status == PENDING_APPROVAL)
        .with_for_update(key_share=True)  # no delete-my-data between this read and the write
    )
    result = await s.execute(
        sql_update(Walkout)
        .where(*_this(guild_id, walkout_id), Walkout.status == PENDING_APPROVAL)
        .values(
            status=REJECTED,
            registrant_id=None,
            details=None,
            meeting_point=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if _rowcount(result) != 1:
        return None
    return registrant if registrant is not None else 0


async def status_of(s: AsyncSession, guild_id: int, walkout_id: int) -> str | None:
    """The walkout's status whatever it is (for "already decided" answers), or None."""
    if not 0 < walkout_id <= ID_MAX:
        return None
    return await s.scalar(select(Walkout.status).where(*_this(guild_id, walkout_id)))


async def awaiting_approval(s: AsyncSession, guild_id: int, *, limit: int = 25) -> list[Walkout]:
    """The server's walkouts waiting for approval, oldest request first."""
    stmt = (
        select(Walkout)
        .options(joinedload(Walkout.action))
        .where(Walkout.guild_id == guild_id, Walkout.status == PENDING_APPROVAL)
        .order_by(Walkout.created_at, Walkout.id)
        .limit(limit)
    )
    return list(await s.scalars(stmt))


async def get(
    s: AsyncSession,
    guild_id: int,
    walkout_id: int,
    *,
    fresh: bool = False,
    viewer: Viewer | None = PUBLIC,
    lock: bool = False,
    share: bool = False,
) -> Walkout | None:
    """The server's walkout with its action loaded if ``viewer`` may see it, else None (also for
    other servers' ids); ``viewer=None``: whatever its status (the lifecycle's own reads).
    ``fresh`` overwrites a copy already in the session. ``lock``: in a write transaction that
    writes because of what it read here, the row stays as read until it commits (``FOR NO KEY
    UPDATE`` on PostgreSQL; see ``db.sql``). ``share``: the same for a transaction that writes
    other rows because of what it read here (an RSVP, a DM opt-in): no edit or cancel of the
    walkout can commit in between, while such transactions don't wait for each other (``FOR
    SHARE``). Lock order: the walkout first, then the rows that hang off it."""
    if not 0 < walkout_id <= ID_MAX:
        return None
    filters = _this(guild_id, walkout_id)
    if viewer is not None:
        filters.append(_visible(viewer))
    stmt = select(Walkout).options(joinedload(Walkout.action)).where(*filters)
    if lock:
        stmt = stmt.with_for_update(of=Walkout, key_share=True)
    elif share:
        stmt = stmt.with_for_update(of=Walkout, read=True)
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
    viewer: Viewer,
) -> tuple[list[ColumnElement[bool]], list[Any]]:
    """The WHERE and ORDER BY of a page of walkouts (see :func:`list_page`)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    is_upcoming = Walkout.starts_at >= now
    filters: list[ColumnElement[bool]] = [Walkout.guild_id == guild_id, _visible(viewer)]
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
        if never_stored(city):
            filters.append(false())
        else:
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
    viewer: Viewer = PUBLIC,
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
        viewer=viewer,
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
    viewer: Viewer = PUBLIC,
) -> tuple[list[tuple[Walkout, int]], int]:
    """Like :func:`list_page`, with each walkout's RSVP count, in one round trip.

    The total rides along as an uncorrelated scalar subquery (computed once, unlike a window
    count, which makes SQLite evaluate every matching row); only a page past the end (no rows
    to carry it) needs a second query.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    filters, order = _page_query(
        guild_id,
        scope=scope,
        now=now,
        city=city,
        include_cancelled=include_cancelled,
        viewer=viewer,
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
    s: AsyncSession, guild_id: int, walkout_id: int, *, viewer: Viewer = PUBLIC
) -> tuple[Walkout, int] | None:
    """:func:`get` plus the RSVP count, in one round trip."""
    if not 0 < walkout_id <= ID_MAX:
        return None
    stmt = (
        select(Walkout, _rsvp_count())
        .options(joinedload(Walkout.action))
        .where(*_this(guild_id, walkout_id), _visible(viewer))
        .execution_options(populate_existing=True)
    )
    row = (await s.execute(stmt)).first()
    return (row[0], int(row[1])) if row else None


async def get_for_member(
    s: AsyncSession,
    guild_id: int,
    walkout_id: int,
    *,
    viewer: Viewer,
    member_keys: Sequence[str],
) -> tuple[Walkout, int, bool] | None:
    """:func:`get_with_rsvps` plus whether the member (under any of their key versions) is
    going, still in one round trip (``/walkout info``)."""
    if not 0 < walkout_id <= ID_MAX or not member_keys:
        return None
    going = (
        select(Rsvp.walkout_id)
        .where(Rsvp.walkout_id == Walkout.id, Rsvp.member_key.in_(list(member_keys)))
        .correlate(Walkout)
        .exists()
    )
    stmt = (
        select(Walkout, _rsvp_count(), going)
        .options(joinedload(Walkout.action))
        .where(*_this(guild_id, walkout_id), _visible(viewer))
        .execution_options(populate_existing=True)
    )
    row = (await s.execute(stmt)).first()
    return (row[0], int(row[1]), bool(row[2])) if row else None


def _parse_id(text: str) -> int | None:
    digits = text.removeprefix("#").strip()
    if digits.isascii() and digits.isdigit() and len(digits) <= len(str(ID_MAX)):
        value = int(digits)
        return value if 0 < value <= ID_MAX else None
    return None


async def search(
    s: AsyncSession,
    guild_id: int,
    text: str,
    *,
    now: datetime,
    limit: int = 25,
    viewer: Viewer = PUBLIC,
) -> list[Walkout]:
    """Autocomplete: the server's walkouts whose id ("12" or "#12"), school or city matches.

    Ranking: an exact id match first; then upcoming, not cancelled walkouts, soonest first; then
    the rest (past or cancelled), most recent first. Blank text matches everything. Actions are
    not loaded.
    """
    text = text.strip()
    if never_stored(text):
        return []
    filters: list[ColumnElement[bool]] = [Walkout.guild_id == guild_id, _visible(viewer)]
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
    """Change editable fields (see :class:`WalkoutEdit`) of a scheduled walkout (or one waiting
    for approval) and stamp ``updated_at``, in one conditional statement; return the walkout as
    it is now, or None when it is neither (cancelled meanwhile, or unknown).

    Raises TypeError for any other field, ValueError for an action the server can't see.
    """
    unknown = set(fields) - EDITABLE
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    if "action_id" in fields:
        await _visible_action(s, guild_id, fields["action_id"])
    result = await s.execute(
        sql_update(Walkout)
        .where(*_this(guild_id, walkout_id), Walkout.status.in_(OPEN))
        .values(**fields, updated_at=now, revision=Walkout.revision + 1)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(result) != 1:
        return None
    return await get(s, guild_id, walkout_id, fresh=True, viewer=EVERYTHING)


async def cancel(
    s: AsyncSession, guild_id: int, walkout_id: int, *, reason: str | None, now: datetime
) -> Walkout | None:
    """Cancel a scheduled walkout in one conditional statement; the walkout as it is now, or None
    when it was not scheduled. (One waiting for approval is withdrawn instead: :func:`withdraw`.)"""
    result = await s.execute(
        sql_update(Walkout)
        .where(*_this(guild_id, walkout_id), Walkout.status == SCHEDULED)
        .values(status=CANCELLED, cancel_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(result) != 1:
        return None
    return await get(s, guild_id, walkout_id, fresh=True, viewer=EVERYTHING)


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

    Statements that are each atomic: ``DELETE … RETURNING`` (it was there: now it isn't), else
    ``INSERT … ON CONFLICT DO NOTHING … RETURNING`` (it wasn't: now it is). Two toggles racing
    (a double click) end as if one followed the other, never in an IntegrityError: on SQLite
    the write lock orders them; on PostgreSQL the loser's insert waits for the winner's and
    finds its row, so it deletes that row instead. Not guild-scoped: resolve ``walkout_id`` with
    :func:`get` first (an unknown id fails the foreign key). ``older_keys``: the member's hashes
    under older versions of the pseudonym secret; an RSVP stored under one of them counts as
    theirs.
    """
    keys = [member_key, *older_keys]
    for _ in range(3):
        removed = (
            await s.scalars(
                delete(Rsvp)
                .where(Rsvp.walkout_id == walkout_id, Rsvp.member_key.in_(keys))
                .returning(Rsvp.walkout_id)
            )
        ).all()
        if removed:
            return False
        added = await s.scalar(
            insert_or_ignore(s, Rsvp)
            .values(walkout_id=walkout_id, member_key=member_key)
            .returning(Rsvp.walkout_id)
        )
        if added is not None:
            return True
        # A racing toggle inserted the row after our DELETE looked (PostgreSQL, READ COMMITTED:
        # each statement sees what is committed when it starts): the next DELETE sees it.
    return True  # the row is there: going


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


async def has_rsvp(s: AsyncSession, walkout_id: int, member_keys: Iterable[str]) -> bool:
    """Whether the member (under any of their key versions) is going to the walkout."""
    keys = list(member_keys)
    if not keys:
        return False
    stmt = select(Rsvp.walkout_id).where(Rsvp.walkout_id == walkout_id, Rsvp.member_key.in_(keys))
    return await s.scalar(stmt.limit(1)) is not None


async def posted(
    s: AsyncSession, guild_id: int | None = None, *, after_id: int = 0, limit: int = 500
) -> list[Walkout]:
    """Walkouts whose announcement is posted (scheduled or cancelled), by id, a page at a time;
    every server's when ``guild_id`` is None (re-rendering after an upgrade)."""
    stmt = (
        select(Walkout)
        .options(joinedload(Walkout.action))
        .where(
            Walkout.message_id.is_not(None),
            Walkout.status.in_(ANNOUNCED),
            Walkout.id > after_id,
        )
        .order_by(Walkout.id)
        .limit(limit)
    )
    if guild_id is not None:
        stmt = stmt.where(Walkout.guild_id == guild_id)
    return list(await s.scalars(stmt))
