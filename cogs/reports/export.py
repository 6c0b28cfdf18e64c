"""Report exports: CSV for spreadsheets and JSON for programs, written as rows stream in.

Pure: rows (``db.reports.EXPORT_COLUMNS`` tuples) in, bytes out to any binary file; memory stays
flat in the number of rows. Used by ``/reports export`` and by ``python bot.py export``. The
lines are built with string operations and caches (a walkout's columns once per walkout, a
zone's reading of each UTC hour once), not ``csv.writer`` and ``json.dumps`` over datetimes as
first written; a test keeps the bytes identical to that first version
(``tests/export_oracle.py``).

CSV (:data:`CSV_COLUMNS`) opens cleanly in Excel and Google Sheets: UTF-8 with a byte order mark,
one header row, times in ISO 8601 both in UTC (``...Z``) and in the walkout's own zone
(``...-05:00``). Formula injection is neutralised as OWASP recommends: a text cell starting with
``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed gets a single quote in front,
and every text cell is quoted (numbers are not, so they stay numbers).

JSON is one object, ``{"format": "walkout-bot/reports", "version": 1, "exported_at": ...,
"reports": [...]}``, with one object per report as documented in ``report.schema.json`` beside
this module (numbers as numbers, links and repercussions as lists, absent values as null).

Stored instants arrive as aware datetimes (PostgreSQL) or as SQLite's stored text, naive UTC
``2027-02-12 19:00:00.000000`` (read without the ORM's per-value conversion); both print the
same. Times are cut to the second, never rounded. Text of that exact shape is sliced as it is
(its date and hour are parsed once per hour and zone); any other text is parsed as an ISO date.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncIterable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO, Literal, Protocol
from zoneinfo import ZoneInfo

from db.vocabulary import kinds_of

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
CSV_LINE_END = "\r\n"
JSON_RECORD_SEPARATOR = ",\n"
JSON_END = "\n]}\n"

Row = Sequence[Any]
Instant = datetime | str
"""A stored instant: an aware datetime, or SQLite's naive UTC text."""


def neutralize_cell(text: str) -> str:
    """OWASP's CSV injection defence: a cell a spreadsheet could read as a formula gets a
    leading single quote (the writer quotes every text cell)."""
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


# SQLite's stored form of an aware UTC datetime (db/types.py: naive UTC, microseconds).
_STORED = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,6})?")


def utc_seconds(instant: Instant) -> str:
    """``2027-02-12 19:00:00``: the instant in UTC, to the second (cut, not rounded)."""
    if isinstance(instant, str):
        if _STORED.fullmatch(instant):
            return instant[:19]
        instant = datetime.fromisoformat(instant)  # what the driver would have parsed
    if instant.tzinfo is not None:
        instant = instant.astimezone(UTC)
    return instant.isoformat(sep=" ", timespec="seconds")[:19]


def _as_utc(seconds: str) -> datetime:
    return datetime.fromisoformat(seconds).replace(tzinfo=UTC)


def utc_text(instant: Instant | None) -> str | None:
    """``2027-02-12T19:00:00Z``."""
    if instant is None:
        return None
    s = utc_seconds(instant)
    return s[:10] + "T" + s[11:] + "Z"


_HOUR = timedelta(hours=1)
_MINUTE = timedelta(minutes=1)


def _hour_parts(hour: str, zone: str) -> tuple[str, int, str, str] | None:
    """How UTC ``hour`` (``YYYY-MM-DD HH``) reads in ``zone``, when the whole hour has one
    offset in whole minutes: ``(prefix, shift, next_prefix, suffix)`` such that UTC minute ``m``
    reads ``prefix + f"{m + shift:02d}"`` (``next_prefix`` once that passes 59) followed by the
    seconds and ``suffix``. ``("2027-02-12T14:", 0, ..., "-05:00")`` in Detroit. None for an
    hour that holds an offset change, or an offset with seconds (zones before 1900)."""
    first = _as_utc(hour + ":00:00")
    start = first.astimezone(_zone(zone))
    offset = start.utcoffset()
    if offset is None or offset % _MINUTE:
        return None
    if (first + _HOUR - timedelta(seconds=1)).astimezone(_zone(zone)).utcoffset() != offset:
        return None
    shift = (offset % _HOUR) // _MINUTE
    text = start.isoformat(timespec="seconds")
    later = (first + (60 - shift) * _MINUTE).astimezone(_zone(zone)).isoformat(timespec="seconds")
    return text[:14], shift, later[:14], text[19:]


def _repercussions(bits: int | None) -> list[str] | None:
    return None if bits is None else list(kinds_of(bits))


def csv_text(cells: Sequence[Any]) -> str:
    """``cells`` as one CSV line without its line end, quoted as the export quotes them."""
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="").writerow(cells)
    return buffer.getvalue()


def csv_header() -> str:
    return csv_text(CSV_COLUMNS) + CSV_LINE_END


def json_head(exported_at: datetime) -> str:
    """The JSON document up to the first record."""
    head = {"format": JSON_FORMAT, "version": JSON_VERSION, "exported_at": utc_text(exported_at)}
    return json.dumps(head, ensure_ascii=False)[:-1] + ', "reports": ['


