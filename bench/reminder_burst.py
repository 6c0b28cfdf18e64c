"""Reminder burst: a national action, every school at the same instant.

Scenario (fixed sizes): 500 servers, 10 walkouts each (5,000), all starting at the same instant
(2 PM in one zone), each server with its own announcements channel and the offsets "0" (one
start post per walkout). The loopback server enforces Discord's limits: 50 requests/s globally
and 5 messages per 5 s per channel. The bot runs as its own process (``python bot.py``) on a
database seeded before it starts; the start instant is set far enough ahead for it to be ready.

Prints: reminders delivered (walkouts listed in posts), duplicates, posts, 429s received, time
from the due instant to the last post, the achieved post rate as a fraction of the global limit,
lateness p50/p99, the bot's peak memory (VmHWM). Goal: all delivered, none duplicated, at least
95 % of the limit, no more than a handful of 429s.

Then: start-up to ready with 10,000 pending reminders, against the same start-up with an empty
database (the baseline, same run). Goal: under 5 s.
"""

from __future__ import annotations

import asyncio
import os
import platform
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.command_latency import BOT_PERMS, base_env, commit
from db import guilds as guilds_db
from db import reminders as reminders_db
from db import walkouts as walkouts_db
from db.engine import create_engine, create_sessionmaker, upgrade
from fakediscord import FakeDiscord

ROOT = Path(__file__).resolve().parents[1]
SERVERS = 500
PER_SERVER = 10
GLOBAL_LIMIT = 50
LEAD = 15.0  # seconds from starting the bot to the due instant: start-up with 500 servers fits
STARTUP_REMINDERS = 10_000
MESSAGES = "/channels/{channel_id}/messages"
TITLE = "It's time"


async def seed(url: str, plan: list[tuple[int, int]], due: datetime, *, offsets: str) -> int:
    """Walkouts starting at ``due`` (``PER_SERVER`` per (guild, channel)), each with one
    pending start reminder; returns how many reminders were planned."""
    await upgrade(url)
    engine = create_engine(url)
    now = datetime.now(UTC)
    count = 0
    try:
        async with create_sessionmaker(engine).begin() as s:
            for guild_id, channel_id in plan:
                await guilds_db.set_timezone(s, guild_id, "America/Chicago", now=now)
                await guilds_db.set_channels(
                    s, guild_id, announcements_id=channel_id, reports_id=None, now=now
                )
                await guilds_db.set_reminders(s, guild_id, offsets=offsets, role_id=None, now=now)
                for i in range(PER_SERVER):
                    w = await walkouts_db.create(
                        s,
                        guild_id=guild_id,
                        school=f"School {guild_id % 100000}-{i}",
                        city="Chicago",
                        starts_at=due,
                        ends_at=due + timedelta(hours=1),
                        timezone="America/Chicago",
                        meeting_point=None,
                        details=None,
                        action_id=None,
                        registrant_id=None,
                        status="scheduled",
                        now=now,
                    )
                    w.channel_id = channel_id
                    w.message_id = 1
                    planned = [(0, due)] if offsets == "0" else _many(due)
                    await reminders_db.plan_channel(s, w, planned, now=now)
                    count += len(planned)
    finally:
        await engine.dispose()
    return count


def retime(path: Path, due: datetime) -> None:
    """Move every walkout to start at ``due`` and its start reminder to be due then."""
    text = due.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    end = (due + timedelta(hours=1)).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE walkouts SET starts_at = ?, ends_at = ?", (text, end))
        conn.execute("UPDATE reminders SET due_at = ?", (text,))


def _many(start: datetime) -> list[tuple[int, datetime]]:
    return [(-m, start - timedelta(minutes=m)) for m in (10080, 1440, 120)] + [
        (0, start),
        (180, start + timedelta(hours=3)),
    ]


def vm_hwm_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return float("nan")
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else float("nan")


