"""Unit tests for cogs.setup.zones: zone search (autocomplete) and lookup."""

from __future__ import annotations

import zoneinfo
from zoneinfo import ZoneInfo

import pytest

from cogs.setup.zones import COMMON_US_ZONES, all_zones, is_legacy, resolve_zone, search_zones
from core.errors import UserError


def test_common_zones_exist() -> None:
    """Every suggested zone is a real, loadable zone."""
    available = zoneinfo.available_timezones()
    for name in COMMON_US_ZONES:
        assert name in available
        ZoneInfo(name)


def test_all_zones_excludes_non_places() -> None:
    """The machine's "localtime", "Factory" and posix/right trees are not offered."""
    names = set(all_zones())
    assert {"localtime", "Factory", "posixrules"}.isdisjoint(names)
    assert not any(n.startswith(("posix/", "right/")) for n in names)
    assert {"America/Detroit", "Pacific/Kiritimati", "UTC", "US/Eastern"} <= names


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_query_lists_common_us_zones(query: str) -> None:
    """No query: the common US zones, most populous first."""
    got = search_zones(query)
    assert got == list(COMMON_US_ZONES)
    assert got[:8] == [
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Phoenix",
        "America/Los_Angeles",
        "America/Anchorage",
        "Pacific/Honolulu",
        "America/Puerto_Rico",
    ]
    assert "America/Detroit" in got


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("detr", "America/Detroit"),
        ("Detroit", "America/Detroit"),
        ("los", "America/Los_Angeles"),
        ("los angeles", "America/Los_Angeles"),
        ("Los_Angeles", "America/Los_Angeles"),
        ("new york", "America/New_York"),
        ("new", "America/New_York"),
        ("chi", "America/Chicago"),
        ("hono", "Pacific/Honolulu"),
        ("puerto", "America/Puerto_Rico"),
        ("kiri", "Pacific/Kiritimati"),
        ("america/ch", "America/Chicago"),
        ("america/new_york", "America/New_York"),
        ("AMERICA/DETROIT", "America/Detroit"),
        ("utc", "UTC"),
        ("eastern", "US/Eastern"),
        ("pacific", "US/Pacific"),
        ("indiana", "America/Indiana/Indianapolis"),
        ("york", "America/New_York"),  # substring
        ("angeles", "America/Los_Angeles"),
    ],
)
def test_best_match_first(query: str, first: str) -> None:
    """The most likely zone comes first."""
    assert search_zones(query)[0] == first


@pytest.mark.parametrize(
    ("query", "before", "after"),
    [
        # exact > city prefix
        ("utc", "UTC", "Etc/UTC"),
        # city prefix > full-name prefix
        ("chi", "America/Chicago", "Chile/Continental"),
        ("pacific", "Canada/Pacific", "Pacific/Honolulu"),
        ("indian", "America/Indianapolis", "Indian/Maldives"),
        # full-name prefix > other-part prefix
        ("indian", "Indian/Maldives", "America/Indiana/Knox"),
        # other-part prefix > substring
        ("indiana", "America/Indiana/Knox", "US/East-Indiana"),
        # canonical > legacy within a tier
        ("samoa", "Pacific/Samoa", "US/Samoa"),
        # American > other within a tier
        ("eastern", "US/Eastern", "Canada/Eastern"),
        ("a", "America/Anguilla", "Africa/Abidjan"),
        # common US zone > other canonical in the same tier
        ("chi", "America/Chicago", "America/Chihuahua"),
        ("p", "America/Phoenix", "America/Panama"),
        ("new", "America/New_York", "America/North_Dakota/New_Salem"),
    ],
)
def test_ranking(query: str, before: str, after: str) -> None:
    """Exact > city prefix > full prefix > other part prefix > substring; canonical first."""
    got = search_zones(query, limit=1000)
    assert before in got
    assert after in got
    assert got.index(before) < got.index(after)


def test_city_prefix_beats_substring() -> None:
    """Cities starting with "ang" come before names merely containing it."""
    got = search_zones("ang", limit=1000)
    starts = [n for n in got if n.lower().rsplit("/", 1)[-1].startswith("ang")]
    contains = [n for n in got if n not in starts]
    assert got == starts + contains
    assert "America/Anguilla" in starts
    assert "America/Los_Angeles" in contains


@pytest.mark.parametrize("limit", [0, 1, 3, 25])
def test_limit(limit: int) -> None:
    """Never more than ``limit`` results."""
    assert len(search_zones("a", limit=limit)) == limit
    assert len(search_zones("", limit=limit)) == min(limit, len(COMMON_US_ZONES))


def test_default_limit_is_25() -> None:
    """The default fits Discord's 25 autocomplete choices."""
    assert len(search_zones("a")) == 25


@pytest.mark.parametrize("query", ["zzz", "mars/olympus", "phx", "x" * 200])
def test_no_match(query: str) -> None:
    """Nothing matching gives an empty list."""
    assert search_zones(query) == []


def test_every_result_is_resolvable() -> None:
    """Whatever search offers, resolve_zone accepts."""
    for query in ["", "a", "e", "us/", "pacific", "new"]:
        for name in search_zones(query):
            assert resolve_zone(name).key == name


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("America/Detroit", "America/Detroit"),
        ("america/detroit", "America/Detroit"),
        ("  AMERICA/LOS_ANGELES ", "America/Los_Angeles"),
        ("america/los angeles", "America/Los_Angeles"),
        ("us/eastern", "US/Eastern"),
        ("utc", "UTC"),
        ("Pacific/Kiritimati", "Pacific/Kiritimati"),
    ],
)
def test_resolve_zone(name: str, key: str) -> None:
    """Case-insensitive, spaces for underscores, canonical spelling returned."""
    zone = resolve_zone(name)
    assert isinstance(zone, ZoneInfo)
    assert zone.key == key


@pytest.mark.parametrize(
    "name", ["", "   ", "Detroit", "America/Detroi", "EST-5", "localtime", "Factory", "../etc"]
)
def test_resolve_zone_unknown(name: str) -> None:
    """Anything not an exact zone name raises error.zone.unknown with the text given."""
    with pytest.raises(UserError) as info:
        resolve_zone(name)
    assert info.value.key == "error.zone.unknown"
    assert info.value.fields == {"zone": name.strip()}


@pytest.mark.parametrize(
    ("name", "legacy"),
    [
        ("America/New_York", False),
        ("Pacific/Honolulu", False),
        ("America/Indiana/Indianapolis", False),
        ("US/Eastern", True),
        ("Canada/Pacific", True),
        ("Etc/GMT+12", True),
        ("EST5EDT", True),
        ("UTC", True),
    ],
)
def test_is_legacy(name: str, legacy: bool) -> None:
    """Old-style aliases are recognised by their form."""
    assert is_legacy(name) is legacy
