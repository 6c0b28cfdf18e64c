"""The report service and delete-my-data on a real database: receipts, named reports,
cross-server isolation, the cooldown, retention with the injected clock, and anonymity checked
in what the database holds (on SQLite the bytes of the file and its WAL) and in the logs."""

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from cogs.privacy.service import forget_member
from cogs.reports import receipts
from cogs.reports.form import Draft
from cogs.reports.service import Proof, ReportService, purge_expired
from core.clock import FrozenClock
from core.errors import UserError
from core.pseudonym import Keyring
from db import guilds, reminders, reports, walkouts
from db.engine import Database
from db.models import Base, Report
from tests.integration.races import Interleave

NOW = datetime(2026, 2, 20, 12, 0, tzinfo=UTC)
G1, G2 = 111111111111111111, 222222222222222222
ALICE, BOB = 1_234_567_890_123_456_789, 987_654_321_098_765_432
KEYS = Keyring.parse("v2:current-key,v1:old-key")
DRAFT = Draft(turnout="120", what_happened="Forty of us were written up.", kinds=("discipline",))


@pytest.fixture
def clock():
    return FrozenClock(NOW)


@pytest.fixture
def db(engine):
    return Database(engine)


@pytest.fixture
def service(db, clock):
    return ReportService(db, clock=clock, keys=KEYS)


async def walkout(db, guild_id=G1, *, days_ago=1, registrant_id=42):
    starts = NOW - timedelta(days=days_ago)
    async with db.begin() as s:
        return await walkouts.create(
            s,
            guild_id=guild_id,
            school="Cass Tech",
            city="Detroit",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            timezone="America/Detroit",
            meeting_point=None,
            details=None,
            action_id=None,
            registrant_id=registrant_id,
            status="scheduled",
            now=NOW - timedelta(days=30),
        )


def not_found(info):
    return info.value.key == "error.report.not_found"


async def test_anonymous_report_edit_and_delete_with_its_receipt_only(service, db):
    w = await walkout(db)
    done = await service.submit(G1, ALICE, w.id, DRAFT, anonymous=True)
    assert done.code is not None and receipts.receipt_hash(done.code) == done.report.receipt_hash
    assert done.report.reporter_key is None

    found = await service.find(G1, BOB, done.code.lower())  # whoever holds the code
    assert found.report.id == done.report.id and found.proof.receipt_hash
    edited = await service.edit(G1, BOB, found.proof, Draft(turnout="150"))
    assert edited.report.turnout == 150 and edited.report.what_happened is None

    wrong = receipts.new_code()
    for guild, ref in ((G1, wrong), (G2, done.code), (G1, "not a code"), (G1, f"#{w.id}")):
        with pytest.raises(UserError) as info:
            await service.find(guild, ALICE, ref)
        assert not_found(info)  # the same answer every time: nothing to enumerate
    with pytest.raises(UserError) as info:
        await service.edit(G2, ALICE, found.proof, DRAFT)
    assert not_found(info)
    with pytest.raises(UserError) as info:
        await service.delete(G1, ALICE, wrong)
    assert not_found(info)

    assert await service.delete(G1, ALICE, done.code) is None  # no notification was posted
    with pytest.raises(UserError) as info:
        await service.find(G1, ALICE, done.code)
    assert not_found(info)


async def test_named_reports_are_the_members_own_without_a_code(service, db):
    w = await walkout(db)
    with pytest.raises(UserError, match=r"error\.report\.none_named"):
        await service.find(G1, ALICE, None)
    first = await service.submit(G1, ALICE, w.id, DRAFT, anonymous=False)
    assert first.code is None and first.report.receipt_hash is None
    assert first.report.reporter_key == KEYS.key(G1, ALICE, "report")
    assert (await service.find(G1, ALICE, None)).report.id == first.report.id
    second = await service.submit(G1, ALICE, w.id, Draft(turnout="7"), anonymous=False)
    with pytest.raises(UserError, match=r"error\.report\.which"):
        await service.find(G1, ALICE, None)
    assert [r.id for r, _ in await service.mine(G1, ALICE)] == [second.report.id, first.report.id]
    found = await service.find(G1, ALICE, f"#{first.report.id}")
    await service.edit(G1, ALICE, found.proof, Draft(what_happened="Updated."))

    for guild, user in ((G1, BOB), (G2, ALICE)):
        with pytest.raises(UserError) as info:
            await service.find(guild, user, f"#{first.report.id}")
        assert not_found(info)
        with pytest.raises(UserError) as info:
            await service.edit(guild, user, Proof(first.report.id), DRAFT)
        assert not_found(info)
    assert await service.mine(G2, ALICE) == [] and await service.mine(G1, BOB) == []
    await service.delete(G1, ALICE, f"#{first.report.id}")
    assert [r.id for r, _ in await service.mine(G1, ALICE)] == [second.report.id]


