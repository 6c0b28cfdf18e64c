"""/setup, /walkout and /action end to end: the real bot through the loopback Discord server."""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.helpers import (
    MEMBER,
    custom_ids,
    embed_text,
    eventually,
    field,
    unique,
    walkout_id_from,
)

pytestmark = pytest.mark.e2e

DETROIT_EPOCH = 1802458800  # 2027-02-12 14:00 America/Detroit (EST, UTC-5)


@pytest.fixture(scope="module")
async def configured(fake, world, bot):
    """The server as a moderator would set it up: Detroit time, an announcements channel."""
    itx = await fake.invoke(world.guild, world.mod, "setup timezone", {"zone": "America/Detroit"})
    assert "America/Detroit" in (await itx.final_message())["content"]
    itx = await fake.invoke(
        world.guild, world.mod, "setup channels", {"announcements": world.announcements.id}
    )
    await itx.final_message()
    return world


async def register(fake, world, member, **options):
    options.setdefault("city", "Detroit")
    itx = await fake.invoke(world.guild, member, "walkout register", options)
    reply = await itx.final_message()
    return itx, reply


def last_announcement(fake, world):
    return fake.messages(world.announcements.id)[-1]


def current(fake, world, message, check):
    """The latest version of an announcement if ``check`` holds for it, else None."""
    latest = next(m for m in fake.messages(world.announcements.id) if m["id"] == message["id"])
    return latest if check(latest) else None


async def test_setup_show_lists_the_settings(fake, configured):
    w = configured
    itx = await fake.invoke(w.guild, w.mod, "setup show")
    msg = await itx.final_message()
    assert itx.ephemeral
    text = embed_text(msg)
    assert "America/Detroit" in text
    assert f"<#{w.announcements.id}>" in text


async def test_setup_is_refused_to_non_moderators_in_code(fake, configured):
    """Even if a server admin let everyone see /setup, the bot re-checks Manage Server."""
    w = configured
    itx = await fake.invoke(w.guild, w.alice, "setup timezone", {"zone": "Asia/Tokyo"})
    msg = await itx.final_message()
    assert itx.ephemeral
    assert "Only moderators" in msg["content"]
    show = await (await fake.invoke(w.guild, w.mod, "setup show")).final_message()
    assert "Asia/Tokyo" not in embed_text(show)


async def test_register_posts_announcement_with_discord_timestamps(fake, configured):
    w = configured
    school = unique("Cass Tech")
    itx, reply = await register(
        fake,
        w,
        w.alice,
        school=school,
        when="2027-02-12 14:00",
        **{"meeting-point": "Front steps", "details": "ICE out of our schools"},
    )
    assert itx.ephemeral
    assert "registered" in reply["content"]
    ann = last_announcement(fake, w)
    text = embed_text(ann)
    assert f"<t:{DETROIT_EPOCH}:F>" in text
    assert f"<t:{DETROIT_EPOCH}:R>" in text
    assert "2027-02-12 14:00 EST (America/Detroit)" in text
    assert ann["embeds"][0]["title"] == f"Walkout: {school}"
    # Meeting points are for those going (the default): the public post only says so.
    assert "Front steps" not in text and "people who are going" in field(ann, "Meeting point")
    assert "Registered by" not in text and str(w.alice.id) not in text
    assert field(ann, "Going") == "0"
    wid = walkout_id_from(ann)
    assert custom_ids(ann) == [f"walkout:rsvp:{wid}", f"walkout:ics:{wid}"]
    # Mirrored as an external Discord scheduled event with an end time.
    events = [e for e in fake.scheduled_events(w.guild.id) if school in e["name"]]
    assert len(events) == 1
    assert events[0]["entity_metadata"]["location"] == "Detroit"  # every member sees events
    assert "Front steps" not in events[0].get("description", "")
    assert events[0]["scheduled_start_time"].startswith("2027-02-12T19:00:00")
    assert events[0]["scheduled_end_time"].startswith("2027-02-12T20:00:00")


async def test_announcements_never_ping(fake, configured):
    """Mentions typed into free text are defused and the post allows no mentions anyway."""
    w = configured
    await register(
        fake,
        w,
        w.alice,
        school=unique("Pings High"),
        when="2027-02-12 14:00",
        details="Tell @everyone and <@&123> to come",
    )
    posts = [
        r
        for r in fake.requests
        if r.method == "POST" and r.path == f"/channels/{w.announcements.id}/messages"
    ]
    body = posts[-1].json
    assert body["allowed_mentions"] == {"parse": []}
    description = body["embeds"][0]["description"]
    assert "@everyone" not in description and "<@&123>" not in description
    assert "everyone" in description  # still readable, just defused


