"""Interactions: building INTERACTION_CREATE payloads from the commands the bot synced, and
the :class:`InteractionHandle` tests wait on.  The REST side (callback, follow-ups) lives in
:mod:`fakediscord.webhooks`.

Payloads follow Discord's "Interaction Object" docs: id, application_id, type, data (with
``resolved`` for user/role/channel/attachment options), guild_id, guild, channel and channel_id,
member (with ``permissions`` as a string), token, version 1, app_permissions, locale,
guild_locale, entitlements, authorizing_integration_owners, context, attachment_size_limit.

What a real client would refuse is refused here with an AssertionError in the test: unknown
commands, subcommands or options, wrong option types, missing required options, values outside
min/max length/value or not among the choices, disabled or missing components.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from fakediscord.message_store import (
    EPHEMERAL,
    LOADING,
    iter_components,
)
from fakediscord.state import FakeChannel, FakeGuild, FakeMember, FakeRole, MessageRecord

if TYPE_CHECKING:
    from fakediscord.server import FakeDiscord

JSON = dict[str, Any]
T = TypeVar("T")

# Interaction types
PING = 1
APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

# Callback types
PONG = 1
CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8
MODAL = 9

ALLOWED_CALLBACKS: dict[int, set[int]] = {
    APPLICATION_COMMAND: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL, 12},
    MESSAGE_COMPONENT: {
        CHANNEL_MESSAGE,
        DEFERRED_CHANNEL_MESSAGE,
        DEFERRED_UPDATE_MESSAGE,
        UPDATE_MESSAGE,
        MODAL,
    },
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
    MODAL_SUBMIT: {
        CHANNEL_MESSAGE,
        DEFERRED_CHANNEL_MESSAGE,
        DEFERRED_UPDATE_MESSAGE,
        UPDATE_MESSAGE,
    },
}
TYPE_NAMES = {
    2: "APPLICATION_COMMAND",
    3: "MESSAGE_COMPONENT",
    4: "AUTOCOMPLETE",
    5: "MODAL_SUBMIT",
}
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
OPTION_TYPE_NAMES = {
    1: "SUB_COMMAND",
    2: "SUB_COMMAND_GROUP",
    3: "STRING",
    4: "INTEGER",
    5: "BOOLEAN",
    6: "USER",
    7: "CHANNEL",
    8: "ROLE",
    9: "MENTIONABLE",
    10: "NUMBER",
    11: "ATTACHMENT",
}


class InteractionTimeout(AssertionError):
    """The bot did not do what a test waited for in time."""


@dataclass(eq=False)
class InteractionRecord:
    """Server-side state of one interaction."""

    id: int
    token: str
    type: int
    payload: JSON
    guild: FakeGuild
    channel: FakeChannel
    member: FakeMember
    label: str
    created_at: float = field(default_factory=time.monotonic)
    delivered_at: float | None = None
    acked: bool = False
    expired: bool = False
    first: JSON | None = None
    attempts: list[JSON] = field(default_factory=list)
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    edits: list[JSON] = field(default_factory=list)
    source_message_id: int | None = None
    modal: JSON | None = None
    choices: list[JSON] | None = None
    timer: asyncio.TimerHandle | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def notify(self) -> None:
        """Wake everything waiting on this interaction."""
        old, self._changed = self._changed, asyncio.Event()
        old.set()

    async def wait_for(self, predicate: Callable[[], T | None], timeout: float, what: str) -> T:  # noqa: ASYNC109
        """Wait until ``predicate()`` returns non-None, or raise :class:`InteractionTimeout`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                delivery = (
                    "the INTERACTION_CREATE never reached the bot (no live gateway connection)"
                    if self.delivered_at is None
                    else f"callback attempts: {[a.get('status') for a in self.attempts]}"
                )
                raise InteractionTimeout(
                    f"{self.label}: timed out after {timeout}s waiting for {what} ({delivery})"
                )
            event = self._changed
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                continue

    def metadata(self, *, followup_of: int | None = None) -> JSON:
        """``interaction_metadata`` for messages created by this interaction."""
        meta: JSON = {
            "id": str(self.id),
            "type": self.type,
            "user": self.member.user,
            "authorizing_integration_owners": {"0": str(self.guild.id)},
        }
        if self.type == APPLICATION_COMMAND:
            meta["name"] = self.label.lstrip("/")
            meta["command_type"] = self.payload["data"].get("type", 1)
        if self.source_message_id is not None:
            meta["interacted_message_id"] = str(self.source_message_id)
        if followup_of is not None:
            meta["original_response_message_id"] = str(followup_of)
        return meta

    def message_meta(self, *, followup_of: int | None = None) -> JSON:
        """The ``interaction_metadata`` (+ legacy ``interaction``) blob for create_message."""
        meta: JSON = {"metadata": self.metadata(followup_of=followup_of)}
        if self.type == APPLICATION_COMMAND:
            meta["legacy"] = {
                "id": str(self.id),
                "type": self.type,
                "name": self.label.lstrip("/"),
                "user": self.member.user,
            }
        return meta


