"""An iCalendar (.ics) file for one walkout, so organizers and students can add it to a calendar.

The event is written in the walkout's own zone (``DTSTART;TZID=America/Detroit:...``) with a
matching VTIMEZONE generated from zoneinfo, so calendar apps show "2:00 PM" in Detroit and the
right converted time everywhere else. The output is deterministic: same arguments, same bytes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

__all__ = ["PRODID", "walkout_ics"]

PRODID = "-//walkout-bot//EN"

# The generated VTIMEZONE covers this much around the event: enough for any client, and far
# smaller than icalendar's default 1970-2038 span.
_TZ_MARGIN = timedelta(days=400)


def _aware(name: str, value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"walkout_ics needs an aware {name}")
    return value


def walkout_ics(
    *,
    uid: str,
    school: str,
    city: str,
    starts_at: datetime,
    ends_at: datetime,
    zone: str,
    meeting_point: str | None,
    details: str | None,
    url: str | None,
    now: datetime,
    cancelled: bool = False,
    sequence: int | None = None,
    summary: str | None = None,
) -> bytes:
    """Return a VCALENDAR (METHOD:PUBLISH) holding one VEVENT for the walkout.

    ``starts_at``/``ends_at``/``now`` must be aware (any zone; the event is written in ``zone``).
    ``sequence`` (RFC 5545 SEQUENCE) tells calendar apps a re-downloaded file supersedes an
    older one with the same UID; by default 0, or 1 for a cancellation, so a cancelled file
    replaces the original. Pass a revision counter if the walkout can be edited several times.
    ``summary`` is the event title in the reader's language (default "Walkout: <school>").
    """
    if not uid:
        raise ValueError("walkout_ics needs a uid")
    tz = ZoneInfo(zone)
    start = _aware("starts_at", starts_at).astimezone(tz)
    end = _aware("ends_at", ends_at).astimezone(tz)
    stamp = _aware("now", now).astimezone(UTC)
    if end <= start:
        raise ValueError("walkout_ics needs ends_at after starts_at")

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary or f"Walkout: {school}")
    location = ", ".join(part for part in (meeting_point, school, city) if part)
    if location:
        event.add("location", location)
    description = "\n\n".join(part for part in (details, url) if part)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", sequence if sequence is not None else int(cancelled))

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    calendar.add_missing_timezones(
        first_date=(start - _TZ_MARGIN).date(), last_date=(end + _TZ_MARGIN).date()
    )
    return calendar.to_ical()
