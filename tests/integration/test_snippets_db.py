"""db.snippets: a server's own snippets, invisible to every other server; migration 0002."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from cogs.snippets.store import to_snippet
from db import snippets
from db.engine import create_engine, downgrade, upgrade

G1, G2 = 111111111111111111, 222222222222222222
NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


async def add(s, guild_id=G1, slug="our-walkout", **fields):
    values = {
        "kind": "history",
        "lang": "en",
        "title": "Our walkout",
        "body": "We walked out on Feb 13.",
        "source": "Student paper, 2026-02-14",
        "now": NOW,
    }
    values.update(fields)
    return await snippets.add(s, guild_id, slug=slug, **values)


async def test_add_get_and_list(sessionmaker):
    """A stored snippet comes back whole, keywords in order, created_at aware UTC."""
    async with sessionmaker.begin() as s:
        row = await add(s, keywords=["walkout", " ICE ", ""])
        await add(s, slug="another-one", kind="rights", lang="es", title="Otra")
    assert row.id and row.created_at == NOW
    async with sessionmaker() as s:
        got = await snippets.get(s, G1, "our-walkout")
        assert got is not None
        assert (got.kind, got.lang, got.title, got.source) == (
            "history",
            "en",
            "Our walkout",
            "Student paper, 2026-02-14",
        )
        assert got.keywords == "walkout,ICE"
        assert snippets.split_keywords(got.keywords) == ("walkout", "ICE")
        assert got.created_at == NOW and got.created_at.tzinfo is not None
        listed = await snippets.list_for_guild(s, G1)
        assert [r.slug for r in listed] == ["another-one", "our-walkout"]


async def test_created_at_comes_from_the_injected_clock(sessionmaker):
    """The row is stamped with the caller's clock, not the database's; no default exists."""
    later = datetime(2031, 5, 6, 7, 8, tzinfo=UTC)
    async with sessionmaker.begin() as s:
        row = await add(s, now=later)
    async with sessionmaker() as s:
        got = await snippets.get(s, G1, row.slug)
    assert got.created_at == later and got.created_at.tzinfo is UTC
    assert row.keywords is None


async def test_servers_never_see_each_others_snippets(sessionmaker):
    async with sessionmaker.begin() as s:
        await add(s, G1, slug="shared-name", title="G1's")
        await add(s, G2, slug="shared-name", title="G2's")
        await add(s, G2, slug="only-g2")
    async with sessionmaker() as s:
        assert [r.title for r in await snippets.list_for_guild(s, G1)] == ["G1's"]
        assert await snippets.get(s, G1, "only-g2") is None
        assert (await snippets.get(s, G2, "shared-name")).title == "G2's"
    async with sessionmaker.begin() as s:
        assert await snippets.remove(s, G1, "only-g2") is False
        assert await snippets.remove(s, G1, "shared-name") is True
    async with sessionmaker() as s:
        assert await snippets.list_for_guild(s, G1) == []
        assert [r.slug for r in await snippets.list_for_guild(s, G2)] == ["only-g2", "shared-name"]


async def test_slug_is_unique_per_server(sessionmaker):
    async with sessionmaker.begin() as s:
        await add(s)
    with pytest.raises(IntegrityError):
        async with sessionmaker.begin() as s:
            await add(s, title="Same slug again")
    async with sessionmaker() as s:
        assert len(await snippets.list_for_guild(s, G1)) == 1


async def test_remove(sessionmaker):
    async with sessionmaker.begin() as s:
        await add(s)
    async with sessionmaker.begin() as s:
        assert await snippets.remove(s, G1, "our-walkout") is True
        assert await snippets.remove(s, G1, "our-walkout") is False
    async with sessionmaker() as s:
        assert await snippets.get(s, G1, "our-walkout") is None


async def test_row_converts_to_a_guild_snippet(sessionmaker):
    """The converter gives the record shipped snippets use: one language, origin "guild"."""
    async with sessionmaker.begin() as s:
        row = await add(s, kind="rights", lang="es", keywords=["huelga"], now=NOW)
    snippet = to_snippet(row)
    assert (snippet.id, snippet.kind, snippet.origin) == ("our-walkout", "rights", "guild")
    assert set(snippet.texts) == {"es"}
    assert snippet.text("en").title == "Our walkout"  # one language, whatever is asked
    assert snippet.texts["es"].keywords == ("huelga",)
    assert snippet.checked == NOW.date()
    assert snippet.sources[0].publication == "Student paper, 2026-02-14"
    assert snippet.needs_legal_notice


def test_keywords_with_the_separator_are_refused():
    with pytest.raises(ValueError, match="can't contain"):
        snippets.join_keywords(["a,b"])


def _tables(conn) -> set[str]:
    return set(inspect(conn).get_table_names())


async def test_migration_0002_up_and_down(db_url):
    """0002 adds guild_snippets with its unique (guild, slug); downgrading to 0001 drops it."""
    engine = create_engine(db_url)
    try:
        await upgrade(db_url, "0001")
        async with engine.connect() as conn:
            assert "guild_snippets" not in await conn.run_sync(_tables)
        await upgrade(db_url)
        async with engine.connect() as conn:
            assert "guild_snippets" in await conn.run_sync(_tables)
            uniques = await conn.run_sync(
                lambda c: inspect(c).get_unique_constraints("guild_snippets")
            )
            assert [u["column_names"] for u in uniques] == [["guild_id", "slug"]]
        await downgrade(db_url, "0001")
        async with engine.connect() as conn:
            tables = await conn.run_sync(_tables)
            assert "guild_snippets" not in tables
            assert {"walkouts", "rsvps", "national_actions", "guild_settings"} <= tables
    finally:
        await engine.dispose()
