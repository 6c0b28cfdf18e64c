"""Every interaction kind round-trips through the real discord.py bot."""

from __future__ import annotations

import time

import pytest

from fakediscord import Permission

PAYLOAD_KEYS = {
    "id",
    "application_id",
    "type",
    "data",
    "guild_id",
    "channel",
    "channel_id",
    "member",
    "token",
    "version",
    "app_permissions",
    "locale",
    "guild_locale",
    "entitlements",
    "authorizing_integration_owners",
    "context",
    "attachment_size_limit",
}


async def test_immediate_answer(fake, world):
    itx = await fake.invoke(world.guild, world.alice, "ping", locale="fr")
    first = await itx.first_response()
    assert first["type"] == 4 and first["data"]["content"] == "pong"
    assert 0 <= first["elapsed"] < 1
    assert not itx.ephemeral
    payload = itx.payload
    assert payload.keys() >= PAYLOAD_KEYS
    assert (
        payload["version"] == 1 and payload["locale"] == "fr" and payload["guild_locale"] == "en-US"
    )
    assert payload["member"]["user"]["id"] == str(world.alice.id)
    assert isinstance(payload["member"]["permissions"], str)
    assert isinstance(payload["app_permissions"], str)
    message = await itx.final_message()
    assert message["content"] == "pong" and message["interaction_metadata"]["id"] == str(itx.id)
    assert fake.messages(world.general)[-1]["id"] == message["id"]
    assert fake.violations == []


async def test_defer_then_followup_ephemeral(fake, world):
    before = len(fake.messages(world.general))
    itx = await fake.invoke(world.guild, world.alice, "defer", {"ephemeral": True})
    first = await itx.first_response()
    assert first["type"] == 5
    message = await itx.final_message()
    assert message["content"] == "done after deferring"
    assert itx.ephemeral
    assert [f["id"] for f in itx.followups] == [message["id"]]
    assert len(fake.messages(world.general)) == before  # ephemeral: not in the channel
    assert fake.violations == []


async def test_defer_then_followup_public(fake, world):
    itx = await fake.invoke(world.guild, world.alice, "defer")
    message = await itx.final_message()
    assert not itx.ephemeral and message["flags"] & 128 == 0
    assert fake.messages(world.general)[-1]["content"] == "done after deferring"


async def test_embed_answer(fake, world):
    itx = await fake.invoke(world.guild, world.alice, "embed")
    message = await itx.final_message()
    embed = message["embeds"][0]
    assert embed["title"] == "Walkout" and embed["type"] == "rich"
    assert [f["name"] for f in embed["fields"]] == ["Where", "When"]
    assert fake.violations == []


async def test_autocomplete(fake, world):
    itx = await fake.autocomplete(world.guild, world.alice, "fruit", {"name": "ap"}, focused="name")
    first = await itx.first_response()
    assert first["type"] == 8
    assert itx.autocomplete_choices == [
        {"name": "Apple", "value": "apple"},
        {"name": "Apricot", "value": "apricot"},
    ]
    option = itx.payload["data"]["options"][0]
    assert option == {"name": "name", "type": 3, "value": "ap", "focused": True}


async def test_button_opens_modal_and_submit(fake, world):
    itx = await fake.invoke(world.guild, world.alice, "form")
    message = await itx.final_message()
    button = message["components"][0]["components"][0]
    assert button["custom_id"] == "barebot:open-form" and isinstance(button["id"], int)
    click = await fake.click(world.guild, world.alice, message, "barebot:open-form")
    assert (await click.first_response())["type"] == 9
    assert click.modal["title"] == "Feedback"
    assert click.payload["message"]["id"] == message["id"]
    submit = await fake.submit_modal(
        world.guild, world.alice, "barebot:feedback-modal", {"feedback": "loud and clear"}
    )
    answer = await submit.final_message()
    assert answer["content"] == "Thanks: loud and clear" and submit.ephemeral
    assert fake.violations == []


async def test_select_updates_message(fake, world):
    itx = await fake.invoke(world.guild, world.alice, "choose")
    message = await itx.final_message()
    with pytest.raises(AssertionError, match="not among options"):
        await fake.select(world.guild, world.alice, message, "barebot:choose", ["purple"])
    pick = await fake.select(world.guild, world.alice, message, "barebot:choose", ["green"])
    assert (await pick.first_response())["type"] == 7
    updated = await pick.final_message()
    assert updated["id"] == message["id"] and updated["content"] == "You chose green"
    assert updated["components"] == [] and updated["edited_timestamp"]
    assert fake.message(int(message["id"]))["content"] == "You chose green"


