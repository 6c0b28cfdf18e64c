"""Alembic environment (async template): one NullPool async engine, ``run_sync`` into the body.

The URL comes, in order, from ``config.attributes["url"]`` (set by ``db.engine.alembic_config``),
``alembic -x url=...``, the ``DATABASE_URL`` environment variable, or ``sqlalchemy.url`` in
``db/alembic.ini`` (the last three for CLI use).

On SQLite:
- migrations run with ``PRAGMA foreign_keys=OFF``: batch mode rebuilds a table by copying it and
  dropping the old one, which with foreign keys on would fire ON DELETE actions on the rows that
  point to it. ``PRAGMA foreign_key_check`` runs before commit instead.
- the whole run is one real transaction (the driver is switched to autocommit and we emit BEGIN
  ourselves, SQLAlchemy's documented recipe): Python's sqlite3 would otherwise run DDL outside
  any transaction, so a failing revision would leave a half-migrated file.
"""

import asyncio
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import event, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from db.engine import ensure_sqlite_dir
from db.models import Base

config = context.config

# Only the CLI (alembic -c db/alembic.ini) configures logging; programmatic runs leave the
# application's logging alone.
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def database_url() -> str:
    url = config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("url")
    url = url or os.environ.get("DATABASE_URL", "").strip()
    url = url or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL: pass -x url=... or set sqlalchemy.url")
    return url


def configure(**kw) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        **kw,
    )


def check_foreign_keys(connection: Connection) -> None:
    problems = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
    if problems:
        raise RuntimeError(f"foreign key violations after migrating: {problems[:10]}")


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it (``alembic upgrade head --sql``)."""
    configure(url=database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    configure(connection=connection, transactional_ddl=True if sqlite else None)
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            check_foreign_keys(connection)


def _sqlite_connect(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=OFF")
    finally:
        cursor.close()
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _sqlite_begin)


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


async def run_async_migrations() -> None:
    url = database_url()
    ensure_sqlite_dir(url)
    engine = create_async_engine(url, poolclass=pool.NullPool)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    asyncio.run(run_async_migrations())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
