"""Checking snippet content: one shipped file's data, field by field, and the rules shared with
server snippets (text limits, id format, Discord's embed limits).

Every function returns problems as text that names the field (``es.body: missing``); the
loader prefixes the file. Nothing here reads files.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard
from urllib.parse import urlsplit

from core.text import (
    EMBED_DESCRIPTION_MAX,
    EMBED_TITLE_MAX,
    EMBED_TOTAL_MAX,
    FIELD_VALUE_MAX,
)
from messages import LANGS
from messages.snippets.model import (
    BODY_MAX,
    FOOTER_RESERVE,
    ID_PATTERN,
    KEYWORD_MAX_CHARS,
    KEYWORDS_MAX,
    KINDS,
    SOURCE_TEXT_MAX,
    TITLE_MAX,
    URL_MAX,
    Snippet,
    Source,
    Text,
    embed_chars,
    sources_text,
)

__all__ = [
    "ADVOCACY_PUBLICATIONS",
    "POLICY_FILE",
    "REVIEW_INTERVAL_MAX",
    "Policy",
    "denied_domain",
    "embed_problems",
    "file_problems",
    "id_problems",
    "is_text",
    "policy_problems",
    "review_warnings",
    "text_problems",
]

ADVOCACY_PUBLICATIONS: dict[str, tuple[str, ...]] = {
    "World Socialist Web Site": ("WSWS", "World Socialist Web Site"),
    "International Youth and Students for Social Equality (US)": ("IYSSE",),
    "Dare to Struggle": ("Dare to Struggle",),
    "unattributed": ("URGENT UPDATE",),
}
"""Opinionated publications: a snippet citing one must name it in every language's body
(write "according to WSWS, …"); any of the listed names counts."""

POLICY_FILE = "policy.yaml"
"""Beside the snippet folders: the review interval and the source deny-list (see README.md)."""

REVIEW_INTERVAL_MAX = 3650

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HTTPS_URL = re.compile(r"https://\S+")
_DOMAIN = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)+")
_POLICY_KEYS = ("review_interval_days", "denied_source_domains")
_TOP_KEYS = ("id", "kind", "checked", "sources", *LANGS)
_TEXT_KEYS = ("title", "body", "keywords")
_SOURCE_KEYS = ("publication", "title", "date", "url")


def is_text(value: object) -> TypeGuard[str]:
    """Non-empty text (not only spaces)."""
    return isinstance(value, str) and bool(value.strip())


def _parse_date(value: object) -> dt.date | None:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:  # 2026-02-30
        return None


def _unknown_keys(data: Mapping[Any, Any], allowed: Collection[str], where: str) -> list[str]:
    return [
        f"{where}{key}: unknown field (allowed: {', '.join(allowed)})"
        for key in data
        if key not in allowed
    ]


@dataclass(frozen=True, slots=True)
class Policy:
    """What the content says about itself: how often every snippet's facts are re-checked, and
    which sites may not be cited (mirrors and aggregators; cite the original instead).

    ``review_interval_days`` is ``None`` only when ``policy.yaml`` is broken (already a problem).
    """

    review_interval_days: int | None
    denied_domains: frozenset[str] = frozenset()


def denied_domain(host: str, denied: Collection[str]) -> str | None:
    """The deny-listed domain ``host`` is, or is a subdomain of (``www16.x.org`` -> ``x.org``)."""
    host = host.lower().rstrip(".")
    labels = host.split(".")
    for i in range(len(labels) - 1):
        candidate = ".".join(labels[i:])
        if candidate in denied:
            return candidate
    return None


def policy_problems(data: object) -> tuple[Policy, list[str]]:
    """Validate ``policy.yaml``'s data; return the policy (usable even when broken) and problems."""
    if not isinstance(data, Mapping):
        return Policy(None), ["top level must be a mapping (review_interval_days:, ...)"]
    found = _unknown_keys(data, _POLICY_KEYS, "")
    raw_days = data.get("review_interval_days")
    if isinstance(raw_days, int) and not isinstance(raw_days, bool):
        raw_days = str(raw_days)
    days: int | None = None
    if raw_days is None:
        found.append("review_interval_days: missing")
    elif not isinstance(raw_days, str) or not raw_days.strip().isdigit():
        found.append(f"review_interval_days: {raw_days!r} must be a whole number of days")
    elif not 1 <= int(raw_days) <= REVIEW_INTERVAL_MAX:
        found.append(f"review_interval_days: {raw_days} must be 1 to {REVIEW_INTERVAL_MAX}")
    else:
        days = int(raw_days)
    raw_domains = data.get("denied_source_domains")
    domains: set[str] = set()
    if raw_domains is None:
        found.append("denied_source_domains: missing (a list, e.g. [ecases.us])")
    elif not isinstance(raw_domains, list):
        found.append("denied_source_domains: must be a list, e.g. [ecases.us]")
    else:
        for i, domain in enumerate(raw_domains):
            if not isinstance(domain, str) or not _DOMAIN.fullmatch(domain.strip()):
                found.append(
                    f"denied_source_domains[{i}]: {domain!r} must be a lowercase domain name "
                    "like example.org (no https://, no path)"
                )
            else:
                domains.add(domain.strip())
    return Policy(days, frozenset(domains)), found


