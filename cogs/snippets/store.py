"""Server snippets as :class:`~messages.snippets.Snippet`, checking what a moderator typed, and
finding a topic. Pure: no Discord, no I/O.

A server's own snippet is a database row (:class:`db.models.GuildSnippet`); :func:`to_snippet`
hands it to :func:`messages.snippets.guild.guild_snippet`, the one builder of server snippet
records, so rendering, autocomplete and search treat it like a shipped one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from core.errors import UserError
from core.text import clean_field, fit, neutralize
from db.models import GuildSnippet
from db.snippets import KEYWORD_SEPARATOR, split_keywords
from messages.snippets.guild import guild_snippet, validate_snippet_fields
from messages.snippets.model import (
    BODY_MAX,
    ID_PATTERN,
    KEYWORD_MAX_CHARS,
    KEYWORDS_MAX,
    SOURCE_LINE_MAX,
    TITLE_MAX,
    Snippet,
)
from messages.snippets.search import autocomplete, fold

__all__ = [
    "NewSnippet",
    "check_new_snippet",
    "find_topic",
    "merged",
    "normalize_slug",
    "to_snippet",
]

KEYWORDS_INPUT_MAX = 400
"""What the modal's keywords field accepts; stored comma-joined it never gets longer."""
REF_SHOWN_MAX = 60


def to_snippet(row: GuildSnippet) -> Snippet:
    """A server's row as a one-language snippet; its "checked" date is the day it was added."""
    return guild_snippet(
        row.slug,
        row.kind,
        row.title,
        row.body,
        row.source,
        row.lang,
        checked=row.created_at.astimezone(dt.UTC).date(),
        keywords=split_keywords(row.keywords),
    )


def normalize_slug(text: str) -> str:
    """What people type as an id, made into one: ``"Our Walkout_2026"`` -> ``our-walkout-2026``.

    Lowercases, drops accents, turns spaces and punctuation into single hyphens. The result may
    still be invalid (too short, too long); :func:`check_new_snippet` says so.
    """
    return "-".join(fold(text).split())


@dataclass(frozen=True, slots=True)
class NewSnippet:
    """A server snippet that passed every check, ready for ``db.snippets.add``."""

    slug: str
    kind: str
    lang: str
    title: str
    body: str
    source: str
    keywords: tuple[str, ...] = ()


def _one_line(value: str, field: str) -> str:
    if any(mark in value for mark in "\n\u2028\u2029"):  # clean_field made \r, VT, FF, NEL go
        raise UserError("error.snippet.one_line", field=field)
    return value


def _keywords(raw: str | None) -> tuple[str, ...]:
    words: list[str] = []
    for part in (raw or "").split(KEYWORD_SEPARATOR):
        word = " ".join(neutralize(part).split())
        if not word:
            continue
        if len(word) > KEYWORD_MAX_CHARS:
            raise UserError(
                "error.snippet.keyword_too_long", keyword=fit(word, 50), max=KEYWORD_MAX_CHARS
            )
        if word.casefold() not in (w.casefold() for w in words):
            words.append(word)
    if len(words) > KEYWORDS_MAX:
        raise UserError("error.snippet.keywords_count", count=len(words), max=KEYWORDS_MAX)
    return tuple(words)


def check_new_snippet(
    *,
    slug: str,
    title: str,
    body: str,
    source: str,
    keywords: str | None,
    kind: str,
    lang: str,
    taken_ids: Collection[str],
) -> NewSnippet:
    """Clean and check the modal's fields; raise :class:`UserError` naming the first problem.

    User text is neutralized (no pings, no bidi tricks) before the limits are counted. The
    shipped validator (:func:`validate_snippet_fields`) has the last word, with the same
    limits as the shipped files.
    """
    raw_slug = slug.strip()
    if not raw_slug:
        raise UserError("error.field.empty", field="id")
    normalized = normalize_slug(raw_slug)
    if not ID_PATTERN.fullmatch(normalized):
        raise UserError("error.snippet.id_format", id=fit(neutralize(raw_slug), REF_SHOWN_MAX))
    if normalized in taken_ids:
        raise UserError("error.snippet.id_taken", id=normalized)
    clean_title = clean_field(title, field="title", max_len=TITLE_MAX, required=True)
    clean_body = clean_field(body, field="body", max_len=BODY_MAX, required=True)
    clean_source = clean_field(source, field="source", max_len=SOURCE_LINE_MAX, required=True)
    assert clean_title is not None and clean_body is not None and clean_source is not None
    new = NewSnippet(
        slug=normalized,
        kind=kind,
        lang=lang,
        title=_one_line(clean_title, "title"),
        body=clean_body,
        source=_one_line(clean_source, "source"),
        keywords=_keywords(keywords),
    )
    problems = validate_snippet_fields(
        new.slug,
        new.title,
        new.body,
        new.source,
        new.lang,
        kind=new.kind,
        keywords=new.keywords,
        taken_ids=taken_ids,
    )
    if problems:  # a rule the checks above don't know yet: say it, in the validator's words
        raise UserError("error.snippet.invalid", problem=fit("; ".join(problems), 300))
    return new


def find_topic(snippets: Sequence[Snippet], ref: str, *, kind: str, lang: str) -> Snippet:
    """The snippet a ``topic:`` value names.

    An autocomplete pick is an exact id (of either kind: ``/rights topic:<a history id>`` still
    shows it). Text typed without picking opens the best autocomplete match of ``kind``.
    Raises ``error.snippet.not_found`` when nothing matches.
    """
    wanted = {ref.strip().lower(), normalize_slug(ref)}
    for snippet in snippets:
        if snippet.id in wanted:
            return snippet
    best = autocomplete(snippets, ref, lang=lang, kind=kind, limit=1)
    if best:
        _, snippet_id = best[0]
        return next(s for s in snippets if s.id == snippet_id)
    raise UserError("error.snippet.not_found", ref=fit(neutralize(ref.strip()), REF_SHOWN_MAX))


def merged(shipped: Iterable[Snippet], own: Iterable[Snippet]) -> list[Snippet]:
    """Shipped snippets, then the server's own (whose ids never clash with shipped ones)."""
    return [*shipped, *own]
