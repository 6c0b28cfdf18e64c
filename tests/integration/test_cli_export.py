"""``python bot.py export``: on 100,000 generated reports (SQLite), and on the test database of
each backend: every row of the server, none of the other server's, parsed back; a progress bar
on a terminal, nothing but the count when piped."""

import argparse
import asyncio
import csv
import io
import os
import pty
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bench.report_data import GUILD, OTHER_GUILD, generate
from bot import Settings, export_reports
from db import walkouts
from db.models import Report

REPORTS = 100_000
ROOT = Path(__file__).resolve().parents[2]


def test_cli_export_of_100_000_reports(tmp_path):
    url = generate(tmp_path / "data", REPORTS, other=3)
    out = tmp_path / "reports.csv"
    settings = Settings(token=None, database_url=url, data_dir=tmp_path)
    args = argparse.Namespace(guild=GUILD, format="csv", since=None, out=str(out))
    assert export_reports(settings, args) == REPORTS
    assert out.stat().st_mode & 0o077 == 0  # reports by minors: readable by its owner only
    text = out.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == REPORTS
    assert [int(r["report_id"]) for r in rows[:3]] == [1, 2, 3]
    assert all(not r["what_happened"].startswith("=") for r in rows)
    assert sum(r["what_happened"].startswith("'=") for r in rows) == REPORTS // 97
    other = argparse.Namespace(guild=OTHER_GUILD, format="json", since=None, out=str(out))
    assert export_reports(settings, other) == 3


def run_cli(args: list[str], env: dict[str, str], *, tty: bool) -> tuple[int, bytes]:
    """``python bot.py ARGS`` as its own process; what it wrote on standard error, which is a
    terminal (a pseudo-terminal) or a pipe."""
    argv = [sys.executable, "bot.py", *args]
    env = {**os.environ, **env}
    if not tty:
        proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, timeout=120)
        return proc.returncode, proc.stderr
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    seen = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        seen.append(data)
    os.close(master)
    return proc.wait(timeout=120), b"".join(seen)


def test_progress_bar_on_a_terminal_only(tmp_path):
    url = generate(tmp_path / "data", 20_000, other=3)
    env = {"DATABASE_URL": url, "WALKOUT_DATA_DIR": str(tmp_path), "WALKOUT_SECRET": "x"}
    args = ["export", "--guild", str(GUILD), "--format", "csv", "--out"]
    status, piped = run_cli([*args, str(tmp_path / "piped.csv")], env, tty=False)
    assert status == 0 and piped == b"exported 20000 report(s)\n"  # nothing else, no escapes
    status, shown = run_cli([*args, str(tmp_path / "tty.csv")], env, tty=True)
    assert status == 0 and b"exporting reports" in shown and b"\x1b[" in shown
    assert shown.rstrip().endswith(b"exported 20000 report(s)")
    assert (tmp_path / "tty.csv").read_bytes() == (tmp_path / "piped.csv").read_bytes()


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
    assert await asyncio.to_thread(export_reports, settings, args) == EXPORTED
    exported = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    assert [int(r["turnout"]) for r in exported] == list(range(1, EXPORTED + 1))
    assert sum(r["what_happened"].startswith("'=") for r in exported) == EXPORTED // 97
    assert exported[0]["submitted_utc"] == "2026-01-30T19:00:01Z"  # aware UTC, both ways
    other = argparse.Namespace(guild=OTHER_GUILD, format="json", since=None, out=str(out))
    assert await asyncio.to_thread(export_reports, settings, other) == 3
