"""Scheduled events: permissions (CREATE_EVENTS / MANAGE_EVENTS) and the 100-event limit."""

from __future__ import annotations

import datetime

import discord
import pytest

from fakediscord import DEFAULT_BOT_PERMISSIONS, Permission, eventually

EVENTS = "/guilds/{guild_id}/scheduled-events"
EVENT = "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}"
NO_EVENT_PERMS = DEFAULT_BOT_PERMISSIONS & ~int(Permission.CREATE_EVENTS | Permission.MANAGE_EVENTS)


def _future(hours: int = 1) -> str:
    return (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=hours)).isoformat()


@pytest.fixture
def event_guild(fake, world):
    guild = fake.add_guild("Events School")
    member = fake.add_member(guild, "organizer")
    return guild, member


async def test_bot_creates_event(fake, world, event_guild):
    guild, member = event_guild
    itx = await fake.invoke(guild, member, "event", {"name": "Climate Walkout", "minutes": 30})
    reply = await itx.final_message()
    events = fake.scheduled_events(guild)
    assert len(events) == 1 and reply["content"] == f"created {events[0]['id']}"
    event = events[0]
    assert event["name"] == "Climate Walkout" and event["entity_type"] == 3
    assert event["creator_id"] == str(fake.application_id) and event["status"] == 1
    assert event["entity_metadata"] == {"location": "Front steps"}
    assert event["scheduled_start_time"].endswith("+00:00")
    assert fake.violations == []


async def test_missing_permissions_is_403_50013(fake, world, event_guild):
    guild, member = event_guild
    fake.set_bot_permissions(guild, NO_EVENT_PERMS)
    itx = await fake.invoke(guild, member, "event", {"name": "Nope"})
    assert (await itx.final_message())["content"] == "missing permissions"
    assert itx.payload["app_permissions"] == str(NO_EVENT_PERMS)
    assert fake.scheduled_events(guild) == []
    denied = [
        r for r in fake.requests if r.route == EVENTS and r.path.startswith(f"/guilds/{guild.id}")
    ]
    assert [r.status for r in denied] == [403]
    fake.set_bot_permissions(guild, NO_EVENT_PERMS | int(Permission.CREATE_EVENTS))
    itx = await fake.invoke(guild, member, "event", {"name": "Yes"})
    assert (await itx.final_message())["content"].startswith("created ")


async def test_edit_rules_depend_on_creator(fake, world, event_guild):
    guild, member = event_guild
    human = fake.add_scheduled_event(
        guild, "Human's event", start=_future(), end=_future(2), creator=member
    )
    fake.set_bot_permissions(guild, NO_EVENT_PERMS | int(Permission.CREATE_EVENTS))
    dpy_guild = await eventually(lambda: world.bot.get_guild(guild.id))
    events = {e.id: e for e in await dpy_guild.fetch_scheduled_events()}
    with pytest.raises(discord.Forbidden) as exc:
        await events[int(human["id"])].edit(name="Renamed by bot")
    assert exc.value.code == 50013
    own = await dpy_guild.create_scheduled_event(
        name="Bot's event",
        start_time=discord.utils.utcnow() + datetime.timedelta(hours=1),
        end_time=discord.utils.utcnow() + datetime.timedelta(hours=2),
        entity_type=discord.EntityType.external,
        location="Gym",
        privacy_level=discord.PrivacyLevel.guild_only,
    )
    edited = await own.edit(name="Bot's event, renamed")
    assert edited.name == "Bot's event, renamed"
    fake.set_bot_permissions(guild, NO_EVENT_PERMS | int(Permission.MANAGE_EVENTS))
    renamed = await events[int(human["id"])].edit(name="Renamed by manager")
    assert renamed.name == "Renamed by manager"
    await own.delete()
    assert {e["name"] for e in fake.scheduled_events(guild)} == {"Renamed by manager"}
    assert fake.violations == []


async def test_hundred_uncompleted_events_limit(fake, world, event_guild):
    guild, member = event_guild
    for index in range(99):
        fake.add_scheduled_event(guild, f"Existing {index}", start=_future(), end=_future(2))
    itx = await fake.invoke(guild, member, "event", {"name": "Hundredth"})
    assert (await itx.final_message())["content"].startswith("created ")
    itx = await fake.invoke(guild, member, "event", {"name": "One too many"})
    assert (await itx.final_message())["content"] == "failed: 30038"
    # Completed events do not count.
    first = fake.scheduled_events(guild)[0]
    guild.scheduled_events[int(first["id"])]["status"] = 3
    itx = await fake.invoke(guild, member, "event", {"name": "Fits again"})
    assert (await itx.final_message())["content"].startswith("created ")
    assert fake.violations == []


async def test_event_body_rules_direct(fake, world, event_guild):
    guild, _member = event_guild
    url = f"{fake.api_base}/guilds/{guild.id}/scheduled-events"
    body = {
        "name": "No end time",
        "privacy_level": 2,
        "entity_type": 3,
        "scheduled_start_time": _future(),
        "entity_metadata": {"location": "Gym"},
    }
    async with world.http.post(url, json=body, headers=world.auth()) as resp:
        answer = await resp.json()
    assert resp.status == 400 and "scheduled_end_time" in answer["errors"]
    assert fake.scheduled_events(guild) == []
    assert (
        len(fake.violations) == 1
        and "External events need a scheduled_end_time" in fake.violations[0]
    )
