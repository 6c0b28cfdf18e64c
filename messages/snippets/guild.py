"""A server's own snippets: one language, a free-text source, the same limits as shipped files.

A moderator types one into a modal; :func:`validate_snippet_fields` checks it and
:func:`guild_snippet` builds the record (``origin="guild"``) the renderer, autocomplete and
search use, both for a draft and for a stored row (``cogs/snippets/store.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

from messages import LANGS
from messages.snippets.model import KINDS, SOURCE_LINE_MAX, Snippet, Source, Text
from messages.snippets.validator import embed_problems, id_problems, is_text, text_problems

__all__ = ["guild_snippet", "validate_snippet_fields"]


def guild_snippet(
    snippet_id: str,
    kind: str,
    title: str,
    body: str,
    source: str,
    lang: str,
    *,
    checked: dt.date,
    keywords: Iterable[str] = (),
) -> Snippet:
    """The record for a server's own snippet: one language, its source as one untitled line.

    It does not validate (a stored row was checked when it was added; a draft is checked by
    :func:`validate_snippet_fields`, which uses this to measure the embed).
    """
    return Snippet(
        id=snippet_id,
        kind=kind,
        checked=checked,
        sources=(Source(publication=source.strip(), title=""),),
        texts={
            lang: Text(
                title=title.strip(),
                body=body.strip(),
                keywords=tuple(word.strip() for word in keywords),
            )
        },
        origin="guild",
    )


def validate_snippet_fields(
    snippet_id: str,
    title: str,
    body: str,
    source: str,
    lang: str,
    *,
    kind: str | None = None,
    keywords: Iterable[str] = (),
    taken_ids: Collection[str] = (),
) -> list[str]:
    """Problems with a server snippet a moderator typed into a modal (one language).

    Same limits as shipped files; ``source`` is a single free-text line. ``taken_ids`` are ids
    already in use (shipped and this server's) so a new snippet cannot shadow one. Each problem
    starts with the field name (``title: missing``).
    """
    keywords = tuple(keywords)
    found = id_problems(snippet_id)
    if not found and snippet_id in taken_ids:
        found.append(f"id: {snippet_id!r} is already used")
    if kind is not None and kind not in KINDS:
        found.append(f"kind: {kind!r} must be one of {', '.join(KINDS)}")
    if lang not in LANGS:
        found.append(f"lang: {lang!r} must be one of {', '.join(LANGS)}")
    found += text_problems("", title, body, list(keywords))
    if not is_text(source):
        found.append("source: missing")
    elif "\n" in source.strip():
        found.append("source: must be one line")
    elif len(source.strip()) > SOURCE_LINE_MAX:
        found.append(f"source: {len(source.strip())} characters, limit {SOURCE_LINE_MAX}")
    if found:
        return found
    draft = guild_snippet(
        snippet_id,
        kind or KINDS[0],
        title,
        body,
        source,
        lang,
        checked=dt.date.min,
        keywords=keywords,
    )
    return [problem.removeprefix(f"{lang}.") for problem in embed_problems(draft)]