def _quoted(text: str) -> str:
    """A text cell as the CSV writer quotes it (every text cell is quoted, quotes doubled)."""
    return '"' + text.replace('"', '""') + '"'


_EMPTY, _YES, _NO = '""', '"yes"', '"no"'


def _escaped(text: str | None) -> str:
    """A free-text cell's inside: neutralised, quotes doubled ("" for nothing)."""
    if not text:
        return ""
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return text.replace('"', '""')


def _seconds(instant: Instant) -> str:
    """:func:`utc_seconds`, short-cut for the text SQLite stores (``db/types.py``)."""
    if type(instant) is str and len(instant) == 26 and instant[19] == ".":
        return instant[:19]
    return utc_seconds(instant)


def _utc(instant: Instant) -> str:
    s = _seconds(instant)
    return s[:10] + "T" + s[11:] + "Z"


# Every stored repercussion bit set (NULL, or 0 to 31 as the CHECK allows) as its CSV cell and
# its JSON value.
_REPERCUSSIONS_CSV = {bits: _quoted("; ".join(kinds_of(bits))) for bits in (None, *range(32))}
_REPERCUSSIONS_JSON = {
    bits: json.dumps(_repercussions(bits), ensure_ascii=False) for bits in (None, *range(32))
}


def _repercussions_cell(bits: int | None) -> str:
    found = _REPERCUSSIONS_CSV.get(bits)
    return _quoted("; ".join(kinds_of(bits))) if found is None else found


def _repercussions_json(bits: int | None) -> str:
    found = _REPERCUSSIONS_JSON.get(bits)
    return json.dumps(_repercussions(bits), ensure_ascii=False) if found is None else found


_json_text: Callable[[str], str] = json.encoder.encode_basestring  # what json.dumps quotes with


def _links_json(stored: str | None) -> str:
    return "[" + ", ".join(map(_json_text, stored.split("\n"))) + "]" if stored else "[]"


@dataclass(frozen=True, slots=True)
class _Walkout:
    """A walkout's own columns as printed, and what they were printed from."""

    source: tuple[Any, ...]  # school, city, zone, starts
    zone: str
    csv: str  # walkout_id to walkout_start_local, as CSV cells
    json: str  # the same as JSON members


WalkoutSource = Callable[[int], Sequence[Any]]
"""A walkout's (school, city, zone, starts) by its id: for rows that leave those columns None."""


class Formatter:
    """CSV lines and JSON records of export rows, with what repeats cached: a walkout's own
    columns (once per walkout), and how each UTC hour reads in each zone (so a row costs string
    slicing, not a time zone conversion). One per export; the caches are bounded."""

    CACHE_MAX = 50_000

    def __init__(self, walkouts: WalkoutSource | None = None) -> None:
        self._source = walkouts
        self._walkouts: dict[int, _Walkout] = {}
        self._hours: dict[tuple[str, str], tuple[str, int, str, str] | None] = {}

    def local(self, seconds: str, zone: str) -> str:
        """Local text of UTC ``seconds`` (``YYYY-MM-DD HH:MM:SS``) in ``zone``."""
        key = (zone, seconds[:13])
        try:
            parts = self._hours[key]
        except KeyError:
            if len(self._hours) >= self.CACHE_MAX:
                self._hours.clear()
            parts = self._hours[key] = _hour_parts(seconds[:13], zone)
        if parts is None:
            return _as_utc(seconds).astimezone(_zone(zone)).isoformat(timespec="seconds")
        prefix, shift, next_prefix, suffix = parts
        if not shift:
            return prefix + seconds[14:] + suffix
        minute = int(seconds[14:16]) + shift
        if minute < 60:
            return f"{prefix}{minute:02d}{seconds[16:]}{suffix}"
        return f"{next_prefix}{minute - 60:02d}{seconds[16:]}{suffix}"

    def walkout(
        self, wid: int, school: str | None, city: str, zone: str, starts: Instant
    ) -> _Walkout:
        """A walkout's own columns, walkout_id to walkout_start_local, printed once. A row
        without them (``school`` None) takes them from the formatter's walkout source."""
        found = self._walkouts.get(wid)
        if school is None:
            if found is not None:
                return found
            if self._source is None:
                raise ValueError(f"row without the columns of walkout {wid}")
            school, city, zone, starts = self._source(wid)
        source = (school, city, zone, starts)
        if found is not None and found.source == source:
            return found
        if len(self._walkouts) >= self.CACHE_MAX:
            self._walkouts.clear()
        s = utc_seconds(starts)
        start_utc, start_local = s[:10] + "T" + s[11:] + "Z", self.local(s, zone)
        fields = {
            "walkout_id": wid,
            "school": school,
            "city": city,
            "timezone": zone,
            "walkout_start_utc": start_utc,
            "walkout_start_local": start_local,
        }
        cells = (
            str(wid),
            _quoted(neutralize_cell(school)),
            _quoted(neutralize_cell(city)),
            _quoted(zone),
            _quoted(start_utc),
            _quoted(start_local),
        )
        found = self._walkouts[wid] = _Walkout(
            source, zone, ",".join(cells), json.dumps(fields, ensure_ascii=False)[1:-1]
        )
        return found

    def csv_lines(self, rows: Iterable[Row]) -> str:
        """The rows as CSV lines, each with its line end: byte for byte what ``csv.writer``
        with ``QUOTE_NONNUMERIC`` writes for the cells (a test checks)."""
        walkouts, walkout, local = self._walkouts, self.walkout, self.local
        lines = []
        for (rid, wid, school, city, zone, starts, submitted, updated, anon, turnout, what,
             bits, details, links) in rows:  # fmt: skip
            w = walkouts.get(wid)
            if w is None or (school is not None and w.source != (school, city, zone, starts)):
                w = walkout(wid, school, city, zone, starts)
            s = _seconds(submitted)
            updated_text = "" if updated is None else _utc(updated)
            links_text = links.replace("\n", " ").replace('"', '""') if links else ""
            lines.append(
                f'{rid},{w.csv},"{s[:10]}T{s[11:]}Z","{local(s, w.zone)}","{updated_text}",'
                f"{_YES if anon else _NO},{_EMPTY if turnout is None else turnout},"
                f'"{_escaped(what)}",{_repercussions_cell(bits)},"{_escaped(details)}",'
                f'"{links_text}"\r\n'
            )
        return "".join(lines)

    def json_records(self, rows: Iterable[Row]) -> list[str]:
        """The rows as JSON records: byte for byte what ``json.dumps(record,
        ensure_ascii=False)`` writes (a test checks)."""
        walkouts, walkout, local = self._walkouts, self.walkout, self.local
        records = []
        for (rid, wid, school, city, zone, starts, submitted, updated, anon, turnout, what,
             bits, details, links) in rows:  # fmt: skip
            w = walkouts.get(wid)
            if w is None or (school is not None and w.source != (school, city, zone, starts)):
                w = walkout(wid, school, city, zone, starts)
            s = _seconds(submitted)
            updated_value = "null" if updated is None else f'"{_utc(updated)}"'
            records.append(
                f'{{"report_id": {rid}, {w.json}, "submitted_utc": "{s[:10]}T{s[11:]}Z", '
                f'"submitted_local": "{local(s, w.zone)}", "updated_utc": {updated_value}, '
                f'"anonymous": {"true" if anon else "false"}, '
                f'"turnout": {"null" if turnout is None else turnout}, '
                f'"what_happened": {"null" if what is None else _json_text(what)}, '
                f'"repercussions": {_repercussions_json(bits)}, '
                f'"repercussion_details": {"null" if details is None else _json_text(details)}, '
                f'"media_links": {_links_json(links)}}}'
            )
        return records


