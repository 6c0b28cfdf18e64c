"""The reminder engine: wakes up when a reminder is due, claims it, posts it once, records it.

No Discord here: posts go through :class:`Poster`, which the cog implements. The ``reminders``
table is the truth; APScheduler is only the timer. One job, ``reminders:next``, is armed for the
earliest pending reminder whenever rows change (:meth:`ReminderEngine.poke`) and at start-up; a
job carries no payload beyond ids (retry jobs carry a claim's nonce), so losing the job store
loses nothing.

Exactly once, also with two processes on one database:

1. claim: one conditional ``UPDATE … WHERE status = 'pending'`` per post; only one claimer wins
   each row, and the claim stores the post's nonce (``wr<first id>g<generation>``);
2. post with that nonce (``enforce_nonce``: Discord returns the message it already has for a
   nonce it saw a few minutes ago instead of posting again);
3. record the message id and ``sent``/``late``.

A process that dies between 1 and 3 leaves a ``claimed`` row: after the claim lease (a live
process records or refreshes its claim well within it) any process takes it over and posts again
under the same nonce, so the member sees one post. A claim older than :data:`NONCE_WINDOW` can't
be retried safely (Discord no longer remembers the nonce): it is marked missed, never posted
twice.

Sends are paced under Discord's global limit (:class:`core.pacing.Pacer`); 429s and 5xx that
outlast discord.py's own retries are retried here with backoff under the same claim and nonce; a
deleted channel or a missing permission marks the reminders failed and tells the moderators once.
The missed-while-down rule is :func:`cogs.reminders.plan.verdict`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from cogs.common.guild_config import GuildConfigCache
from cogs.reminders.plan import verdict
from core.clock import Clock
from core.pacing import Pacer
from db import guilds as guilds_db
from db import reminders as reminders_db
from db import walkouts as walkouts_db
from db.engine import Database
from db.models import Reminder, Walkout
from db.reminders import DmTarget, Shards

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(seconds=15)
"""A claim not recorded or refreshed for this long belongs to a dead process (settable:
``WALKOUT_CLAIM_LEASE``). Posting one batch, with discord.py's own retries, takes far less."""
NONCE_WINDOW = timedelta(minutes=3)
"""How long Discord is trusted to remember a nonce ("a few minutes")."""
NONCE_MARGIN = timedelta(seconds=30)
"""A try that may have posted is not repeated this close to the end of the nonce window."""
MAX_ATTEMPTS = 10
BACKOFF = (1, 2, 4, 8, 15, 30)  # seconds between tries after discord.py gave up
PER_POST = 10
"""Walkouts listed in one channel post (more due at once in one channel: more posts)."""
GLOBAL_RATE = 47.8
PACER_BURST = 2
"""Posts per second, and how many may go at once after a pause: never more than 50 in any
second (Discord's global limit), and a late wake-up of the event loop costs no capacity."""
CONCURRENCY = 32
PAGE = 250
"""Due reminders read at a time (a page is read while the previous one's posts go out)."""
MAINTENANCE = timedelta(hours=1)
NEXT_JOB = "reminders:next"
MAINTENANCE_JOB = "reminders:maintenance"

PostKind = Literal["before", "start", "after", "dm"]


class DeliveryError(Exception):
    """A post Discord did not take. ``retry``: try again later (429, 5xx); else give up and
    record ``failed`` with ``code`` (a catalog key when moderators should be told).
    ``unsure``: the post may have been created anyway (a 5xx, a timeout); a retry then only
    goes out while Discord still remembers the nonce."""

    def __init__(
        self, code: str, *, retry: bool, tell_moderators: bool = False, unsure: bool = False
    ) -> None:
        super().__init__(code)
        self.code = code
        self.retry = retry
        self.tell_moderators = tell_moderators
        self.unsure = unsure


@dataclass(frozen=True)
class Batch:
    """One post: several walkouts due at the same instant in one channel, or one DM."""

    nonce: str
    guild_id: int
    kind: PostKind
    items: tuple[tuple[Reminder, Walkout], ...]
    late: bool
    counts: dict[int, int] = field(default_factory=dict)
    channel_id: int | None = None
    user_id: int | None = None
    lang: str | None = None
    role_id: int | None = None

    @property
    def ids(self) -> list[int]:
        return [r.id for r, _ in self.items]


