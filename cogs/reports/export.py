"""Report exports: CSV for spreadsheets and JSON for programs, written as rows stream in.

Pure: rows (``db.reports.EXPORT_COLUMNS`` tuples) in, bytes out to any binary file; memory stays
flat in the number of rows. Used by ``/reports export`` and by ``python bot.py export``.

CSV (:data:`CSV_COLUMNS`) opens cleanly in Excel and Google Sheets: UTF-8 with a byte order mark,
one header row, times in ISO 8601 both in UTC (``...Z``) and in the walkout's own zone
(``...-05:00``). Formula injection is neutralised as OWASP recommends: a text cell starting with
``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed gets a single quote in front,
and every text cell is quoted (numbers are not, so they stay numbers).

JSON is one object, ``{"format": "walkout-bot/reports", "version": 1, "exported_at": ...,
"reports": [...]}``, with one object per report as documented in ``report.schema.json`` beside
this module (numbers as numbers, links and repercussions as lists, absent values as null).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterable, Callable, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO, Literal, Protocol
from zoneinfo import ZoneInfo

from cogs.reports.form import kinds_of

Format = Literal["csv", "json"]
FORMATS: tuple[Format, ...] = ("csv", "json")
SCHEMA_PATH = Path(__file__).with_name("report.schema.json")
JSON_FORMAT = "walkout-bot/reports"
JSON_VERSION = 1

CSV_COLUMNS = (
    "report_id",
    "walkout_id",
    "school",
    "city",
    "timezone",
    "walkout_start_utc",
    "walkout_start_local",
    "submitted_utc",
    "submitted_local",
    "updated_utc",
    "anonymous",
    "turnout",
    "what_happened",
    "repercussions",
    "repercussion_details",
    "media_links",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

Row = Sequence[Any]


def neutralize_cell(text: str) -> str:
    """OWASP's CSV injection defence: a cell a spreadsheet could read as a formula gets a
    leading single quote (the writer quotes every text cell)."""
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def utc_text(instant: datetime | None) -> str | None:
    """``2027-02-12T19:00:00Z``."""
    if instant is None:
        return None
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def local_text(instant: datetime | None, zone: str) -> str | None:
    """``2027-02-12T14:00:00-05:00``: the instant on the walkout's own wall clock."""
    if instant is None:
        return None
    return instant.astimezone(_zone(zone)).isoformat(timespec="seconds")


def _links(stored: str | None) -> list[str]:
    return stored.split("\n") if stored else []


def _repercussions(bits: int | None) -> list[str] | None:
    return None if bits is None else list(kinds_of(bits))


def csv_row(row: Row) -> list[Any]:
    (rid, wid, school, city, zone, starts, submitted, updated, anon, turnout, what, bits,
     details, links) = row  # fmt: skip
    cells: list[Any] = [
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
    return cells


def json_record(row: Row) -> dict[str, Any]:
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


class Writer(Protocol):
    def write(self, rows: Sequence[Row]) -> None: ...

    def close(self) -> None: ...


class CsvWriter:
    """UTF-8 with BOM, a header, every text cell quoted, CRLF line ends (RFC 4180)."""

    def __init__(self, out: BinaryIO) -> None:
        self._text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=False)
        self._csv = csv.writer(self._text, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
        self._csv.writerow(CSV_COLUMNS)

    def write(self, rows: Sequence[Row]) -> None:
        self._csv.writerows([csv_row(row) for row in rows])

    def close(self) -> None:
        self._text.flush()
        self._text.detach()


class JsonWriter:
    """One JSON object holding the ``reports`` array, written record by record."""

    def __init__(self, out: BinaryIO, *, exported_at: datetime) -> None:
        self._text = io.TextIOWrapper(out, encoding="utf-8", newline="\n", write_through=False)
        head = {
            "format": JSON_FORMAT,
            "version": JSON_VERSION,
            "exported_at": utc_text(exported_at),
        }
        self._text.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "reports": [')
        self._first = True

    def write(self, rows: Sequence[Row]) -> None:
        dumps = json.dumps
        parts = [dumps(json_record(row), ensure_ascii=False) for row in rows]
        if not parts:
            return
        sep = "\n" if self._first else ",\n"
        self._text.write(sep + ",\n".join(parts))
        self._first = False

    def close(self) -> None:
        self._text.write("\n]}\n")
        self._text.flush()
        self._text.detach()


def open_writer(fmt: Format, out: BinaryIO, *, exported_at: datetime) -> Writer:
    if fmt == "csv":
        return CsvWriter(out)
    if fmt == "json":
        return JsonWriter(out, exported_at=exported_at)
    raise ValueError(f"unknown export format {fmt!r}")


async def write_export(
    fmt: Format,
    chunks: AsyncIterable[Sequence[Row]],
    out: BinaryIO,
    *,
    exported_at: datetime,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Write every chunk of rows to ``out`` as ``fmt``; return how many rows were written.
    ``progress(n)`` is called after each chunk with its size."""
    writer = open_writer(fmt, out, exported_at=exported_at)
    count = 0
    try:
        async for rows in chunks:
            writer.write(rows)
            count += len(rows)
            if progress is not None:
                progress(len(rows))
    finally:
        writer.close()
    return count


def filename(fmt: Format, *, now: datetime) -> str:
    """``reports-2027-02-14.csv``: no server name (it may be sensitive in a shared folder)."""
    return f"reports-{now.astimezone(UTC):%Y-%m-%d}.{fmt}"
