"""Gateway protocol: heartbeats, drops, RESUME with replay, invalid sessions, raw frames."""

from __future__ import annotations

import asyncio
import json

import aiohttp

from fakediscord import FakeDiscord, eventually


async def test_heartbeats_are_acknowledged(world):
    conn = world.fake.gateway.current.conn
    assert conn is not None and conn.heartbeats >= 1
    assert world.bot.latency < 1.0


async def test_drop_resume_replays_missed_interaction(fake, world):
    identifies = len(fake.identify_payloads)
    session_id = fake.gateway.current.id
    await fake.drop_gateway(resumable=True)
    # Dispatched while the bot is disconnected: must be replayed after RESUME.
    itx = await fake.invoke(world.guild, world.alice, "ping")
    await fake.wait_resumed(timeout=5)
    assert (await itx.first_response(timeout=5))["data"]["content"] == "pong"
    assert fake.resume_payloads[-1]["session_id"] == session_id
    assert fake.gateway_connections[-1].startswith("/gateway/resume?v=10")
    assert len(fake.identify_payloads) == identifies
    after = await fake.invoke(world.guild, world.alice, "ping")
    assert (await after.first_response())["type"] == 4
    assert fake.violations == []


async def test_abrupt_drop_resumes(fake, world):
    identifies = len(fake.identify_payloads)
    await fake.drop_gateway(resumable=True, abrupt=True)
    await fake.wait_resumed(timeout=5)
    itx = await fake.invoke(world.guild, world.alice, "ping")
    assert (await itx.first_response(timeout=5))["type"] == 4
    assert len(fake.identify_payloads) == identifies


async def test_reconnect_opcode_resumes(fake, world):
    resumes = len(fake.resume_payloads)
    await fake.request_reconnect()
    await fake.wait_resumed(timeout=5)
    assert len(fake.resume_payloads) == resumes + 1
    itx = await fake.invoke(world.guild, world.alice, "ping")
    assert (await itx.first_response(timeout=5))["type"] == 4


async def test_non_resumable_drop_reidentifies(fake, world):
    identifies = len(fake.identify_payloads)
    old_session = fake.gateway.current.id
    await fake.drop_gateway(resumable=False)
    await fake.wait_ready(timeout=5)
    assert len(fake.identify_payloads) == identifies + 1
    assert fake.gateway.current.id != old_session
    await eventually(lambda: world.bot.get_guild(world.guild.id))
    itx = await fake.invoke(world.guild, world.alice, "ping")
    assert (await itx.first_response(timeout=5))["type"] == 4
    assert fake.violations == []


async def _recv(ws: aiohttp.ClientWebSocketResponse) -> dict:
    msg = await asyncio.wait_for(ws.receive(), 3)
    assert msg.type == aiohttp.WSMsgType.TEXT, msg
    return json.loads(msg.data)


async def test_raw_gateway_protocol(world):
    """A separate fake, driven by hand: HELLO, IDENTIFY -> READY/GUILD_CREATE with sequence
    numbers, heartbeat ACK, RESUME with a bad session -> op 9, bad token -> 4004."""
    raw = FakeDiscord(heartbeat_interval_ms=1234)
    await raw.start()
    raw.add_guild("Raw One")
    raw.add_guild("Raw Two")
    url = raw.gateway_url + "?v=10&encoding=json&compress=zlib-stream"
    try:
        async with world.http.ws_connect(url) as ws:
            hello = await _recv(ws)
            assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] == 1234
            await ws.send_json({"op": 1, "d": None})
            assert (await _recv(ws))["op"] == 11
            await ws.send_json(
                {"op": 2, "d": {"token": raw.bot_token, "intents": 1, "properties": {}}}
            )
            ready = await _recv(ws)
            assert (ready["t"], ready["s"]) == ("READY", 1)
            assert (
                ready["d"]["v"] == 10 and ready["d"]["resume_gateway_url"] == raw.resume_gateway_url
            )
            assert ready["d"]["application"]["id"] == str(raw.application_id)
            assert all(g["unavailable"] for g in ready["d"]["guilds"])
            creates = [await _recv(ws), await _recv(ws)]
            assert [(c["t"], c["s"]) for c in creates] == [("GUILD_CREATE", 2), ("GUILD_CREATE", 3)]
            roles = creates[0]["d"]["roles"]
            assert roles[0]["id"] == creates[0]["d"]["id"] and roles[0]["name"] == "@everyone"
            await raw.wait_ready(1)
        async with world.http.ws_connect(url) as ws:
            await _recv(ws)
            await ws.send_json(
                {"op": 6, "d": {"token": raw.bot_token, "session_id": "bogus", "seq": 1}}
            )
            invalid = await _recv(ws)
            assert invalid["op"] == 9 and invalid["d"] is False
        async with world.http.ws_connect(url) as ws:
            await _recv(ws)
            await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 1, "properties": {}}})
            closing = await asyncio.wait_for(ws.receive(), 3)
            assert closing.type == aiohttp.WSMsgType.CLOSE and closing.data == 4004
        assert any("invalid token" in v for v in raw.violations)
    finally:
        await raw.stop()


async def test_disallowed_privileged_intent_closes_4014(world):
    raw = FakeDiscord(allowed_intents=0)
    await raw.start()
    try:
        async with world.http.ws_connect(raw.gateway_url + "?v=10&encoding=json") as ws:
            await _recv(ws)
            await ws.send_json(
                {"op": 2, "d": {"token": raw.bot_token, "intents": 1 << 1, "properties": {}}}
            )
            closing = await asyncio.wait_for(ws.receive(), 3)
            assert closing.data == 4014
    finally:
        await raw.stop()


async def _identify(ws, token):
    await _recv(ws)  # HELLO
    await ws.send_json({"op": 2, "d": {"token": token, "intents": 1, "properties": {}}})
    ready = await _recv(ws)
    assert ready["t"] == "READY"


async def test_a_second_identify_supersedes_the_first_by_default(world):
    raw = FakeDiscord()
    await raw.start()
    try:
        url = raw.gateway_url + "?v=10&encoding=json"
        async with world.http.ws_connect(url) as first, world.http.ws_connect(url) as second:
            await _identify(first, raw.bot_token)
            await _identify(second, raw.bot_token)
            while True:  # the first socket gets its GUILD_CREATEs, then the close
                message = await asyncio.wait_for(first.receive(), 3)
                if message.type != aiohttp.WSMsgType.TEXT:
                    break
            assert message.type == aiohttp.WSMsgType.CLOSE and message.data == 4000
    finally:
        await raw.stop()


async def test_two_sessions_stay_connected_when_not_superseding(world):
    """Like Discord when a bot is started twice: both sessions stay up."""
    raw = FakeDiscord(supersede_sessions=False)
    await raw.start()
    try:
        url = raw.gateway_url + "?v=10&encoding=json"
        async with world.http.ws_connect(url) as first, world.http.ws_connect(url) as second:
            await _identify(first, raw.bot_token)
            await _identify(second, raw.bot_token)
            await first.send_json({"op": 1, "d": 1})
            while True:  # skip the GUILD_CREATEs; the heartbeat is still acknowledged
                frame = json.loads((await asyncio.wait_for(first.receive(), 3)).data)
                if frame["op"] == 11:
                    break
            assert not first.closed and not second.closed
    finally:
        await raw.stop()
