"""Connecting: token, READY, GUILD_CREATE -> discord.py objects, command sync, REST basics."""

from __future__ import annotations

import datetime

import discord

from fakediscord import DEFAULT_BOT_PERMISSIONS, eventually, snowflake_time


async def test_token_and_snowflakes_look_real(world):
    fake = world.fake
    parts = fake.bot_token.split(".")
    assert len(parts) == 3 and all(parts)
    now = datetime.datetime.now(datetime.UTC)
    created = snowflake_time(world.guild.id)
    assert abs((now - created).total_seconds()) < 600
    assert discord.utils.snowflake_time(world.alice.id) == snowflake_time(world.alice.id)


async def test_ready_builds_discord_py_objects(world):
    bot, fake = world.bot, world.fake
    assert bot.user is not None and bot.user.id == fake.application_id and bot.user.bot
    assert bot.application_id == fake.application_id
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    assert guild.name == "Test School Org"
    assert guild.preferred_locale == discord.Locale.american_english
    assert guild.owner_id == int(fake.owner["id"])
    assert guild.default_role.id == guild.id
    assert guild.me is not None and guild.me.guild_permissions.value == DEFAULT_BOT_PERMISSIONS
    assert guild.member_count == len(world.guild.members)
    general = guild.get_channel(world.general.id)
    assert isinstance(general, discord.TextChannel) and general.name == "general"
    assert general.permissions_for(guild.me).send_messages


async def test_identify_payload_and_gateway_url(world):
    fake, bot = world.fake, world.bot
    first = fake.identify_payloads[0]
    assert first["token"] == fake.bot_token
    assert first["intents"] == bot.intents.value
    assert fake.gateway_connections[0].startswith("/gateway?v=10&encoding=json")


async def test_command_sync_is_stored_with_ids(fake, world):
    commands = fake.commands()
    names = {c["name"] for c in commands}
    assert {"ping", "defer", "embed", "fruit", "form", "post", "event", "echo", "tools"} <= names
    tools = next(c for c in commands if c["name"] == "tools")
    assert tools["options"][0]["type"] == 2 and tools["options"][0]["options"][0]["name"] == "add"
    for command in commands:
        assert int(command["id"]) > 0 and command["application_id"] == str(fake.application_id)
    fetched = await world.bot.tree.fetch_commands()
    assert {c.name: c.id for c in fetched} == {c["name"]: int(c["id"]) for c in commands}
    assert fake.violations == []


async def test_guild_and_channel_added_after_ready_are_dispatched(fake, world):
    second = fake.add_guild("Second School", locale="es-ES")
    guild = await eventually(lambda: world.bot.get_guild(second.id))
    assert guild.name == "Second School" and guild.preferred_locale == discord.Locale.spain_spanish
    channel = fake.add_channel(world.guild, "late-channel")
    found = await eventually(lambda: world.bot.get_channel(channel.id))
    assert found.name == "late-channel"
    role = fake.add_role(world.guild, "Late Role", permissions=8)
    found_role = await eventually(lambda: world.bot.get_guild(world.guild.id).get_role(role.id))
    assert found_role.permissions.administrator


async def test_rest_requires_bot_auth_and_reports_unknown_routes(fake, world):
    async with world.http.get(f"{fake.api_base}/users/@me") as resp:
        assert resp.status == 401
        assert (await resp.json())["message"] == "401: Unauthorized"
    async with world.http.get(f"{fake.api_base}/users/@me", headers=world.auth()) as resp:
        assert resp.status == 200 and (await resp.json())["id"] == str(fake.application_id)
        assert resp.headers["X-RateLimit-Limit"] and resp.headers["X-RateLimit-Bucket"]
    async with world.http.get(f"{fake.api_base}/no/such/route", headers=world.auth()) as resp:
        assert resp.status == 404 and "X-RateLimit-Remaining" in resp.headers
    async with world.http.get(
        f"{fake.api_base}/guilds/{world.guild.id}/audit-logs", headers=world.auth()
    ) as resp:
        assert resp.status == 404
    assert len(fake.violations) == 3
    assert "Authorization" in fake.violations[0]
    assert "no such route" in fake.violations[1]
    assert "not implemented" in fake.violations[2]


async def test_basic_rest_reads(fake, world):
    bot = world.bot
    channel = await bot.fetch_channel(world.general.id)
    assert channel.name == "general"
    guild = await bot.fetch_guild(world.guild.id)
    assert guild.name == "Test School Org"
    member = await guild.fetch_member(world.alice.id)
    assert member.name == "alice"
    with_error = None
    try:
        await guild.fetch_member(12345)
    except discord.NotFound as exc:
        with_error = exc
    assert with_error is not None and with_error.code == 10007
    assert fake.violations == []