async def test_national_action_is_the_same_local_time_everywhere(fake, configured):
    w = configured
    name = unique("Spring walkout")
    itx = await fake.invoke(
        w.guild, w.mod, "action add", {"name": name, "date": "2027-03-05", "time": "14:00"}
    )
    assert "Added" in (await itx.final_message())["content"]
    listing = await (await fake.invoke(w.guild, w.alice, "action list")).final_message()
    assert name in embed_text(listing)
    assert "Walk out and turn up the heat on ICE" in embed_text(listing)

    await register(fake, w, w.alice, school=unique("Detroit school"), action=name)
    detroit = last_announcement(fake, w)
    await register(
        fake,
        w,
        w.alice,
        school=unique("LA school"),
        city="Los Angeles",
        action=name,
        timezone="America/Los_Angeles",
    )
    la = last_announcement(fake, w)
    assert "<t:1804273200:F>" in embed_text(detroit)  # 14:00 EST
    assert "<t:1804284000:F>" in embed_text(la)  # 14:00 PST, three hours later
    assert "2027-03-05 14:00 PST (America/Los_Angeles)" in embed_text(la)


async def test_registering_against_a_past_action_says_so(fake, configured):
    w = configured
    before = len(fake.messages(w.announcements.id))
    itx = await fake.invoke(
        w.guild,
        w.alice,
        "walkout register",
        {
            "school": unique("Late"),
            "city": "Detroit",
            "action": "Walk out and turn up the heat on ICE",
        },
    )
    msg = await itx.final_message()
    assert itx.ephemeral and "already passed" in msg["content"]
    assert len(fake.messages(w.announcements.id)) == before


async def test_rsvp_toggles_by_command_and_button_and_shows_only_a_count(fake, configured):
    w = configured
    await register(fake, w, w.alice, school=unique("Huron"), when="2027-02-12 14:00")
    ann = last_announcement(fake, w)
    wid = walkout_id_from(ann)

    itx = await fake.invoke(w.guild, w.alice, "walkout join", {"walkout": str(wid)})
    assert "You're going" in (await itx.final_message())["content"] and itx.ephemeral
    itx = await fake.click(w.guild, w.bob, ann, f"walkout:rsvp:{wid}")
    msg = await itx.final_message()
    assert itx.ephemeral and "Vas a" in msg["content"]  # bob's client is in Spanish
    ann = await eventually(lambda: current(fake, w, ann, lambda m: field(m, "Going") == "2"))
    assert str(w.bob.id) not in embed_text(ann) and "bob" not in embed_text(ann)

    itx = await fake.click(w.guild, w.bob, ann, f"walkout:rsvp:{wid}")
    assert "Ya no vas" in (await itx.final_message())["content"]
    await eventually(lambda: current(fake, w, ann, lambda m: field(m, "Going") == "1"))


async def test_info_and_calendar_file(fake, configured):
    w = configured
    school = unique("Pioneer")
    await register(fake, w, w.alice, school=school, when="2027-02-12 14:00")
    wid = walkout_id_from(last_announcement(fake, w))
    itx = await fake.invoke(w.guild, w.bob, "walkout info", {"walkout": str(wid)})
    info = await itx.final_message()
    assert itx.ephemeral
    assert f"<t:{DETROIT_EPOCH}:F>" in embed_text(info)
    assert info["embeds"][0]["title"] == f"Walkout: {school}"
    assert field(info, "Cuándo") is not None  # bob reads Spanish

    click = await fake.click(w.guild, w.bob, info, f"walkout:ics:{wid}")
    await click.final_message()
    assert click.ephemeral
    ((name, data),) = click.attachments
    assert name == f"walkout-{wid}.ics"
    ics = data.decode()
    assert "DTSTART;TZID=America/Detroit:20270212T140000" in ics
    assert "BEGIN:VTIMEZONE" in ics and school in ics


