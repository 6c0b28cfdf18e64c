"""Engine set-up and migrations, on each backend (SQLite, and PostgreSQL when configured)."""

import asyncio
import traceback
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, make_url

from db.engine import (
    MIGRATIONS_DIR,
    alembic_config,
    create_engine,
    default_database_url,
    downgrade,
    downgrade_sync,
    upgrade,
    upgrade_sync,
)
from db.models import Base

TABLES = set(Base.metadata.tables)


def head_revision(url: str) -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def schema_diff(conn: Connection) -> list:
    ctx = MigrationContext.configure(conn, opts={"compare_type": True})
    return compare_metadata(ctx, Base.metadata)


def table_names(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def test_default_database_url(tmp_path: Path):
    """The default URL points at walkout-bot.sqlite3 inside the data dir."""
    url = default_database_url(tmp_path)
    assert url == f"sqlite+aiosqlite:///{tmp_path}/walkout-bot.sqlite3"


async def test_migrations_round_trip(db_url):
    """empty -> head matches the models -> base drops everything -> head again."""
    engine = create_engine(db_url)
    try:
        await upgrade(db_url)
        async with engine.connect() as conn:
            assert await conn.run_sync(current_revision) == head_revision(db_url)
            assert await conn.run_sync(table_names) == TABLES | {"alembic_version"}
            assert await conn.run_sync(schema_diff) == []

        await downgrade(db_url, "base")
        async with engine.connect() as conn:
            assert await conn.run_sync(table_names) == {"alembic_version"}
            assert await conn.run_sync(current_revision) is None

        await upgrade(db_url)
        async with engine.connect() as conn:
            assert await conn.run_sync(schema_diff) == []
            shipped = await conn.scalar(text("SELECT count(*) FROM national_actions"))
            assert shipped == 1
    finally:
        await engine.dispose()


# What the reviewed (never edited) first revision creates.
TABLES_0001 = {"guild_settings", "national_actions", "walkouts", "rsvps"}


def schema_state(url: str) -> tuple[str | None, set[str]]:
    """(Alembic revision, tables) of the database behind ``url``, read outside any event loop of
    the caller: a blocking engine on SQLite, the async engine in a thread of its own otherwise."""
    if make_url(url).get_backend_name() == "sqlite":
        engine = sa.create_engine(make_url(url).set(drivername="sqlite"))
        try:
            with engine.connect() as conn:
                return current_revision(conn), table_names(conn)
        finally:
            engine.dispose()

    async def read() -> tuple[str | None, set[str]]:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(lambda c: (current_revision(c), table_names(c)))
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, read()).result()


def test_sync_api_outside_a_loop(db_url):
    """upgrade_sync/downgrade_sync work from plain synchronous code and are idempotent."""
    head = (head_revision(db_url), TABLES | {"alembic_version"})
    upgrade_sync(db_url)
    assert schema_state(db_url) == head
    upgrade_sync(db_url)
    assert schema_state(db_url) == head
    downgrade_sync(db_url, "base")
    assert schema_state(db_url) == (None, {"alembic_version"})
    upgrade_sync(db_url, "0001")
    assert schema_state(db_url) == ("0001", TABLES_0001 | {"alembic_version"})


async def test_sync_api_inside_a_loop(db_url):
    """upgrade_sync still works (blocking) when called on a thread running an event loop."""
    asyncio.get_running_loop()  # the premise: this thread runs a loop
    upgrade_sync(db_url)
    assert schema_state(db_url) == (head_revision(db_url), TABLES | {"alembic_version"})
    downgrade_sync(db_url, "base")
    assert schema_state(db_url) == (None, {"alembic_version"})


def test_creates_missing_data_dir(tmp_path: Path):
    """A SQLite URL whose folder doesn't exist yet gets the folder created."""
    url = default_database_url(tmp_path / "a" / "b")
    upgrade_sync(url)
    assert (tmp_path / "a" / "b" / "walkout-bot.sqlite3").is_file()


@pytest.mark.sqlite_only("SQLite pragmas")
async def test_pragmas(engine):
    """Every app connection runs in WAL with foreign keys on and a busy timeout."""
    async with engine.connect() as conn:
        assert await conn.scalar(text("PRAGMA journal_mode")) == "wal"
        assert await conn.scalar(text("PRAGMA foreign_keys")) == 1
        assert await conn.scalar(text("PRAGMA busy_timeout")) == 5000
        assert await conn.scalar(text("PRAGMA synchronous")) == 1  # NORMAL


async def test_lower_is_unicode_aware(engine):
    """lower() folds non-ASCII letters on SQLite, as it does on PostgreSQL."""
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT lower('JUÁREZ Ñ')")) == "juárez ñ"


async def test_shipped_action_present(engine):
    """The migration ships the national action with no guild."""
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text("SELECT guild_id, name, local_date, local_time FROM national_actions")
            )
        ).all()
    assert len(rows) == 1
    guild_id, name, local_date, local_time = rows[0]
    assert guild_id is None
    assert name == "Walk out and turn up the heat on ICE"
    # Raw SQL: text on SQLite, date and time objects on PostgreSQL.
    assert str(local_date) == "2026-02-13"
    assert str(local_time).startswith("14:00:00")


