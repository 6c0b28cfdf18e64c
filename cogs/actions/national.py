"""National actions: one date and one wall-clock time, observed in every zone at its own local time.

"Walk out on Friday 2026-02-13 at 14:00" is 14:00 in Detroit and 14:00 in Los Angeles: two
instants three hours apart. So an action has no single start instant; it starts first where the
clock is furthest ahead (UTC+14, Kiritimati) and last where it is furthest behind (UTC-12, Baker
Island). Neither extreme observes DST, so fixed offsets describe them exactly.

An action's date can be anything from 0001-01-01 to 9999-12-31 (typed, or stored before the
window below existed), where moving it by an offset overflows ``datetime``. So the checks here
move ``now`` instead, or compare with :func:`~cogs.walkouts.when.since_epoch`, and convert an
action's time only once it is known to be near.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from cogs.walkouts.when import MAX_YEARS_AHEAD, latest_start, since_epoch, wall_to_utc
from core.errors import UserError

__all__ = [
    "EARLIEST_OFFSET",
    "LATEST_OFFSET",
    "ActionStatus",
    "action_start",
    "action_status",
    "check_addable",
    "check_registrable",
    "parse_action",
]

EARLIEST_OFFSET = timedelta(hours=14)
"""UTC offset of the zone where a local time arrives first (Pacific/Kiritimati)."""
LATEST_OFFSET = timedelta(hours=-12)
"""UTC offset of the zone where a local time arrives last (Etc/GMT+12, Baker Island)."""

ActionStatus = Literal["upcoming", "under_way", "past"]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TIME_24H = re.compile(r"(?P<h>\d{1,2}):(?P<m>\d{2})", re.ASCII)
_TIME_12H = re.compile(
    r"(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ampm>[ap])\.?\s*m\.?", re.IGNORECASE | re.ASCII
)


def action_start(local_date: date, local_time: time, zone: ZoneInfo) -> datetime:
    """Return the UTC instant the action starts in ``zone`` (a DST gap shifts it forward)."""
    return wall_to_utc(local_date, local_time, zone, gap="forward")


def action_status(local_date: date, local_time: time, *, now: datetime) -> ActionStatus:
    """Return where the action stands worldwide at ``now``.

    ``"upcoming"`` until it starts in the earliest zone (UTC+14), ``"past"`` once it has started
    even in the latest zone (UTC-12, 26 hours later), ``"under_way"`` in between (bounds
    included).
    """
    if now.tzinfo is None:
        raise ValueError("action_status needs an aware now")
    # The wall-clock time read as UTC; it starts at as_utc - offset in each zone. The offsets
    # move ``now`` the other way rather than the action, whose date may be 0001-01-01.
    as_utc = datetime.combine(local_date, local_time, tzinfo=UTC)
    if now + EARLIEST_OFFSET < as_utc:  # now < as_utc - 14 h
        return "upcoming"
    if now + LATEST_OFFSET > as_utc:  # now > as_utc + 12 h
        return "past"
    return "under_way"


def check_addable(local_date: date, local_time: time, *, now: datetime) -> None:
    """Check a new action's date: raise ``error.action.add_past`` (date) once it has started
    everywhere, ``error.action.too_far`` (date, years) when it starts nowhere within
    :data:`~cogs.walkouts.when.MAX_YEARS_AHEAD` years (no walkout could join it)."""
    if action_status(local_date, local_time, now=now) == "past":
        raise UserError("error.action.add_past", date=local_date.isoformat())
    as_utc = datetime.combine(local_date, local_time, tzinfo=UTC)
    if as_utc - latest_start(now) > EARLIEST_OFFSET:  # first start (UTC+14) after the limit
        raise UserError("error.action.too_far", date=local_date.isoformat(), years=MAX_YEARS_AHEAD)


def parse_action(date_text: str, time_text: str) -> tuple[date, time]:
    """Parse an action's date (strict ``YYYY-MM-DD``) and local time.

    The time is ``HH:MM`` on a 24-hour clock ("14:00", "9:30"); as a convenience a 12-hour time
    with am/pm is accepted too ("2pm", "2:00 PM", "9:30 a.m.", "12am" = midnight, "12pm" = noon).
    Raises ``error.action.bad_date`` (text) or ``error.action.bad_time`` (text).
    """
    date_text = (date_text or "").strip()
    time_text = (time_text or "").strip()
    if not _DATE.fullmatch(date_text):
        raise UserError("error.action.bad_date", text=date_text)
    try:
        day = date.fromisoformat(date_text)
    except ValueError:  # 2026-02-30
        raise UserError("error.action.bad_date", text=date_text) from None
    return day, _parse_time(time_text)


def _parse_time(text: str) -> time:
    hour: int
    minute: int
    if match := _TIME_24H.fullmatch(text):
        hour, minute = int(match["h"]), int(match["m"])
    elif match := _TIME_12H.fullmatch(text):
        hour, minute = int(match["h"]), int(match["m"] or 0)
        if not 1 <= hour <= 12:
            raise UserError("error.action.bad_time", text=text)
        hour = hour % 12 + (12 if match["ampm"].lower() == "p" else 0)
    else:
        raise UserError("error.action.bad_time", text=text)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise UserError("error.action.bad_time", text=text)
    return time(hour, minute)


def check_registrable(
    local_date: date, local_time: time, zone: ZoneInfo, *, now: datetime
) -> datetime:
    """Return the action's start in ``zone``; raise ``error.action.past`` (date) if it has passed
    there (even if it is still upcoming elsewhere), ``error.when.too_far`` (years) if it is
    further ahead than a walkout may be."""
    if now.tzinfo is None:
        raise ValueError("check_registrable needs an aware now")
    # The window first, without converting (fold=0 reads a gap forward, like action_start).
    since = since_epoch(datetime.combine(local_date, local_time), zone)
    if since <= since_epoch(now):
        raise UserError("error.action.past", date=local_date.isoformat())
    if since > since_epoch(latest_start(now)):
        raise UserError("error.when.too_far", years=MAX_YEARS_AHEAD)
    return action_start(local_date, local_time, zone)