async def test_a_named_report_stored_under_an_older_key_is_still_the_members(db, clock):
    w = await walkout(db)
    old = ReportService(db, clock=clock, keys=Keyring.parse("old-key"))
    done = await old.submit(G1, ALICE, w.id, DRAFT, anonymous=False)
    rotated = ReportService(db, clock=clock, keys=KEYS)
    assert (await rotated.find(G1, ALICE, None)).report.id == done.report.id


async def test_walkouts_of_other_servers_or_not_started_are_refused(service, db):
    theirs = await walkout(db, G2)
    with pytest.raises(UserError, match=r"error\.walkout\.not_found"):
        await service.submit(G1, ALICE, theirs.id, DRAFT, anonymous=True)
    future = await walkout(db, days_ago=-2)
    with pytest.raises(UserError, match=r"error\.report\.too_early"):
        await service.submit(G1, ALICE, future.id, DRAFT, anonymous=True)


async def test_cooldown_per_member_in_memory(service, db, clock):
    w = await walkout(db)
    for _ in range(service.cooldown.limit):
        await service.submit(G1, ALICE, w.id, DRAFT, anonymous=True)
    with pytest.raises(UserError, match=r"error\.report\.cooldown"):
        await service.submit(G1, ALICE, w.id, DRAFT, anonymous=True)
    await service.submit(G1, BOB, w.id, DRAFT, anonymous=True)  # others are not held up
    await service.submit(G2, ALICE, (await walkout(db, G2)).id, DRAFT, anonymous=True)
    clock.advance(minutes=11)
    await service.submit(G1, ALICE, w.id, DRAFT, anonymous=True)


async def test_retention_purge_with_the_injected_clock(service, db, clock):
    old, recent = await walkout(db, days_ago=40), await walkout(db, days_ago=2)
    elsewhere = await walkout(db, G2, days_ago=400)
    for w in (old, recent):
        await service.submit(G1, BOB, w.id, DRAFT, anonymous=False)
    await service.submit(G2, BOB, elsewhere.id, DRAFT, anonymous=True)
    async with db.begin() as s:
        await guilds.set_retention(s, G1, 30, now=NOW)
        await walkouts.toggle_rsvp(s, old.id, "k")
    assert (await purge_expired(db, now=clock())).reports == 1
    clock.advance(days=27)  # the recent one ended 29 days ago
    purged = await purge_expired(db, now=clock())
    assert (purged.reports, purged.rsvps) == (0, 0)
    clock.advance(days=2)
    purged = await purge_expired(db, now=clock())
    assert purged.reports == 1
    async with db() as s:
        left = (await s.execute(select(Report.guild_id, Report.walkout_id))).all()
    assert left == [(G2, elsewhere.id)]  # a server without retention keeps everything


async def test_delete_my_data_removes_everything_of_the_member_and_says_how_much(service, db):
    mine = await walkout(db, registrant_id=ALICE, days_ago=-3)
    theirs = await walkout(db, registrant_id=BOB, days_ago=-3)
    past = await walkout(db)
    elsewhere = await walkout(db, G2, registrant_id=ALICE)
    async with db.begin() as s:
        await walkouts.toggle_rsvp(s, mine.id, KEYS.key(G1, ALICE, "rsvp"))
        await walkouts.toggle_rsvp(
            s, theirs.id, member_key_v1 := Keyring.parse("old-key").key(G1, ALICE, "rsvp")
        )  # stored before the key was rotated
        await walkouts.toggle_rsvp(s, theirs.id, KEYS.key(G1, BOB, "rsvp"))
        await walkouts.toggle_rsvp(s, elsewhere.id, KEYS.key(G2, ALICE, "rsvp"))
        for w in (mine, theirs):
            await reminders.opt_in(
                s, w, user_id=ALICE, lang="en", offset_minutes=-60, due=NOW + timedelta(days=1),
                now=NOW,
            )  # fmt: skip
    assert member_key_v1 != KEYS.key(G1, ALICE, "rsvp")
    named = await service.submit(G1, ALICE, past.id, DRAFT, anonymous=False)
    await service.set_notice(named.report, channel_id=5, message_id=6)
    anonymous = await service.submit(G1, ALICE, past.id, DRAFT, anonymous=True)

    done = await forget_member(db, KEYS, G1, ALICE)
    assert (done.rsvps, done.reminders, done.reports, done.walkouts) == (2, 2, 1, 1)
    assert done.refresh == tuple(sorted({mine.id, theirs.id}))
    assert done.notices == [reports.Notice(named.report.id, 5, 6)]
    async with db() as s:
        counts = await walkouts.rsvp_counts(s, [mine.id, theirs.id, elsewhere.id])
        assert counts == {mine.id: 0, theirs.id: 1, elsewhere.id: 1}
        assert (await walkouts.get(s, G1, mine.id)).registrant_id is None
        assert (await walkouts.get(s, G2, elsewhere.id)).registrant_id == ALICE
        assert await reminders.my_dm(s, mine.id, ALICE) is None
        kept = await reports.by_receipt(s, G1, anonymous.report.receipt_hash)
        assert kept is not None  # nothing ties an anonymous report to anyone
    again = await forget_member(db, KEYS, G1, ALICE)
    assert (again.rsvps, again.reminders, again.reports, again.walkouts) == (0, 0, 0, 0)


