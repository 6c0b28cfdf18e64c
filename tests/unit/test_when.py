"""Unit tests for cogs.walkouts.when: free-text start times in a walkout's zone."""

from __future__ import annotations

import json
import subprocess
import sys
import time as systime
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cogs.walkouts import when as when_module
from cogs.walkouts.when import (
    When,
    discord_timestamp,
    is_ambiguous,
    is_nonexistent,
    parse_when,
    since_epoch,
    wall_to_utc,
)
from core.errors import UserError

NY = ZoneInfo("America/New_York")
DETROIT = ZoneInfo("America/Detroit")
LA = ZoneInfo("America/Los_Angeles")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14
PAGO_PAGO = ZoneInfo("Pacific/Pago_Pago")  # UTC-11

# Monday 2027-02-01 10:00 in New York.
NOW = datetime(2027, 2, 1, 15, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def error_of(text: str, zone: ZoneInfo = NY, now: datetime = NOW) -> UserError:
    with pytest.raises(UserError) as info:
        parse_when(text, zone, now=now)
    return info.value


# --- accepted input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "zone", "expected_utc"),
    [
        # ISO, with a space or a T, with seconds
        ("2027-02-12 14:00", DETROIT, utc(2027, 2, 12, 19, 0)),
        ("2027-02-12T14:00", DETROIT, utc(2027, 2, 12, 19, 0)),
        ("2027-02-12 14:00:30", DETROIT, utc(2027, 2, 12, 19, 0, 30)),
        ("  2027-02-12   14:00 ", DETROIT, utc(2027, 2, 12, 19, 0)),
        ("2027-02-12 14:00", LA, utc(2027, 2, 12, 22, 0)),
        # summer time: EDT is UTC-4
        ("2027-07-04 14:00", NY, utc(2027, 7, 4, 18, 0)),
        # plain English
        ("Feb 12 2pm", DETROIT, utc(2027, 2, 12, 19, 0)),
        ("February 12, 2027 at 2:00 PM", DETROIT, utc(2027, 2, 12, 19, 0)),
        ("feb 12 2:00 p.m.", DETROIT, utc(2027, 2, 12, 19, 0)),
        ("02/12/2027 2:00 PM", DETROIT, utc(2027, 2, 12, 19, 0)),  # US order: month first
        ("next friday 14:00", NY, utc(2027, 2, 5, 19, 0)),
        ("friday 2pm", NY, utc(2027, 2, 5, 19, 0)),
        ("tomorrow 9am", NY, utc(2027, 2, 2, 14, 0)),
        ("tomorrow at noon", NY, utc(2027, 2, 2, 17, 0)),
        ("today 11am", NY, utc(2027, 2, 1, 16, 0)),
        ("in 3 hours", NY, utc(2027, 2, 1, 18, 0)),
        # Spanish
        ("12 de febrero de 2027 14:00", DETROIT, utc(2027, 2, 12, 19, 0)),
        ("mañana 9:00", NY, utc(2027, 2, 2, 14, 0)),
        ("viernes 14:00", NY, utc(2027, 2, 5, 19, 0)),
    ],
)
def test_parses_local_time_in_zone(text: str, zone: ZoneInfo, expected_utc: datetime) -> None:
    """Accepted formats are read as wall-clock time in the walkout's zone."""
    got = parse_when(text, zone, now=NOW)
    assert got.start == expected_utc
    assert got.start.tzinfo is UTC
    assert got.local == expected_utc.astimezone(zone)
    assert got.local.tzinfo == zone
    assert not got.ambiguous
    assert got.other is None


def test_detroit_epoch() -> None:
    """2027-02-12 14:00 in Detroit (EST, UTC-5) is Unix time 1802458800."""
    got = parse_when("2027-02-12 14:00", DETROIT, now=NOW)
    assert int(got.start.timestamp()) == 1802458800
    assert got.start == utc(2027, 2, 12, 19, 0)
    assert (got.local.hour, got.local.minute) == (14, 0)


