"""Export of 100,000 reports: ``python bot.py export`` against ``sqlite3 -csv`` of the same rows.

Scenario (fixed seed and size, ``bench/report_data.py``): one server with 100,000 reports over 200
walkouts, and a second server whose rows must not be exported. Each side runs as its own
process, as operators run it. The baseline is the ``sqlite3`` command-line shell dumping the same
joined rows as CSV, measured in the same run. Goal: within 2x of the baseline's time, peak
memory under 100 MB. Also shown: the same export read through SQLAlchemy (what ``/reports
export`` and other databases use), and start-up alone.

Peak memory is each command's own peak resident set: GNU time's ``%M`` when ``/usr/bin/time`` is
there, else ``os.wait4`` in a small launcher process. Not ``wait4`` from this process: a child's
peak counts from the fork, when it is a copy of its parent, so every child of a big parent
would show at least the parent's size (the first version of this benchmark showed the 8 MB
``sqlite3`` shell at this process's 45 to 57 MB).
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.report_data import BASELINE_SQL, GUILD

ROOT = Path(__file__).resolve().parents[1]
REPORTS = 100_000
GNU_TIME = Path("/usr/bin/time")
# Runs ARGV[2:] and writes its peak RSS (KiB) to the file ARGV[1]; started with -I -S, so the
# launcher itself stays small (its own size is the floor of what it can report).
LAUNCHER = """
import os, sys
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(f"{usage.ru_utime} {usage.ru_stime} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""
REPEATS = 3


def gnu_time() -> bool:
    if not GNU_TIME.exists():
        return False
    probe = subprocess.run(
        [str(GNU_TIME), "-f", "%M", "true"], capture_output=True, text=True, check=False
    )
    return probe.returncode == 0 and probe.stderr.strip().isdigit()


@dataclass(frozen=True)
class Run:
    seconds: float  # wall clock
    cpu: float  # user + system seconds
    peak_mb: float  # peak resident set


def measure(argv: list[str], *, env: dict[str, str], out: Path | None = None, timer: bool) -> Run:
    """One run of one command."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as report:
        if timer:
            wrapped = [str(GNU_TIME), "-f", "%U %S %M", "-o", report.name, *argv]
        else:
            wrapped = [sys.executable, "-I", "-S", "-c", LAUNCHER, report.name, *argv]
        stdout = out.open("wb") if out else subprocess.DEVNULL
        started = time.perf_counter()
        try:
            proc = subprocess.run(
                wrapped, env=env, cwd=ROOT, stdout=stdout, stderr=subprocess.PIPE, check=False
            )
        finally:
            elapsed = time.perf_counter() - started
            if out:
                stdout.close()  # type: ignore[union-attr]
        if proc.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed: {proc.stderr.decode(errors='replace')}")
        # The last line (GNU time writes "Command exited with ..." first when the command fails).
        user, system, kib = Path(report.name).read_text().splitlines()[-1].split()
    return Run(elapsed, float(user) + float(system), int(kib) / 1024)


def best(runs: list[Run]) -> Run:
    """The least of each figure over the repeats: the machine may be busy with other work, and
    that only ever adds."""
    return Run(min(r.seconds for r in runs), min(r.cpu for r in runs), min(r.peak_mb for r in runs))


async def run() -> None:
    sqlite3_cli = shutil.which("sqlite3")
    timer = gnu_time()
    with tempfile.TemporaryDirectory(prefix="walkout-export-bench-") as tmp:
        data = Path(tmp)
        started = time.perf_counter()
        code = f"from bench.report_data import generate; print(generate({tmp!r}, {REPORTS}))"
        url = subprocess.run(  # noqa: ASYNC221
            [sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout.strip()
        print(f"generated {REPORTS:,} reports in {time.perf_counter() - started:.1f} s")
        env = {**os.environ, "DATABASE_URL": url, "WALKOUT_DATA_DIR": tmp, "WALKOUT_SECRET": "b"}
        path = url.removeprefix("sqlite+aiosqlite:///")
        machine = f"{platform.machine()}, Python {platform.python_version()}"
        print(f"machine: {machine}, {os.cpu_count()} cores")
        print(
            "peak memory: "
            + ("GNU time %M" if timer else "os.wait4 in a launcher (its ~8 MB is the floor)")
        )
        export = [sys.executable, "bot.py", "export", "--guild", str(GUILD)]
        # A query string sends the URL through SQLAlchemy (db/urls.py), as /reports export.
        generic = {**env, "DATABASE_URL": url + "?timeout=5"}
        # (label, command, environment, its output file, its standard output to that file)
        cases: list[tuple[str, list[str], dict[str, str], Path | None, bool]] = []
        if sqlite3_cli:
            baseline = [sqlite3_cli, "-csv", "-header", path, BASELINE_SQL]
            cases.append(("sqlite3 -csv (baseline)", baseline, env, data / "base.csv", True))
        else:
            print("sqlite3 command-line shell not found: no baseline (apt-get install sqlite3)")
        for label, fmt, case_env, name in (
            ("bot.py export --format csv", "csv", env, "out.csv"),
            ("bot.py export --format json", "json", env, "out.json"),
            ("  same csv through SQLAlchemy", "csv", generic, "generic.csv"),
        ):
            argv = [*export, "--format", fmt, "--out", str(data / name)]
            cases.append((label, argv, case_env, data / name, False))
        help_argv = [sys.executable, "bot.py", "--help"]
        cases.append(("bot.py --help (start-up)", help_argv, env, None, False))
        runs: dict[str, list[Run]] = {label: [] for label, *_ in cases}
        for _ in range(REPEATS):  # interleaved, so a busy spell falls on every case alike
            for label, argv, case_env, out, piped in cases:
                run = measure(argv, env=case_env, out=out if piped else None, timer=timer)
                runs[label].append(run)
        print(f"best of {REPEATS} runs each: wall time, CPU time (user + system), peak memory")
        base = best(runs[cases[0][0]]) if sqlite3_cli else None
        for label, _, _, out, _ in cases:
            run = best(runs[label])
            line = f"{label:<32} {run.seconds:6.2f} s  cpu {run.cpu:5.2f} s  {run.peak_mb:6.1f} MB"
            if base and label.lstrip().startswith(("bot.py export", "same")):
                line += f"  time ratio {run.seconds / base.seconds:4.1f}x"
            if out is not None:
                line += f"  ({out.stat().st_size / 1e6:.1f} MB written)"
            print(line)
