"""Reminders: planned, moved and cancelled with their walkout; claimed, posted and recorded by
the engine. Functions never commit; the caller owns the transaction.

Exactly-once rests on two statements here: :func:`claim` (``UPDATE … WHERE status = 'pending'``:
one claimer wins each row) and :func:`record` (``UPDATE … WHERE status = 'claimed' AND
claim_nonce = :n``). Between them the post goes out with the claim's nonce, so a post retried
after a crash returns the message Discord already has instead of a second one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Integer,
    case,
    delete,
    func,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    REMINDER_CHANNEL,
    REMINDER_DM,
    WALKOUT_SCHEDULED,
    Reminder,
    Walkout,
)
from db.sql import insert_or_ignore

PENDING = "pending"
CLAIMED = "claimed"
SENT = "sent"
LATE = "late"
MISSED = "missed"
FAILED = "failed"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class Shards:
    """The servers one bot process serves: Discord's rule ``(guild_id >> 22) % count``."""

    ids: tuple[int, ...]
    count: int

    def where(self) -> ColumnElement[bool]:
        # The shift count is an integer: PostgreSQL has ``bigint >> integer`` and no
        # ``bigint >> bigint`` (the type a plain 22 would take from the column).
        shard = (Reminder.guild_id.op(">>")(literal(22, Integer))) % self.count
        return shard.in_(self.ids)

    def owns(self, guild_id: int) -> bool:
        return (guild_id >> 22) % self.count in self.ids


def _scoped(shards: Shards | None) -> list[ColumnElement[bool]]:
    return [shards.where()] if shards is not None and shards.count > 1 else []


def _rowcount(result: Any) -> int:
    return max(cast(CursorResult[Any], result).rowcount, 0)


@dataclass(frozen=True)
class DmTarget:
    """A member to tell about a change of a walkout they asked a DM reminder for."""

    reminder_id: int
    user_id: int
    lang: str
    walkout_id: int
    due: datetime | None = None  # where the reminder moved; None: it no longer fits


# ------------------------------------------------------------------ planning


async def plan_channel(
    s: AsyncSession,
    walkout: Walkout,
    planned: Iterable[tuple[int, datetime]],
    *,
    now: datetime,
) -> None:
    """Bring the walkout's channel reminders in line with ``planned`` ((nominal offset, due)
    pairs, all in the future): pending ones move, ones no longer planned are deleted, new ones
    are inserted, and ones already posted whose new due instant is ahead are armed again
    (a new generation, so their post gets a new nonce)."""
    wanted = dict(planned)
    rows = (
        await s.scalars(
            select(Reminder)
            .where(Reminder.walkout_id == walkout.id, Reminder.kind == REMINDER_CHANNEL)
            .with_for_update()  # a claim racing this plan lands before or after it, not inside
        )
    ).all()
    have = {row.offset_minutes: row for row in rows}
    for offset, row in have.items():
        due = wanted.get(offset)
        if row.status == PENDING and due is None:
            await s.delete(row)
        elif row.status == PENDING and due is not None:
            row.due_at = due
        elif row.status in (SENT, LATE, MISSED, FAILED, CANCELLED) and due is not None:
            row.status = PENDING
            row.due_at = due
            row.generation += 1
            row.message_id = None
            row.claimed_at = None
            row.claim_nonce = None
            row.error = None
            row.done_at = None
            row.attempts = 0
        # claimed: being posted right now; its outcome is recorded as it lands.
    for offset, due in wanted.items():
        if offset not in have:
            await s.execute(
                insert_or_ignore(s, Reminder).values(
                    guild_id=walkout.guild_id,
                    walkout_id=walkout.id,
                    kind=REMINDER_CHANNEL,
                    offset_minutes=offset,
                    due_at=due,
                    status=PENDING,
                    attempts=0,
                    generation=0,
                    created_at=now,
                )
            )
    await s.flush()


async def dm_reminders(s: AsyncSession, walkout_id: int) -> list[Reminder]:
    """The walkout's pending DM reminders, locked for this write transaction (to move or cancel
    them: one claimed meanwhile is no longer pending, so it is not among them)."""
    stmt = (
        select(Reminder)
        .where(
            Reminder.walkout_id == walkout_id,
            Reminder.kind == REMINDER_DM,
            Reminder.status == PENDING,
        )
        .with_for_update()
    )
    return list((await s.scalars(stmt)).all())


