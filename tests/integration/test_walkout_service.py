"""The walkout lifecycle service on a real database, with a recording stand-in for Discord."""

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from cogs.common.guild_config import GuildConfigCache
from cogs.walkouts.service import (
    PENDING_GRACE,
    Actor,
    AnnounceFailed,
    Changes,
    Draft,
    Posted,
    WalkoutService,
    sweep_pending,
)
from core.clock import FrozenClock
from core.errors import UserError
from core.visibility import PUBLIC
from db import guilds, walkouts
from db.models import Walkout
from tests.integration.races import Interleave

NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
G, OTHER = 111111111111111111, 222222222222222222
ALICE = Actor(user_id=1, is_mod=False)
BOB = Actor(user_id=2, is_mod=False)
MOD = Actor(user_id=3, is_mod=True)
DETROIT = ZoneInfo("America/Detroit")


class Announcer:
    """Records what the lifecycle asked of Discord; ``fail``/``block`` model its failures."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []
        self.fail: Exception | None = None
        self.block: asyncio.Event | None = None
        self.seen_status: list[str] = []
        self.next_message = 1000
        self.posting = asyncio.Event()

    async def post(self, walkout, channel_id):
        self.calls.append(("post", walkout.id))
        self.seen_status.append(walkout.status)
        self.posting.set()
        if self.block is not None:
            await self.block.wait()
        if self.fail is not None:
            raise self.fail
        self.next_message += 1
        return Posted(channel_id=channel_id, message_id=self.next_message, url="https://x/y")

    async def retract(self, posted):
        self.calls.append(("retract", posted.message_id))

    async def created(self, walkout):
        self.calls.append(("created", walkout.id))
        return None

    async def changed(self, walkout):
        self.calls.append(("changed", walkout.id))

    async def cancelled(self, walkout):
        self.calls.append(("cancelled", walkout.id))

    async def counted(self, walkout):
        self.calls.append(("counted", walkout.id))

    async def awaiting_approval(self, walkout):
        self.calls.append(("awaiting", walkout.id))


class RecordingHooks:
    def __init__(self) -> None:
        self.seen: list[tuple[str, int]] = []
        self.fail_on: str | None = None

    async def _hook(self, what, s, walkout):
        # Inside the walkout's own transaction: the change is visible here.
        row = await s.get(Walkout, walkout.id)
        self.seen.append((what, walkout.id, row.status, row.starts_at))
        if self.fail_on == what:
            raise RuntimeError(f"hook {what} failed")

    async def scheduled(self, s, walkout, *, now):
        await self._hook("scheduled", s, walkout)

    async def moved(self, s, walkout, *, now):
        await self._hook("moved", s, walkout)

    async def cancelled(self, s, walkout, *, now):
        await self._hook("cancelled", s, walkout)


@pytest.fixture
async def service(sessionmaker):
    async with sessionmaker.begin() as s:
        await guilds.set_timezone(s, G, "America/Detroit", now=NOW)
    hooks = RecordingHooks()
    svc = WalkoutService(
        sessionmaker,
        clock=FrozenClock(NOW),
        guild_config=GuildConfigCache(sessionmaker),
        hooks=[hooks],
    )
    svc.recorded = hooks
    return svc


async def count(db) -> int:
    async with db() as s:
        return await s.scalar(select(func.count()).select_from(Walkout))


DRAFT = Draft(school="Cass Tech", city="Detroit", when="2027-02-12 14:00", meeting_point="Steps")


async def test_register_announces_then_schedules(service, sessionmaker):
    announcer = Announcer()
    done = await service.register(G, ALICE, DRAFT, announcer, channel_id=55)
    w = done.walkout
    assert w.status == "scheduled" and (w.channel_id, w.message_id) == (55, 1001)
    assert w.starts_at == datetime(2027, 2, 12, 14, 0, tzinfo=DETROIT)
    assert announcer.seen_status == ["pending"]  # posted while still pending
    assert announcer.calls == [("post", w.id), ("created", w.id)]
    assert service.recorded.seen == [("scheduled", w.id, "scheduled", w.starts_at)]
    assert w.created_at == NOW


async def test_a_refused_announcement_leaves_no_walkout(service, sessionmaker):
    announcer = Announcer()
    announcer.fail = AnnounceFailed(55)
    with pytest.raises(UserError) as info:
        await service.register(G, ALICE, DRAFT, announcer, channel_id=55)
    assert info.value.key == "error.announce_failed"
    assert await count(sessionmaker) == 0
    assert service.recorded.seen == []


async def test_a_cancelled_request_leaves_no_walkout(service, sessionmaker):
    """asyncio.CancelledError while the announcement is being posted: nothing is left."""
    announcer = Announcer()
    announcer.block = asyncio.Event()
    task = asyncio.create_task(service.register(G, ALICE, DRAFT, announcer, channel_id=55))
    await announcer.posting.wait()
    async with sessionmaker() as s:  # stored pending meanwhile, invisible to every lookup
        assert await s.scalar(select(func.count()).select_from(Walkout)) == 1
        assert await walkouts.search(s, G, "", now=NOW) == []
        assert (await walkouts.list_page(s, G, scope="all", now=NOW))[1] == 0
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await count(sessionmaker) == 0


async def test_a_failure_after_posting_retracts_the_announcement(service, sessionmaker):
    """If scheduling fails after the post (a hook raises), the row and the post both go."""
    service.recorded.fail_on = "scheduled"
    announcer = Announcer()
    with pytest.raises(RuntimeError, match="hook scheduled failed"):
        await service.register(G, ALICE, DRAFT, announcer, channel_id=55)
    assert await count(sessionmaker) == 0
    assert announcer.calls[-1] == ("retract", 1001)


async def test_sweep_removes_only_stale_pending_walkouts(sessionmaker):
    fields = dict(
        guild_id=G,
        school="S",
        city="C",
        starts_at=NOW + timedelta(days=2),
        ends_at=NOW + timedelta(days=2, hours=1),
        timezone="UTC",
        meeting_point=None,
        details=None,
        action_id=None,
        registrant_id=None,
    )
    async with sessionmaker.begin() as s:
        stale = await walkouts.create(s, **fields, now=NOW - PENDING_GRACE - timedelta(seconds=1))
        fresh = await walkouts.create(s, **fields, now=NOW - timedelta(seconds=10))
        done = await walkouts.create(s, **fields, now=NOW - timedelta(hours=1), status="scheduled")
    assert await sweep_pending(sessionmaker, now=NOW) == 1
    async with sessionmaker() as s:
        left = set((await s.scalars(select(Walkout.id))).all())
    assert left == {fresh.id, done.id} and stale.id not in left


async def test_edit_moves_in_one_transaction_and_keeps_wall_clock_on_zone_change(service):
    w = (await service.register(G, ALICE, DRAFT, Announcer(), channel_id=55)).walkout
    announcer = Announcer()
    done = await service.edit(
        G, w.id, ALICE, Changes(timezone="America/Los_Angeles"), announcer, ref=str(w.id)
    )
    moved = done.walkout
    assert moved.timezone == "America/Los_Angeles"
    assert moved.starts_at == datetime(2027, 2, 12, 14, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert moved.ends_at - moved.starts_at == w.ends_at - w.starts_at
    assert announcer.calls == [("changed", w.id)]
    assert service.recorded.seen[-1] == ("moved", w.id, "scheduled", moved.starts_at)


async def test_a_failed_edit_moves_nothing(service, sessionmaker):
    """A hook failing inside the edit's transaction rolls the edit back."""
    w = (await service.register(G, ALICE, DRAFT, Announcer(), channel_id=55)).walkout
    service.recorded.fail_on = "moved"
    announcer = Announcer()
    with pytest.raises(RuntimeError):
        await service.edit(
            G,
            w.id,
            ALICE,
            Changes(when="2027-03-01 09:00", text={"city": "Hamtramck"}),
            announcer,
            ref=str(w.id),
        )
    async with sessionmaker() as s:
        same = await walkouts.get(s, G, w.id)
    assert (same.starts_at, same.city, same.updated_at) == (w.starts_at, "Detroit", None)
    assert announcer.calls == []


