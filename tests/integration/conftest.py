"""Integration fixtures: every test gets a fresh database migrated to head by Alembic, on SQLite
always and on PostgreSQL too when ``WALKOUT_TEST_POSTGRES_URL`` names a server
(``postgresql+asyncpg://user@host:port/dbname``, a user who may create databases; ``./dev test``
starts a throwaway server when PostgreSQL is installed, see ``tests/pgcluster.sh``).

Tests that take ``db_url``, ``engine`` or ``sessionmaker`` run once per backend (ids ``[sqlite]``
and ``[postgresql]``). ``db_url`` is an empty database unless the test also takes ``engine`` (or
``sessionmaker``): then it is that engine's database, at head. Alembic migrates once per backend
and session; each test then starts from that state: a copy of the migrated file on SQLite; on
PostgreSQL the migrated database, emptied and given back the rows the migrations insert
(``TRUNCATE … RESTART IDENTITY``, 100 times faster than ``CREATE DATABASE``). An empty database
is a new one, dropped after the test. ``@pytest.mark.sqlite_only("why")`` marks a test of
SQLite's own behaviour: it is skipped on PostgreSQL with that reason.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import Database, create_engine, default_database_url, upgrade
from db.models import Base

POSTGRES_URL = os.environ.get("WALKOUT_TEST_POSTGRES_URL", "").strip()
BACKENDS = ("sqlite", "postgresql") if POSTGRES_URL else ("sqlite",)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    only = metafunc.definition.get_closest_marker("sqlite_only")
    params = []
    for backend in BACKENDS:
        marks = []
        if only is not None and backend != "sqlite":
            marks.append(pytest.mark.skip(reason=f"SQLite only: {only.args[0]}"))
        params.append(pytest.param(backend, id=backend, marks=marks))
    metafunc.parametrize("backend", params)


class Backend(Protocol):
    def database(self, tmp_path: Path, *, migrated: bool) -> Any:
        """An async context manager giving the URL of a fresh database."""


class SqliteBackend:
    def __init__(self, template: Path) -> None:
        self.template = template  # a file at head

    @asynccontextmanager
    async def database(self, tmp_path: Path, *, migrated: bool) -> AsyncIterator[str]:
        url = default_database_url(tmp_path / "data")
        if migrated:
            target = Path(make_url(url).database or "")
            target.parent.mkdir(parents=True)
            shutil.copyfile(self.template, target)
        yield url


class PostgresBackend:
    """The test databases on the server of ``WALKOUT_TEST_POSTGRES_URL``."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        # Unique per run: runs sharing one server never touch each other's databases.
        self.prefix = f"walkout_test_{os.getpid()}"
        self.names = itertools.count(1)
        self.migrated = f"{self.prefix}_head"
        self.seed: dict[str, list[Any]] = {}  # table -> the rows the migrations inserted
        self.serials: list[tuple[str, str]] = []  # (table, column) owning a sequence

    def url_of(self, database: str) -> str:
        return self.url.set(database=database).render_as_string(hide_password=False)

    async def connect(self, database: str) -> Any:
        import asyncpg

        dsn = self.url.set(drivername="postgresql", database=database)
        return await asyncpg.connect(dsn.render_as_string(hide_password=False))

    async def admin(self, *statements: str) -> None:
        conn = await self.connect(self.url.database or "postgres")
        try:
            for sql in statements:
                await conn.execute(sql)
        finally:
            await conn.close()

    async def start(self) -> None:
        """Migrate the shared database by Alembic and note what a fresh one holds."""
        await self.admin(
            f"DROP DATABASE IF EXISTS {self.migrated} WITH (FORCE)",
            f"CREATE DATABASE {self.migrated} TEMPLATE template0",
        )
        await upgrade(self.url_of(self.migrated))
        conn = await self.connect(self.migrated)
        try:
            for table in Base.metadata.sorted_tables:
                self.seed[table.name] = list(await conn.fetch(f"SELECT * FROM {table.name}"))
            self.serials = [
                (r["table_name"], r["column_name"])
                for r in await conn.fetch(
                    "SELECT table_name, column_name FROM information_schema.columns"
                    " WHERE table_schema = current_schema()"
                    " AND pg_get_serial_sequence(table_name, column_name) IS NOT NULL"
                )
            ]
        finally:
            await conn.close()

    async def stop(self) -> None:
        await self.admin(f"DROP DATABASE IF EXISTS {self.migrated} WITH (FORCE)")

    async def reset(self) -> None:
        """Bring the shared database back to its state right after migrating."""
        conn = await self.connect(self.migrated)
        try:
            # Connections a test left open (an engine never disposed) would hold locks.
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            async with conn.transaction():
                tables = ", ".join(self.seed)
                await conn.execute(f"TRUNCATE {tables} RESTART IDENTITY")
                for table, rows in self.seed.items():
                    if rows:
                        columns = list(rows[0].keys())
                        await conn.copy_records_to_table(table, records=rows, columns=columns)
                for table, column in self.serials:
                    if self.seed.get(table):
                        await conn.execute(
                            f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
                            f" max({column})) FROM {table}"
                        )
        finally:
            await conn.close()

    @asynccontextmanager
    async def database(self, tmp_path: Path, *, migrated: bool) -> AsyncIterator[str]:
        if migrated:
            await self.reset()
            yield self.url_of(self.migrated)
            return
        name = f"{self.prefix}_{next(self.names)}"
        await self.admin(f"CREATE DATABASE {name} TEMPLATE template0")
        try:
            yield self.url_of(name)
        finally:
            await self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
async def sqlite_backend(tmp_path_factory: pytest.TempPathFactory) -> SqliteBackend:
    """A SQLite file at head (migrated once per session), checkpointed: one file to copy."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    url = default_database_url(folder)
    await upgrade(url)
    path = Path(make_url(url).database or "")
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return SqliteBackend(path)


@pytest.fixture(scope="session")
async def postgresql_backend() -> AsyncIterator[PostgresBackend]:
    backend = PostgresBackend(POSTGRES_URL)
    await backend.start()
    try:
        yield backend
    finally:
        await backend.stop()


@pytest.fixture
def databases(backend: str, request: pytest.FixtureRequest) -> Backend:
    """The backend's session-wide state (resolved here, outside the event loop, so that a run on
    SQLite alone never needs the PostgreSQL server)."""
    return request.getfixturevalue(f"{backend}_backend")


@pytest.fixture
async def db_url(
    databases: Backend, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[str]:
    """A fresh database: empty, or at head when the test also takes ``engine``."""
    async with databases.database(tmp_path, migrated="engine" in request.fixturenames) as url:
        yield url


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> Database:
    return Database(engine)
