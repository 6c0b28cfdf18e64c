"""Unit tests for core.text: limits, fit(), neutralize(), clean_field()."""

from __future__ import annotations

import random

import pytest

from core import text
from core.errors import UserError
from core.text import (
    ELLIPSIS,
    ZWSP,
    clean_field,
    defuse,
    defused_max,
    fit,
    has_mention,
    neutralize,
)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MESSAGE_CONTENT_MAX", 2000),
        ("EMBED_TITLE_MAX", 256),
        ("EMBED_DESCRIPTION_MAX", 4096),
        ("FIELD_NAME_MAX", 256),
        ("FIELD_VALUE_MAX", 1024),
        ("FOOTER_MAX", 2048),
        ("AUTHOR_NAME_MAX", 256),
        ("EMBED_TOTAL_MAX", 6000),
        ("EMBED_FIELDS_MAX", 25),
        ("EMBEDS_PER_MESSAGE_MAX", 10),
        ("BUTTON_LABEL_MAX", 80),
        ("CUSTOM_ID_MAX", 100),
        ("SELECT_OPTIONS_MAX", 25),
        ("MODAL_TITLE_MAX", 45),
        ("TEXT_INPUT_LABEL_MAX", 45),
        ("TEXT_INPUT_VALUE_MAX", 4000),
        ("AUTOCOMPLETE_CHOICES_MAX", 25),
        ("CHOICE_NAME_MAX", 100),
        ("CHOICE_VALUE_MAX", 100),
        ("COMMAND_DESCRIPTION_MAX", 100),
    ],
)
def test_discord_limits(name: str, value: int) -> None:
    """The documented Discord limits, by name."""
    assert getattr(text, name) == value


# --- fit ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "limit", "expected"),
    [
        ("hello", 10, "hello"),
        ("hello", 5, "hello"),
        ("hello!", 5, "hell…"),
        ("hello world", 7, "hello…"),  # trailing space dropped before the ellipsis
        ("hello", 1, "…"),
        ("hello", 0, ""),
        ("hello", -3, ""),
        ("", 0, ""),
        ("", 5, ""),
        ("ab", 2, "ab"),
        ("abc", 2, "a…"),
    ],
)
def test_fit(value: str, limit: int, expected: str) -> None:
    """fit keeps what fits and marks a cut with a visible ellipsis."""
    assert fit(value, limit) == expected


@pytest.mark.parametrize(
    "limit",
    [
        text.EMBED_DESCRIPTION_MAX,
        text.MESSAGE_CONTENT_MAX,
        text.FIELD_VALUE_MAX,
        text.CHOICE_NAME_MAX,
        text.MODAL_TITLE_MAX,
    ],
)
def test_fit_5000_chars(limit: int) -> None:
    """A 5000-character text is cut to exactly the limit, ending in "…"."""
    long = "walkout " * 625
    assert len(long) == 5000
    got = fit(long, limit)
    assert len(got) <= limit
    assert got.endswith(ELLIPSIS)
    assert long.startswith(got[:-1])


@pytest.mark.parametrize("limit", range(-1, 12))
def test_fit_never_exceeds_limit(limit: int) -> None:
    """Whatever the limit, the result fits."""
    assert len(fit("abc def ghi jkl", limit)) <= max(limit, 0)


