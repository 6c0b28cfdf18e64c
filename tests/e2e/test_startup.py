"""Start-up: connection, intents, command sync; and `python bot.py` as an operator runs it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fakediscord import FakeDiscord
from tests.e2e.helpers import BOT, MEMBER, custom_ids, eventually, field
from tests.e2e.processes import bot_env, run_bot, start_bot, stop_bot

pytestmark = pytest.mark.e2e

PRIVILEGED = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content


async def test_identifies_without_privileged_intents(fake, bot):
    intents = fake.identify_payloads[-1]["intents"]
    assert intents & PRIVILEGED == 0
    assert intents & 1  # guilds


async def test_commands_are_synced_globally_with_spanish(fake, bot):
    names = {c["name"]: c for c in fake.commands()}
    assert set(names) == {
        "setup",
        "walkout",
        "action",
        "rights",
        "history",
        "snippet",
        "reminders",
        "report",
        "reports",
        "privacy",
    }
    assert names["reports"]["default_member_permissions"] == str(1 << 5)
    assert "default_member_permissions" not in names["report"] or (
        names["report"]["default_member_permissions"] is None
    )
    walkout = names["walkout"]
    subs = {o["name"] for o in walkout["options"]}
    register = next(o for o in walkout["options"] if o["name"] == "register")
    assert register["name_localizations"]["es-419"] == "registrar"
    assert register["description_localizations"]["es-ES"].startswith("Registra un walkout")
    assert subs == {"register", "list", "info", "edit", "cancel", "join", "review"}
    assert names["setup"]["default_member_permissions"] == str(1 << 5)


@pytest.mark.parametrize("token", ["", "not-a-token"])
async def test_missing_or_malformed_token_explains_and_exits_2(tmp_path, token):
    code, out = await run_bot([], bot_env(DISCORD_TOKEN=token, WALKOUT_DATA_DIR=str(tmp_path)))
    assert code == 2
    assert "https://discord.com/developers/applications" in out
    assert "Traceback" not in out
    assert len(out.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []  # nothing written before the token is known good


async def test_help_lists_operator_commands():
    code, out = await run_bot(["--help"], bot_env())
    assert code == 0
    for word in ("run", "db", "content"):
        assert word in out


async def test_python_bot_py_runs_and_buttons_survive_a_restart(tmp_path):
    """The real entry point: migrate, connect through DISCORD_API_BASE/GATEWAY, sync, answer;
    then restart the process and press a button on an announcement made before the restart.

    Uses its own server so this second bot process never sees the session's interactions.
    The process and this server run on the machine's clock, so the walkout is dated from today.
    """
    day = datetime.now(ZoneInfo("America/Detroit")).date() + timedelta(days=30)
    fake = FakeDiscord()
    await fake.start()
    guild = fake.add_guild(name="Subprocess", bot_permissions=BOT)
    member = fake.add_member(guild, "kim", permissions=MEMBER)
    env = bot_env(
        DISCORD_TOKEN=fake.bot_token,
        DISCORD_API_BASE=fake.api_base,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        DISCORD_GUILD_ID=str(guild.id),
        WALKOUT_DATA_DIR=str(tmp_path),
        LOG_LEVEL="INFO",
    )
    outputs: list[str] = []
    try:
        proc = await start_bot(env)
        try:
            await fake.wait_for_commands(guild_id=guild.id, timeout=30)
            names = {c["name"] for c in fake.commands(guild_id=guild.id)}
            assert names == {
                "setup",
                "walkout",
                "action",
                "rights",
                "history",
                "snippet",
                "reminders",
                "report",
                "reports",
                "privacy",
            }
            assert (tmp_path / "walkout-bot.sqlite3").exists()
            itx = await fake.invoke(
                guild,
                member,
                "walkout register",
                {
                    "school": "Community High",
                    "city": "Ann Arbor",
                    "when": f"{day:%Y-%m-%d} 14:00",
                    "timezone": "America/Detroit",
                },
            )
            assert "registered" in (await itx.final_message())["content"]
        finally:
            outputs.append(await stop_bot(proc))
        (announcement,) = fake.messages(guild.channels[0].id)
        rsvp = next(c for c in custom_ids(announcement) if c.startswith("walkout:rsvp:"))

        # Second start: only DISCORD_API_BASE, so the bot must ask the server for its gateway.
        env.pop("DISCORD_GATEWAY_URL")
        proc = await start_bot(env)
        try:
            await fake.wait_ready(timeout=30)
            itx = await fake.click(guild, member, announcement, rsvp)
            assert "You're going" in (await itx.final_message())["content"]
            await eventually(lambda: field(fake.messages(guild.channels[0].id)[0], "Going") == "1")
            assert fake.violations == []
        finally:
            outputs.append(await stop_bot(proc))
    finally:
        await fake.stop()
    for out in outputs:
        assert "Traceback" not in out, out