def review_warnings(
    snippets: Iterable[Snippet], *, today: dt.date, interval_days: int
) -> list[str]:
    """Snippets due for review on ``today``: ``checked`` more than ``interval_days`` before it.

    Pure (``today`` is passed in) so tests fix the date; the bot passes the real one. These are
    warnings: the content still works, its facts just need checking again.
    """
    found: list[str] = []
    for snippet in snippets:
        where = f"{snippet.kind}/{snippet.id}.yaml"
        checked = snippet.checked.isoformat()
        due = snippet.checked + dt.timedelta(days=interval_days)
        if snippet.checked > today:
            found.append(f"{where}: checked: {checked} is after today ({today.isoformat()})")
        elif today > due:
            found.append(
                f"{where}: checked: {checked} is {(today - snippet.checked).days} days ago; "
                f"facts are re-checked every {interval_days} days, this review was due "
                f"{due.isoformat()}"
            )
    return found


def text_problems(where: str, title: object, body: object, keywords: object) -> list[str]:
    """Problems with one language's title, body and keywords; ``where`` prefixes field names."""
    found: list[str] = []
    if title is None or (isinstance(title, str) and not title.strip()):
        found.append(f"{where}title: missing")
    elif not isinstance(title, str):
        found.append(f"{where}title: must be text")
    elif "\n" in title.strip():
        found.append(f"{where}title: must be one line")
    elif len(title.strip()) > TITLE_MAX:
        found.append(f"{where}title: {len(title.strip())} characters, limit {TITLE_MAX}")

    if body is None or (isinstance(body, str) and not body.strip()):
        found.append(f"{where}body: missing")
    elif not isinstance(body, str):
        found.append(f"{where}body: must be text")
    elif len(body.strip()) > BODY_MAX:
        found.append(f"{where}body: {len(body.strip())} characters, limit {BODY_MAX}")

    if keywords is None:
        return found
    if not isinstance(keywords, list):
        found.append(f"{where}keywords: must be a list, e.g. [police, silence]")
        return found
    if len(keywords) > KEYWORDS_MAX:
        found.append(f"{where}keywords: {len(keywords)} keywords, limit {KEYWORDS_MAX}")
    for i, word in enumerate(keywords):
        if not is_text(word):
            found.append(f"{where}keywords[{i}]: must be non-empty text")
        elif len(word.strip()) > KEYWORD_MAX_CHARS:
            found.append(
                f"{where}keywords[{i}]: {len(word.strip())} characters, limit {KEYWORD_MAX_CHARS}"
            )
    return found


def id_problems(snippet_id: object) -> list[str]:
    """Problems with a snippet id: present, and 3-40 characters of a-z, 0-9 and -."""
    if not is_text(snippet_id):
        return ["id: missing"]
    if not ID_PATTERN.fullmatch(str(snippet_id)):
        return [f"id: {snippet_id!r} must be 3-40 characters of a-z, 0-9 and -"]
    return []


def _source_problems(raw: object, i: int, denied: Collection[str]) -> list[str]:
    where = f"sources[{i}]"
    if not isinstance(raw, Mapping):
        return [f"{where}: must be a mapping with publication and title"]
    found = _unknown_keys(raw, _SOURCE_KEYS, where + ".")
    for key in ("publication", "title"):
        value = raw.get(key)
        if not is_text(value):
            found.append(f"{where}.{key}: missing")
        elif len(value.strip()) > SOURCE_TEXT_MAX:
            found.append(f"{where}.{key}: {len(value.strip())} characters, limit {SOURCE_TEXT_MAX}")
    if raw.get("date") is not None and _parse_date(raw["date"]) is None:
        found.append(f"{where}.date: {raw['date']!r} is not a date (YYYY-MM-DD, or null)")
    url = raw.get("url")
    if url is None:
        return found
    if not isinstance(url, str) or not _HTTPS_URL.fullmatch(url.strip()) or len(url) > URL_MAX:
        found.append(f"{where}.url: must be one https:// address of at most {URL_MAX} characters")
    elif not (host := urlsplit(url.strip()).hostname):
        found.append(f"{where}.url: {url.strip()!r} has no host name")
    elif domain := denied_domain(host, denied):
        found.append(
            f"{where}.url: {domain} is a mirror or aggregator (denied_source_domains in "
            f"{POLICY_FILE}); cite the original source"
        )
    return found


