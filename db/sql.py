"""Statements whose spelling differs between SQLite and PostgreSQL but whose meaning does not.

Write transactions (``Database.begin()``) on SQLite run one at a time: whatever one reads stays
true until it commits. PostgreSQL runs them at once, in READ COMMITTED: a single conditional
statement is still race-safe, but a transaction that reads a row and then writes because of
what it read must lock what it read (``SELECT … FOR UPDATE``, which SQLite's dialect leaves out:
nothing to do there).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

_INSERT: dict[str, Any] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_or_ignore(s: AsyncSession, model: Any) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` for ``model`` on the session's dialect.

    One statement, so two racing inserts of the same key never end in an IntegrityError: one
    inserts, the other does nothing (its result has ``rowcount`` 0).
    """
    insert = _INSERT[s.get_bind().dialect.name]  # settings refuse other databases (db.urls)
    return insert(model).on_conflict_do_nothing()


def never_stored(text: str) -> bool:
    """True when typed ``text`` holds a NUL character, which no stored text does: PostgreSQL's
    text columns can't hold one (a parameter with one fails the whole statement: "invalid byte
    sequence for encoding UTF8: 0x00"), and the application tidies control characters away
    before it stores anything (``core.text.clean_field``), so on SQLite none is there either.
    Lookups of typed text ask this first: such text matches nothing, on every backend."""
    return "\x00" in text