@pytest.mark.parametrize(
    ("text", "expected_utc"),
    [
        ("2027-02-12 14:00 -08:00", utc(2027, 2, 12, 22, 0)),
        ("2027-02-12T14:00+05:30", utc(2027, 2, 12, 8, 30)),
        ("2027-02-12T14:00Z", utc(2027, 2, 12, 14, 0)),
        ("Feb 12 2pm PST", utc(2027, 2, 12, 22, 0)),
        ("Feb 12 2pm UTC", utc(2027, 2, 12, 14, 0)),
    ],
)
def test_explicit_offset_or_zone_wins(text: str, expected_utc: datetime) -> None:
    """An offset or zone written in the text is honoured, then shown in the walkout's zone."""
    got = parse_when(text, NY, now=NOW)
    assert got.start == expected_utc
    assert got.local == expected_utc.astimezone(NY)
    assert not got.ambiguous


def test_date_without_year_is_the_next_one() -> None:
    """A month/day already gone this year means next year's."""
    got = parse_when("Jan 5 2pm", NY, now=NOW)
    assert got.local.date() == date(2028, 1, 5)


def test_date_without_year_today_but_time_gone_is_next_year() -> None:
    """dateparser's future preference looks at the time too: today 9am at 10am -> next year."""
    got = parse_when("Feb 1 9am", NY, now=NOW)  # NOW is Feb 1 10:00 in New York
    assert got.local.date() == date(2028, 2, 1)
    assert parse_when("Feb 1 11am", NY, now=NOW).local.date() == date(2027, 2, 1)


# --- zones far from UTC: "tomorrow" counts from the local date ---------------------------------


@pytest.mark.parametrize(
    ("zone", "now", "expected_local"),
    [
        # 10:00 UTC on Feb 1 is already 00:00 on Feb 2 in Kiritimati (UTC+14)
        (KIRITIMATI, utc(2027, 2, 1, 10, 0), datetime(2027, 2, 3, 9, 0)),
        # 05:00 UTC on Feb 1 is still 18:00 on Jan 31 in Pago Pago (UTC-11)
        (PAGO_PAGO, utc(2027, 2, 1, 5, 0), datetime(2027, 2, 1, 9, 0)),
    ],
)
def test_tomorrow_counts_from_local_date(
    zone: ZoneInfo, now: datetime, expected_local: datetime
) -> None:
    """Relative words are read from ``now`` as seen in the zone, not in UTC."""
    assert now.astimezone(zone).date() != now.date()  # the premise of the test
    got = parse_when("tomorrow 9am", zone, now=now)
    assert got.local.replace(tzinfo=None) == expected_local
    assert got.start == expected_local.replace(tzinfo=zone).astimezone(UTC)


def test_kiritimati_and_pago_pago_are_25_hours_apart() -> None:
    """The same wall-clock text names instants 25 hours apart at the two extremes."""
    east = parse_when("2027-02-12 14:00", KIRITIMATI, now=NOW)
    west = parse_when("2027-02-12 14:00", PAGO_PAGO, now=NOW)
    assert west.start - east.start == timedelta(hours=25)


# --- DST ---------------------------------------------------------------------------------------


def test_dst_gap_is_nonexistent() -> None:
    """2027-03-14 02:30 never happens in New York (clocks jump 02:00 -> 03:00)."""
    err = error_of("2027-03-14 02:30")
    assert err.key == "error.when.nonexistent"
    assert err.fields == {"local": "2027-03-14 02:30", "zone": "America/New_York"}


def test_dst_gap_in_free_text_is_nonexistent() -> None:
    """The gap check applies to English input as well as ISO."""
    assert error_of("March 14, 2027 at 2:30 AM").key == "error.when.nonexistent"


def test_dst_overlap_picks_first_occurrence() -> None:
    """2027-11-07 01:30 happens twice in New York: take the EDT one and report the EST one."""
    got = parse_when("2027-11-07 01:30", NY, now=NOW)
    assert got.ambiguous
    assert got.start == utc(2027, 11, 7, 5, 30)  # 01:30 EDT (UTC-4)
    assert got.other == utc(2027, 11, 7, 6, 30)  # 01:30 EST (UTC-5)
    assert got.local.replace(tzinfo=None) == datetime(2027, 11, 7, 1, 30)
    assert got.local.utcoffset() == timedelta(hours=-4)


