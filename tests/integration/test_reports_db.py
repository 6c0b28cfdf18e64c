"""db.reports (and the privacy queries beside it) on a migrated database: every query is
scoped to its server, owners are found by their mark only, retention purges by walkout end."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from db import guilds, reminders, reports, walkouts
from db.models import Reminder, Report, Rsvp
from db.reports import ReportContent

NOW = datetime(2026, 2, 20, 12, 0, tzinfo=UTC)
G1, G2 = 111111111111111111, 222222222222222222
CONTENT = ReportContent(turnout=120, what_happened="We walked out.", repercussions=2)


async def walkout(s, guild_id=G1, *, days_ago=3, school="Cass Tech", city="Detroit", **kw):
    starts = NOW - timedelta(days=days_ago)
    return await walkouts.create(
        s,
        guild_id=guild_id,
        school=school,
        city=city,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        timezone="America/Detroit",
        meeting_point=None,
        details=None,
        action_id=None,
        registrant_id=kw.pop("registrant_id", 42),
        status="scheduled",
        now=NOW - timedelta(days=30),
    )


async def anon(s, w, receipt="r" * 64, content=CONTENT, now=NOW):
    return await reports.create(
        s, guild_id=w.guild_id, walkout_id=w.id, content=content, now=now, receipt_hash=receipt
    )


async def named(s, w, key="k" * 64, content=CONTENT, now=NOW):
    return await reports.create(
        s, guild_id=w.guild_id, walkout_id=w.id, content=content, now=now, reporter_key=key
    )


@pytest.mark.parametrize(("key", "receipt"), [(None, None), ("k" * 64, "r" * 64)])
async def test_a_report_has_exactly_one_owner_mark(sessionmaker, key, receipt):
    async with sessionmaker() as s:
        w = await walkout(s)
        with pytest.raises(IntegrityError):
            await reports.create(
                s,
                guild_id=G1,
                walkout_id=w.id,
                content=CONTENT,
                now=NOW,
                reporter_key=key,
                receipt_hash=receipt,
            )


@pytest.mark.parametrize(
    "content",
    [ReportContent(turnout=-1), ReportContent(turnout=100_001), ReportContent(repercussions=32)],
)
async def test_check_constraints_refuse_impossible_values(sessionmaker, content):
    async with sessionmaker() as s:
        w = await walkout(s)
        with pytest.raises(IntegrityError):
            await anon(s, w, content=content)


async def test_receipt_lookup_is_scoped_to_the_server(sessionmaker):
    async with sessionmaker.begin() as s:
        w1, w2 = await walkout(s), await walkout(s, G2)
        mine = await anon(s, w1, receipt="a" * 64)
        await anon(s, w2, receipt="b" * 64)
    async with sessionmaker() as s:
        assert (await reports.by_receipt(s, G1, "a" * 64)).id == mine.id
        assert await reports.by_receipt(s, G2, "a" * 64) is None
        assert await reports.by_receipt(s, G1, "b" * 64) is None
        assert await reports.by_receipt(s, G1, "c" * 64) is None


async def test_named_reports_are_found_by_any_key_version_in_their_server_only(sessionmaker):
    async with sessionmaker.begin() as s:
        w1, w2 = await walkout(s), await walkout(s, G2)
        old = await named(s, w1, key="old".ljust(64, "0"))
        new = await named(s, w1, key="new".ljust(64, "0"), now=NOW + timedelta(minutes=1))
        await named(s, w2, key="new".ljust(64, "0"))
        other = await named(s, w1, key="someone".ljust(64, "0"))
        anonymous = await anon(s, w1)
    keys = ["new".ljust(64, "0"), "old".ljust(64, "0")]
    async with sessionmaker() as s:
        assert (await reports.owned(s, G1, old.id, keys)).id == old.id
        assert await reports.owned(s, G1, other.id, keys) is None
        assert await reports.owned(s, G1, anonymous.id, keys) is None
        assert await reports.owned(s, G2, old.id, keys) is None
        assert await reports.owned(s, G1, old.id, []) is None
        assert await reports.owned(s, G1, 2**40, keys) is None
        mine = await reports.list_owned(s, G1, keys)
        assert [r.id for r, _ in mine] == [new.id, old.id]
        assert all(w.id == w1.id for _, w in mine)


async def test_forget_reporter_deletes_only_that_members_named_reports_here(sessionmaker):
    async with sessionmaker.begin() as s:
        w1, w2 = await walkout(s), await walkout(s, G2)
        mine = await named(s, w1, key="me".ljust(64, "0"))
        await reports.set_notice(s, G1, mine.id, channel_id=5, message_id=6)
        await named(s, w2, key="me".ljust(64, "0"))
        await named(s, w1, key="you".ljust(64, "0"))
        await anon(s, w1)
    async with sessionmaker.begin() as s:
        gone = await reports.forget_reporter(s, G1, ["me".ljust(64, "0")])
        assert [r.id for r in gone] == [mine.id]
        assert reports.notices_of(gone) == [reports.Notice(mine.id, 5, 6)]
    async with sessionmaker() as s:
        left = (await s.execute(select(Report.guild_id, Report.reporter_key))).all()
    assert sorted(left, key=str) == sorted(
        [(G2, "me".ljust(64, "0")), (G1, "you".ljust(64, "0")), (G1, None)], key=str
    )


async def test_page_lists_newest_first_with_a_total_and_filters(sessionmaker):
    async with sessionmaker.begin() as s:
        a, b, elsewhere = await walkout(s), await walkout(s, school="Dexter"), await walkout(s, G2)
        ids = [
            (await anon(s, a, f"{i}".rjust(64, "0"), now=NOW + timedelta(minutes=i))).id
            for i in range(12)
        ]
        on_b = await anon(s, b, "b".rjust(64, "0"), now=NOW + timedelta(hours=1))
        await anon(s, elsewhere, "e".rjust(64, "0"))
    async with sessionmaker() as s:
        rows, total = await reports.page(s, G1, limit=10)
        assert total == 13 and len(rows) == 10
        assert [r.id for r, _ in rows][:2] == [on_b.id, ids[-1]]
        rows, total = await reports.page(s, G1, offset=10, limit=10)
        assert total == 13 and [r.id for r, _ in rows] == ids[2::-1]
        rows, total = await reports.page(s, G1, walkout_id=b.id)
        assert total == 1 and rows[0][1].school == "Dexter"
        rows, total = await reports.page(s, G2, walkout_id=b.id)
        assert (rows, total) == ([], 0)


async def test_stats_rows_carry_numbers_only_for_the_server(sessionmaker):
    async with sessionmaker.begin() as s:
        w = await walkout(s)
        await anon(s, w, content=ReportContent(turnout=50, repercussions=6))
        await anon(s, await walkout(s, G2), "z" * 64)
    async with sessionmaker() as s:
        (row,) = await reports.stats_rows(s, G1)
    assert (row.walkout_id, row.city, row.turnout, row.repercussions) == (w.id, "Detroit", 50, 6)


async def collect(s, guild_id, **kw):
    out = []
    async for chunk in reports.export_rows(s, guild_id, chunk=3, **kw):
        assert len(chunk) <= 3
        out.extend(tuple(row) for row in chunk)
    return out


async def test_export_rows_are_scoped_filtered_and_carry_no_owner_mark(sessionmaker):
    async with sessionmaker.begin() as s:
        a, b = await walkout(s), await walkout(s, school="Dexter")
        first = await named(s, a, now=NOW - timedelta(days=2))
        for i in range(6):
            await anon(s, b, f"{i}".rjust(64, "0"), now=NOW + timedelta(minutes=i))
        await anon(s, await walkout(s, G2), "x" * 64)
    async with sessionmaker() as s:
        rows = await collect(s, G1)
        assert len(rows) == 7 == await reports.count_for_export(s, G1)
        assert len(rows[0]) == len(reports.EXPORT_COLUMNS)
        assert rows[0][:4] == (first.id, a.id, "Cass Tech", "Detroit")
        assert rows[0][8] is False and rows[1][8] is True  # named, then anonymous
        assert all("k" * 64 not in row and "0" * 64 not in row for row in rows)
        assert len(await collect(s, G1, walkout_id=b.id)) == 6
        assert len(await collect(s, G1, since=NOW - timedelta(days=1))) == 6
        assert len(await collect(s, G2)) == 1
        assert await collect(s, G2, walkout_id=a.id) == []


async def test_purge_deletes_reports_and_rsvps_of_walkouts_over_for_long_enough(sessionmaker):
    async with sessionmaker.begin() as s:
        old = await walkout(s, days_ago=40)
        recent = await walkout(s, days_ago=5)
        other_old = await walkout(s, G2, days_ago=40)
        gone = await anon(s, old, "1" * 64)
        await reports.set_notice(s, G1, gone.id, channel_id=7, message_id=8)
        await anon(s, recent, "2" * 64)
        await anon(s, other_old, "3" * 64)
        for w in (old, recent, other_old):
            await walkouts.toggle_rsvp(s, w.id, "member")
    async with sessionmaker.begin() as s:
        notices, n_reports, n_rsvps = await reports.purge_before(
            s, G1, ended_before=NOW - timedelta(days=30)
        )
    assert notices == [reports.Notice(gone.id, 7, 8)] and (n_reports, n_rsvps) == (1, 1)
    async with sessionmaker() as s:
        assert sorted(await s.scalars(select(Report.walkout_id))) == [recent.id, other_old.id]
        assert sorted(await s.scalars(select(Rsvp.walkout_id))) == [recent.id, other_old.id]


async def test_retention_setting(sessionmaker):
    async with sessionmaker.begin() as s:
        await guilds.set_retention(s, G1, 30, now=NOW)
        await guilds.set_retention(s, G2, 0, now=NOW)
    async with sessionmaker() as s:
        assert await guilds.with_retention(s) == [(G1, 30)]
        assert (await guilds.get(s, G2)).retention_days is None


async def test_privacy_queries_return_what_they_touched_in_the_server_only(sessionmaker):
    async with sessionmaker.begin() as s:
        mine = await walkout(s, registrant_id=7)
        theirs = await walkout(s, registrant_id=8)
        elsewhere = await walkout(s, G2, registrant_id=7)
        for w in (mine, theirs, elsewhere):
            await walkouts.toggle_rsvp(s, w.id, "key-v1")
        await walkouts.toggle_rsvp(s, theirs.id, "someone")
    async with sessionmaker.begin() as s:
        assert await walkouts.forget_registrant(s, G1, 7) == [mine.id]
        assert await walkouts.forget_rsvps(s, G1, ["key-v2", "key-v1"]) == sorted(
            [mine.id, theirs.id]
        )
        assert await walkouts.forget_rsvps(s, G1, []) == []
    async with sessionmaker() as s:
        assert (await walkouts.get(s, G2, elsewhere.id)).registrant_id == 7
        assert await walkouts.rsvp_counts(s, [mine.id, theirs.id, elsewhere.id]) == {
            mine.id: 0,
            theirs.id: 1,
            elsewhere.id: 1,
        }


async def test_forget_user_removes_pending_dm_reminders_in_the_server(sessionmaker):
    async with sessionmaker.begin() as s:
        w = await walkout(s, days_ago=-2)
        other = await walkout(s, G2, days_ago=-2)
        for target, user in ((w, 7), (other, 7), (w, 8)):
            await reminders.opt_in(
                s,
                target,
                user_id=user,
                lang="en",
                offset_minutes=-60,
                due=NOW + timedelta(days=1),
                now=NOW,
            )
    async with sessionmaker.begin() as s:
        assert await reminders.forget_user(s, G1, 7) == 1
    async with sessionmaker() as s:
        left = (await s.execute(select(Reminder.guild_id, Reminder.user_id))).all()
    assert sorted(left) == [(G1, 8), (G2, 7)]


async def test_a_deleted_newest_report_id_is_never_given_again(sessionmaker):
    """SQLite hands out max(id) + 1 unless the table is AUTOINCREMENT: a new report must not
    take the number of one just deleted (a moderator's notes or an export may still name it)."""
    async with sessionmaker.begin() as s:
        w = await walkout(s)
        await anon(s, w, "1" * 64)
        newest = await anon(s, w, "2" * 64)
    async with sessionmaker.begin() as s:
        await reports.remove(s, newest)
    async with sessionmaker.begin() as s:
        again = await anon(s, w, "3" * 64)
    assert again.id > newest.id
