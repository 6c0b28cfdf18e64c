"""/reports stats: numbers from a server's reports. Pure: rows in, a :class:`Stats` out.

Several students may report the same walkout, so turnout is counted per walkout, not per
report: a walkout's turnout is the highest any of its reports gives (people count the crowd
they saw; the biggest count is the closest to everyone), the total is the sum over walkouts and
the median is over walkouts with a known turnout. Repercussions are counted per report (each
reporter speaks for what happened to them and around them); "none" is counted too, and reports
that do not say are not.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from cogs.reports.form import CHOICES, kinds_of
from db.reports import StatsRow


@dataclass(frozen=True)
class WalkoutLine:
    walkout_id: int
    school: str
    city: str
    starts_at: datetime
    reports: int
    turnout: int | None


@dataclass(frozen=True)
class CityLine:
    city: str
    walkouts: int
    reports: int
    turnout: int


@dataclass(frozen=True)
class Stats:
    walkouts: int = 0
    reports: int = 0
    turnout_total: int = 0
    turnout_median: float | None = None
    repercussions: dict[str, int] = field(default_factory=dict)
    cities: tuple[CityLine, ...] = ()
    per_walkout: tuple[WalkoutLine, ...] = ()


@dataclass
class _Walkout:
    first: StatsRow
    reports: int = 0
    turnout: int | None = None


def compute(rows: Iterable[StatsRow]) -> Stats:
    """Statistics of ``rows`` (``db.reports.stats_rows``: walkouts in start order)."""
    walkouts: dict[int, _Walkout] = {}
    repercussions = dict.fromkeys(CHOICES, 0)
    reports = 0
    for row in rows:
        reports += 1
        entry = walkouts.setdefault(row.walkout_id, _Walkout(row))
        entry.reports += 1
        if row.turnout is not None:
            entry.turnout = (
                row.turnout if entry.turnout is None else max(entry.turnout, row.turnout)
            )
        for kind in kinds_of(row.repercussions):
            repercussions[kind] += 1
    lines = [
        WalkoutLine(
            walkout_id=wid,
            school=entry.first.school,
            city=entry.first.city,
            starts_at=entry.first.starts_at,
            reports=entry.reports,
            turnout=entry.turnout,
        )
        for wid, entry in walkouts.items()
    ]
    known = [line.turnout for line in lines if line.turnout is not None]
    return Stats(
        walkouts=len(lines),
        reports=reports,
        turnout_total=sum(known),
        turnout_median=statistics.median(known) if known else None,
        repercussions=repercussions,
        cities=_cities(lines),
        per_walkout=tuple(lines),
    )


def _cities(lines: list[WalkoutLine]) -> tuple[CityLine, ...]:
    """Per city (case and spacing ignored), most reports first."""
    groups: dict[str, list[WalkoutLine]] = {}
    names: dict[str, str] = {}
    for line in lines:
        key = " ".join(line.city.casefold().split())
        groups.setdefault(key, []).append(line)
        names.setdefault(key, line.city)
    out = [
        CityLine(
            city=names[key],
            walkouts=len(group),
            reports=sum(line.reports for line in group),
            turnout=sum(line.turnout or 0 for line in group),
        )
        for key, group in groups.items()
    ]
    return tuple(sorted(out, key=lambda c: (-c.reports, -c.turnout, c.city.casefold())))
