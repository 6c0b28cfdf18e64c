"""Command latency through the loopback Discord-compatible server.

Scenario (fixed sizes and seed): one server holding 1,000 walkouts; 200 calls each of
``/walkout list``, ``/walkout info`` and the ``when`` autocomplete of ``/walkout register``,
timed by the server from dispatching INTERACTION_CREATE to receiving the bot's first callback.
Each bot runs in its own process (``python bot.py``, as operators run it), so the server and
the bot never share an interpreter. Baselines, measured in the same run against the same server:
a bare discord.py ``/ping`` that answers at once, before and after the walkout-bot phase, and
the same bare bot running one trivial query first (the database driver's floor). Prints p50,
p95, p99 and the p99 ratio to the bare command (goal: within 1.5x).
"""

from __future__ import annotations

import asyncio
import logging
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from db import guilds as guilds_db
from db import walkouts as walkouts_db
from db.engine import create_engine, create_sessionmaker, upgrade
from fakediscord import FakeDiscord

ROOT = Path(__file__).resolve().parents[1]
WALKOUTS = 1_000
CALLS = 200
WARMUP = 20
SEED = 20270213
BOT_PERMS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 44)  # as README.md asks
CITIES = ["Detroit", "Ann Arbor", "Ypsilanti", "Dexter", "Royal Oak", "Canton", "Flint", "Lansing"]


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    qs = statistics.quantiles(samples, n=100, method="inclusive")
    return qs[49], qs[94], qs[98]


def line(label: str, samples: list[float], baseline_p99: float | None = None) -> str:
    p50, p95, p99 = (x * 1000 for x in percentiles(samples))
    text = (
        f"{label:<28} n={len(samples):<4} p50={p50:6.2f} ms  p95={p95:6.2f} ms  p99={p99:6.2f} ms"
    )
    if baseline_p99:
        text += f"  p99 ratio={p99 / (baseline_p99 * 1000):5.2f}x"
    return text


async def time_calls(make_call: Callable[[int], Awaitable[Any]], n: int) -> list[float]:
    """Run ``n`` calls one after another; return each one's dispatch-to-first-response time."""
    out: list[float] = []
    for i in range(n + WARMUP):
        itx = await make_call(i)
        first = await itx.first_response(timeout=10)
        if i >= WARMUP:
            out.append(first["elapsed"])
    return out


async def seed(url: str, guild_id: int, now: datetime) -> list[int]:
    """Migrate a fresh database and fill one server with WALKOUTS walkouts around ``now``."""
    await upgrade(url)
    engine = create_engine(url)
    rng = random.Random(SEED)
    zone = ZoneInfo("America/Detroit")
    ids = []
    try:
        async with create_sessionmaker(engine).begin() as s:
            await guilds_db.set_timezone(s, guild_id, "America/Detroit", now=now)
            for i in range(WALKOUTS):
                offset = timedelta(days=rng.randint(-120, 240), hours=rng.randint(0, 10))
                start = (now + offset).astimezone(zone)
                w = await walkouts_db.create(
                    s,
                    guild_id=guild_id,
                    school=f"School {i:04d}",
                    city=rng.choice(CITIES),
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                    timezone="America/Detroit",
                    meeting_point="Front steps",
                    details="ICE out of our schools. " * rng.randint(1, 20),
                    action_id=None,
                    registrant_id=guild_id + 1 + i % 50,
                    status="scheduled",
                    now=now,
                )
                ids.append(w.id)
    finally:
        await engine.dispose()
    return ids


