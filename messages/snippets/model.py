"""The snippet record and its limits: what a rights or history topic is, whatever its origin.

Shipped files (:mod:`messages.snippets.loader`) and a server's own snippets
(:mod:`messages.snippets.guild`) both become a :class:`Snippet`; rendering, autocomplete and
search only ever see this record. The limits here are the ones every validator applies.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from messages import DEFAULT_LANG, normalize_locale

__all__ = [
    "BODY_AIM",
    "BODY_MAX",
    "FOOTER_RESERVE",
    "ID_PATTERN",
    "KEYWORDS_MAX",
    "KEYWORD_MAX_CHARS",
    "KINDS",
    "SOURCE_LINE_MAX",
    "SOURCE_TEXT_MAX",
    "TITLE_MAX",
    "URL_MAX",
    "ContentError",
    "Snippet",
    "Source",
    "Text",
    "embed_chars",
    "sources_text",
]

KINDS: tuple[str, ...] = ("rights", "history")

ID_PATTERN = re.compile(r"[a-z0-9-]{3,40}")
TITLE_MAX = 200  # below Discord's 256 for an embed title
BODY_MAX = 3500  # hard limit; Discord allows 4096 in an embed description
BODY_AIM = (500, 1500)  # what editors should aim for, per language
KEYWORDS_MAX = 10  # per language
KEYWORD_MAX_CHARS = 40
SOURCE_TEXT_MAX = 300  # a source's publication or title
SOURCE_LINE_MAX = 300  # a server snippet's free-text source
URL_MAX = 500

FOOTER_RESERVE = 300
"""Characters kept free in the embed for what the renderer adds: the not-legal-advice footer,
the sources field name and a "checked" date line."""


class ContentError(ValueError):
    """Snippet content is invalid; :attr:`problems` lists every problem found."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} snippet problem(s):\n" + "\n".join(self.problems))


@dataclass(frozen=True, slots=True)
class Source:
    """Where a snippet's facts come from. ``date`` is ``None`` when unknown."""

    publication: str
    title: str
    date: dt.date | None = None
    url: str | None = None

    def line(self) -> str:
        """One line for the embed, e.g. ``WSWS, [“Headline”](https://…), 2026-02-12``."""
        parts = [self.publication] if self.publication else []
        if self.title:
            quoted = f"“{self.title}”"
            if self.url:
                escaped = quoted.replace("[", "\\[").replace("]", "\\]")
                quoted = f"[{escaped}]({self.url})"
            parts.append(quoted)
        elif self.url:
            parts.append(self.url)
        if self.date:
            parts.append(self.date.isoformat())
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Text:
    """A snippet's text in one language."""

    title: str
    body: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Snippet:
    """One rights or history topic, in one or more languages."""

    id: str
    kind: str
    checked: dt.date
    sources: tuple[Source, ...]
    texts: dict[str, Text] = field(hash=False)
    origin: str = "shipped"

    def text(self, lang: object | None = DEFAULT_LANG) -> Text:
        """The text in ``lang`` (a lang or a Discord locale), else English, else any."""
        code = normalize_locale(lang)
        found = self.texts.get(code) or self.texts.get(DEFAULT_LANG)
        return found if found is not None else next(iter(self.texts.values()))

    @property
    def needs_legal_notice(self) -> bool:
        """Rights snippets carry the "general information, not legal advice" footer."""
        return self.kind == "rights"


def sources_text(snippet: Snippet) -> str:
    """The sources as the embed shows them: one bulleted line each."""
    return "\n".join(f"• {source.line()}" for source in snippet.sources)


def embed_chars(snippet: Snippet, lang: str, *, footer_chars: int = FOOTER_RESERVE) -> int:
    """Characters the rendered embed counts toward Discord's 6,000 total for ``lang``."""
    text = snippet.text(lang)
    return len(text.title) + len(text.body) + len(sources_text(snippet)) + footer_chars
