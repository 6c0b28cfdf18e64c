"""Free-text start times, read as wall-clock time in a walkout's own IANA zone.

Everything here is pure: the result depends only on the text, the zone and the injected ``now``.
dateparser is configured so it never consults the machine's zone or clock: ``RELATIVE_BASE`` is
always set (to ``now`` in the walkout's zone), ``TIMEZONE`` is the walkout's zone (never
``"local"``), and the timestamp parser, the only one that reads the system zone, is switched off.

Whether the text named a time of day is taken from dateparser's ``DateData.parts`` (``"time"``
present or not). The "parse with two bases and see if the time moves" trick misses both ways:
"Feb 12" comes back as midnight whatever the base, and "in 3 hours" legitimately moves with it.

Wall-clock rules (PEP 495): in a DST gap (02:30 on a spring-forward day) the time does not exist;
in an overlap (01:30 on a fall-back day) it exists twice and we take the first (``fold=0``, still
daylight time), reporting the other reading so the caller can mention it.

Any year from 1 to 9999 can be typed, and moving a wall-clock time at either end by its UTC
offset leaves the range ``datetime`` can hold (OverflowError). So gaps and overlaps are read from
offsets alone, and a time is checked against the allowed window with :func:`since_epoch`
(timedelta arithmetic, which cannot overflow) before it is ever converted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from dateparser.date import DateData, DateDataParser

from core.errors import UserError

__all__ = [
    "MAX_YEARS_AHEAD",
    "When",
    "at_wall_clock",
    "discord_timestamp",
    "is_ambiguous",
    "is_nonexistent",
    "latest_start",
    "parse_when",
    "since_epoch",
    "wall_to_utc",
    "warm_up",
]

MAX_YEARS_AHEAD = 2
"""How far ahead a walkout may be scheduled."""

MAX_TEXT_LENGTH = 100
"""Longer text is not a date (and would only make dateparser slow); Discord caps options at 100."""

TIMESTAMP_STYLES = frozenset("tTdDfFR")
"""Discord's ``<t:EPOCH:STYLE>`` styles."""

_LANGUAGES = ["en", "es"]

# Settings every parse shares; RELATIVE_BASE and TIMEZONE are added per call.
_BASE_SETTINGS: dict[str, Any] = {
    "PREFER_DATES_FROM": "future",  # "Feb 12" = the next Feb 12, "friday" = the coming one
    "PREFER_DAY_OF_MONTH": "first",  # the default, "current", may read the machine's clock
    "PARSERS": ["relative-time", "absolute-time"],  # no "timestamp": it reads the system zone
    # RETURN_AS_TIMEZONE_AWARE stays at its default, "default": a naive wall-clock result unless
    # the text names an offset or zone, which we then honour.
}

# "2027-02-12 14:00", "2027-02-12T14:00:05", optional fraction and UTC offset / Z.
_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?",
    re.IGNORECASE | re.ASCII,
)
_OFFSET_SPACE = re.compile(r"\s+(?=[Z+-][^-]*$)")  # "14:00 +05:00" -> "14:00+05:00"
_SPACES = re.compile(r"\s+")

_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = _UTC_EPOCH.replace(tzinfo=None)  # wall-clock minus this = seconds as if UTC
_SINCE_MIN = datetime.min.replace(tzinfo=UTC) - _UTC_EPOCH  # the instants a datetime can hold
_SINCE_MAX = datetime.max.replace(tzinfo=UTC) - _UTC_EPOCH


@dataclass(frozen=True)
class When:
    """A parsed start time.

    ``start`` is the instant (aware, UTC); ``local`` the same instant in the walkout's zone.
    ``ambiguous`` is true when the wall-clock time happens twice (DST fall-back): ``start`` is the
    first occurrence and ``other`` the second.
    """

    start: datetime
    local: datetime
    ambiguous: bool
    other: datetime | None