def _attribution_problems(where: str, body: str, sources: Iterable[Source]) -> list[str]:
    folded = body.casefold()
    return [
        f"{where}body: cites {source.publication!r} (an opinionated publication) but never names "
        f"it; attribute its claims, e.g. 'according to {names[0]}'"
        for source in sources
        if (names := ADVOCACY_PUBLICATIONS.get(source.publication))
        and not any(name.casefold() in folded for name in names)
    ]


def embed_problems(snippet: Snippet) -> list[str]:
    """Problems with how ``snippet`` would render: Discord's embed limits, in each language."""
    found: list[str] = []
    shown = len(sources_text(snippet))
    if shown > FIELD_VALUE_MAX:
        found.append(
            f"sources: {shown} characters when shown, an embed field holds {FIELD_VALUE_MAX}"
        )
    for lang, text in snippet.texts.items():
        if len(text.title) > EMBED_TITLE_MAX:
            found.append(f"{lang}.title: longer than an embed title ({EMBED_TITLE_MAX})")
        if len(text.body) > EMBED_DESCRIPTION_MAX:
            found.append(f"{lang}.body: longer than an embed description ({EMBED_DESCRIPTION_MAX})")
        total = embed_chars(snippet, lang)
        if total > EMBED_TOTAL_MAX:
            found.append(
                f"{lang}: the embed would have {total} characters (title + body + sources + "
                f"{FOOTER_RESERVE} for the footer); Discord allows {EMBED_TOTAL_MAX}"
            )
    return found


def file_problems(
    data: object, folder: str, stem: str, *, denied_domains: Collection[str] = ()
) -> tuple[Snippet | None, list[str]]:
    """Validate one shipped file's YAML data (from ``<folder>/<stem>.yaml``); sources may not
    link to ``denied_domains`` (see :class:`Policy`).

    Returns the snippet, or ``None`` when it is unusable, and every problem found.
    """
    if not isinstance(data, Mapping):
        return None, ["top level must be a mapping (id:, kind:, checked:, sources:, en:, es:)"]
    found = _unknown_keys(data, _TOP_KEYS, "")

    snippet_id = data.get("id")
    bad_id = id_problems(snippet_id)
    found += bad_id
    if not bad_id and snippet_id != stem:
        found.append(f"id: {snippet_id!r} does not match the file name {stem + '.yaml'!r}")

    kind = data.get("kind")
    if not is_text(kind):
        found.append("kind: missing")
    elif kind not in KINDS:
        found.append(f"kind: {kind!r} must be one of {', '.join(KINDS)}")
    elif kind != folder:
        found.append(f"kind: {kind!r} does not match its folder {folder + '/'!r}")

    checked = _parse_date(data.get("checked"))
    if data.get("checked") is None:
        found.append("checked: missing")
    elif checked is None:
        found.append(f"checked: {data['checked']!r} is not a date (YYYY-MM-DD)")

    raw_sources = data.get("sources")
    sources: list[Source] = []
    if not isinstance(raw_sources, list) or not raw_sources:
        found.append("sources: missing (list at least one source)")
    else:
        for i, raw in enumerate(raw_sources):
            problems = _source_problems(raw, i, denied_domains)
            found += problems
            if not problems:
                sources.append(
                    Source(
                        publication=raw["publication"].strip(),
                        title=raw["title"].strip(),
                        date=_parse_date(raw.get("date")),
                        url=raw["url"].strip() if raw.get("url") else None,
                    )
                )

    texts: dict[str, Text] = {}
    for lang in LANGS:
        raw = data.get(lang)
        if raw is None:
            found.append(f"{lang}: missing (every snippet needs {' and '.join(LANGS)})")
            continue
        if not isinstance(raw, Mapping):
            found.append(f"{lang}: must be a mapping with title, body and keywords")
            continue
        found += _unknown_keys(raw, _TEXT_KEYS, f"{lang}.")
        problems = text_problems(f"{lang}.", raw.get("title"), raw.get("body"), raw.get("keywords"))
        if raw.get("keywords") is None:
            problems.append(f"{lang}.keywords: missing")
        found += problems
        if not problems:
            text = Text(
                title=raw["title"].strip(),
                body=raw["body"].strip(),
                keywords=tuple(word.strip() for word in raw["keywords"]),
            )
            found += _attribution_problems(f"{lang}.", text.body, sources)
            texts[lang] = text

    if found or checked is None:
        return None, found
    snippet = Snippet(
        id=str(snippet_id), kind=str(kind), checked=checked, sources=tuple(sources), texts=texts
    )
    return snippet, embed_problems(snippet)
