"""Command latency through the loopback Discord-compatible server.

Scenario (fixed sizes and seed): one server holding 1,000 walkouts; 200 calls each of
``/walkout list``, ``/walkout info`` and the ``when`` autocomplete of ``/walkout register``,
timed from the moment the fake dispatches INTERACTION_CREATE to the bot's first callback.
Baseline, measured in the same run against the same server: a bare discord.py ``/ping`` that
answers at once (fakediscord.barebot), before and after the walkout-bot phase. Prints p50, p95,
p99 and the p99 ratio to the baseline (goal: within 1.5x).
"""

from __future__ import annotations

import asyncio
import logging
import os
import platform
import random
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import Settings, WalkoutBot, point_discord_at, prepare_database
from cogs.common.clock import FrozenClock
from db import guilds as guilds_db
from db import walkouts as walkouts_db
from fakediscord import FakeDiscord
from fakediscord.barebot import start_bare_bot

WALKOUTS = 1_000
CALLS = 200
WARMUP = 20
SEED = 20270213
NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
BOT_PERMS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 33) | (1 << 44)
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
        text += f"  p99 ratio={p99 / (baseline_p99 * 1000):4.2f}x"
    return text


async def time_calls(make_call, n: int) -> list[float]:
    """Run ``n`` calls one after another; return each one's dispatch-to-first-response time."""
    out: list[float] = []
    for i in range(n + WARMUP):
        itx = await make_call(i)
        first = await itx.first_response(timeout=10)
        if i >= WARMUP:
            out.append(first["elapsed"])
    return out


async def bare_phase(fake: FakeDiscord, guild, member) -> list[float]:
    runner = await start_bare_bot(fake)
    try:
        return await time_calls(lambda _: fake.invoke(guild, member, "ping"), CALLS)
    finally:
        await runner.stop()


async def seed(bot: WalkoutBot, guild_id: int) -> list[int]:
    rng = random.Random(SEED)
    zone = ZoneInfo("America/Detroit")
    ids = []
    async with bot.db.begin() as s:
        await guilds_db.set_timezone(s, guild_id, "America/Detroit", now=NOW)
        for i in range(WALKOUTS):
            start = (
                NOW + timedelta(days=rng.randint(-120, 240), hours=rng.randint(0, 10))
            ).astimezone(zone)
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
            )
            ids.append(w.id)
    return ids


async def walkout_phase(fake: FakeDiscord, guild, member, data_dir: Path) -> dict[str, list[float]]:
    settings = Settings(
        token=fake.bot_token,
        database_url=f"sqlite+aiosqlite:///{data_dir / 'bench.sqlite3'}",
        data_dir=data_dir,
        api_base=fake.api_base,
        gateway_url=fake.gateway_url,
        secret=b"bench",
    )
    point_discord_at(settings.api_base, settings.gateway_url)
    engine, sessionmaker = await prepare_database(settings)
    bot = WalkoutBot(
        settings=settings, engine=engine, sessionmaker=sessionmaker, clock=FrozenClock(NOW)
    )
    task = asyncio.create_task(bot.start(fake.bot_token))
    try:
        await fake.wait_ready(timeout=30)
        await asyncio.wait_for(bot.synced.wait(), 30)
        ids = await seed(bot, guild.id)
        rng = random.Random(SEED)
        texts = [
            "Feb 12 2027 2pm",
            "2027-03-05 14:00",
            "next friday 14:00",
            "tomorrow 9am",
            "Mar 1 10:30am",
        ]
        results = {
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
        await bot.close()
        await asyncio.wait_for(task, 10)
    return results


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


async def run() -> None:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("discord").setLevel(logging.ERROR)
    fake = (
        FakeDiscord(clock=lambda: NOW)
        if "clock" in FakeDiscord.__init__.__code__.co_varnames
        else FakeDiscord()
    )
    await fake.start()
    guild = fake.add_guild(name="Bench", bot_permissions=BOT_PERMS)
    member = fake.add_member(guild, "organizer")
    started = time.perf_counter()
    try:
        bare = await bare_phase(fake, guild, member)
        with tempfile.TemporaryDirectory() as tmp:
            real = await walkout_phase(fake, guild, member, Path(tmp))
        bare += await bare_phase(fake, guild, member)
    finally:
        await fake.stop()
    print(
        f"command_latency: {WALKOUTS} walkouts, {CALLS} calls each, commit {commit()}, "
        f"{platform.machine()} x{os.cpu_count()}, Python {platform.python_version()}"
    )
    base_p99 = percentiles(bare)[2]
    print(line("bare discord.py /ping", bare))
    for label, samples in real.items():
        print(line(label, samples, base_p99))
    print(f"(goal: p99 within 1.50x of the bare command; {time.perf_counter() - started:.1f} s)")
