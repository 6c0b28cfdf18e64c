"""The report form: turnout, links, lengths, repercussion kinds, and drafts that survive."""

import pytest

from cogs.reports.form import (
    LINKS_MAX,
    Draft,
    bits_of,
    draft_of,
    kinds_of,
    parse_links,
    parse_turnout,
    validate,
)
from core.errors import UserError
from db.models import REPERCUSSION_DETAILS_MAX, REPORT_TEXT_MAX, Report


@pytest.mark.parametrize(
    ("typed", "value"),
    [("", None), ("  ", None), ("0", 0), ("120", 120), (" 1,200 ", 1200), ("1 200", 1200),
     ("1.200", 1200), ("100000", 100_000), ("12_000", 12_000)],
)  # fmt: skip
def test_turnout_reads_whole_numbers(typed, value):
    assert parse_turnout(typed) == value


@pytest.mark.parametrize(
    "typed", ["-5", "about 200", "1.5", "200+", "100001", "1,20", "٣٠٠", "1e3", "0x10"]
)
def test_turnout_refuses_anything_else_and_says_what_was_typed(typed):
    with pytest.raises(UserError) as info:
        parse_turnout(typed)
    assert info.value.key == "error.report.turnout"
    assert info.value.fields["text"] == typed.strip()


def test_links_are_http_or_https_one_per_line_deduplicated():
    text = "https://example.org/a\n  <http://news.example.com/x?y=1,2>  https://example.org/a"
    assert parse_links(text) == ("https://example.org/a", "http://news.example.com/x?y=1,2")
    assert parse_links("") == ()


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "ftp://example.org/x",
        "example.org/no-scheme",
        "https://",
        "https://user:pw@example.org/",
        "https://user@example.org/",
        "https://exa mple.org",
        "https://exa<mple.org/",
        "https://example.org:99999/",
        "data:text/html,hi",
        "https://example.org/\u202ehidden",
    ],
)
def test_links_that_are_not_plain_web_links_are_refused(link):
    with pytest.raises(UserError) as info:
        parse_links(link)
    assert info.value.key in ("error.report.link", "error.report.links_many")


def test_too_many_or_too_long_links():
    many = "\n".join(f"https://example.org/{i}" for i in range(LINKS_MAX + 1))
    with pytest.raises(UserError, match=r"error.report.links_many"):
        parse_links(many)
    with pytest.raises(UserError, match=r"error.report.link_long"):
        parse_links("https://example.org/" + "a" * 500)


def test_repercussion_kinds_and_none():
    assert bits_of([]) is None
    assert bits_of(["none"]) == 0
    assert kinds_of(bits_of(["arrest", "police"])) == ("police", "arrest")
    assert kinds_of(0) == ("none",) and kinds_of(None) == ()
    with pytest.raises(UserError, match=r"error.report.none_and_more"):
        bits_of(["none", "ice"])
    with pytest.raises(UserError, match=r"error.report.kind"):
        bits_of(["immigration-status"])


def test_lengths_count_what_was_typed_and_name_the_field():
    with pytest.raises(UserError) as info:
        validate(Draft(what_happened="x" * (REPORT_TEXT_MAX + 1)))
    assert info.value.key == "error.field.too_long"
    assert info.value.fields["field"] == "what-happened"
    with pytest.raises(UserError) as info:
        validate(Draft(details="x" * (REPERCUSSION_DETAILS_MAX + 1)))
    assert info.value.fields["field"] == "repercussion-details"
    # mentions are defused, and the zero-width spaces do not count against the limit
    text = "@everyone " + "x" * (REPORT_TEXT_MAX - 10)
    content = validate(Draft(what_happened=text))
    assert content.what_happened.startswith("@\u200beveryone")


@pytest.mark.parametrize("draft", [Draft(), Draft(what_happened="  \u200b "), Draft(turnout=" ")])
def test_a_report_must_say_something(draft):
    with pytest.raises(UserError, match=r"error.report.empty"):
        validate(draft)


def test_a_full_report_and_back_to_the_form():
    draft = Draft(
        turnout="1,200",
        what_happened="We walked out at 2pm.\r\n\r\n\r\nPolice came. <@123>",
        kinds=("ice", "discipline"),
        details="Three suspended.",
        links="https://example.org/video https://example.org/photo",
    )
    content = validate(draft)
    assert content.turnout == 1200
    assert content.what_happened == "We walked out at 2pm.\n\nPolice came. <\u200b@123>"
    assert content.repercussions == 1 | 8
    assert content.media_links == "https://example.org/video\nhttps://example.org/photo"
    row = Report(
        turnout=content.turnout,
        what_happened=content.what_happened,
        repercussions=content.repercussions,
        repercussion_details=content.repercussion_details,
        media_links=content.media_links,
    )
    again = draft_of(row)
    assert again.kinds == ("discipline", "ice")
    assert again.what_happened == "We walked out at 2pm.\n\nPolice came. <@123>"
    assert validate(again) == content
