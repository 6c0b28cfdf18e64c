"""Unit tests for cogs.walkouts.ics: the .ics file, checked by parsing it back with icalendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from icalendar import Calendar

from cogs.walkouts.ics import PRODID, walkout_ics

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
START = datetime(2027, 2, 12, 19, 0, tzinfo=UTC)  # 14:00 in Detroit (EST)


def make(**overrides: Any) -> bytes:
    args: dict[str, Any] = {
        "uid": "walkout-7-123@walkout-bot",
        "school": "Cass Tech",
        "city": "Detroit",
        "starts_at": START,
        "ends_at": START + timedelta(hours=1),
        "zone": "America/Detroit",
        "meeting_point": "Front steps",
        "details": "Bring signs; stay together.",
        "url": "https://discord.com/channels/1/2/3",
        "now": NOW,
    }
    args.update(overrides)
    return walkout_ics(**args)


def parse(data: bytes) -> tuple[Calendar, Any]:
    calendar = Calendar.from_ical(data)
    [event] = calendar.events
    return calendar, event


def test_calendar_header() -> None:
    """VCALENDAR with our PRODID, VERSION 2.0 and METHOD PUBLISH."""
    data = make()
    assert isinstance(data, bytes)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    calendar, _ = parse(data)
    assert str(calendar["PRODID"]) == PRODID == "-//walkout-bot//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"


def test_event_in_walkout_zone_with_vtimezone() -> None:
    """DTSTART/DTEND carry TZID=America/Detroit, 14:00-15:00 local, with a matching VTIMEZONE."""
    data = make()
    assert b"DTSTART;TZID=America/Detroit:20270212T140000" in data
    assert b"DTEND;TZID=America/Detroit:20270212T150000" in data
    calendar, event = parse(data)
    assert event["DTSTART"].params["TZID"] == "America/Detroit"
    assert event["DTEND"].params["TZID"] == "America/Detroit"
    assert [tz["TZID"] for tz in calendar.timezones] == ["America/Detroit"]
    assert calendar.get_missing_tzids() == set()
    start = event.decoded("DTSTART")
    assert (start.hour, start.minute) == (14, 0)
    assert start == START
    assert event.decoded("DTEND") == START + timedelta(hours=1)


def test_vtimezone_defines_the_offsets() -> None:
    """The VTIMEZONE itself (not just the TZID name) gives EST -05:00 and EDT -04:00."""
    calendar, _ = parse(make())
    [vtimezone] = calendar.timezones
    offsets = {
        (sub.name, str(sub["TZNAME"])): sub.decoded("TZOFFSETTO") for sub in vtimezone.subcomponents
    }
    assert offsets[("STANDARD", "EST")] == timedelta(hours=-5)
    assert offsets[("DAYLIGHT", "EDT")] == timedelta(hours=-4)
    # parsed back, the VTIMEZONE alone turns 14:00 into 19:00 UTC
    assert vtimezone.to_tz().utcoffset(datetime(2027, 2, 12, 14, 0)) == timedelta(hours=-5)


@pytest.mark.parametrize(
    ("zone", "local"),
    [
        ("America/Detroit", "20270212T140000"),
        ("America/Los_Angeles", "20270212T110000"),
        ("America/Phoenix", "20270212T120000"),
        ("Pacific/Kiritimati", "20270213T090000"),
        ("Pacific/Pago_Pago", "20270212T080000"),
    ],
)
def test_same_instant_written_in_each_zone(zone: str, local: str) -> None:
    """The event is written in the walkout's zone; the instant stays the same."""
    data = make(zone=zone)
    assert f"DTSTART;TZID={zone}:{local}".encode() in data
    calendar, event = parse(data)
    assert event.decoded("DTSTART") == START
    assert [tz["TZID"] for tz in calendar.timezones] == [zone]


def test_summer_walkout_uses_daylight_time() -> None:
    """A July walkout at 14:00 EDT is 18:00 UTC."""
    start = datetime(2027, 7, 1, 18, 0, tzinfo=UTC)
    _, event = parse(make(starts_at=start, ends_at=start + timedelta(hours=2)))
    assert event["DTSTART"].to_ical() == b"20270701T140000"
    assert event.decoded("DTSTART") == start


def test_utc_zone_is_written_as_utc() -> None:
    """For UTC icalendar writes the Z form and needs no VTIMEZONE."""
    data = make(zone="UTC")
    assert b"DTSTART:20270212T190000Z" in data
    calendar, event = parse(data)
    assert calendar.timezones == []
    assert event.decoded("DTSTART") == START


