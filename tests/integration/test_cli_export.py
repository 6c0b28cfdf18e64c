"""``python bot.py export`` on 100,000 generated reports: every row of the server, none of the
other server's, parsed back; a progress bar on a terminal, nothing but the count when piped."""

import argparse
import csv
import io
import os
import pty
import subprocess
import sys
from pathlib import Path

from bench.report_data import GUILD, OTHER_GUILD, generate
from bot import Settings, export_reports

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
