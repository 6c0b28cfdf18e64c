"""Discord misbehaving: a dropped gateway, the scheduled-event cap, REST hiccups."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import BOT, MODERATOR, embed_text

pytestmark = pytest.mark.e2e


async def test_bot_resumes_after_the_gateway_drops(fake, world, bot):
    await fake.drop_gateway(resumable=True)
    await fake.wait_resumed(timeout=15)
    itx = await fake.invoke(world.guild, world.alice, "action list")
    assert "Walk out and turn up the heat on ICE" in embed_text(await itx.final_message())


async def test_event_cap_skips_the_event_but_registers_and_setup_says_why(fake, bot):
    guild = fake.add_guild(name="Busy Server", bot_permissions=BOT)
    mod = fake.add_member(guild, "busy-mod", permissions=MODERATOR)
    for i in range(100):
        fake.add_scheduled_event(guild, f"Meeting {i}", start="2027-01-01T18:00:00+00:00")
    itx = await fake.invoke(
        guild,
        mod,
        "walkout register",
        {
            "school": "Cap High",
            "city": "Lansing",
            "when": "2027-02-12 14:00",
            "timezone": "America/Detroit",
        },
    )
    msg = await itx.final_message()
    assert "registered" in msg["content"] and "limit of 100 events" in msg["content"]
    assert len(fake.scheduled_events(guild.id)) == 100
    show = await (await fake.invoke(guild, mod, "setup show")).final_message()
    assert "limit of 100 events" in embed_text(show)


async def test_transient_5xx_on_announcement_is_retried(fake, world, bot):
    """discord.py retries a 502; the walkout is registered once, announced once."""
    itx = await fake.invoke(world.guild, world.mod, "setup timezone", {"zone": "America/Detroit"})
    await itx.final_message()
    mark = len(fake.requests)
    fake.fail_next("POST", "/channels/{channel_id}/messages", status=502, count=1)
    itx = await fake.invoke(
        world.guild,
        world.alice,
        "walkout register",
        {"school": "Retry High", "city": "Detroit", "when": "2027-02-12 14:00"},
    )
    msg = await itx.final_message(timeout=10)
    assert "registered" in msg["content"]
    posts = [
        r
        for r in fake.requests[mark:]
        if r.method == "POST" and r.route == "/channels/{channel_id}/messages"
    ]
    assert [r.status for r in posts] == [502, 200]
    announced = [
        m
        for ch in (world.general, world.announcements)
        for m in fake.messages(ch.id)
        if "Retry High" in embed_text(m)
    ]
    assert len(announced) == 1