async def test_edit_moves_the_time_and_updates_announcement_and_event(fake, configured):
    w = configured
    school = unique("Skyline")
    await register(fake, w, w.alice, school=school, when="2027-02-12 14:00")
    ann = last_announcement(fake, w)
    wid = walkout_id_from(ann)
    itx = await fake.invoke(
        w.guild, w.alice, "walkout edit", {"walkout": str(wid), "when": "2027-02-12 15:00"}
    )
    assert "updated" in (await itx.final_message())["content"]
    ann = next(m for m in fake.messages(w.announcements.id) if m["id"] == ann["id"])
    assert "<t:1802462400:F>" in embed_text(ann)
    event = next(e for e in fake.scheduled_events(w.guild.id) if school in e["name"])
    assert event["scheduled_start_time"].startswith("2027-02-12T20:00:00")


async def test_only_registrant_or_moderator_may_edit_or_cancel(fake, configured):
    w = configured
    await register(fake, w, w.alice, school=unique("Dexter"), when="2027-02-12 14:00")
    wid = walkout_id_from(last_announcement(fake, w))
    for command, opts in (
        ("walkout edit", {"walkout": str(wid), "city": "Elsewhere"}),
        ("walkout cancel", {"walkout": str(wid)}),
    ):
        itx = await fake.invoke(w.guild, w.bob, command, opts, locale="en-US")
        msg = await itx.final_message()
        assert itx.ephemeral and "Only the person who registered" in msg["content"]
    info = await (
        await fake.invoke(w.guild, w.alice, "walkout info", {"walkout": str(wid)})
    ).final_message()
    assert "Elsewhere" not in embed_text(info) and "CANCELLED" not in embed_text(info)


async def test_cancel_marks_announcement_and_removes_rsvp(fake, configured):
    w = configured
    school = unique("Royal Oak")
    await register(fake, w, w.alice, school=school, when="2027-02-12 14:00")
    ann = last_announcement(fake, w)
    wid = walkout_id_from(ann)
    itx = await fake.invoke(
        w.guild, w.mod, "walkout cancel", {"walkout": str(wid), "reason": "Snow day"}
    )
    assert "cancelled" in (await itx.final_message())["content"]
    ann = next(m for m in fake.messages(w.announcements.id) if m["id"] == ann["id"])
    assert ann["embeds"][0]["title"] == f"CANCELLED: {school}"
    assert "Snow day" in embed_text(ann)
    assert custom_ids(ann) == [f"walkout:ics:{wid}"]
    event = next(e for e in fake.scheduled_events(w.guild.id) if school in e["name"])
    assert event["status"] == 4
    itx = await fake.invoke(w.guild, w.alice, "walkout join", {"walkout": str(wid)})
    assert "cancelled" in (await itx.final_message())["content"]


async def test_list_pages_with_buttons_and_filters_by_city(fake, configured):
    w = configured
    city = unique("Pagetown")
    for i in range(11):
        await register(
            fake, w, w.alice, school=f"School {i:02d}", city=city, when=f"2027-04-{i + 1:02d} 10:00"
        )
    itx = await fake.invoke(w.guild, w.alice, "walkout list", {"city": city})
    page1 = await itx.final_message()
    assert itx.ephemeral
    assert "Page 1/2" in embed_text(page1) and "11 walkout(s)" in embed_text(page1)
    assert "School 00" in embed_text(page1) and "School 10" not in embed_text(page1)
    nxt = [c for c in custom_ids(page1)][1]
    click = await fake.click(w.guild, w.alice, page1, nxt)
    page2 = await click.final_message()
    assert "Page 2/2" in embed_text(page2) and "School 10" in embed_text(page2)
    past = await (
        await fake.invoke(w.guild, w.alice, "walkout list", {"scope": "past", "city": city})
    ).final_message()
    assert "No walkouts" in embed_text(past)


async def test_when_autocomplete_echoes_the_instant(fake, configured):
    w = configured
    itx = await fake.autocomplete(
        w.guild,
        w.alice,
        "walkout register",
        {"school": "x", "city": "y", "when": "Feb 12 2027 2pm"},
        focused="when",
    )
    await itx.first_response()
    (choice,) = itx.autocomplete_choices
    assert "2027-02-12 14:00 EST" in choice["name"]
    assert choice["value"] == "2027-02-12 14:00"


