"""Failures the bot suffers: the user gets an apology with an incident id, the log gets the
traceback with context, and the bot keeps serving."""

from __future__ import annotations

import logging
import re

import pytest

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