async def test_edit_and_cancel_check_rights_and_state_in_the_same_transaction(service):
    w = (await service.register(G, ALICE, DRAFT, Announcer(), channel_id=55)).walkout
    announcer = Announcer()
    with pytest.raises(UserError) as info:
        await service.edit(G, w.id, BOB, Changes(text={"city": "X"}), announcer, ref="x")
    assert info.value.key == "error.permission.manage_walkout"
    with pytest.raises(UserError) as info:
        await service.cancel(G, w.id, BOB, None, announcer, ref="x")
    assert info.value.key == "error.permission.manage_walkout"
    with pytest.raises(UserError) as info:  # another server's id is unknown here
        await service.cancel(OTHER, w.id, MOD, None, announcer, ref=str(w.id))
    assert info.value.key == "error.walkout.not_found"
    cancelled = await service.cancel(G, w.id, MOD, "Snow", announcer, ref=str(w.id))
    assert cancelled.is_cancelled and cancelled.cancel_reason == "Snow"
    with pytest.raises(UserError) as info:
        await service.cancel(G, w.id, MOD, None, announcer, ref=str(w.id))
    assert info.value.key == "error.walkout.cancelled"
    with pytest.raises(UserError) as info:
        await service.edit(G, w.id, MOD, Changes(text={"city": "X"}), announcer, ref="x")
    assert info.value.key == "error.walkout.cancelled"
    assert announcer.calls == [("cancelled", w.id)]
    assert [what for what, *_ in service.recorded.seen] == ["scheduled", "cancelled"]


