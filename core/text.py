"""Discord's size limits, one ``fit()`` to respect them, and cleaning of untrusted user text.

Limits are Discord's documented maxima, counted in characters (Python ``len``). User text is
untrusted: :func:`neutralize` defuses mention syntax even though the bot sends with
``AllowedMentions.none()``, so a misconfigured message still pings nobody.

:func:`clean_field` is the one way a typed option becomes stored text: it measures what the member
typed (the limit they were shown), refuses names that show nothing (:func:`is_blank`), puts a
single-line field on one line, and only then inserts the defusing zero-width spaces, so stored
text can be up to :func:`defused_max` characters long.
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
    "defuse",
    "defused_max",
    "fit",
    "has_mention",
    "is_blank",
    "neutralize",
    "visible_length",
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
_SHORTEST_MENTION = 4  # "<#1>"; "@here" is 5. Each defusing zero-width space needs one of them.

# What draws nothing. By category: spaces and line/paragraph separators (Zs, Zl, Zp), controls
# (Cc), format characters (Cf: zero-width spaces and joiners U+200B-U+200D, word joiner U+2060,
# BOM U+FEFF, Mongolian vowel separator U+180E, bidi marks and controls, tag characters, soft
# hyphen), surrogates (Cs), and combining marks (Mn, Me: accents, variation selectors, the
# combining grapheme joiner), which draw only on a visible base. Plus letters and symbols that
# render blank (Hangul fillers, the braille blank) and unassigned default-ignorable code points.
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Mn", "Me"})
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_IGNORABLE_UNASSIGNED = ((0x2060, 0x206F), (0xFFF0, 0xFFF8), (0xE0000, 0xE0FFF))


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
    # Controls, and lone surrogates (valid in JSON's \\ud800, not in UTF-8: storing one fails).
    return unicodedata.category(char) not in ("Cc", "Cs")


def _tidy(text: str) -> str:
    """Line endings become ``\\n`` and tabs spaces; other control characters, lone surrogates and
    bidi overrides go; runs of blank lines collapse to one. Never makes text longer."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = "".join(char for char in text if _keep(char))
    return _BLANK_LINES.sub("\n\n", text)


def defuse(text: str) -> str:
    """Put a zero-width space into ``@everyone``/``@here`` and ``<@id>``, ``<@!id>``, ``<@&id>``,
    ``<#id>`` so they render as text, not pings. Adds at most :func:`defused_max` - ``len``."""
    text = _MASS_MENTION.sub("@" + ZWSP, text)
    return _MENTION.sub("<" + ZWSP, text)


def defused_max(typed_max: int) -> int:
    """The longest :func:`defuse` can make a text of ``typed_max`` characters.

    Each zero-width space goes into its own mention, and no two mentions overlap (``<@1>`` holds
    only ``<@!&#``, digits and ``>``; an "@" followed by a digit starts no ``@here``), so a text
    of n characters gets at most n // 4 of them (``<#1>`` is the shortest mention). Columns
    that hold defused free text are this long.
    """
    return typed_max + typed_max // _SHORTEST_MENTION


def neutralize(text: str) -> str:
    """Make untrusted user text safe to echo.

    Line endings become ``\\n`` and tabs spaces; other control characters, lone surrogates and
    bidi overrides are removed; runs of blank lines collapse to one; ``@everyone``/``@here`` and
    ``<@id>``, ``<@!id>``, ``<@&id>``, ``<#id>`` get a zero-width space so they render as text,
    not pings.
    """
    return defuse(_tidy(text))


def _is_invisible(char: str) -> bool:
    if char in _BLANK_GLYPHS:
        return True
    category = unicodedata.category(char)
    if category in _INVISIBLE_CATEGORIES:
        return True
    code = ord(char)
    return category == "Cn" and any(lo <= code <= hi for lo, hi in _IGNORABLE_UNASSIGNED)


def visible_length(text: str) -> int:
    """How many characters of ``text`` draw something (see the invisible classes above).

    A combining mark counts as part of its base: "é" written as "e" + U+0301 is 1.
    """
    return sum(1 for char in text if not _is_invisible(char))


def is_blank(text: str) -> bool:
    """True when ``text`` would show nothing: only whitespace, zero-width and format characters,
    combining marks, Hangul fillers, the braille blank and the like."""
    return all(_is_invisible(char) for char in text)


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
    single_line: bool = False,
) -> str | None:
    """Clean one user-supplied field: tidied, stripped, on one line if asked, then defused.

    Returns ``None`` for an empty optional field. A field that shows nothing (only whitespace,
    zero-width or other invisible characters, see :func:`is_blank`) is empty: a required one
    raises ``error.field.empty`` (field). ``error.field.too_long`` (field, max, length) counts
    what the member typed, tidied and stripped, *before* mentions are defused: the zero-width
    spaces the bot adds never count, so the stored text can be up to :func:`defused_max`
    (``max_len``) long. Names (a school, a city) have no business holding mentions: with
    ``allow_mentions=False`` they raise ``error.field.mention`` (field) instead, so they are
    never longer than ``max_len``; free text is always defused, never refused.

    ``single_line=True`` is for names: every run of whitespace, line breaks included (``\\n``,
    ``\\r``, vertical tab, form feed, U+0085, U+2028, U+2029), becomes one space, so a pasted
    "Cass\\nTech" is stored as "Cass Tech" rather than refused.
    """
    text = value or ""
    if single_line:
        text = " ".join(text.split())
    cleaned = _tidy(text).strip()
    if not allow_mentions and has_mention(cleaned):
        raise UserError("error.field.mention", field=field)
    if is_blank(cleaned):
        if required:
            raise UserError("error.field.empty", field=field)
        return None
    if len(cleaned) > max_len:
        raise UserError("error.field.too_long", field=field, max=max_len, length=len(cleaned))
    return defuse(cleaned)
