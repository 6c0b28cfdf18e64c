"""``python bot.py export`` on 100,000 generated reports: every row of the server, none of the
other server's, parsed back."""

import argparse
import csv
import io

from bench.report_data import GUILD, OTHER_GUILD, generate
from bot import Settings, export_reports

REPORTS = 100_000


async def test_cli_export_of_100_000_reports(tmp_path):
    url = generate(tmp_path / "data", REPORTS, other=3)
    out = tmp_path / "reports.csv"
    settings = Settings(token=None, database_url=url, data_dir=tmp_path)
    args = argparse.Namespace(guild=GUILD, format="csv", since=None, out=str(out))
    assert await export_reports(settings, args) == REPORTS
    text = out.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == REPORTS
    assert [int(r["report_id"]) for r in rows[:3]] == [1, 2, 3]
    assert all(not r["what_happened"].startswith("=") for r in rows)
    assert sum(r["what_happened"].startswith("'=") for r in rows) == REPORTS // 97
    other = argparse.Namespace(guild=OTHER_GUILD, format="json", since=None, out=str(out))
    assert await export_reports(settings, other) == 3
