"""db.actions: shipped actions for everyone, a server's own only for it."""

import asyncio
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select, text

from db import actions, guilds, walkouts
from db.models import NationalAction
from tests.integration.races import Interleave

G1, G2 = 111111111111111111, 222222222222222222
SHIPPED_NAME = "Walk out and turn up the heat on ICE"
NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)


async def shipped_id(s) -> int:
    found = await actions.find_by_name(s, G1, SHIPPED_NAME)
    assert found is not None
    return found.id


async def test_shipped_action_visible_everywhere(sessionmaker):
    """Every guild sees the shipped action with its date and local time."""
    async with sessionmaker() as s:
        for guild in (G1, G2):
            rows = await actions.list_for_guild(s, guild)
            assert [(a.guild_id, a.name) for a in rows] == [(None, SHIPPED_NAME)]
            assert (rows[0].local_date, rows[0].local_time) == (date(2026, 2, 13), time(14, 0))
            assert await actions.get_for_guild(s, guild, rows[0].id) is not None


async def test_own_actions_are_private_and_ordered(sessionmaker):
    """A guild's own actions are listed by date/time for it and invisible to others."""
    async with sessionmaker.begin() as s:
        late = await actions.add(
            s,
            G1,
            name="  Spring strike ",
            local_date=date(2026, 4, 1),
            local_time=time(10),
            now=NOW,
        )
        early = await actions.add(
            s, G1, name="Jan day", local_date=date(2026, 1, 5), local_time=time(9), now=NOW
        )
        same_day = await actions.add(
            s, G1, name="Feb noon", local_date=date(2026, 2, 13), local_time=time(12), now=NOW
        )
        other = await actions.add(
            s, G2, name="Other", local_date=date(2026, 1, 1), local_time=time(8), now=NOW
        )
    assert late.name == "Spring strike"
    async with sessionmaker() as s:
        names = [a.name for a in await actions.list_for_guild(s, G1)]
        assert names == ["Jan day", "Feb noon", SHIPPED_NAME, "Spring strike"]
        assert [a.name for a in await actions.list_for_guild(s, G2)] == ["Other", SHIPPED_NAME]
        assert await actions.get_for_guild(s, G2, early.id) is None
        assert await actions.get_for_guild(s, G1, other.id) is None
        assert (await actions.get_for_guild(s, G1, same_day.id)).name == "Feb noon"


async def test_find_by_name(sessionmaker):
    """Names match case-insensitively (also non-ASCII), own before shipped, never another's."""
    async with sessionmaker.begin() as s:
        mine = await actions.add(
            s,
            G1,
            name="Día Sin Inmigrantes",
            local_date=date(2026, 5, 1),
            local_time=time(11),
            now=NOW,
        )
        await actions.add(
            s, G2, name="Private", local_date=date(2026, 5, 1), local_time=time(11), now=NOW
        )
    async with sessionmaker() as s:
        assert (await actions.find_by_name(s, G1, "día sin inmigrantes")).id == mine.id
        assert (await actions.find_by_name(s, G1, "DÍA SIN INMIGRANTES ")).id == mine.id
        assert (await actions.find_by_name(s, G2, SHIPPED_NAME.upper())).guild_id is None
        assert await actions.find_by_name(s, G1, "private") is None
        assert await actions.find_by_name(s, G1, "Walk out%") is None
    async with sessionmaker.begin() as s:
        own_copy = await actions.add(
            s,
            G1,
            name=SHIPPED_NAME.lower(),
            local_date=date(2026, 3, 1),
            local_time=time(9),
            now=NOW,
        )
    async with sessionmaker() as s:
        assert (await actions.find_by_name(s, G1, SHIPPED_NAME)).id == own_copy.id


async def test_remove_semantics(sessionmaker):
    """Shipped refused, other guild's or unknown missing, own removed; walkouts keep their time."""
    starts = NOW + timedelta(days=3)
    async with sessionmaker.begin() as s:
        own = await actions.add(
            s, G1, name="Mine", local_date=date(2026, 3, 1), local_time=time(9), now=NOW
        )
        theirs = await actions.add(
            s, G2, name="Theirs", local_date=date(2026, 3, 1), local_time=time(9), now=NOW
        )
        w = await walkouts.create(
            s,
            guild_id=G1,
            school="Lincoln High",
            city="Omaha",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            timezone="America/Chicago",
            meeting_point=None,
            details=None,
            action_id=own.id,
            registrant_id=1,
            status="scheduled",
            now=NOW,
        )
    async with sessionmaker.begin() as s:
        assert await actions.remove(s, G1, await shipped_id(s)) == "shipped"
        assert await actions.remove(s, G1, theirs.id) == "missing"
        assert await actions.remove(s, G1, 999_999) == "missing"
        assert await actions.remove(s, G1, 2**40) == "missing"
        loaded = await walkouts.get(s, G1, w.id)
        assert loaded.action is not None
        assert await actions.remove(s, G1, own.id) == "removed"
        # The walkout already in the session is kept in step.
        assert loaded.action_id is None
        assert loaded.action is None
    async with sessionmaker() as s:
        assert await actions.get_for_guild(s, G1, own.id) is None
        assert await actions.get_for_guild(s, G2, theirs.id) is not None
        assert len(await actions.list_for_guild(s, G1)) == 1
        again = await walkouts.get(s, G1, w.id)
        assert again.action_id is None
        assert again.starts_at == starts


async def test_foreign_key_sets_null_on_delete(sessionmaker):
    """The schema itself nulls walkouts.action_id when an action row goes (foreign keys on)."""
    async with sessionmaker.begin() as s:
        own = await actions.add(
            s, G1, name="Mine", local_date=date(2026, 3, 1), local_time=time(9), now=NOW
        )
        w = await walkouts.create(
            s,
            guild_id=G1,
            school="A",
            city="B",
            starts_at=NOW,
            ends_at=NOW + timedelta(hours=1),
            timezone="UTC",
            meeting_point=None,
            details=None,
            action_id=own.id,
            registrant_id=None,
            status="scheduled",
            now=NOW,
        )
    async with sessionmaker.begin() as s:
        await s.execute(text("DELETE FROM national_actions WHERE id = :id"), {"id": own.id})
    async with sessionmaker() as s:
        assert (await walkouts.get(s, G1, w.id)).action_id is None


async def test_two_moderators_adding_one_name_at_once_add_it_once(sessionmaker, monkeypatch):
    """The second add waits for the first (the server's settings row is locked), then finds
    the name: on PostgreSQL both would otherwise find nothing and both insert."""
    async with sessionmaker.begin() as s:  # the server is set up (its row exists)
        await guilds.set_timezone(s, G1, "America/Detroit", now=NOW)
    race = Interleave()
    monkeypatch.setattr(actions, "add", race.hold(actions.add))

    async def add(name):
        async with sessionmaker.begin() as s:
            row = await actions.add_unless_named(
                s, G1, name=name, local_date=date(2026, 3, 6), local_time=time(14), now=NOW
            )
            return None if row is None else row.id

    first = asyncio.create_task(add("Spring walkout"))
    second = await race.then(add("SPRING WALKOUT"))
    added = [await first, second]
    async with sessionmaker() as s:
        count = await s.scalar(
            select(func.count())
            .select_from(NationalAction)
            .where(func.lower(NationalAction.name) == "spring walkout")
        )
    assert count == 1
    assert sorted(added, key=lambda x: x is None)[1] is None  # one of the two was refused
