"""Rate limits and injected failures, and how discord.py copes with them."""

from __future__ import annotations

import asyncio
import time

import discord
import pytest

from fakediscord import eventually

MESSAGES = "/channels/{channel_id}/messages"
CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"


def _statuses(fake, route, since):
    return [r.status for r in fake.requests[since:] if r.route == route]


async def test_injected_500_is_retried_by_discord_py(fake, world):
    channel = world.bot.get_channel(world.general.id)
    since = len(fake.requests)
    fake.fail_next("POST", MESSAGES, status=500)
    message = await channel.send("survives a 500")
    assert _statuses(fake, MESSAGES, since) == [500, 200]
    assert fake.message(message.id)["content"] == "survives a 500"
    assert fake.violations == []


async def test_injected_503_is_not_retried_by_discord_py(fake, world):
    """discord.py only retries 500/502/504/524; a 503 surfaces as DiscordServerError."""
    channel = world.bot.get_channel(world.general.id)
    since = len(fake.requests)
    fake.fail_next("POST", MESSAGES, status=503)
    with pytest.raises(discord.DiscordServerError):
        await channel.send("lost")
    assert _statuses(fake, MESSAGES, since) == [503]


async def test_injected_429_is_retried_after_retry_after(fake, world):
    channel = world.bot.get_channel(world.general.id)
    since = len(fake.requests)
    fake.fail_next("POST", MESSAGES, status=429, retry_after=0.2)
    start = time.monotonic()
    await channel.send("after a 429")
    assert time.monotonic() - start >= 0.2
    assert _statuses(fake, MESSAGES, since) == [429, 200]


async def test_injected_error_with_code(fake, world):
    channel = world.bot.get_channel(world.general.id)
    fake.fail_next("POST", MESSAGES, status=403, code=50013)
    with pytest.raises(discord.Forbidden) as exc:
        await channel.send("forbidden")
    assert exc.value.code == 50013


async def test_callback_500_costs_the_bot_a_second(fake, world):
    fake.fail_next("POST", CALLBACK, status=500)
    itx = await fake.invoke(world.guild, world.alice, "ping")
    first = await itx.first_response(timeout=4)
    assert first["data"]["content"] == "pong" and first["elapsed"] >= 1.0
    assert [a["status"] for a in itx.callback_attempts] == [200]
    assert fake.violations == []


async def test_route_bucket_answers_429_with_headers(fake, world):
    fake.set_rate_limit("/gateway", 2, 0.5)
    try:
        results = []
        for _ in range(3):
            async with world.http.get(f"{fake.api_base}/gateway", headers=world.auth()) as resp:
                results.append((resp.status, dict(resp.headers), await resp.json()))
        assert [r[0] for r in results] == [200, 200, 429]
        assert (
            results[0][1]["X-RateLimit-Limit"] == "2"
            and results[0][1]["X-RateLimit-Remaining"] == "1"
        )
        assert results[1][1]["X-RateLimit-Remaining"] == "0"
        _status, headers, body = results[2]
        assert body["global"] is False and 0 < body["retry_after"] <= 0.5
        assert headers["Retry-After"] == "1" and headers["Via"]
        await asyncio.sleep(body["retry_after"])
        async with world.http.get(f"{fake.api_base}/gateway", headers=world.auth()) as resp:
            assert resp.status == 200
    finally:
        fake.set_rate_limit("/gateway", 1000, 1.0)


async def test_discord_py_honours_bucket_headers(fake, world):
    # A fresh channel: discord.py keys its buckets by (bucket hash, channel) and learns the
    # limit from the first response's headers.
    fresh = fake.add_channel(world.guild, "bucketed")
    channel = await eventually(lambda: world.bot.get_channel(fresh.id))
    fake.set_rate_limit(MESSAGES, 2, 0.4)
    try:
        since = len(fake.requests)
        start = time.monotonic()
        await asyncio.gather(*(channel.send(f"bucketed {i}") for i in range(3)))
        elapsed = time.monotonic() - start
        assert _statuses(fake, MESSAGES, since) == [200, 200, 200]
        assert elapsed >= 0.3
    finally:
        fake.set_rate_limit(MESSAGES, 1000, 1.0)


async def test_global_limit(fake, world):
    fake.set_global_rate_limit(3, 1.0)
    try:
        statuses = []
        for _ in range(4):
            async with world.http.get(f"{fake.api_base}/users/@me", headers=world.auth()) as resp:
                statuses.append(resp.status)
                last = (dict(resp.headers), await resp.json())
        assert statuses == [200, 200, 200, 429]
        assert last[1]["global"] is True and last[0]["X-RateLimit-Global"] == "true"
    finally:
        fake.set_global_rate_limit(50, 1.0)


async def test_a_repeated_nonce_returns_the_message_already_created(fake, world):
    """enforce_nonce (discord.py sends it with every nonce): the second send with the same
    nonce gets the first message back and creates nothing."""
    channel = world.bot.get_channel(world.general.id)
    before = len(fake.messages(world.general.id))
    first = await channel.send("once", nonce="wr42g0")
    again = await channel.send("once", nonce="wr42g0")
    other = await channel.send("twice", nonce="wr43g0")
    assert again.id == first.id and other.id != first.id
    assert len(fake.messages(world.general.id)) == before + 2


async def test_a_nonce_is_forgotten_after_the_window(fake, world):
    channel = world.bot.get_channel(world.general.id)
    fake.nonce_window = 0.0
    try:
        first = await channel.send("old", nonce="wr77g0")
        await asyncio.sleep(0.01)
        again = await channel.send("old", nonce="wr77g0")
    finally:
        fake.nonce_window = 300.0
    assert again.id != first.id


async def test_a_held_answer_has_already_taken_effect(fake, world):
    """hold_next: the message exists while the client still waits for the answer."""
    channel = world.bot.get_channel(world.general.id)
    before = len(fake.messages(world.general.id))
    release = fake.hold_next("POST", MESSAGES)
    task = asyncio.create_task(channel.send("in flight"))
    await eventually(lambda: fake.held() == 1)
    assert len(fake.messages(world.general.id)) == before + 1
    assert not task.done()
    release.set()
    message = await task
    assert fake.message(message.id)["content"] == "in flight"
    assert fake.held() == 0