def _fold_offsets(naive: datetime, zone: ZoneInfo) -> tuple[timedelta, timedelta]:
    """The UTC offsets of wall-clock ``naive`` in ``zone`` read with fold=0 and fold=1.

    PEP 495: fold=0 takes the offset from before a transition, fold=1 the one after. They are
    equal except in a gap (clocks jump forward: the first is smaller) or an overlap (clocks go
    back: the first is larger). Offsets only, no conversion: safe on 0001-01-01 and 9999-12-31.
    """
    wall = naive.replace(tzinfo=None)
    first = zone.utcoffset(wall.replace(fold=0))
    second = zone.utcoffset(wall.replace(fold=1))
    assert first is not None and second is not None  # a ZoneInfo always has an offset
    return first, second


def is_nonexistent(naive: datetime, zone: ZoneInfo) -> bool:
    """Return whether wall-clock ``naive`` falls in a DST gap of ``zone`` (clocks skip it)."""
    first, second = _fold_offsets(naive, zone)
    return first < second


def is_ambiguous(naive: datetime, zone: ZoneInfo) -> bool:
    """Return whether wall-clock ``naive`` happens twice in ``zone`` (a DST overlap)."""
    first, second = _fold_offsets(naive, zone)
    return first > second  # in a gap the folds differ too, but neither reading exists


def since_epoch(moment: datetime, zone: ZoneInfo | None = None) -> timedelta:
    """Time from the Unix epoch to ``moment``: an aware datetime, or a naive wall-clock time in
    ``zone`` (its ``fold`` picks the reading in an overlap; in a gap fold=0 reads it with the
    offset from before, like :func:`wall_to_utc`'s "forward").

    Plain timedelta arithmetic that never builds a datetime, so it cannot overflow: this is how a
    typed 9999-12-31 23:59 or 0001-01-01 00:00 is compared with ``now`` before any conversion.
    """
    if moment.tzinfo is not None:
        offset = moment.utcoffset()
    elif zone is not None:
        offset = zone.utcoffset(moment)
    else:
        raise ValueError("since_epoch needs an aware datetime or a zone")
    assert offset is not None
    return moment.replace(tzinfo=None) - _NAIVE_EPOCH - offset


def latest_start(now: datetime) -> datetime:
    """The latest instant a walkout may start: :data:`MAX_YEARS_AHEAD` years after ``now``."""
    return _add_years(now.astimezone(UTC), MAX_YEARS_AHEAD)


def _nonexistent_error(wall: datetime, zone: ZoneInfo) -> UserError:
    return UserError(
        "error.when.nonexistent", local=wall.strftime("%Y-%m-%d %H:%M"), zone=_zone_name(zone)
    )


def _zone_name(zone: ZoneInfo) -> str:
    return zone.key if zone.key else str(zone)


def wall_to_utc(
    day: date, at: time, zone: ZoneInfo, *, gap: Literal["error", "forward"] = "forward"
) -> datetime:
    """Return the UTC instant when clocks in ``zone`` show ``day`` ``at``.

    In a DST gap, ``gap="forward"`` moves the time on by the length of the gap (02:30 on a
    spring-forward day becomes 03:30 daylight time, what a clock that was not changed would
    show) and ``gap="error"`` raises ``error.when.nonexistent``. In an overlap the first
    occurrence (``fold=0``) is taken.
    """
    if at.tzinfo is not None:
        raise ValueError("wall_to_utc needs a time of day without tzinfo")
    # A naive wall-clock value on purpose: it is resolved against ``zone`` just below.
    wall = datetime.combine(day, at).replace(fold=0)
    if gap == "error" and is_nonexistent(wall, zone):
        raise _nonexistent_error(wall, zone)
    # "forward" needs no special case: in a gap, fold=0 uses the offset from before the
    # transition (PEP 495), so the instant is the wall time plus the gap
    # (02:30 EST = 07:30 UTC = 03:30 EDT).
    since = since_epoch(wall, zone)
    if not _SINCE_MIN <= since <= _SINCE_MAX:  # 9999-12-31 23:59 west of UTC is in year 10000
        raise UserError(
            "error.when.out_of_range",
            local=wall.isoformat(sep=" ", timespec="minutes"),
            zone=_zone_name(zone),
        )
    return _UTC_EPOCH + since