async def test_two_racing_cancels_cancel_once(service):
    w = (await service.register(G, ALICE, DRAFT, Announcer(), channel_id=55)).walkout
    announcer = Announcer()
    results = await asyncio.gather(
        service.cancel(G, w.id, MOD, None, announcer, ref="a"),
        service.cancel(G, w.id, ALICE, None, announcer, ref="b"),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, UserError)]
    assert len(errors) == 1 and errors[0].key == "error.walkout.cancelled"
    assert announcer.calls == [("cancelled", w.id)]


async def test_rsvp_toggles_and_refuses_closed_walkouts(service):
    w = (await service.register(G, ALICE, DRAFT, Announcer(), channel_id=55)).walkout
    announcer = Announcer()
    assert (await service.toggle_rsvp(G, w.id, "k", announcer, ref="")).going is True
    assert (await service.toggle_rsvp(G, w.id, "k", announcer, ref="")).going is False
    assert announcer.calls == [("counted", w.id), ("counted", w.id)]
    with pytest.raises(UserError) as info:
        await service.toggle_rsvp(OTHER, w.id, "k", announcer, ref="")
    assert info.value.key == "error.walkout.not_found"
    service.clock.set(w.ends_at)
    with pytest.raises(UserError) as info:
        await service.toggle_rsvp(G, w.id, "k", announcer, ref="")
    assert info.value.key == "error.walkout.over"


# ------------------------------------------------------------------ approval


async def approval_on(db, *, per_hour=3):
    async with db.begin() as s:
        await guilds.set_approval(s, G, enabled=True, per_hour=per_hour, now=NOW)


