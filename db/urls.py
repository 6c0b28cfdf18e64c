"""Database URLs, without loading SQLAlchemy: the default SQLite file, and the file a plain
SQLite URL names (the operator export reads that file with the standard library's driver)."""

from __future__ import annotations

import re
from pathlib import Path

DATABASE_FILE = "walkout-bot.sqlite3"

# sqlite:///relative/path or sqlite+driver:////absolute/path, nothing after the path.
_PLAIN_SQLITE = re.compile(r"^sqlite(\+[A-Za-z0-9_]+)?:///(?P<path>[^?#%]+)$")


# The databases the bot's statements are written for (see db/sql.py).
BACKENDS = ("sqlite", "postgresql")


def backend_of(url: str) -> str:
    """``"sqlite"`` for ``sqlite+aiosqlite:///…``, ``"postgresql"`` for ``postgresql+asyncpg://…``."""
    return url.strip().split(":", 1)[0].split("+", 1)[0].lower()


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