def discord_timestamp(dt: datetime, style: str = "F") -> str:
    """Return Discord's ``<t:EPOCH:STYLE>`` markup, which each client shows in its own zone."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("discord_timestamp needs an aware datetime")
    if style not in TIMESTAMP_STYLES:
        raise ValueError(f"unknown Discord timestamp style {style!r}")
    return f"<t:{int(dt.timestamp() // 1)}:{style}>"


# US zone abbreviations people type year-round to mean "local time there": "2pm EST" in July
# means 2 PM on New York's clock (EDT), not 2 PM at UTC-5. So an abbreviation names a clock,
# not a fixed offset: the walkout's own clock when it is of the same family, else that family's.
_US_CLOCKS = {
    "America/New_York": ("ET", "EST", "EDT"),
    "America/Chicago": ("CT", "CST", "CDT"),
    "America/Denver": ("MT", "MST", "MDT"),
    "America/Los_Angeles": ("PT", "PST", "PDT"),
    "America/Anchorage": ("AKT", "AKST", "AKDT"),
    "Pacific/Honolulu": ("HT", "HST", "HDT"),
}
_CLOCK_OF = {abbr: name for name, abbrs in _US_CLOCKS.items() for abbr in abbrs}
_CLOCK_WORD = re.compile(r"(?<![\w/])(" + "|".join(_CLOCK_OF) + r")\b\.?", re.IGNORECASE)
_LOCAL_WORDS = re.compile(r"\b(local time|local|hora local)\b", re.IGNORECASE)


def _zone_abbreviations(zone: ZoneInfo, year: int) -> set[str]:
    names = set()
    for month in (1, 4, 7, 10):
        names.add(datetime(year, month, 15, 12, tzinfo=zone).tzname() or "")
    return names


def _clock_for(text: str, zone: ZoneInfo, year: int) -> tuple[str, ZoneInfo]:
    """Strip a US zone abbreviation (and "local time") from ``text``; return the text and the
    zone whose wall clock it names: ``zone`` itself when the abbreviation is one of its own."""
    text = _LOCAL_WORDS.sub(" ", text)
    match = _CLOCK_WORD.search(text)
    if match is None:
        return _SPACES.sub(" ", text).strip(), zone
    text = _SPACES.sub(" ", text[: match.start()] + " " + text[match.end() :]).strip()
    named = ZoneInfo(_CLOCK_OF[match.group(1).upper()])
    family = {a.upper() for a in _US_CLOCKS[named.key]}
    if _zone_abbreviations(zone, year) & family:
        return text, zone
    return text, named


def _add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # Feb 29 -> Feb 28
        return moment.replace(year=moment.year + years, day=28)


def _read_iso(text: str) -> datetime | None:
    if not _ISO.fullmatch(text):
        return None
    try:
        return datetime.fromisoformat(_OFFSET_SPACE.sub("", text.upper()))
    except ValueError:
        return None


def _date_data(text: str, base: datetime, zone_name: str) -> DateData:
    parser = DateDataParser(
        languages=_LANGUAGES,
        settings={**_BASE_SETTINGS, "RELATIVE_BASE": base, "TIMEZONE": zone_name},
    )
    return parser.get_date_data(text)


def _read_free_text(text: str, zone: ZoneInfo, base: datetime) -> datetime:
    """Read ``text`` with dateparser; return a naive wall-clock time or an aware instant."""
    try:
        try:
            data = _date_data(text, base, _zone_name(zone))
        except (KeyError, OverflowError):
            # pytz (inside dateparser) lacks this zone name, or overflows localizing a date at the
            # edge of datetime's range (9999-12-31, 0001-01-01) to it: read the base as UTC
            # instead (no offset to overflow with). Only an explicit zone in the text combined
            # with a relative date ("tomorrow 9am EST") can come out differently; the far dates
            # then meet the window check in parse_when like any other.
            data = _date_data(text, base, "UTC")
    except (ValueError, ArithmeticError, LookupError):
        data = None  # dateparser gives up on some absurd inputs by raising
    if data is None or data.date_obj is None:
        raise UserError("error.when.unparseable", text=text)
    # DateData.parts (which date parts the text named) is missing from dateparser's type stubs.
    parts: list[str] = getattr(data, "parts")  # noqa: B009
    if "time" not in parts:
        raise UserError("error.when.no_time", text=text)
    if "month" in parts and "day" not in parts:
        raise UserError("error.when.unparseable", text=text)  # "Feb 2027 2pm": which day?
    return data.date_obj


def parse_when(text: str, zone: ZoneInfo, *, now: datetime) -> When:
    """Parse a walkout start written in ``zone``'s local time.

    Accepts ISO ("2027-02-12 14:00", "2027-02-12T14:00:00") and English or Spanish phrases
    ("Feb 12 2pm", "next friday 14:00", "tomorrow 9am", "12 de febrero 14:00"). Relative words
    count from ``now`` as seen in ``zone``; a date without a year is the next such date. A US
    zone abbreviation names a wall clock, not a fixed offset ("2pm EST" in July is 2 PM on New
    York's clock); "local"/"local time" is ignored; an explicit numeric offset wins over ``zone``.

    Raises ``UserError`` with ``error.when.empty``, ``.unparseable`` (text), ``.no_time`` (text),
    ``.nonexistent`` (local, zone), ``.past`` (when: epoch seconds) or ``.too_far`` (years);
    any year from 1 to 9999 gets one of these, never an OverflowError.
    """
    if now.tzinfo is None:
        raise ValueError("parse_when needs an aware now")
    cleaned = _SPACES.sub(" ", text or "").strip()
    if not cleaned:
        raise UserError("error.when.empty")
    if len(cleaned) > MAX_TEXT_LENGTH:
        raise UserError("error.when.unparseable", text=cleaned[:MAX_TEXT_LENGTH] + "…")

    clock = zone
    if not _read_iso(cleaned):
        cleaned, clock = _clock_for(cleaned, zone, now.astimezone(zone).year)
        if not cleaned:
            raise UserError("error.when.unparseable", text=text.strip()[:MAX_TEXT_LENGTH])
    base = now.astimezone(clock).replace(tzinfo=None)
    parsed = _read_iso(cleaned) or _read_free_text(cleaned, clock, base)
    return _resolve(parsed, clock, zone, now=now)


def at_wall_clock(
    wall: datetime, clock: ZoneInfo, *, now: datetime, shown_in: ZoneInfo | None = None
) -> When:
    """The start when clocks in ``clock`` show the naive ``wall`` time, checked like
    :func:`parse_when` (a DST gap is refused, an overlap takes the first occurrence and reports
    the other, past and too-far instants are refused). ``local`` is shown in ``shown_in``
    (default: ``clock``).

    Used when a walkout moves to another zone at the same wall-clock time: the stored start is
    converted with zoneinfo, never formatted and re-parsed.
    """
    if now.tzinfo is None:
        raise ValueError("at_wall_clock needs an aware now")
    return _resolve(wall.replace(tzinfo=None), clock, shown_in or clock, now=now)


def _resolve(parsed: datetime, clock: ZoneInfo, zone: ZoneInfo, *, now: datetime) -> When:
    """A parsed start (naive: wall clock in ``clock``; aware: an instant) checked and resolved."""
    if parsed.tzinfo is None:
        parsed = parsed.replace(fold=0)
        if is_nonexistent(parsed, clock):
            raise _nonexistent_error(parsed, clock)
    # The window first, without converting: the year may be anything from 1 to 9999.
    since = since_epoch(parsed, clock)
    if since <= since_epoch(now):
        raise UserError("error.when.past", when=since // timedelta(seconds=1))
    if since > since_epoch(latest_start(now)):
        raise UserError("error.when.too_far", years=MAX_YEARS_AHEAD)

    start = _UTC_EPOCH + since
    ambiguous = parsed.tzinfo is None and is_ambiguous(parsed, clock)
    other = parsed.replace(tzinfo=clock, fold=1).astimezone(UTC) if ambiguous else None
    return When(start=start, local=start.astimezone(zone), ambiguous=ambiguous, other=other)


def warm_up() -> None:
    """Load dateparser's English and Spanish data now (~0.3 s) rather than in the first
    autocomplete, which Discord gives 3 s to answer. Call once at startup."""
    zone = ZoneInfo("America/New_York")
    now = datetime(2027, 1, 1, 12, tzinfo=UTC)
    for text in ("Feb 12 2pm", "next friday 14:00", "12 de febrero 14:00", "mañana 9:00"):
        parse_when(text, zone, now=now)
