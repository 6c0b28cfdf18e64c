"""Rights and history snippets: one reviewed YAML file per snippet, loaded into typed records.

The shipped snippets live in ``rights/<id>.yaml`` and ``history/<id>.yaml`` beside this module
(see ``README.md`` for the format). :func:`load_snippets` reads and validates them and raises
:class:`ContentError` listing every problem; :func:`snippet_problems` returns the same problems as
a list (``python bot.py content check`` and the tests run it). Each problem names the file and the
field, e.g. ``rights/remain-silent.yaml: es.body: missing``.

A server's own snippets (added by a moderator through a modal: one language, a free-text source)
are checked with :func:`validate_snippet_fields` and built with :func:`guild_snippet`, under the
same limits. Rights snippets need the "general information, not legal advice" footer; the footer
text lives in the catalog and the renderer adds it when :attr:`Snippet.needs_legal_notice`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from core.text import (
    EMBED_DESCRIPTION_MAX,
    EMBED_TITLE_MAX,
    EMBED_TOTAL_MAX,
    FIELD_VALUE_MAX,
)
from messages import DEFAULT_LANG, LANGS, normalize_locale

__all__ = [
    "ADVOCACY_PUBLICATIONS",
    "BODY_AIM",
    "BODY_MAX",
    "FOOTER_RESERVE",
    "ID_PATTERN",
    "KEYWORDS_MAX",
    "KEYWORD_MAX_CHARS",
    "KINDS",
    "SNIPPETS_DIR",
    "SOURCE_LINE_MAX",
    "TITLE_MAX",
    "ContentError",
    "Snippet",
    "Source",
    "Text",
    "embed_chars",
    "guild_snippet",
    "load_snippets",
    "shipped_snippets",
    "snippet_problems",
    "sources_text",
    "validate_snippet_fields",
]

SNIPPETS_DIR = Path(__file__).parent
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

ADVOCACY_PUBLICATIONS: dict[str, tuple[str, ...]] = {
    "World Socialist Web Site": ("WSWS", "World Socialist Web Site"),
    "International Youth and Students for Social Equality (US)": ("IYSSE",),
    "Dare to Struggle": ("Dare to Struggle",),
    "unattributed": ("URGENT UPDATE",),
}
"""Opinionated publications: a snippet citing one must name it in every language's body
(write "according to WSWS, …"); any of the listed names counts."""

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TOP_KEYS = ("id", "kind", "checked", "sources", *LANGS)
_TEXT_KEYS = ("title", "body", "keywords")
_SOURCE_KEYS = ("publication", "title", "date", "url")


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


# --- YAML reading ------------------------------------------------------------------------------

_PLAIN_TEXT_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("bool", "int", "float", "timestamp")
)


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster


class _Loader(_SafeLoader):
    """SafeLoader that keeps dates, numbers and yes/no as text and rejects duplicate keys.

    Editors write ``checked: 2026-02-30`` or ``keywords: [no, 1968]``; plain YAML would crash on
    the first and turn the second into ``False`` and ``1968``. Here both stay strings and the
    validator explains what is wrong.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _PLAIN_TEXT_TAGS]
    for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_Loader)  # _Loader is a SafeLoader