async def test_with_approval_on_a_member_waits_and_nothing_is_announced(service, sessionmaker):
    await approval_on(sessionmaker)
    service.guild_config.invalidate(G)
    announcer = Announcer()
    done = await service.register(G, ALICE, DRAFT, announcer, channel_id=55)
    w = done.walkout
    assert done.posted is None and w.status == "pending_approval"
    assert announcer.calls == [("awaiting", w.id)]  # told the moderators; posted nothing
    assert service.recorded.seen == []  # no reminders planned
    async with sessionmaker() as s:
        # Invisible to other members, visible to the registrant and to moderators.
        assert await walkouts.get(s, G, w.id) is None
        assert await walkouts.get(s, G, w.id, viewer=BOB.viewer()) is None
        assert await walkouts.get(s, G, w.id, viewer=ALICE.viewer()) is not None
        assert await walkouts.get(s, G, w.id, viewer=MOD.viewer()) is not None
        assert await walkouts.search(s, G, "Cass", now=NOW) == []
        assert [x.id for x in await walkouts.search(s, G, "Cass", now=NOW, viewer=MOD.viewer())]
        assert (await walkouts.list_page(s, G, scope="all", now=NOW, viewer=BOB.viewer()))[1] == 0
    # A moderator's own registration is announced at once.
    direct = await service.register(G, MOD, DRAFT, Announcer(), channel_id=55)
    assert direct.posted is not None and direct.walkout.status == "scheduled"


async def test_approve_announces_once_and_refuses_the_second_click(service, sessionmaker):
    await approval_on(sessionmaker)
    service.guild_config.invalidate(G)
    w = (await service.register(G, ALICE, DRAFT, Announcer(), channel_id=55)).walkout
    with pytest.raises(UserError) as info:
        await service.approve(G, w.id, BOB, Announcer())  # a member can't
    assert info.value.key == "error.permission.moderator"
    announcer = Announcer()
    done = await service.approve(G, w.id, MOD, announcer)
    assert done.walkout.status == "scheduled" and done.posted is not None
    assert announcer.calls == [("post", w.id), ("created", w.id)]
    assert service.recorded.seen[-1][:3] == ("scheduled", w.id, "scheduled")  # reminders
    with pytest.raises(UserError) as info:
        await service.approve(G, w.id, MOD, Announcer())
    assert info.value.key == "error.approval.decided.scheduled"
    with pytest.raises(UserError) as info:
        await service.reject(G, w.id, MOD)
    assert info.value.key == "error.approval.decided.scheduled"


async def test_two_moderators_approving_at_once_announce_once(service, sessionmaker):
    await approval_on(sessionmaker)
    service.guild_config.invalidate(G)
    w = (await service.register(G, ALICE, DRAFT, Announcer(), channel_id=55)).walkout
    first, second = Announcer(), Announcer()
    results = await asyncio.gather(
        service.approve(G, w.id, MOD, first),
        service.approve(G, w.id, Actor(user_id=4, is_mod=True), second),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, UserError)]
    assert len(errors) == 1 and errors[0].key.startswith("error.approval.decided.")
    assert len(first.calls + second.calls) == 2  # one post and one event, by one of them


async def test_reject_forgets_the_registrant_and_keeps_nothing_more(service, sessionmaker):
    await approval_on(sessionmaker)
    service.guild_config.invalidate(G)
    w = (await service.register(G, ALICE, DRAFT, Announcer(), channel_id=55)).walkout
    done = await service.reject(G, w.id, MOD)
    assert done.registrant_id == ALICE.user_id
    async with sessionmaker() as s:
        row = await walkouts.get(s, G, w.id, viewer=None)
    assert (row.status, row.registrant_id, row.cancel_reason) == ("rejected", None, None)
    with pytest.raises(UserError) as info:
        await service.approve(G, w.id, MOD, Announcer())
    assert info.value.key == "error.approval.decided.rejected"