def test_explicit_offset_in_overlap_is_not_ambiguous() -> None:
    """With an offset in the text there is only one reading."""
    got = parse_when("2027-11-07 01:30 -05:00", NY, now=NOW)
    assert not got.ambiguous
    assert got.other is None
    assert got.start == utc(2027, 11, 7, 6, 30)


@pytest.mark.parametrize(
    ("naive", "zone", "nonexistent", "ambiguous"),
    [
        (datetime(2027, 3, 14, 2, 30), NY, True, False),
        (datetime(2027, 3, 14, 2, 0), NY, True, False),
        (datetime(2027, 3, 14, 1, 59), NY, False, False),
        (datetime(2027, 3, 14, 3, 0), NY, False, False),
        (datetime(2027, 11, 7, 1, 30), NY, False, True),
        (datetime(2027, 11, 7, 1, 0), NY, False, True),
        (datetime(2027, 11, 7, 0, 59), NY, False, False),
        (datetime(2027, 11, 7, 2, 0), NY, False, False),
        (datetime(2027, 3, 14, 2, 30), ZoneInfo("America/Phoenix"), False, False),
        (datetime(2027, 3, 28, 1, 30), ZoneInfo("Europe/London"), True, False),
        (datetime(2027, 10, 31, 1, 30), ZoneInfo("Europe/London"), False, True),
        (datetime(2027, 2, 12, 14, 0), KIRITIMATI, False, False),
    ],
)
def test_gap_and_overlap_helpers(
    naive: datetime, zone: ZoneInfo, nonexistent: bool, ambiguous: bool
) -> None:
    """is_nonexistent / is_ambiguous classify wall-clock times around DST changes."""
    assert is_nonexistent(naive, zone) is nonexistent
    assert is_ambiguous(naive, zone) is ambiguous


@pytest.mark.parametrize(
    ("day", "at", "zone", "expected_utc"),
    [
        (date(2027, 2, 12), time(14, 0), DETROIT, utc(2027, 2, 12, 19, 0)),
        (date(2027, 2, 12), time(14, 0), LA, utc(2027, 2, 12, 22, 0)),
        # gap, shifted forward by its length: 02:30 -> 03:30 EDT = 07:30 UTC
        (date(2027, 3, 14), time(2, 30), NY, utc(2027, 3, 14, 7, 30)),
        (date(2027, 3, 14), time(2, 0), NY, utc(2027, 3, 14, 7, 0)),
        # overlap: first occurrence (EDT)
        (date(2027, 11, 7), time(1, 30), NY, utc(2027, 11, 7, 5, 30)),
        # Lord Howe's DST gap is 30 minutes: 02:15 -> 02:45 (+11)
        (date(2027, 10, 3), time(2, 15), ZoneInfo("Australia/Lord_Howe"), utc(2027, 10, 2, 15, 45)),
    ],
)
def test_wall_to_utc_forward(day: date, at: time, zone: ZoneInfo, expected_utc: datetime) -> None:
    """wall_to_utc resolves wall-clock time; gaps move forward, overlaps take fold=0."""
    got = wall_to_utc(day, at, zone)
    assert got == expected_utc
    assert got.tzinfo is UTC


def test_wall_to_utc_forward_gap_reads_as_wall_plus_gap() -> None:
    """02:30 in the spring-forward gap comes out as 03:30 on the local clock."""
    got = wall_to_utc(date(2027, 3, 14), time(2, 30), NY, gap="forward")
    assert got.astimezone(NY).replace(tzinfo=None) == datetime(2027, 3, 14, 3, 30)


def test_wall_to_utc_gap_error() -> None:
    """gap="error" raises the same nonexistent error parse_when uses."""
    with pytest.raises(UserError) as info:
        wall_to_utc(date(2027, 3, 14), time(2, 30), NY, gap="error")
    assert info.value.key == "error.when.nonexistent"
    assert info.value.fields == {"local": "2027-03-14 02:30", "zone": "America/New_York"}
    # outside a gap, "error" behaves like "forward"
    assert wall_to_utc(date(2027, 11, 7), time(1, 30), NY, gap="error") == utc(2027, 11, 7, 5, 30)


