"""Running ``python bot.py`` as an operator does, for the end-to-end tests that need a real
process: start, stop (SIGTERM), kill (SIGKILL) and read what it printed."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def bot_env(**extra: str) -> dict[str, str]:
    """This process's environment without any DISCORD_/WALKOUT_ settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "WALKOUT_"))}
    env.update(extra)
    return env


async def start_bot(env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "bot.py",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def stop_bot(proc: asyncio.subprocess.Process, *, kill: bool = False) -> str:
    """Stop the process (SIGTERM, or SIGKILL with ``kill``) and return everything it printed."""
    if proc.returncode is None:
        if kill:
            proc.kill()
        else:
            proc.terminate()
    out, _ = await asyncio.wait_for(proc.communicate(), 20)
    return out.decode()


async def run_bot(args: list[str], env: dict[str, str], limit: float = 30) -> tuple[int, str]:
    """Run ``python bot.py args`` to completion; its exit status and output."""
    proc = await start_bot(env, *args)
    out, _ = await asyncio.wait_for(proc.communicate(), limit)
    return proc.returncode or 0, out.decode()
