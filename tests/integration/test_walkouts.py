"""db.walkouts on a migrated database, with a fixed clock."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import InvalidRequestError, StatementError

from db import actions, walkouts
from db.models import Rsvp

NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
G1, G2 = 111111111111111111, 222222222222222222


async def add(s, guild_id=G1, *, school="Lincoln High", city="Omaha", hours=24, **kw):
    starts = kw.pop("starts_at", NOW + timedelta(hours=hours))
    fields = {
        "timezone": "America/Chicago",
        "meeting_point": None,
        "details": None,
        "action_id": None,
        "registrant_id": 42,
        "status": "scheduled",
        "now": NOW,
    }
    fields.update(kw)
    return await walkouts.create(
        s,
        guild_id=guild_id,
        school=school,
        city=city,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        **fields,
    )


async def test_create_and_get(sessionmaker):
    """A created walkout reads back with every field, aware UTC times and no action."""
    start = datetime(2026, 2, 13, 14, 0, tzinfo=ZoneInfo("America/Chicago"))
    async with sessionmaker.begin() as s:
        w = await add(
            s,
            starts_at=start,
            meeting_point="Front steps",
            details="Bring water",
            registrant_id=7,
        )
        assert w.id is not None
        assert w.action is None
        assert w.status == "scheduled" and not w.is_cancelled
        assert w.created_at.tzinfo is UTC  # server default fetched on insert, no lazy IO
    async with sessionmaker() as s:
        got = await walkouts.get(s, G1, w.id)
    assert got is not None
    assert (got.school, got.city, got.timezone) == ("Lincoln High", "Omaha", "America/Chicago")
    assert (got.meeting_point, got.details, got.registrant_id) == ("Front steps", "Bring water", 7)
    assert got.starts_at == start
    assert got.starts_at.tzinfo is UTC
    assert got.starts_at.hour == 20
    assert got.ends_at.tzinfo is UTC
    assert got.created_at.tzinfo is UTC
    assert got.action is None
    assert got.event_id is None and got.message_id is None


async def test_naive_datetime_refused(sessionmaker):
    """A naive datetime never reaches the database."""
    async with sessionmaker() as s:
        with pytest.raises(StatementError, match="naive datetime"):
            await add(s, starts_at=datetime(2026, 2, 13, 14, 0))


async def test_get_is_guild_scoped(sessionmaker):
    """Ids from one guild never resolve in another."""
    async with sessionmaker.begin() as s:
        a = await add(s, G1)
        b = await add(s, G2)
    async with sessionmaker() as s:
        assert (await walkouts.get(s, G1, a.id)).id == a.id
        assert await walkouts.get(s, G2, a.id) is None
        assert await walkouts.get(s, G1, b.id) is None
        assert await walkouts.get(s, G1, 999_999) is None
        assert await walkouts.get(s, G1, 2**31) is None  # beyond int4: unknown, not an error
        assert await walkouts.get(s, G1, -a.id) is None
        assert await walkouts.search(s, G2, str(a.id), now=NOW) == []
        assert [w.id for w in await walkouts.search(s, G2, "", now=NOW)] == [b.id]
        page, total = await walkouts.list_page(s, G2, scope="all", now=NOW)
        assert [w.id for w in page] == [b.id] and total == 1


async def test_action_link(sessionmaker):
    """create/update accept visible actions only and load the action."""
    async with sessionmaker.begin() as s:
        shipped = (await actions.list_for_guild(s, G1))[0]
        theirs = await actions.add(
            s, G2, name="Theirs", local_date=NOW.date(), local_time=NOW.time(), now=NOW
        )
        w = await add(s, action_id=shipped.id)
        assert w.action is shipped
        with pytest.raises(ValueError, match="not visible"):
            await add(s, action_id=theirs.id)
        with pytest.raises(ValueError, match="not visible"):
            await walkouts.update(s, G1, w.id, now=NOW, action_id=theirs.id)
    async with sessionmaker() as s:
        got = await walkouts.get(s, G1, w.id)
        assert got.action is not None
        assert got.action.name == shipped.name


async def test_update_changes_only_editable_fields(sessionmaker):
    """update sets the given fields and updated_at; other names are refused."""
    later = NOW + timedelta(minutes=3)
    new_start = NOW + timedelta(days=5)
    async with sessionmaker.begin() as s:
        shipped = (await actions.list_for_guild(s, G1))[0]
        w = await add(s, action_id=shipped.id)
        with pytest.raises(TypeError, match="status"):
            await walkouts.update(s, G1, w.id, now=later, status="cancelled")  # type: ignore[call-arg]
        w = await walkouts.update(
            s,
            G1,
            w.id,
            now=later,
            school="Central High",
            starts_at=new_start,
            ends_at=new_start + timedelta(hours=2),
            details=None,
            action_id=None,
        )
        assert w.action is None
    async with sessionmaker() as s:
        got = await walkouts.get(s, G1, w.id)
    assert (got.school, got.city, got.status) == ("Central High", "Omaha", "scheduled")
    assert got.starts_at == new_start
    assert got.ends_at == new_start + timedelta(hours=2)
    assert got.action_id is None
    assert got.updated_at == later


async def test_update_in_a_later_session(sessionmaker):
    """A walkout loaded in an earlier session can be updated in a new one."""
    async with sessionmaker.begin() as s:
        w = await add(s)
    async with sessionmaker.begin() as s:
        await walkouts.update(s, G1, w.id, now=NOW, city="Lincoln")
    async with sessionmaker() as s:
        assert (await walkouts.get(s, G1, w.id)).city == "Lincoln"


async def test_cancel_announcement_event(sessionmaker):
    """cancel, set_announcement and set_event persist."""
    async with sessionmaker.begin() as s:
        w = await add(s)
        await walkouts.set_announcement(s, G1, w.id, channel_id=5, message_id=6)
        await walkouts.set_event(s, G1, w.id, 77)
    async with sessionmaker.begin() as s:
        cancelled = await walkouts.cancel(s, G1, w.id, reason="Snow day", now=NOW)
        assert cancelled is not None and cancelled.is_cancelled
        await walkouts.set_event(s, G1, w.id, None)
    async with sessionmaker() as s:
        got = await walkouts.get(s, G1, w.id)
    assert got.is_cancelled
    assert got.cancel_reason == "Snow day"
    assert got.updated_at == NOW
    assert (got.channel_id, got.message_id, got.event_id) == (5, 6, None)


async def test_list_page_scopes_and_paging(sessionmaker):
    """upcoming ascending, past descending, all = upcoming then past; totals ignore paging."""
    async with sessionmaker.begin() as s:
        past = [await add(s, school=f"P{h}", hours=-h) for h in (1, 30, 5)]
        up = [await add(s, school=f"U{h}", hours=h) for h in (48, 0, 2, 100)]
        await add(s, G2, hours=3)
    async with sessionmaker() as s:
        rows, total = await walkouts.list_page(s, G1, scope="upcoming", now=NOW)
        assert [w.school for w in rows] == ["U0", "U2", "U48", "U100"] and total == 4
        rows, total = await walkouts.list_page(s, G1, scope="past", now=NOW)
        assert [w.school for w in rows] == ["P1", "P5", "P30"] and total == 3
        rows, total = await walkouts.list_page(s, G1, scope="all", now=NOW)
        assert [w.school for w in rows] == ["U0", "U2", "U48", "U100", "P1", "P5", "P30"]
        assert total == 7

        rows, total = await walkouts.list_page(s, G1, scope="all", now=NOW, offset=3, limit=2)
        assert [w.school for w in rows] == ["U100", "P1"] and total == 7
        rows, total = await walkouts.list_page(s, G1, scope="upcoming", now=NOW, offset=10)
        assert rows == [] and total == 4
        rows, _ = await walkouts.list_page(s, G1, scope="upcoming", now=NOW, limit=1)
        assert rows[0].action is None  # loaded, no lazy IO
        with pytest.raises(ValueError, match="scope"):
            await walkouts.list_page(s, G1, scope="soon", now=NOW)  # type: ignore[arg-type]
    assert len(past) == 3 and len(up) == 4


async def test_list_page_city_filter_and_cancelled(sessionmaker):
    """The city filter is a case-insensitive substring (LIKE wildcards literal, Unicode too)."""
    async with sessionmaker.begin() as s:
        await add(s, city="San José", hours=1)
        await add(s, city="SAN JOSÉ", hours=2)
        await add(s, city="Los Angeles", hours=3)
        await add(s, city="100% City", hours=4)
        cancelled = await add(s, city="San Diego", hours=5)
        await walkouts.cancel(s, cancelled.guild_id, cancelled.id, reason=None, now=NOW)
    async with sessionmaker() as s:

        async def cities(city, **kw):
            rows, total = await walkouts.list_page(
                s, G1, scope="upcoming", now=NOW, city=city, **kw
            )
            assert total == len(rows)
            return [w.city for w in rows]

        assert await cities("san josé") == ["San José", "SAN JOSÉ"]
        assert await cities(" SAN ") == ["San José", "SAN JOSÉ", "San Diego"]
        assert await cities("san", include_cancelled=False) == ["San José", "SAN JOSÉ"]
        assert await cities("%") == ["100% City"]
        assert await cities("_") == []
        assert len(await cities("  ")) == 5


async def test_search_matches_and_ranking(sessionmaker):
    """Search by id, school or city; exact id first, open upcoming soonest, then the rest."""
    async with sessionmaker.begin() as s:
        later = await add(s, school="Roosevelt High", city="Des Moines", hours=48)
        sooner = await add(s, school="Roosevelt Middle", city="Omaha", hours=2)
        past = await add(s, school="Roosevelt Elementary", city="Omaha", hours=-5)
        older = await add(s, school="Old Roosevelt", city="Omaha", hours=-50)
        gone = await add(s, school="Roosevelt Prep", city="Omaha", hours=1)
        await walkouts.cancel(s, gone.guild_id, gone.id, reason=None, now=NOW)
        other = await add(s, school="Washington", city="Des Moines", hours=3)
        await add(s, G2, school="Roosevelt Elsewhere", hours=1)

    async with sessionmaker() as s:

        async def ids(text, **kw):
            return [w.id for w in await walkouts.search(s, G1, text, now=NOW, **kw)]

        # Upcoming open soonest first; then cancelled/past most recent first.
        assert await ids("roosevelt") == [sooner.id, later.id, gone.id, past.id, older.id]
        assert await ids("des moines") == [other.id, later.id]
        assert await ids("DES MOINES") == [other.id, later.id]
        assert await ids("omaha", limit=2) == [sooner.id, gone.id]
        assert (await ids(f"#{older.id}"))[0] == older.id
        assert (await ids(f" {past.id} "))[0] == past.id
        assert await ids("#999999") == []
        assert await ids("#99999999999999999999999") == []
        assert await ids("") == [sooner.id, other.id, later.id, gone.id, past.id, older.id]
        assert await ids("%") == []


async def test_rsvp_toggle_and_counts(sessionmaker):
    """toggle_rsvp flips per member; counts are per walkout with zeros filled in."""
    async with sessionmaker.begin() as s:
        a = await add(s)
        b = await add(s)
        c = await add(s)
    async with sessionmaker.begin() as s:
        assert await walkouts.toggle_rsvp(s, a.id, "k1") is True
        assert await walkouts.toggle_rsvp(s, a.id, "k2") is True
        assert await walkouts.toggle_rsvp(s, b.id, "k1") is True
    async with sessionmaker.begin() as s:
        assert (await walkouts.rsvp_counts(s, [a.id]))[a.id] == 2
        assert await walkouts.toggle_rsvp(s, a.id, "k1") is False
        assert (await walkouts.rsvp_counts(s, [a.id]))[a.id] == 1
        assert await walkouts.toggle_rsvp(s, a.id, "k1") is True
        assert await walkouts.rsvp_counts(s, [a.id, b.id, c.id, a.id]) == {
            a.id: 2,
            b.id: 1,
            c.id: 0,
        }
        assert await walkouts.rsvp_counts(s, []) == {}
        assert (await walkouts.rsvp_counts(s, [c.id]))[c.id] == 0


async def test_rsvp_under_an_older_key_version_still_counts_as_the_members(sessionmaker):
    """After the pseudonym key is rotated, a toggle finds the RSVP stored under the old key:
    it is removed (not doubled), and going again stores the current key."""
    async with sessionmaker() as s:
        w = await add(s)
        assert await walkouts.toggle_rsvp(s, w.id, "old-key") is True
        assert await walkouts.toggle_rsvp(s, w.id, "new-key", older_keys=["old-key"]) is False
        assert (await walkouts.rsvp_counts(s, [w.id]))[w.id] == 0
        assert await walkouts.toggle_rsvp(s, w.id, "new-key", older_keys=["old-key"]) is True
        keys = (await s.scalars(select(Rsvp.member_key).where(Rsvp.walkout_id == w.id))).all()
        assert keys == ["new-key"]


async def test_count_active_events(sessionmaker):
    """Counts walkouts with an event that are neither cancelled nor over, per guild."""
    async with sessionmaker.begin() as s:
        for hours, event_id in ((5, 1), (-0.5, 2), (-3, 3), (10, None)):
            w = await add(s, hours=hours)  # ends one hour after it starts
            await walkouts.set_event(s, G1, w.id, event_id)
        gone = await add(s, hours=6)
        await walkouts.set_event(s, G1, gone.id, 4)
        await walkouts.cancel(s, gone.guild_id, gone.id, reason=None, now=NOW)
        other = await add(s, G2, hours=5)
        await walkouts.set_event(s, G2, other.id, 5)
    async with sessionmaker() as s:
        assert await walkouts.count_active_events(s, G1, now=NOW) == 2
        assert await walkouts.count_active_events(s, G2, now=NOW) == 1
        assert await walkouts.count_active_events(s, G1, now=NOW + timedelta(days=1)) == 0


async def test_relationships_never_lazy_load(sessionmaker):
    """rsvps is never loaded implicitly: access raises instead of doing hidden IO."""
    async with sessionmaker.begin() as s:
        w = await add(s)
    async with sessionmaker() as s:
        got = await walkouts.get(s, G1, w.id)
        with pytest.raises(InvalidRequestError):
            _ = got.rsvps


async def test_list_page_with_rsvps_counts_and_totals_in_one_query(sessionmaker):
    """Each row carries its own RSVP count; the window total matches; past the end still counts."""
    async with sessionmaker.begin() as s:
        rows = [await add(s, school=f"S{i}", hours=i + 1) for i in range(5)]
        await walkouts.toggle_rsvp(s, rows[0].id, "a")
        await walkouts.toggle_rsvp(s, rows[0].id, "b")
        await walkouts.toggle_rsvp(s, rows[3].id, "a")
        other = await add(s, G2, school="Elsewhere")
        await walkouts.toggle_rsvp(s, other.id, "z")
    async with sessionmaker() as s:
        page, total = await walkouts.list_page_with_rsvps(
            s, G1, scope="upcoming", now=NOW, limit=2, offset=0
        )
        assert total == 5
        assert [(w.school, n) for w, n in page] == [("S0", 2), ("S1", 0)]
        page, total = await walkouts.list_page_with_rsvps(
            s, G1, scope="upcoming", now=NOW, limit=2, offset=2
        )
        assert [(w.school, n) for w, n in page] == [("S2", 0), ("S3", 1)]
        page, total = await walkouts.list_page_with_rsvps(
            s, G1, scope="upcoming", now=NOW, limit=2, offset=10
        )
        assert (page, total) == ([], 5)
        page, total = await walkouts.list_page_with_rsvps(s, G1, scope="past", now=NOW)
        assert (page, total) == ([], 0)
        # list_page is the same query without the counts
        plain, plain_total = await walkouts.list_page(s, G1, scope="upcoming", now=NOW, limit=2)
        assert [w.school for w in plain] == ["S0", "S1"] and plain_total == 5


async def test_get_with_rsvps_is_guild_scoped(sessionmaker):
    async with sessionmaker.begin() as s:
        w = await add(s)
        await walkouts.toggle_rsvp(s, w.id, "k1")
    async with sessionmaker() as s:
        got = await walkouts.get_with_rsvps(s, G1, w.id)
        assert got is not None and got[0].id == w.id and got[1] == 1
        assert got[0].action is None  # loaded, not lazy
        assert await walkouts.get_with_rsvps(s, G2, w.id) is None
        assert await walkouts.get_with_rsvps(s, G1, 0) is None