def test_wall_to_utc_rejects_aware_time() -> None:
    """A time of day with its own tzinfo is a programming error."""
    with pytest.raises(ValueError):
        wall_to_utc(date(2027, 2, 12), time(14, 0, tzinfo=UTC), NY)


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty(text: str) -> None:
    """Blank input has its own key and no fields."""
    err = error_of(text)
    assert err.key == "error.when.empty"
    assert err.fields == {}


@pytest.mark.parametrize(
    "text",
    [
        "garbage",
        "the day after the walkout",
        "Feb 30 2pm",
        "25:00",
        "Feb 12 99:99",
        "Feb 2027 2pm",  # no day
        "2027-02-30 14:00",
        "next friday at 2",  # a bare "2" is not read as a time
    ],
)
def test_unparseable(text: str) -> None:
    """Text dateparser cannot read (or reads without a day) is unparseable, echoed back."""
    err = error_of(text)
    assert err.key == "error.when.unparseable"
    assert err.fields == {"text": text}


def test_unparseable_long_text_is_cut() -> None:
    """Over-long input is refused without being parsed, and echoed back trimmed."""
    err = error_of("x" * 500)
    assert err.key == "error.when.unparseable"
    assert len(err.fields["text"]) <= when_module.MAX_TEXT_LENGTH + 1


@pytest.mark.parametrize(
    "text",
    ["Feb 12", "next friday", "friday", "tomorrow", "2027-02-12", "12 de febrero", "in 2 days"],
)
def test_no_time(text: str) -> None:
    """A date without a time of day is refused rather than guessed as midnight."""
    err = error_of(text)
    assert err.key == "error.when.no_time"
    assert err.fields == {"text": text}


@pytest.mark.parametrize(
    ("text", "expected_start"),
    [
        ("now", NOW),
        ("today 9am", utc(2027, 2, 1, 14, 0)),
        ("yesterday 2pm", utc(2027, 1, 31, 19, 0)),
        ("2026-02-13 14:00", utc(2026, 2, 13, 19, 0)),
        ("2027-02-01 10:00", NOW),  # exactly now is past too
    ],
)
def test_past(text: str, expected_start: datetime) -> None:
    """A start at or before now is refused, carrying its epoch for a <t:...> rendering."""
    err = error_of(text)
    assert err.key == "error.when.past"
    assert err.fields == {"when": int(expected_start.timestamp())}
    assert isinstance(err.fields["when"], int)


def test_one_second_ahead_is_fine() -> None:
    """The past check is strict: one second after now is accepted."""
    assert parse_when("2027-02-01 10:00:01", NY, now=NOW).start == NOW + timedelta(seconds=1)


@pytest.mark.parametrize("text", ["2029-02-01 10:00:01", "2030-01-01 12:00", "in 5 years 2pm"])
def test_too_far(text: str) -> None:
    """More than two years ahead is refused."""
    err = error_of(text)
    assert err.key == "error.when.too_far"
    assert err.fields == {"years": 2}


def test_exactly_two_years_is_fine() -> None:
    """The two-year limit is inclusive."""
    assert parse_when("2029-02-01 10:00", NY, now=NOW).start == utc(2029, 2, 1, 15, 0)


def test_naive_now_is_rejected() -> None:
    """``now`` must be aware; a naive one is a programming error."""
    with pytest.raises(ValueError):
        parse_when("tomorrow 9am", NY, now=datetime(2027, 2, 1, 10, 0))


def test_when_is_frozen() -> None:
    """When is an immutable value."""
    got = parse_when("tomorrow 9am", NY, now=NOW)
    assert isinstance(got, When)
    with pytest.raises(AttributeError):
        got.ambiguous = True  # type: ignore[misc]


# --- determinism: no system zone, no machine clock ---------------------------------------------


TEXTS = ["tomorrow 9am", "next friday 14:00", "Feb 12 2pm", "2027-02-12 14:00", "in 3 hours"]


