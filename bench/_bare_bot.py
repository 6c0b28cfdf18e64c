"""The baseline bot for bench/command_latency.py, run as its own process like the real bot.

``python -m bench._bare_bot`` with DISCORD_TOKEN, DISCORD_API_BASE, DISCORD_GATEWAY_URL and
BENCH_DB (a SQLite file). Commands: fakediscord's bare ``/ping`` (answers at once) plus
``/ping-db``, which first runs one trivial query through the same stack the real bot uses
(SQLAlchemy async session over aiosqlite on a WAL SQLite file): the database driver's floor.
"""

from __future__ import annotations

import asyncio
import os

import discord
import yarl
from discord.gateway import DiscordWebSocket
from sqlalchemy import text

from db.engine import create_engine, create_sessionmaker
from fakediscord.barebot import build_bare_bot


async def main() -> None:
    discord.http.Route.BASE = os.environ["DISCORD_API_BASE"]
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])
    engine = create_engine(f"sqlite+aiosqlite:///{os.environ['BENCH_DB']}")
    sessions = create_sessionmaker(engine)
    bot = build_bare_bot()

    @bot.tree.command(name="ping-db", description="One trivial query, then answer")
    async def ping_db(itx: discord.Interaction) -> None:
        async with sessions() as s:
            await s.execute(text("SELECT 1"))
        await itx.response.send_message("pong")

    try:
        async with bot:
            await bot.start(os.environ["DISCORD_TOKEN"])
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