async def test_the_registrant_can_edit_and_withdraw_while_waiting(service, sessionmaker):
    await approval_on(sessionmaker)
    service.guild_config.invalidate(G)
    w = (await service.register(G, ALICE, DRAFT, Announcer(), channel_id=55)).walkout
    announcer = Announcer()
    edited = await service.edit(
        G, w.id, ALICE, Changes(text={"city": "Hamtramck"}), announcer, ref=""
    )
    assert (edited.walkout.city, edited.walkout.status) == ("Hamtramck", "pending_approval")
    with pytest.raises(UserError):  # another member doesn't even see it
        await service.cancel(G, w.id, BOB, None, announcer, ref="")
    withdrawn = await service.cancel(G, w.id, ALICE, None, announcer, ref="")
    assert withdrawn.status == "withdrawn"  # never public: not "cancelled"
    assert (withdrawn.registrant_id, withdrawn.details, withdrawn.meeting_point) == (None,) * 3
    async with sessionmaker() as s:
        for viewer in (PUBLIC, BOB.viewer(), ALICE.viewer(), MOD.viewer()):
            assert await walkouts.get(s, G, w.id, viewer=viewer) is None
            assert (await walkouts.list_page(s, G, scope="all", now=NOW, viewer=viewer))[1] == 0
    assert [what for what, *_ in service.recorded.seen] == []  # never had reminders
    assert announcer.calls == [("awaiting", w.id)]  # the edit went back to the moderators


async def test_an_approve_button_approves_only_the_revision_it_showed(service, sessionmaker):
    await approval_on(sessionmaker)
    service.guild_config.invalidate(G)
    w = (await service.register(G, ALICE, DRAFT, Announcer(), channel_id=55)).walkout
    shown_revision = w.revision
    await service.edit(G, w.id, ALICE, Changes(text={"details": "new"}), Announcer(), ref="")
    with pytest.raises(UserError) as info:
        await service.approve(G, w.id, MOD, Announcer(), revision=shown_revision)
    assert info.value.key == "error.approval.changed"
    done = await service.approve(G, w.id, MOD, Announcer(), revision=shown_revision + 1)
    assert done.walkout.details == "new" and done.walkout.status == "scheduled"


async def test_a_request_whose_start_has_passed_cannot_be_approved(service, sessionmaker):
    await approval_on(sessionmaker)
    service.guild_config.invalidate(G)
    w = (await service.register(G, ALICE, DRAFT, Announcer(), channel_id=55)).walkout
    service.clock.set(w.starts_at)
    with pytest.raises(UserError) as info:
        await service.approve(G, w.id, MOD, Announcer())
    assert info.value.key == "error.approval.started"
    async with sessionmaker() as s:
        assert (await walkouts.get(s, G, w.id, viewer=None)).status == "pending_approval"


async def test_under_approval_members_cannot_edit_an_announced_walkout(service, sessionmaker):
    await approval_on(sessionmaker)
    service.guild_config.invalidate(G)
    w = (await service.register(G, ALICE, DRAFT, Announcer(), channel_id=55)).walkout
    await service.approve(G, w.id, MOD, Announcer())
    with pytest.raises(UserError) as info:
        await service.edit(G, w.id, ALICE, Changes(text={"details": "x"}), Announcer(), ref="")
    assert info.value.key == "error.approval.edit_locked"
    edited = await service.edit(G, w.id, MOD, Changes(text={"details": "y"}), Announcer(), ref="")
    assert edited.walkout.details == "y"


async def test_an_approval_whose_announcement_fails_waits_again(service, sessionmaker):
    await approval_on(sessionmaker)
    service.guild_config.invalidate(G)
    w = (await service.register(G, ALICE, DRAFT, Announcer(), channel_id=55)).walkout
    broken = Announcer()
    broken.fail = AnnounceFailed(55)
    with pytest.raises(UserError):
        await service.approve(G, w.id, MOD, broken)
    async with sessionmaker() as s:
        assert (await walkouts.get(s, G, w.id, viewer=None)).status == "pending_approval"
    assert (await service.approve(G, w.id, MOD, Announcer())).walkout.status == "scheduled"