def test_result_ignores_system_timezone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Changing the process zone (TZ) does not change any result."""
    zones = [NY, KIRITIMATI, PAGO_PAGO]
    before = [parse_when(t, z, now=NOW) for t in TEXTS for z in zones]
    for tz in ("Pacific/Kiritimati", "Etc/GMT+12", "Asia/Kolkata"):
        monkeypatch.setenv("TZ", tz)
        systime.tzset()
        try:
            assert [parse_when(t, z, now=NOW) for t in TEXTS for z in zones] == before
        finally:
            monkeypatch.undo()
            systime.tzset()


def test_dateparser_never_asks_for_the_local_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The configured parser never reaches tzlocal (it would read the machine's zone)."""
    import dateparser.date_parser
    import dateparser.freshness_date_parser
    import dateparser.utils

    def boom() -> None:
        raise AssertionError("dateparser asked for the local zone")

    for module in (dateparser.utils, dateparser.date_parser, dateparser.freshness_date_parser):
        monkeypatch.setattr(module, "_get_localzone", boom)
    for text in [*TEXTS, "mañana 9:00", "Feb 12 2pm EST", "2027-02-12 14:00 -08:00", "garbage"]:
        try:
            parse_when(text, NY, now=NOW)
        except UserError:
            pass


def test_same_now_same_answer_years_apart() -> None:
    """Relative text depends on ``now`` only: moving now moves the answer by the same amount."""
    later = NOW + timedelta(days=364)  # also a Monday, also EST
    assert parse_when("tomorrow 9am", NY, now=later).start - parse_when(
        "tomorrow 9am", NY, now=NOW
    ).start == timedelta(days=364)


# --- discord_timestamp -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dt", "style", "expected"),
    [
        (utc(2027, 2, 12, 19, 0), "F", "<t:1802458800:F>"),
        (datetime(2027, 2, 12, 14, 0, tzinfo=DETROIT), "R", "<t:1802458800:R>"),
        (utc(2027, 2, 12, 19, 0, 0, 999999), "f", "<t:1802458800:f>"),
        (utc(2027, 2, 12, 19, 0), "t", "<t:1802458800:t>"),
        (utc(2027, 2, 12, 19, 0), "D", "<t:1802458800:D>"),
        (utc(1969, 12, 31, 23, 59, 59, 500000), "T", "<t:-1:T>"),
    ],
)
def test_discord_timestamp(dt: datetime, style: str, expected: str) -> None:
    """Epoch seconds (floored) plus the style letter."""
    assert discord_timestamp(dt, style) == expected


def test_discord_timestamp_default_style() -> None:
    """The default style is F (full date and time)."""
    assert discord_timestamp(utc(2027, 2, 12, 19, 0)) == "<t:1802458800:F>"


def test_discord_timestamp_rejects_naive() -> None:
    """A naive datetime has no instant: refuse it."""
    with pytest.raises(ValueError):
        discord_timestamp(datetime(2027, 2, 12, 19, 0))


def test_discord_timestamp_rejects_unknown_style() -> None:
    """Only Discord's styles are allowed."""
    with pytest.raises(ValueError):
        discord_timestamp(utc(2027, 2, 12, 19, 0), "X")


_WARM_UP_PROBE = """
import json, sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo
from cogs.walkouts import when

def data():  # dateparser imports one module of translation data per language it loads
    prefix = "dateparser.data.date_translation_data."
    return sorted(m.removeprefix(prefix) for m in sys.modules if m.startswith(prefix))

seen = [data()]
when.warm_up()
seen.append(data())
when.warm_up()
now, zone = datetime(2026, 11, 23, 17, tzinfo=UTC), ZoneInfo("America/Chicago")
when.parse_when("next friday 2pm", zone, now=now)
when.parse_when("12 de febrero 14:00", zone, now=now)
seen.append(data())
print(json.dumps(seen))
"""


def test_warm_up_loads_english_and_spanish_before_the_first_parse() -> None:
    """In a fresh interpreter, warm_up loads dateparser's English and Spanish data, so the first
    real parses (autocompletes, which Discord gives 3 s) load nothing more; twice is harmless."""
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", _WARM_UP_PROBE], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    before, warmed, after_parsing = json.loads(out)
    assert before == []
    assert warmed == ["en", "es"]
    assert after_parsing == warmed


