"""IANA time zone search (for autocomplete) and lookup.

Ranking for a query, best first:

1. exact name ("america/detroit", "utc");
2. the city part (last segment) starts with the query ("detr" -> America/Detroit,
   "los angeles" -> America/Los_Angeles: spaces count as underscores);
3. the full name starts with the query ("america/ch");
4. another part starts with the query ("indiana" -> America/Indiana/*);
5. the query appears anywhere in the name.

Within a tier: canonical names before legacy aliases, then the common US zones in their usual
order, then other American names (``America/*``, ``US/*``), then alphabetical. Legacy aliases
("US/Eastern", "Canada/Pacific", "EST5EDT", "GB") are kept, because people search for "eastern"
or "pacific", but ranked after canonical names. "Legacy" is judged by form (no area, or an area
such as US/, Canada/, Etc/), so a few backward links like "America/Indianapolis" count as
canonical.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from core.errors import UserError

__all__ = ["COMMON_US_ZONES", "all_zones", "is_legacy", "resolve_zone", "search_zones"]

COMMON_US_ZONES: tuple[str, ...] = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "America/Detroit",
    "America/Indiana/Indianapolis",
    "America/Kentucky/Louisville",
    "America/Boise",
    "America/Juneau",
    "America/Adak",
    "America/St_Thomas",
    "Pacific/Guam",
    "Pacific/Saipan",
    "Pacific/Pago_Pago",
    "America/Menominee",
    "America/North_Dakota/Center",
)
"""What an empty query suggests: the US zones students are most likely in, most populous first."""

# Not places: the machine's own zone, tzdata's placeholder, and a build artifact.
_EXCLUDED = frozenset({"localtime", "Factory", "posixrules"})
# First segments of backward-compatibility aliases (the tzdata "backward" file).
_LEGACY_AREAS = frozenset({"US", "Canada", "Mexico", "Brazil", "Chile", "Etc", "SystemV"})


def is_legacy(name: str) -> bool:
    """Return whether ``name`` is an old-style alias ("US/Eastern", "EST5EDT", "Japan")."""
    return "/" not in name or name.split("/", 1)[0] in _LEGACY_AREAS


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str
    key: str  # lowercased
    city: str  # lowercased last segment
    parts: tuple[str, ...]  # lowercased segments before the city
    order: tuple[int, int, int, str]  # tie-break within a tier


def _load() -> tuple[tuple[_Entry, ...], dict[str, str]]:
    common = {name: i for i, name in enumerate(COMMON_US_ZONES)}
    names = sorted(
        name
        for name in zoneinfo.available_timezones()
        if name not in _EXCLUDED and not name.startswith(("posix/", "right/"))
    )
    entries = []
    for name in names:
        key = name.lower()
        *parts, city = key.split("/")
        american = name.startswith(("America/", "US/"))
        order = (int(is_legacy(name)), common.get(name, len(common)), int(not american), key)
        entries.append(_Entry(name=name, key=key, city=city, parts=tuple(parts), order=order))
    return tuple(entries), {e.key: e.name for e in entries}


_ENTRIES, _BY_KEY = _load()


def all_zones() -> list[str]:
    """Return every zone name this module knows, sorted."""
    return [e.name for e in _ENTRIES]


def _normalize(query: str) -> str:
    return "_".join(query.strip().lower().split())


def _tier(entry: _Entry, q: str) -> int | None:
    if entry.key == q:
        return 0
    if entry.city.startswith(q):
        return 1
    if entry.key.startswith(q):
        return 2
    if any(part.startswith(q) for part in entry.parts):
        return 3
    if q in entry.key:
        return 4
    return None


def search_zones(query: str, limit: int = 25) -> list[str]:
    """Return up to ``limit`` zone names matching ``query``, best first (see module docstring).

    An empty query returns the common US zones (:data:`COMMON_US_ZONES`).
    """
    if limit < 1:
        return []
    q = _normalize(query)
    if not q:
        return [name for name in COMMON_US_ZONES if name.lower() in _BY_KEY][:limit]
    ranked = []
    for entry in _ENTRIES:
        tier = _tier(entry, q)
        if tier is not None:
            ranked.append((tier, entry.order, entry.name))
    ranked.sort()
    return [name for _, _, name in ranked[:limit]]


def resolve_zone(name: str) -> ZoneInfo:
    """Return the zone called ``name`` (any case; spaces for underscores).

    Raises ``error.zone.unknown`` (zone) for anything else.
    """
    canonical = _BY_KEY.get(_normalize(name or ""))
    if canonical is None:
        raise UserError("error.zone.unknown", zone=(name or "").strip())
    return ZoneInfo(canonical)
