"""Async engine, sessions and programmatic Alembic migrations.

SQLite is the default store (one file under the data directory); everything here also works
with PostgreSQL (``postgresql+asyncpg://...``): the SQLite tuning is applied only when the URL is
SQLite, and the query modules use SQL that means the same on both.

Transactions on SQLite are real (SQLAlchemy's documented recipe for pysqlite/aiosqlite): the
driver's own transaction handling is switched off (``isolation_level = None``) and the engine
emits ``BEGIN`` itself when a transaction starts. Without it, Python's sqlite3 defers ``BEGIN``
to the first write, so reads run outside the transaction, and releasing the outermost SAVEPOINT
commits: a row inserted in ``begin_nested()`` could outlive its outer rollback.

:class:`Database` hands out two kinds of sessions: ``db()`` for reading (``BEGIN`` deferred:
readers never wait for writers under WAL) and ``db.begin()`` for a write transaction
(``BEGIN IMMEDIATE`` on SQLite: it takes the write lock up front, waiting up to the busy timeout
for another writer, so a read-then-write transaction can never fail half-way on a stale
snapshot).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from db.urls import DATABASE_FILE as DATABASE_FILE  # re-exported: callers import them here
from db.urls import default_database_url as default_database_url

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Applied to every new SQLite connection. WAL lets readers run while the bot writes; NORMAL
# sync is durable enough under WAL; busy_timeout waits for a lock instead of failing at once.
BUSY_TIMEOUT_MS = 5000
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    "PRAGMA synchronous=NORMAL",
)


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_dir(url: str | URL) -> None:
    """Create the directory of a file-backed SQLite URL (no-op for other URLs)."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return
    if database.startswith("file:"):  # URI filenames: leave them to the caller
        return
    Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_lower(value: str | None) -> str | None:
    return None if value is None else value.lower()


SQLITE_BEGIN_OPTION = "sqlite_begin"
"""Execution option naming the ``BEGIN`` mode of a transaction (``IMMEDIATE`` for writers)."""


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Switch off the driver's implicit transactions; _on_sqlite_begin emits BEGIN instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()
    # SQLite's built-in lower() only folds ASCII; PostgreSQL's folds all of Unicode. Replace it so
    # case-insensitive matching (``func.lower``, ``ilike``/``icontains``) agrees on both, e.g.
    # "JUÁREZ" matches "juárez".
    dbapi_connection.create_function("lower", 1, _sqlite_lower, deterministic=True)


def _on_sqlite_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "")
    connection.exec_driver_sql(f"BEGIN {mode}".rstrip())


# asyncpg quotes the Python value it could not encode: "invalid input for query argument $2:
# 3000000001 (value out of int32 range)".
_ARGUMENT_VALUE = re.compile(r"(invalid input for query argument \$\d+[^:\n]*): [^\n]*")