def test_event_properties() -> None:
    """SUMMARY, LOCATION, DESCRIPTION, URL, DTSTAMP, UID, STATUS, SEQUENCE."""
    _, event = parse(make())
    assert str(event["SUMMARY"]) == "Walkout: Cass Tech"
    assert str(event["LOCATION"]) == "Front steps, Cass Tech, Detroit"
    assert str(event["DESCRIPTION"]) == (
        "Bring signs; stay together.\n\nhttps://discord.com/channels/1/2/3"
    )
    assert str(event["URL"]) == "https://discord.com/channels/1/2/3"
    assert event.decoded("DTSTAMP") == NOW
    assert str(event["UID"]) == "walkout-7-123@walkout-bot"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("SEQUENCE") == 0


@pytest.mark.parametrize(
    ("meeting_point", "details", "url", "location", "description"),
    [
        (None, None, None, "Cass Tech, Detroit", None),
        ("", "", "", "Cass Tech, Detroit", None),
        ("Gym doors", None, None, "Gym doors, Cass Tech, Detroit", None),
        (None, "Wear red", None, "Cass Tech, Detroit", "Wear red"),
        (None, None, "https://x.test/w", "Cass Tech, Detroit", "https://x.test/w"),
    ],
)
def test_optional_parts(
    meeting_point: str | None,
    details: str | None,
    url: str | None,
    location: str,
    description: str | None,
) -> None:
    """Missing parts are left out rather than written empty."""
    _, event = parse(make(meeting_point=meeting_point, details=details, url=url))
    assert str(event["LOCATION"]) == location
    assert (str(event["DESCRIPTION"]) if "DESCRIPTION" in event else None) == description
    assert ("URL" in event) is bool(url)


def test_cancelled() -> None:
    """A cancelled walkout has STATUS CANCELLED and a higher SEQUENCE, same UID."""
    _, event = parse(make(cancelled=True))
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("SEQUENCE") == 1
    assert str(event["UID"]) == "walkout-7-123@walkout-bot"


def test_explicit_sequence() -> None:
    """A caller's revision counter wins."""
    _, event = parse(make(sequence=5, cancelled=True))
    assert event.decoded("SEQUENCE") == 5


def test_special_characters_round_trip() -> None:
    """Commas, semicolons, backslashes, newlines and non-ASCII text survive escaping."""
    school = 'Escuela Benito Juárez; "BJ", Room 1\\2'
    details = "Línea 1\nLínea 2, con comas; y punto y coma"
    _, event = parse(make(school=school, details=details, url=None, meeting_point=None))
    assert str(event["SUMMARY"]) == f"Walkout: {school}"
    assert str(event["LOCATION"]) == f"{school}, Detroit"
    assert str(event["DESCRIPTION"]) == details


def test_round_trip_is_stable() -> None:
    """Parsing and re-serializing gives the same bytes; same arguments give the same bytes."""
    data = make()
    assert Calendar.from_ical(data).to_ical() == data
    assert make() == data


def test_long_lines_are_folded() -> None:
    """RFC 5545: content lines are folded at 75 octets."""
    data = make(details="x" * 500)
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    _, event = parse(data)
    assert str(event["DESCRIPTION"]).startswith("x" * 500)


@pytest.mark.parametrize(
    "overrides",
    [
        {"starts_at": datetime(2027, 2, 12, 14, 0)},
        {"ends_at": datetime(2027, 2, 12, 15, 0)},
        {"now": datetime(2027, 1, 15, 12, 0)},
        {"ends_at": START},
        {"ends_at": START - timedelta(minutes=1)},
        {"uid": ""},
    ],
)
def test_rejects_programming_errors(overrides: dict[str, Any]) -> None:
    """Naive datetimes, an end not after the start, or no UID are caller bugs."""
    with pytest.raises(ValueError):
        make(**overrides)


def test_unknown_zone_is_an_error() -> None:
    """The zone was validated when stored; an unknown one here is a bug, not user input."""
    with pytest.raises(ZoneInfoNotFoundError):
        make(zone="Mars/Olympus_Mons")


def test_start_given_in_another_zone() -> None:
    """Aware datetimes in any zone are converted to the walkout's zone."""
    start = START.astimezone(ZoneInfo("Asia/Tokyo"))
    data = make(starts_at=start, ends_at=start + timedelta(hours=1))
    assert b"DTSTART;TZID=America/Detroit:20270212T140000" in data