class Writer(Protocol):
    def write(self, rows: Sequence[Row]) -> None: ...

    def close(self) -> None: ...


class CsvWriter:
    """UTF-8 with BOM, a header, every text cell quoted, CRLF line ends (RFC 4180)."""

    def __init__(self, out: BinaryIO, *, walkouts: WalkoutSource | None = None) -> None:
        self._text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=False)
        self._text.write(csv_header())
        self._format = Formatter(walkouts)

    def write(self, rows: Sequence[Row]) -> None:
        self._text.write(self._format.csv_lines(rows))

    def close(self) -> None:
        self._text.flush()
        self._text.detach()


class JsonWriter:
    """One JSON object holding the ``reports`` array, written record by record."""

    def __init__(
        self, out: BinaryIO, *, exported_at: datetime, walkouts: WalkoutSource | None = None
    ) -> None:
        self._text = io.TextIOWrapper(out, encoding="utf-8", newline="\n", write_through=False)
        self._text.write(json_head(exported_at))
        self._first = True
        self._format = Formatter(walkouts)

    def write(self, rows: Sequence[Row]) -> None:
        parts = self._format.json_records(rows)
        if not parts:
            return
        sep = "\n" if self._first else JSON_RECORD_SEPARATOR
        self._text.write(sep + JSON_RECORD_SEPARATOR.join(parts))
        self._first = False

    def close(self) -> None:
        self._text.write(JSON_END)
        self._text.flush()
        self._text.detach()


def open_writer(
    fmt: Format, out: BinaryIO, *, exported_at: datetime, walkouts: WalkoutSource | None = None
) -> Writer:
    """A writer of ``fmt`` into ``out``. ``walkouts``: for rows that leave the walkout's own
    columns None (see :class:`Formatter`)."""
    if fmt == "csv":
        return CsvWriter(out, walkouts=walkouts)
    if fmt == "json":
        return JsonWriter(out, exported_at=exported_at, walkouts=walkouts)
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


def write_export_sync(
    fmt: Format,
    chunks: Iterable[Sequence[Row]],
    out: BinaryIO,
    *,
    exported_at: datetime,
    progress: Callable[[int], object] | None = None,
    walkouts: WalkoutSource | None = None,
) -> int:
    """:func:`write_export` for rows read without an event loop (``db/export_sqlite.py``)."""
    writer = open_writer(fmt, out, exported_at=exported_at, walkouts=walkouts)
    count = 0
    try:
        for rows in chunks:
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