def _hide_values_in_errors(context: ExceptionContext) -> None:
    """Keep the values of a refused statement out of its error, as ``hide_parameters`` does for
    the parameters themselves: a logged traceback prints every chained cause, and PostgreSQL's
    errors carry the refused row or key in their DETAIL ("Failing row contains (...)", "Key
    (slug)=(...) already exists"), asyncpg's the value it could not send. The message, the
    constraint's name and the SQL stay."""
    seen: set[int] = set()
    # The SQLAlchemy error is not chained to the driver's yet: walk from both.
    for error in (context.sqlalchemy_exception, context.original_exception):
        while error is not None and id(error) not in seen:
            seen.add(id(error))
            if getattr(error, "detail", None):
                error.detail = None  # type: ignore[attr-defined]
            if error.args and isinstance(error.args[0], str):
                hidden = _ARGUMENT_VALUE.sub(r"\1: (value hidden)", error.args[0])
                error.args = (hidden, *error.args[1:])
            error = error.__cause__ or error.__context__


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine; for SQLite, creates the file's folder, tunes every connection and makes
    transactions real (see the module docstring); elsewhere, keeps values out of errors."""
    # hide_parameters: errors and logs never carry the values people typed (or user ids).
    engine = create_async_engine(url, echo=echo, hide_parameters=True)
    if is_sqlite(url):
        ensure_sqlite_dir(url)
        event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
        event.listen(engine.sync_engine, "begin", _on_sqlite_begin)
    else:
        event.listen(engine.sync_engine, "handle_error", _hide_values_in_errors)
    return engine


class Database:
    """Sessions for the bot: ``async with db() as s`` to read, ``async with db.begin() as s``
    for one write transaction (committed on exit, rolled back on an exception).

    Objects stay usable after commit (``expire_on_commit=False``: no implicit refresh IO under
    asyncio).
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._read = async_sessionmaker(engine, expire_on_commit=False)
        writer = engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        self._write = async_sessionmaker(writer, expire_on_commit=False)
        # SQLite has one writer at a time. Writers of this process queue here, in order, instead
        # of meeting the lock inside SQLite, whose busy handler backs off in sleeps of up to
        # 100 ms; other processes still wait through busy_timeout.
        self._one_writer = asyncio.Lock() if engine.dialect.name == "sqlite" else None
        self._writers: set[asyncio.Task[Any]] = set()  # tasks inside begin(), on every backend

    def __call__(self) -> AsyncSession:
        """A session for reading (it may write too, but then prefer :meth:`begin`)."""
        return self._read()

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncSession]:
        """A session inside one write transaction; on SQLite it holds the write lock.

        Never nest a write transaction inside another in the same task: on SQLite it would wait
        for itself; on PostgreSQL it would be a second, independent transaction (committed even
        if the outer one rolls back, and waiting forever on a row the outer one locked). Both
        raise at once instead.
        """
        me = asyncio.current_task()
        if me is not None and me in self._writers:
            raise RuntimeError("a write transaction inside a write transaction")
        async with self._one_writer or contextlib.nullcontext():
            if me is not None:
                self._writers.add(me)
            try:
                async with self._write.begin() as session:
                    yield session
            finally:
                if me is not None:
                    self._writers.discard(me)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def dispose(self) -> None:
        await self.engine.dispose()


def create_sessionmaker(engine: AsyncEngine) -> Database:
    """The :class:`Database` over ``engine``."""
    return Database(engine)


def alembic_config(url: str) -> Config:
    """An Alembic config built in code: no alembic.ini needed.

    The URL travels in ``config.attributes`` rather than the ini options, so characters such as
    ``%`` in passwords need no escaping; ``db/migrations/env.py`` reads it from there.
    """
    from alembic.config import Config  # imported here: only migrations need Alembic

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["url"] = url
    return config


def _run_alembic(fn: Callable[[Config, str], None], url: str, revision: str) -> None:
    config = alembic_config(url)
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop in this thread: Alembic's asyncio.run() can run here
        fn(config, revision)
        return
    # Called (blocking) from a thread that runs a loop: asyncio.run() would refuse, so give
    # Alembic a thread of its own. Async callers should prefer upgrade()/downgrade().
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="alembic") as pool:
        pool.submit(fn, config, revision).result()


def upgrade_sync(url: str, revision: str = "head") -> None:
    """Migrate ``url`` up to ``revision`` (blocking)."""
    from alembic import command

    ensure_sqlite_dir(url)
    log.info("Upgrading database schema to %s", revision)
    _run_alembic(command.upgrade, url, revision)


def downgrade_sync(url: str, revision: str) -> None:
    """Migrate ``url`` down to ``revision`` (``"base"`` drops everything; blocking)."""
    from alembic import command

    log.info("Downgrading database schema to %s", revision)
    _run_alembic(command.downgrade, url, revision)


async def upgrade(url: str, revision: str = "head") -> None:
    """Migrate ``url`` up to ``revision`` from async code (runs Alembic in a worker thread)."""
    await asyncio.to_thread(upgrade_sync, url, revision)


async def downgrade(url: str, revision: str) -> None:
    """Migrate ``url`` down to ``revision`` from async code (runs Alembic in a worker thread)."""
    await asyncio.to_thread(downgrade_sync, url, revision)
