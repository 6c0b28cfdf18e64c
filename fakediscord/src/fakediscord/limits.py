"""Discord's documented limits, checked on top of the OpenAPI schema.

The spec is looser than the docs in several places (e.g. it allows 4000-character message
content, 130 commands per PUT, any ``name`` of 1-32 characters); where they differ, the docs
win and these checks apply.  Each checker returns a list of :class:`~fakediscord.spec.Issue`
with ``source="docs"``; the server answers them like Discord (400, code 50035) in strict mode.

Sources: Discord API docs, "Message Resource" (embed limits), "Message Components",
"Receiving and Responding" (callback data, autocomplete, modals), "Application Commands"
(naming, 8000-character rule, counts), "Guild Scheduled Event".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from fakediscord.spec import Issue, load_spec

Path = tuple[str | int, ...]
Checker = Callable[[Any], list[Issue]]

# --- messages -----------------------------------------------------------------------------
CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
ATTACHMENTS_MAX = 10
# --- components ---------------------------------------------------------------------------
ACTION_ROWS_MAX = 5
ROW_BUTTONS_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
SELECT_OPTIONS_MAX = 25
SELECT_OPTION_TEXT_MAX = 100
SELECT_PLACEHOLDER_MAX = 150
COMPONENTS_V2_TOTAL_MAX = 40
IS_COMPONENTS_V2 = 1 << 15
# --- modals -------------------------------------------------------------------------------
MODAL_TITLE_MAX = 45
MODAL_COMPONENTS_MAX = 5
TEXT_INPUT_LABEL_MAX = 45
TEXT_INPUT_PLACEHOLDER_MAX = 100
TEXT_INPUT_VALUE_MAX = 4000
LABEL_DESCRIPTION_MAX = 100
# --- autocomplete -------------------------------------------------------------------------
AUTOCOMPLETE_CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_STRING_VALUE_MAX = 100
# --- application commands -----------------------------------------------------------------
COMMAND_NAME_MAX = 32
COMMAND_DESCRIPTION_MAX = 100
COMMAND_OPTIONS_MAX = 25
COMMAND_CHOICES_MAX = 25
COMMAND_TOTAL_CHARS_MAX = 8000
GLOBAL_CHAT_INPUT_MAX = 100
USER_COMMANDS_MAX = 5
MESSAGE_COMMANDS_MAX = 5
STRING_OPTION_LENGTH_MAX = 6000
# --- scheduled events ---------------------------------------------------------------------
EVENT_NAME_MAX = 100
EVENT_DESCRIPTION_MAX = 1000
EVENT_LOCATION_MAX = 100
EVENTS_UNCOMPLETED_MAX = 100

#: Valid locale keys for ``*_localizations`` (Discord's "Locales" reference; the spec's
#: AvailableLocalesEnum is the same list plus newer additions, and is used when present).
DOCUMENTED_LOCALES = frozenset(
    [
        "id",
        "da",
        "de",
        "en-GB",
        "en-US",
        "es-ES",
        "es-419",
        "fr",
        "hr",
        "it",
        "lt",
        "hu",
        "nl",
        "no",
        "pl",
        "pt-BR",
        "ro",
        "fi",
        "sv-SE",
        "vi",
        "tr",
        "cs",
        "el",
        "bg",
        "ru",
        "uk",
        "hi",
        "th",
        "zh-CN",
        "ja",
        "zh-TW",
        "ko",
    ]
)


def known_locales() -> frozenset[str]:
    """Documented locales plus any newer ones listed in the spec's AvailableLocalesEnum."""
    return DOCUMENTED_LOCALES | load_spec().locales


def _issue(path: Path, message: str, code: str = "BASE_TYPE_BAD_LENGTH") -> Issue:
    return Issue(path=path, code=code, message=message, source="docs")


def _length(
    value: Any, path: Path, maximum: int, minimum: int = 0, what: str = "length"
) -> list[Issue]:
    if value is None or not isinstance(value, str):
        return []
    if minimum <= len(value) <= maximum:
        return []
    if minimum:
        return [
            _issue(
                path,
                f"Must be between {minimum} and {maximum} in {what} (got {len(value)}).",
                "BASE_TYPE_BAD_LENGTH",
            )
        ]
    return [
        _issue(
            path,
            f"Must be {maximum} or fewer in {what} (got {len(value)}).",
            "BASE_TYPE_MAX_LENGTH",
        )
    ]


