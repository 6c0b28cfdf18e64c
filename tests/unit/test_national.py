"""Unit tests for cogs.actions.national: one date, the same local time in every zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from cogs.actions.national import (
    action_start,
    action_status,
    check_addable,
    check_registrable,
    parse_action,
)
from core.errors import UserError

DETROIT = ZoneInfo("America/Detroit")
LA = ZoneInfo("America/Los_Angeles")
NY = ZoneInfo("America/New_York")

# The shipped action: Friday 2026-02-13, 14:00 local time.
DAY = date(2026, 2, 13)
AT = time(14, 0)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- action_start ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        (DETROIT, utc(2026, 2, 13, 19, 0)),
        (LA, utc(2026, 2, 13, 22, 0)),
        (ZoneInfo("America/Chicago"), utc(2026, 2, 13, 20, 0)),
        (ZoneInfo("America/Phoenix"), utc(2026, 2, 13, 21, 0)),
        (ZoneInfo("Pacific/Honolulu"), utc(2026, 2, 14, 0, 0)),
        (ZoneInfo("America/Puerto_Rico"), utc(2026, 2, 13, 18, 0)),
        (ZoneInfo("Pacific/Kiritimati"), utc(2026, 2, 13, 0, 0)),
    ],
)
def test_action_start_is_local_time_in_each_zone(zone: ZoneInfo, expected: datetime) -> None:
    """The action starts at 14:00 on each zone's own clock."""
    start = action_start(DAY, AT, zone)
    assert start == expected
    assert start.astimezone(zone).replace(tzinfo=None) == datetime(2026, 2, 13, 14, 0)


def test_detroit_and_los_angeles_are_three_hours_apart() -> None:
    """Same action, same local time, different instants: LA starts 3 hours after Detroit."""
    detroit = action_start(DAY, AT, DETROIT)
    la = action_start(DAY, AT, LA)
    assert la - detroit == timedelta(hours=3)
    assert detroit.astimezone(DETROIT).hour == la.astimezone(LA).hour == 14


def test_action_start_in_dst_gap_moves_forward() -> None:
    """An action at 02:30 on spring-forward day starts at 03:30 daylight time."""
    start = action_start(date(2027, 3, 14), time(2, 30), NY)
    assert start == utc(2027, 3, 14, 7, 30)
    assert start.astimezone(NY).replace(tzinfo=None) == datetime(2027, 3, 14, 3, 30)


# --- action_status -----------------------------------------------------------------------------

# 14:00 at UTC+14 is 00:00 UTC on the 13th; 14:00 at UTC-12 is 02:00 UTC on the 14th.
FIRST = utc(2026, 2, 13, 0, 0)
LAST = utc(2026, 2, 14, 2, 0)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 2, 1, 12, 0), "upcoming"),
        (FIRST - timedelta(seconds=1), "upcoming"),
        (FIRST, "under_way"),
        (utc(2026, 2, 13, 19, 0), "under_way"),  # starting in Detroit
        (utc(2026, 2, 13, 22, 0), "under_way"),  # starting in LA
        (LAST, "under_way"),
        (LAST + timedelta(seconds=1), "past"),
        (utc(2026, 3, 1, 0, 0), "past"),
        # the same instants written in other zones
        (datetime(2026, 2, 12, 18, 59, tzinfo=DETROIT), "upcoming"),
        (datetime(2026, 2, 13, 18, 1, tzinfo=LA), "past"),
    ],
)
def test_action_status_window(now: datetime, expected: str) -> None:
    """Upcoming before UTC+14 reaches the time, past after UTC-12 has, under way in between."""
    assert action_status(DAY, AT, now=now) == expected


def test_action_status_window_is_26_hours() -> None:
    """From the first zone to the last is 26 hours (UTC+14 to UTC-12)."""
    span = LAST - FIRST
    assert span == timedelta(hours=26)


def test_action_status_rejects_naive_now() -> None:
    """``now`` must be aware."""
    with pytest.raises(ValueError):
        action_status(DAY, AT, now=datetime(2026, 2, 13, 12, 0))


# --- parse_action ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date_text", "time_text", "expected"),
    [
        ("2026-02-13", "14:00", (date(2026, 2, 13), time(14, 0))),
        (" 2026-02-13 ", " 14:00 ", (date(2026, 2, 13), time(14, 0))),
        ("2026-02-13", "9:30", (date(2026, 2, 13), time(9, 30))),
        ("2026-02-13", "09:30", (date(2026, 2, 13), time(9, 30))),
        ("2026-02-13", "00:00", (date(2026, 2, 13), time(0, 0))),
        ("2026-02-13", "23:59", (date(2026, 2, 13), time(23, 59))),
        # 12-hour conveniences
        ("2026-02-13", "2pm", (date(2026, 2, 13), time(14, 0))),
        ("2026-02-13", "2 PM", (date(2026, 2, 13), time(14, 0))),
        ("2026-02-13", "2:00 PM", (date(2026, 2, 13), time(14, 0))),
        ("2026-02-13", "9:30 a.m.", (date(2026, 2, 13), time(9, 30))),
        ("2026-02-13", "12am", (date(2026, 2, 13), time(0, 0))),
        ("2026-02-13", "12pm", (date(2026, 2, 13), time(12, 0))),
        ("2028-02-29", "14:00", (date(2028, 2, 29), time(14, 0))),
    ],
)
def test_parse_action_accepts(date_text: str, time_text: str, expected: tuple[date, time]) -> None:
    """Strict ISO date; 24-hour HH:MM or a 12-hour time with am/pm."""
    assert parse_action(date_text, time_text) == expected


