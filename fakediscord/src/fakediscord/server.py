"""FakeDiscord: an aiohttp server on 127.0.0.1 speaking enough of Discord's REST API v10 and
gateway for an unmodified discord.py bot, plus the API tests use to drive and inspect it.

Every REST request goes through one pipeline: match the path to an OpenAPI path template ->
rate limits (429 + headers; every answer carries X-RateLimit-*) -> find a handler (else 404 and
a violation) -> auth (``Bot <token>``, except interaction/webhook routes: 401) -> injected
faults -> parse JSON or multipart (``payload_json`` + ``files[n]``) -> validate against the spec
and Discord's documented limits (400 code 50035 in strict mode, always recorded in
:attr:`FakeDiscord.violations`) -> handler -> :attr:`FakeDiscord.requests` log.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import BodyPartReader, web

from fakediscord import rest as _rest  # registers routes
from fakediscord import webhooks as _webhooks  # registers routes
from fakediscord.faults import FaultPlan, FaultRule, RateLimiter
from fakediscord.gateway import (
    DIRECT_MESSAGES,
    GUILD_MEMBERS,
    GUILD_MESSAGES,
    GUILD_PRESENCES,
    GUILDS,
    PRIVILEGED_INTENTS,
    Gateway,
)
from fakediscord.interactions import InteractionFactory, InteractionHandle, InteractionRecord
from fakediscord.limits import ROUTE_CHECKS
from fakediscord.routing import ROUTES, ApiError, RestRequest, RestResponse, UploadedFile
from fakediscord.spec import ApiSpec, Issue, errors_tree, load_spec
from fakediscord.state import (
    GUILD_TEXT,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    State,
)

_log = logging.getLogger(__name__)
JSON = dict[str, Any]
_NO_AUTH_PREFIXES = ("/interactions/", "/webhooks/{webhook_id}/{webhook_token}")


@dataclass
class RequestLog:
    """One REST request as seen by the fake (also 401/404/429/injected failures)."""

    method: str
    path: str
    route: str | None
    status: int
    json: Any
    at: float
    files: list[tuple[str, bytes]] = field(default_factory=list)
    query: dict[str, str] = field(default_factory=dict)


@dataclass
class _Hold:
    """Answers to keep back (see :meth:`FakeDiscord.hold_next`)."""

    method: str
    template: str
    remaining: int
    release: asyncio.Event
    waiting: int = 0


class FakeDiscord:
    """A Discord-compatible server for tests and benchmarks.

    Args:
        strict: answer invalid bodies with Discord's 400/50035 (they are recorded either way).
        heartbeat_interval_ms: the ``heartbeat_interval`` sent in HELLO.
        ack_deadline: seconds a bot has to send the first interaction callback (Discord: 3).
        token_ttl: seconds an interaction token stays valid for follow-ups (Discord: 900).
        bot_name: the bot user's username.
        global_rate_limit: requests per second over all bot-token routes (None disables).
        route_rate_limit: default (limit, per_seconds) of every per-route bucket.
        latency: seconds to sleep before answering every REST request (benchmarks).
        allowed_intents: privileged intents the app is allowed (default: all); identifying
            with others closes the socket with 4014 like Discord.
        clock: returns the current aware datetime for time-based checks (default: real UTC).
        enforce_default_member_permissions: make ``invoke`` refuse (AssertionError) a member
            lacking a command's ``default_member_permissions``, as Discord's client does when
            no admin override exists.  Off by default so tests can model such overrides.
    """

    def __init__(
        self,
        *,
        strict: bool = True,
        heartbeat_interval_ms: int = 41250,
        ack_deadline: float = 3.0,
        token_ttl: float = 900.0,
        bot_name: str = "FakeBot",
        global_rate_limit: int | None = 50,
        route_rate_limit: tuple[int, float] = (1000, 1.0),
        latency: float = 0.0,
        allowed_intents: int | None = None,
        clock: Callable[[], datetime] | None = None,
        enforce_default_member_permissions: bool = False,
        supersede_sessions: bool = True,
        nonce_window: float = 300.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.strict = strict
        #: "Now" for time rules (scheduled events must start in the future); pass a frozen
        #: clock when the bot under test runs on one.
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.ack_deadline = ack_deadline
        self.token_ttl = token_ttl
        self.latency = latency
        self.host = host
        self._port_wanted = port
        self.port: int = 0
        self.spec: ApiSpec = load_spec()
        self.state = State(bot_name=bot_name)
        self.gateway = Gateway(self, heartbeat_interval_ms=heartbeat_interval_ms)
        if allowed_intents is not None:
            self.gateway.allowed_intents = allowed_intents | ~PRIVILEGED_INTENTS
        self.rate_limiter = RateLimiter(
            default_limit=route_rate_limit[0],
            default_per=route_rate_limit[1],
            global_limit=global_rate_limit,
        )
        self.faults = FaultPlan()
        #: Seconds a message nonce sent with ``enforce_nonce`` is remembered ("a few minutes").
        self.nonce_window = nonce_window
        self.gateway.supersede = supersede_sessions
        self._holds: list[_Hold] = []
        self.factory = InteractionFactory(self)
        self.factory.enforce_default_permissions = enforce_default_member_permissions
        self.requests: list[RequestLog] = []
        self.violations: list[str] = []
        self.interactions: dict[int, InteractionRecord] = {}
        self.interactions_by_token: dict[str, InteractionRecord] = {}
        self.interaction_records: list[InteractionRecord] = []
        #: How long ``invoke`` & co. wait for a bot session when none is live.
        self.session_wait: float = 10.0
        self._command_events: dict[int | None, asyncio.Event] = {}
        self._runner: web.AppRunner | None = None

    # ================================================================= lifecycle
    async def start(self) -> None:
        """Bind the server (127.0.0.1, ephemeral port unless ``port`` was given)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway/resume", self.gateway.handle)
        app.router.add_get("/attachments/{channel}/{attachment_id}/{filename}", self._attachment)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._api)
        app.router.add_route("*", "/api/{tail:.*}", self._wrong_version)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._port_wanted)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Close sockets, cancel timers and stop the server."""
        for record in self.interaction_records:
            if record.timer is not None:
                record.timer.cancel()
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ================================================================= addresses & identity
    @property
    def http_base(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return f"{self.http_base}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Value for ``DiscordWebSocket.DEFAULT_GATEWAY``."""
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def gateway_base(self) -> str:
        """What GET /gateway answers."""
        return self.gateway_url

    @property
    def resume_gateway_url(self) -> str:
        """The ``resume_gateway_url`` sent in READY (a distinct path, so resumes are visible)."""
        return f"ws://{self.host}:{self.port}/gateway/resume"

    @property
    def bot_token(self) -> str:
        """The only token the fake accepts (shaped like a real bot token)."""
        return self.state.token

    @property
    def application_id(self) -> int:
        """The application (and bot user) id."""
        return self.state.application_id

    @property
    def bot_user(self) -> JSON:
        """The bot's user object."""
        return self.state.bot_user

    @property
    def owner(self) -> JSON:
        """The application owner's user object (owner of every fake guild)."""
        return self.state.owner_user

    # ================================================================= building the world
    def add_guild(
        self,
        name: str = "Test Guild",
        *,
        locale: str = "en-US",
        bot_permissions: int | None = None,
        everyone_permissions: int = 0,
        features: list[str] | None = None,
    ) -> FakeGuild:
        """Add a guild (with @everyone, the bot's role, the bot, the owner, #general).

        After READY this dispatches GUILD_CREATE, like the bot joining a guild.
        """
        guild = self.state.new_guild(
            name,
            locale=locale,
            bot_permissions=bot_permissions,
            everyone_permissions=everyone_permissions,
            features=features,
        )
        if self.gateway.current is not None:
            self.gateway.dispatch(
                "GUILD_CREATE",
                self.state.guild_create_payload(
                    guild, all_members=bool(self.gateway.intents & GUILD_PRESENCES)
                ),
                intent=GUILDS,
            )
        return guild

    def add_channel(
        self,
        guild: FakeGuild | int,
        name: str,
        *,
        type: int = GUILD_TEXT,
        topic: str | None = None,
        bot_deny: int = 0,
    ) -> FakeChannel:
        """Add a channel (text by default; ``bot_deny`` denies permissions to the bot there)."""
        g = self._guild(guild)
        channel = self.state.new_channel(g, name, type=type, topic=topic, bot_deny=bot_deny)
        self.gateway.dispatch("CHANNEL_CREATE", channel.to_dict(self.state.bot_id), intent=GUILDS)
        return channel

    def add_role(self, guild: FakeGuild | int, name: str, *, permissions: int = 0) -> FakeRole:
        """Add a role."""
        g = self._guild(guild)
        role = self.state.new_role(g, name, permissions=permissions)
        self.gateway.dispatch(
            "GUILD_ROLE_CREATE", {"guild_id": str(g.id), "role": role.to_dict()}, intent=GUILDS
        )
        return role

    def add_member(
        self,
        guild: FakeGuild | int,
        username: str,
        *,
        permissions: int | None = None,
        roles: list[int] | None = None,
        locale: str = "en-US",
        nick: str | None = None,
        accepts_dms: bool = True,
        user_id: int | None = None,
    ) -> FakeMember:
        """Add a member.  ``permissions`` are on top of @everyone and ``roles`` (default: a
        basic member set); ``user_id`` reuses an existing user (a member of another guild)."""
        g = self._guild(guild)
        member = self.state.new_member(
            g,
            username,
            permissions=permissions,
            roles=roles,
            locale=locale,
            nick=nick,
            accepts_dms=accepts_dms,
            user_id=user_id,
        )
        data = member.to_dict()
        data["guild_id"] = str(g.id)
        self.gateway.dispatch("GUILD_MEMBER_ADD", data, intent=GUILD_MEMBERS)
        return member

    def set_bot_permissions(self, guild: FakeGuild | int, permissions: int) -> None:
        """Change the bot's guild permissions (its managed role; dispatches GUILD_ROLE_UPDATE)."""
        g = self._guild(guild)
        g.bot_permissions = permissions
        g.bot_role.permissions = permissions
        self.gateway.dispatch(
            "GUILD_ROLE_UPDATE",
            {"guild_id": str(g.id), "role": g.bot_role.to_dict()},
            intent=GUILDS,
        )

    def add_scheduled_event(
        self,
        guild: FakeGuild | int,
        name: str,
        *,
        start: str,
        end: str | None = None,
        location: str = "Somewhere",
        creator: FakeMember | None = None,
        status: int = 1,
        description: str | None = None,
    ) -> JSON:
        """Create an EXTERNAL scheduled event directly (e.g. one made by a human organizer)."""
        g = self._guild(guild)
        body = {
            "name": name,
            "entity_type": 3,
            "privacy_level": 2,
            "scheduled_start_time": start,
            "scheduled_end_time": end or start,
            "entity_metadata": {"location": location},
            "description": description,
            "status": status,
        }
        creator_user = creator.user if creator is not None else self.state.owner_user
        return copy.deepcopy(_rest.new_scheduled_event(self, g, body, creator_user))

    def _guild(self, guild: FakeGuild | int) -> FakeGuild:
        guild_id = guild.id if isinstance(guild, FakeGuild) else int(guild)
        try:
            return self.state.guilds[guild_id]
        except KeyError:
            raise AssertionError(f"unknown guild {guild!r}") from None

    # ================================================================= waiting
    async def wait_ready(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until a client identified and was sent READY and every GUILD_CREATE."""
        try:
            await asyncio.wait_for(self.gateway.ready.wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"no bot became ready on the gateway within {timeout}s") from None

    async def wait_resumed(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until a client resumed its session (RESUMED sent)."""
        try:
            await asyncio.wait_for(self.gateway.resumed.wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"the bot did not resume within {timeout}s") from None

    async def wait_for_commands(
        self,
        guild_id: int | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> list[JSON]:
        """Wait until the bot synced commands for ``guild_id`` (global when None)."""
        if guild_id not in self.state.commands:
            event = self._command_events.setdefault(guild_id, asyncio.Event())
            try:
                await asyncio.wait_for(event.wait(), timeout)
            except TimeoutError:
                scope = "global" if guild_id is None else f"guild {guild_id}"
                raise AssertionError(
                    f"the bot did not sync {scope} commands within {timeout}s"
                ) from None
        return self.commands(guild_id)

    def notify_commands(self, scope: int | None) -> None:
        """Called by the command routes after a change."""
        self._command_events.setdefault(scope, asyncio.Event()).set()

    # ================================================================= driving interactions
    async def invoke(
        self,
        guild: FakeGuild | int,
        member: FakeMember | int,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        channel: FakeChannel | int | None = None,
        locale: str | None = None,
        check_values: bool = True,
    ) -> InteractionHandle:
        """A member runs a slash command (``"walkout register"`` picks group/subcommands).

        Option values are checked like Discord's client does (type, required, min/max
        length/value, choices); ``check_values=False`` skips length/range/choices.
        """
        await self._await_session()
        return self.factory.invoke(
            guild,
            member,
            command,
            options,
            channel=channel,
            locale=locale,
            check_values=check_values,
        )

    async def autocomplete(
        self,
        guild: FakeGuild | int,
        member: FakeMember | int,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        focused: str | None = None,
        channel: FakeChannel | int | None = None,
        locale: str | None = None,
    ) -> InteractionHandle:
        """A member types in an autocomplete option (``focused``)."""
        await self._await_session()
        return self.factory.autocomplete(
            guild, member, command, options, focused=focused, channel=channel, locale=locale
        )

    async def context_menu(
        self,
        guild: FakeGuild | int,
        member: FakeMember | int,
        name: str,
        target: FakeMember | JSON | int,
        *,
        channel: FakeChannel | int | None = None,
        locale: str | None = None,
    ) -> InteractionHandle:
        """A member uses a USER (target: member) or MESSAGE (target: message dict) command."""
        await self._await_session()
        return self.factory.context_menu(
            guild, member, name, target, channel=channel, locale=locale
        )

    async def click(
        self,
        guild: FakeGuild | int,
        member: FakeMember | int,
        message: JSON | int,
        custom_id: str,
        *,
        locale: str | None = None,
    ) -> InteractionHandle:
        """A member presses a button on a message the bot sent."""
        await self._await_session()
        return self.factory.click(guild, member, message, custom_id, locale=locale)

    async def select(
        self,
        guild: FakeGuild | int,
        member: FakeMember | int,
        message: JSON | int,
        custom_id: str,
        values: list[Any],
        *,
        locale: str | None = None,
    ) -> InteractionHandle:
        """A member picks values in a select menu."""
        await self._await_session()
        return self.factory.select(guild, member, message, custom_id, values, locale=locale)

    async def submit_modal(
        self,
        guild: FakeGuild | int,
        member: FakeMember | int,
        custom_id: str,
        values: dict[str, Any],
        *,
        locale: str | None = None,
    ) -> InteractionHandle:
        """A member submits the modal the bot opened (fields by their custom_id)."""
        await self._await_session()
        return self.factory.submit_modal(guild, member, custom_id, values, locale=locale)

    async def _await_session(self) -> None:
        """Interactions need a bot session: wait for one when none is live (e.g. the bot
        synced commands but has not identified yet, or is re-identifying).  A resumable
        session that is merely disconnected is fine: the dispatch is replayed on RESUME."""
        current = self.gateway.current
        if current is None or current.invalidated:
            await self.wait_ready(self.session_wait)

    async def settle(self, quiet: float = 0.05, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until no REST request arrived for ``quiet`` seconds (the bot went idle), e.g.
        after ``final_message()`` when the bot edits other messages after answering."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            last = self.requests[-1].at if self.requests else 0.0
            idle = time.monotonic() - last
            if idle >= quiet:
                return
            if loop.time() >= deadline:
                raise AssertionError(f"the bot kept sending requests for {timeout}s")
            await asyncio.sleep(quiet - idle)

    async def wait_for_request(
        self,
        method: str,
        route_template: str,
        *,
        after: InteractionHandle | float | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> RequestLog:
        """Wait for a completed request to (method, spec template) that arrived after
        ``after`` (an interaction's creation, a ``time.monotonic()`` value, or the start)."""
        since = after.record.created_at if isinstance(after, InteractionHandle) else after or 0.0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for log in self.requests:
                if (
                    log.at >= since
                    and log.status
                    and log.method == method.upper()
                    and log.route == route_template
                ):
                    return log
            if loop.time() >= deadline:
                raise AssertionError(f"no {method} {route_template} within {timeout}s")
            await asyncio.sleep(0.005)

    def register_interaction(self, record: InteractionRecord) -> None:
        """Keep track of a new interaction (used by the factory)."""
        self.interactions[record.id] = record
        self.interactions_by_token[record.token] = record
        self.interaction_records.append(record)

    def interaction_delivered(self, record: InteractionRecord, at: float) -> None:
        """The INTERACTION_CREATE hit the socket: start the acknowledgement clock."""
        record.delivered_at = at
        loop = asyncio.get_running_loop()
        record.timer = loop.call_later(self.ack_deadline, self._ack_overdue, record)

    def _ack_overdue(self, record: InteractionRecord) -> None:
        record.timer = None
        if not record.acked and not record.attempts:
            self.record_violation(
                f"{record.label}: interaction {record.id} not acknowledged within "
                f"{self.ack_deadline:.0f}s"
            )

    # ================================================================= inspection
    def commands(self, guild_id: int | None = None) -> list[JSON]:
        """App commands as last synced for a scope (global when ``guild_id`` is None)."""
        return copy.deepcopy(self.state.commands.get(guild_id, []))

    def messages(
        self, channel_id: int | FakeChannel, *, include_interactions: bool = True
    ) -> list[JSON]:
        """The bot's visible messages in a channel, oldest first, edits applied."""
        cid = channel_id.id if isinstance(channel_id, FakeChannel) else int(channel_id)
        return self.state.channel_history(cid, include_interactions=include_interactions)

    def message(self, message_id: int) -> JSON | None:
        """Any stored message by id (ephemeral ones included), or None."""
        record = self.state.messages.get(int(message_id))
        return None if record is None else record.snapshot()

    def dms(self, user_id: int | FakeMember) -> list[JSON]:
        """Messages the bot sent to a user in DMs."""
        uid = user_id.id if isinstance(user_id, FakeMember) else int(user_id)
        channel = self.state.dm_channels.get(uid)
        return [] if channel is None else self.state.channel_history(channel.id)

    def scheduled_events(self, guild_id: int | FakeGuild) -> list[JSON]:
        """Scheduled events of a guild."""
        return [copy.deepcopy(e) for e in self._guild(guild_id).scheduled_events.values()]

    @property
    def identify_payloads(self) -> list[JSON]:
        """Every IDENTIFY ``d`` received (check ``intents`` here)."""
        return self.gateway.identify_payloads

    @property
    def resume_payloads(self) -> list[JSON]:
        """Every RESUME ``d`` received."""
        return self.gateway.resume_payloads

    @property
    def gateway_connections(self) -> list[str]:
        """Path and query of every websocket connection, in order."""
        return self.gateway.connection_log

    def record_violation(self, text: str) -> None:
        """Append to :attr:`violations` (and log it)."""
        _log.warning("fakediscord violation: %s", text)
        self.violations.append(text)

    def clear_violations(self) -> None:
        """Forget recorded violations."""
        self.violations.clear()

    # ================================================================= faults
    def fail_next(
        self,
        method: str,
        route_template: str,
        status: int = 500,
        count: int = 1,
        retry_after: float | None = None,
        code: int | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next ``count`` requests to (method, spec template) with ``status``.

        429 gets a rate-limit body (``retry_after`` default 0.1 s) and Retry-After/Via headers.
        """
        if route_template not in self.spec.document["paths"]:
            match = self.spec.match(route_template)
            hint = f"; did you mean {match.template!r}?" if match else ""
            raise AssertionError(f"{route_template!r} is not a path template of the spec{hint}")
        self.faults.add(
            FaultRule(
                method=method.upper(),
                template=route_template,
                status=status,
                remaining=count,
                retry_after=retry_after,
                code=code,
                message=message,
            )
        )

    def hold_next(self, method: str, route_template: str, count: int = 1) -> asyncio.Event:
        """Handle the next ``count`` matching requests (a message is created, say) but keep the
        answer back until the returned event is set: the client sees a request in flight whose
        effect already happened (to kill a bot between "posted" and "recorded")."""
        if route_template not in self.spec.document["paths"]:
            raise AssertionError(f"{route_template!r} is not a path template of the spec")
        hold = _Hold(method.upper(), route_template, count, asyncio.Event())
        self._holds.append(hold)
        return hold.release

    def held(self) -> int:
        """How many answers are being held back right now."""
        return sum(hold.waiting for hold in self._holds)

    def set_rate_limit(self, route_template: str, limit: int, per_seconds: float) -> None:
        """Enforce a bucket of ``limit`` requests per ``per_seconds`` on a route template."""
        self.rate_limiter.set_limit(route_template, limit, per_seconds)

    def set_global_rate_limit(self, limit: int | None, per_seconds: float = 1.0) -> None:
        """Change the global limit (None disables it)."""
        self.rate_limiter.set_global_limit(limit, per_seconds)

    async def drop_gateway(self, resumable: bool = True, *, abrupt: bool = False) -> None:
        """Close the bot's socket: 4000 (resumable) or 4009 + invalidated session, or abort
        the TCP connection (``abrupt``).  Events dispatched meanwhile are replayed on RESUME."""
        await self.gateway.drop(resumable=resumable, abrupt=abrupt)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT."""
        await self.gateway.request_reconnect()

    def dispatch(self, event: str, data: Any) -> int | None:
        """Send an arbitrary gateway dispatch to the bot; returns its sequence number."""
        return self.gateway.dispatch(event, data)

    def dispatch_message_event(self, name: str, channel: FakeChannel, data: JSON) -> None:
        """MESSAGE_CREATE/UPDATE/DELETE, gated on GUILD_MESSAGES / DIRECT_MESSAGES."""
        if channel.guild_id is not None:
            data["guild_id"] = str(channel.guild_id)
            guild = self.state.guilds.get(channel.guild_id)
            if guild is not None and name != "MESSAGE_DELETE":
                data["member"] = guild.member(self.state.bot_id).to_dict(with_user=False)
            self.gateway.dispatch(name, data, intent=GUILD_MESSAGES)
        else:
            self.gateway.dispatch(name, data, intent=DIRECT_MESSAGES)

    # ================================================================= validation helpers
    def check_issues(self, req: RestRequest, issues: list[Issue]) -> None:
        """Record issues as violations; in strict mode raise Discord's 400/50035."""
        if not issues:
            return
        for issue in issues:
            self.record_violation(f"{req.method} {req.path}: {issue.describe()}")
        if self.strict:
            raise ApiError(400, 50035, "Invalid Form Body", errors_tree(issues))

    # ================================================================= HTTP plumbing
    async def _attachment(self, request: web.Request) -> web.Response:
        raw = request.match_info["attachment_id"]
        item = self.state.attachments.get(int(raw)) if raw.isdigit() else None
        if item is None:
            return web.Response(status=404, text="Not Found")
        _name, data, content_type = item
        return web.Response(body=data, content_type=content_type.split(";")[0])

    async def _wrong_version(self, request: web.Request) -> web.Response:
        self.record_violation(f"{request.method} {request.path}: only /api/v10 is served")
        return self._json(404, {"message": "404: Not Found", "code": 0}, {})

    @staticmethod
    def _json(status: int, body: Any, headers: dict[str, str]) -> web.Response:
        headers = {"Via": "1.1 google", **headers}
        if status == 204 or body is None:
            return web.Response(status=204 if body is None else status, headers=headers)
        # discord.py compares Content-Type to exactly "application/json" (no charset), as
        # Discord sends it.
        headers["Content-Type"] = "application/json"
        return web.Response(status=status, body=json.dumps(body).encode(), headers=headers)

    async def _api(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        method = request.method.upper()
        log = RequestLog(method, path, None, 0, None, time.monotonic(), query=dict(request.query))
        self.requests.append(log)
        try:
            status, body, headers = await self._process(request, method, path, log)
        except Exception as exc:  # a bug in the fake must not look like a bot bug
            _log.exception("fakediscord internal error on %s %s", method, path)
            self.record_violation(f"{method} {path}: fakediscord internal error {exc!r}")
            status, body, headers = 500, {"message": "500: Internal Server Error", "code": 0}, {}
        log.status = status
        return self._json(status, body, headers)

    async def _process(
        self, request: web.Request, method: str, path: str, log: RequestLog
    ) -> tuple[int, Any, dict[str, str]]:
        if self.latency:
            await asyncio.sleep(self.latency)
        match = self.spec.match(path)
        template = match.template if match is not None else path
        params = match.params if match is not None else {}
        log.route = match.template if match is not None else None
        no_auth = template.startswith(_NO_AUTH_PREFIXES)
        decision = self.rate_limiter.check(template, params, exempt_global=no_auth)
        headers = dict(decision.headers)
        if decision.retry_after is not None:
            headers["Retry-After"] = str(max(1, int(decision.retry_after + 0.999)))
            headers["X-RateLimit-Scope"] = decision.scope
            if decision.is_global:
                headers["X-RateLimit-Global"] = "true"
            body = {
                "message": "You are being rate limited.",
                "retry_after": round(decision.retry_after, 3),
                "global": decision.is_global,
            }
            return 429, body, headers
        if match is None:
            self.record_violation(f"{method} {path}: no such route in Discord's API spec")
            return 404, {"message": "404: Not Found", "code": 0}, headers
        handler = ROUTES.get(method, template)
        if handler is None:
            if self.spec.operation(method, template) is None:
                self.record_violation(f"{method} {template}: method not allowed by the spec")
                return 405, {"message": "405: Method Not Allowed", "code": 0}, headers
            self.record_violation(f"{method} {template}: route not implemented by fakediscord")
            return 404, {"message": "404: Not Found", "code": 0}, headers
        if not no_auth and request.headers.get("Authorization") != f"Bot {self.state.token}":
            self.record_violation(f"{method} {path}: missing or invalid Authorization header")
            return 401, {"message": "401: Unauthorized", "code": 0}, headers
        rule = self.faults.take(method, template)
        if rule is not None:
            status, body, extra = rule.response()
            headers.update(extra)
            return status, body, headers
        try:
            parsed, files = await self._read_body(request)
        except ApiError as error:
            if error.violation:
                self.record_violation(f"{method} {path}: {error.violation}")
            return error.status, error.body(), headers
        log.json = parsed
        log.files = [(f.filename, f.data) for f in files]
        req = RestRequest(
            method=method,
            path=path,
            template=template,
            params=match.params,
            query=request.query,
            headers=request.headers,
            json=parsed,
            files=files,
            received_at=log.at,
        )
        try:
            if method in ("POST", "PUT", "PATCH"):
                try:
                    self.check_issues(req, self._validate(method, template, parsed))
                except ApiError as error:
                    if template == _webhooks.CALLBACK_ROUTE:
                        _webhooks.note_rejected_callback(self, req, error)
                    raise
            response: RestResponse = await handler(self, req)
            await self._maybe_hold(method, template)
        except ApiError as error:
            if error.violation:
                self.record_violation(f"{method} {path}: {error.violation}")
            return error.status, error.body(), headers
        headers.update(response.headers)
        return response.status, response.body, headers

    async def _maybe_hold(self, method: str, template: str) -> None:
        for hold in self._holds:
            if hold.remaining > 0 and hold.method == method and hold.template == template:
                hold.remaining -= 1
                hold.waiting += 1
                try:
                    await hold.release.wait()
                finally:
                    hold.waiting -= 1
                return

    def _validate(self, method: str, template: str, body: Any) -> list[Issue]:
        if body is None:
            if self.spec.body_required(method, template):
                return [Issue((), "BASE_TYPE_REQUIRED", "A JSON body is required.")]
            return []
        issues = self.spec.validate_body(method, template, body)
        checker = ROUTE_CHECKS.get((method, template))
        if checker is not None:
            seen = {(issue.path, issue.code) for issue in issues}
            issues += [i for i in checker(body) if (i.path, i.code) not in seen]
        return issues

    async def _read_body(self, request: web.Request) -> tuple[Any, list[UploadedFile]]:
        if not request.can_read_body:
            return None, []
        content_type = request.content_type
        if content_type.startswith("multipart/"):
            payload: Any = None
            files: list[UploadedFile] = []
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                if not isinstance(part, BodyPartReader):
                    continue
                name = part.name or ""
                data = await part.read(decode=False)
                if name == "payload_json":
                    try:
                        payload = json.loads(data.decode("utf-8"))
                    except ValueError:
                        raise ApiError(
                            400,
                            50109,
                            "The request body contains invalid JSON.",
                            violation="invalid payload_json",
                        ) from None
                else:
                    files.append(
                        UploadedFile(
                            field_name=name,
                            filename=part.filename or name,
                            content_type=part.headers.get(
                                "Content-Type", "application/octet-stream"
                            ),
                            data=bytes(data),
                        )
                    )
            return payload, files
        raw = await request.read()
        if not raw:
            return None, []
        try:
            return json.loads(raw), []
        except ValueError:
            raise ApiError(
                400, 50109, "The request body contains invalid JSON.", violation="invalid JSON body"
            ) from None