async def move_dm(s: AsyncSession, reminder: Reminder, due: datetime | None) -> None:
    """Move a pending DM reminder to ``due``; None cancels it (its instant has passed) and
    forgets the member."""
    if due is None:
        reminder.status = CANCELLED
        reminder.user_id = None
    else:
        reminder.due_at = due
    await s.flush()


async def cancel_for_walkout(s: AsyncSession, walkout_id: int, *, now: datetime) -> list[DmTarget]:
    """Cancel every reminder of a walkout that has not gone out; return the DM opt-ins to tell
    (their ids are forgotten here: the notice goes out right after the commit)."""
    targets = [
        DmTarget(r.id, r.user_id, r.lang or "en", walkout_id)
        for r in await dm_reminders(s, walkout_id)
        if r.user_id is not None
    ]
    await s.execute(
        update(Reminder)
        .where(Reminder.walkout_id == walkout_id, Reminder.status == PENDING)
        .values(status=CANCELLED, user_id=None, done_at=now)
        .execution_options(synchronize_session=False)
    )
    return targets


async def opt_in(
    s: AsyncSession,
    walkout: Walkout,
    *,
    user_id: int,
    lang: str,
    offset_minutes: int,
    due: datetime,
    now: datetime,
) -> bool:
    """Add a member's DM reminder; False if they already have one pending."""
    result = await s.execute(
        insert_or_ignore(s, Reminder).values(
            guild_id=walkout.guild_id,
            walkout_id=walkout.id,
            kind=REMINDER_DM,
            offset_minutes=offset_minutes,
            due_at=due,
            status=PENDING,
            attempts=0,
            generation=0,
            user_id=user_id,
            lang=lang,
            created_at=now,
        )
    )
    return _rowcount(result) == 1


async def opt_out(s: AsyncSession, walkout_id: int, user_id: int) -> bool:
    """Remove a member's pending DM reminder (the row and their id go); False if none."""
    result = await s.execute(
        delete(Reminder).where(
            Reminder.walkout_id == walkout_id,
            Reminder.kind == REMINDER_DM,
            Reminder.user_id == user_id,
            Reminder.status == PENDING,
        )
    )
    return _rowcount(result) == 1


async def my_dm(s: AsyncSession, walkout_id: int, user_id: int) -> Reminder | None:
    stmt = select(Reminder).where(
        Reminder.walkout_id == walkout_id,
        Reminder.kind == REMINDER_DM,
        Reminder.user_id == user_id,
        Reminder.status == PENDING,
    )
    return await s.scalar(stmt)


async def scheduled_walkouts(s: AsyncSession, guild_id: int, *, now: datetime) -> list[Walkout]:
    """The server's scheduled walkouts that have not ended (to re-plan after an offset change),
    locked in id order until the transaction ends: an edit or cancel of one of them waits, so
    the plan is made from the start that stays (and a walkout cancelled meanwhile drops out).
    Lock order as the lifecycle's: the walkout, then its reminders."""
    stmt = (
        select(Walkout)
        .where(
            Walkout.guild_id == guild_id,
            Walkout.status == WALKOUT_SCHEDULED,
            Walkout.ends_at > now,
        )
        .order_by(Walkout.id)
        .with_for_update(of=Walkout, key_share=True)
        .execution_options(populate_existing=True)
    )
    return list((await s.scalars(stmt)).all())


# ------------------------------------------------------------------- engine


async def next_due(s: AsyncSession, shards: Shards | None = None) -> datetime | None:
    """The earliest due instant of a pending reminder (this process's servers)."""
    stmt = (
        select(func.min(Reminder.due_at))
        .join(Walkout, Walkout.id == Reminder.walkout_id)
        .where(Reminder.status == PENDING, Walkout.status == WALKOUT_SCHEDULED, *_scoped(shards))
    )
    value = await s.scalar(stmt)
    if isinstance(value, str):  # SQLite returns min() of a text column as text
        from db.types import UTCDateTime

        value = UTCDateTime().process_result_value(value, s.get_bind().dialect)
    return value


DueCursor = tuple[datetime, int, int]
"""Where a page of due reminders ended: (due_at, guild_id, id) of its last row."""


