"""Failures the bot suffers: the user gets an apology with an incident id, the log gets the
traceback with context, and the bot keeps serving."""

from __future__ import annotations

import asyncio
import logging
import re
import sys

import pytest

from core.errors import UserError
from db import walkouts as walkouts_db
from tests.e2e.helpers import embed_text

pytestmark = pytest.mark.e2e


async def test_unexpected_failure_is_logged_with_context_and_apologised_for(
    fake, world, bot, monkeypatch, caplog
):
    async def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(walkouts_db, "list_page_with_rsvps", broken)
    with caplog.at_level(logging.ERROR, logger="cogs.common.interactions"):
        itx = await fake.invoke(world.guild, world.alice, "walkout list", {"city": "Flint"})
        msg = await itx.final_message()
    assert itx.ephemeral
    match = re.search(r"incident ([0-9a-f]{6})", msg["content"])
    assert match, msg["content"]
    assert "database on fire" not in msg["content"]
    record = next(r for r in caplog.records if match.group(1) in r.getMessage())
    text = record.getMessage()
    assert "/walkout list" in text and str(world.guild.id) in text
    assert "city" in text and "<text, 5 chars>" in text and "Flint" not in text
    assert record.exc_info and "database on fire" in str(record.exc_info[1])

    monkeypatch.undo()
    itx = await fake.invoke(world.guild, world.alice, "action list")
    assert "Walk out" in embed_text(await itx.final_message())


async def test_announcement_channel_failure_leaves_nothing_behind(fake, world, bot):
    """Discord keeps failing the post: the user is told, and no walkout is half-registered."""
    itx = await fake.invoke(world.guild, world.mod, "setup timezone", {"zone": "America/Detroit"})
    await itx.final_message()
    channel = world.announcements.id
    listing = await (
        await fake.invoke(world.guild, world.mod, "walkout list", {"scope": "all"})
    ).final_message()
    before = embed_text(listing)
    fake.fail_next("POST", "/channels/{channel_id}/messages", status=403, count=1, code=50013)
    itx = await fake.invoke(
        world.guild,
        world.alice,
        "walkout register",
        {"school": "Woodbridge", "city": "Woodbridge", "when": "2027-02-12 14:00"},
        channel=world.announcements,
    )
    msg = await itx.final_message()
    assert itx.ephemeral and f"<#{channel}>" in msg["content"] and "nothing" in msg["content"]
    listing = await (
        await fake.invoke(world.guild, world.mod, "walkout list", {"scope": "all"})
    ).final_message()
    assert embed_text(listing) == before


async def test_a_bot_failure_before_the_announcement_leaves_no_walkout(
    fake, world, bot, monkeypatch
):
    from cogs.walkouts.cog import Walkouts

    itx = await fake.invoke(world.guild, world.mod, "setup timezone", {"zone": "America/Detroit"})
    await itx.final_message()
    listing = await (
        await fake.invoke(world.guild, world.mod, "walkout list", {"scope": "all"})
    ).final_message()
    before = embed_text(listing)

    def broken(*args, **kwargs):
        raise RuntimeError("renderer on fire")

    monkeypatch.setattr(Walkouts, "announcement", broken)
    itx = await fake.invoke(
        world.guild,
        world.alice,
        "walkout register",
        {"school": "Half Way High", "city": "Detroit", "when": "2027-02-12 14:00"},
    )
    msg = await itx.final_message()
    assert itx.ephemeral and "incident" in msg["content"]
    monkeypatch.undo()
    listing = await (
        await fake.invoke(world.guild, world.mod, "walkout list", {"scope": "all"})
    ).final_message()
    assert embed_text(listing) == before


# --- autocomplete: always answered -------------------------------------------------------------


def _boom(message: str):
    async def broken(*args, **kwargs):
        raise RuntimeError(message)

    return broken


def _sync_boom(message: str):
    def broken(*args, **kwargs):
        raise RuntimeError(message)

    return broken


def _patch(monkeypatch, target: str, value) -> None:
    """Patch ``module.name`` in the module the bot runs (load_extension makes a fresh one)."""
    module, name = target.rsplit(".", 1)
    monkeypatch.setattr(sys.modules[module], name, value)