def _count(items: Any, path: Path, maximum: int, what: str) -> list[Issue]:
    if isinstance(items, list) and len(items) > maximum:
        return [_issue(path, f"Must be {maximum} or fewer {what} (got {len(items)}).")]
    return []


# =========================================================================== messages
def check_message(body: Any, path: Path = ()) -> list[Issue]:
    """Content, embeds, components and attachments of a message create/edit body."""
    if not isinstance(body, dict):
        return []
    issues: list[Issue] = []
    flags = body.get("flags") or 0
    flags = int(flags) if isinstance(flags, int | str) and str(flags).lstrip("-").isdigit() else 0
    v2 = bool(flags & IS_COMPONENTS_V2)
    issues += _length(body.get("content"), (*path, "content"), CONTENT_MAX)
    if v2 and (body.get("content") or body.get("embeds")):
        issues.append(
            _issue(
                (*path, "content"),
                "content and embeds cannot be used with the IS_COMPONENTS_V2 flag.",
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
            )
        )
    embeds = body.get("embeds")
    if isinstance(embeds, list):
        issues += check_embeds(embeds, (*path, "embeds"))
    components = body.get("components")
    if isinstance(components, list):
        issues += check_components(components, (*path, "components"), v2=v2)
    issues += _count(
        body.get("attachments"), (*path, "attachments"), ATTACHMENTS_MAX, "attachments"
    )
    return issues


def check_embeds(embeds: list[Any], path: Path) -> list[Issue]:
    """Per-embed field limits and the 6000-character total across all embeds."""
    issues = _count(embeds, path, EMBEDS_MAX, "embeds")
    total = 0
    for index, embed in enumerate(embeds):
        if not isinstance(embed, dict):
            continue
        here = (*path, index)
        issues += _length(embed.get("title"), (*here, "title"), EMBED_TITLE_MAX)
        issues += _length(embed.get("description"), (*here, "description"), EMBED_DESCRIPTION_MAX)
        total += _text_len(embed.get("title")) + _text_len(embed.get("description"))
        fields = embed.get("fields") or []
        issues += _count(fields, (*here, "fields"), EMBED_FIELDS_MAX, "fields")
        for findex, fld in enumerate(fields if isinstance(fields, list) else []):
            if not isinstance(fld, dict):
                continue
            fpath = (*here, "fields", findex)
            if not fld.get("name"):
                issues.append(
                    _issue((*fpath, "name"), "This field is required", "BASE_TYPE_REQUIRED")
                )
            if not fld.get("value"):
                issues.append(
                    _issue((*fpath, "value"), "This field is required", "BASE_TYPE_REQUIRED")
                )
            issues += _length(fld.get("name"), (*fpath, "name"), EMBED_FIELD_NAME_MAX)
            issues += _length(fld.get("value"), (*fpath, "value"), EMBED_FIELD_VALUE_MAX)
            total += _text_len(fld.get("name")) + _text_len(fld.get("value"))
        footer = embed.get("footer")
        if isinstance(footer, dict):
            issues += _length(footer.get("text"), (*here, "footer", "text"), EMBED_FOOTER_MAX)
            total += _text_len(footer.get("text"))
        author = embed.get("author")
        if isinstance(author, dict):
            issues += _length(author.get("name"), (*here, "author", "name"), EMBED_AUTHOR_MAX)
            total += _text_len(author.get("name"))
    if total > EMBED_TOTAL_MAX:
        issues.append(
            _issue(path, f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX} (got {total}).")
        )
    return issues