async def test_a_crash_while_announcing_an_approved_walkout_is_swept_back_to_waiting(
    sessionmaker,
):
    async with sessionmaker.begin() as s:
        w = await walkouts.create(
            s,
            guild_id=G,
            school="S",
            city="C",
            starts_at=NOW + timedelta(days=2),
            ends_at=NOW + timedelta(days=2, hours=1),
            timezone="UTC",
            meeting_point=None,
            details=None,
            action_id=None,
            registrant_id=1,
            now=NOW - timedelta(hours=1),
            approval_required=True,
        )
    assert await sweep_pending(sessionmaker, now=NOW) == 1
    async with sessionmaker() as s:
        assert (await walkouts.get(s, G, w.id, viewer=None)).status == "pending_approval"
    # An approval under way right now (approved seconds ago) is not swept by a second process.
    async with sessionmaker.begin() as s:
        assert await walkouts.claim_approval(s, G, w.id, now=NOW - timedelta(seconds=10))
    assert await sweep_pending(sessionmaker, now=NOW) == 0


async def test_the_spam_brake_counts_a_members_last_hour(service, sessionmaker):
    await approval_on(sessionmaker, per_hour=2)
    async with sessionmaker.begin() as s:
        await guilds.set_approval(s, G, enabled=False, per_hour=2, now=NOW)
    service.guild_config.invalidate(G)
    for _ in range(2):
        await service.register(G, ALICE, DRAFT, Announcer(), channel_id=55)
    with pytest.raises(UserError) as info:
        await service.register(G, ALICE, DRAFT, Announcer(), channel_id=55)
    assert info.value.key == "error.walkout.too_many"
    assert info.value.fields == {"max": 2, "again": int((NOW + timedelta(hours=1)).timestamp())}
    await service.register(G, BOB, DRAFT, Announcer(), channel_id=55)  # per member
    await service.register(G, MOD, DRAFT, Announcer(), channel_id=55)  # moderators: no brake
    await service.register(G, MOD, DRAFT, Announcer(), channel_id=55)
    service.clock.advance(hours=1)
    await service.register(G, ALICE, DRAFT, Announcer(), channel_id=55)  # an hour later


async def test_a_burst_of_registrations_meets_the_spam_brake(service, sessionmaker):
    """Six registrations by one member at once, three allowed an hour: three pass. The brake
    lives in memory (core/cooldown.py): it must count a registration before anything awaits,
    or six concurrent ones would all read "none yet"."""
    await approval_on(sessionmaker, per_hour=3)
    service.guild_config.invalidate(G)
    results = await asyncio.gather(
        *(service.register(G, ALICE, DRAFT, Announcer(), channel_id=55) for _ in range(6)),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, UserError)]
    assert len(refused) == 3 and {r.key for r in refused} == {"error.walkout.too_many"}
    assert await count(sessionmaker) == 3


async def test_a_withdrawal_racing_an_approval_leaves_nothing_public(
    service, sessionmaker, monkeypatch
):
    """The registrant withdraws while a moderator approves: the withdrawal read the walkout as
    waiting first, so it wins (on PostgreSQL its read locks the row; on SQLite transactions take
    turns); the approval is told it was withdrawn, and nothing is announced or planned."""
    await approval_on(sessionmaker)
    service.guild_config.invalidate(G)
    w = (await service.register(G, ALICE, DRAFT, Announcer(), channel_id=55)).walkout
    race = Interleave()
    monkeypatch.setattr(walkouts, "withdraw", race.hold(walkouts.withdraw))
    withdraw = asyncio.create_task(service.cancel(G, w.id, ALICE, None, Announcer(), ref=""))
    moderator = Announcer()
    approved = await asyncio.gather(
        race.then(service.approve(G, w.id, MOD, moderator)), return_exceptions=True
    )
    withdrawn = await asyncio.gather(withdraw, return_exceptions=True)
    async with sessionmaker() as s:
        status = (await walkouts.get(s, G, w.id, viewer=None)).status
    assert status == "withdrawn" and not isinstance(withdrawn[0], BaseException), withdrawn
    assert isinstance(approved[0], UserError), approved
    assert approved[0].key == "error.approval.decided.withdrawn"
    assert moderator.calls == []  # nothing posted
    assert [what for what, *_ in service.recorded.seen] == []  # no reminders planned