def _yaml_error(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    what = getattr(exc, "problem", None) or str(exc)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
    return f"not valid YAML: {what}{where}"


# --- field checks ------------------------------------------------------------------------------


def _is_text(value: object) -> bool:
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


def _text_problems(where: str, title: object, body: object, keywords: object) -> list[str]:
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
        if not _is_text(word):
            found.append(f"{where}keywords[{i}]: must be non-empty text")
        elif len(word.strip()) > KEYWORD_MAX_CHARS:
            found.append(
                f"{where}keywords[{i}]: {len(word.strip())} characters, limit {KEYWORD_MAX_CHARS}"
            )
    return found


def _id_problems(snippet_id: object) -> list[str]:
    if not _is_text(snippet_id):
        return ["id: missing"]
    if not ID_PATTERN.fullmatch(str(snippet_id)):
        return [f"id: {snippet_id!r} must be 3-40 characters of a-z, 0-9 and -"]
    return []


def _source_problems(raw: object, i: int) -> list[str]:
    where = f"sources[{i}]"
    if not isinstance(raw, Mapping):
        return [f"{where}: must be a mapping with publication and title"]
    found = _unknown_keys(raw, _SOURCE_KEYS, where + ".")
    for key in ("publication", "title"):
        value = raw.get(key)
        if not _is_text(value):
            found.append(f"{where}.{key}: missing")
        elif len(value.strip()) > SOURCE_TEXT_MAX:
            found.append(f"{where}.{key}: {len(value.strip())} characters, limit {SOURCE_TEXT_MAX}")
    if raw.get("date") is not None and _parse_date(raw["date"]) is None:
        found.append(f"{where}.date: {raw['date']!r} is not a date (YYYY-MM-DD, or null)")
    url = raw.get("url")
    if url is not None and (
        not isinstance(url, str)
        or not re.fullmatch(r"https?://\S+", url.strip())
        or len(url) > URL_MAX
    ):
        found.append(f"{where}.url: must be one http(s) address of at most {URL_MAX} characters")
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


def _embed_problems(snippet: Snippet) -> list[str]:
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


# --- shipped files -----------------------------------------------------------------------------


def _parse_file(data: object, folder: str, stem: str) -> tuple[Snippet | None, list[str]]:
    """Validate one file's YAML data; return the snippet (if usable) and its problems."""
    if not isinstance(data, Mapping):
        return None, ["top level must be a mapping (id:, kind:, checked:, sources:, en:, es:)"]
    found = _unknown_keys(data, _TOP_KEYS, "")

    snippet_id = data.get("id")
    id_problems = _id_problems(snippet_id)
    found += id_problems
    if not id_problems and snippet_id != stem:
        found.append(f"id: {snippet_id!r} does not match the file name {stem + '.yaml'!r}")

    kind = data.get("kind")
    if not _is_text(kind):
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
            problems = _source_problems(raw, i)
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
        problems = _text_problems(
            f"{lang}.", raw.get("title"), raw.get("body"), raw.get("keywords")
        )
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
    return snippet, _embed_problems(snippet)


def _scan(directory: Path) -> tuple[list[Snippet], list[str]]:
    snippets: list[Snippet] = []
    problems: list[str] = []
    owners: dict[str, str] = {}
    for path in sorted(directory.rglob("*")):
        if not path.is_file() or path.suffix not in (".yaml", ".yml"):
            continue
        rel = path.relative_to(directory).as_posix()
        folder = path.parent.name if path.parent.parent == directory else ""
        if path.suffix == ".yml":
            problems.append(f"{rel}: use the .yaml extension")
            continue
        if folder not in KINDS:
            problems.append(f"{rel}: snippet files go in {' or '.join(k + '/' for k in KINDS)}")
            continue
        try:
            data = _read_yaml(path)
        except yaml.YAMLError as exc:
            problems.append(f"{rel}: {_yaml_error(exc)}")
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{rel}: cannot read ({exc})")
            continue
        snippet, found = _parse_file(data, folder, path.stem)
        problems += [f"{rel}: {problem}" for problem in found]
        snippet_id = data.get("id") if isinstance(data, Mapping) else None
        if isinstance(snippet_id, str) and snippet_id:
            if snippet_id in owners:
                problems.append(f"{rel}: id: {snippet_id!r} is also used by {owners[snippet_id]}")
            else:
                owners[snippet_id] = rel
        if snippet is not None and not found:
            snippets.append(snippet)
    snippets.sort(key=lambda s: (KINDS.index(s.kind), s.id))
    return snippets, problems


def snippet_problems(directory: Path = SNIPPETS_DIR) -> list[str]:
    """Every problem with the snippet files under ``directory``; empty means healthy."""
    return _scan(directory)[1]


def load_snippets(directory: Path = SNIPPETS_DIR) -> list[Snippet]:
    """Read and validate every snippet under ``directory``, rights first, each kind by id.

    Raises :class:`ContentError` listing every problem (file and field) if any file is invalid.
    """
    snippets, problems = _scan(directory)
    if problems:
        raise ContentError(problems)
    return snippets


@cache
def shipped_snippets() -> tuple[Snippet, ...]:
    """The shipped snippets, loaded and validated once."""
    return tuple(load_snippets())


# --- server (guild) snippets -------------------------------------------------------------------


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
    found = _id_problems(snippet_id)
    if not found and snippet_id in taken_ids:
        found.append(f"id: {snippet_id!r} is already used")
    if kind is not None and kind not in KINDS:
        found.append(f"kind: {kind!r} must be one of {', '.join(KINDS)}")
    if lang not in LANGS:
        found.append(f"lang: {lang!r} must be one of {', '.join(LANGS)}")
    found += _text_problems("", title, body, list(keywords))
    if not _is_text(source):
        found.append("source: missing")
    elif "\n" in source.strip():
        found.append("source: must be one line")
    elif len(source.strip()) > SOURCE_LINE_MAX:
        found.append(f"source: {len(source.strip())} characters, limit {SOURCE_LINE_MAX}")
    if found:
        return found
    snippet = _guild_snippet(
        snippet_id, kind or KINDS[0], title, body, source, lang, dt.date.min, ()
    )
    return [problem.removeprefix(f"{lang}.") for problem in _embed_problems(snippet)]


def _guild_snippet(
    snippet_id: str,
    kind: str,
    title: str,
    body: str,
    source: str,
    lang: str,
    checked: dt.date,
    keywords: Iterable[str],
) -> Snippet:
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
    taken_ids: Collection[str] = (),
) -> Snippet:
    """Build a server snippet (``origin="guild"``), or raise :class:`ContentError`."""
    keywords = tuple(keywords)
    problems = validate_snippet_fields(
        snippet_id,
        title,
        body,
        source,
        lang,
        kind=kind,
        keywords=keywords,
        taken_ids=taken_ids,
    )
    if problems:
        raise ContentError(problems)
    return _guild_snippet(snippet_id, kind, title, body, source, lang, checked, keywords)
