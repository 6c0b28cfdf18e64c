"""Rights and history snippets: one reviewed YAML file per snippet, loaded into typed records.

One job per module; this package re-exports what callers use:

- :mod:`~messages.snippets.model`: the :class:`Snippet` record, its parts and its limits
- :mod:`~messages.snippets.loader`: reading the shipped files and ``policy.yaml``
  (:func:`load_snippets`, :func:`shipped_snippets`, :func:`snippet_problems`,
  :func:`snippet_warnings` for reviews that are due)
- :mod:`~messages.snippets.validator`: checking one file's data, field by field
- :mod:`~messages.snippets.guild`: a server's own snippets (:func:`validate_snippet_fields`,
  :func:`guild_snippet`)
- :mod:`~messages.snippets.search`: autocomplete and full-text search

Rights snippets need the "general information, not legal advice" footer; the footer text lives
in the catalog and the renderer adds it when :attr:`Snippet.needs_legal_notice`.
"""

from __future__ import annotations

from messages.snippets.guild import guild_snippet, validate_snippet_fields
from messages.snippets.loader import (
    SNIPPETS_DIR,
    load_policy,
    load_snippets,
    shipped_snippets,
    snippet_problems,
    snippet_warnings,
)
from messages.snippets.model import (
    BODY_AIM,
    BODY_MAX,
    FOOTER_RESERVE,
    ID_PATTERN,
    KEYWORD_MAX_CHARS,
    KEYWORDS_MAX,
    KINDS,
    SOURCE_LINE_MAX,
    TITLE_MAX,
    ContentError,
    Snippet,
    Source,
    Text,
    embed_chars,
    sources_text,
)
from messages.snippets.validator import ADVOCACY_PUBLICATIONS, POLICY_FILE, Policy, review_warnings

__all__ = [
    "ADVOCACY_PUBLICATIONS",
    "BODY_AIM",
    "BODY_MAX",
    "FOOTER_RESERVE",
    "ID_PATTERN",
    "KEYWORDS_MAX",
    "KEYWORD_MAX_CHARS",
    "KINDS",
    "POLICY_FILE",
    "SNIPPETS_DIR",
    "SOURCE_LINE_MAX",
    "TITLE_MAX",
    "ContentError",
    "Policy",
    "Snippet",
    "Source",
    "Text",
    "embed_chars",
    "guild_snippet",
    "load_policy",
    "load_snippets",
    "review_warnings",
    "shipped_snippets",
    "snippet_problems",
    "snippet_warnings",
    "sources_text",
    "validate_snippet_fields",
]