# --- neutralize --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("@everyone", f"@{ZWSP}everyone"),
        ("@here walk out!", f"@{ZWSP}here walk out!"),
        ("hi @Everyone and @HERE", f"hi @{ZWSP}Everyone and @{ZWSP}HERE"),
        ("<@123>", f"<{ZWSP}@123>"),
        ("<@!123>", f"<{ZWSP}@!123>"),
        ("<@&123>", f"<{ZWSP}@&123>"),
        ("<#456>", f"<{ZWSP}#456>"),
        ("ask <@&123> or <@42>", f"ask <{ZWSP}@&123> or <{ZWSP}@42>"),
        # harmless look-alikes are left alone
        ("<3 you", "<3 you"),
        ("a < b and c > d", "a < b and c > d"),
        ("<@abc>", "<@abc>"),
        ("email me at x@y.org", "email me at x@y.org"),
        ("<t:1802458800:F>", "<t:1802458800:F>"),
    ],
)
def test_neutralize_defuses_mentions(value: str, expected: str) -> None:
    """Mass mentions and user/role/channel mention syntax are split by a zero-width space."""
    assert neutralize(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("line1\nline2", "line1\nline2"),
        ("a\r\nb\rc", "a\nb\nc"),
        ("tab\there", "tab here"),
        ("bell\x07 null\x00 esc\x1b[31m del\x7f", "bell null esc[31m del"),
        ("c1\x85control", "c1control"),
        ("a\n\n\n\nb", "a\n\nb"),
        ("a\n  \n \n\nb", "a\n\nb"),
        ("a\n\nb", "a\n\nb"),
        ("evil\u202eright-to-left", "evilright-to-left"),
        ("iso\u2066late\u2069", "isolate"),
        ("café ñandú 🎒 👩‍👩‍👧", "café ñandú 🎒 👩‍👩‍👧"),  # ZWJ emoji survive
        ("", ""),
    ],
)
def test_neutralize_cleans_text(value: str, expected: str) -> None:
    """Control characters go (newlines stay), blank-line runs collapse, bidi overrides go."""
    assert neutralize(value) == expected


def test_neutralize_is_idempotent() -> None:
    """Neutralizing twice changes nothing more."""
    once = neutralize("@everyone <@&1> <#2>\n\n\n\x00x")
    assert neutralize(once) == once


def test_neutralize_then_no_raw_mentions() -> None:
    """After neutralizing, Discord's mention patterns no longer match."""
    import re

    dangerous = "@everyone @here <@1> <@!2> <@&3> <#4> " * 3
    out = neutralize(dangerous)
    assert not re.search(r"@(everyone|here)", out)
    assert not re.search(r"<(@[!&]?|#)\d+>", out)


# --- clean_field -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "required", "expected"),
    [
        ("  Cass Tech  ", True, "Cass Tech"),
        ("Cass Tech", False, "Cass Tech"),
        (None, False, None),
        ("", False, None),
        ("  \n\t ", False, None),
        ("\x00\x01", False, None),
        ("@everyone", True, f"@{ZWSP}everyone"),
        ("\n\nFront steps\n\n\n\nbring signs\n", False, "Front steps\n\nbring signs"),
    ],
)
def test_clean_field(value: str | None, required: bool, expected: str | None) -> None:
    """Neutralized and stripped; empty optional fields become None."""
    assert clean_field(value, field="school", max_len=100, required=required) == expected


@pytest.mark.parametrize("value", [None, "", "   ", "\x00"])
def test_clean_field_required_empty(value: str | None) -> None:
    """An empty required field raises error.field.empty with the field name."""
    with pytest.raises(UserError) as info:
        clean_field(value, field="school", max_len=100, required=True)
    assert info.value.key == "error.field.empty"
    assert info.value.fields == {"field": "school"}


def test_clean_field_too_long() -> None:
    """Over max_len raises error.field.too_long with field, max and the actual length."""
    with pytest.raises(UserError) as info:
        clean_field("x" * 101, field="city", max_len=100, required=True)
    assert info.value.key == "error.field.too_long"
    assert info.value.fields == {"field": "city", "max": 100, "length": 101}


def test_clean_field_length_is_measured_after_cleaning() -> None:
    """Whitespace that is stripped does not count; exactly max_len is fine."""
    assert clean_field("  " + "x" * 100 + "  ", field="city", max_len=100, required=True) == (
        "x" * 100
    )


@pytest.mark.parametrize("value", ["@everyone", "Hi @HERE", "<@123>", "<@!5>", "<@&9>", "<#7>"])
def test_names_refuse_mentions(value):
    with pytest.raises(UserError) as info:
        clean_field(value, field="school", max_len=100, required=True, allow_mentions=False)
    assert info.value.key == "error.field.mention" and info.value.fields == {"field": "school"}


