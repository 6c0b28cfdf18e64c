"""Generated reports for the export benchmark and the 100,000-report test: a migrated SQLite
file filled with the stdlib driver in bulk (fixed seed, realistic text lengths, some formula
payloads, Spanish and emoji), one server plus a second server whose rows must never show up."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from db.engine import default_database_url, upgrade_sync

GUILD = 111_111_111_111_111_111
OTHER_GUILD = 222_222_222_222_222_222
SEED = 20270213
START = datetime(2026, 1, 30, 19, 0, tzinfo=UTC)
CITIES = ["Detroit", "Ann Arbor", "Ypsilanti", "Dexter", "Royal Oak", "Los Ángeles", "Tucson"]
ZONES = ["America/Detroit", "America/Los_Angeles", "America/Phoenix", "America/Chicago"]
WORDS = (  # noqa: SIM905
    "we walked out at two and marched to the front steps the principal threatened suspensions "
    "police watched from the corner nobody was hurt salimos juntos y nadie nos detuvo 🙂"
).split()


def _stamp(instant: datetime) -> str:
    """How SQLAlchemy stores an aware UTC datetime in SQLite (naive UTC text)."""
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def generate(directory: Path, reports: int, *, walkouts: int = 200, other: int = 10) -> str:
    """A database at ``directory`` holding ``reports`` reports of :data:`GUILD` (and ``other`` of
    :data:`OTHER_GUILD`); returns its SQLAlchemy URL."""
    url = default_database_url(directory)
    upgrade_sync(url)
    rng = random.Random(SEED)
    path = url.removeprefix("sqlite+aiosqlite:///")
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        created = _stamp(START - timedelta(days=30))
        rows = []
        for i in range(walkouts + 1):
            guild = OTHER_GUILD if i == walkouts else GUILD
            starts = START + timedelta(days=i % 60, hours=i % 5)
            rows.append(
                (
                    i + 1,
                    guild,
                    f"School {i} High",
                    CITIES[i % len(CITIES)],
                    _stamp(starts),
                    _stamp(starts + timedelta(hours=1)),
                    ZONES[i % len(ZONES)],
                    "scheduled",
                    created,
                )
            )
        conn.executemany(
            "INSERT INTO walkouts (id, guild_id, school, city, starts_at, ends_at, timezone, "
            "status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

        def report(n: int, guild: int, walkout: int) -> tuple[object, ...]:
            text = " ".join(rng.choices(WORDS, k=rng.randint(5, 60)))
            if n % 97 == 0:
                text = '=HYPERLINK("http://evil.example","x") ' + text
            named = n % 10 == 0
            return (
                guild,
                walkout,
                f"{n:064x}" if named else None,
                None if named else f"{n:064X}".lower()[::-1],
                rng.randint(0, 2000) if n % 7 else None,
                text,
                rng.randint(0, 31) if n % 3 else None,
                "Two students suspended." if n % 5 == 0 else None,
                "https://example.org/video/" + str(n) if n % 4 == 0 else None,
                _stamp(START + timedelta(days=n % 60, seconds=n)),
            )

        batch = [report(n, GUILD, n % walkouts + 1) for n in range(1, reports + 1)]
        batch += [report(reports + n, OTHER_GUILD, walkouts + 1) for n in range(1, other + 1)]
        conn.executemany(
            "INSERT INTO reports (guild_id, walkout_id, reporter_key, receipt_hash, turnout, "
            "what_happened, repercussions, repercussion_details, media_links, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            batch,
        )
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return url


BASELINE_SQL = (
    "SELECT r.id, r.walkout_id, w.school, w.city, w.timezone, w.starts_at, r.created_at, "
    "r.updated_at, r.reporter_key IS NULL, r.turnout, r.what_happened, r.repercussions, "
    "r.repercussion_details, r.media_links FROM reports r JOIN walkouts w ON w.id = r.walkout_id "
    f"WHERE r.guild_id = {GUILD} ORDER BY r.id"
)
"""The same rows as the export, for ``sqlite3 -csv`` (the baseline)."""
