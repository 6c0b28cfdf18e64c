"""A server's own rights/history snippets (``/snippet add``), one language each.

Every function is scoped to one ``guild_id``: another server's snippets behave as if they did
not exist. Shipped snippets are files (``messages/snippets``), not rows; checking that a new
slug does not clash with them is the caller's job (``validate_snippet_fields``). Functions never
commit; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import GuildSnippet
from db.sql import never_stored

KEYWORD_SEPARATOR = ","


def join_keywords(keywords: Iterable[str]) -> str | None:
    """Keywords as stored: comma-separated, blanks dropped; ``None`` when there are none."""
    words = [word.strip() for word in keywords if word.strip()]
    for word in words:
        if KEYWORD_SEPARATOR in word:
            raise ValueError(f"a keyword can't contain {KEYWORD_SEPARATOR!r}: {word!r}")
    return KEYWORD_SEPARATOR.join(words) or None


def split_keywords(stored: str | None) -> tuple[str, ...]:
    """The keywords of a row, in order (inverse of :func:`join_keywords`)."""
    if not stored:
        return ()
    return tuple(word.strip() for word in stored.split(KEYWORD_SEPARATOR) if word.strip())


async def list_for_guild(s: AsyncSession, guild_id: int) -> list[GuildSnippet]:
    """The server's own snippets, by slug."""
    stmt = select(GuildSnippet).where(GuildSnippet.guild_id == guild_id).order_by(GuildSnippet.slug)
    return list(await s.scalars(stmt))


async def get(s: AsyncSession, guild_id: int, slug: str) -> GuildSnippet | None:
    """The server's snippet with this slug, or None (also for another server's slug)."""
    if never_stored(slug):
        return None
    stmt = select(GuildSnippet).where(GuildSnippet.guild_id == guild_id, GuildSnippet.slug == slug)
    return await s.scalar(stmt)


async def add(
    s: AsyncSession,
    guild_id: int,
    *,
    slug: str,
    kind: str,
    lang: str,
    title: str,
    body: str,
    source: str,
    keywords: Iterable[str] = (),
    now: datetime,
) -> GuildSnippet:
    """Insert a snippet (already validated by the caller), stamped ``created_at = now``.

    A slug the server already uses fails the unique constraint (``IntegrityError`` at flush).
    """
    row = GuildSnippet(
        guild_id=guild_id,
        slug=slug,
        kind=kind,
        lang=lang,
        title=title,
        body=body,
        source=source,
        keywords=join_keywords(keywords),
        created_at=now,
    )
    s.add(row)
    await s.flush()
    return row


async def remove(s: AsyncSession, guild_id: int, slug: str) -> bool:
    """Delete the server's snippet with this slug; False if it has none."""
    if never_stored(slug):
        return False
    result = await s.execute(
        delete(GuildSnippet).where(GuildSnippet.guild_id == guild_id, GuildSnippet.slug == slug)
    )
    return cast(CursorResult[Any], result).rowcount > 0