class InteractionHandle:
    """What ``FakeDiscord.invoke`` & co. return: a view of how the bot answered."""

    def __init__(self, fake: FakeDiscord, record: InteractionRecord) -> None:
        self._fake = fake
        self.record = record

    def __repr__(self) -> str:
        return f"<InteractionHandle {self.record.label} id={self.record.id}>"

    @property
    def id(self) -> int:
        """The interaction id."""
        return self.record.id

    @property
    def token(self) -> str:
        """The interaction token."""
        return self.record.token

    @property
    def payload(self) -> JSON:
        """A copy of the INTERACTION_CREATE payload that was dispatched."""
        return copy.deepcopy(self.record.payload)

    async def first_response(self, timeout: float = 5.0) -> JSON:  # noqa: ASYNC109
        """The first accepted callback: ``{"type", "data", "elapsed"}`` (elapsed in seconds)."""
        first = await self.record.wait_for(lambda: self.record.first, timeout, "a response")
        return copy.deepcopy(first)

    async def callback_attempt(self, timeout: float = 5.0) -> JSON:  # noqa: ASYNC109
        """The first callback POST whatever its outcome: ``{"status", "type", "data",
        "elapsed", "code"?}`` (e.g. status 404 / code 10062 when it came too late)."""

        def first_attempt() -> JSON | None:
            attempts = [a for a in self.record.attempts if a.get("status") is not None]
            return attempts[0] if attempts else None

        return copy.deepcopy(await self.record.wait_for(first_attempt, timeout, "a callback"))

    @property
    def callback_attempts(self) -> list[JSON]:
        """Every callback POST seen for this interaction, accepted or rejected."""
        return copy.deepcopy(self.record.attempts)

    @property
    def response_type(self) -> int | None:
        """Callback type of the accepted first response, if any."""
        return None if self.record.first is None else int(self.record.first["type"])

    @property
    def ephemeral(self) -> bool:
        """``flags & 64`` of the first response (for a deferral, the deferral decides, and a
        follow-up that fills the "thinking" message inherits it, as on Discord)."""
        first = self.record.first
        if first is None:
            raise AssertionError(f"{self.record.label}: no response yet")
        if self.record.original_message_id is not None:
            message = self._fake.state.messages.get(self.record.original_message_id)
            if message is not None and message.interaction_id == self.record.id:
                return bool(message.data["flags"] & EPHEMERAL)
        data = first.get("data") or {}
        return bool(int(data.get("flags") or 0) & EPHEMERAL)

    def _message(self, message_id: int | None) -> JSON | None:
        if message_id is None:
            return None
        record = self._fake.state.messages.get(message_id)
        return None if record is None else record.snapshot()

    @property
    def original_message(self) -> JSON | None:
        """The current @original message (None before a message-creating response)."""
        return self._message(self.record.original_message_id)

    async def final_message(self, timeout: float = 5.0) -> JSON:  # noqa: ASYNC109
        """The message the user ends up seeing.

        Type 4: the response message.  Type 5: the @original once edited or filled by the first
        follow-up.  Type 7: the updated message.  Type 6: the component's message after an
        edit of @original, or the first follow-up.
        """
        first = await self.first_response(timeout)
        ctype = first["type"]
        record = self.record
        if ctype in (CHANNEL_MESSAGE, UPDATE_MESSAGE):
            message = self._message(record.original_message_id)
            assert message is not None
            return message
        if ctype == DEFERRED_CHANNEL_MESSAGE:

            def done() -> JSON | None:
                message = self._message(record.original_message_id)
                if message is not None and not message["flags"] & LOADING:
                    return message
                return None

            return await record.wait_for(done, timeout, "the deferred message (edit or follow-up)")
        if ctype == DEFERRED_UPDATE_MESSAGE:

            def edited() -> JSON | None:
                if record.edits:
                    return self._message(record.original_message_id)
                if record.followup_ids:
                    return self._message(record.followup_ids[0])
                return None

            return await record.wait_for(edited, timeout, "an edit of the message or a follow-up")
        if ctype == MODAL:
            raise AssertionError(f"{record.label}: the bot answered with a modal, not a message")
        raise AssertionError(f"{record.label}: callback type {ctype} creates no message")

    async def wait_followups(self, count: int = 1, timeout: float = 5.0) -> list[JSON]:  # noqa: ASYNC109
        """Wait until at least ``count`` follow-ups were sent; returns them."""
        await self.record.wait_for(
            lambda: True if len(self.record.followup_ids) >= count else None,
            timeout,
            f"{count} follow-up(s)",
        )
        return self.followups

    @property
    def followups(self) -> list[JSON]:
        """Follow-up messages (current state, edits applied)."""
        out = []
        for message_id in self.record.followup_ids:
            message = self._message(message_id)
            if message is not None:
                out.append(message)
        return out

    @property
    def edits(self) -> list[JSON]:
        """Snapshots of messages after each edit made through this interaction's token."""
        return copy.deepcopy(self.record.edits)

    @property
    def autocomplete_choices(self) -> list[JSON]:
        """Choices of the type 8 answer ([] when none)."""
        return copy.deepcopy(self.record.choices or [])

    @property
    def modal(self) -> JSON | None:
        """Data of the type 9 answer, if the bot opened a modal."""
        return copy.deepcopy(self.record.modal)

    @property
    def attachments(self) -> list[tuple[str, bytes]]:
        """Files sent in the response, follow-ups and edits, as (filename, bytes)."""
        out: list[tuple[str, bytes]] = []
        seen: set[int] = set()
        ids = [self.record.original_message_id, *self.record.followup_ids]
        for message_id in ids:
            if message_id is None or message_id in seen:
                continue
            seen.add(message_id)
            record = self._fake.state.messages.get(message_id)
            if record is not None:
                out.extend(record.files.values())
        return out


