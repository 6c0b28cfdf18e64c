"""The export's rows read straight from a SQLite file with the standard library's driver.

For ``python bot.py export`` on SQLite, which needs neither SQLAlchemy nor an event loop: the
same rows as :func:`db.reports.export_query` (scoped to the server, ``since`` on the submission
time, oldest first), read-only, in one snapshot, a chunk at a time (memory stays flat). The
walkouts' own columns are not repeated on every row: rows carry None there, and
:meth:`ExportReader.walkout` gives them once per walkout (the formatter caches them).
Instants are the stored text, naive UTC (``db/types.py``). Importing this module loads neither
SQLAlchemy nor anything of Discord.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

# db.reports.EXPORT_COLUMNS, with the walkout's own columns (school, city, timezone, start)
# left to ExportReader.walkout. The join keeps the query's meaning: a report whose walkout is
# missing is not exported.
_ROWS = (
    "SELECT r.id, r.walkout_id, NULL, NULL, NULL, NULL, r.created_at, r.updated_at, "
    "r.reporter_key IS NULL, r.turnout, r.what_happened, r.repercussions, "
    "r.repercussion_details, r.media_links "
    "FROM reports r JOIN walkouts w ON w.id = r.walkout_id WHERE {where} ORDER BY r.id"
)
_COUNT = "SELECT count(*) FROM reports r WHERE {where}"
_WALKOUT = "SELECT school, city, timezone, starts_at FROM walkouts WHERE id = ?"
_WALKOUTS = "SELECT id, school, city, timezone, starts_at FROM walkouts WHERE guild_id = ?"


def stored_instant(instant: datetime) -> str:
    """How an aware datetime is stored in SQLite (``db/types.py``: naive UTC, microseconds),
    so that comparing with stored text compares instants."""
    naive = instant.astimezone(UTC).replace(tzinfo=None)
    return naive.isoformat(sep=" ", timespec="microseconds")


class ExportSourceError(Exception):
    """The file cannot be exported from: missing, not a database, or not migrated."""


class ExportReader:
    """One read-only snapshot of the database file for one export."""

    def __init__(self, path: Path, *, timeout: float = 5.0) -> None:
        if not path.is_file():
            raise ExportSourceError(f"no database file at {path}")
        uri = f"file:{quote(str(path.resolve()))}?mode=ro"
        self._conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
        try:
            self._conn.execute("BEGIN")  # one snapshot: the count, the walkouts and the rows agree
            self._conn.execute("SELECT 1 FROM reports JOIN walkouts LIMIT 0").fetchall()
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise ExportSourceError(f"cannot read reports from {path}: {exc}") from None
        self._walkouts: dict[int, tuple[Any, ...]] = {}

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> ExportReader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @staticmethod
    def _where(
        guild_id: int, walkout_id: int | None, since: datetime | None
    ) -> tuple[str, list[Any]]:
        where: list[str] = ["r.guild_id = ?"]
        params: list[Any] = [guild_id]
        if walkout_id is not None:
            where.append("r.walkout_id = ?")
            params.append(walkout_id)
        if since is not None:
            where.append("r.created_at >= ?")
            params.append(stored_instant(since))
        return " AND ".join(where), params

    def count(
        self, guild_id: int, *, walkout_id: int | None = None, since: datetime | None = None
    ) -> int:
        where, params = self._where(guild_id, walkout_id, since)
        return int(self._conn.execute(_COUNT.format(where=where), params).fetchone()[0])

    def walkout(self, walkout_id: int) -> tuple[Any, ...]:
        """A walkout's (school, city, timezone, starts_at)."""
        found = self._walkouts.get(walkout_id)
        if found is None:
            row = self._conn.execute(_WALKOUT, (walkout_id,)).fetchone()
            if row is None:  # gone meanwhile? not in this snapshot: the join saw it
                raise LookupError(f"walkout {walkout_id} not found")
            found = self._walkouts[walkout_id] = tuple(row)
        return found

    def rows(
        self,
        guild_id: int,
        *,
        walkout_id: int | None = None,
        since: datetime | None = None,
        chunk: int = 1000,
    ) -> Iterator[list[tuple[Any, ...]]]:
        """The export's rows, ``chunk`` at a time, with None for the walkout's own columns."""
        for wid, *columns in self._conn.execute(_WALKOUTS, (guild_id,)):
            self._walkouts[wid] = tuple(columns)
        where, params = self._where(guild_id, walkout_id, since)
        cursor = self._conn.execute(_ROWS.format(where=where), params)
        while part := cursor.fetchmany(chunk):
            yield part
