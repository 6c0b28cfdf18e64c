"""Organizer safety end to end: moderator approval, meeting points only for those going, no
public registrant, the spam brake. A server of its own, so its settings touch no other test."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import (
    BOT,
    MEMBER,
    MODERATOR,
    custom_ids,
    embed_text,
    eventually,
    field,
    unique,
    walkout_id_from,
)

pytestmark = pytest.mark.e2e

MESSAGES = "/channels/{channel_id}/messages"


class S:
    """The safety tests' own server."""


@pytest.fixture(scope="module")
async def srv(fake, bot):
    w = S()
    w.guild = fake.add_guild(name="Safety Test Org", bot_permissions=BOT)
    w.mod = fake.add_member(w.guild, "smod", permissions=MODERATOR)
    w.alice = fake.add_member(w.guild, "salice", permissions=MEMBER)
    w.bob = fake.add_member(w.guild, "sbob", permissions=MEMBER)
    w.announcements = fake.add_channel(w.guild, "announcements")
    w.reports = fake.add_channel(w.guild, "mods-only")
    await fake.settle()
    for name, options in (
        ("setup timezone", {"zone": "America/Detroit"}),
        ("setup channels", {"announcements": w.announcements.id, "reports": w.reports.id}),
        ("setup approval", {"enabled": False, "per-hour": 50}),
    ):
        await (await fake.invoke(w.guild, w.mod, name, options)).final_message()
    return w


async def invoke(fake, w, member, name, options=None):
    itx = await fake.invoke(w.guild, member, name, options or {})
    return itx, await itx.final_message()


async def register(fake, w, member, **options):
    options = {"school": unique("Safe High"), "city": "Detroit", "when": "2027-03-05 14:00"} | (
        options
    )
    _, reply = await invoke(fake, w, member, "walkout register", options)
    return options["school"], reply


def notice_for(fake, w, school):
    return next(m for m in reversed(fake.messages(w.reports.id)) if school in embed_text(m))


def announcements_of(fake, w, school):
    return [m for m in fake.messages(w.announcements.id) if school in embed_text(m)]


async def test_a_walkout_waits_for_approval_then_is_announced_once(fake, srv):
    w = srv
    await invoke(fake, w, w.mod, "setup approval", {"enabled": True})
    try:
        school, reply = await register(fake, w, w.alice)
        assert "waiting for a moderator's approval" in reply["content"]
        assert announcements_of(fake, w, school) == []  # nothing public
        notice = notice_for(fake, w, school)
        wid = int(custom_ids(notice)[0].split(":")[2])
        assert custom_ids(notice) == [f"walkout:approve:{wid}:0", f"walkout:reject:{wid}"]
        assert field(notice, "Registered by") == f"<@{w.alice.id}>"  # moderators see who

        # Invisible to other members, visible to its registrant.
        _, listing = await invoke(fake, w, w.bob, "walkout list", {"scope": "all"})
        assert school not in embed_text(listing)
        _, listing = await invoke(fake, w, w.mod, "walkout list", {"scope": "all"})
        line = next(x for x in embed_text(listing).splitlines() if school in x)
        assert "waiting for approval" in line  # moderators see it, marked
        _, info = await invoke(fake, w, w.bob, "walkout info", {"walkout": str(wid)})
        assert "can't find" in info["content"]
        choices = await fake.autocomplete(
            w.guild, w.bob, "walkout info", {"walkout": school[:8]}, focused="walkout"
        )
        await choices.first_response()
        assert all(str(wid) != c["value"] for c in choices.autocomplete_choices)
        _, mine = await invoke(fake, w, w.alice, "walkout info", {"walkout": str(wid)})
        assert "Waiting for approval" in embed_text(mine)

        # A member's click is refused in code, and changes nothing.
        click = await fake.click(w.guild, w.bob, notice, f"walkout:approve:{wid}:0")
        assert "Only moderators" in (await click.final_message())["content"]
        assert announcements_of(fake, w, school) == []

        # A second moderator has the review list open at the same time.
        _, review = await invoke(fake, w, w.mod, "walkout review")
        click = await fake.click(w.guild, w.mod, notice, f"walkout:approve:{wid}:0")
        await click.wait_followups(1)
        assert "approved and announced" in click.followups[0]["content"]
        assert click.followups[0]["flags"] & 64  # only the moderator sees the reply
        (announcement,) = announcements_of(fake, w, school)
        assert walkout_id_from(announcement) == wid
        await eventually(lambda: custom_ids(fake.message(notice["id"])) == [])  # decided

        again = await fake.click(w.guild, w.mod, review, f"walkout:approve:{wid}:0")
        await again.wait_followups(1)
        assert "already approved" in again.followups[0]["content"]
        assert len(announcements_of(fake, w, school)) == 1
    finally:
        await invoke(fake, w, w.mod, "setup approval", {"enabled": False})


