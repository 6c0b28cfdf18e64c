"""The gateway: websocket sessions speaking Discord's gateway protocol v10 (JSON, text frames).

Flow per connection: HELLO (op 10) -> IDENTIFY (op 2) -> READY + one GUILD_CREATE per guild,
or RESUME (op 6) -> replay of missed dispatches with their original ``s`` -> RESUMED.
Heartbeats (op 1) are answered with op 11.  Op 8 (request guild members) is answered with
GUILD_MEMBERS_CHUNK.  Compression requested in the URL is ignored (discord.py only
decompresses binary frames; everything here is sent as text).

Every dispatch is appended to the session's event log with the next sequence number, whether
or not a socket is attached; a per-connection writer sends the log from its cursor.  That makes
"events sent while disconnected are replayed on RESUME" fall out naturally.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from fakediscord.server import FakeDiscord

# Opcodes
DISPATCH = 0
HEARTBEAT = 1
IDENTIFY = 2
PRESENCE_UPDATE = 3
VOICE_STATE_UPDATE = 4
RESUME = 6
RECONNECT = 7
REQUEST_GUILD_MEMBERS = 8
INVALID_SESSION = 9
HELLO = 10
HEARTBEAT_ACK = 11

# Intents used to gate dispatches
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15
GUILD_SCHEDULED_EVENTS = 1 << 16
PRIVILEGED_INTENTS = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT
ALL_INTENTS = (1 << 26) - 1

MAX_LOG = 20000


@dataclass
class GatewayEvent:
    """One dispatch in a session's log."""

    seq: int
    name: str
    raw: str
    on_sent: Callable[[float], None] | None = None
    sent_at: float | None = None


@dataclass
class Connection:
    """One websocket connection (a session may see several over its life)."""

    ws: web.WebSocketResponse
    path: str
    query: dict[str, str]
    request: web.Request
    opened_at: float = field(default_factory=time.monotonic)
    session: GatewaySession | None = None
    cursor: int = 0
    writer: asyncio.Task[None] | None = None
    send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    heartbeats: int = 0
    close_code: int | None = None
    closed_by_server: bool = False

    async def send(self, payload: dict[str, Any]) -> None:
        """Send a non-dispatch payload (HELLO, ACK, op 7, op 9)."""
        async with self.send_lock:
            if not self.ws.closed:
                await self.ws.send_str(json.dumps(payload))


@dataclass
class GatewaySession:
    """A gateway session: created by IDENTIFY, resumable until invalidated."""

    id: str
    intents: int
    identify: dict[str, Any]
    events: list[GatewayEvent] = field(default_factory=list)
    first_seq: int = 1
    conn: Connection | None = None
    invalidated: bool = False
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def seq(self) -> int:
        """Sequence number of the last dispatch."""
        return self.first_seq + len(self.events) - 1

    def append(self, name: str, data: Any, on_sent: Callable[[float], None] | None) -> int:
        """Add a dispatch to the log and wake the writer; returns its sequence number."""
        seq = self.seq + 1
        raw = json.dumps({"op": DISPATCH, "t": name, "s": seq, "d": data})
        self.events.append(GatewayEvent(seq, name, raw, on_sent))
        if len(self.events) > MAX_LOG:
            drop = len(self.events) - MAX_LOG // 2
            del self.events[:drop]
            self.first_seq += drop
            if self.conn is not None:
                self.conn.cursor = max(self.conn.cursor - drop, 0)
        self.wake.set()
        return seq

    def index_after(self, seq: int) -> int | None:
        """Log index of the first event after ``seq``; None when ``seq`` is out of range."""
        if seq > self.seq or seq < self.first_seq - 1:
            return None
        return seq - self.first_seq + 1