async def start(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "bot.py",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def wait_for_line(proc: asyncio.subprocess.Process, needle: str, limit: float) -> float:
    """Seconds until the process logs a line containing ``needle``."""
    started = time.perf_counter()
    assert proc.stderr is not None
    while True:
        line = await asyncio.wait_for(proc.stderr.readline(), limit)
        if not line:
            raise RuntimeError(f"bot exited before logging {needle!r}")
        if needle in line.decode(errors="replace"):
            return time.perf_counter() - started


async def drain(proc: asyncio.subprocess.Process) -> None:
    assert proc.stderr is not None
    while await proc.stderr.readline():
        pass


async def stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
    await asyncio.wait_for(proc.wait(), 30)


def fake_with_servers(n: int) -> tuple[FakeDiscord, list[tuple[int, int]]]:
    fake = FakeDiscord(global_rate_limit=GLOBAL_LIMIT, heartbeat_interval_ms=30000)
    plan = []
    for i in range(n):
        guild = fake.add_guild(name=f"School org {i}", bot_permissions=BOT_PERMS)
        plan.append((guild.id, fake.add_channel(guild, "announcements").id))
    fake.set_rate_limit(MESSAGES, 5, 5.0)
    return fake, plan


async def burst(tmp: Path) -> None:
    fake, plan = fake_with_servers(SERVERS)
    await fake.start()
    try:
        url = f"sqlite+aiosqlite:///{tmp / 'burst.sqlite3'}"
        planned = await seed(url, plan, datetime.now(UTC) + timedelta(days=1), offsets="0")
        due = (datetime.now(UTC) + timedelta(seconds=LEAD)).replace(microsecond=0)
        retime(tmp / "burst.sqlite3", due)  # seeding takes a while: set the instant now
        env = base_env(fake, tmp) | {"DATABASE_URL": url, "LOG_LEVEL": "INFO"}
        proc = await start(env)
        ready = await wait_for_line(proc, "reminder engine started", LEAD)
        drainer = asyncio.create_task(drain(proc))
        lag = (due - datetime.now(UTC)).total_seconds()
        if lag < 0:
            print(f"WARNING: the bot was ready {-lag:.1f} s after the due instant")
        due_at = time.monotonic() + lag
        channels = {channel for _, channel in plan}

        def posts() -> list:
            return [
                r
                for r in fake.requests
                if r.method == "POST" and r.route == MESSAGES and r.status == 200
            ]

        deadline = time.monotonic() + lag + 120
        while time.monotonic() < deadline:
            if len(posts()) >= SERVERS:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(2)  # late duplicates would show up now
        peak = vm_hwm_mb(proc.pid)
        await stop(proc)
        drainer.cancel()
    finally:
        await fake.stop()

    sent = posts()
    listed: Counter[str] = Counter()
    for channel in channels:
        for message in fake.messages(channel):
            embed = (message.get("embeds") or [{}])[0]
            if TITLE in (embed.get("title") or ""):
                for f in embed.get("fields") or []:
                    listed[f["name"]] += 1
    delivered = len(listed)
    duplicates = sum(n - 1 for n in listed.values())
    burst_requests = [r for r in fake.requests if r.at >= due_at - 1]
    limited = sum(1 for r in burst_requests if r.status == 429)
    times = sorted(r.at - due_at for r in sent)
    span = times[-1] - times[0] if len(times) > 1 else float("nan")
    rate = (len(times) - 1) / span if span and span > 0 else float("nan")
    q = statistics.quantiles(times, n=100, method="inclusive") if len(times) > 1 else [0] * 99
    print(
        f"reminder_burst: {SERVERS} servers x {PER_SERVER} walkouts due at one instant, "
        f"commit {commit()}, {platform.machine()} x{os.cpu_count()}, "
        f"Python {platform.python_version()}"
    )
    print(f"  ready {ready:.1f} s after start; planned {planned} reminders")
    print(
        f"  delivered {delivered}/{SERVERS * PER_SERVER} reminders in {len(sent)} posts, "
        f"duplicates {duplicates}, 429s received {limited}"
    )
    print(
        f"  time to last post {times[-1]:.2f} s, achieved {rate:.1f} posts/s = "
        f"{rate / GLOBAL_LIMIT:.1%} of the global limit (goal >= 95%)"
    )
    print(f"  lateness p50 {q[49]:.2f} s, p99 {q[98]:.2f} s; bot peak memory {peak:.0f} MB")


async def startup(tmp: Path) -> None:
    servers = STARTUP_REMINDERS // (PER_SERVER * 5)  # five reminders per walkout
    results = {}
    for label, n in (("empty database", 0), (f"{STARTUP_REMINDERS:,} pending", servers)):
        fake, plan = fake_with_servers(servers)
        await fake.start()
        try:
            url = f"sqlite+aiosqlite:///{tmp / f'startup-{n}.sqlite3'}"
            due = datetime.now(UTC) + timedelta(days=30)
            planned = await seed(url, plan[:n], due, offsets="7d,1d,2h,0,+3h") if n else 0
            await upgrade(url)
            env = base_env(fake, tmp) | {"DATABASE_URL": url, "LOG_LEVEL": "INFO"}
            proc = await start(env)
            results[label] = (await wait_for_line(proc, "reminder engine started", 120), planned)
            await stop(proc)
        finally:
            await fake.stop()
    base = results["empty database"][0]
    for label, (seconds, planned) in results.items():
        print(
            f"  start-up to ready, {label:<16} ({planned:>6} reminders): {seconds:5.2f} s  "
            f"ratio {seconds / base:4.2f}x (goal < 5 s)"
        )


async def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await burst(Path(tmp))
        await startup(Path(tmp))
