"""User-facing text: English and Spanish catalogs as data, looked up by stable dotted keys.

``t("walkout.registered", "es", school=...)`` returns the Spanish text with its placeholders
filled. A key missing in a language falls back to English and is logged once; :func:`problems`
is the validator the tests and ``python bot.py content check`` run.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, overload

import yaml

log = logging.getLogger(__name__)

LANGS: tuple[str, ...] = ("en", "es")
DEFAULT_LANG = "en"
LOCALES_DIR = Path(__file__).parent / "locales"

Catalog = dict[str, str]


@overload
def normalize_locale(value: object | None) -> str: ...
@overload
def normalize_locale(value: object | None, default: str) -> str: ...
@overload
def normalize_locale(value: object | None, default: None) -> str | None: ...
def normalize_locale(value: object | None, default: str | None = DEFAULT_LANG) -> str | None:
    """Map a Discord locale (``es-ES``, ``es-419``, ``en-US``, ``discord.Locale``) to a lang.

    A locale we have no catalog for (``fr``, ``""``, ``None``) gives ``default``: English,
    or ``None`` for a caller that falls back to something else (see ``resolve_lang``).
    """
    if value is None:
        return default
    text = str(getattr(value, "value", value)).strip().lower()
    for lang in LANGS:
        if text == lang or text.startswith(lang + "-"):
            return lang
    return default


def flatten(tree: Mapping[str, Any], prefix: str = "") -> Catalog:
    """Flatten nested YAML mappings into dotted keys; leaves must be strings."""
    out: Catalog = {}
    for key, value in tree.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, dotted + "."))
        else:
            out[dotted] = value if isinstance(value, str) else str(value)
    return out


def load_catalogs(directory: Path = LOCALES_DIR) -> dict[str, Catalog]:
    """Read every ``<lang>/*.yaml`` (one file per feature) for each language in :data:`LANGS`.

    A key defined in two files of the same language is an error, so features cannot silently
    overwrite each other's text.
    """
    catalogs: dict[str, Catalog] = {}
    for lang in LANGS:
        merged: Catalog = {}
        origin: dict[str, str] = {}
        files = sorted((directory / lang).glob("*.yaml"))
        if not files:
            raise ValueError(f"{directory / lang}: no catalog files")
        for path in files:
            with path.open(encoding="utf-8") as fh:
                data = yaml.safe_load(fh) or {}
            if not isinstance(data, Mapping):
                raise ValueError(f"{path}: top level must be a mapping of keys")
            for key, text in flatten(data).items():
                if key in merged:
                    raise ValueError(f"{path}: key {key} is already defined in {origin[key]}")
                merged[key] = text
                origin[key] = path.name
        catalogs[lang] = merged
    return catalogs


@cache
def catalogs() -> dict[str, Catalog]:
    """The shipped catalogs, loaded once."""
    return load_catalogs()


_warned: set[tuple[str, str]] = set()


def t(key: str, locale: object | None = DEFAULT_LANG, /, **fields: Any) -> str:
    """Return the text for ``key`` in ``locale`` (falling back to English) with fields filled."""
    lang = normalize_locale(locale)
    cats = catalogs()
    text = cats.get(lang, {}).get(key)
    if text is None:
        if (lang, key) not in _warned:
            _warned.add((lang, key))
            log.warning("missing message key %r for %s; using English", key, lang)
        text = cats[DEFAULT_LANG].get(key)
    if text is None:
        return key
    if not fields:
        return text
    try:
        return text.format_map(fields)
    except (KeyError, IndexError, ValueError):
        log.exception("bad placeholders for message key %r (%s)", key, lang)
        return text


def placeholders(text: str) -> set[str]:
    """The ``{names}`` used by a catalog text."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def problems(cats: Mapping[str, Catalog]) -> list[str]:
    """Validate catalogs: same keys in every language, same placeholders, no empty text.

    Returns human-readable problems; an empty list means the catalogs are healthy.
    """
    found: list[str] = []
    base = cats.get(DEFAULT_LANG, {})
    for lang, cat in cats.items():
        for key, text in cat.items():
            if not text.strip():
                found.append(f"{lang}: {key}: empty text")
            try:
                placeholders(text)
            except ValueError as exc:
                found.append(f"{lang}: {key}: malformed placeholder ({exc})")
        if lang == DEFAULT_LANG:
            continue
        for key in sorted(base.keys() - cat.keys()):
            found.append(f"{lang}: missing key {key}")
        for key in sorted(cat.keys() - base.keys()):
            found.append(f"{lang}: key {key} is not in {DEFAULT_LANG}")
        for key in sorted(base.keys() & cat.keys()):
            try:
                if placeholders(base[key]) != placeholders(cat[key]):
                    found.append(
                        f"{lang}: {key}: placeholders {sorted(placeholders(cat[key]))} "
                        f"differ from {DEFAULT_LANG} {sorted(placeholders(base[key]))}"
                    )
            except ValueError:
                pass  # already reported above
    return found
