"""One-time jobs a migration leaves for the running bot (the ``maintenance`` table).

A job stays until the bot finished it: a crash half-way means the next start does it again, so
jobs are idempotent (re-rendering a post twice changes nothing).
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Maintenance

REPUBLISH = "republish"
"""Re-render every posted announcement and event (what a public post may show changed)."""


async def pending(s: AsyncSession, key: str) -> str | None:
    return await s.scalar(select(Maintenance.value).where(Maintenance.key == key))


async def done(s: AsyncSession, key: str) -> None:
    await s.execute(delete(Maintenance).where(Maintenance.key == key))