@pytest.mark.parametrize(
    ("text", "zone", "local"),
    [
        # An abbreviation of the walkout's own clock means that clock, summer or winter.
        ("2027-04-16 14:00 ET", "America/New_York", "2027-04-16 14:00-04:00"),
        ("2027-04-16 2pm EST", "America/Detroit", "2027-04-16 14:00-04:00"),
        ("April 16 2027 2pm PST", "America/Los_Angeles", "2027-04-16 14:00-07:00"),
        ("2027-01-15 2pm pdt", "America/Los_Angeles", "2027-01-15 14:00-08:00"),
        ("2027-04-16 2pm MST", "America/Phoenix", "2027-04-16 14:00-07:00"),
        # Another family's abbreviation means that family's clock, shown in the walkout's zone.
        ("April 16 2027 2pm EST", "America/Chicago", "2027-04-16 13:00-05:00"),
        ("2027-04-16 11am PT", "America/New_York", "2027-04-16 14:00-04:00"),
        # "local time" is what everyone means anyway.
        ("Feb 13 2027 2pm local time", "America/Denver", "2027-02-13 14:00-07:00"),
        ("2027-02-13 14:00 hora local", "America/Chicago", "2027-02-13 14:00-06:00"),
        # An explicit numeric offset still wins.
        ("2027-04-16T14:00-07:00", "America/Detroit", "2027-04-16 17:00-04:00"),
    ],
)
def test_us_zone_abbreviations_name_a_wall_clock(text, zone, local):
    when = parse_when(text, ZoneInfo(zone), now=datetime(2026, 11, 23, 17, tzinfo=UTC))
    assert when.local == datetime.fromisoformat(local)
    assert when.local.utcoffset() == datetime.fromisoformat(local).utcoffset()


def test_a_lone_abbreviation_is_unparseable():
    with pytest.raises(UserError) as info:
        parse_when("EST", ZoneInfo("America/New_York"), now=datetime(2026, 11, 23, tzinfo=UTC))
    assert info.value.key == "error.when.unparseable"


# --- the edges of datetime: year 1 and year 9999 -----------------------------------------------

TOKYO = ZoneInfo("Asia/Tokyo")  # east of UTC even in year 1 (local mean time +09:18:59)
PLUS_14 = ZoneInfo("Etc/GMT-14")
MINUS_12 = ZoneInfo("Etc/GMT+12")
EDGE_ZONES = [NY, DETROIT, LA, KIRITIMATI, PAGO_PAGO, TOKYO, PLUS_14, MINUS_12]
YEAR_1_EPOCH = -62135596800  # 0001-01-01 00:00 UTC


@pytest.mark.parametrize("zone", EDGE_ZONES, ids=str)
@pytest.mark.parametrize(
    "text",
    [
        "9999-12-31 23:59",
        "9999-12-31T23:59:59.999999",
        "9999-12-31T23:59-12:00",
        "9999-12-31T23:59+14:00",
        "December 31, 9999 at 11:59 PM",
        "12/31/9999 11:59 PM",
        "31 de diciembre de 9999 23:59",
        "Dec 31 9999 11:59pm EST",
        "in 7000 years 2pm",
    ],
)
def test_far_future_is_too_far_not_a_crash(text: str, zone: ZoneInfo) -> None:
    """Converting 9999-12-31 23:59 west of UTC overflows datetime: the window is checked first."""
    err = error_of(text, zone)
    assert err.key == "error.when.too_far"
    assert err.fields == {"years": 2}


@pytest.mark.parametrize("zone", EDGE_ZONES, ids=str)
@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01 00:00",
        "0001-01-01T00:00+14:00",
        "0001-01-01T00:00-12:00",
        "January 1, 0001 at 12:00 AM",
        "1 de enero de 0001 00:00",
    ],
)
def test_far_past_is_past_not_a_crash(text: str, zone: ZoneInfo) -> None:
    """Converting 0001-01-01 00:00 east of UTC overflows datetime: still simply "past"."""
    err = error_of(text, zone)
    assert err.key == "error.when.past"
    assert isinstance(err.fields["when"], int)
    assert YEAR_1_EPOCH - 15 * 3600 < err.fields["when"] < YEAR_1_EPOCH + 13 * 3600


