"""Alembic migration environment and revisions (see env.py)."""