async def test_failed_revision_rolls_back(tmp_path: Path, db_url):
    """A revision that fails half-way leaves the database untouched (transactional DDL)."""
    scripts = tmp_path / "migrations"
    versions = scripts / "versions"
    versions.mkdir(parents=True)
    (scripts / "env.py").write_text((MIGRATIONS_DIR / "env.py").read_text())
    (scripts / "script.py.mako").write_text((MIGRATIONS_DIR / "script.py.mako").read_text())
    initial = MIGRATIONS_DIR / "versions" / "0001_initial.py"
    (versions / "0001_initial.py").write_text(initial.read_text())
    (versions / "0002_broken.py").write_text(
        "import sqlalchemy as sa\nfrom alembic import op\n"
        "revision = '0002'\ndown_revision = '0001'\nbranch_labels = depends_on = None\n"
        "def upgrade():\n"
        "    op.create_table('scratch', sa.Column('id', sa.Integer, primary_key=True))\n"
        "    op.execute('SELECT * FROM no_such_table')\n"
        "def downgrade():\n    pass\n"
    )
    url = db_url
    upgrade_sync(url, "0001")

    config = alembic_config(url)
    config.set_main_option("script_location", str(scripts))
    with pytest.raises(Exception, match="no_such_table"):
        await asyncio.to_thread(command.upgrade, config, "head")

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            assert "scratch" not in await conn.run_sync(table_names)
            assert await conn.run_sync(current_revision) == "0001"
    finally:
        await engine.dispose()


async def test_database_errors_do_not_carry_typed_values(sessionmaker):
    """A failing statement's error (which ends up in logs) shows no parameter values."""
    from sqlalchemy.exc import IntegrityError

    from db.models import GuildSettings

    async with sessionmaker() as s:
        now = datetime(2026, 1, 1, tzinfo=UTC)
        s.add(GuildSettings(guild_id=1, timezone="secret-zone-text", created_at=now))
        await s.commit()
        s.add(GuildSettings(guild_id=1, timezone="secret-zone-text", created_at=now))
        with pytest.raises(IntegrityError) as info:
            await s.commit()
    assert "secret-zone-text" not in str(info.value)
    assert "hidden due to hide_parameters" in str(info.value)


async def test_0006_leaves_a_republish_job_only_when_announcements_were_posted(tmp_path):
    """Announcements posted before 0006 named their registrant: the migration asks the bot to
    re-render them; a database with nothing posted gets no job."""
    import sqlite3

    for posted, expected in ((True, [("republish", "0006")]), (False, [])):
        url = default_database_url(tmp_path / f"posted-{posted}")
        await upgrade(url, "0005")
        path = url.split("///", 1)[1]
        with sqlite3.connect(path) as conn:
            conn.execute(
                "INSERT INTO walkouts (guild_id, school, city, starts_at, ends_at, timezone, "
                "status, message_id, channel_id, created_at) VALUES (1, 's', 'c', "
                "'2027-01-01 00:00:00', '2027-01-01 01:00:00', 'UTC', 'scheduled', ?, 2, "
                "'2026-01-01 00:00:00')",
                (3 if posted else None,),
            )
        await upgrade(url)
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT key, value FROM maintenance").fetchall() == expected


SECRET_ID = 1_234_567_890_123_456_789  # a member's id, as a registrant


def refused_rows() -> dict[str, list]:
    """Rows each backend refuses, each carrying values a log must never show."""
    from db.models import GuildSnippet, Rsvp, Walkout

    now = datetime(2026, 1, 1, tzinfo=UTC)
    walkout = {
        "guild_id": 1,
        "school": "secret-school-text",
        "city": "secret-city-text",
        "starts_at": now,
        "ends_at": now,
        "timezone": "UTC",
        "registrant_id": SECRET_ID,
        "created_at": now,
    }
    snippet = {
        "guild_id": 1,
        "slug": "secret-slug-text",
        "kind": "rights",
        "lang": "en",
        "title": "secret-title-text",
        "body": "b",
        "source": "s",
        "created_at": now,
    }
    return {
        # CHECK: PostgreSQL's DETAIL repeats the whole row ("Failing row contains (...)").
        "check": [Walkout(**walkout, status="secret-status")],
        # UNIQUE: its DETAIL names the key ("Key (guild_id, slug)=(...) already exists").
        "unique": [GuildSnippet(**snippet), GuildSnippet(**snippet)],
        # A value the column can't hold: asyncpg's message quotes it; SQLite fails the FK.
        "out of range": [Rsvp(walkout_id=3_000_000_001, member_key="secret-key-text")],
    }


@pytest.mark.parametrize("kind", ["check", "unique", "out of range"])
async def test_refused_rows_leave_no_values_in_logged_errors(sessionmaker, kind):
    """The whole error as ``log.exception`` prints it (every chained cause included) shows none
    of the refused row's values."""
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError) as info:
        async with sessionmaker.begin() as s:
            for row in refused_rows()[kind]:
                s.add(row)
                await s.flush()
    logged = "".join(traceback.format_exception(info.value))
    for secret in ("secret-", str(SECRET_ID), "3000000001"):
        assert secret not in logged, (secret, logged[-1500:])


@pytest.mark.parametrize("round_", [1, 2])
async def test_every_test_starts_from_the_migrated_state(sessionmaker, round_):
    """Whatever the test before wrote is gone and ids count from 1 again (the shipped action
    keeps id 1)."""
    from sqlalchemy import func, select

    from db import actions, walkouts
    from db.models import NationalAction, Walkout

    now = datetime(2026, 1, 1, tzinfo=UTC)
    async with sessionmaker.begin() as s:
        assert await s.scalar(select(func.count()).select_from(Walkout)) == 0
        assert (await s.scalars(select(NationalAction.id))).all() == [1]
        action = await actions.add(
            s, 7, name="Ours", local_date=now.date(), local_time=now.time(), now=now
        )
        walkout = await walkouts.create(
            s,
            guild_id=7,
            school="A",
            city="B",
            starts_at=now,
            ends_at=now,
            timezone="UTC",
            meeting_point=None,
            details=None,
            action_id=action.id,
            registrant_id=None,
            now=now,
        )
    assert (action.id, walkout.id) == (2, 1)