def _text_len(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def check_components(components: list[Any], path: Path, *, v2: bool = False) -> list[Issue]:
    """Action rows, buttons and selects of a message (legacy layout, or Components V2 counts)."""
    issues: list[Issue] = []
    custom_ids: dict[str, Path] = {}
    if v2:
        total = sum(1 for _ in _walk_components(components))
        if total > COMPONENTS_V2_TOTAL_MAX:
            issues.append(
                _issue(
                    path, f"Must be {COMPONENTS_V2_TOTAL_MAX} or fewer components (got {total})."
                )
            )
    else:
        issues += _count(components, path, ACTION_ROWS_MAX, "action rows")
    for index, row in enumerate(components):
        rpath = (*path, index)
        if not isinstance(row, dict):
            continue
        if row.get("type") != 1:
            if not v2:
                issues.append(
                    _issue(
                        (*rpath, "type"),
                        "Top-level message components must be action rows (type 1) "
                        "unless the IS_COMPONENTS_V2 flag is set.",
                        "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                    )
                )
            continue
        children = row.get("components") or []
        if not children:
            issues.append(_issue((*rpath, "components"), "Action rows need 1-5 components."))
        issues += _count(children, (*rpath, "components"), ROW_BUTTONS_MAX, "buttons in a row")
        selects = [c for c in children if isinstance(c, dict) and c.get("type") in (3, 5, 6, 7, 8)]
        if selects and len(children) > 1:
            issues.append(
                _issue(
                    (*rpath, "components"),
                    "A select menu must be the only component in its action row.",
                    "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                )
            )
    for cpath, component in _walk_components(components, path):
        issues += _check_interactive(component, cpath, custom_ids)
    return issues


def _walk_components(
    components: Iterable[Any], path: Path = ()
) -> Iterable[tuple[Path, dict[str, Any]]]:
    for index, component in enumerate(components):
        if not isinstance(component, dict):
            continue
        here = (*path, index)
        yield here, component
        children = component.get("components")
        if isinstance(children, list):
            yield from _walk_components(children, (*here, "components"))
        accessory = component.get("accessory")
        if isinstance(accessory, dict):
            yield (*here, "accessory"), accessory
        inner = component.get("component")
        if isinstance(inner, dict):
            yield (*here, "component"), inner


def _check_interactive(component: dict[str, Any], path: Path, seen: dict[str, Path]) -> list[Issue]:
    issues: list[Issue] = []
    ctype = component.get("type")
    custom_id = component.get("custom_id")
    if isinstance(custom_id, str):
        issues += _length(custom_id, (*path, "custom_id"), CUSTOM_ID_MAX, 1)
        if custom_id in seen:
            issues.append(
                _issue(
                    (*path, "custom_id"),
                    f"Component custom id cannot be duplicated ({custom_id!r}).",
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                )
            )
        seen[custom_id] = path
    if ctype == 2:
        issues += _length(component.get("label"), (*path, "label"), BUTTON_LABEL_MAX)
        style = component.get("style")
        if style == 5:
            if not component.get("url"):
                issues.append(
                    _issue((*path, "url"), "Link buttons need a url.", "BASE_TYPE_REQUIRED")
                )
            if custom_id is not None:
                issues.append(_issue((*path, "custom_id"), "Link buttons cannot have a custom_id."))
        elif style == 6:
            if not component.get("sku_id"):
                issues.append(_issue((*path, "sku_id"), "Premium buttons need a sku_id."))
        elif not custom_id:
            issues.append(
                _issue(
                    (*path, "custom_id"), "Non-link buttons need a custom_id.", "BASE_TYPE_REQUIRED"
                )
            )
    elif ctype in (3, 5, 6, 7, 8):
        issues += _length(
            component.get("placeholder"), (*path, "placeholder"), SELECT_PLACEHOLDER_MAX
        )
        for key in ("min_values", "max_values"):
            value = component.get(key)
            low = 0 if key == "min_values" else 1
            if isinstance(value, int) and not low <= value <= SELECT_OPTIONS_MAX:
                issues.append(_issue((*path, key), f"Must be between {low} and 25."))
        if ctype == 3:
            options = component.get("options") or []
            if not options:
                issues.append(_issue((*path, "options"), "String selects need 1-25 options."))
            issues += _count(options, (*path, "options"), SELECT_OPTIONS_MAX, "options")
            for oindex, option in enumerate(options if isinstance(options, list) else []):
                if not isinstance(option, dict):
                    continue
                opath = (*path, "options", oindex)
                issues += _length(option.get("label"), (*opath, "label"), SELECT_OPTION_TEXT_MAX, 1)
                issues += _length(option.get("value"), (*opath, "value"), SELECT_OPTION_TEXT_MAX, 1)
                issues += _length(
                    option.get("description"), (*opath, "description"), SELECT_OPTION_TEXT_MAX
                )
    elif ctype == 4:
        issues += _check_text_input(component, path)
    return issues


# =========================================================================== modals
def check_modal(data: Any, path: Path = ("data",)) -> list[Issue]:
    """Modal (callback type 9) data: title, custom_id, 1-5 components, text inputs, labels."""
    if not isinstance(data, dict):
        return [_issue(path, "Modal data is required.", "BASE_TYPE_REQUIRED")]
    issues = _length(data.get("title"), (*path, "title"), MODAL_TITLE_MAX, 1)
    issues += _length(data.get("custom_id"), (*path, "custom_id"), CUSTOM_ID_MAX, 1)
    components = data.get("components") or []
    if not components:
        issues.append(_issue((*path, "components"), "Modals need 1-5 components."))
    issues += _count(components, (*path, "components"), MODAL_COMPONENTS_MAX, "components")
    seen: dict[str, Path] = {}
    for index, top in enumerate(components if isinstance(components, list) else []):
        tpath = (*path, "components", index)
        if not isinstance(top, dict):
            continue
        ttype = top.get("type")
        if ttype == 1:
            children = top.get("components") or []
            if len(children) != 1:
                issues.append(
                    _issue((*tpath, "components"), "Modal action rows hold exactly one text input.")
                )
            for cindex, child in enumerate(children):
                cpath = (*tpath, "components", cindex)
                if isinstance(child, dict):
                    if child.get("type") == 4 and not child.get("label"):
                        issues.append(
                            _issue(
                                (*cpath, "label"), "Text inputs need a label.", "BASE_TYPE_REQUIRED"
                            )
                        )
                    issues += _check_interactive(child, cpath, seen)
        elif ttype == 18:
            issues += _length(top.get("label"), (*tpath, "label"), TEXT_INPUT_LABEL_MAX, 1)
            issues += _length(
                top.get("description"), (*tpath, "description"), LABEL_DESCRIPTION_MAX
            )
            inner = top.get("component")
            if not isinstance(inner, dict):
                issues.append(
                    _issue((*tpath, "component"), "Labels need a component.", "BASE_TYPE_REQUIRED")
                )
            else:
                issues += _check_interactive(inner, (*tpath, "component"), seen)
        elif ttype != 10:
            issues.append(
                _issue((*tpath, "type"), f"Component type {ttype} is not allowed in a modal.")
            )
    return issues


def _check_text_input(component: dict[str, Any], path: Path) -> list[Issue]:
    issues = _length(component.get("label"), (*path, "label"), TEXT_INPUT_LABEL_MAX, 1)
    issues += _length(
        component.get("placeholder"), (*path, "placeholder"), TEXT_INPUT_PLACEHOLDER_MAX
    )
    issues += _length(component.get("value"), (*path, "value"), TEXT_INPUT_VALUE_MAX)
    low, high = component.get("min_length"), component.get("max_length")
    if isinstance(low, int) and not 0 <= low <= TEXT_INPUT_VALUE_MAX:
        issues.append(_issue((*path, "min_length"), "Must be between 0 and 4000."))
    if isinstance(high, int) and not 1 <= high <= TEXT_INPUT_VALUE_MAX:
        issues.append(_issue((*path, "max_length"), "Must be between 1 and 4000."))
    if isinstance(low, int) and isinstance(high, int) and low > high:
        issues.append(_issue((*path, "min_length"), "min_length cannot exceed max_length."))
    if component.get("style") not in (1, 2):
        issues.append(
            _issue((*path, "style"), "Text input style must be 1 or 2.", "BASE_TYPE_CHOICES")
        )
    return issues


# =========================================================================== autocomplete
def check_autocomplete(data: Any, path: Path = ("data",)) -> list[Issue]:
    """Autocomplete result (callback type 8): <= 25 choices, names 1-100, string values <= 100."""
    if not isinstance(data, dict):
        return [_issue(path, "Autocomplete data is required.", "BASE_TYPE_REQUIRED")]
    choices = data.get("choices")
    if not isinstance(choices, list):
        return [_issue((*path, "choices"), "choices is required.", "BASE_TYPE_REQUIRED")]
    issues = _count(choices, (*path, "choices"), AUTOCOMPLETE_CHOICES_MAX, "choices")
    for index, choice in enumerate(choices):
        issues += _check_choice(choice, (*path, "choices", index))
    return issues


def _check_choice(choice: Any, path: Path, locales: frozenset[str] | None = None) -> list[Issue]:
    if not isinstance(choice, dict):
        return []
    issues = _length(choice.get("name"), (*path, "name"), CHOICE_NAME_MAX, 1)
    if isinstance(choice.get("value"), str):
        issues += _length(choice["value"], (*path, "value"), CHOICE_STRING_VALUE_MAX)
    issues += _check_localizations(
        choice.get("name_localizations"),
        (*path, "name_localizations"),
        lambda v, p: _length(v, p, CHOICE_NAME_MAX, 1),
        locales,
    )
    return issues


# =========================================================================== interaction callback
def check_interaction_callback(body: Any) -> list[Issue]:
    """Dispatch on the callback ``type`` to the message/modal/autocomplete checks."""
    if not isinstance(body, dict):
        return []
    ctype = body.get("type")
    data = body.get("data")
    if ctype in (4, 7):
        return check_message(data, ("data",)) if isinstance(data, dict) else []
    if ctype == 9:
        return check_modal(data)
    if ctype == 8:
        return check_autocomplete(data)
    return []


# =========================================================================== app commands
def _name_char_ok(char: str) -> bool:
    if char in "-_'":
        return True
    category = unicodedata.category(char)
    if category[0] in ("L", "N"):
        return True
    code = ord(char)
    # \p{sc=Deva}: Devanagari, Devanagari Extended, Devanagari Extended-A; \p{sc=Thai}
    return (
        0x0900 <= code <= 0x097F
        or 0xA8E0 <= code <= 0xA8FF
        or 0x11B00 <= code <= 0x11B5F
        or 0x0E01 <= code <= 0x0E5B
    )


def check_chat_input_name(name: Any, path: Path) -> list[Issue]:
    """``^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$`` and lowercase where possible."""
    if not isinstance(name, str):
        return []
    issues: list[Issue] = []
    if not 1 <= len(name) <= COMMAND_NAME_MAX or not all(_name_char_ok(c) for c in name):
        issues.append(
            _issue(
                path,
                f"Command name {name!r} does not match "
                r"^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$",
                "APPLICATION_COMMAND_INVALID_NAME",
            )
        )
    elif name != name.lower():
        issues.append(
            _issue(
                path,
                f"Command name {name!r} must be lowercase.",
                "APPLICATION_COMMAND_INVALID_NAME",
            )
        )
    return issues


def _check_localizations(
    mapping: Any,
    path: Path,
    rule: Callable[[Any, Path], list[Issue]],
    locales: frozenset[str] | None,
) -> list[Issue]:
    if not isinstance(mapping, dict):
        return []
    valid = locales or known_locales()
    issues: list[Issue] = []
    for key, value in mapping.items():
        if key not in valid:
            issues.append(_issue((*path, key), f"{key!r} is not a valid locale.", "LOCALE_INVALID"))
        issues += rule(value, (*path, key))
    return issues


def _longest(default: Any, localizations: Any) -> int:
    best = len(default) if isinstance(default, str) else 0
    if isinstance(localizations, dict):
        for value in localizations.values():
            if isinstance(value, str):
                best = max(best, len(value))
    return best


def command_size(command: dict[str, Any]) -> int:
    """Characters counted toward the 8000 limit.

    Per the docs: combined name, description and value properties of the command, its options
    (including subcommands and groups) and choices; where localizations exist, only the longest
    of each field (default included) counts.
    """

    def option_size(option: dict[str, Any]) -> int:
        total = _longest(option.get("name"), option.get("name_localizations"))
        total += _longest(option.get("description"), option.get("description_localizations"))
        for choice in option.get("choices") or []:
            if isinstance(choice, dict):
                total += _longest(choice.get("name"), choice.get("name_localizations"))
                value = choice.get("value")
                total += len(value) if isinstance(value, str) else len(str(value))
        for sub in option.get("options") or []:
            if isinstance(sub, dict):
                total += option_size(sub)
        return total

    return option_size(command)


def check_command(
    command: Any, path: Path = (), locales: frozenset[str] | None = None
) -> list[Issue]:
    """One application command (create/edit body or one item of a bulk overwrite)."""
    if not isinstance(command, dict):
        return []
    ctype = command.get("type") or 1
    issues: list[Issue] = []
    name = command.get("name")
    if ctype == 1:
        issues += check_chat_input_name(name, (*path, "name"))
        issues += _check_localizations(
            command.get("name_localizations"),
            (*path, "name_localizations"),
            check_chat_input_name,
            locales,
        )
        description = command.get("description")
        if not isinstance(description, str) or not description:
            issues.append(
                _issue(
                    (*path, "description"),
                    "Chat input commands need a 1-100 character description.",
                    "BASE_TYPE_REQUIRED",
                )
            )
        issues += _length(description, (*path, "description"), COMMAND_DESCRIPTION_MAX, 1)
        issues += _check_localizations(
            command.get("description_localizations"),
            (*path, "description_localizations"),
            lambda v, p: _length(v, p, COMMAND_DESCRIPTION_MAX, 1),
            locales,
        )
        issues += _check_options(command.get("options") or [], (*path, "options"), 0, locales)
        size = command_size(command)
        if size > COMMAND_TOTAL_CHARS_MAX:
            issues.append(
                _issue(
                    path,
                    f"Command {name!r} is {size} characters; the combined name, description and "
                    f"values (longest localization counted) must be <= {COMMAND_TOTAL_CHARS_MAX}.",
                    "APPLICATION_COMMAND_TOO_LARGE",
                )
            )
    else:
        issues += _length(name, (*path, "name"), COMMAND_NAME_MAX, 1)
        if command.get("description"):
            issues.append(
                _issue(
                    (*path, "description"), "USER and MESSAGE commands cannot have a description."
                )
            )
        if command.get("options"):
            issues.append(_issue((*path, "options"), "Only CHAT_INPUT commands can have options."))
    return issues


def _check_options(
    options: Any, path: Path, depth: int, locales: frozenset[str] | None
) -> list[Issue]:
    if not isinstance(options, list):
        return []
    issues = _count(options, path, COMMAND_OPTIONS_MAX, "options")
    names: set[str] = set()
    seen_optional = False
    kinds = {o.get("type") for o in options if isinstance(o, dict)}
    if kinds & {1, 2} and kinds - {1, 2}:
        issues.append(_issue(path, "Subcommands/groups cannot be mixed with other option types."))
    for index, option in enumerate(options):
        if not isinstance(option, dict):
            continue
        here = (*path, index)
        otype = option.get("type")
        oname = option.get("name")
        issues += check_chat_input_name(oname, (*here, "name"))
        issues += _check_localizations(
            option.get("name_localizations"),
            (*here, "name_localizations"),
            check_chat_input_name,
            locales,
        )
        if oname in names:
            issues.append(
                _issue(
                    (*here, "name"),
                    f"Option name {oname!r} is duplicated.",
                    "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                )
            )
        if isinstance(oname, str):
            names.add(oname)
        issues += _length(
            option.get("description"), (*here, "description"), COMMAND_DESCRIPTION_MAX, 1
        )
        issues += _check_localizations(
            option.get("description_localizations"),
            (*here, "description_localizations"),
            lambda v, p: _length(v, p, COMMAND_DESCRIPTION_MAX, 1),
            locales,
        )
        if otype in (1, 2):
            if otype == 2 and depth > 0:
                issues.append(
                    _issue((*here, "type"), "Subcommand groups can only be top-level options.")
                )
            if otype == 1 and depth > 1:
                issues.append(_issue((*here, "type"), "Subcommands cannot be nested this deep."))
            children = option.get("options") or []
            if otype == 2 and any(isinstance(c, dict) and c.get("type") != 1 for c in children):
                issues.append(
                    _issue((*here, "options"), "Subcommand groups may only contain subcommands.")
                )
            if otype == 1 and any(
                isinstance(c, dict) and c.get("type") in (1, 2) for c in children
            ):
                issues.append(
                    _issue((*here, "options"), "Subcommands cannot contain subcommands or groups.")
                )
            issues += _check_options(children, (*here, "options"), depth + 1, locales)
            continue
        required = bool(option.get("required"))
        if required and seen_optional:
            issues.append(
                _issue(
                    (*here, "required"),
                    f"Required option {oname!r} must be listed before optional options.",
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                )
            )
        seen_optional = seen_optional or not required
        choices = option.get("choices")
        if choices:
            if otype not in (3, 4, 10):
                issues.append(
                    _issue((*here, "choices"), "Only string/integer/number options take choices.")
                )
            if option.get("autocomplete"):
                issues.append(
                    _issue(
                        (*here, "autocomplete"),
                        "autocomplete cannot be set when choices are present.",
                    )
                )
            issues += _count(choices, (*here, "choices"), COMMAND_CHOICES_MAX, "choices")
            for cindex, choice in enumerate(choices if isinstance(choices, list) else []):
                issues += _check_choice(choice, (*here, "choices", cindex), locales)
        if option.get("autocomplete") and otype not in (3, 4, 10):
            issues.append(
                _issue((*here, "autocomplete"), "Only string/integer/number options autocomplete.")
            )
        for key, low in (("min_length", 0), ("max_length", 1)):
            value = option.get(key)
            if value is not None:
                if otype != 3:
                    issues.append(_issue((*here, key), f"{key} is only valid for string options."))
                elif isinstance(value, int) and not low <= value <= STRING_OPTION_LENGTH_MAX:
                    issues.append(_issue((*here, key), f"Must be between {low} and 6000."))
        if option.get("channel_types") and otype != 7:
            issues.append(
                _issue((*here, "channel_types"), "channel_types is only valid for channel options.")
            )
    return issues


def check_command_list(commands: Any, *, locales: frozenset[str] | None = None) -> list[Issue]:
    """A bulk overwrite (PUT): every command, plus per-type counts and unique names."""
    if not isinstance(commands, list):
        return []
    issues: list[Issue] = []
    counts = {1: 0, 2: 0, 3: 0}
    names: dict[tuple[int, str], int] = {}
    for index, command in enumerate(commands):
        issues += check_command(command, (index,), locales)
        if not isinstance(command, dict):
            continue
        ctype = command.get("type") or 1
        counts[ctype] = counts.get(ctype, 0) + 1
        key = (ctype, str(command.get("name")))
        if key in names:
            issues.append(
                _issue(
                    (index, "name"),
                    f"Application command names must be unique per type ({key[1]!r}).",
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                )
            )
        names[key] = index
    for ctype, maximum, what in (
        (1, GLOBAL_CHAT_INPUT_MAX, "CHAT_INPUT"),
        (2, USER_COMMANDS_MAX, "USER"),
        (3, MESSAGE_COMMANDS_MAX, "MESSAGE"),
    ):
        if counts.get(ctype, 0) > maximum:
            issues.append(
                _issue((), f"Must be {maximum} or fewer {what} commands (got {counts[ctype]}).")
            )
    return issues


# =========================================================================== scheduled events
def check_scheduled_event(
    body: Any,
    *,
    existing: dict[str, Any] | None = None,
    now: datetime | None = None,
    channel_types: dict[str, int] | None = None,
) -> list[Issue]:
    """Create (``existing`` None) or modify body of a guild scheduled event.

    Checks name 1-100, description <= 1000, location 1-100, privacy level, the field
    requirements by entity type (EXTERNAL: location + end time, no channel; STAGE/VOICE:
    a channel of the right type), start in the future and end after start.
    """
    if not isinstance(body, dict):
        return []
    issues: list[Issue] = []
    merged = dict(existing or {})
    merged.update(body)
    if existing is None or "name" in body:
        issues += _length(body.get("name"), ("name",), EVENT_NAME_MAX, 1)
        if existing is None and not body.get("name"):
            issues.append(_issue(("name",), "This field is required", "BASE_TYPE_REQUIRED"))
    issues += _length(body.get("description"), ("description",), EVENT_DESCRIPTION_MAX)
    if "privacy_level" in body and body.get("privacy_level") != 2:
        issues.append(
            _issue(("privacy_level",), "privacy_level must be 2 (GUILD_ONLY).", "BASE_TYPE_CHOICES")
        )
    metadata = merged.get("entity_metadata") or {}
    location = metadata.get("location") if isinstance(metadata, dict) else None
    if "entity_metadata" in body:
        issues += _length(location, ("entity_metadata", "location"), EVENT_LOCATION_MAX, 1)
    entity_type = merged.get("entity_type")
    if entity_type == 3:
        if not location:
            issues.append(
                _issue(
                    ("entity_metadata", "location"),
                    "External events need entity_metadata.location.",
                    "BASE_TYPE_REQUIRED",
                )
            )
        if not merged.get("scheduled_end_time"):
            issues.append(
                _issue(
                    ("scheduled_end_time",),
                    "External events need a scheduled_end_time.",
                    "BASE_TYPE_REQUIRED",
                )
            )
        if body.get("channel_id") is not None:
            issues.append(_issue(("channel_id",), "External events cannot have a channel_id."))
    elif entity_type in (1, 2):
        channel_id = merged.get("channel_id")
        if channel_id is None:
            issues.append(
                _issue(
                    ("channel_id",),
                    "Stage and voice events need a channel_id.",
                    "BASE_TYPE_REQUIRED",
                )
            )
        elif channel_types is not None:
            wanted = 13 if entity_type == 1 else 2
            if channel_types.get(str(channel_id)) != wanted:
                issues.append(
                    _issue(
                        ("channel_id",),
                        f"channel_id must be a {'stage' if wanted == 13 else 'voice'} channel "
                        "of this guild.",
                    )
                )
    elif entity_type is not None or existing is None:
        issues.append(
            _issue(("entity_type",), "entity_type must be 1, 2 or 3.", "BASE_TYPE_CHOICES")
        )
    current = now or datetime.now(UTC)
    start = _parse_time(merged.get("scheduled_start_time"))
    end = _parse_time(merged.get("scheduled_end_time"))
    if existing is None and merged.get("scheduled_start_time") is None:
        issues.append(
            _issue(("scheduled_start_time",), "This field is required", "BASE_TYPE_REQUIRED")
        )
    if (
        "scheduled_start_time" in body
        and start is not None
        and start < current - timedelta(seconds=5)
    ):
        issues.append(
            _issue(
                ("scheduled_start_time",),
                "Cannot schedule event in the past.",
                "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
            )
        )
    if start is not None and end is not None and end <= start:
        issues.append(
            _issue(("scheduled_end_time",), "Cannot schedule event to end before starting.")
        )
    for key in ("scheduled_start_time", "scheduled_end_time"):
        if isinstance(body.get(key), str) and _parse_time(body[key]) is None:
            issues.append(
                _issue(
                    (key,),
                    "Could not interpret the value as an ISO8601 timestamp.",
                    "DATE_TIME_TYPE_PARSE",
                )
            )
    return issues


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


#: Route-level checks: (METHOD, spec template) -> checker over the parsed JSON body.
ROUTE_CHECKS: dict[tuple[str, str], Checker] = {
    ("POST", "/channels/{channel_id}/messages"): check_message,
    ("PATCH", "/channels/{channel_id}/messages/{message_id}"): check_message,
    ("POST", "/webhooks/{webhook_id}/{webhook_token}"): check_message,
    ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"): check_message,
    ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"): check_message,
    (
        "POST",
        "/interactions/{interaction_id}/{interaction_token}/callback",
    ): check_interaction_callback,
    ("PUT", "/applications/{application_id}/commands"): check_command_list,
    ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands"): check_command_list,
    ("POST", "/applications/{application_id}/commands"): check_command,
    ("POST", "/applications/{application_id}/guilds/{guild_id}/commands"): check_command,
}
