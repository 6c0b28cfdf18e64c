"""Export of 100,000 reports: ``python bot.py export`` against ``sqlite3 -csv`` of the same rows.

Scenario (fixed seed and size, ``bench/report_data.py``): one server with 100,000 reports over 200
walkouts, and a second server whose rows must not be exported. Each side runs as its own
process, as operators run it; wall time and peak resident memory come from ``os.wait4``. The
baseline is the ``sqlite3`` command-line shell dumping the same joined rows as CSV, measured in
the same run. Goal: within 2x of the baseline's time, peak memory under 100 MB.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report_data import BASELINE_SQL, GUILD

ROOT = Path(__file__).resolve().parents[1]
REPORTS = 100_000


def measure(
    argv: list[str], *, env: dict[str, str], out: Path | None = None
) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one process (``/usr/bin/time``'s, when there is one: a forked
    child's own counter starts from this process's size)."""
    timer = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    if timer:
        argv = [timer, "-f", "%M", *argv]
    started = time.perf_counter()
    stdout = out.open("wb") if out else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=stdout, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        if out:
            stdout.close()  # type: ignore[union-attr]
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(
            f"{argv[0]} failed: {proc.stderr.read().decode() if proc.stderr else ''}"
        )
    return elapsed, usage.ru_maxrss / 1024


async def run() -> None:
    sqlite3_cli = shutil.which("sqlite3")
    with tempfile.TemporaryDirectory(prefix="walkout-export-bench-") as tmp:
        data = Path(tmp)
        started = time.perf_counter()
        # In a child process: this one must stay small, its children start as copies of it.
        code = f"from bench.report_data import generate; print(generate({tmp!r}, {REPORTS}))"
        url = subprocess.run(  # noqa: ASYNC221
            [sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout.strip()
        print(f"generated {REPORTS:,} reports in {time.perf_counter() - started:.1f} s")
        env = {**os.environ, "DATABASE_URL": url, "WALKOUT_DATA_DIR": tmp, "WALKOUT_SECRET": "b"}
        path = url.removeprefix("sqlite+aiosqlite:///")
        machine = f"{platform.machine()}, Python {platform.python_version()}"
        print(f"machine: {machine}, {os.cpu_count()} cores")
        base = None
        if sqlite3_cli:
            base = measure(
                [sqlite3_cli, "-csv", "-header", path, BASELINE_SQL], env=env, out=data / "b.csv"
            )
            print(f"{'sqlite3 -csv (baseline)':<28} {base[0]:6.2f} s  peak {base[1]:6.1f} MB")
        else:
            print("sqlite3 command-line shell not found: no baseline (apt-get install sqlite3)")
        for fmt in ("csv", "json"):
            out = data / f"out.{fmt}"
            argv = [sys.executable, "bot.py", "export", "--guild", str(GUILD), "--format", fmt]
            seconds, peak = measure([*argv, "--out", str(out)], env=env)
            line = f"{'bot.py export --format ' + fmt:<28} {seconds:6.2f} s  peak {peak:6.1f} MB"
            if base:
                line += f"  time ratio {seconds / base[0]:4.1f}x"
            print(line + f"  ({out.stat().st_size / 1e6:.1f} MB written)")
        idle = measure([sys.executable, "bot.py", "--help"], env=env)
        print(f"{'bot.py --help (start-up)':<28} {idle[0]:6.2f} s  peak {idle[1]:6.1f} MB")