def test_names_without_mentions_pass_and_free_text_is_defused_not_refused():
    assert (
        clean_field("St. Mary's", field="school", max_len=100, required=True, allow_mentions=False)
        == "St. Mary's"
    )
    assert "@\u200beveryone" in clean_field(
        "@everyone", field="details", max_len=100, required=True
    )


# --- the length is what the member typed -------------------------------------------------------


@pytest.mark.parametrize("mention", ["@everyone", "@here", "<@123>", "<@&9>", "<#7>"])
def test_length_counts_what_was_typed_not_the_defusing(mention: str) -> None:
    """A field exactly at its limit that holds a mention is accepted; the zero-width space the
    bot inserts does not count, and the stored text still can't ping."""
    typed = "x" * (1000 - len(mention) - 1) + " " + mention
    assert len(typed) == 1000
    got = clean_field(typed, field="details", max_len=1000, required=False)
    assert got is not None and len(got) == 1001
    assert ZWSP in got and not has_mention(got)


def test_one_character_over_with_a_mention_reports_the_typed_length() -> None:
    with pytest.raises(UserError) as info:
        clean_field("x" * 992 + "@everyone", field="details", max_len=1000, required=False)
    assert info.value.fields == {"field": "details", "max": 1000, "length": 1001}


@pytest.mark.parametrize(
    "typed",
    [
        "<#1>" * 250,
        "<@1>" * 250,
        "@here" * 200,
        "<@!1>" * 200,
        "@everyone" * 111 + "x",
        "<#1><@2>@here<@&3>" * 55 + "<#1>" * 2 + "x",
    ],
)
def test_defusing_stays_within_defused_max(typed: str) -> None:
    """The worst cases: one zero-width space per 4 typed characters at most."""
    assert len(typed) <= 1000
    stored = clean_field(typed, field="details", max_len=1000, required=False)
    assert stored is not None and not has_mention(stored)
    assert len(stored) <= defused_max(len(typed)) <= defused_max(1000)
    assert len(defuse("<#1>" * 250)) == defused_max(1000) == 1250


def test_defused_max_holds_for_random_mention_soup() -> None:
    rng = random.Random(20261129)
    alphabet = ["<", ">", "@", "#", "!", "&", "1", "23", "here", "everyone", " ", "x"]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        assert len(defuse(text)) <= defused_max(len(text))


def test_stored_columns_hold_defused_free_text() -> None:
    """Free-text columns are defused_max of the typed limit (literal in db/models.py)."""
    from db import models

    assert defused_max(models.DETAILS_MAX) == models.DETAILS_STORED_MAX
    assert defused_max(models.REASON_MAX) == models.REASON_STORED_MAX
    walkouts = models.Walkout.__table__.columns
    assert walkouts["details"].type.length == models.DETAILS_STORED_MAX
    assert walkouts["cancel_reason"].type.length == models.REASON_STORED_MAX
    # Names refuse mentions, so they are never defused and their columns are the typed limit.
    assert walkouts["school"].type.length == models.SCHOOL_MAX
    assert models.NationalAction.__table__.columns["name"].type.length == models.ACTION_NAME_MAX
    reports = models.Report.__table__.columns
    assert defused_max(models.REPORT_TEXT_MAX) == models.REPORT_TEXT_STORED_MAX
    assert defused_max(models.REPERCUSSION_DETAILS_MAX) == models.REPERCUSSION_DETAILS_STORED_MAX
    assert reports["what_happened"].type.length == models.REPORT_TEXT_STORED_MAX
    assert reports["repercussion_details"].type.length == models.REPERCUSSION_DETAILS_STORED_MAX


# --- names that show nothing, names on one line ------------------------------------------------

