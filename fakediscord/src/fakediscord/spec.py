"""Discord's OpenAPI 3.1 spec: route matching and request-body validation.

The vendored ``spec/openapi.json`` (MIT, see ``spec/LICENSE``) is loaded once.  Every request
path is matched to one of the spec's path templates (literal segments such as ``@me`` or
``@original`` win over parameters), and JSON bodies are validated with jsonschema
(Draft 2020-12) against the operation's ``requestBody`` schema, with ``$ref`` resolved through a
``referencing`` registry holding the whole document.

Two relaxations are applied in memory, both stated in the spec's own README:

* ``oneOf`` is checked as ``anyOf``: the spec uses both to mean "one of these types", and
  all-optional object variants would otherwise make valid bodies match several branches.
* Discord accepts int-parseable strings for integer fields (e.g. ``default_member_permissions``
  that discord.py sends as a string), and ints for snowflakes (typed as numeric strings).

Formats (``uri``, ``date-time``...) are not enforced.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).parent / "spec" / "openapi.json"
SPEC_URI = "urn:fakediscord:openapi"
_INT_STRING = re.compile(r"^-?[0-9]+$")


@dataclass(frozen=True)
class Issue:
    """One validation problem: where in the body (``path``), a Discord-style code, and text."""

    path: tuple[str | int, ...]
    code: str
    message: str
    source: str = "spec"

    def describe(self) -> str:
        """Human-readable ``path: message (source)``."""
        where = ".".join(str(p) for p in self.path) or "<body>"
        return f"{where}: {self.message} ({self.source})"


@dataclass(frozen=True)
class RouteMatch:
    """A request path matched to a spec path template."""

    template: str
    params: dict[str, str]


def _any_of(validator: Any, schemas: list[Any], instance: Any, schema: Any) -> Iterator[Any]:
    """``anyOf`` semantics, used for ``oneOf`` too (see module docstring)."""
    errors: list[ValidationError] = []
    for index, subschema in enumerate(schemas):
        errs = list(validator.descend(instance, subschema, schema_path=index))
        if not errs:
            return
        errors.extend(errs)
    yield ValidationError(
        f"{instance!r} is not valid under any of the given schemas", context=errors
    )


def _is_integer(checker: Any, instance: Any) -> bool:
    if isinstance(instance, bool):
        return False
    if isinstance(instance, int):
        return True
    if isinstance(instance, float):
        return instance.is_integer()
    return isinstance(instance, str) and bool(_INT_STRING.match(instance))


_Validator = validators.extend(
    Draft202012Validator,
    validators={"oneOf": _any_of},
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)

_KEYWORD_CODES = {
    "maxLength": "BASE_TYPE_MAX_LENGTH",
    "minLength": "BASE_TYPE_MIN_LENGTH",
    "maxItems": "BASE_TYPE_MAX_LENGTH",
    "minItems": "BASE_TYPE_MIN_LENGTH",
    "required": "BASE_TYPE_REQUIRED",
    "type": "BASE_TYPE_BAD_TYPE",
    "enum": "BASE_TYPE_CHOICES",
    "const": "BASE_TYPE_CHOICES",
    "maximum": "NUMBER_TYPE_MAX",
    "minimum": "NUMBER_TYPE_MIN",
    "pattern": "BASE_TYPE_BAD_FORMAT",
    "maxProperties": "BASE_TYPE_MAX_LENGTH",
    "uniqueItems": "BASE_TYPE_DUPLICATE",
}


class ApiSpec:
    """The loaded spec with compiled path matchers and cached body validators."""

    def __init__(self, path: Path = SPEC_PATH) -> None:
        document = json.loads(path.read_text(encoding="utf-8"))
        self.document: dict[str, Any] = document
        self.info: dict[str, Any] = document.get("info", {})
        self._relax(document)
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
        self._routes = sorted(
            (self._compile(template) for template in document["paths"]),
            key=lambda item: (-item[2], item[0]),
        )
        self._validators: dict[tuple[str, str], Any] = {}
        enum = document["components"]["schemas"].get("AvailableLocalesEnum", {})
        self.locales: frozenset[str] = frozenset(
            option["const"] for option in enum.get("oneOf", []) if "const" in option
        )

    @staticmethod
    def _relax(document: dict[str, Any]) -> None:
        schemas = document["components"]["schemas"]
        snowflake = copy.deepcopy(schemas["SnowflakeType"])
        schemas["SnowflakeType"] = {
            "anyOf": [snowflake, {"type": "integer", "minimum": 0}],
        }

    @staticmethod
    def _compile(template: str) -> tuple[str, re.Pattern[str], int]:
        parts = template.strip("/").split("/")
        literal = 0
        regex = ""
        for part in parts:
            if part.startswith("{") and part.endswith("}"):
                regex += "/(?P<" + part[1:-1] + ">[^/]+)"
            else:
                literal += 1
                regex += "/" + re.escape(part)
        return template, re.compile("^" + regex + "/?$"), literal

    def match(self, path: str) -> RouteMatch | None:
        """Match a request path (without the /api/v10 prefix) to a spec template."""
        for template, pattern, _literal in self._routes:
            found = pattern.match(path)
            if found:
                return RouteMatch(template, found.groupdict())
        return None

    def operation(self, method: str, template: str) -> dict[str, Any] | None:
        """The spec's operation object for ``method`` on ``template``, if it exists."""
        item = self.document["paths"].get(template, {})
        op = item.get(method.lower())
        return op if isinstance(op, dict) else None

    def body_schema_pointer(self, method: str, template: str) -> str | None:
        """JSON pointer of the JSON body schema of an operation (payload_json for multipart)."""
        op = self.operation(method, template)
        if op is None or "requestBody" not in op:
            return None
        content = op["requestBody"].get("content", {})
        for media in ("application/json", "multipart/form-data"):
            if media in content and "schema" in content[media]:
                return "/".join(
                    [
                        "",
                        "paths",
                        _escape(template),
                        method.lower(),
                        "requestBody",
                        "content",
                        _escape(media),
                        "schema",
                    ]
                )
        return None

    def body_required(self, method: str, template: str) -> bool:
        """Whether the operation declares its request body as required."""
        op = self.operation(method, template) or {}
        return bool(op.get("requestBody", {}).get("required", False))

    def validate_body(self, method: str, template: str, body: Any) -> list[Issue]:
        """Validate ``body`` against the operation's request schema; [] when valid."""
        key = (method.upper(), template)
        validator = self._validators.get(key)
        if validator is None:
            pointer = self.body_schema_pointer(method, template)
            if pointer is None:
                return []
            validator = _Validator({"$ref": f"{SPEC_URI}#{pointer}"}, registry=self._registry)
            self._validators[key] = validator
        issues: list[Issue] = []
        for error in validator.iter_errors(body):
            best = _leaf(error)
            issues.append(
                Issue(
                    path=tuple(best.absolute_path),
                    code=_KEYWORD_CODES.get(str(best.validator), "INVALID_FORM_BODY"),
                    message=_message(best),
                )
            )
        return issues