async def test_post_to_channel(fake, world):
    channel = fake.add_channel(world.guild, "announcements-post")
    itx = await fake.invoke(world.guild, world.alice, "post", {"channel": channel, "text": "hello"})
    reply = await itx.final_message()
    assert itx.ephemeral and f"<#{channel.id}>" in reply["content"]
    posted = fake.messages(channel)
    assert [m["content"] for m in posted] == ["hello"]
    assert posted[0]["author"]["id"] == str(fake.application_id)
    assert fake.violations == []


async def test_waiting_for_side_effects(fake, world):
    channel = fake.add_channel(world.guild, "side-effects")
    itx = await fake.invoke(world.guild, world.alice, "post", {"channel": channel, "text": "x"})
    log = await fake.wait_for_request("POST", "/channels/{channel_id}/messages", after=itx)
    assert log.status == 200 and log.path == f"/channels/{channel.id}/messages"
    await itx.final_message()
    await fake.settle()
    assert time.monotonic() - fake.requests[-1].at >= 0.05


async def test_user_context_menu(fake, world):
    user_command = next(c for c in fake.commands() if c["name"] == "Wave at")
    assert user_command["type"] == 2 and user_command["description"] == ""
    bob = fake.add_member(world.guild, "bob")
    itx = await fake.context_menu(world.guild, world.alice, "Wave at", bob)
    assert (await itx.final_message())["content"] == "waves at bob"
    data = itx.payload["data"]
    assert data["target_id"] == str(bob.id) and str(bob.id) in data["resolved"]["members"]
    assert fake.violations == []


async def test_post_denied_channel_is_403(fake, world):
    channel = fake.add_channel(world.guild, "locked", bot_deny=int(Permission.SEND_MESSAGES))
    itx = await fake.invoke(world.guild, world.alice, "post", {"channel": channel, "text": "x"})
    reply = await itx.final_message()
    assert reply["content"] == "I cannot post there"
    assert fake.messages(channel) == []
    denied = [r for r in fake.requests if r.path == f"/channels/{channel.id}/messages"]
    assert [r.status for r in denied] == [403]


async def test_typed_options_are_resolved(fake, world):
    role = fake.add_role(world.guild, "Organizers")
    channel = fake.add_channel(world.guild, "where-channel")
    options = {
        "text": "hi",
        "count": 3,
        "flag": True,
        "ratio": 0.5,
        "who": world.alice,
        "role": role,
        "where": channel,
    }
    itx = await fake.invoke(world.guild, world.alice, "echo", options)
    message = await itx.final_message()
    assert message["content"] == (
        "text=hi count=3 flag=True ratio=0.5 who=alice role=Organizers where=where-channel"
    )
    resolved = itx.payload["data"]["resolved"]
    assert set(resolved) == {"users", "members", "roles", "channels"}
    assert "permissions" in resolved["members"][str(world.alice.id)]
    assert resolved["channels"][str(channel.id)]["name"] == "where-channel"


async def test_subcommand_group_nesting(fake, world):
    itx = await fake.invoke(world.guild, world.alice, "tools math add", {"a": 2, "b": 3})
    assert (await itx.final_message())["content"] == "5"
    options = itx.payload["data"]["options"]
    assert options[0]["type"] == 2 and options[0]["name"] == "math"
    assert options[0]["options"][0]["type"] == 1 and options[0]["options"][0]["name"] == "add"
    assert options[0]["options"][0]["options"] == [
        {"name": "a", "type": 4, "value": 2},
        {"name": "b", "type": 4, "value": 3},
    ]


async def test_response_with_file(fake, world):
    itx = await fake.invoke(world.guild, world.alice, "file")
    message = await itx.final_message()
    assert itx.attachments == [("report.csv", b"walkout,10:00\n")]
    attachment = message["attachments"][0]
    async with world.http.get(attachment["url"]) as resp:
        assert await resp.read() == b"walkout,10:00\n"
    assert fake.violations == []


@pytest.mark.parametrize(
    ("command", "options", "error"),
    [
        ("nope", {}, "no synced command 'nope'"),
        ("echo", {"txt": "x"}, "unknown option"),
        ("echo", {"text": 5}, "needs a str"),
        ("echo", {"text": "x", "count": "3"}, "needs an int"),
        ("echo", {}, "missing required option 'text'"),
        ("echo", {"text": "x", "count": 11}, "11 outside 1..10"),
        ("tools", {}, "needs a subcommand"),
        ("tools math sub", {}, "no subcommand/group 'sub'"),
    ],
)
async def test_invalid_invocations_fail_in_the_test(fake, world, command, options, error):
    count = len(fake.interaction_records)
    with pytest.raises(AssertionError, match=error):
        await fake.invoke(world.guild, world.alice, command, options)
    assert len(fake.interaction_records) == count