async def test_reject_tells_the_registrant_once_and_keeps_nothing(fake, srv):
    w = srv
    await invoke(fake, w, w.mod, "setup approval", {"enabled": True})
    try:
        school, _ = await register(fake, w, w.alice)
        notice = notice_for(fake, w, school)
        wid = int(custom_ids(notice)[0].split(":")[2])
        _, review = await invoke(fake, w, w.mod, "walkout review")
        assert school in embed_text(review) and f"walkout:reject:{wid}" in custom_ids(review)
        _, refused = await invoke(fake, w, w.alice, "walkout review")
        assert "Only moderators" in refused["content"]

        dms_before = len(fake.dms(w.alice.id))
        click = await fake.click(w.guild, w.mod, notice, f"walkout:reject:{wid}")
        await click.first_response()
        assert click.modal is not None
        submit = await fake.submit_modal(
            w.guild, w.mod, f"walkout:reject-form:{wid}", {"reason": "Date clashes with exams"}
        )
        updated = await submit.final_message()  # the notice, decided: no buttons left
        assert custom_ids(updated) == [] and "Rejected" in embed_text(updated)
        await submit.wait_followups(1)
        assert "rejected" in submit.followups[0]["content"]
        await eventually(lambda: len(fake.dms(w.alice.id)) == dms_before + 1)
        dm = fake.dms(w.alice.id)[-1]["content"]
        assert school in dm and "Date clashes with exams" in dm
        assert announcements_of(fake, w, school) == []
        again = await fake.click(w.guild, w.mod, review, f"walkout:approve:{wid}:0")
        await again.wait_followups(1)
        assert "already rejected" in again.followups[0]["content"]
        assert len(fake.dms(w.alice.id)) == dms_before + 1  # told once
    finally:
        await invoke(fake, w, w.mod, "setup approval", {"enabled": False})


async def test_the_meeting_point_is_only_for_those_going(fake, srv):
    w = srv
    school, _ = await register(fake, w, w.alice, **{"meeting-point": "Behind the gym"})
    (announcement,) = announcements_of(fake, w, school)
    wid = walkout_id_from(announcement)
    assert "Behind the gym" not in embed_text(announcement)
    (event,) = [e for e in fake.scheduled_events(w.guild.id) if school in e["name"]]
    assert event["entity_metadata"]["location"] == "Detroit"
    assert "Behind the gym" not in str(event)

    _, info = await invoke(fake, w, w.bob, "walkout info", {"walkout": str(wid)})
    assert "Behind the gym" not in embed_text(info)
    ics = await fake.click(w.guild, w.bob, announcement, f"walkout:ics:{wid}")
    await ics.final_message()
    assert b"Behind the gym" not in ics.attachments[0][1]

    rsvp = await fake.click(w.guild, w.bob, announcement, f"walkout:rsvp:{wid}")
    assert "Behind the gym" in (await rsvp.final_message())["content"]  # privately, once going
    _, info = await invoke(fake, w, w.bob, "walkout info", {"walkout": str(wid)})
    assert field(info, "Meeting point") == "Behind the gym"
    ics = await fake.click(w.guild, w.bob, announcement, f"walkout:ics:{wid}")
    await ics.final_message()
    assert b"Behind the gym" in ics.attachments[0][1]
    _, info = await invoke(fake, w, w.mod, "walkout info", {"walkout": str(wid)})
    assert field(info, "Meeting point") == "Behind the gym"  # moderators always
    assert field(info, "Registered by") == f"<@{w.alice.id}>"
    await fake.settle()
    assert "Behind the gym" not in embed_text(fake.message(announcement["id"]))

    # A server that wants it public gets it in public, at once; and back.
    _, done = await invoke(fake, w, w.mod, "setup meeting-point", {"visibility": "public"})
    assert "public" in done["content"]
    await eventually(lambda: "Behind the gym" in embed_text(fake.message(announcement["id"])))
    await invoke(fake, w, w.mod, "setup meeting-point", {"visibility": "going"})
    await eventually(lambda: "Behind the gym" not in embed_text(fake.message(announcement["id"])))
    _, show = await invoke(fake, w, w.mod, "setup show")
    assert "Only for those going" in embed_text(show) and "Approval" in embed_text(show)


