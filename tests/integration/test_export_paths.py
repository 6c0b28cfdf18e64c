"""The two ways an export reads a SQLite file write the same bytes, and the bytes of the first
export: ``python bot.py export`` reads it with the standard library's driver
(``db/export_sqlite.py``), ``/reports export`` (and the CLI on other databases) through
SQLAlchemy (``db.reports.export_rows``). Hostile text, nulls, every repercussion set, and
instants around the offset changes of zones with odd offsets (``tests/export_oracle.py``),
stored through the models as the bot stores them; another server's rows never show up."""

import argparse
import asyncio
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

import bot
from cogs.reports.export import write_export, write_export_sync
from db import reports as reports_db
from db.engine import Database, create_engine, default_database_url, upgrade
from db.export_sqlite import ExportReader
from db.models import Report, Walkout
from tests import export_oracle as oracle

G1, G2 = 111111111111111111, 222222222222222222
NOW = datetime(2028, 2, 1, 12, 0, tzinfo=UTC)
SINCE = datetime(2027, 3, 1, tzinfo=UTC)


async def seed(url: str) -> None:
    await upgrade(url)
    db = Database(create_engine(url))
    try:
        async with db.begin() as s:
            rows = oracle.rows(count=500)
            walkouts: dict[int, Walkout] = {}
            for n, row in enumerate(rows):
                (_, wid, school, city, zone, starts, submitted, updated, anon, turnout, what,
                 bits, details, links) = row  # fmt: skip
                if wid not in walkouts:
                    walkouts[wid] = Walkout(
                        guild_id=G1,
                        school=school,
                        city=city,
                        timezone=zone,
                        starts_at=starts,
                        ends_at=starts,
                        status="scheduled",
                        created_at=NOW,
                    )
                    s.add(walkouts[wid])
                    await s.flush()
                s.add(
                    Report(
                        guild_id=G1,
                        walkout_id=walkouts[wid].id,
                        receipt_hash=f"{n:064x}" if anon else None,
                        reporter_key=None if anon else "k" * 64,
                        turnout=turnout,
                        what_happened=what,
                        repercussions=bits,
                        repercussion_details=details,
                        media_links=links,
                        created_at=submitted,
                        updated_at=updated,
                    )
                )
                await s.flush()
            other = Walkout(
                guild_id=G2,
                school="Other",
                city="Elsewhere",
                timezone="UTC",
                starts_at=NOW,
                ends_at=NOW,
                status="scheduled",
                created_at=NOW,
            )
            s.add(other)
            await s.flush()
            for i in range(3):
                s.add(
                    Report(
                        guild_id=G2,
                        walkout_id=other.id,
                        receipt_hash=f"{i:064x}".replace("0", "f"),
                        what_happened="OTHER SERVER",
                        created_at=NOW,
                    )
                )
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    url = default_database_url(tmp_path_factory.mktemp("export-paths"))
    asyncio.run(seed(url))
    return url


def oracle_rows(url: str, guild_id: int, since: datetime | None) -> list[tuple]:
    """The rows as the first export read them: through the ORM, instants as aware datetimes."""

    async def read() -> list[tuple]:
        db = Database(create_engine(url))
        try:
            stmt = (
                select(
                    Report.id,
                    Report.walkout_id,
                    Walkout.school,
                    Walkout.city,
                    Walkout.timezone,
                    Walkout.starts_at,
                    Report.created_at,
                    Report.updated_at,
                    Report.reporter_key.is_(None),
                    Report.turnout,
                    Report.what_happened,
                    Report.repercussions,
                    Report.repercussion_details,
                    Report.media_links,
                )
                .join(Walkout, Walkout.id == Report.walkout_id)
                .where(Report.guild_id == guild_id)
                .order_by(Report.id)
            )
            if since is not None:
                stmt = stmt.where(Report.created_at >= since)
            async with db() as s:
                return [tuple(r) for r in (await s.execute(stmt)).all()]
        finally:
            await db.dispose()

    return asyncio.run(read())