@pytest.mark.parametrize(
    ("text", "zone", "when"),
    [
        ("0001-01-01 00:00", PLUS_14, YEAR_1_EPOCH - 14 * 3600),
        ("0001-01-01 00:00", MINUS_12, YEAR_1_EPOCH + 12 * 3600),
        ("0001-01-01T00:00Z", NY, YEAR_1_EPOCH),
        ("0001-01-01T00:00+14:00", NY, YEAR_1_EPOCH - 14 * 3600),
    ],
)
def test_far_past_carries_its_exact_epoch(text: str, zone: ZoneInfo, when: int) -> None:
    assert error_of(text, zone).fields == {"when": when}


@pytest.mark.parametrize("zone", EDGE_ZONES, ids=str)
@pytest.mark.parametrize(
    "naive",
    [
        datetime(9999, 12, 31, 23, 59),
        datetime(9999, 12, 31, 23, 59, 59, 999999),
        datetime(1, 1, 1, 0, 0),
    ],
)
def test_gap_and_overlap_helpers_at_the_edges(naive: datetime, zone: ZoneInfo) -> None:
    """Read from offsets alone: no conversion, so no overflow at year 1 or 9999."""
    assert is_nonexistent(naive, zone) is False
    assert is_ambiguous(naive, zone) is False


@pytest.mark.parametrize(
    ("day", "at", "zone"),
    [
        (date(9999, 12, 31), time(23, 59), DETROIT),  # 9999-12-31 23:59 -05:00 is year 10000 UTC
        (date(9999, 12, 31), time(12, 0), MINUS_12),
        (date(1, 1, 1), time(0, 0), TOKYO),  # 0001-01-01 00:00 +09:18:59 is year 0 UTC
        (date(1, 1, 1), time(13, 59), PLUS_14),
    ],
)
def test_wall_to_utc_outside_datetime_is_a_user_error(day: date, at: time, zone: ZoneInfo) -> None:
    with pytest.raises(UserError) as info:
        wall_to_utc(day, at, zone)
    assert info.value.key == "error.when.out_of_range"
    assert info.value.fields == {"local": f"{day.isoformat()} {at:%H:%M}", "zone": zone.key}


@pytest.mark.parametrize(
    ("day", "at", "zone", "expected_utc"),
    [
        (date(9999, 12, 31), time(23, 59), KIRITIMATI, utc(9999, 12, 31, 9, 59)),
        (date(9999, 12, 31), time(11, 59), MINUS_12, utc(9999, 12, 31, 23, 59)),
        (date(1, 1, 1), time(14, 0), PLUS_14, utc(1, 1, 1, 0, 0)),
        (date(1, 1, 1), time(0, 0), MINUS_12, utc(1, 1, 1, 12, 0)),
    ],
)
def test_wall_to_utc_right_at_the_edges(
    day: date, at: time, zone: ZoneInfo, expected_utc: datetime
) -> None:
    assert wall_to_utc(day, at, zone) == expected_utc


@pytest.mark.parametrize(
    ("moment", "zone", "seconds"),
    [
        (utc(2027, 2, 12, 19, 0), None, 1802458800),
        (datetime(2027, 2, 12, 14, 0), DETROIT, 1802458800),
        (datetime(2027, 2, 12, 14, 0, tzinfo=DETROIT), None, 1802458800),
        (datetime(2027, 11, 7, 1, 30), NY, int(utc(2027, 11, 7, 5, 30).timestamp())),  # fold=0
        (datetime(2027, 11, 7, 1, 30, fold=1), NY, int(utc(2027, 11, 7, 6, 30).timestamp())),
        (datetime(2027, 3, 14, 2, 30), NY, int(utc(2027, 3, 14, 7, 30).timestamp())),  # gap
        (datetime(1, 1, 1), PLUS_14, YEAR_1_EPOCH - 14 * 3600),
        (datetime(9999, 12, 31, 23, 59), MINUS_12, 253402343940),  # year 10000 UTC, still fine
    ],
)
def test_since_epoch(moment: datetime, zone: ZoneInfo | None, seconds: int) -> None:
    assert since_epoch(moment, zone) == timedelta(seconds=seconds)


def test_since_epoch_needs_a_zone_for_wall_clock_time() -> None:
    with pytest.raises(ValueError):
        since_epoch(datetime(2027, 2, 12, 14, 0))
