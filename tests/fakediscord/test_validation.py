"""Request bodies are checked against the OpenAPI spec and Discord's documented limits."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import discord
import pytest

from fakediscord import FakeDiscord, limits
from fakediscord.spec import SPEC_PATH, Issue, load_spec


def _embed(fields: int) -> discord.Embed:
    embed = discord.Embed(title="t")
    for index in range(fields):
        embed.add_field(name=f"n{index}", value="v")
    return embed


async def test_content_limit_direct_request(fake, world):
    url = f"{fake.api_base}/channels/{world.general.id}/messages"
    async with world.http.post(url, json={"content": "x" * 2001}, headers=world.auth()) as resp:
        body = await resp.json()
    assert resp.status == 400 and body["code"] == 50035 and body["message"] == "Invalid Form Body"
    assert body["errors"]["content"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    assert len(fake.violations) == 1 and "content" in fake.violations[0]
    assert fake.violations[0].startswith(f"POST /channels/{world.general.id}/messages")
    async with world.http.post(url, json={"content": "x" * 2000}, headers=world.auth()) as resp:
        assert resp.status == 200
    assert len(fake.violations) == 1


async def test_embed_field_limit_direct_request(fake, world):
    url = f"{fake.api_base}/channels/{world.general.id}/messages"
    payload = {"embeds": [_embed(26).to_dict()]}
    async with world.http.post(url, json=payload, headers=world.auth()) as resp:
        body = await resp.json()
    assert resp.status == 400 and "fields" in body["errors"]["embeds"]["0"]
    assert fake.violations and all("embeds.0.fields" in v for v in fake.violations)


async def test_invalid_bodies_via_discord_py(fake, world):
    channel = world.bot.get_channel(world.general.id)
    with pytest.raises(discord.HTTPException) as too_long:
        await channel.send("x" * 2001)
    assert too_long.value.status == 400 and too_long.value.code == 50035
    with pytest.raises(discord.HTTPException) as too_many:
        await channel.send(embed=_embed(26))
    assert too_many.value.code == 50035
    with pytest.raises(discord.HTTPException) as empty:
        await channel.send(embed=discord.Embed(title="t").add_field(name="n", value=""))
    assert empty.value.code == 50035
    assert len(fake.violations) >= 3
    assert all(len(m["content"]) <= 2000 for m in fake.messages(world.general))


async def test_invalid_command_name_via_bot_and_direct(fake, world):
    guild_id = world.guild.id
    before = fake.commands(guild_id)
    bad = [{"name": "Bad Name", "description": "x", "type": 1}]
    with pytest.raises(discord.HTTPException) as exc:
        await world.bot.http.bulk_upsert_guild_commands(fake.application_id, guild_id, bad)
    assert exc.value.code == 50035
    url = f"{fake.api_base}/applications/{fake.application_id}/guilds/{guild_id}/commands"
    async with world.http.put(
        url, json=[{"name": "UPPER", "description": "x"}], headers=world.auth()
    ) as resp:
        body = await resp.json()
    assert resp.status == 400 and body["errors"]["0"]["name"]["_errors"][0]["message"].endswith(
        "lowercase."
    )
    assert fake.commands(guild_id) == before
    assert any("Bad Name" in v for v in fake.violations) and any(
        "UPPER" in v for v in fake.violations
    )


async def test_files_are_parsed_from_multipart(fake, world):
    channel = world.bot.get_channel(world.general.id)
    sent = await channel.send("with file", file=discord.File(io.BytesIO(b"abc"), "a.txt"))
    stored = fake.message(sent.id)
    assert stored["attachments"][0]["filename"] == "a.txt" and stored["attachments"][0]["size"] == 3
    assert await sent.attachments[0].read() == b"abc"
    log = next(
        r
        for r in reversed(fake.requests)
        if r.method == "POST" and r.route == "/channels/{channel_id}/messages"
    )
    assert log.json["content"] == "with file" and log.files == [("a.txt", b"abc")]
    assert fake.violations == []


async def test_dm_channel_and_closed_dms(fake, world):
    user = await world.bot.fetch_user(world.alice.id)
    await user.send("hello in DMs")
    assert [m["content"] for m in fake.dms(world.alice)] == ["hello in DMs"]
    closed = fake.add_member(world.guild, "closed-dms", accepts_dms=False)
    other = await world.bot.fetch_user(closed.id)
    with pytest.raises(discord.Forbidden) as exc:
        await other.send("nope")
    assert exc.value.code == 50007
    assert fake.dms(closed) == []


async def test_non_strict_records_but_accepts(world):
    lenient = FakeDiscord(strict=False)
    await lenient.start()
    try:
        url = f"{lenient.api_base}/channels/{lenient.add_guild('G').channels[0].id}/messages"
        headers = {"Authorization": f"Bot {lenient.bot_token}"}
        async with world.http.post(url, json={"content": "y" * 2001}, headers=headers) as resp:
            assert resp.status == 200
        assert len(lenient.violations) == 1
    finally:
        await lenient.stop()


# --------------------------------------------------------------------------- spec & limits units
def test_vendored_spec_is_loaded():
    spec = load_spec()
    assert SPEC_PATH.parent.name == "spec" and SPEC_PATH.parent.parent.name == "fakediscord"
    assert "MIT" in (SPEC_PATH.parent / "LICENSE").read_text()
    assert spec.info["version"] == "10"


def test_route_matching_prefers_literals():
    spec = load_spec()
    match = spec.match("/webhooks/1/tok/messages/@original")
    assert match is not None and match.template.endswith("/messages/@original")
    match = spec.match("/webhooks/1/tok/messages/55")
    assert match is not None and match.template.endswith("/messages/{message_id}")
    assert match.params == {"webhook_id": "1", "webhook_token": "tok", "message_id": "55"}
    assert spec.match("/users/@me").template == "/users/@me"
    assert spec.match("/nope") is None


def test_spec_is_looser_than_docs_for_content():
    spec = load_spec()
    body = {"content": "x" * 2001}
    assert spec.validate_body("POST", "/channels/{channel_id}/messages", body) == []
    assert limits.check_message(body)


def test_int_strings_and_int_snowflakes_are_accepted():
    spec = load_spec()
    command = {"name": "x", "description": "y", "default_member_permissions": "8"}
    assert spec.validate_body("PUT", "/applications/{application_id}/commands", [command]) == []
    message = {"content": "x", "message_reference": {"message_id": 1234, "channel_id": "5678"}}
    assert spec.validate_body("POST", "/channels/{channel_id}/messages", message) == []
    bad = {"content": "x", "message_reference": {"message_id": "12ab"}}
    assert spec.validate_body("POST", "/channels/{channel_id}/messages", bad)


def _command(**extra):
    base = {"name": "cmd", "description": "d", "type": 1}
    base.update(extra)
    return base


def test_command_limits():
    assert limits.check_command(_command()) == []
    assert limits.check_command(_command(name="Caps"))
    assert limits.check_command(_command(name="has space"))
    assert limits.check_command(_command(name="ok-name_ñ")) == []
    assert limits.check_command(_command(name="x" * 33))
    assert limits.check_command(_command(description="d" * 101))
    assert limits.check_command(_command(name_localizations={"xx-XX": "cmd"}))
    assert limits.check_command(_command(name_localizations={"fr": "Commande"}))
    assert limits.check_command(_command(name_localizations={"fr": "commande"})) == []
    optional_first = [
        {"type": 3, "name": "a", "description": "a"},
        {"type": 3, "name": "b", "description": "b", "required": True},
    ]
    assert any(
        "before optional" in i.message
        for i in limits.check_command(_command(options=optional_first))
    )
    too_many = [{"type": 3, "name": f"o{i}", "description": "d"} for i in range(26)]
    assert limits.check_command(_command(options=too_many))
    choices = [{"name": f"c{i}", "value": f"v{i}"} for i in range(26)]
    assert limits.check_command(
        _command(options=[{"type": 3, "name": "o", "description": "d", "choices": choices}])
    )


def test_command_8000_characters_counts_longest_localization():
    options = [{"type": 3, "name": f"o{i}", "description": "d" * 100} for i in range(25)]
    small = _command(options=options)
    # name 3 + description 1 + 25 options: 10 one-digit "oN" names, 15 "oNN", 100-char texts
    assert limits.command_size(small) == 3 + 1 + 10 * 2 + 15 * 3 + 25 * 100
    assert limits.command_size(small) < 8000 and limits.check_command(small) == []
    localized = [
        {**o, "description_localizations": {"fr": "f" * 100, "de": "g" * 100}} for o in options
    ]
    # Only the longest of default/localizations counts: still the same size.
    assert limits.command_size(_command(options=localized)) == limits.command_size(small)
    group = {
        "type": 2,
        "name": "g",
        "description": "d" * 100,
        "options": [
            {"type": 1, "name": f"s{j}", "description": "d" * 100, "options": options}
            for j in range(4)
        ],
    }
    big = _command(options=[group])
    assert limits.command_size(big) > 8000
    assert any(i.code == "APPLICATION_COMMAND_TOO_LARGE" for i in limits.check_command(big))


def test_command_list_counts():
    commands = [_command(name=f"c{i}") for i in range(101)]
    assert any("100 or fewer" in i.message for i in limits.check_command_list(commands))
    assert any("unique" in i.message for i in limits.check_command_list([_command(), _command()]))


def test_modal_and_autocomplete_limits():
    row = {"type": 1, "components": [{"type": 4, "custom_id": "f", "style": 1, "label": "L"}]}
    assert limits.check_modal({"custom_id": "m", "title": "t", "components": [row]}) == []
    assert limits.check_modal({"custom_id": "m", "title": "t" * 46, "components": [row]})
    assert limits.check_modal({"custom_id": "m", "title": "t", "components": [row] * 6})
    long_label = {
        "type": 1,
        "components": [{"type": 4, "custom_id": "f", "style": 1, "label": "L" * 46}],
    }
    assert limits.check_modal({"custom_id": "m", "title": "t", "components": [long_label]})
    choices = [{"name": f"n{i}", "value": str(i)} for i in range(26)]
    assert limits.check_autocomplete({"choices": choices})
    assert limits.check_autocomplete({"choices": [{"name": "", "value": "v"}]})
    assert limits.check_autocomplete({"choices": [{"name": "n", "value": "v" * 101}]})
    assert limits.check_autocomplete({"choices": choices[:25]}) == []


def test_component_limits():
    button = {"type": 2, "style": 1, "custom_id": "b", "label": "ok"}
    assert limits.check_components([{"type": 1, "components": [button]}], ()) == []
    six = [{**button, "custom_id": f"b{i}"} for i in range(6)]
    assert limits.check_components([{"type": 1, "components": six}], ())
    rows = [{"type": 1, "components": [{**button, "custom_id": f"r{i}"}]} for i in range(6)]
    assert limits.check_components(rows, ())
    assert limits.check_components([{"type": 1, "components": [{**button, "label": "l" * 81}]}], ())
    dupes = [{"type": 1, "components": [button, dict(button)]}]
    assert any("duplicated" in i.message for i in limits.check_components(dupes, ()))


def test_embed_total_limit():
    embeds = [{"title": "t", "description": "d" * 4000}, {"description": "d" * 2000}]
    assert any("6000" in i.message for i in limits.check_embeds(embeds, ("embeds",)))


def test_scheduled_event_rules():
    """Judged at a fixed ``now``, so the dates below never drift into the past."""

    def check(body: dict, now: datetime = datetime(2027, 2, 1, tzinfo=UTC)) -> list[Issue]:
        return limits.check_scheduled_event(body, now=now)

    external = {
        "name": "Walkout",
        "privacy_level": 2,
        "entity_type": 3,
        "scheduled_start_time": "2027-02-12T19:00:00+00:00",
        "scheduled_end_time": "2027-02-12T20:00:00+00:00",
        "entity_metadata": {"location": "Front steps"},
    }
    assert check(external) == []
    assert check({**external, "name": "n" * 101})
    assert check({**external, "description": "d" * 1001})
    assert check({**external, "entity_metadata": {"location": "l" * 101}})
    no_end = {k: v for k, v in external.items() if k != "scheduled_end_time"}
    assert any("scheduled_end_time" in i.message for i in check(no_end))
    assert check({**external, "entity_metadata": {}})
    past = {**external, "scheduled_start_time": "2027-01-31T10:00:00+00:00"}
    assert any("past" in i.message for i in check(past))
    assert any("past" in i.message for i in check(external, now=datetime(2027, 3, 1, tzinfo=UTC)))
