"""The walkout lifecycle: register, edit, cancel and RSVP, each owning its transaction.

No Discord here. Discord calls go through :class:`Announcer`, a small interface the cog
implements (post the announcement, take it back, mirror the change). Every change of a walkout's
state is one write transaction with status-guarded conditional writes (see ``db/walkouts.py``):
the permission check, the read and the write see the same row (locked on PostgreSQL, see
``db/sql.py``), and two racing requests can't both win.

Registering needs the walkout's id before its announcement exists (the RSVP button carries it),
and the announcement must not be posted while the database is locked, so it has three steps:

1. the walkout is stored ``pending`` (invisible to everyone);
2. the announcement is posted;
3. one transaction makes it ``scheduled`` and records the announcement.

If step 2 or 3 fails (including ``asyncio.CancelledError``), the pending row is deleted and a
posted announcement taken back, so nothing is half-registered; a pending row left behind by a
crash is swept at the next start (:func:`sweep_pending`).

:class:`LifecycleHooks` is the seam where reminders are planned, moved and cancelled: hooks run
inside the same transaction as the walkout change they follow, so a failed change moves nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from cogs.actions.lookup import find_action
from cogs.actions.national import check_registrable
from cogs.common.guild_config import GuildConfigCache
from cogs.setup.zones import resolve_zone
from cogs.walkouts.when import When, at_wall_clock, parse_when
from core.clock import Clock
from core.cooldown import Cooldown
from core.errors import UserError
from core.permissions import can_manage_walkout, can_register
from core.text import fit
from core.visibility import PENDING, PENDING_APPROVAL, PUBLIC, Viewer
from db import walkouts as walkouts_db
from db.engine import Database
from db.models import REGISTRATIONS_PER_HOUR, NationalAction, Walkout

log = logging.getLogger(__name__)

DEFAULT_DURATION = timedelta(hours=1)
HOUR = timedelta(hours=1)
PENDING_GRACE = timedelta(minutes=1)
"""A pending walkout older than this at start-up was left by a crash and is swept."""


@dataclass(frozen=True)
class Actor:
    """Who is asking: what the permission rules need, nothing more."""

    user_id: int
    is_mod: bool
    role_ids: tuple[int, ...] = ()

    def viewer(self, *, going: bool = False) -> Viewer:
        return Viewer(user_id=self.user_id, is_mod=self.is_mod, going=going)


@dataclass(frozen=True)
class Draft:
    """A walkout to register, its text fields already cleaned (``clean_walkout_fields``)."""

    school: str
    city: str
    meeting_point: str | None = None
    details: str | None = None
    when: str | None = None
    timezone: str | None = None
    action: str | None = None


@dataclass(frozen=True)
class Changes:
    """An edit: None leaves a field as it is; text fields already cleaned."""

    text: dict[str, str | None] = field(default_factory=dict)
    when: str | None = None
    timezone: str | None = None
    action: str | None = None


@dataclass(frozen=True)
class Posted:
    """Where an announcement was posted."""

    channel_id: int
    message_id: int
    url: str


class AnnounceFailed(Exception):
    """Discord refused the announcement (missing permission, deleted channel ...)."""

    def __init__(self, channel_id: int) -> None:
        super().__init__(channel_id)
        self.channel_id = channel_id


class Announcer(Protocol):
    """What the lifecycle asks of Discord; the cog implements it."""

    async def post(self, walkout: Walkout, channel_id: int) -> Posted:
        """Post the public announcement; raise :class:`AnnounceFailed` if Discord refuses."""
        ...

    async def retract(self, posted: Posted) -> None:
        """Delete an announcement whose walkout could not be registered."""
        ...

    async def created(self, walkout: Walkout) -> str | None:
        """Mirror a new walkout (scheduled event); a catalog key says why it was skipped."""
        ...

    async def changed(self, walkout: Walkout) -> None:
        """Bring the announcement and the event in line with an edited walkout."""
        ...

    async def cancelled(self, walkout: Walkout) -> None:
        """Mark the announcement and the event cancelled."""
        ...

    async def counted(self, walkout: Walkout) -> None:
        """The RSVP count changed: refresh the announcement (may be coalesced)."""
        ...

    async def awaiting_approval(self, walkout: Walkout) -> None:
        """Tell the moderators a walkout waits for their approval (with Approve/Reject)."""
        ...


AfterCommit = Callable[[], Awaitable[object]]
"""What a hook wants done once the transaction committed (arm a timer, tell members)."""


class LifecycleHooks(Protocol):
    """Work that must commit or roll back with a walkout change (reminders). Each method runs
    inside the change's transaction and may return an :data:`AfterCommit` step."""

    async def scheduled(
        self, s: AsyncSession, walkout: Walkout, *, now: datetime
    ) -> AfterCommit | None: ...

    async def moved(
        self, s: AsyncSession, walkout: Walkout, *, now: datetime
    ) -> AfterCommit | None: ...

    async def cancelled(
        self, s: AsyncSession, walkout: Walkout, *, now: datetime
    ) -> AfterCommit | None: ...


