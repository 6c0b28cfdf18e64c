"""Discord's size limits, one ``fit()`` to respect them, and cleaning of untrusted user text.

Limits are Discord's documented maxima, counted in characters (Python ``len``). User text is
untrusted: :func:`neutralize` defuses mention syntax even though the bot sends with
``AllowedMentions.none()``, so a misconfigured message still pings nobody.
"""

from __future__ import annotations

import re
import unicodedata

from core.errors import UserError

__all__ = [
    "AUTHOR_NAME_MAX",
    "AUTOCOMPLETE_CHOICES_MAX",
    "BUTTON_LABEL_MAX",
    "CHOICE_NAME_MAX",
    "CHOICE_VALUE_MAX",
    "COMMAND_DESCRIPTION_MAX",
    "CUSTOM_ID_MAX",
    "ELLIPSIS",
    "EMBEDS_PER_MESSAGE_MAX",
    "EMBED_DESCRIPTION_MAX",
    "EMBED_FIELDS_MAX",
    "EMBED_TITLE_MAX",
    "EMBED_TOTAL_MAX",
    "FIELD_NAME_MAX",
    "FIELD_VALUE_MAX",
    "FOOTER_MAX",
    "MESSAGE_CONTENT_MAX",
    "MODAL_TITLE_MAX",
    "SELECT_OPTIONS_MAX",
    "TEXT_INPUT_LABEL_MAX",
    "TEXT_INPUT_VALUE_MAX",
    "ZWSP",
    "clean_field",
    "fit",
    "neutralize",
]

# Messages and embeds.
MESSAGE_CONTENT_MAX = 2000
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_NAME_MAX = 256
EMBED_TOTAL_MAX = 6000  # title + description + field names/values + footer + author, all embeds
EMBED_FIELDS_MAX = 25
EMBEDS_PER_MESSAGE_MAX = 10

# Components and modals.
BUTTON_LABEL_MAX = 80
CUSTOM_ID_MAX = 100
SELECT_OPTIONS_MAX = 25
MODAL_TITLE_MAX = 45
TEXT_INPUT_LABEL_MAX = 45
TEXT_INPUT_VALUE_MAX = 4000

# Application commands.
AUTOCOMPLETE_CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_VALUE_MAX = 100  # for string choices
COMMAND_DESCRIPTION_MAX = 100

ELLIPSIS = "…"
ZWSP = "\u200b"
"""Zero-width space: splits mention syntax so Discord no longer parses it, invisibly."""

# Bidirectional embeddings, overrides and isolates: invisible, and able to make text read in a
# different order than it is stored (spoofing). They are format (Cf) characters, not controls.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BLANK_LINES = re.compile(r"\n[^\S\n]*\n(?:[^\S\n]*\n)*")  # two or more line breaks, blanks between
_MASS_MENTION = re.compile(r"@(?=everyone|here)", re.IGNORECASE)  # "@heresy" too: cheap, safe
_MENTION = re.compile(r"<(?=(?:@[!&]?|#)\d+>)")  # <@1>, <@!1>, <@&1>, <#1>


def fit(text: str, limit: int) -> str:
    """Return ``text`` cut to at most ``limit`` characters, ending in "…" when cut.

    Trailing whitespace before the ellipsis is dropped. ``limit`` < 1 gives "" (nothing fits).
    """
    if limit < 1:
        return ""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def _keep(char: str) -> bool:
    if char == "\n":
        return True
    if char in _BIDI_CONTROLS:
        return False
    return unicodedata.category(char) != "Cc"


def neutralize(text: str) -> str:
    """Make untrusted user text safe to echo.

    Line endings become ``\\n`` and tabs spaces; other control characters and bidi overrides are
    removed; runs of blank lines collapse to one; ``@everyone``/``@here`` and ``<@id>``,
    ``<@!id>``, ``<@&id>``, ``<#id>`` get a zero-width space so they render as text, not pings.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = "".join(char for char in text if _keep(char))
    text = _BLANK_LINES.sub("\n\n", text)
    text = _MASS_MENTION.sub("@" + ZWSP, text)
    return _MENTION.sub("<" + ZWSP, text)


def has_mention(text: str) -> bool:
    """True if ``text`` holds @everyone/@here or <@id>/<@&id>/<#id> mention syntax."""
    return bool(_MASS_MENTION.search(text) or _MENTION.search(text))


def clean_field(
    value: str | None,
    *,
    field: str,
    max_len: int,
    required: bool,
    allow_mentions: bool = True,
) -> str | None:
    """Neutralize and strip one user-supplied field.

    Returns ``None`` for an empty optional field. Raises ``error.field.empty`` (field) for an
    empty required one and ``error.field.too_long`` (field, max, length) when the cleaned text,
    zero-width spaces included, is longer than ``max_len``. Names (a school, a city) have no
    business holding mentions: with ``allow_mentions=False`` they raise ``error.field.mention``
    (field) instead of being defused; free text is always defused, never refused.
    """
    if not allow_mentions and value and has_mention(value):
        raise UserError("error.field.mention", field=field)
    cleaned = neutralize(value or "").strip()
    if not cleaned:
        if required:
            raise UserError("error.field.empty", field=field)
        return None
    if len(cleaned) > max_len:
        raise UserError("error.field.too_long", field=field, max=max_len, length=len(cleaned))
    return cleaned
