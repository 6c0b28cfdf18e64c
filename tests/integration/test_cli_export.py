"""``python bot.py export``: on 100,000 generated reports (SQLite), and on the test database of
each backend: every row of the server, none of the other server's, parsed back."""

import argparse
import csv
import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from bench.report_data import GUILD, OTHER_GUILD, generate
from bot import Settings, export_reports
from db import walkouts
from db.models import Report

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


EXPORTED = 4_500  # more than two of the export's chunks of 2,000


async def test_cli_export_on_this_backend(sessionmaker, db_url, tmp_path):
    """The same command on the test database of each backend (on PostgreSQL a server-side
    cursor read in chunks): every report of the server in order, none of the other's."""
    starts = datetime(2026, 1, 30, 19, 0, tzinfo=UTC)
    async with sessionmaker.begin() as s:
        ours, theirs = [
            await walkouts.create(
                s,
                guild_id=guild,
                school="Cass Tech",
                city="Detroit",
                starts_at=starts,
                ends_at=starts + timedelta(hours=1),
                timezone="America/Detroit",
                meeting_point=None,
                details=None,
                action_id=None,
                registrant_id=None,
                status="scheduled",
                now=starts,
            )
            for guild in (GUILD, OTHER_GUILD)
        ]
        rows = [
            {
                "guild_id": guild,
                "walkout_id": walkout.id,
                "receipt_hash": f"{guild == GUILD:d}{n:063x}",
                "turnout": n,
                "what_happened": ("=1+1 " if n % 97 == 0 else "") + f"report {n}",
                "created_at": starts + timedelta(seconds=n),
            }
            for guild, walkout, count in ((GUILD, ours, EXPORTED), (OTHER_GUILD, theirs, 3))
            for n in range(1, count + 1)
        ]
        await s.execute(insert(Report), rows)
    out = tmp_path / "reports.csv"
    settings = Settings(token=None, database_url=db_url, data_dir=tmp_path)
    args = argparse.Namespace(guild=GUILD, format="csv", since=None, out=str(out))
    assert await export_reports(settings, args) == EXPORTED
    exported = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    assert [int(r["turnout"]) for r in exported] == list(range(1, EXPORTED + 1))
    assert sum(r["what_happened"].startswith("'=") for r in exported) == EXPORTED // 97
    assert exported[0]["submitted_utc"] == "2026-01-30T19:00:01Z"  # aware UTC, both ways
    other = argparse.Namespace(guild=OTHER_GUILD, format="json", since=None, out=str(out))
    assert await export_reports(settings, other) == 3