@dataclass(frozen=True)
class Registered:
    walkout: Walkout
    posted: Posted | None  # None: waiting for a moderator's approval
    when: When | None
    event_note: str | None


@dataclass(frozen=True)
class Rejected:
    walkout: Walkout
    registrant_id: int | None  # whom to tell (None: they deleted their data meanwhile)


@dataclass(frozen=True)
class Edited:
    walkout: Walkout
    when: When | None


@dataclass(frozen=True)
class Toggled:
    walkout: Walkout
    going: bool


class WalkoutService:
    """Register, edit, cancel and RSVP; every method is safe to call concurrently."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Clock,
        guild_config: GuildConfigCache,
        hooks: Sequence[LifecycleHooks] = (),
    ) -> None:
        self.db = db
        self.clock = clock
        self.guild_config = guild_config
        self.hooks = list(hooks)
        # The spam brake, in memory (core.cooldown): deleting one's data must not reset it.
        self.registrations = Cooldown(clock=clock, limit=REGISTRATIONS_PER_HOUR, window=HOUR)

    # ---------------------------------------------------------------- register

    async def register(
        self, guild_id: int, actor: Actor, draft: Draft, announcer: Announcer, *, channel_id: int
    ) -> Registered:
        """Store, announce and schedule a walkout (see the module docstring for the steps); or,
        when the server asks for approval and the member is not a moderator, store it waiting
        for a moderator and tell them (nothing is announced yet).

        ``channel_id`` is where the member asked; the server's announcements channel wins.
        """
        now = self.clock()
        config = await self.guild_config.get(guild_id)
        if not can_register(
            is_mod=actor.is_mod, role_ids=actor.role_ids, organizer_role_id=config.organizer_role_id
        ):
            raise UserError("error.permission.organizer")
        zone = resolve_zone(draft.timezone) if draft.timezone else _server_zone(config.timezone)
        action = None
        if draft.action:
            async with self.db() as s:
                action = await find_action(s, guild_id, draft.action)
        start, parsed = _start(draft.when, action, zone, now=now)
        target = config.announcements_channel_id or channel_id
        needs_approval = config.approval_required and not actor.is_mod
        if not actor.is_mod:  # the spam brake; moderators have none
            wait = self.registrations.retry_after(
                guild_id, actor.user_id, limit=config.registrations_per_hour
            )
            if wait > 0:
                again = int((now + timedelta(seconds=wait)).timestamp())
                raise UserError(
                    "error.walkout.too_many", max=config.registrations_per_hour, again=again
                )
            self.registrations.hit(guild_id, actor.user_id)

        async with self.db.begin() as s:
            stored = await walkouts_db.create(
                s,
                guild_id=guild_id,
                school=draft.school,
                city=draft.city,
                starts_at=start,
                ends_at=start + DEFAULT_DURATION,
                timezone=zone.key,
                meeting_point=draft.meeting_point,
                details=draft.details,
                action_id=action.id if action else None,
                registrant_id=actor.user_id,
                now=now,
                status=PENDING_APPROVAL if needs_approval else PENDING,
                approval_required=needs_approval,
                channel_id=target if needs_approval else None,
            )
        if needs_approval:
            await _best_effort("asking moderators", stored, announcer.awaiting_approval(stored))
            return Registered(walkout=stored, posted=None, when=parsed, event_note=None)
        walkout, posted, note = await self._announce(stored, announcer, target, now=now)
        return Registered(walkout=walkout, posted=posted, when=parsed, event_note=note)

    async def _announce(
        self, pending: Walkout, announcer: Announcer, target: int, *, now: datetime
    ) -> tuple[Walkout, Posted, str | None]:
        """Steps 2 and 3 for a ``pending`` walkout: post its announcement, then make it
        ``scheduled`` with its reminders in one transaction; undo on any failure."""
        guild_id = pending.guild_id
        posted: Posted | None = None
        try:
            try:
                posted = await announcer.post(pending, target)
            except AnnounceFailed as exc:
                raise UserError("error.announce_failed", channel=f"<#{exc.channel_id}>") from exc
            async with self.db.begin() as s:
                if not await walkouts_db.mark_scheduled(
                    s,
                    guild_id,
                    pending.id,
                    channel_id=posted.channel_id,
                    message_id=posted.message_id,
                ):
                    raise RuntimeError(f"pending walkout {pending.id} vanished while announcing")
                walkout = await walkouts_db.get(s, guild_id, pending.id, fresh=True)
                assert walkout is not None
                after = [await hook.scheduled(s, walkout, now=now) for hook in self.hooks]
        except BaseException:
            # Nothing half-way, even when the request is cancelled: shielded clean-up.
            await asyncio.shield(self._undo_register(guild_id, pending.id, announcer, posted))
            raise
        await _after_commit(after, walkout)
        note = await _best_effort("event creation", walkout, announcer.created(walkout))
        return walkout, posted, note if isinstance(note, str) else None

    # ---------------------------------------------------------------- approval

    async def approve(
        self,
        guild_id: int,
        walkout_id: int,
        actor: Actor,
        announcer: Announcer,
        *,
        revision: int | None = None,
    ) -> Registered:
        """A moderator approves a waiting walkout: it is announced (announcement, event,
        reminders) exactly as a direct registration would be. Of two moderators approving at
        once, one wins; the other (and anyone after) hears it was already decided."""
        if not actor.is_mod:
            raise UserError("error.permission.moderator")
        now = self.clock()
        async with self.db.begin() as s:
            waiting = await walkouts_db.get(s, guild_id, walkout_id, viewer=None)
            if waiting is not None and waiting.is_pending_approval and waiting.starts_at <= now:
                raise UserError("error.approval.started", id=walkout_id)
            if not await walkouts_db.claim_approval(
                s, guild_id, walkout_id, now=now, revision=revision
            ):
                raise await decided_error(s, guild_id, walkout_id, revision=revision)
            pending = await walkouts_db.get(s, guild_id, walkout_id, fresh=True, viewer=None)
            assert pending is not None
        config = await self.guild_config.get(guild_id)
        target = config.announcements_channel_id or pending.channel_id
        if target is None:  # pragma: no cover - stored at registration
            raise RuntimeError(f"walkout {walkout_id} has nowhere to be announced")
        walkout, posted, note = await self._announce(pending, announcer, target, now=now)
        return Registered(walkout=walkout, posted=posted, when=None, event_note=note)

    async def reject(self, guild_id: int, walkout_id: int, actor: Actor) -> Rejected:
        """A moderator rejects a waiting walkout; nothing more is stored (the registrant is
        forgotten, the reason never kept). Returns whom to tell, once."""
        if not actor.is_mod:
            raise UserError("error.permission.moderator")
        now = self.clock()
        async with self.db.begin() as s:
            walkout = await walkouts_db.get(s, guild_id, walkout_id, viewer=None)
            registrant = await walkouts_db.reject(s, guild_id, walkout_id, now=now)
            if walkout is None or registrant is None:
                raise await decided_error(s, guild_id, walkout_id)
        return Rejected(walkout=walkout, registrant_id=registrant or None)

    async def _undo_register(
        self, guild_id: int, walkout_id: int, announcer: Announcer, posted: Posted | None
    ) -> None:
        try:
            async with self.db.begin() as s:
                await walkouts_db.discard_pending(s, guild_id, walkout_id)
        except Exception:
            log.exception("could not discard pending walkout %s (swept at next start)", walkout_id)
        if posted is not None:
            await _best_effort("retracting the announcement", walkout_id, announcer.retract(posted))

    # -------------------------------------------------------------------- edit

    async def edit(
        self,
        guild_id: int,
        walkout_id: int,
        actor: Actor,
        changes: Changes,
        announcer: Announcer,
        *,
        ref: str,
    ) -> Edited:
        """Apply ``changes`` in one transaction; a zone change alone keeps the wall-clock time."""
        now = self.clock()
        async with self.db.begin() as s:
            w = await self._manageable(s, guild_id, walkout_id, actor, ref=ref)
            if w.status == walkouts_db.SCHEDULED and not actor.is_mod:
                config = await self.guild_config.get(guild_id)
                if config.approval_required:  # what goes public is what a moderator approved
                    raise UserError("error.approval.edit_locked", id=w.id)
            zone = resolve_zone(changes.timezone) if changes.timezone else ZoneInfo(w.timezone)
            action = await find_action(s, guild_id, changes.action) if changes.action else None
            fields: dict[str, object] = dict(changes.text)
            parsed: When | None = None
            if changes.when or action is not None:
                start, parsed = _start(changes.when, action, zone, now=now)
            elif changes.timezone:
                # Same wall-clock time, new zone: "it's 2 PM local, I picked the wrong zone".
                wall = w.starts_at.astimezone(ZoneInfo(w.timezone)).replace(tzinfo=None)
                parsed = at_wall_clock(wall, zone, now=now)
                start = parsed.start
            else:
                start = w.starts_at
            moved = start != w.starts_at
            if moved:
                fields.update(starts_at=start, ends_at=start + (w.ends_at - w.starts_at))
            if changes.timezone:
                fields["timezone"] = zone.key
            if action is not None:
                fields["action_id"] = action.id
            if not fields:
                raise UserError("error.edit.nothing")
            updated = await walkouts_db.update(s, guild_id, w.id, now=now, **fields)  # type: ignore[arg-type]
            if updated is None:  # pragma: no cover - the row is locked by this transaction
                raise UserError("error.walkout.cancelled", id=w.id)
            after = []
            if (moved or changes.timezone) and updated.status == walkouts_db.SCHEDULED:
                after = [await hook.moved(s, updated, now=now) for hook in self.hooks]
        await _after_commit(after, updated)
        if updated.is_pending_approval:  # the moderators review what it says now
            await _best_effort("asking moderators", updated, announcer.awaiting_approval(updated))
        else:
            await _best_effort("mirroring the edit", updated, announcer.changed(updated))
        return Edited(walkout=updated, when=parsed)

    # ------------------------------------------------------------------ cancel

    async def cancel(
        self,
        guild_id: int,
        walkout_id: int,
        actor: Actor,
        reason: str | None,
        announcer: Announcer,
        *,
        ref: str,
    ) -> Walkout:
        """Cancel in one transaction; the announcement and the event follow."""
        now = self.clock()
        async with self.db.begin() as s:
            w = await self._manageable(s, guild_id, walkout_id, actor, ref=ref)
            if w.is_pending_approval:  # never public: withdrawn, not cancelled
                if not await walkouts_db.withdraw(s, guild_id, w.id, now=now):
                    raise await decided_error(s, guild_id, w.id)  # pragma: no cover - locked
                withdrawn = await walkouts_db.get(s, guild_id, w.id, fresh=True, viewer=None)
                assert withdrawn is not None
                return withdrawn
            was_scheduled = w.status == walkouts_db.SCHEDULED  # (w is refreshed by the cancel)
            cancelled = await walkouts_db.cancel(s, guild_id, w.id, reason=reason, now=now)
            if cancelled is None:  # pragma: no cover - the row is locked by this transaction
                raise UserError("error.walkout.cancelled", id=w.id)
            after = (
                [await hook.cancelled(s, cancelled, now=now) for hook in self.hooks]
                if was_scheduled
                else []
            )
        await _after_commit(after, cancelled)
        await _best_effort("mirroring the cancellation", cancelled, announcer.cancelled(cancelled))
        return cancelled

    # -------------------------------------------------------------------- RSVP

    async def toggle_rsvp(
        self,
        guild_id: int,
        walkout_id: int,
        member_key: str,
        announcer: Announcer,
        *,
        ref: str,
        older_keys: Sequence[str] = (),
    ) -> Toggled:
        """Flip a member's RSVP to an open walkout, in one transaction (``older_keys``: the
        member's hashes under older pseudonym key versions)."""
        now = self.clock()
        async with self.db.begin() as s:
            # Shared lock: no cancel commits between this check and the RSVP's write.
            w = await _found(s, guild_id, walkout_id, ref=ref, share=True)
            if w.is_cancelled:
                raise UserError("error.walkout.cancelled", id=w.id)
            if w.ends_at <= now:
                raise UserError("error.walkout.over", id=w.id)
            going = await walkouts_db.toggle_rsvp(s, w.id, member_key, older_keys=older_keys)
        await _best_effort("refreshing the count", w, announcer.counted(w))
        return Toggled(walkout=w, going=going)

    # ----------------------------------------------------------------- helpers

    async def _manageable(
        self, s: AsyncSession, guild_id: int, walkout_id: int, actor: Actor, *, ref: str
    ) -> Walkout:
        """The walkout, if it exists here, ``actor`` may manage it and it is not cancelled."""
        w = await _found(s, guild_id, walkout_id, ref=ref, viewer=actor.viewer(), lock=True)
        if not can_manage_walkout(
            user_id=actor.user_id, registrant_id=w.registrant_id, is_mod=actor.is_mod
        ):
            raise UserError("error.permission.manage_walkout", id=w.id)
        if w.is_cancelled:
            raise UserError("error.walkout.cancelled", id=w.id)
        return w