@pytest.mark.parametrize(
    "date_text",
    [
        "",
        "2026-2-13",
        "13/02/2026",
        "02/13/2026",
        "Feb 13 2026",
        "20260213",
        "2026-02-30",
        "2027-02-29",
        "2026-13-01",
        "2026-02-13T14:00",
        "２０２６-０２-１３",  # fullwidth digits
    ],
)
def test_parse_action_bad_date(date_text: str) -> None:
    """Anything but a real YYYY-MM-DD date is refused."""
    with pytest.raises(UserError) as info:
        parse_action(date_text, "14:00")
    assert info.value.key == "error.action.bad_date"
    assert info.value.fields == {"text": date_text.strip()}


@pytest.mark.parametrize(
    "time_text",
    ["", "14", "1400", "24:00", "14:60", "14:5", "13pm", "0am", "2 o'clock", "14:00:00", "noon"],
)
def test_parse_action_bad_time(time_text: str) -> None:
    """Anything but HH:MM (or h[:mm] am/pm) is refused."""
    with pytest.raises(UserError) as info:
        parse_action("2026-02-13", time_text)
    assert info.value.key == "error.action.bad_time"
    assert info.value.fields == {"text": time_text}


# --- check_registrable -------------------------------------------------------------------------


def test_check_registrable_returns_local_start() -> None:
    """Before the local start, registering returns that start."""
    now = utc(2026, 2, 13, 18, 0)
    assert check_registrable(DAY, AT, DETROIT, now=now) == utc(2026, 2, 13, 19, 0)


def test_check_registrable_past_here_but_not_elsewhere() -> None:
    """At 20:00 UTC the action has begun in Detroit (refused) but not yet in LA (allowed)."""
    now = utc(2026, 2, 13, 20, 0)
    with pytest.raises(UserError) as info:
        check_registrable(DAY, AT, DETROIT, now=now)
    assert info.value.key == "error.action.past"
    assert info.value.fields == {"date": "2026-02-13"}
    assert check_registrable(DAY, AT, LA, now=now) == utc(2026, 2, 13, 22, 0)


def test_check_registrable_at_start_is_past() -> None:
    """Exactly at the local start is too late to register."""
    with pytest.raises(UserError):
        check_registrable(DAY, AT, DETROIT, now=utc(2026, 2, 13, 19, 0))


def test_check_registrable_rejects_naive_now() -> None:
    """``now`` must be aware."""
    with pytest.raises(ValueError):
        check_registrable(DAY, AT, DETROIT, now=datetime(2026, 2, 13, 12, 0))


# --- the edges of datetime: 9999-12-31 and 0001-01-01 -------------------------------------------

NOW = utc(2026, 11, 23, 17, 0)
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    ("day", "at", "expected"),
    [
        (date(9999, 12, 31), time(14, 0), "upcoming"),
        (date(9999, 12, 31), time(23, 59), "upcoming"),
        (date(1, 1, 1), time(0, 0), "past"),
        (date(1, 1, 1), time(14, 0), "past"),
    ],
)
def test_action_status_at_the_edges(day: date, at: time, expected: str) -> None:
    """Moving 0001-01-01 00:00 to UTC+14 would overflow: now is moved instead."""
    assert action_status(day, at, now=NOW) == expected


def test_parse_action_reads_any_real_date() -> None:
    """The date itself is valid; whether it is too far is check_addable's call."""
    assert parse_action("9999-12-31", "14:00") == (date(9999, 12, 31), time(14, 0))
    assert parse_action("0001-01-01", "00:00") == (date(1, 1, 1), time(0, 0))


@pytest.mark.parametrize(
    ("date_text", "key", "fields"),
    [
        ("9999-12-31", "error.action.too_far", {"date": "9999-12-31", "years": 2}),
        ("2030-01-01", "error.action.too_far", {"date": "2030-01-01", "years": 2}),
        ("0001-01-01", "error.action.add_past", {"date": "0001-01-01"}),
        ("2026-02-13", "error.action.add_past", {"date": "2026-02-13"}),
    ],
)
def test_check_addable_refuses_far_dates_clearly(date_text: str, key: str, fields: dict) -> None:
    day, at = parse_action(date_text, "14:00")
    with pytest.raises(UserError) as info:
        check_addable(day, at, now=NOW)
    assert info.value.key == key
    assert info.value.fields == fields


def test_check_addable_window() -> None:
    """Addable while it is still ahead somewhere and starts somewhere within two years."""
    check_addable(date(2026, 11, 23), time(14, 0), now=NOW)  # under way, not over in UTC-12
    check_addable(date(2027, 2, 12), time(14, 0), now=NOW)
    # Two years from now is 2028-11-23 17:00 UTC; 14:00 at UTC+14 on 2028-11-24 is 00:00 UTC.
    check_addable(date(2028, 11, 24), time(7, 0), now=NOW)  # 17:00 UTC the 23rd: exactly
    with pytest.raises(UserError):
        check_addable(date(2028, 11, 24), time(7, 1), now=NOW)


@pytest.mark.parametrize(
    ("day", "at", "zone", "key"),
    [
        (date(9999, 12, 31), time(23, 59), DETROIT, "error.when.too_far"),
        (date(9999, 12, 31), time(14, 0), LA, "error.when.too_far"),
        (date(2029, 2, 13), time(14, 0), DETROIT, "error.when.too_far"),
        (date(1, 1, 1), time(0, 0), TOKYO, "error.action.past"),
        (date(1, 1, 1), time(0, 0), DETROIT, "error.action.past"),
    ],
)
def test_check_registrable_at_the_edges(day: date, at: time, zone: ZoneInfo, key: str) -> None:
    """An action stored with a far date (before the window existed) can't make a far walkout."""
    with pytest.raises(UserError) as info:
        check_registrable(day, at, zone, now=NOW)
    assert info.value.key == key
