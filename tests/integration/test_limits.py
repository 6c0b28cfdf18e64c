"""The longest text each form accepts fits its column on every backend. SQLite never checks a
VARCHAR's length; PostgreSQL refuses a longer value and fails the whole statement, so the stored
limits (typed limits plus the zero-width spaces that defuse mentions) are checked here, with
every field at its limit and as many mentions as fit."""

from datetime import UTC, datetime, timedelta

from cogs.reports.form import LINK_MAX, Draft, validate
from cogs.snippets.store import check_new_snippet
from cogs.walkouts.cog import clean_walkout_fields
from core.text import clean_field
from db import actions, reports, snippets, walkouts
from db.models import (
    ACTION_NAME_MAX,
    CITY_MAX,
    DETAILS_MAX,
    DETAILS_STORED_MAX,
    MEDIA_LINKS_MAX,
    MEETING_POINT_MAX,
    REASON_MAX,
    REASON_STORED_MAX,
    REPERCUSSION_DETAILS_MAX,
    REPORT_TEXT_MAX,
    SCHOOL_MAX,
)
from messages.snippets import BODY_MAX, SOURCE_LINE_MAX, TITLE_MAX

NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
G = 111111111111111111


def mentions(length: int) -> str:
    """``length`` typed characters that defuse into the longest text: ``<#1>`` after ``<#1>``."""
    return ("<#1>" * length)[:length]


def name(length: int) -> str:
    """A name at its limit, with non-ASCII letters (PostgreSQL counts characters, not bytes)."""
    return ("Juárez " * length)[: length - 1] + "é"


async def test_the_longest_accepted_texts_fit_their_columns(sessionmaker):
    fields = clean_walkout_fields(
        school=name(SCHOOL_MAX),
        city=name(CITY_MAX),
        meeting_point=name(MEETING_POINT_MAX),
        details=mentions(DETAILS_MAX),
    )
    reason = clean_field(mentions(REASON_MAX), field="reason", max_len=REASON_MAX, required=False)
    action_name = clean_field(
        name(ACTION_NAME_MAX), field="name", max_len=ACTION_NAME_MAX, required=True
    )
    # Two links filling MEDIA_LINKS_MAX with the newline between them.
    links = [f"https://example.org/{c * (n - 20)}" for c, n in (("v", LINK_MAX), ("w", 499))]
    content = validate(
        Draft(
            turnout="100000",
            what_happened=mentions(REPORT_TEXT_MAX),
            kinds=("police", "arrest"),
            details=mentions(REPERCUSSION_DETAILS_MAX),
            links="\n".join(links),
        )
    )
    snippet = check_new_snippet(
        slug="x" * 40,
        title=name(TITLE_MAX),
        body=name(BODY_MAX),
        source=name(SOURCE_LINE_MAX),
        keywords=",".join(["w" * 40] * 10),
        kind="rights",
        lang="es",
        taken_ids=(),
    )
    async with sessionmaker.begin() as s:
        action = await actions.add(
            s, G, name=action_name, local_date=NOW.date(), local_time=NOW.time(), now=NOW
        )
        walkout = await walkouts.create(
            s,
            guild_id=G,
            starts_at=NOW - timedelta(days=1),
            ends_at=NOW - timedelta(days=1) + timedelta(hours=1),
            timezone="America/Argentina/ComodRivadavia",
            action_id=action.id,
            registrant_id=2**63 - 1,
            status="scheduled",
            now=NOW,
            **fields,
        )
        await walkouts.cancel(s, G, walkout.id, reason=reason, now=NOW)
        await reports.create(
            s, guild_id=G, walkout_id=walkout.id, content=content, now=NOW, receipt_hash="f" * 64
        )
        await snippets.add(
            s,
            G,
            slug=snippet.slug,
            kind=snippet.kind,
            lang=snippet.lang,
            title=snippet.title,
            body=snippet.body,
            source=snippet.source,
            keywords=snippet.keywords,
            now=NOW,
        )
    async with sessionmaker() as s:
        stored = await walkouts.get(s, G, walkout.id)
        assert stored is not None
        assert len(stored.details or "") == DETAILS_STORED_MAX  # a zero-width space per mention
        assert len(stored.cancel_reason or "") == REASON_STORED_MAX
        assert stored.school == fields["school"] and len(stored.school) == SCHOOL_MAX
        ((report, _),), total = await reports.page(s, G)
        assert total == 1 and report.what_happened == content.what_happened
        assert report.media_links == content.media_links
        assert len(report.media_links or "") == MEDIA_LINKS_MAX
