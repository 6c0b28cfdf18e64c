"""Reading the shipped snippet files: ``rights/<id>.yaml`` and ``history/<id>.yaml`` beside this
module, and ``policy.yaml`` with the review interval and the source deny-list (see ``README.md``).

:func:`load_snippets` reads and validates every file and raises :class:`ContentError` listing
every problem; :func:`snippet_problems` returns the same problems as a list (``python bot.py
content check`` and the tests run it). Each problem names the file and the field, e.g.
``rights/remain-silent.yaml: es.body: missing``. :func:`snippet_warnings` lists what still works
but needs attention on a given day: snippets due for review. The checks themselves are in
:mod:`messages.snippets.validator`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from messages.snippets.model import KINDS, ContentError, Snippet
from messages.snippets.validator import (
    POLICY_FILE,
    Policy,
    file_problems,
    policy_problems,
    review_warnings,
)

__all__ = [
    "SNIPPETS_DIR",
    "load_policy",
    "load_snippets",
    "shipped_snippets",
    "snippet_problems",
    "snippet_warnings",
]

SNIPPETS_DIR = Path(__file__).parent

_PLAIN_TEXT_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("bool", "int", "float", "timestamp")
)


if TYPE_CHECKING:
    _SafeLoader = yaml.SafeLoader
else:  # libyaml when present: 10x faster
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


def read_yaml(path: Path) -> Any:
    """One YAML file as plain data: dates, numbers and yes/no stay text; duplicate keys fail."""
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_Loader)  # _Loader is a SafeLoader


def yaml_error(exc: yaml.YAMLError) -> str:
    """A YAML error as one line with its position."""
    mark = getattr(exc, "problem_mark", None)
    what = getattr(exc, "problem", None) or str(exc)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
    return f"not valid YAML: {what}{where}"


def load_policy(directory: Path = SNIPPETS_DIR) -> tuple[Policy, list[str]]:
    """``policy.yaml`` from ``directory``, or the shipped one if ``directory`` has none (so a
    test's folder of snippets is held to the shipped rules unless it brings its own)."""
    path = directory / POLICY_FILE
    if not path.is_file():
        path = SNIPPETS_DIR / POLICY_FILE
    rel = POLICY_FILE if path.parent == directory else path.as_posix()
    if not path.is_file():
        return Policy(None), [f"{rel}: missing (review_interval_days and denied_source_domains)"]
    try:
        data = read_yaml(path)
    except yaml.YAMLError as exc:
        return Policy(None), [f"{rel}: {yaml_error(exc)}"]
    except (OSError, UnicodeDecodeError) as exc:
        return Policy(None), [f"{rel}: cannot read ({exc})"]
    policy, found = policy_problems(data)
    return policy, [f"{rel}: {problem}" for problem in found]


def _scan(directory: Path) -> tuple[list[Snippet], list[str], Policy]:
    policy, problems = load_policy(directory)
    snippets: list[Snippet] = []
    owners: dict[str, str] = {}
    for path in sorted(directory.rglob("*")):
        if not path.is_file() or path.suffix not in (".yaml", ".yml"):
            continue
        if path == directory / POLICY_FILE:
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
            data = read_yaml(path)
        except yaml.YAMLError as exc:
            problems.append(f"{rel}: {yaml_error(exc)}")
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{rel}: cannot read ({exc})")
            continue
        snippet, found = file_problems(
            data, folder, path.stem, denied_domains=policy.denied_domains
        )
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
    return snippets, problems, policy


def snippet_problems(directory: Path = SNIPPETS_DIR) -> list[str]:
    """Every problem with the snippet files under ``directory``; empty means healthy."""
    return _scan(directory)[1]


def snippet_warnings(directory: Path = SNIPPETS_DIR, *, today: dt.date) -> list[str]:
    """What needs attention on ``today`` but does not stop the bot: snippets whose ``checked``
    date is older than the policy's review interval. Files with problems are left out (they
    are reported by :func:`snippet_problems`)."""
    snippets, _, policy = _scan(directory)
    if policy.review_interval_days is None:
        return []
    return review_warnings(snippets, today=today, interval_days=policy.review_interval_days)


def load_snippets(directory: Path = SNIPPETS_DIR) -> list[Snippet]:
    """Read and validate every snippet under ``directory``, rights first, each kind by id.

    Raises :class:`ContentError` listing every problem (file and field) if any file is invalid.
    """
    snippets, problems, _ = _scan(directory)
    if problems:
        raise ContentError(problems)
    return snippets


@cache
def shipped_snippets() -> tuple[Snippet, ...]:
    """The shipped snippets, loaded and validated once."""
    return tuple(load_snippets())
