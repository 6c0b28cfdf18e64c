"""When reminders are due, and what to do with one that is due: pure functions of the walkout's
start, its zone, the offsets and an injected ``now``.

Due instants come from the walkout's own wall clock (``zoneinfo``), never from "now": a day
before a walkout at 09:00 is 09:00 the day before *on that school's clock*, even when the clocks
changed in between; hours and minutes are elapsed time.

Missed while the bot was down, one stated rule (:func:`verdict`):

- on time: posted within :data:`ON_TIME` of its due instant;
- a reminder *before* the start (and every DM reminder) is posted late only while the walkout
  has not started;
- the start post up to :data:`START_GRACE` late; the after post up to :data:`AFTER_GRACE` late;
- anything older is marked missed and never posted, so an outage never ends in a burst of stale
  posts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from cogs.reminders.offsets import Offset
from cogs.walkouts.when import wall_to_utc

__all__ = [
    "AFTER_GRACE",
    "ON_TIME",
    "START_GRACE",
    "Verdict",
    "due_at",
    "plan",
    "verdict",
]

ON_TIME = timedelta(minutes=1)
START_GRACE = timedelta(minutes=15)
AFTER_GRACE = timedelta(hours=12)

Verdict = Literal["wait", "send", "late", "missed"]


def due_at(start: datetime, zone: ZoneInfo, offset: Offset) -> datetime:
    """The UTC instant ``offset`` away from a walkout starting at ``start`` in ``zone``.

    Calendar days move the wall clock (a DST gap moves the time forward, an overlap takes the
    first occurrence, see :func:`wall_to_utc`); minutes are then added or taken as elapsed time.
    """
    if start.tzinfo is None:
        raise ValueError("due_at needs an aware start")
    base = start
    if offset.days:
        local = start.astimezone(zone).replace(tzinfo=None)
        shift = timedelta(days=offset.days)
        wall = local + shift if offset.after else local - shift
        base = wall_to_utc(wall.date(), wall.time(), zone, gap="forward")
    minutes = timedelta(minutes=offset.minutes)
    return base + minutes if offset.after else base - minutes


@dataclass(frozen=True)
class Planned:
    offset: Offset
    due: datetime


def plan(
    start: datetime, zone: ZoneInfo, offsets: Iterable[Offset], *, now: datetime
) -> list[Planned]:
    """The reminders still ahead: every offset whose due instant is after ``now``, earliest
    first. Nothing is ever planned for an instant already past."""
    planned = [Planned(o, due_at(start, zone, o)) for o in offsets]
    return sorted((p for p in planned if p.due > now), key=lambda p: p.due)


def verdict(*, due: datetime, start: datetime, nominal: int, dm: bool, now: datetime) -> Verdict:
    """What to do at ``now`` with a reminder due at ``due`` for a walkout starting at ``start``
    (``nominal``: the offset in minutes, negative before the start)."""
    if now < due:
        return "wait"
    lateness = now - due
    if lateness <= ON_TIME:
        return "send"
    if dm or nominal < 0:
        return "late" if now < start else "missed"
    if nominal == 0:
        return "late" if lateness <= START_GRACE else "missed"
    return "late" if lateness <= AFTER_GRACE else "missed"