class Poster(Protocol):
    """What the engine asks of Discord; the cog implements it."""

    async def post(self, batch: Batch) -> int:
        """Post ``batch`` (channel or DM) with ``batch.nonce``; return the message id or raise
        :class:`DeliveryError`."""
        ...

    async def tell_moderators(self, guild_id: int, note: str) -> None:
        """Tell the server's moderators why reminders could not be posted (once per cause)."""
        ...

    async def tell_member(self, target: DmTarget, walkout: Walkout, *, what: str) -> None:
        """DM a member about a change to a walkout they asked a reminder for."""
        ...


@dataclass
class Stats:
    """What the engine did since it started (logs and benchmarks)."""

    posted: int = 0
    late: int = 0
    missed: int = 0
    failed: int = 0
    retried: int = 0
    recovered: int = 0


def nonce_for(reminder: Reminder) -> str:
    """A post's nonce: its first reminder's id and generation (at most 25 characters)."""
    return f"wr{reminder.id}g{reminder.generation}"


def post_kind(reminder: Reminder) -> PostKind:
    if reminder.is_dm:
        return "dm"
    if reminder.offset_minutes < 0:
        return "before"
    return "start" if reminder.offset_minutes == 0 else "after"


class ReminderEngine:
    """Claims, posts and records due reminders; see the module docstring."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Clock,
        guild_config: GuildConfigCache,
        poster: Poster | None = None,
        shards: Callable[[], Shards | None] = lambda: None,
        pacer: Pacer | None = None,
        scheduler: AsyncIOScheduler | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        claim_lease: timedelta = CLAIM_LEASE,
    ) -> None:
        if not timedelta(0) < claim_lease < NONCE_WINDOW:
            raise ValueError("the claim lease must be shorter than the nonce window")
        self.claim_lease = claim_lease
        self.db = db
        self.clock = clock
        self.guild_config = guild_config
        self.poster = poster
        self.shards = shards
        self.pacer = pacer or Pacer(GLOBAL_RATE, burst=PACER_BURST)
        self.scheduler = scheduler or AsyncIOScheduler(timezone=UTC)
        self._sleep = sleep
        self._lock = asyncio.Lock()
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self._tasks: set[asyncio.Task[Any]] = set()
        self.stats = Stats()
        self.armed_for: datetime | None = None
        self._runner: asyncio.Task[Any] | None = None
        self._wanted = False

    # ------------------------------------------------------------- lifecycle

    async def start(self, poster: Poster | None = None) -> None:
        """Recover interrupted claims, arm the timer, start the maintenance job."""
        if poster is not None:
            self.poster = poster
        if not self.scheduler.running:
            self.scheduler.start()
        self.scheduler.add_job(
            self.maintain,
            IntervalTrigger(seconds=MAINTENANCE.total_seconds()),
            id=MAINTENANCE_JOB,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
        await self.recover()
        await self.poke()
        log.info("reminder engine started; next reminder due %s", self.armed_for or "never")

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _spawn(self, coro: Awaitable[Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def idle(self) -> None:
        """Wait until no dispatch, retry or notice is under way (tests, shutdown)."""
        while self._tasks or self._lock.locked():
            if self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
            else:
                async with self._lock:
                    pass

    # ------------------------------------------------------------------ timer

    async def poke(self) -> None:
        """Rows changed (or the clock moved): arm the timer for the earliest pending reminder.

        The delay comes from the injected clock, so a test that moves the clock and pokes sees
        the reminder fire at once; the job itself runs on APScheduler's real-time timer.
        """
        async with self.db() as s:
            next_due = await reminders_db.next_due(s, self.shards())
        self.armed_for = next_due
        if next_due is None:
            if self.scheduler.get_job(NEXT_JOB) is not None:
                self.scheduler.remove_job(NEXT_JOB)
            return
        delay = max(0.0, (next_due - self.clock()).total_seconds())
        self.scheduler.add_job(
            self._wake,
            DateTrigger(run_date=datetime.now(UTC) + timedelta(seconds=delay)),
            id=NEXT_JOB,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
            max_instances=1,
        )

    async def _wake(self) -> None:
        """The timer fired (APScheduler job): make sure a dispatch runs. Returns at once, so
        the job never overlaps itself; a wake-up during a dispatch makes it run once more."""
        self._wanted = True
        if self._runner is None or self._runner.done():
            self._runner = self._spawn(self._run(), "reminders-dispatch")

    async def _run(self) -> None:
        while True:
            self._wanted = False
            try:
                await self.dispatch()
            except Exception:
                log.exception("dispatching reminders failed; trying again at the next wake-up")
            await self.poke()  # may fire _wake at once if more is due: then loop
            if not self._wanted:
                return

    # --------------------------------------------------------------- dispatch

    async def dispatch(self) -> None:
        """Post every reminder due now (this process's servers), once.

        Due reminders are read a page at a time (a page never splits one server's reminders of
        one instant, so they stay one post) and their posts start while the next page is read:
        the pacer, not the reading, sets the pace of a national-action burst.
        """
        async with self._lock:
            while True:
                now = self.clock()
                cursor: reminders_db.DueCursor | None = None
                posts: list[asyncio.Task[None]] = []
                while True:
                    async with self.db() as s:
                        rows = await reminders_db.due(
                            s, until=now, shards=self.shards(), after=cursor, limit=PAGE
                        )
                    if len(rows) == PAGE:
                        rows = _whole_groups(rows)
                    if not rows:
                        break
                    last = rows[-1][0]
                    cursor = (last.due_at, last.guild_id, last.id)
                    for batch in await self._batches(await self._judge(rows, now=now)):
                        posts.append(self._spawn(self._deliver(batch), f"post-{batch.nonce}"))
                    await asyncio.sleep(0)  # let posts start before the next page is read
                if not posts:
                    return
                await asyncio.gather(*posts, return_exceptions=True)

    async def _judge(
        self, rows: Sequence[tuple[Reminder, Walkout]], *, now: datetime
    ) -> list[tuple[Reminder, Walkout, bool]]:
        """Apply the missed-while-down rule: mark what is too late, return what to post
        (with whether it is late)."""
        missed: list[int] = []
        sendable: list[tuple[Reminder, Walkout, bool]] = []
        for reminder, walkout in rows:
            decision = verdict(
                due=reminder.due_at,
                start=walkout.starts_at,
                nominal=reminder.offset_minutes,
                dm=reminder.is_dm,
                now=now,
            )
            if decision == "missed":
                missed.append(reminder.id)
            elif decision in ("send", "late"):
                sendable.append((reminder, walkout, decision == "late"))
        if missed:
            async with self.db.begin() as s:
                self.stats.missed += await reminders_db.mark(
                    s, missed, status=reminders_db.MISSED, now=now
                )
            log.warning("%d reminder(s) were due too long ago and are marked missed", len(missed))
        return sendable

    async def _batches(self, sendable: Sequence[tuple[Reminder, Walkout, bool]]) -> list[Batch]:
        """Group what is due: per channel and instant (listing up to :data:`PER_POST`
        walkouts per post), one batch per DM."""
        groups: dict[tuple[Any, ...], list[tuple[Reminder, Walkout, bool]]] = defaultdict(list)
        configs = await self.guild_config.get_many(
            {w.guild_id for r, w, _ in sendable if not r.is_dm}
        )
        nowhere: list[int] = []
        for reminder, walkout, late in sendable:
            if reminder.is_dm:
                groups[("dm", reminder.id)].append((reminder, walkout, late))
                continue
            channel = configs[walkout.guild_id].announcements_channel_id or walkout.channel_id
            if channel is None:
                nowhere.append(reminder.id)
                continue
            key = (walkout.guild_id, channel, reminder.due_at, post_kind(reminder), late)
            groups[key].append((reminder, walkout, late))
        if nowhere:  # the announcement is gone and no channel is set: nowhere to post
            async with self.db.begin() as s:
                await reminders_db.mark(
                    s, nowhere, status=reminders_db.FAILED, now=self.clock(), error="no-channel"
                )
        ids = {w.id for items in groups.values() for _, w, _ in items}
        async with self.db() as s:
            counts = await walkouts_db.rsvp_counts(s, ids)
        batches = []
        for key, items in groups.items():
            items.sort(key=lambda item: (item[1].starts_at, item[0].id))
            for start in range(0, len(items), PER_POST):
                chunk = items[start : start + PER_POST]
                first = min((r for r, _, _ in chunk), key=lambda r: r.id)
                reminder, walkout, late = chunk[0]
                config = configs.get(walkout.guild_id)
                batches.append(
                    Batch(
                        nonce=nonce_for(first),
                        guild_id=walkout.guild_id,
                        kind=post_kind(reminder),
                        items=tuple((r, w) for r, w, _ in chunk),
                        late=late,
                        counts={w.id: counts.get(w.id, 0) for _, w, _ in chunk},
                        channel_id=None if reminder.is_dm else key[1],
                        user_id=reminder.user_id if reminder.is_dm else None,
                        lang=reminder.lang if reminder.is_dm else None,
                        role_id=None
                        if reminder.is_dm or config is None
                        else config.reminder_role_id,
                    )
                )
        return batches

    async def _deliver(self, batch: Batch) -> None:
        async with self._slots:
            await self.pacer.acquire()
            now = self.clock()
            async with self.db.begin() as s:
                won = await reminders_db.claim(
                    s, batch.ids, nonce=batch.nonce, channel_id=batch.channel_id, now=now
                )
            if not won:
                return  # another process claimed these first
            if len(won) != len(batch.ids):
                keep = set(won)
                items = tuple(item for item in batch.items if item[0].id in keep)
                batch = replace(batch, items=items)
            await self._post(batch)

    async def _post(self, batch: Batch) -> None:
        """Post a claimed batch and record the outcome (retries are scheduled, not awaited)."""
        assert self.poster is not None, "the engine needs a poster before it posts"
        try:
            message_id = await self.poster.post(batch)
        except DeliveryError as exc:
            await self._failed(batch, exc)
            return
        except Exception:
            log.exception("posting reminder batch %s failed unexpectedly", batch.nonce)
            await self._failed(batch, DeliveryError("error", retry=True, unsure=True))
            return
        status = reminders_db.LATE if batch.late else reminders_db.SENT
        async with self.db.begin() as s:
            await reminders_db.record(
                s, batch.nonce, status=status, message_id=message_id, now=self.clock()
            )
            if batch.kind != "dm":
                config = await self.guild_config.get(batch.guild_id)
                if config.reminders_note is not None:
                    await guilds_db.note_reminders(s, batch.guild_id, None, now=self.clock())
                    self.guild_config.invalidate(batch.guild_id)
        self.stats.posted += 1
        if batch.late:
            self.stats.late += 1

    async def _failed(self, batch: Batch, error: DeliveryError) -> None:
        async with self.db() as s:
            claimed = await reminders_db.claimed(s, batch.nonce)
        if not claimed:
            return  # recorded meanwhile (another process took the claim over and posted)
        attempts = max(r.attempts for r, _ in claimed)  # tries made so far, this one included
        now = self.clock()
        unsure = [r.unsure_since for r, _ in claimed if r.unsure_since is not None]
        first_unsure = min(unsure) if unsure else (now if error.unsure else None)
        if error.retry and attempts < MAX_ATTEMPTS:
            delay = BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
            if first_unsure is not None and (
                now + timedelta(seconds=delay) - first_unsure >= NONCE_WINDOW - NONCE_MARGIN
            ):
                # A try may have posted, and by the next one Discord would have forgotten the
                # nonce: never risk a second post. (429s alone never get here: nothing posted.)
                async with self.db.begin() as s:
                    await reminders_db.record(
                        s, batch.nonce, status=reminders_db.MISSED, error="unconfirmed", now=now
                    )
                self.stats.missed += 1
                log.warning(
                    "reminder batch %s: unconfirmed after %s, not retried", batch.nonce, error.code
                )
                return
            async with self.db.begin() as s:
                await reminders_db.retry_later(s, batch.nonce, now=now, unsure=error.unsure)
            self.stats.retried += 1
            log.info(
                "reminder batch %s: Discord busy (%s), retrying in %ss",
                batch.nonce,
                error.code,
                delay,
            )
            self._spawn(self._retry_after(delay, batch.nonce), f"reminder-retry-{batch.nonce}")
            return
        async with self.db.begin() as s:
            await reminders_db.record(
                s, batch.nonce, status=reminders_db.FAILED, error=error.code[:40], now=self.clock()
            )
        self.stats.failed += 1
        log.warning("reminder batch %s failed for good: %s", batch.nonce, error.code)
        if error.tell_moderators:
            await self._tell_moderators(batch.guild_id, error.code)

    async def _retry_after(self, delay: float, nonce: str) -> None:
        await self._sleep(delay)
        await self.retry(nonce)

    async def retry(self, nonce: str) -> None:
        """Post a claimed batch again under its nonce (after a busy Discord or a crash)."""
        async with self.db() as s:
            rows = await reminders_db.claimed(s, nonce)
        if not rows:
            return
        await self.pacer.acquire()
        await self._post(await self._rebuild(nonce, rows))

    async def _rebuild(self, nonce: str, rows: Sequence[tuple[Reminder, Walkout]]) -> Batch:
        first, walkout = rows[0]
        now = self.clock()
        late = any(
            verdict(due=r.due_at, start=w.starts_at, nominal=r.offset_minutes, dm=r.is_dm, now=now)
            == "late"
            for r, w in rows
        )
        async with self.db() as s:
            counts = await walkouts_db.rsvp_counts(s, {w.id for _, w in rows})
        config = await self.guild_config.get(walkout.guild_id)
        return Batch(
            nonce=nonce,
            guild_id=walkout.guild_id,
            kind=post_kind(first),
            items=tuple(rows),
            late=late,
            counts=counts,
            channel_id=first.channel_id,
            user_id=first.user_id,
            lang=first.lang,
            role_id=None if first.is_dm else config.reminder_role_id,
        )

    async def _tell_moderators(self, guild_id: int, note: str) -> None:
        """Once per cause: the note is kept on the server's settings until a post succeeds."""
        config = await self.guild_config.get(guild_id)
        if config.reminders_note == note:
            return
        async with self.db.begin() as s:
            await guilds_db.note_reminders(s, guild_id, note, now=self.clock())
        self.guild_config.invalidate(guild_id)
        assert self.poster is not None
        try:
            await self.poster.tell_moderators(guild_id, note)
        except Exception:
            log.exception("could not tell the moderators of server %s about %s", guild_id, note)

    # --------------------------------------------------------------- recovery

    async def recover(self) -> None:
        """Take over claims whose process died between claim and record (see module doc)."""
        now = self.clock()
        async with self.db() as s:
            stale = await reminders_db.claims(
                s, claimed_before=now - self.claim_lease, shards=self.shards()
            )
        by_nonce: dict[str, list[tuple[Reminder, Walkout]]] = defaultdict(list)
        for reminder, walkout in stale:
            if reminder.claim_nonce:
                by_nonce[reminder.claim_nonce].append((reminder, walkout))
        for nonce, rows in by_nonce.items():
            claimed_at = rows[0][0].claimed_at
            assert claimed_at is not None
            # The dead process may have posted on its last try (claimed_at) or, after a 5xx, on
            # an earlier one (unsure_since): the nonce must still be remembered from then.
            unsure = [r.unsure_since for r, _ in rows if r.unsure_since is not None]
            since = min([claimed_at, *unsure])
            if now - since > NONCE_WINDOW - NONCE_MARGIN:
                async with self.db.begin() as s:
                    await reminders_db.record(
                        s, nonce, status=reminders_db.MISSED, error="unconfirmed", now=now
                    )
                log.warning("reminder batch %s was interrupted too long ago to retry safely", nonce)
                continue
            async with self.db.begin() as s:
                if not await reminders_db.reclaim(s, nonce, claimed_at=claimed_at, now=now):
                    continue
            self.stats.recovered += 1
            await self.pacer.acquire()
            await self._post(await self._rebuild(nonce, rows))
        # Claims that are not stale yet: look again once their lease runs out.
        async with self.db() as s:
            fresh = await reminders_db.claims(s, claimed_before=now, shards=self.shards())
        if fresh:
            oldest = min(r.claimed_at for r, _ in fresh if r.claimed_at is not None)
            wait = max(0.0, (oldest + self.claim_lease - now).total_seconds()) + 0.5
            self.scheduler.add_job(
                self.recover,
                DateTrigger(run_date=datetime.now(UTC) + timedelta(seconds=wait)),
                id="reminders:recover",
                replace_existing=True,
                misfire_grace_time=None,
            )

    async def maintain(self) -> None:
        """Hourly: forget members of DM reminders whose walkout is over; recover claims."""
        try:
            async with self.db.begin() as s:
                await reminders_db.forget_finished_walkouts(s, now=self.clock())
            await self.recover()
        except Exception:
            log.exception("reminder maintenance failed")

    # ---------------------------------------------------------------- notices

    def tell_members(self, targets: Sequence[DmTarget], walkout: Walkout, *, what: str) -> None:
        """DM each member about a change (after the change committed; best effort, once)."""
        if not targets or self.poster is None:
            return
        poster = self.poster

        async def tell_all() -> None:
            for target in targets:
                await self.pacer.acquire()
                try:
                    await poster.tell_member(target, walkout, what=what)
                except Exception:
                    log.info("could not tell a member about walkout %s (%s)", walkout.id, what)

        self._spawn(tell_all(), f"reminder-notice-{walkout.id}")


def _whole_groups(rows: list[tuple[Reminder, Walkout]]) -> list[tuple[Reminder, Walkout]]:
    """A full page minus its last server-and-instant group (read whole with the next page), so
    one server's reminders of one instant are never split over two posts; a page that is a
    single group is kept whole."""
    last = rows[-1][0]
    keep = [row for row in rows if (row[0].due_at, row[0].guild_id) != (last.due_at, last.guild_id)]
    return keep or rows