async def run_process(fake: FakeDiscord, args: list[str], env: dict[str, str], expect: str):
    """Start a bot process and wait until it is connected and has synced ``expect``."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while expect not in {c["name"] for c in fake.commands()}:
        if proc.returncode is not None or loop.time() > deadline:
            err = (await proc.stderr.read()).decode() if proc.stderr else ""
            raise RuntimeError(f"{args} did not start:\n{err[-2000:]}")
        await asyncio.sleep(0.05)
    await fake.wait_ready(timeout=60)
    return proc


async def stop_process(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
    await asyncio.wait_for(proc.wait(), 20)


def base_env(fake: FakeDiscord, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "WALKOUT_"))}
    env.update(
        DISCORD_TOKEN=fake.bot_token,
        DISCORD_API_BASE=fake.api_base,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        WALKOUT_DATA_DIR=str(data_dir),
        WALKOUT_SECRET="bench",
        LOG_LEVEL="WARNING",
    )
    return env


async def bare_phase(fake: FakeDiscord, guild, member, data_dir: Path) -> dict[str, list[float]]:
    env = base_env(fake, data_dir) | {"BENCH_DB": str(data_dir / "floor.sqlite3")}
    proc = await run_process(fake, ["-m", "bench._bare_bot"], env, expect="ping-db")
    try:
        return {
            "ping": await time_calls(lambda _: fake.invoke(guild, member, "ping"), CALLS),
            "ping-db": await time_calls(lambda _: fake.invoke(guild, member, "ping-db"), CALLS),
        }
    finally:
        await stop_process(proc)


async def walkout_phase(fake: FakeDiscord, guild, member, data_dir: Path) -> dict[str, list[float]]:
    now = datetime.now(UTC)
    url = f"sqlite+aiosqlite:///{data_dir / 'bench.sqlite3'}"
    ids = await seed(url, guild.id, now)
    env = base_env(fake, data_dir) | {"DATABASE_URL": url}
    proc = await run_process(fake, ["bot.py"], env, expect="walkout")
    try:
        rng = random.Random(SEED)
        day = (now + timedelta(days=30)).astimezone(ZoneInfo("America/Detroit"))
        texts = [
            f"{day:%b} {day.day} {day.year} 2pm",
            f"{day:%Y-%m-%d} 14:00",
            "next friday 14:00",
            "tomorrow 9am",
            f"{day:%B} {day.day} 10:30am",
        ]
        return {
            "/walkout list": await time_calls(
                lambda i: fake.invoke(
                    guild,
                    member,
                    "walkout list",
                    {"city": CITIES[i % len(CITIES)]} if i % 2 else {},
                ),
                CALLS,
            ),
            "/walkout info": await time_calls(
                lambda _: fake.invoke(
                    guild, member, "walkout info", {"walkout": str(rng.choice(ids))}
                ),
                CALLS,
            ),
            "when autocomplete": await time_calls(
                lambda i: fake.autocomplete(
                    guild,
                    member,
                    "walkout register",
                    {"school": "x", "city": "y", "when": texts[i % len(texts)]},
                    focused="when",
                ),
                CALLS,
            ),
        }
    finally:
        await stop_process(proc)


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


async def run() -> None:
    logging.basicConfig(level=logging.WARNING)
    fake = FakeDiscord()
    await fake.start()
    guild = fake.add_guild(name="Bench", bot_permissions=BOT_PERMS)
    member = fake.add_member(guild, "organizer")
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            before = await bare_phase(fake, guild, member, Path(tmp))
            real = await walkout_phase(fake, guild, member, Path(tmp))
            after = await bare_phase(fake, guild, member, Path(tmp))
    finally:
        await fake.stop()
    if fake.violations:
        print(f"WARNING: {len(fake.violations)} spec violations, first: {fake.violations[0]}")
    bare = before["ping"] + after["ping"]
    floor = before["ping-db"] + after["ping-db"]
    print(
        f"command_latency: {WALKOUTS} walkouts, {CALLS} calls each, commit {commit()}, "
        f"{platform.machine()} x{os.cpu_count()}, Python {platform.python_version()}"
    )
    base_p99 = percentiles(bare)[2]
    print(line("bare discord.py /ping", bare))
    print(line("bare + 1 query (db floor)", floor, base_p99))
    for label, samples in real.items():
        print(line(label, samples, base_p99))
    print(f"(goal: p99 within 1.50x of the bare command; {time.perf_counter() - started:.1f} s)")