# =========================================================================== payload building
def _ident(value: Any) -> int:
    if isinstance(value, FakeMember | FakeRole | FakeChannel | FakeGuild):
        return value.id
    if isinstance(value, dict) and "id" in value:
        return int(value["id"])
    if isinstance(value, MessageRecord):
        return value.id
    if isinstance(value, int | str) and str(value).isdigit():
        return int(value)
    raise AssertionError(f"cannot take an id from {value!r}")


class InteractionFactory:
    """Builds and dispatches interactions for one fake."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        #: Refuse members lacking a command's default_member_permissions (see FakeDiscord).
        self.enforce_default_permissions = False

    # ------------------------------------------------------------------ lookups
    def _guild(self, guild: FakeGuild | int) -> FakeGuild:
        found = self.fake.state.guilds.get(_ident(guild))
        if found is None:
            raise AssertionError(f"unknown guild {guild!r}")
        return found

    def _member(self, guild: FakeGuild, member: FakeMember | int) -> FakeMember:
        found = guild.find_member(_ident(member))
        if found is None:
            raise AssertionError(f"{member!r} is not a member of guild {guild.name!r}")
        return found

    def _channel(self, guild: FakeGuild, channel: FakeChannel | int | None) -> FakeChannel:
        if channel is None:
            return guild.default_channel
        found = self.fake.state.channels.get(_ident(channel))
        if found is None or found.guild_id != guild.id:
            raise AssertionError(f"channel {channel!r} is not in guild {guild.name!r}")
        return found

    def find_command(self, guild: FakeGuild, name: str, ctype: int = 1) -> JSON:
        """A synced command by name: guild commands first, then global ones."""
        for scope in (guild.id, None):
            for command in self.fake.state.commands.get(scope, []):
                if command["name"] == name and (command.get("type") or 1) == ctype:
                    return command
        known = sorted(
            c["name"]
            for scope in (guild.id, None)
            for c in self.fake.state.commands.get(scope, [])
            if (c.get("type") or 1) == ctype
        )
        raise AssertionError(f"no synced command {name!r} (type {ctype}); synced: {known}")

    # ------------------------------------------------------------------ resolving option values
    def _resolve(
        self,
        guild: FakeGuild,
        invoker: FakeMember,
        otype: int,
        value: Any,
        resolved: dict[str, dict[str, Any]],
        label: str,
    ) -> str:
        state = self.fake.state
        if otype in (6, 9) and not isinstance(value, FakeRole):
            user_id = _ident(value)
            member = guild.find_member(user_id)
            user = state.users.get(user_id)
            if user is None and otype == 9:
                return self._resolve(guild, invoker, 8, value, resolved, label)
            if user is None:
                raise AssertionError(f"{label}: unknown user {value!r}")
            resolved.setdefault("users", {})[str(user_id)] = user
            if member is not None:
                resolved.setdefault("members", {})[str(user_id)] = member.to_dict(
                    with_user=False, permissions=guild.member_permissions(member)
                )
            return str(user_id)
        if otype in (8, 9):
            role_id = _ident(value)
            try:
                role = guild.role(role_id)
            except KeyError:
                raise AssertionError(f"{label}: unknown role {value!r}") from None
            resolved.setdefault("roles", {})[str(role.id)] = role.to_dict()
            return str(role.id)
        if otype == 7:
            channel = self._channel(guild, value)
            data = channel.to_dict(state.bot_id)
            data.pop("permission_overwrites", None)
            data["permissions"] = str(guild.member_permissions(invoker))
            resolved.setdefault("channels", {})[str(channel.id)] = data
            return str(channel.id)
        if otype == 11:
            if isinstance(value, tuple) and len(value) in (2, 3):
                filename, raw = value[0], value[1]
                content_type = value[2] if len(value) == 3 else "application/octet-stream"
            else:
                raise AssertionError(f"{label}: attachments are given as (filename, bytes[, type])")
            attachment_id = state.snowflakes.next()
            url = f"{self.fake.http_base}/attachments/0/{attachment_id}/{filename}"
            state.attachments[attachment_id] = (filename, raw, content_type)
            resolved.setdefault("attachments", {})[str(attachment_id)] = {
                "id": str(attachment_id),
                "filename": filename,
                "size": len(raw),
                "url": url,
                "proxy_url": url,
                "content_type": content_type,
                "ephemeral": True,
            }
            return str(attachment_id)
        raise AssertionError(f"{label}: cannot resolve option type {otype}")

    def _typed_value(
        self, definition: JSON, value: Any, label: str, *, check_values: bool = True
    ) -> Any:
        otype = definition["type"]
        name = definition["name"]
        where = f"{label} option {name!r} ({OPTION_TYPE_NAMES.get(otype, otype)})"
        if otype == 3:
            if not isinstance(value, str):
                raise AssertionError(f"{where} needs a str, got {value!r}")
            low, high = definition.get("min_length"), definition.get("max_length")
            too_short = low is not None and len(value) < low
            if check_values and (too_short or (high is not None and len(value) > high)):
                raise AssertionError(f"{where}: length {len(value)} outside {low}..{high}")
        elif otype == 4:
            if isinstance(value, bool) or not isinstance(value, int):
                raise AssertionError(f"{where} needs an int, got {value!r}")
        elif otype == 10:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise AssertionError(f"{where} needs a number, got {value!r}")
        elif otype == 5 and not isinstance(value, bool):
            raise AssertionError(f"{where} needs a bool, got {value!r}")
        if not check_values:
            return value
        if otype in (4, 10):
            low, high = definition.get("min_value"), definition.get("max_value")
            if (low is not None and value < low) or (high is not None and value > high):
                raise AssertionError(f"{where}: {value} outside {low}..{high}")
        choices = definition.get("choices")
        if choices and value not in [c.get("value") for c in choices]:
            raise AssertionError(
                f"{where}: {value!r} is not one of the choices {[c.get('value') for c in choices]}"
            )
        return value

    def _options(
        self,
        guild: FakeGuild,
        invoker: FakeMember,
        definitions: list[JSON],
        given: dict[str, Any],
        resolved: dict[str, dict[str, Any]],
        label: str,
        *,
        focused: str | None = None,
        check_values: bool = True,
    ) -> list[JSON]:
        by_name = {d["name"]: d for d in definitions if d.get("type") not in (1, 2)}
        unknown = set(given) - set(by_name)
        if unknown:
            raise AssertionError(
                f"{label}: unknown option(s) {sorted(unknown)}; the command has {sorted(by_name)}"
            )
        out: list[JSON] = []
        for definition in definitions:
            name = definition["name"]
            if definition.get("type") in (1, 2):
                continue
            if name not in given:
                if definition.get("required") and focused is None:
                    raise AssertionError(f"{label}: missing required option {name!r}")
                continue
            otype = definition["type"]
            value = given[name]
            option: JSON = {"name": name, "type": otype}
            if name == focused:
                if not definition.get("autocomplete"):
                    raise AssertionError(f"{label}: option {name!r} has no autocomplete")
                option["value"] = value if isinstance(value, str) else str(value)
                option["focused"] = True
            elif otype in (6, 7, 8, 9, 11):
                option["value"] = self._resolve(guild, invoker, otype, value, resolved, label)
                if otype == 7:
                    wanted = definition.get("channel_types")
                    channel = self.fake.state.channels[int(option["value"])]
                    if wanted and channel.type not in wanted:
                        raise AssertionError(
                            f"{label}: channel {channel.name!r} has type {channel.type}, "
                            f"option {name!r} accepts {wanted}"
                        )
            else:
                option["value"] = self._typed_value(
                    definition, value, label, check_values=check_values
                )
            out.append(option)
        return out

    # ------------------------------------------------------------------ payloads
    def _base(
        self,
        itype: int,
        guild: FakeGuild,
        member: FakeMember,
        channel: FakeChannel,
        data: JSON,
        locale: str | None,
        message: JSON | None = None,
    ) -> tuple[int, str, JSON]:
        state = self.fake.state
        interaction_id = state.snowflakes.next()
        raw = f"interaction:{interaction_id}:{secrets.token_urlsafe(48)}".encode()
        token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        channel_data = channel.to_dict(state.bot_id)
        channel_data["permissions"] = str(guild.member_permissions(member))
        payload: JSON = {
            "id": str(interaction_id),
            "application_id": str(state.application_id),
            "type": itype,
            "data": data,
            "guild": {
                "id": str(guild.id),
                "locale": guild.locale,
                "features": list(guild.features),
            },
            "guild_id": str(guild.id),
            "channel": channel_data,
            "channel_id": str(channel.id),
            "member": member.to_dict(permissions=guild.member_permissions(member)),
            "token": token,
            "version": 1,
            "app_permissions": str(guild.bot_channel_permissions(channel)),
            "locale": locale or member.locale,
            "guild_locale": guild.locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if message is not None:
            payload["message"] = message
        return interaction_id, token, payload

    def _dispatch(
        self,
        itype: int,
        guild: FakeGuild,
        member: FakeMember,
        channel: FakeChannel,
        data: JSON,
        locale: str | None,
        label: str,
        *,
        message: JSON | None = None,
        source_message_id: int | None = None,
    ) -> InteractionHandle:
        if self.fake.gateway.current is None:
            raise AssertionError("no bot session on the gateway: start the bot and wait_ready()")
        interaction_id, token, payload = self._base(
            itype, guild, member, channel, data, locale, message
        )
        record = InteractionRecord(
            id=interaction_id,
            token=token,
            type=itype,
            payload=payload,
            guild=guild,
            channel=channel,
            member=member,
            label=label,
            source_message_id=source_message_id,
        )
        self.fake.register_interaction(record)
        seq = self.fake.gateway.dispatch(
            "INTERACTION_CREATE",
            payload,
            on_sent=lambda at: self.fake.interaction_delivered(record, at),
        )
        if seq is None:
            raise AssertionError("the bot's gateway session is invalidated; it must re-identify")
        return InteractionHandle(self.fake, record)

    def _check_default_permissions(
        self, guild: FakeGuild, member: FakeMember, command: JSON
    ) -> None:
        contexts = command.get("contexts")
        if contexts is not None and 0 not in contexts:
            raise AssertionError(
                f"/{command['name']} is not available in guilds (contexts={contexts})"
            )
        required = command.get("default_member_permissions")
        if required is None or not self.enforce_default_permissions:
            return
        bits = guild.member_permissions(member)
        needed = int(required)
        if (needed == 0 and not bits & (1 << 3)) or bits & needed != needed:
            raise AssertionError(
                f"{member.user['username']} cannot use /{command['name']}: it requires "
                f"default_member_permissions={needed}, the member has {bits}"
            )

    def _command_data(
        self,
        guild: FakeGuild,
        member: FakeMember,
        path: str,
        options: dict[str, Any] | None,
        *,
        focused: str | None,
        check_values: bool = True,
    ) -> tuple[JSON, str]:
        parts = path.strip().lstrip("/").split()
        if not parts:
            raise AssertionError("empty command name")
        command = self.find_command(guild, parts[0])
        self._check_default_permissions(guild, member, command)
        label = "/" + " ".join(parts)
        resolved: dict[str, dict[str, Any]] = {}
        definitions: list[JSON] = command.get("options") or []
        chain: list[JSON] = []
        for part in parts[1:]:
            sub = next(
                (d for d in definitions if d.get("type") in (1, 2) and d["name"] == part), None
            )
            if sub is None:
                names = [d["name"] for d in definitions if d.get("type") in (1, 2)]
                raise AssertionError(f"{label}: no subcommand/group {part!r}; available: {names}")
            chain.append(sub)
            definitions = sub.get("options") or []
        if any(d.get("type") in (1, 2) for d in definitions):
            names = [d["name"] for d in definitions if d.get("type") in (1, 2)]
            raise AssertionError(f"{label} needs a subcommand: one of {names}")
        leaf = self._options(
            guild,
            member,
            definitions,
            dict(options or {}),
            resolved,
            label,
            focused=focused,
            check_values=check_values,
        )
        if focused is not None and not any(o.get("focused") for o in leaf):
            raise AssertionError(f"{label}: focused option {focused!r} must be among the options")
        nested = leaf
        for sub in reversed(chain):
            nested = [{"name": sub["name"], "type": sub["type"], "options": nested}]
        data: JSON = {
            "id": command["id"],
            "name": command["name"],
            "type": command.get("type") or 1,
            "options": nested,
        }
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return data, label

    # ------------------------------------------------------------------ public entry points
    def invoke(
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
        """A slash command (``"group sub"`` paths select subcommands).

        ``check_values=False`` skips the client-side value checks (length, range, choices) to
        model a client that does not enforce them; names, types and required still apply.
        """
        g = self._guild(guild)
        m = self._member(g, member)
        c = self._channel(g, channel)
        data, label = self._command_data(
            g, m, command, options, focused=None, check_values=check_values
        )
        return self._dispatch(APPLICATION_COMMAND, g, m, c, data, locale, label)

    def autocomplete(
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
        """An autocomplete request; ``focused`` defaults to the only/last option given."""
        g = self._guild(guild)
        m = self._member(g, member)
        c = self._channel(g, channel)
        opts = dict(options or {})
        if focused is None:
            if not opts:
                raise AssertionError("autocomplete needs at least the focused option's value")
            focused = list(opts)[-1]
        if focused not in opts:
            opts[focused] = ""
        data, label = self._command_data(g, m, command, opts, focused=focused)
        return self._dispatch(
            AUTOCOMPLETE, g, m, c, data, locale, label + f" [autocomplete {focused}]"
        )

    def context_menu(
        self,
        guild: FakeGuild | int,
        member: FakeMember | int,
        name: str,
        target: FakeMember | JSON | int,
        *,
        channel: FakeChannel | int | None = None,
        locale: str | None = None,
    ) -> InteractionHandle:
        """A USER command (target: a member / user id) or MESSAGE command (target: a message)."""
        g = self._guild(guild)
        m = self._member(g, member)
        is_message = isinstance(target, dict) and "channel_id" in target
        command = self.find_command(g, name, 3 if is_message else 2)
        self._check_default_permissions(g, m, command)
        resolved: dict[str, dict[str, Any]] = {}
        if is_message:
            assert isinstance(target, dict)
            record = self.fake.state.messages.get(int(target["id"]))
            message = record.snapshot() if record else copy.deepcopy(target)
            resolved["messages"] = {str(message["id"]): message}
            target_id = str(message["id"])
            c = self._channel(g, channel if channel is not None else int(message["channel_id"]))
        else:
            target_id = self._resolve(g, m, 6, target, resolved, f"{name}")
            c = self._channel(g, channel)
        data: JSON = {
            "id": command["id"],
            "name": command["name"],
            "type": command["type"],
            "target_id": target_id,
            "resolved": resolved,
        }
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return self._dispatch(APPLICATION_COMMAND, g, m, c, data, locale, f"{name} (context menu)")

    def _component_message(self, message: JSON | int) -> MessageRecord:
        record = self.fake.state.messages.get(_ident(message))
        if record is None or record.deleted:
            raise AssertionError(f"unknown or deleted message {_ident(message)}")
        return record

    def _component(self, record: MessageRecord, custom_id: str, types: tuple[int, ...]) -> JSON:
        for component in iter_components(record.data.get("components")):
            if component.get("custom_id") == custom_id and component.get("type") in types:
                if component.get("disabled"):
                    raise AssertionError(f"component {custom_id!r} is disabled")
                return component
        available = [
            c.get("custom_id")
            for c in iter_components(record.data.get("components"))
            if c.get("custom_id")
        ]
        raise AssertionError(
            f"message {record.id} has no enabled component {custom_id!r} of type {types}; "
            f"it has {available}"
        )

    def click(
        self,
        guild: FakeGuild | int,
        member: FakeMember | int,
        message: JSON | int,
        custom_id: str,
        *,
        locale: str | None = None,
    ) -> InteractionHandle:
        """Press a button on a message the bot sent."""
        g = self._guild(guild)
        m = self._member(g, member)
        record = self._component_message(message)
        component = self._component(record, custom_id, (2,))
        data: JSON = {"custom_id": custom_id, "component_type": 2, "id": component.get("id")}
        return self._dispatch(
            MESSAGE_COMPONENT,
            g,
            m,
            self._channel(g, record.channel_id),
            data,
            locale,
            f"button {custom_id!r}",
            message=record.snapshot(),
            source_message_id=record.id,
        )

    def select(
        self,
        guild: FakeGuild | int,
        member: FakeMember | int,
        message: JSON | int,
        custom_id: str,
        values: list[Any],
        *,
        locale: str | None = None,
    ) -> InteractionHandle:
        """Pick values in a select menu (string selects check values against the options)."""
        g = self._guild(guild)
        m = self._member(g, member)
        record = self._component_message(message)
        component = self._component(record, custom_id, (3, 5, 6, 7, 8))
        ctype = component["type"]
        low = component.get("min_values", 1)
        high = component.get("max_values", 1)
        if not low <= len(values) <= high:
            raise AssertionError(
                f"select {custom_id!r} takes {low}..{high} values, got {len(values)}"
            )
        resolved: dict[str, dict[str, Any]] = {}
        if ctype == 3:
            allowed = [o.get("value") for o in component.get("options") or []]
            bad = [v for v in values if v not in allowed]
            if bad:
                raise AssertionError(f"select {custom_id!r}: {bad} not among options {allowed}")
            out_values = list(values)
        else:
            otype = {5: 6, 6: 8, 7: 9, 8: 7}[ctype]
            out_values = [
                self._resolve(g, m, otype, value, resolved, f"select {custom_id!r}")
                for value in values
            ]
        data: JSON = {
            "custom_id": custom_id,
            "component_type": ctype,
            "values": out_values,
            "id": component.get("id"),
        }
        if resolved:
            data["resolved"] = resolved
        return self._dispatch(
            MESSAGE_COMPONENT,
            g,
            m,
            self._channel(g, record.channel_id),
            data,
            locale,
            f"select {custom_id!r}",
            message=record.snapshot(),
            source_message_id=record.id,
        )

    def submit_modal(
        self,
        guild: FakeGuild | int,
        member: FakeMember | int,
        custom_id: str,
        values: dict[str, Any],
        *,
        locale: str | None = None,
    ) -> InteractionHandle:
        """Submit the most recent modal the bot opened with ``custom_id``."""
        g = self._guild(guild)
        m = self._member(g, member)
        opener = None
        for record in reversed(self.fake.interaction_records):
            if record.modal is not None and record.modal.get("custom_id") == custom_id:
                if opener is None or record.member.id == m.id:
                    opener = record
                if record.member.id == m.id:
                    break
        if opener is None or opener.modal is None:
            raise AssertionError(f"the bot never opened a modal with custom_id {custom_id!r}")
        remaining = dict(values)
        components: list[JSON] = []
        for top in opener.modal.get("components") or []:
            if top.get("type") == 1:
                inner = [
                    self._modal_value(c, remaining, custom_id) for c in top.get("components") or []
                ]
                components.append({"type": 1, "id": top.get("id"), "components": inner})
            elif top.get("type") == 18 and isinstance(top.get("component"), dict):
                components.append(
                    {
                        "type": 18,
                        "id": top.get("id"),
                        "component": self._modal_value(top["component"], remaining, custom_id),
                    }
                )
        if remaining:
            raise AssertionError(f"modal {custom_id!r} has no field(s) {sorted(remaining)}")
        data: JSON = {"custom_id": custom_id, "components": components}
        source = opener.source_message_id
        message = None
        if source is not None and source in self.fake.state.messages:
            message = self.fake.state.messages[source].snapshot()
        return self._dispatch(
            MODAL_SUBMIT,
            g,
            m,
            opener.channel,
            data,
            locale,
            f"modal {custom_id!r}",
            message=message,
            source_message_id=source,
        )

    def _modal_value(self, component: JSON, remaining: dict[str, Any], modal_id: str) -> JSON:
        field_id = component.get("custom_id")
        ctype = component.get("type")
        if ctype == 4:
            value = remaining.pop(field_id, None)
            if value is None:
                value = component.get("value") or ""
            if not isinstance(value, str):
                raise AssertionError(f"modal {modal_id!r} field {field_id!r} needs a str")
            required = component.get("required", True)
            if required and not value:
                raise AssertionError(f"modal {modal_id!r}: required field {field_id!r} is empty")
            low, high = component.get("min_length"), component.get("max_length")
            if value and (
                (low is not None and len(value) < low) or (high is not None and len(value) > high)
            ):
                raise AssertionError(
                    f"modal {modal_id!r} field {field_id!r}: length {len(value)} "
                    f"outside {low}..{high}"
                )
            return {"type": 4, "id": component.get("id"), "custom_id": field_id, "value": value}
        if ctype == 3:
            chosen = remaining.pop(field_id, [])
            return {
                "type": 3,
                "id": component.get("id"),
                "custom_id": field_id,
                "values": list(chosen),
            }
        return {"type": ctype, "id": component.get("id")}