async def test_walkouts_of_one_server_are_invisible_to_another(fake, configured):
    w = configured
    school = unique("Ypsilanti")
    await register(fake, w, w.alice, school=school, when="2027-02-12 14:00")
    wid = walkout_id_from(last_announcement(fake, w))
    itx = await fake.invoke(w.other_guild, w.outsider, "walkout info", {"walkout": str(wid)})
    msg = await itx.final_message()
    assert itx.ephemeral and "can't find" in msg["content"]
    itx = await fake.autocomplete(
        w.other_guild, w.outsider, "walkout info", {"walkout": ""}, focused="walkout"
    )
    await itx.first_response()
    assert all(school not in c["name"] for c in itx.autocomplete_choices)


async def test_server_without_event_permissions_still_registers(fake, world, bot):
    guild = fake.add_guild(name="No Events", bot_permissions=(1 << 10) | (1 << 11) | (1 << 14))
    mod = fake.add_member(guild, "mod2", permissions=MEMBER | (1 << 5))
    await fake.wait_ready(timeout=10)
    itx = await fake.invoke(
        guild,
        mod,
        "walkout register",
        {
            "school": "Quakertown",
            "city": "Quakertown",
            "when": "2027-02-12 14:00",
            "timezone": "America/New_York",
        },
    )
    msg = await itx.final_message()
    assert "registered" in msg["content"] and "Create Events" in msg["content"]
    assert fake.scheduled_events(guild.id) == []
    show = await (await fake.invoke(guild, mod, "setup show")).final_message()
    assert "Create Events" in embed_text(show)


async def test_a_burst_of_rsvps_is_counted_exactly_with_coalesced_edits(fake, configured):
    """Twelve members press the button at once: every one is answered, the count ends at 12,
    and the announcement is edited far fewer than twelve times (Discord rate-limits edits)."""
    w = configured
    await register(fake, w, w.alice, school=unique("Cass Tech burst"), when="2027-02-12 14:00")
    ann = last_announcement(fake, w)
    wid = walkout_id_from(ann)
    crowd = [fake.add_member(w.guild, f"student{i}", permissions=MEMBER) for i in range(12)]
    mark = len(fake.requests)
    clicks = await asyncio.gather(
        *(fake.click(w.guild, m, ann, f"walkout:rsvp:{wid}") for m in crowd)
    )
    replies = await asyncio.gather(*(c.final_message() for c in clicks))
    assert all("You're going" in r["content"] for r in replies)
    await eventually(lambda: current(fake, w, ann, lambda m: field(m, "Going") == "12"))
    await fake.settle()
    edits = [
        r
        for r in fake.requests[mark:]
        if r.method == "PATCH" and r.path.endswith(f"/messages/{ann['id']}")
    ]
    assert 1 <= len(edits) < len(crowd)


async def test_an_hour_that_happens_twice_is_picked_and_explained(fake, configured):
    w = configured
    _, reply = await register(fake, w, w.alice, school=unique("Fall back"), when="2027-11-07 01:30")
    assert "happens twice" in reply["content"]
    ann = last_announcement(fake, w)
    # 01:30 EDT (UTC-4), the first of the two, is 05:30 UTC.
    assert "<t:1825565400:F>" in embed_text(ann)


async def test_changing_the_zone_keeps_the_local_time(fake, configured):
    w = configured
    await register(fake, w, w.alice, school=unique("Zone fix"), when="2027-02-12 14:00")
    ann = last_announcement(fake, w)
    wid = walkout_id_from(ann)
    itx = await fake.invoke(
        w.guild, w.alice, "walkout edit", {"walkout": str(wid), "timezone": "America/Chicago"}
    )
    await itx.final_message()
    ann = next(m for m in fake.messages(w.announcements.id) if m["id"] == ann["id"])
    assert "2027-02-12 14:00 CST (America/Chicago)" in embed_text(ann)
    assert f"<t:{DETROIT_EPOCH + 3600}:F>" in embed_text(ann)