async def sweep_pending(db: Database, *, now: datetime) -> int:
    """Delete walkouts left pending by a crash (older than :data:`PENDING_GRACE`); run at
    start-up, before members can click anything."""
    async with db.begin() as s:
        swept = await walkouts_db.sweep_pending(s, created_before=now - PENDING_GRACE)
    if swept:
        log.warning("swept %d walkout(s) left half-registered by an earlier crash", swept)
    return swept


async def _found(
    s: AsyncSession,
    guild_id: int,
    walkout_id: int,
    *,
    ref: str,
    viewer: Viewer = PUBLIC,
    lock: bool = False,
    share: bool = False,
) -> Walkout:
    w = await walkouts_db.get(s, guild_id, walkout_id, viewer=viewer, lock=lock, share=share)
    if w is None:
        raise UserError("error.walkout.not_found", ref=fit(ref or f"#{walkout_id}", 40))
    return w


async def decided_error(
    s: AsyncSession, guild_id: int, walkout_id: int, *, revision: int | None = None
) -> UserError:
    """The answer to an approve/reject click on a walkout that is no longer waiting (or was
    changed since the click's notice was posted)."""
    status = await walkouts_db.status_of(s, guild_id, walkout_id)
    if status is None:
        return UserError("error.walkout.not_found", ref=f"#{walkout_id}")
    if status == PENDING_APPROVAL and revision is not None:
        return UserError("error.approval.changed", id=walkout_id)
    return UserError(f"error.approval.decided.{status}", id=walkout_id)


def _server_zone(name: str | None) -> ZoneInfo:
    if not name:
        raise UserError("error.zone.missing")
    return ZoneInfo(name)


def _start(
    when: str | None, action: NationalAction | None, zone: ZoneInfo, *, now: datetime
) -> tuple[datetime, When | None]:
    """The start instant: ``when`` read in ``zone``, else the action's local time there."""
    if when:
        parsed = parse_when(when, zone, now=now)
        return parsed.start, parsed
    if action is not None:
        return check_registrable(action.local_date, action.local_time, zone, now=now), None
    raise UserError("error.when.missing")


async def _after_commit(steps: Sequence[AfterCommit | None], walkout: Walkout) -> None:
    for step in steps:
        if step is not None:
            await _best_effort("an after-commit step", walkout, step())


async def _best_effort(what: str, subject: object, step: Awaitable[object]) -> object:
    """Side effects after a change is committed are best effort: logged when they fail, and
    the member still hears that the change succeeded."""
    try:
        return await step
    except Exception:
        walkout_id = getattr(subject, "id", subject)
        log.exception("%s failed for walkout %s", what, walkout_id)
        return None
