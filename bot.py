"""walkout-bot: settings, logging, start-up and the operator command line.

    python bot.py                 run the bot (same as ``python bot.py run``)
    python bot.py db upgrade      apply database migrations and exit
    python bot.py content check   validate messages and snippets and exit
    python bot.py export ...      stream a server's reports to a CSV or JSON file

Configuration comes from the environment or a ``.env`` file: DISCORD_TOKEN (required to run),
DATABASE_URL, DISCORD_GUILD_ID, DISCORD_API_BASE, DISCORD_GATEWAY_URL, LOG_LEVEL, WALKOUT_DATA_DIR,
WALKOUT_SECRET, DISCORD_SHARD_ID/DISCORD_SHARD_COUNT, WALKOUT_CLAIM_LEASE. See README.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import re
import secrets
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from core.clock import Clock, system_clock
from core.pseudonym import Keyring, KeyringError

if TYPE_CHECKING:
    from cogs.client import WalkoutBot as WalkoutBot  # re-exported through __getattr__
    from cogs.client import intents as intents
    from cogs.client import point_discord_at as point_discord_at
    from cogs.common.services import Services
    from db.engine import Database

# The operator commands (export, db, content check, --help) load only what they use: discord.py,
# aiohttp, the cogs and APScheduler are imported by the run path alone, Alembic by migrations.
_CLIENT_NAMES = ("WalkoutBot", "intents", "point_discord_at")


def __getattr__(name: str) -> Any:
    """``from bot import WalkoutBot`` (and ``intents``, ``point_discord_at``) still works: they
    live in ``cogs/client.py`` and load on first use (PEP 562)."""
    if name in _CLIENT_NAMES:
        import cogs.client

        return getattr(cogs.client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


log = logging.getLogger("walkout")

ROOT = Path(__file__).resolve().parent
EXIT_CONFIG = 2
TOKEN_HELP = (
    "walkout-bot needs a bot token: create an application at "
    "https://discord.com/developers/applications, open Bot > Reset Token, and put it in "
    "DISCORD_TOKEN (environment or a .env file next to bot.py). See README.md, 'Create the bot'."
)
# Discord bot tokens are three base64url parts joined by dots.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(Exception):
    """Configuration the operator must fix; printed as one line, exit status 2."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment, validated once at start-up."""

    token: str | None
    database_url: str
    data_dir: Path
    guild_id: int | None = None
    api_base: str | None = None
    gateway_url: str | None = None
    log_level: str = "INFO"
    secret: bytes = field(default=b"", repr=False)
    secret_file: Path | None = None  # where the secret was read from, if from a file
    shard_id: int | None = None
    shard_count: int | None = None
    claim_lease: float = 15.0

    def require_token(self) -> str:
        if not self.token:
            raise ConfigError(TOKEN_HELP)
        if not TOKEN_RE.match(self.token):
            raise ConfigError("DISCORD_TOKEN does not look like a bot token. " + TOKEN_HELP)
        return self.token


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``env`` (default: the process environment after loading ``.env``)."""
    if env is None:
        from dotenv import load_dotenv

        load_dotenv(ROOT / ".env", override=False)
        env = os.environ
    from db.urls import DatabaseUrlError, async_database_url, default_database_url

    data_dir = Path(env.get("WALKOUT_DATA_DIR") or ROOT / "data")
    guild_raw = (env.get("DISCORD_GUILD_ID") or "").strip()
    if guild_raw and not guild_raw.isdigit():
        raise ConfigError(f"DISCORD_GUILD_ID must be a server id (digits), got {guild_raw!r}")
    level = (env.get("LOG_LEVEL") or "INFO").strip().upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {level!r}")
    shard_id, shard_count = _shards(env)
    lease_raw = (env.get("WALKOUT_CLAIM_LEASE") or "15").strip()
    try:
        claim_lease = float(lease_raw)
    except ValueError:
        claim_lease = -1.0
    if not 1.0 <= claim_lease <= 600.0:
        raise ConfigError(f"WALKOUT_CLAIM_LEASE must be 1 to 600 seconds, got {lease_raw!r}")
    secret = (env.get("WALKOUT_SECRET") or "").strip()
    if secret:
        try:
            Keyring.parse(secret)
        except KeyringError as exc:
            raise ConfigError(f"WALKOUT_SECRET: {exc}") from None
    try:
        database_url = async_database_url(
            (env.get("DATABASE_URL") or "").strip() or default_database_url(data_dir)
        )
    except DatabaseUrlError as exc:
        raise ConfigError(f"DATABASE_URL {exc}") from None
    if database_url.startswith("postgresql+") and importlib.util.find_spec("asyncpg") is None:
        raise ConfigError(
            "DATABASE_URL names PostgreSQL, whose driver is not installed: "
            ".venv/bin/pip install -e '.[postgresql]' (README.md, 'Configuration')"
        )
    api_base = (env.get("DISCORD_API_BASE") or "").strip().rstrip("/") or None
    gateway = (env.get("DISCORD_GATEWAY_URL") or "").strip() or None
    for name, value in (("DISCORD_API_BASE", api_base), ("DISCORD_GATEWAY_URL", gateway)):
        if value and not re.match(r"^(https?|wss?)://", value):
            raise ConfigError(f"{name} must be an http(s):// or ws(s):// URL, got {value!r}")
    return Settings(
        token=(env.get("DISCORD_TOKEN") or "").strip() or None,
        database_url=database_url,
        data_dir=data_dir,
        guild_id=int(guild_raw) if guild_raw else None,
        api_base=api_base,
        gateway_url=gateway,
        log_level=level,
        secret=secret.encode(),
        shard_id=shard_id,
        shard_count=shard_count,
        claim_lease=claim_lease,
    )


def _shards(env: Mapping[str, str]) -> tuple[int | None, int | None]:
    """DISCORD_SHARD_ID and DISCORD_SHARD_COUNT: both or neither, 0 <= id < count."""
    raw_id = (env.get("DISCORD_SHARD_ID") or "").strip()
    raw_count = (env.get("DISCORD_SHARD_COUNT") or "").strip()
    if not raw_id and not raw_count:
        return None, None
    if not (raw_id.isdigit() and raw_count.isdigit()):
        raise ConfigError("DISCORD_SHARD_ID and DISCORD_SHARD_COUNT must both be set, as numbers")
    shard_id, shard_count = int(raw_id), int(raw_count)
    if not 0 <= shard_id < shard_count:
        raise ConfigError(f"DISCORD_SHARD_ID must be 0 to {shard_count - 1}, got {shard_id}")
    return shard_id, shard_count


def with_secret(settings: Settings) -> Settings:
    """Settings with the pseudonym key: WALKOUT_SECRET, else a random one kept in the data dir
    (created on first run, readable by the owner only)."""
    if settings.secret:
        return settings
    path = settings.data_dir / "secret.key"
    return replace(settings, secret=_data_dir_secret(settings.data_dir), secret_file=path)


def secret_next_to_database(settings: Settings) -> Path | None:
    """The key file, when the pseudonym key was read from a file in the same folder as the
    SQLite database: whoever copies that folder (a backup, a seized disk) holds both the hashes
    and the key that links them to members. None when the key lives elsewhere."""
    from sqlalchemy.engine import make_url

    if settings.secret_file is None:
        return None
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if Path(url.database).resolve().parent == settings.secret_file.resolve().parent:
        return settings.secret_file
    return None


def _data_dir_secret(data_dir: Path) -> bytes:
    path = data_dir / "secret.key"
    if path.exists():
        return path.read_bytes().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


def warn_about_secret(settings: Settings) -> None:
    """Start-up warning: the pseudonym key should not sit next to the database (README.md,
    "Configuration")."""
    key_file = secret_next_to_database(settings)
    if key_file is not None:
        log.warning(
            "the pseudonym key %s sits next to the database: anyone with a copy of that folder "
            "can link RSVPs and named reports to members. Set WALKOUT_SECRET from somewhere "
            "else (see README.md, Configuration).",
            key_file,
        )


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("discord").setLevel(max(logging.getLevelName(level), logging.INFO))
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    # aiosqlite logs every call with its parameters (typed text, user ids) at DEBUG.
    logging.getLogger("aiosqlite").setLevel(max(logging.getLevelName(level), logging.INFO))


async def prepare_database(settings: Settings) -> Database:
    """Apply migrations, then open the database the bot uses."""
    from db.engine import Database, create_engine, upgrade

    await upgrade(settings.database_url)
    return Database(create_engine(settings.database_url))


def build_services(settings: Settings, db: Database, *, clock: Clock = system_clock) -> Services:
    """The one object every cog receives (see ``cogs/common/services.py``)."""
    from cogs.common.services import Services
    from db.reminders import Shards

    shards = None
    if settings.shard_count and settings.shard_count > 1 and settings.shard_id is not None:
        shards = Shards(ids=(settings.shard_id,), count=settings.shard_count)
    return Services.create(
        db,
        clock=clock,
        secret=settings.secret,
        shards=shards,
        claim_lease=timedelta(seconds=settings.claim_lease),
    )


def check_content() -> list[str]:
    """Every problem in the shipped messages and snippets (empty = healthy)."""
    from messages import load_catalogs, problems

    found = problems(load_catalogs())
    try:
        from messages.snippets import snippet_problems
    except ImportError:  # snippets not shipped in this build
        return found
    return found + snippet_problems()


def content_warnings(today: date) -> list[str]:
    """What works but needs attention on ``today``: snippets due for review (not an error)."""
    try:
        from messages.snippets import snippet_warnings
    except ImportError:  # snippets not shipped in this build
        return []
    return snippet_warnings(today=today)


async def run_bot(settings: Settings) -> int:
    import discord

    from cogs.client import WalkoutBot, point_discord_at

    token = settings.require_token()
    content = check_content()
    if content:
        for line in content:
            log.error("content: %s", line)
        log.error("refusing to start: fix the content above (python bot.py content check)")
        return EXIT_CONFIG
    for line in content_warnings(system_clock().date()):
        log.warning("content: %s", line)
    settings = with_secret(settings)
    warn_about_secret(settings)
    point_discord_at(settings.api_base, settings.gateway_url)
    db = await prepare_database(settings)
    bot = WalkoutBot(settings=settings, services=build_services(settings, db))
    try:
        async with bot:
            await bot.start(token)
    except discord.LoginFailure:
        log.error("Discord refused the token. %s", TOKEN_HELP)
        return EXIT_CONFIG
    except discord.PrivilegedIntentsRequired:
        log.error("Discord refused the intents; this bot needs no privileged intents.")
        return EXIT_CONFIG
    return 0


def export_reports(settings: Settings, args: argparse.Namespace) -> int:
    """``python bot.py export``: stream the server's reports into ``--out``; memory stays flat
    in the number of rows (read and written a chunk at a time). A progress bar on a terminal
    (rich, on standard error), none when piped. Returns how many reports were written.

    A SQLite file is read with the standard library's driver, read-only (no SQLAlchemy, no event
    loop: ``db/export_sqlite.py``); any other database through SQLAlchemy, as the bot reads it.
    Both write the same bytes (a test checks)."""
    from db.urls import sqlite_file

    since = None
    if args.since:
        try:
            since = datetime.strptime(args.since, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise ConfigError(
                f"--since must be a date like 2027-02-01, got {args.since!r}"
            ) from None
    path = sqlite_file(settings.database_url)
    if path is None:
        import asyncio

        return asyncio.run(_export_through_sqlalchemy(settings, args, since))
    from cogs.reports.export import write_export_sync
    from db.export_sqlite import ExportReader, ExportSourceError

    try:
        reader = ExportReader(path)
    except ExportSourceError as exc:
        raise ConfigError(f"{exc} (DATABASE_URL)") from None
    total = partial(reader.count, args.guild, since=since)
    with reader, _export_out(args.out) as out, _progress(total) as progress:
        return write_export_sync(
            args.format,
            reader.rows(args.guild, since=since),
            out,
            exported_at=system_clock(),
            progress=progress,
            walkouts=reader.walkout,
        )


async def _export_through_sqlalchemy(
    settings: Settings, args: argparse.Namespace, since: datetime | None
) -> int:
    from cogs.reports.export import write_export
    from db import reports as reports_db
    from db.engine import Database, create_engine

    db = Database(create_engine(settings.database_url))
    try:
        total = 0
        if sys.stderr.isatty():
            async with db() as s:
                total = await reports_db.count_for_export(s, args.guild, since=since)
        with _export_out(args.out) as out, _progress(lambda: total) as progress:
            async with db() as s:
                rows = reports_db.export_rows(s, args.guild, since=since)
                return await write_export(
                    args.format, rows, out, exported_at=system_clock(), progress=progress
                )
    finally:
        await db.dispose()


def keep_freed_heap() -> None:
    """For a short-lived process that streams (the export): glibc gives freed heap back to the
    kernel whenever 128 KiB lie free at its top, and maps big blocks afresh each time, so every
    chunk of rows was paged in anew (some 130,000 page faults, a third of the time, for 100,000
    reports). Keep up to 64 MiB of freed heap instead; the peak stays what the chunks need.
    Nothing happens on other C libraries."""
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return
    except (ValueError, OSError):  # not glibc
        return
    import ctypes

    mallopt = ctypes.CDLL(None).mallopt
    mallopt(-1, 64 << 20)  # M_TRIM_THRESHOLD
    mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: fixed, which also stops glibc adjusting both


@contextmanager
def _export_out(name: str) -> Iterator[BinaryIO]:
    """The export's file (``-``: standard output, left open). A new file is readable by its
    owner only (reports by minors about police and ICE); an existing file keeps its mode."""
    if name == "-":
        yield sys.stdout.buffer
        return
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        yield out


@contextmanager
def _progress(total: Callable[[], int]) -> Iterator[Callable[[int], object] | None]:
    """A rich progress bar on standard error when it is a terminal (``total()`` is asked only
    then); None when piped."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task("exporting reports", total=total())
        yield lambda n: bar.advance(task, n)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python bot.py",
        description="walkout-bot: organizer toolkit for student walkouts, on Discord.",
        epilog="Configuration: environment variables or .env (see README.md).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="connect to Discord and serve commands (the default)")
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("upgrade", help="apply all migrations (also done at start-up)")
    down = db_sub.add_parser("downgrade", help="revert migrations to a revision")
    down.add_argument("revision", help="target revision, e.g. -1 or base")
    export = sub.add_parser(
        "export",
        help="write a server's reports to a file (CSV or JSON), streaming",
        description="Stream one server's reports to a file, for servers whose export is too big "
        "for Discord. The file carries nothing that identifies a reporter; keep it safe anyway.",
    )
    export.add_argument("--guild", required=True, type=int, help="the server (guild) id")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--since", help="only reports sent on or after this UTC date (YYYY-MM-DD)")
    export.add_argument("--out", required=True, help="the file to write ('-': standard output)")
    content = sub.add_parser("content", help="message catalogs and snippets")
    content_sub = content.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    content_sub.add_parser("check", help="validate catalogs and snippets, list every problem")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    setup_logging(settings.log_level)
    try:
        if args.command == "db":
            import asyncio  # here, not at the top: only some commands run an event loop

            from db.engine import downgrade, upgrade

            if args.db_command == "upgrade":
                asyncio.run(upgrade(settings.database_url))
                print("database is at the latest revision")
            else:
                asyncio.run(downgrade(settings.database_url, args.revision))
                print(f"database downgraded to {args.revision}")
            return 0
        if args.command == "export":
            keep_freed_heap()
            count = export_reports(settings, args)
            print(f"exported {count} report(s)", file=sys.stderr)
            return 0
        if args.command == "content":
            found = check_content()
            warnings = content_warnings(system_clock().date())
            for line in found:
                print(line)
            for line in warnings:
                print(f"warning: {line}")
            summary = f"{len(found)} problem(s)" if found else "content ok"
            print(summary + (f" ({len(warnings)} warning(s))" if warnings else ""))
            return 0 if not found else 1
        import asyncio

        return asyncio.run(run_bot(settings))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