def _leaf(error: ValidationError) -> ValidationError:
    """The most telling error under an anyOf/oneOf failure.

    Picks the union branch whose discriminator (a ``type`` property checked by enum/const)
    matched and that has the fewest errors, then its deepest error; recurses into nested unions.
    """
    while error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            key = sub.relative_schema_path[0] if sub.relative_schema_path else None
            branches.setdefault(key, []).append(sub)

        def rank(errs: list[ValidationError]) -> tuple[int, int]:
            mismatch = any(
                e.validator in ("enum", "const") and list(e.relative_path)[-1:] == ["type"]
                for e in errs
            ) or any(e.validator == "type" and not list(e.relative_path) for e in errs)
            return (1 if mismatch else 0, len(errs))

        chosen = min(branches.values(), key=rank)
        if rank(chosen)[0] == 1:
            return best_match([error]) or error
        error = max(chosen, key=lambda e: len(list(e.absolute_path)))
    return error


def _message(error: ValidationError) -> str:
    """Discord-like wording for the common keywords; jsonschema's text otherwise."""
    value = error.validator_value
    templates = {
        "maxLength": "Must be {v} or fewer in length.",
        "minLength": "Must be {v} or more in length.",
        "maxItems": "Must be {v} or fewer in length.",
        "minItems": "Must be {v} or more in length.",
        "maximum": "Int value should be less than or equal to {v}.",
        "minimum": "Int value should be greater than or equal to {v}.",
        "enum": "Value must be one of {v}.",
        "const": "Value must be {v}.",
    }
    template = templates.get(str(error.validator))
    return template.format(v=value) if template else _short(error.message)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _short(message: str, limit: int = 200) -> str:
    return message if len(message) <= limit else message[: limit - 3] + "..."


@cache
def load_spec() -> ApiSpec:
    """The process-wide parsed spec (parsing takes a few tens of milliseconds)."""
    return ApiSpec()


def errors_tree(issues: list[Issue]) -> dict[str, Any]:
    """Turn issues into Discord's nested ``errors`` object of a 50035 Invalid Form Body."""
    tree: dict[str, Any] = {}
    for issue in issues:
        node = tree
        for part in issue.path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": issue.code, "message": issue.message})
    return tree
