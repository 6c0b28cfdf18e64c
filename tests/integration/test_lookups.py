"""Lookups of what a member typed, with text no column holds: a NUL character. PostgreSQL
refuses it as a parameter (the whole statement fails); stored text never has one (the bot tidies
control characters away). Each lookup finds nothing, quietly, on every backend."""

from datetime import UTC, datetime, timedelta

from db import actions, snippets, walkouts

NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
G = 111111111111111111
NUL_TEXTS = ("\x00", "Cass\x00", "Walk out and turn up the heat on ICE\x00", "our-walkout\x00")


async def test_text_with_a_nul_matches_nothing(sessionmaker):
    async with sessionmaker.begin() as s:
        await walkouts.create(
            s,
            guild_id=G,
            school="Cass Tech",
            city="Detroit",
            starts_at=NOW + timedelta(days=1),
            ends_at=NOW + timedelta(days=1, hours=1),
            timezone="America/Detroit",
            meeting_point=None,
            details=None,
            action_id=None,
            registrant_id=None,
            status="scheduled",
            now=NOW,
        )
        await snippets.add(
            s,
            G,
            slug="our-walkout",
            kind="rights",
            lang="en",
            title="Our walkout",
            body="Body",
            source="Source",
            now=NOW,
        )
    for text in NUL_TEXTS:
        async with sessionmaker.begin() as s:
            assert await walkouts.search(s, G, text, now=NOW) == []
            page = await walkouts.list_page(s, G, scope="all", now=NOW, city=text)
            assert page == ([], 0)
            assert await actions.find_by_name(s, G, text) is None
            assert await snippets.get(s, G, text) is None
            assert await snippets.remove(s, G, text) is False
    async with sessionmaker() as s:  # the same lookups without the NUL still find them
        assert len(await walkouts.search(s, G, "Cass", now=NOW)) == 1
        assert (await walkouts.list_page(s, G, scope="all", now=NOW, city="Detroit"))[1] == 1
        assert await snippets.get(s, G, "our-walkout") is not None