def through_sqlalchemy(url: str, fmt: str, guild_id: int, since: datetime | None) -> bytes:
    async def write() -> bytes:
        db = Database(create_engine(url))
        out = io.BytesIO()
        try:
            async with db() as s:
                rows = reports_db.export_rows(s, guild_id, since=since, chunk=37)
                await write_export(fmt, rows, out, exported_at=NOW)
        finally:
            await db.dispose()
        return out.getvalue()

    return asyncio.run(write())


def through_stdlib(url: str, fmt: str, guild_id: int, since: datetime | None) -> bytes:
    from db.urls import sqlite_file

    path = sqlite_file(url)
    assert path is not None
    out = io.BytesIO()
    with ExportReader(path) as reader:
        rows = reader.rows(guild_id, since=since, chunk=37)
        write_export_sync(fmt, rows, out, exported_at=NOW, walkouts=reader.walkout)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("since", [None, SINCE])
def test_both_read_paths_write_the_bytes_of_the_first_export(url, fmt, since):
    rows = oracle_rows(url, G1, since)
    assert 100 < len(rows) <= 500
    expected = oracle.export_bytes(fmt, rows, exported_at=NOW)
    assert through_sqlalchemy(url, fmt, G1, since) == expected
    assert through_stdlib(url, fmt, G1, since) == expected
    assert b"OTHER SERVER" not in expected


def test_the_other_server_sees_only_its_own(url):
    data = through_stdlib(url, "csv", G2, None)
    assert data == through_sqlalchemy(url, "csv", G2, None)
    assert data.count(b"OTHER SERVER") == 3 and data.count(b"\r\n") == 4


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_cli_takes_the_stdlib_path_for_a_sqlite_file_and_sqlalchemy_otherwise(
    url, tmp_path, monkeypatch, fmt
):
    monkeypatch.setattr(bot, "system_clock", lambda: NOW)
    fast, slow = tmp_path / f"fast.{fmt}", tmp_path / f"slow.{fmt}"
    settings = bot.Settings(token=None, database_url=url, data_dir=tmp_path)
    args = argparse.Namespace(guild=G1, format=fmt, since="2027-03-01", out=str(fast))
    assert bot.export_reports(settings, args) == len(oracle_rows(url, G1, SINCE))
    # A query string makes the URL one for SQLAlchemy (db/urls.py): the generic path.
    generic = bot.Settings(token=None, database_url=url + "?timeout=5", data_dir=tmp_path)
    args.out = str(slow)
    assert bot.export_reports(generic, args) == len(oracle_rows(url, G1, SINCE))
    assert fast.read_bytes() == slow.read_bytes()


def test_the_cli_refuses_a_missing_database_without_creating_it(tmp_path):
    missing = tmp_path / "nope" / "walkout-bot.sqlite3"
    settings = bot.Settings(
        token=None, database_url=f"sqlite+aiosqlite:///{missing}", data_dir=tmp_path
    )
    args = argparse.Namespace(guild=G1, format="csv", since=None, out=str(tmp_path / "o.csv"))
    with pytest.raises(bot.ConfigError, match="no database file"):
        bot.export_reports(settings, args)
    assert not missing.parent.exists() and not (tmp_path / "o.csv").exists()


def test_the_cli_refuses_a_file_that_is_no_migrated_database(tmp_path):
    args = argparse.Namespace(guild=G1, format="csv", since=None, out=str(tmp_path / "o.csv"))
    for name, content in (("junk.sqlite3", b"not a database" * 100), ("empty.sqlite3", b"")):
        (tmp_path / name).write_bytes(content)
        url = f"sqlite+aiosqlite:///{tmp_path / name}"
        settings = bot.Settings(token=None, database_url=url, data_dir=tmp_path)
        with pytest.raises(bot.ConfigError, match="cannot read reports"):
            bot.export_reports(settings, args)
        assert not (tmp_path / "o.csv").exists()
