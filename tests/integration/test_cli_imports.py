"""The operator commands load only what they use: ``python bot.py export``, ``db``,
``content check`` and ``--help`` never import discord.py, aiohttp, APScheduler or the cogs'
Discord glue (nor Alembic, except for migrations), so they start in a fraction of the bot's
start-up time. The export of a SQLite file loads neither SQLAlchemy nor an event loop, and rich
only on a terminal."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.report_data import GUILD, generate

ROOT = Path(__file__).resolve().parents[2]
DISCORD = {"discord", "aiohttp", "apscheduler", "yarl", "dateparser", "matplotlib"}
# On a SQLite file the export reads it with the standard library's driver.
NOT_FOR_EXPORT = {"alembic", "sqlalchemy", "aiosqlite", "asyncio", "rich", "yaml"}
PROBE = """
import json, sys
import bot
try:
    status = bot.main(sys.argv[1:])
except SystemExit as exc:  # --help
    status = exc.code
print("\\nLOADED " + json.dumps([status, sorted({m.split(".")[0] for m in sys.modules})]))
"""


def loaded(args: list[str], env: dict[str, str]) -> tuple[int, set[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    line = proc.stdout.rsplit("LOADED ", 1)[-1]
    status, modules = json.loads(line)
    return status, set(modules)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    data = tmp_path_factory.mktemp("cli-imports")
    url = generate(data, 20)
    return {"WALKOUT_DATA_DIR": str(data), "DATABASE_URL": url, "WALKOUT_SECRET": "x"}


@pytest.mark.parametrize(
    ("args", "also_absent"),
    [
        (["--help"], {"sqlalchemy", "alembic", "cogs"}),
        (["content", "check"], {"sqlalchemy", "alembic"}),
        (["db", "upgrade"], {"cogs"}),
        (["export", "--guild", str(GUILD), "--format", "csv", "--out", "-"], NOT_FOR_EXPORT),
        (["export", "--guild", str(GUILD), "--format", "json", "--out", "-"], NOT_FOR_EXPORT),
    ],
)
def test_operator_commands_import_no_discord(env, args, also_absent):
    status, modules = loaded(args, env)
    assert status in (0, None)
    assert modules & (DISCORD | also_absent) == set()