class Gateway:
    """All gateway state of one :class:`~fakediscord.server.FakeDiscord`."""

    def __init__(self, fake: FakeDiscord, *, heartbeat_interval_ms: int = 41250) -> None:
        self.fake = fake
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.sessions: dict[str, GatewaySession] = {}
        self.current: GatewaySession | None = None
        #: A new IDENTIFY closes the previous session's socket (False: both stay connected, as
        #: on Discord when a bot is started twice; dispatches go to the newest session).
        self.supersede = True
        self.connections: list[Connection] = []
        self.identify_payloads: list[dict[str, Any]] = []
        self.resume_payloads: list[dict[str, Any]] = []
        self.connection_log: list[str] = []
        self.ready = asyncio.Event()
        self.resumed = asyncio.Event()
        self.allowed_intents: int = ALL_INTENTS
        self._handlers: set[asyncio.Task[Any]] = set()

    # ------------------------------------------------------------------ public
    @property
    def connected(self) -> bool:
        """True when the current session has a live socket."""
        session = self.current
        return session is not None and session.conn is not None and not session.conn.ws.closed

    @property
    def intents(self) -> int:
        """Intents of the current session (0 when none)."""
        return self.current.intents if self.current else 0

    def dispatch(
        self,
        name: str,
        data: Any,
        *,
        intent: int | None = None,
        on_sent: Callable[[float], None] | None = None,
    ) -> int | None:
        """Queue a dispatch on the current session; skipped when the intent is missing.

        Returns the sequence number, or None when there is no session or it was filtered.
        """
        session = self.current
        if session is None or session.invalidated:
            return None
        if intent is not None and not session.intents & intent:
            return None
        return session.append(name, data, on_sent)

    async def drop(self, *, resumable: bool = True, abrupt: bool = False) -> None:
        """Close the current socket; the client is expected to RESUME (or re-IDENTIFY)."""
        session = self.current
        if session is None or session.conn is None:
            raise AssertionError("drop_gateway: no connected gateway session")
        conn = session.conn
        if not resumable:
            session.invalidated = True
        self.ready.clear()
        self.resumed.clear()
        conn.closed_by_server = True
        if abrupt:
            transport = conn.request.transport
            if transport is not None:
                transport.abort()
        else:
            # 4000 "unknown error" is resumable; 4009 "session timed out" asks for a new one.
            await conn.ws.close(code=4000 if resumable else 4009, message=b"fakediscord drop")
        if session.conn is conn:
            session.conn = None

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT: the client closes and resumes."""
        session = self.current
        if session is None or session.conn is None:
            raise AssertionError("request_reconnect: no connected gateway session")
        self.resumed.clear()
        await session.conn.send({"op": RECONNECT, "d": None})

    async def close_all(self) -> None:
        """Close every socket (server shutdown)."""
        for conn in list(self.connections):
            conn.closed_by_server = True
            if not conn.ws.closed:
                with contextlib.suppress(Exception):
                    await conn.ws.close(code=1001, message=b"server shutting down")
            if conn.writer is not None:
                conn.writer.cancel()

    # ------------------------------------------------------------------ websocket handler
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """aiohttp handler for ``/gateway`` and ``/gateway/resume``."""
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = Connection(ws=ws, path=request.path, query=dict(request.query), request=request)
        self.connections.append(conn)
        self.connection_log.append(str(request.rel_url))
        if request.query.get("v") not in (None, "10"):
            self.fake.record_violation(
                f"GATEWAY connect: unsupported version v={request.query['v']}"
            )
        if request.query.get("encoding", "json") != "json":
            self.fake.record_violation("GATEWAY connect: only encoding=json is supported")
            await ws.close(code=4002, message=b"Error while decoding payload.")
            return ws
        await conn.send(
            {
                "op": HELLO,
                "d": {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["fakediscord"]},
                "s": None,
                "t": None,
            }
        )
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    try:
                        payload = json.loads(msg.data)
                    except ValueError:
                        self.fake.record_violation("GATEWAY: undecodable payload")
                        await ws.close(code=4002, message=b"Error while decoding payload.")
                        break
                    await self._on_payload(conn, payload)
                elif msg.type == WSMsgType.BINARY:
                    self.fake.record_violation(
                        "GATEWAY: binary frame from client (expected JSON text)"
                    )
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
        finally:
            conn.close_code = ws.close_code
            if conn.writer is not None:
                conn.writer.cancel()
            session = conn.session
            if session is not None and session.conn is conn:
                session.conn = None
                if session is self.current:
                    # Not ready until the client identifies (READY) or resumes (RESUMED) again.
                    self.ready.clear()
                    self.resumed.clear()
                if ws.close_code in (1000, 1001) and not conn.closed_by_server:
                    # A client closing with 1000/1001 ends its session (Discord's rule).
                    session.invalidated = True
        return ws

    async def _on_payload(self, conn: Connection, payload: dict[str, Any]) -> None:
        op = payload.get("op")
        data = payload.get("d")
        if op == HEARTBEAT:
            conn.heartbeats += 1
            await conn.send({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == IDENTIFY:
            await self._identify(conn, data if isinstance(data, dict) else {})
        elif op == RESUME:
            await self._resume(conn, data if isinstance(data, dict) else {})
        elif conn.session is None:
            self.fake.record_violation(f"GATEWAY: op {op} sent before IDENTIFY/RESUME")
            await conn.ws.close(code=4003, message=b"Not authenticated.")
        elif op == REQUEST_GUILD_MEMBERS:
            self._request_members(conn.session, data if isinstance(data, dict) else {})
        elif op in (PRESENCE_UPDATE, VOICE_STATE_UPDATE):
            return
        else:
            self.fake.record_violation(f"GATEWAY: unknown opcode {op}")
            await conn.ws.close(code=4001, message=b"Unknown opcode.")

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        self.identify_payloads.append(data)
        if conn.session is not None:
            self.fake.record_violation("GATEWAY: IDENTIFY sent twice on one connection")
            await conn.ws.close(code=4005, message=b"Already authenticated.")
            return
        if data.get("token") != self.fake.state.token:
            self.fake.record_violation("GATEWAY: IDENTIFY with an invalid token")
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = data.get("intents")
        if not isinstance(intents, int) or intents < 0 or intents > ALL_INTENTS:
            self.fake.record_violation(f"GATEWAY: IDENTIFY with invalid intents {intents!r}")
            await conn.ws.close(code=4013, message=b"Invalid intent(s).")
            return
        if intents & PRIVILEGED_INTENTS & ~self.allowed_intents:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        shard = data.get("shard")
        if self.supersede and self.current is not None and self.current.conn is not None:
            old = self.current.conn
            self.current.invalidated = True
            if old is not conn and not old.ws.closed:
                await old.ws.close(code=4000, message=b"Superseded by a new IDENTIFY.")
        session = GatewaySession(id=secrets.token_hex(16), intents=intents, identify=data)
        self.sessions[session.id] = session
        self.current = session
        self.ready.clear()
        self._attach(conn, session, 0)
        ready: dict[str, Any] = {
            "v": 10,
            "user": self.fake.state.me(),
            "user_settings": {},
            "guilds": [{"id": str(g), "unavailable": True} for g in self.fake.state.guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.fake.resume_gateway_url,
            "application": {"id": str(self.fake.state.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["us-east"],
            "auth": {},
            "_trace": ["fakediscord"],
        }
        if isinstance(shard, list):
            ready["shard"] = shard
        guilds = list(self.fake.state.guilds.values())
        session.append("READY", ready, None if guilds else self._mark_ready)
        all_members = bool(intents & GUILD_PRESENCES)
        for index, guild in enumerate(guilds):
            last = index == len(guilds) - 1
            session.append(
                "GUILD_CREATE",
                self.fake.state.guild_create_payload(guild, all_members=all_members),
                self._mark_ready if last else None,
            )

    def _mark_ready(self, _at: float) -> None:
        self.ready.set()

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        self.resume_payloads.append(data)
        session = self.sessions.get(str(data.get("session_id")))
        seq = data.get("seq")
        index: int | None = None
        if session is not None and not session.invalidated and isinstance(seq, int | type(None)):
            index = session.index_after(seq or 0)
        if data.get("token") != self.fake.state.token:
            self.fake.record_violation("GATEWAY: RESUME with an invalid token")
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if session is None or index is None or session.invalidated:
            # Not resumable: the client must identify again.
            await asyncio.sleep(0.05)
            await conn.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        if session.conn is not None and session.conn is not conn and not session.conn.ws.closed:
            await session.conn.ws.close(code=4000, message=b"Session resumed elsewhere.")
        self.current = session
        self._attach(conn, session, index)
        session.append("RESUMED", {"_trace": ["fakediscord"]}, self._mark_resumed)

    def _mark_resumed(self, _at: float) -> None:
        self.resumed.set()
        self.ready.set()

    def _attach(self, conn: Connection, session: GatewaySession, cursor: int) -> None:
        conn.session = session
        conn.cursor = cursor
        session.conn = conn
        conn.writer = asyncio.create_task(self._writer(conn, session))

    async def _writer(self, conn: Connection, session: GatewaySession) -> None:
        try:
            while not conn.ws.closed and session.conn is conn:
                while conn.cursor < len(session.events):
                    event = session.events[conn.cursor]
                    async with conn.send_lock:
                        if conn.ws.closed:
                            return
                        await conn.ws.send_str(event.raw)
                    conn.cursor += 1
                    if event.sent_at is None:
                        event.sent_at = time.monotonic()
                        if event.on_sent is not None:
                            event.on_sent(event.sent_at)
                session.wake.clear()
                await session.wake.wait()
        except (ConnectionError, RuntimeError):
            return

    def _request_members(self, session: GatewaySession, data: dict[str, Any]) -> None:
        try:
            guild = self.fake.state.guilds[int(data.get("guild_id", 0))]
        except (KeyError, ValueError, TypeError):
            return
        query = data.get("query")
        limit = data.get("limit") or 0
        user_ids = data.get("user_ids")
        members = list(guild.members)
        if user_ids:
            wanted = {int(u) for u in (user_ids if isinstance(user_ids, list) else [user_ids])}
            members = [m for m in members if m.id in wanted]
        elif query:
            members = [m for m in members if m.user["username"].lower().startswith(query.lower())]
        if limit:
            members = members[:limit]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [m.to_dict() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        if data.get("presences"):
            chunk["presences"] = []
        session.append("GUILD_MEMBERS_CHUNK", chunk, None)