async def test_no_public_post_carries_the_registrants_id(fake, srv):
    w = srv
    since = len(fake.requests)
    school, _ = await register(fake, w, w.alice, **{"meeting-point": "Flagpole"})
    wid = walkout_id_from(announcements_of(fake, w, school)[0])
    await invoke(fake, w, w.alice, "walkout edit", {"walkout": str(wid), "city": "Hamtramck"})
    await fake.settle()
    public = [
        r
        for r in fake.requests[since:]
        if r.route in (MESSAGES, "/channels/{channel_id}/messages/{message_id}")
        and f"/channels/{w.announcements.id}/" in r.path
    ]
    public += [r for r in fake.requests[since:] if "scheduled-events" in r.path]
    assert public
    for request in public:
        assert str(w.alice.id) not in str(request.json)
        assert "Flagpole" not in str(request.json)


async def test_the_spam_brake_stops_a_member_not_a_moderator(fake, srv):
    w = srv
    await invoke(fake, w, w.mod, "setup approval", {"enabled": False, "per-hour": 1})
    try:
        _, first = await register(fake, w, w.bob)
        assert "registered and announced" in first["content"]
        school, reply = await register(fake, w, w.bob)
        assert "limit of 1 walkout registration(s) per hour" in reply["content"]
        assert announcements_of(fake, w, school) == []
        for _ in range(2):  # moderators have no limit
            _, mod_reply = await register(fake, w, w.mod)
            assert "registered and announced" in mod_reply["content"]
    finally:
        await invoke(fake, w, w.mod, "setup approval", {"enabled": False, "per-hour": 50})


async def test_withdrawn_while_waiting_it_never_becomes_public(fake, srv):
    w = srv
    await invoke(fake, w, w.mod, "setup approval", {"enabled": True})
    try:
        school, _ = await register(fake, w, w.alice, details="Never approved text")
        notice = notice_for(fake, w, school)
        wid = int(custom_ids(notice)[0].split(":")[2])
        _, reply = await invoke(fake, w, w.alice, "walkout cancel", {"walkout": str(wid)})
        assert "withdrawn" in reply["content"] and "never public" in reply["content"]
        for member in (w.bob, w.alice):
            _, listing = await invoke(fake, w, member, "walkout list", {"scope": "all"})
            assert school not in embed_text(listing)
            _, info = await invoke(fake, w, member, "walkout info", {"walkout": str(wid)})
            assert "can't find" in info["content"]
        click = await fake.click(w.guild, w.mod, notice, custom_ids(notice)[0])
        await click.wait_followups(1)
        assert "withdrawn by the person who registered it" in click.followups[0]["content"]
        assert announcements_of(fake, w, school) == []
    finally:
        await invoke(fake, w, w.mod, "setup approval", {"enabled": False})