def id_encodings(user_id: int) -> list[bytes]:
    """How a user id could sit in a file: as text, as SQLite stores integers (big-endian, 8 or
    6 bytes), little-endian, and as text of the keyed hashes that stand in for it."""
    out = [str(user_id).encode(), user_id.to_bytes(8, "big"), user_id.to_bytes(8, "little")]
    if user_id < 2**47:
        out.append(user_id.to_bytes(6, "big"))
    for guild in (G1, G2):
        for purpose in ("rsvp", "report"):
            out += [key.encode() for key in KEYS.candidates(guild, user_id, purpose)]
    return out


async def stored_bytes(db: Database, db_url: str) -> bytes:
    """What the database holds: on SQLite the bytes of the file and its WAL (old versions of
    rows and freed pages included); elsewhere every row of every table, as text."""
    if db.dialect == "sqlite":
        path = db_url.removeprefix("sqlite+aiosqlite:///")
        return b"".join(Path(f).read_bytes() for f in (path, path + "-wal"))  # noqa: ASYNC240
    async with db() as s:
        rows = []
        for table in Base.metadata.sorted_tables:
            rows += (await s.scalars(text(f"SELECT CAST(t AS text) FROM {table.name} AS t"))).all()
    return "\n".join(rows).encode()


async def test_an_anonymous_report_leaves_no_trace_of_its_reporter(
    service, db, db_url, caplog, tmp_path
):
    """Neither the id (as text or integer) nor any keyed hash of the member is in the database
    (on SQLite: the file and its WAL) or any log line, at DEBUG level."""
    logging.getLogger("aiosqlite").setLevel(logging.INFO)  # as bot.setup_logging does
    caplog.set_level(logging.DEBUG)
    w = await walkout(db)
    await service.submit(G1, BOB, w.id, DRAFT, anonymous=False)  # someone else, named
    done = await service.submit(G1, ALICE, w.id, DRAFT, anonymous=True)
    found = await service.find(G1, ALICE, done.code)
    await service.edit(G1, ALICE, found.proof, Draft(turnout="99", kinds=("police",)))
    await service.stats(G1)
    blobs = await stored_bytes(db, db_url)
    assert done.report.receipt_hash.encode() in blobs  # the search below can see the data
    assert str(BOB).encode() not in blobs and KEYS.key(G1, BOB, "report").encode() in blobs
    logs = "\n".join(r.getMessage() + str(r.args) for r in caplog.records).encode()
    for needle in id_encodings(ALICE):
        assert needle not in blobs, needle
        assert needle not in logs, needle
    assert done.code.encode() not in blobs and done.code.encode() not in logs
    assert b"Forty of us" not in logs


async def test_an_edit_racing_a_delete_never_fails_half_way(service, db, monkeypatch):
    """The reporter edits and deletes at once: one after the other, never an edit of a row that
    vanished under it (on PostgreSQL the edit's UPDATE found no row: StaleDataError)."""
    w = await walkout(db)
    done = await service.submit(G1, ALICE, w.id, DRAFT, anonymous=True)
    found = await service.find(G1, ALICE, done.code)
    race = Interleave()
    monkeypatch.setattr(reports, "replace_content", race.hold(reports.replace_content))
    edit = asyncio.create_task(service.edit(G1, ALICE, found.proof, Draft(turnout="7")))
    await race.then(service.delete(G1, ALICE, done.code))
    result = (await asyncio.gather(edit, return_exceptions=True))[0]
    assert not isinstance(result, BaseException) or isinstance(result, UserError), repr(result)
    with pytest.raises(UserError) as info:
        await service.find(G1, ALICE, done.code)
    assert not_found(info)