async def test_organizer_role_limits_who_may_register(fake, configured):
    w = configured
    role = fake.add_role(w.guild, "Organizers")
    organizer = fake.add_member(w.guild, "olivia", permissions=MEMBER, roles=[role.id])
    itx = await fake.invoke(w.guild, w.mod, "setup organizer-role", {"role": role.id})
    assert "Only members with" in (await itx.final_message())["content"]
    try:
        itx = await fake.invoke(
            w.guild,
            w.alice,
            "walkout register",
            {"school": unique("Nope"), "city": "Detroit", "when": "2027-02-12 14:00"},
        )
        msg = await itx.final_message()
        assert itx.ephemeral and "organizer role" in msg["content"]
        _, reply = await register(fake, w, organizer, school=unique("Yes"), when="2027-02-12 14:00")
        assert "registered" in reply["content"]
    finally:
        itx = await fake.invoke(w.guild, w.mod, "setup organizer-role")
        assert "Everyone can" in (await itx.final_message())["content"]


async def test_cancel_right_after_an_rsvp_leaves_the_announcement_cancelled(fake, configured):
    """A pending RSVP refresh must not land after the cancel and bring the button back."""
    w = configured
    school = unique("Race High")
    await register(fake, w, w.alice, school=school, when="2027-02-12 14:00")
    ann = last_announcement(fake, w)
    wid = walkout_id_from(ann)
    click = await fake.click(w.guild, w.bob, ann, f"walkout:rsvp:{wid}")
    await click.final_message()
    itx = await fake.invoke(w.guild, w.alice, "walkout cancel", {"walkout": str(wid)})
    await itx.final_message()
    await fake.settle(quiet=1.0)
    final = current(fake, w, ann, lambda m: True)
    assert final["embeds"][0]["title"] == f"CANCELLED: {school}"
    assert custom_ids(final) == [f"walkout:ics:{wid}"]


async def test_list_buttons_are_removed_when_they_time_out(fake, configured, monkeypatch):
    from cogs.common import pager

    monkeypatch.setattr(pager, "PAGER_TIMEOUT", 0.3)
    w = configured
    city = unique("Timeoutville")
    for i in range(11):
        await register(fake, w, w.alice, school=f"T{i:02d}", city=city, when="2027-05-01 10:00")
    itx = await fake.invoke(w.guild, w.alice, "walkout list", {"city": city})
    first = await itx.final_message()
    assert len(custom_ids(first)) == 2
    await eventually(lambda: itx.edits and not itx.edits[-1].get("components"))
    assert "Page 1/2" in embed_text(itx.edits[-1])


async def test_setup_refuses_a_channel_the_bot_cannot_post_in(fake, configured):
    w = configured
    locked = fake.add_channel(w.guild, "read-only", bot_deny=1 << 11)  # no Send Messages
    await fake.settle()
    itx = await fake.invoke(w.guild, w.mod, "setup channels", {"announcements": locked.id})
    msg = await itx.final_message()
    assert itx.ephemeral and "can't post" in msg["content"]
    show = await (await fake.invoke(w.guild, w.mod, "setup show")).final_message()
    assert f"<#{w.announcements.id}>" in embed_text(show)


async def test_timezone_autocomplete_finds_zones_by_city(fake, configured):
    w = configured
    itx = await fake.autocomplete(
        w.guild, w.mod, "setup timezone", {"zone": "detr"}, focused="zone"
    )
    await itx.first_response()
    assert itx.autocomplete_choices[0]["value"] == "America/Detroit"
    itx = await fake.autocomplete(
        w.guild,
        w.alice,
        "walkout register",
        {"school": "x", "city": "y", "timezone": "los an"},
        focused="timezone",
    )
    await itx.first_response()
    assert itx.autocomplete_choices[0]["value"] == "America/Los_Angeles"


async def test_every_message_the_bot_sends_disallows_mentions(fake, configured):
    """Replies, follow-ups and posts all carry allowed_mentions with nothing allowed."""
    w = configured
    mark = len(fake.requests)
    await register(fake, w, w.alice, school=unique("Here Academy"), when="2027-02-12 14:00")
    wid = walkout_id_from(last_announcement(fake, w))
    await (
        await fake.invoke(w.guild, w.alice, "walkout info", {"walkout": str(wid)})
    ).final_message()
    bodies = []
    for r in fake.requests[mark:]:
        if r.method not in ("POST", "PATCH") or not isinstance(r.json, dict):
            continue
        body = r.json.get("data", r.json) if "/callback" in r.path else r.json
        if isinstance(body, dict) and ("content" in body or "embeds" in body):
            bodies.append((r.path, body))
    assert len(bodies) >= 3  # deferred reply's follow-up, the announcement, the info reply
    for path, body in bodies:
        assert body.get("allowed_mentions") == {"parse": []}, path
