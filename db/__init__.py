"""Persistence: async engine and sessions, typed models, one query module per aggregate.

Callers own the transaction (``async with sessionmaker.begin() as s``); query functions take the
session and never commit. Schema changes are Alembic revisions in ``db/migrations``.
"""