async def test_under_approval_only_what_a_moderator_approved_goes_public(fake, srv):
    """An edit while waiting needs a new look (an old Approve button refuses); once announced,
    only moderators can change it."""
    w = srv
    await invoke(fake, w, w.mod, "setup approval", {"enabled": True})
    try:
        school, _ = await register(fake, w, w.alice, details="Harmless")
        old = notice_for(fake, w, school)
        wid = int(custom_ids(old)[0].split(":")[2])
        await invoke(fake, w, w.alice, "walkout edit", {"walkout": str(wid), "details": "Changed"})
        click = await fake.click(w.guild, w.mod, old, custom_ids(old)[0])
        await click.wait_followups(1)
        assert "was changed after this was posted" in click.followups[0]["content"]
        assert announcements_of(fake, w, school) == []
        newer = notice_for(fake, w, school)
        assert newer["id"] != old["id"] and "Changed" in embed_text(newer)
        click = await fake.click(w.guild, w.mod, newer, custom_ids(newer)[0])
        await click.wait_followups(1)
        (announcement,) = announcements_of(fake, w, school)
        assert "Changed" in embed_text(announcement)

        _, refused = await invoke(
            fake, w, w.alice, "walkout edit", {"walkout": str(wid), "details": "Now worse"}
        )
        assert "only a moderator can change it" in refused["content"]
        await fake.settle()
        assert "Now worse" not in embed_text(fake.message(announcement["id"]))
        _, done = await invoke(
            fake, w, w.mod, "walkout edit", {"walkout": str(wid), "details": "Fixed by a mod"}
        )
        assert "updated" in done["content"]
    finally:
        await invoke(fake, w, w.mod, "setup approval", {"enabled": False})


async def test_a_public_meeting_point_is_in_the_announcement_from_the_start(fake, srv):
    w = srv
    await invoke(fake, w, w.mod, "setup meeting-point", {"visibility": "public"})
    try:
        school, _ = await register(fake, w, w.alice, **{"meeting-point": "Main gate"})
        (announcement,) = announcements_of(fake, w, school)
        assert field(announcement, "Meeting point") == "Main gate"
    finally:
        await invoke(fake, w, w.mod, "setup meeting-point", {"visibility": "going"})


async def test_a_reports_channel_everyone_can_read_is_refused(fake, bot):
    guild = fake.add_guild(name="Open Server", bot_permissions=BOT, everyone_permissions=1 << 10)
    mod = fake.add_member(guild, "omod", permissions=MODERATOR)
    open_channel = fake.add_channel(guild, "general-chat")
    await fake.settle()
    itx = await fake.invoke(
        guild, mod, "setup channels", {"announcements": open_channel.id, "reports": open_channel.id}
    )
    msg = await itx.final_message()
    assert itx.ephemeral and "can be read by everyone" in msg["content"]
    show = await (await fake.invoke(guild, mod, "setup show")).final_message()
    assert f"<#{open_channel.id}>" not in field(show, "Reports")


async def test_after_the_upgrade_old_announcements_are_re_rendered(fake, srv, bot):
    """Announcements posted before migration 0006 named their registrant and showed the
    meeting point: the job 0006 leaves makes the bot re-render every one at its next start."""
    import discord
    from sqlalchemy import update

    from db import maintenance as maintenance_db
    from db.models import Maintenance, Walkout

    w = srv
    school, _ = await register(fake, w, w.alice, **{"meeting-point": "Old spot"})
    (announcement,) = announcements_of(fake, w, school)
    wid = walkout_id_from(announcement)
    # What the old code posted: the registrant named, the meeting point in public.
    channel = bot.get_partial_messageable(w.announcements.id, guild_id=w.guild.id)
    old = await channel.send(
        embed=discord.Embed(title=f"Walkout: {school}", description=f"<@{w.alice.id}> Old spot")
    )
    async with bot.services.db.begin() as s:
        await s.execute(update(Walkout).where(Walkout.id == wid).values(message_id=old.id))
        s.add(Maintenance(key=maintenance_db.REPUBLISH, value="0006"))
    cog = bot.get_cog("Walkouts")
    cog._maintained = False  # as at the next start
    await cog.on_ready()

    def re_rendered():
        text = embed_text(fake.message(old.id))
        return "Old spot" not in text and str(w.alice.id) not in text and school in text

    await eventually(re_rendered)
    await eventually(lambda: not cog._background)
    async with bot.services.db() as s:
        assert await maintenance_db.pending(s, maintenance_db.REPUBLISH) is None