# (what to break, the command, its options, the focused option): one handler of every cog.
BROKEN_AUTOCOMPLETES = [
    ("db.walkouts.search", True, "walkout info", {}, "walkout"),
    ("cogs.walkouts.cog.parse_when", False, "walkout register", {"school": "x"}, "when"),
    ("cogs.walkouts.cog.search_zones", False, "walkout edit", {"walkout": "1"}, "timezone"),
    ("db.actions.list_for_guild", True, "action remove", {}, "action"),
    ("db.snippets.list_for_guild", True, "history", {}, "topic"),
    ("cogs.setup.cog.search_zones", False, "setup timezone", {}, "zone"),
]


@pytest.mark.parametrize(
    ("target", "is_async", "command", "options", "focused"), BROKEN_AUTOCOMPLETES
)
async def test_a_failing_autocomplete_still_answers_and_logs_no_typed_text(
    fake, world, bot, monkeypatch, caplog, target, is_async, command, options, focused
):
    """discord.py would log and swallow the exception, leaving Discord to show "Loading options
    failed"; the guard answers with no choices and logs the context, not what was typed."""
    typed = "Secret Typed Thing 42"
    broken = _boom("autocomplete on fire") if is_async else _sync_boom("autocomplete on fire")
    _patch(monkeypatch, target, broken)
    with caplog.at_level(logging.ERROR, logger="cogs.common.interactions"):
        itx = await fake.autocomplete(
            world.guild, world.mod, command, options | {focused: typed}, focused=focused
        )
        first = await itx.first_response()
    assert first["type"] == 8  # APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
    assert itx.autocomplete_choices == []
    record = next(r for r in caplog.records if "autocomplete on fire" in str(r.exc_info))
    text = record.getMessage()
    assert f"/{command} {focused}" in text and str(world.guild.id) in text
    assert f"typed {len(typed)} chars" in text
    assert typed not in caplog.text

    monkeypatch.undo()
    itx = await fake.autocomplete(world.guild, world.alice, "history", {"topic": "2006"})
    await itx.first_response()
    assert itx.autocomplete_choices  # and the next one works again


@pytest.mark.parametrize(
    ("locale", "expected"), [(None, "no time zone yet"), ("es-ES", "zona horaria")]
)
async def test_a_user_error_in_an_autocomplete_becomes_a_warning_choice(
    fake, world, bot, monkeypatch, locale, expected
):
    """Any handler raising UserError shows it as one "⚠ ..." choice in the user's language."""

    def refuse(*args, **kwargs):
        raise UserError("error.zone.missing")

    _patch(monkeypatch, "cogs.walkouts.cog.search_zones", refuse)
    itx = await fake.autocomplete(
        world.guild,
        world.alice,
        "walkout register",
        {"school": "x", "timezone": "Detroit"},
        focused="timezone",
        locale=locale,
    )
    await itx.first_response()
    (choice,) = itx.autocomplete_choices
    assert choice["name"].startswith("⚠ ") and expected in choice["name"]
    assert choice["value"] == "Detroit"  # picking it keeps what was typed


async def test_a_user_error_with_nothing_typed_gives_no_choices(fake, world, bot, monkeypatch):
    def refuse(*args, **kwargs):
        raise UserError("error.zone.missing")

    _patch(monkeypatch, "cogs.setup.cog.search_zones", refuse)
    itx = await fake.autocomplete(world.guild, world.mod, "setup timezone", {"zone": ""})
    assert (await itx.first_response())["type"] == 8
    assert itx.autocomplete_choices == []


async def test_a_slow_autocomplete_is_answered_before_discord_gives_up(
    fake, world, bot, monkeypatch
):
    from cogs.common import interactions

    async def slow(*args, **kwargs):
        await asyncio.sleep(30)

    monkeypatch.setattr(interactions, "AUTOCOMPLETE_DEADLINE", 0.2)
    _patch(monkeypatch, "db.actions.list_for_guild", slow)
    itx = await fake.autocomplete(world.guild, world.mod, "action remove", {"action": "x"})
    first = await itx.first_response()
    assert first["type"] == 8 and itx.autocomplete_choices == []
    assert first["elapsed"] < 2