async def due(
    s: AsyncSession,
    *,
    until: datetime,
    shards: Shards | None = None,
    after: DueCursor | None = None,
    limit: int = 1000,
) -> list[tuple[Reminder, Walkout]]:
    """Pending reminders due at or before ``until`` with their walkouts, oldest first, grouped
    by server within an instant; ``after`` continues from a previous page (keyset paging)."""
    order = (Reminder.due_at, Reminder.guild_id, Reminder.id)
    stmt = (
        select(Reminder, Walkout)
        .join(Walkout, Walkout.id == Reminder.walkout_id)
        .where(
            Reminder.status == PENDING,
            Reminder.due_at <= until,
            Walkout.status == WALKOUT_SCHEDULED,  # a walkout cancelled meanwhile: none
            *_scoped(shards),
        )
        .order_by(*order)
        .limit(limit)
    )
    if after is not None:
        stmt = stmt.where(tuple_(*order) > tuple_(*after))
    return [(r, w) for r, w in (await s.execute(stmt)).all()]


async def claim(
    s: AsyncSession, ids: Sequence[int], *, nonce: str, channel_id: int | None, now: datetime
) -> list[int]:
    """Claim the given pending reminders for one post; return the ids this caller won (one
    conditional statement: a racing claimer gets none of these). Only reminders still due at
    ``now``: one moved later by an edit since it was read is left for its new time."""
    if not ids:
        return []
    result = await s.execute(
        update(Reminder)
        .where(Reminder.id.in_(ids), Reminder.status == PENDING, Reminder.due_at <= now)
        .values(
            status=CLAIMED,
            claim_nonce=nonce,
            claimed_at=now,
            channel_id=channel_id,
            attempts=Reminder.attempts + 1,
        )
        .returning(Reminder.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(result.scalars().all())


async def record(
    s: AsyncSession,
    nonce: str,
    *,
    status: str,
    now: datetime,
    message_id: int | None = None,
    error: str | None = None,
) -> int:
    """Record the outcome of a claimed post; DM reminders forget their member. Returns rows."""
    result = await s.execute(
        update(Reminder)
        .where(Reminder.claim_nonce == nonce, Reminder.status == CLAIMED)
        .values(status=status, message_id=message_id, error=error, done_at=now, user_id=None)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


async def retry_later(s: AsyncSession, nonce: str, *, now: datetime, unsure: bool = False) -> int:
    """Keep a claim for another try (Discord was busy): counts the coming try in ``attempts`` and
    stamps ``claimed_at`` (the lease) now. ``unsure``: the failed try may have posted (a 5xx):
    ``unsure_since`` keeps the first such time."""
    values: dict[str, Any] = {"claimed_at": now, "attempts": Reminder.attempts + 1}
    if unsure:
        values["unsure_since"] = func.coalesce(Reminder.unsure_since, now)
    result = await s.execute(
        update(Reminder)
        .where(Reminder.claim_nonce == nonce, Reminder.status == CLAIMED)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


async def mark(
    s: AsyncSession,
    ids: Sequence[int],
    *,
    status: str,
    now: datetime,
    error: str | None = None,
) -> int:
    """Settle pending reminders without posting (``missed``, ``failed``); DM reminders forget
    the member."""
    if not ids:
        return 0
    result = await s.execute(
        update(Reminder)
        .where(Reminder.id.in_(ids), Reminder.status == PENDING)
        .values(status=status, done_at=now, user_id=None, error=error)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


async def claims(
    s: AsyncSession, *, claimed_before: datetime, shards: Shards | None = None
) -> list[tuple[Reminder, Walkout]]:
    """Claims older than the given instant (their process died between claim and record)."""
    stmt = (
        select(Reminder, Walkout)
        .join(Walkout, Walkout.id == Reminder.walkout_id)
        .where(
            Reminder.status == CLAIMED,
            Reminder.claimed_at <= claimed_before,
            *_scoped(shards),
        )
        .order_by(Reminder.claim_nonce, Reminder.id)
    )
    return [(r, w) for r, w in (await s.execute(stmt)).all()]


async def claimed(s: AsyncSession, nonce: str) -> list[tuple[Reminder, Walkout]]:
    """The reminders of one claim, with their walkouts."""
    stmt = (
        select(Reminder, Walkout)
        .join(Walkout, Walkout.id == Reminder.walkout_id)
        .where(Reminder.claim_nonce == nonce, Reminder.status == CLAIMED)
        .order_by(Reminder.id)
    )
    return [(r, w) for r, w in (await s.execute(stmt)).all()]


async def reclaim(s: AsyncSession, nonce: str, *, claimed_at: datetime, now: datetime) -> bool:
    """Take over a stale claim (same nonce): one statement, one winner."""
    result = await s.execute(
        update(Reminder)
        .where(
            Reminder.claim_nonce == nonce,
            Reminder.status == CLAIMED,
            Reminder.claimed_at == claimed_at,
        )
        .values(claimed_at=now, attempts=Reminder.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) > 0


async def forget_finished_walkouts(s: AsyncSession, *, now: datetime) -> int:
    """Clear the member id of DM reminders whose walkout is over or cancelled (a safety net:
    sending, missing and cancelling already clear it)."""
    over = select(Walkout.id).where(
        or_(Walkout.ends_at <= now, Walkout.status != WALKOUT_SCHEDULED)
    )
    result = await s.execute(
        update(Reminder)
        .where(Reminder.user_id.is_not(None), Reminder.walkout_id.in_(over))
        .values(
            user_id=None,
            # a pending one can no longer be sent
            status=case((Reminder.status == PENDING, MISSED), else_=Reminder.status),
            done_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


async def for_guild(
    s: AsyncSession,
    guild_id: int,
    *,
    walkout_id: int | None = None,
    limit: int = 25,
) -> tuple[list[tuple[Reminder, Walkout]], list[tuple[Reminder, Walkout]]]:
    """The server's channel reminders for ``/reminders list``: the next ones to be posted
    (soonest first) and the latest ones done (most recent first)."""
    base = [Reminder.guild_id == guild_id, Reminder.kind == REMINDER_CHANNEL]
    if walkout_id is not None:
        base.append(Reminder.walkout_id == walkout_id)
    joined = select(Reminder, Walkout).join(Walkout, Walkout.id == Reminder.walkout_id)
    ahead = await s.execute(
        joined.where(*base, Reminder.status.in_((PENDING, CLAIMED)))
        .order_by(Reminder.due_at, Reminder.id)
        .limit(limit)
    )
    done = await s.execute(
        joined.where(*base, Reminder.status.in_((SENT, LATE, MISSED, FAILED)))
        .order_by(Reminder.due_at.desc(), Reminder.id.desc())
        .limit(limit)
    )
    return [(r, w) for r, w in ahead.all()], [(r, w) for r, w in done.all()]


async def forget_user(s: AsyncSession, guild_id: int, user_id: int) -> int:
    """Privacy: delete the member's pending DM reminders in the server (the one place a raw
    user id is stored) and clear their id anywhere else it still sits (a DM being posted right
    now). Returns how many DM reminders were removed."""
    removed = await s.execute(
        delete(Reminder)
        .where(
            Reminder.guild_id == guild_id,
            Reminder.kind == REMINDER_DM,
            Reminder.user_id == user_id,
            Reminder.status == PENDING,
        )
        .execution_options(synchronize_session=False)
    )
    await s.execute(
        update(Reminder)
        .where(Reminder.guild_id == guild_id, Reminder.user_id == user_id)
        .values(user_id=None)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(removed)


async def posted_channel_posts(
    s: AsyncSession, guild_id: int, *, now: datetime
) -> list[tuple[Reminder, Walkout]]:
    """The server's channel reminder posts still in their channel for walkouts that have not
    ended (to re-render them when what a public post may show changed), grouped by post."""
    stmt = (
        select(Reminder, Walkout)
        .join(Walkout, Walkout.id == Reminder.walkout_id)
        .where(
            Reminder.guild_id == guild_id,
            Reminder.kind == REMINDER_CHANNEL,
            Reminder.status.in_((SENT, LATE)),
            Reminder.message_id.is_not(None),
            Walkout.status == WALKOUT_SCHEDULED,
            Walkout.ends_at > now,
        )
        .order_by(Reminder.message_id, Walkout.starts_at, Reminder.id)
    )
    return [(r, w) for r, w in (await s.execute(stmt)).all()]