INVISIBLE = [
    "\u200b",  # zero-width space
    "\u200b\u200c\u200d",  # ... non-joiner, joiner
    "\u2060\ufeff\u180e",  # word joiner, BOM, Mongolian vowel separator
    "\u3164",  # Hangul filler
    "\u115f\u1160\uffa0",  # Hangul choseong/jungseong fillers, halfwidth filler
    "\u2800\u2800",  # braille blank
    "\u0301\u0308",  # combining marks with nothing to sit on
    "\ufe0f\U000e0100",  # variation selectors
    "\u202e\u2066\u200e\u200f\u061c",  # bidi controls and marks
    "\U000e0041\U000e007f",  # tag characters
    "\u00ad",  # soft hyphen
    "\u3000\u00a0\u2007 \u2028\u2029",  # spaces and separators
    "\u2065\ufff0",  # unassigned but default-ignorable
    " \u200b \u3164 \u2800 ",
]


@pytest.mark.parametrize("value", INVISIBLE)
def test_a_name_that_shows_nothing_is_empty(value: str) -> None:
    assert text.is_blank(value) and text.visible_length(value) == 0
    with pytest.raises(UserError) as info:
        clean_field(value, field="school", max_len=100, required=True, allow_mentions=False)
    assert info.value.key == "error.field.empty"
    assert info.value.fields == {"field": "school"}
    assert clean_field(value, field="meeting-point", max_len=200, required=False) is None


@pytest.mark.parametrize(
    ("value", "visible"),
    [
        ("Cass Tech", 8),
        ("e\u0301", 1),  # an accent counts with its base
        ("👩\u200d👩\u200d👧", 3),  # a ZWJ family: three people, two joiners
        ("\u200bX\u200b", 1),
        ("ㄱ", 1),  # a real Hangul letter, not the filler
        ("⠁", 1),  # a braille letter, not the blank
        ("", 0),
    ],
)
def test_visible_length(value: str, visible: int) -> None:
    assert text.visible_length(value) == visible
    assert text.is_blank(value) is (visible == 0)


@pytest.mark.parametrize("value", ["e\u0301", "\u200bX", "👩\u200d👩\u200d👧", "ㄱ"])
def test_a_name_with_something_visible_is_kept_as_typed(value: str) -> None:
    assert clean_field(value, field="school", max_len=100, required=True) == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Cass\nTech", "Cass Tech"),
        ("Cass\r\nTech", "Cass Tech"),
        ("Cass\rTech", "Cass Tech"),
        ("Cass\u2028Tech\u2029High", "Cass Tech High"),
        ("Cass\x0bTech\x0cHigh", "Cass Tech High"),
        ("Cass\x85Tech", "Cass Tech"),
        ("Cass\x1cTech\x1d\x1eHigh", "Cass Tech High"),
        ("Cass\tTech", "Cass Tech"),
        ("\n  Cass \n\n\n Tech  \n", "Cass Tech"),
        ("Cass\u00a0\u3000Tech", "Cass Tech"),
    ],
)
def test_single_line_fields_become_one_line(value: str, expected: str) -> None:
    """Line breaks of every kind (and runs of spaces) become one space; nothing is refused."""
    got = clean_field(value, field="school", max_len=100, required=True, single_line=True)
    assert got == expected
    assert len(got.splitlines()) == 1


def test_multi_line_fields_keep_their_lines() -> None:
    assert clean_field("a\nb", field="details", max_len=100, required=False) == "a\nb"


def test_single_line_length_is_measured_after_joining() -> None:
    value = "x" * 50 + "\n\n\n\n" + "y" * 49
    got = clean_field(value, field="city", max_len=100, required=True, single_line=True)
    assert got == "x" * 50 + " " + "y" * 49


def test_lone_surrogates_are_dropped() -> None:
    """Valid in JSON ("\\ud800"), not in UTF-8: a database write of one would fail."""
    assert neutralize("Cass\ud800 Tech") == "Cass Tech"
    assert clean_field("\udfff", field="school", max_len=100, required=False) is None