async def _ack(world, itx) -> None:
    """Answer an interaction the bare bot does not know, so no 3 s violation is left behind."""
    url = f"{world.fake.api_base}/interactions/{itx.id}/{itx.token}/callback"
    async with world.http.post(url, json={"type": 4, "data": {"content": "ok"}}) as resp:
        assert resp.status == 204


async def test_default_member_permissions_are_enforced_when_asked(fake, world):
    guild_id = world.guild.id
    await world.bot.http.bulk_upsert_guild_commands(
        fake.application_id,
        guild_id,
        [{"name": "admin-only", "description": "x", "type": 1, "default_member_permissions": "32"}],
    )
    # Default: like a guild whose admins overrode the command permissions.
    itx = await fake.invoke(world.guild, world.alice, "admin-only")
    assert itx.payload["data"]["guild_id"] == str(guild_id)
    await _ack(world, itx)
    fake.factory.enforce_default_permissions = True
    try:
        with pytest.raises(AssertionError, match="default_member_permissions"):
            await fake.invoke(world.guild, world.alice, "admin-only")
        owner = world.guild.member(int(fake.owner["id"]))
        await _ack(world, await fake.invoke(world.guild, owner, "admin-only"))
    finally:
        fake.factory.enforce_default_permissions = False
        await world.bot.http.bulk_upsert_guild_commands(fake.application_id, guild_id, [])
    assert fake.commands(guild_id) == []
    assert fake.violations == []


async def test_three_second_rule(fake, world):
    start = time.monotonic()
    itx = await fake.invoke(world.guild, world.alice, "sleepy", {"seconds": 3.3})
    attempt = await itx.callback_attempt(timeout=5)
    assert attempt["status"] == 404 and attempt["code"] == 10062
    assert attempt["elapsed"] > 3.0 and time.monotonic() - start < 4.5
    assert itx.record.first is None
    assert any("not acknowledged within 3s" in v for v in fake.violations)
    assert any("came 3." in v and "Discord allows 3s" in v for v in fake.violations)


async def test_second_callback_and_wrong_type_are_rejected(fake, world):
    slow = await fake.invoke(world.guild, world.alice, "sleepy", {"seconds": 0.2})
    url = f"{fake.api_base}/interactions/{slow.id}/{slow.token}/callback"
    too_long = {"type": 4, "data": {"content": "x" * 2001}}
    async with world.http.post(url, json=too_long) as resp:
        assert resp.status == 400 and (await resp.json())["code"] == 50035
    async with world.http.post(url, json={"type": 7, "data": {"content": "x"}}) as resp:
        assert resp.status == 400 and (await resp.json())["code"] == 50035
    first = await slow.first_response()
    assert first["data"]["content"] == "slept 0.2"
    async with world.http.post(url, json={"type": 4, "data": {"content": "again"}}) as resp:
        body = await resp.json()
        assert resp.status == 400 and body["code"] == 40060
    assert [a["status"] for a in slow.callback_attempts] == [400, 400, 200, 400]
    assert len(fake.violations) == 3
    assert "data.content: Must be 2000 or fewer" in fake.violations[0]
    assert "callback type 7 is not valid" in fake.violations[1]
    assert "second callback" in fake.violations[2]


async def test_followup_before_ack_and_unknown_token(fake, world):
    app = fake.application_id
    async with world.http.post(
        f"{fake.api_base}/webhooks/{app}/not-a-token?wait=true", json={"content": "x"}
    ) as resp:
        assert resp.status == 404 and (await resp.json())["code"] == 10015
    slow = await fake.invoke(world.guild, world.alice, "sleepy", {"seconds": 0.2})
    async with world.http.post(
        f"{fake.api_base}/webhooks/{app}/{slow.token}?wait=true", json={"content": "early"}
    ) as resp:
        assert resp.status == 404
    await slow.first_response()
    async with world.http.post(
        f"{fake.api_base}/webhooks/{app}/{slow.token}?wait=true", json={"content": "later"}
    ) as resp:
        assert resp.status == 200 and (await resp.json())["content"] == "later"
    assert [f["content"] for f in slow.followups] == ["later"]
    assert (
        len(fake.violations) == 2
        and "before the interaction was acknowledged" in fake.violations[1]
    )


async def test_value_checks_can_be_skipped(fake, world):
    itx = await fake.invoke(
        world.guild, world.alice, "echo", {"text": "x", "count": 11}, check_values=False
    )
    assert itx.payload["data"]["options"][1] == {"name": "count", "type": 4, "value": 11}
    # discord.py trusts Discord to enforce min/max_value: the out-of-range value gets through.
    assert "count=11" in (await itx.final_message())["content"]
    assert fake.violations == []
