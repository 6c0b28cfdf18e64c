"""Statements whose spelling differs between SQLite and PostgreSQL but whose meaning does not."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_or_ignore(s: AsyncSession, model: Any) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` for ``model`` on the session's dialect.

    One statement, so two racing inserts of the same key never end in an IntegrityError: one
    inserts, the other does nothing (its result has ``rowcount`` 0).
    """
    dialect = s.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(model).on_conflict_do_nothing()
    raise NotImplementedError(f"insert_or_ignore: unsupported database {dialect!r}")
