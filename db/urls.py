"""Database URLs, without loading SQLAlchemy: the default SQLite file, and the file a plain
SQLite URL names (the operator export reads that file with the standard library's driver)."""

from __future__ import annotations

import re
from pathlib import Path

DATABASE_FILE = "walkout-bot.sqlite3"

# sqlite:///relative/path or sqlite+driver:////absolute/path, nothing after the path.
_PLAIN_SQLITE = re.compile(r"^sqlite(\+[A-Za-z0-9_]+)?:///(?P<path>[^?#%]+)$")


# The databases the bot's statements are written for (see db/sql.py), each with its asyncio
# driver (the bot runs on an event loop).
DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}
_ALIASES = {"postgres": "postgresql"}


class DatabaseUrlError(ValueError):
    """A database URL the bot cannot use; the message says what to write instead."""


def async_database_url(url: str) -> str:
    """``url`` with the asyncio driver spelled out: ``sqlite:///x`` -> ``sqlite+aiosqlite:///x``,
    ``postgres://…`` or ``postgresql://…`` -> ``postgresql+asyncpg://…``. Another database, or
    another driver, is a :class:`DatabaseUrlError`."""
    url = url.strip()
    scheme, sep, rest = url.partition(":")
    if not sep:
        raise DatabaseUrlError(f"not a database URL: {url!r}")
    backend, _, driver = scheme.lower().partition("+")
    backend = _ALIASES.get(backend, backend)
    wanted = DRIVERS.get(backend)
    if wanted is None:
        raise DatabaseUrlError(
            "must name SQLite (sqlite+aiosqlite:///path) or PostgreSQL "
            f"(postgresql+asyncpg://...), got {backend!r}"
        )
    if driver and driver != wanted:
        raise DatabaseUrlError(
            f"{backend} is used through {wanted} ({backend}+{wanted}://...), not {driver!r}"
        )
    return f"{backend}+{wanted}:{rest}"


def default_database_url(data_dir: Path) -> str:
    """The SQLite file the bot uses when no database URL is configured."""
    return f"sqlite+aiosqlite:///{Path(data_dir) / DATABASE_FILE}"


def sqlite_file(url: str) -> Path | None:
    """The file of a plain SQLite URL (``sqlite[+driver]:///path``, read as SQLAlchemy reads
    it), or None for every other URL: other databases, in-memory and ``file:`` URIs, URLs with a
    query string or percent-escapes (those go through SQLAlchemy)."""
    match = _PLAIN_SQLITE.match(url.strip())
    if match is None:
        return None
    path = match["path"]
    if path == ":memory:" or path.startswith("file:"):
        return None
    return Path(path)
