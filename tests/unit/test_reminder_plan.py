"""Reminder offsets (parsing) and due-time math across daylight-saving changes in several zones;
the missed-while-down rule."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cogs.reminders.offsets import (
    DEFAULT_OFFSETS,
    MAX_OFFSETS,
    Offset,
    format_offsets,
    parse_offset,
    parse_offsets,
)
from cogs.reminders.plan import AFTER_GRACE, START_GRACE, due_at, plan, verdict
from core.errors import UserError

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
SYDNEY = ZoneInfo("Australia/Sydney")
PHOENIX = ZoneInfo("America/Phoenix")
LA = ZoneInfo("America/Los_Angeles")


def local(zone, *args):
    return datetime(*args, tzinfo=zone)


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("7d,1d,2h,0,+3h", "7d,1d,2h,0,+3h"),
        ("+3h, 0 , 2h,1d,7d", "7d,1d,2h,0,+3h"),  # any order, spaces: sorted earliest first
        ("1w", "7d"),
        ("2W 3D", "14d,3d"),
        ("2w3d", "17d"),
        ("1d12h", "1d12h"),
        ("90m", "1h30m"),
        ("-2h", "2h"),
        ("+30min", "+30m"),
        ("1d,24h", "1d"),  # same reminder twice: kept once
        ("0", "0"),
        ("+0", "0"),
        ("4w", "28d"),
        ("+7d", "+7d"),
        ("off", "off"),
        (" OFF ", "off"),
        ("none", "off"),
    ],
)
def test_offsets_parse_to_a_canonical_form(text, canonical):
    assert format_offsets(parse_offsets(text)) == canonical


@pytest.mark.parametrize(
    ("text", "key", "part"),
    [
        ("7d,tomorrow,2h", "error.offsets.bad", "tomorrow"),
        ("2x", "error.offsets.bad", "2x"),
        ("1.5h", "error.offsets.bad", "1.5h"),
        ("h", "error.offsets.bad", "h"),
        ("2h3d", "error.offsets.bad", "2h3d"),  # largest unit first
        ("++2h", "error.offsets.bad", "++2h"),
        ("5w", "error.offsets.too_far_before", "5w"),
        ("29d", "error.offsets.too_far_before", "29d"),
        ("+8d", "error.offsets.too_far_after", "+8d"),
    ],
)
def test_bad_offsets_name_the_bad_part(text, key, part):
    with pytest.raises(UserError) as info:
        parse_offsets(text)
    assert info.value.key == key
    assert info.value.fields["part"] == part


def test_empty_and_too_many_offsets_are_refused():
    with pytest.raises(UserError) as info:
        parse_offsets(" , ")
    assert info.value.key == "error.offsets.empty"
    many = ",".join(f"{h}h" for h in range(1, MAX_OFFSETS + 2))
    with pytest.raises(UserError) as info:
        parse_offsets(many)
    assert info.value.key == "error.offsets.too_many"
    assert info.value.fields == {"max": MAX_OFFSETS}


def test_default_offsets_and_nominal_minutes():
    assert format_offsets(DEFAULT_OFFSETS) == "7d,1d,2h,0,+3h"
    assert [o.nominal_minutes for o in DEFAULT_OFFSETS] == [-10080, -1440, -120, 0, 180]
    for o in DEFAULT_OFFSETS:
        assert Offset.from_nominal(o.nominal_minutes) == o
    assert parse_offset("0").is_start and parse_offset("2h").is_before
    assert not parse_offset("+3h").is_before


# ----------------------------------------------------------------- due math


@pytest.mark.parametrize(
    ("zone", "start", "offset", "due_local", "elapsed"),
    [
        # New York springs forward on Sunday 2027-03-14 at 02:00.
        (NY, (2027, 3, 15, 9, 0), "7d", (2027, 3, 8, 9, 0), timedelta(days=7, hours=-1)),
        (NY, (2027, 3, 14, 14, 0), "1d", (2027, 3, 13, 14, 0), timedelta(hours=23)),
        (NY, (2027, 3, 15, 9, 0), "1d", (2027, 3, 14, 9, 0), timedelta(hours=24)),
        # Elapsed hours across the change: 2 real hours before 03:30 EDT is 00:30 EST.
        (NY, (2027, 3, 14, 3, 30), "2h", (2027, 3, 14, 0, 30), timedelta(hours=2)),
        # A day before lands in the gap (02:30 doesn't exist): moved forward to 03:30 EDT.
        (NY, (2027, 3, 15, 2, 30), "1d", (2027, 3, 14, 3, 30), timedelta(hours=23)),
        # New York falls back on Sunday 2027-11-07 at 02:00.
        (NY, (2027, 11, 8, 9, 0), "7d", (2027, 11, 1, 9, 0), timedelta(days=7, hours=1)),
        (NY, (2027, 11, 7, 14, 0), "1d", (2027, 11, 6, 14, 0), timedelta(hours=25)),
        (NY, (2027, 11, 6, 14, 0), "+1d", (2027, 11, 7, 14, 0), timedelta(hours=25)),
        # London springs forward on 2027-03-28 at 01:00: the day moves the wall clock (Sunday
        # 08:45 BST), the 12 hours are elapsed (back across the change to 19:45 GMT).
        (LONDON, (2027, 3, 29, 8, 45), "1d12h", (2027, 3, 27, 19, 45), timedelta(hours=36)),
        # Sydney (southern hemisphere) falls back on 2027-04-04 at 03:00.
        (SYDNEY, (2027, 4, 5, 10, 0), "7d", (2027, 3, 29, 10, 0), timedelta(days=7, hours=1)),
        # Phoenix keeps one offset all year: calendar days are exactly 24 hours.
        (PHOENIX, (2027, 3, 15, 9, 0), "7d", (2027, 3, 8, 9, 0), timedelta(days=7)),
        # After the start: elapsed hours.
        (LA, (2027, 2, 12, 14, 0), "+3h", (2027, 2, 12, 17, 0), timedelta(hours=3)),
        (LA, (2027, 2, 12, 14, 0), "0", (2027, 2, 12, 14, 0), timedelta(0)),
    ],
)
def test_due_instants_follow_the_walkouts_wall_clock(zone, start, offset, due_local, elapsed):
    start_utc = local(zone, *start).astimezone(UTC)
    due = due_at(start_utc, zone, parse_offset(offset))
    assert due.tzinfo is not None
    assert due.astimezone(zone).replace(tzinfo=None) == datetime(*due_local)
    assert abs(start_utc - due) == elapsed


def test_plan_skips_instants_already_past_and_sorts():
    start = local(NY, 2027, 2, 12, 14, 0).astimezone(UTC)
    now = start - timedelta(days=3)
    planned = plan(start, NY, DEFAULT_OFFSETS, now=now)
    assert [p.offset.text() for p in planned] == ["1d", "2h", "0", "+3h"]
    assert [p.due for p in planned] == sorted(p.due for p in planned)
    assert all(p.due > now for p in planned)
    # Exactly at a due instant: that one is no longer ahead.
    assert "1d" not in [
        p.offset.text() for p in plan(start, NY, DEFAULT_OFFSETS, now=planned[0].due)
    ]
    assert plan(start, NY, DEFAULT_OFFSETS, now=start + timedelta(hours=4)) == []


# ------------------------------------------------------------------ verdict

START = datetime(2027, 2, 12, 19, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("nominal", "dm", "due", "now", "expected"),
    [
        (-120, False, START - timedelta(hours=2), START - timedelta(hours=3), "wait"),
        (-120, False, START - timedelta(hours=2), START - timedelta(hours=2), "send"),
        (-120, False, START - timedelta(hours=2), START - timedelta(minutes=119), "send"),
        (-120, False, START - timedelta(hours=2), START - timedelta(minutes=30), "late"),
        (-120, False, START - timedelta(hours=2), START, "missed"),  # the walkout has started
        (-10080, False, START - timedelta(days=7), START - timedelta(days=1), "late"),
        (-60, True, START - timedelta(hours=1), START - timedelta(seconds=1), "late"),
        (-60, True, START - timedelta(hours=1), START + timedelta(minutes=1), "missed"),
        (0, False, START, START + timedelta(seconds=30), "send"),
        (0, False, START, START + START_GRACE, "late"),
        (0, False, START, START + START_GRACE + timedelta(seconds=1), "missed"),
        (180, False, START + timedelta(hours=3), START + timedelta(hours=3, minutes=5), "late"),
        (180, False, START + timedelta(hours=3), START + timedelta(hours=3) + AFTER_GRACE, "late"),
        (
            180,
            False,
            START + timedelta(hours=3),
            START + timedelta(hours=3) + AFTER_GRACE + timedelta(seconds=1),
            "missed",
        ),
    ],
)
def test_missed_while_down_rule(nominal, dm, due, now, expected):
    assert verdict(due=due, start=START, nominal=nominal, dm=dm, now=now) == expected
