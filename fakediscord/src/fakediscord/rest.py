"""REST handlers for users, gateway info, the application and its commands, channels and
messages, guilds, members, DMs and scheduled events.

Interaction callbacks and webhook follow-ups live in :mod:`fakediscord.interactions`.
Bodies reaching a handler have already been checked against the spec and the generic limits
(see :mod:`fakediscord.server`); handlers enforce state-dependent rules: permissions
(403 code 50013), unknown objects (404 1000x), empty messages (50006), the 100-event limit
(30038) and scheduled-event field rules.
"""

from __future__ import annotations

import copy
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from fakediscord import limits
from fakediscord.gateway import GUILD_SCHEDULED_EVENTS
from fakediscord.message_store import create_message, delete_message, edit_message
from fakediscord.permissions import Permission, has_all, has_any
from fakediscord.routing import (
    ROUTES,
    UNKNOWN_APPLICATION,
    UNKNOWN_CHANNEL,
    UNKNOWN_COMMAND,
    UNKNOWN_EVENT,
    UNKNOWN_GUILD,
    UNKNOWN_MEMBER,
    UNKNOWN_MESSAGE,
    UNKNOWN_USER,
    ApiError,
    RestRequest,
    RestResponse,
    missing_permissions,
    no_content,
    ok,
)
from fakediscord.spec import Issue
from fakediscord.state import FakeChannel, FakeGuild, MessageRecord

if TYPE_CHECKING:
    from fakediscord.server import FakeDiscord

JSON = dict[str, Any]


# =========================================================================== helpers
def _guild(fake: FakeDiscord, req: RestRequest) -> FakeGuild:
    guild_id = req.snowflake("guild_id", UNKNOWN_GUILD)
    guild = fake.state.guilds.get(guild_id)
    if guild is None:
        raise ApiError(404, *UNKNOWN_GUILD)
    return guild


def _channel(fake: FakeDiscord, req: RestRequest, *, check_view: bool = True) -> FakeChannel:
    channel_id = req.snowflake("channel_id", UNKNOWN_CHANNEL)
    channel = fake.state.channels.get(channel_id)
    if channel is None:
        raise ApiError(404, *UNKNOWN_CHANNEL)
    guild = fake.state.guild_of_channel(channel)
    if (
        check_view
        and guild is not None
        and not has_all(guild.bot_channel_permissions(channel), Permission.VIEW_CHANNEL)
    ):
        raise ApiError(403, 50001, "Missing Access")
    return channel


def _message(fake: FakeDiscord, req: RestRequest, channel: FakeChannel) -> MessageRecord:
    message_id = req.snowflake("message_id", UNKNOWN_MESSAGE)
    record = fake.state.messages.get(message_id)
    if record is None or record.deleted or record.channel_id != channel.id or record.ephemeral:
        raise ApiError(404, *UNKNOWN_MESSAGE)
    return record


def _check_app(fake: FakeDiscord, req: RestRequest) -> None:
    if req.params.get("application_id") != str(fake.state.application_id):
        raise ApiError(404, *UNKNOWN_APPLICATION)


def _body(req: RestRequest) -> JSON:
    return req.json if isinstance(req.json, dict) else {}


# =========================================================================== users & gateway
@ROUTES.route("GET", "/users/@me")
async def get_me(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """The bot user."""
    return ok(fake.state.me())


@ROUTES.route("GET", "/users/{user_id}")
async def get_user(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """Any known user."""
    user = fake.state.users.get(req.snowflake("user_id", UNKNOWN_USER))
    if user is None:
        raise ApiError(404, *UNKNOWN_USER)
    return ok(user)


@ROUTES.route("GET", "/users/@me/guilds")
async def get_my_guilds(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """Partial guilds the bot is in."""
    return ok(
        [
            {
                "id": str(g.id),
                "name": g.name,
                "icon": None,
                "banner": None,
                "owner": False,
                "permissions": str(g.bot_guild_permissions()),
                "features": list(g.features),
            }
            for g in fake.state.guilds.values()
        ]
    )


@ROUTES.route("POST", "/users/@me/channels")
async def create_dm(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """Open (or get) the DM channel with ``recipient_id``."""
    recipient = _body(req).get("recipient_id")
    try:
        user_id = int(recipient)
    except (TypeError, ValueError):
        raise ApiError(400, 50033, "Invalid Recipient(s)") from None
    user = fake.state.users.get(user_id)
    if user is None or user_id == fake.state.bot_id:
        raise ApiError(400, 50033, "Invalid Recipient(s)")
    return ok(fake.state.dm_channel_for(user_id).to_dict())


@ROUTES.route("GET", "/gateway")
async def get_gateway(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """The gateway URL."""
    return ok({"url": fake.gateway_base})


@ROUTES.route("GET", "/gateway/bot")
async def get_gateway_bot(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """Gateway URL, shard count and session start limits."""
    return ok(
        {
            "url": fake.gateway_base,
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 14_400_000,
                "max_concurrency": 1,
            },
        }
    )


@ROUTES.route("GET", "/applications/@me")
@ROUTES.route("GET", "/oauth2/applications/@me")
async def get_application(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """The application object."""
    return ok(fake.state.application())


# =========================================================================== app commands
def _scope(fake: FakeDiscord, req: RestRequest) -> int | None:
    _check_app(fake, req)
    if "guild_id" not in req.params:
        return None
    guild_id = req.snowflake("guild_id", UNKNOWN_GUILD)
    if guild_id not in fake.state.guilds:
        raise ApiError(403, 50001, "Missing Access")
    return guild_id


def _stored_command(
    fake: FakeDiscord, body: JSON, scope: int | None, existing: JSON | None
) -> JSON:
    command_id = int(existing["id"]) if existing else fake.state.snowflakes.next()
    version = fake.state.snowflakes.next()
    permissions = body.get("default_member_permissions")
    command: JSON = {
        "id": str(command_id),
        "application_id": str(fake.state.application_id),
        "version": str(version),
        "default_member_permissions": None if permissions is None else str(permissions),
        "type": body.get("type") or 1,
        "name": body.get("name"),
        "name_localizations": body.get("name_localizations"),
        "description": body.get("description") or "",
        "description_localizations": body.get("description_localizations"),
        "nsfw": bool(body.get("nsfw", False)),
    }
    if scope is None:
        command["dm_permission"] = body.get("dm_permission", True)
        command["contexts"] = body.get("contexts")
        command["integration_types"] = body.get("integration_types") or [0]
    else:
        command["guild_id"] = str(scope)
    if body.get("options"):
        command["options"] = copy.deepcopy(body["options"])
    if body.get("handler") is not None:
        command["handler"] = body["handler"]
    return command


def _find_command(fake: FakeDiscord, scope: int | None, command_id: str) -> JSON:
    for command in fake.state.commands.get(scope, []):
        if command["id"] == command_id:
            return command
    raise ApiError(404, *UNKNOWN_COMMAND)


def _commands_changed(fake: FakeDiscord, scope: int | None) -> None:
    fake.notify_commands(scope)


@ROUTES.route("GET", "/applications/{application_id}/commands")
@ROUTES.route("GET", "/applications/{application_id}/guilds/{guild_id}/commands")
async def list_commands(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """The stored commands of a scope."""
    scope = _scope(fake, req)
    return ok(copy.deepcopy(fake.state.commands.get(scope, [])))


@ROUTES.route("PUT", "/applications/{application_id}/commands")
@ROUTES.route("PUT", "/applications/{application_id}/guilds/{guild_id}/commands")
async def bulk_overwrite_commands(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """Replace all commands of a scope; ids are kept for unchanged (type, name) pairs."""
    scope = _scope(fake, req)
    body = req.json if isinstance(req.json, list) else []
    old = {(c["type"], c["name"]): c for c in fake.state.commands.get(scope, [])}
    stored = [
        _stored_command(fake, item, scope, old.get((item.get("type") or 1, item.get("name"))))
        for item in body
        if isinstance(item, dict)
    ]
    fake.state.commands[scope] = stored
    _commands_changed(fake, scope)
    return ok(copy.deepcopy(stored))


@ROUTES.route("POST", "/applications/{application_id}/commands")
@ROUTES.route("POST", "/applications/{application_id}/guilds/{guild_id}/commands")
async def upsert_command(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """Create a command, or overwrite the one with the same type and name."""
    scope = _scope(fake, req)
    body = _body(req)
    commands = fake.state.commands.setdefault(scope, [])
    key = (body.get("type") or 1, body.get("name"))
    existing = next((c for c in commands if (c["type"], c["name"]) == key), None)
    command = _stored_command(fake, body, scope, existing)
    if existing is not None:
        commands[commands.index(existing)] = command
    else:
        counts = sum(1 for c in commands if c["type"] == key[0])
        maximum = {1: limits.GLOBAL_CHAT_INPUT_MAX}.get(key[0], limits.USER_COMMANDS_MAX)
        if counts >= maximum:
            raise ApiError(400, 30032, "Maximum number of application commands reached")
        commands.append(command)
    _commands_changed(fake, scope)
    return ok(copy.deepcopy(command), status=200 if existing else 201)


@ROUTES.route("GET", "/applications/{application_id}/commands/{command_id}")
@ROUTES.route("GET", "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}")
async def get_command(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """One command."""
    scope = _scope(fake, req)
    return ok(copy.deepcopy(_find_command(fake, scope, req.params["command_id"])))


@ROUTES.route("PATCH", "/applications/{application_id}/commands/{command_id}")
@ROUTES.route("PATCH", "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}")
async def edit_command(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """Edit one command (the merged result must pass the command limits)."""
    scope = _scope(fake, req)
    existing = _find_command(fake, scope, req.params["command_id"])
    merged = {**existing, **_body(req)}
    fake.check_issues(req, limits.check_command(merged))
    command = _stored_command(fake, merged, scope, existing)
    commands = fake.state.commands[scope]
    commands[commands.index(existing)] = command
    _commands_changed(fake, scope)
    return ok(copy.deepcopy(command))


@ROUTES.route("DELETE", "/applications/{application_id}/commands/{command_id}")
@ROUTES.route("DELETE", "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}")
async def delete_command(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """Delete one command."""
    scope = _scope(fake, req)
    existing = _find_command(fake, scope, req.params["command_id"])
    fake.state.commands[scope].remove(existing)
    _commands_changed(fake, scope)
    return no_content()


# =========================================================================== channels & messages
@ROUTES.route("GET", "/channels/{channel_id}")
async def get_channel(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """A guild or DM channel."""
    channel = _channel(fake, req)
    return ok(channel.to_dict(fake.state.bot_id))


@ROUTES.route("POST", "/channels/{channel_id}/typing")
async def trigger_typing(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """Typing indicator: accepted and ignored."""
    _channel(fake, req)
    return no_content()


def _require_send(fake: FakeDiscord, channel: FakeChannel, req: RestRequest) -> None:
    guild = fake.state.guild_of_channel(channel)
    if guild is None:
        recipient = channel.recipient or {}
        member = fake.state.member_anywhere(int(recipient.get("id", 0)))
        if member is not None and not member.accepts_dms:
            raise ApiError(403, 50007, "Cannot send messages to this user")
        return
    bits = guild.bot_channel_permissions(channel)
    if not has_all(bits, Permission.VIEW_CHANNEL, Permission.SEND_MESSAGES):
        raise missing_permissions()
    if req.files and not has_all(bits, Permission.ATTACH_FILES):
        raise missing_permissions()


def _is_empty_message(body: JSON, req: RestRequest) -> bool:
    return not (
        body.get("content")
        or body.get("embeds")
        or body.get("components")
        or body.get("sticker_ids")
        or body.get("poll")
        or req.files
    )


@ROUTES.route("POST", "/channels/{channel_id}/messages")
async def post_message(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """Send a message as the bot (403 code 50013 without VIEW_CHANNEL + SEND_MESSAGES)."""
    channel = _channel(fake, req, check_view=False)
    _require_send(fake, channel, req)
    body = _body(req)
    if _is_empty_message(body, req):
        raise ApiError(400, 50006, "Cannot send an empty message", violation="empty message")
    nonce = body.get("nonce")
    if nonce is not None and body.get("enforce_nonce"):
        # Discord: a message the same author created with this nonce in the last few minutes
        # is returned instead of creating another.
        seen = fake.state.nonces.get(str(nonce))
        if seen is not None and time.monotonic() - seen[1] <= fake.nonce_window:
            existing = fake.state.messages.get(seen[0])
            if existing is not None:
                return ok(existing.snapshot())
    record = create_message(fake, channel, body, req.files)
    if nonce is not None:
        fake.state.nonces[str(nonce)] = (record.id, time.monotonic())
    return ok(record.snapshot())


@ROUTES.route("GET", "/channels/{channel_id}/messages")
async def list_messages(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """The bot's messages in a channel, newest first (``limit``, ``before``, ``after``)."""
    channel = _channel(fake, req)
    guild = fake.state.guild_of_channel(channel)
    if guild is not None and not has_all(
        guild.bot_channel_permissions(channel), Permission.READ_MESSAGE_HISTORY
    ):
        return ok([])
    messages = list(reversed(fake.state.channel_history(channel.id)))
    before, after = req.query.get("before"), req.query.get("after")
    if before and before.isdigit():
        messages = [m for m in messages if int(m["id"]) < int(before)]
    if after and after.isdigit():
        messages = [m for m in messages if int(m["id"]) > int(after)]
    limit = req.query.get("limit", "50")
    return ok(messages[: max(1, min(100, int(limit) if limit.isdigit() else 50))])


@ROUTES.route("GET", "/channels/{channel_id}/messages/{message_id}")
async def get_message(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """One message."""
    channel = _channel(fake, req)
    return ok(_message(fake, req, channel).snapshot())


@ROUTES.route("PATCH", "/channels/{channel_id}/messages/{message_id}")
async def patch_message(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """Edit one of the bot's messages."""
    channel = _channel(fake, req)
    record = _message(fake, req, channel)
    return ok(edit_message(fake, record, _body(req), req.files))


@ROUTES.route("DELETE", "/channels/{channel_id}/messages/{message_id}")
async def remove_message(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """Delete one of the bot's messages."""
    channel = _channel(fake, req)
    record = _message(fake, req, channel)
    delete_message(fake, record)
    return no_content()


# =========================================================================== guilds & members
@ROUTES.route("GET", "/guilds/{guild_id}")
async def get_guild(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """The guild (``with_counts`` adds approximate counts)."""
    guild = _guild(fake, req)
    data = fake.state.guild_payload(guild)
    if req.flag("with_counts"):
        data["approximate_member_count"] = len(guild.members)
        data["approximate_presence_count"] = 0
    return ok(data)


@ROUTES.route("GET", "/guilds/{guild_id}/channels")
async def get_guild_channels(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """All channels of the guild."""
    guild = _guild(fake, req)
    return ok([c.to_dict(fake.state.bot_id) for c in guild.channels])


@ROUTES.route("GET", "/guilds/{guild_id}/roles")
async def get_guild_roles(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """All roles of the guild."""
    guild = _guild(fake, req)
    return ok([r.to_dict() for r in guild.roles])


@ROUTES.route("GET", "/guilds/{guild_id}/members/{user_id}")
async def get_member(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """One member."""
    guild = _guild(fake, req)
    member = guild.find_member(req.snowflake("user_id", UNKNOWN_MEMBER))
    if member is None:
        raise ApiError(404, *UNKNOWN_MEMBER)
    return ok(member.to_dict())


@ROUTES.route("GET", "/guilds/{guild_id}/members")
async def list_members(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """Members ordered by id (``limit``, ``after``)."""
    guild = _guild(fake, req)
    members = sorted(guild.members, key=lambda m: m.id)
    after = req.query.get("after")
    if after and after.isdigit():
        members = [m for m in members if m.id > int(after)]
    limit = req.query.get("limit", "1")
    return ok([m.to_dict() for m in members[: int(limit) if limit.isdigit() else 1]])


# =========================================================================== scheduled events
def _uncompleted(guild: FakeGuild) -> int:
    return sum(1 for e in guild.scheduled_events.values() if e["status"] in (1, 2))


def _event(fake: FakeDiscord, req: RestRequest, guild: FakeGuild) -> JSON:
    event_id = req.snowflake("guild_scheduled_event_id", UNKNOWN_EVENT)
    event = guild.scheduled_events.get(event_id)
    if event is None:
        raise ApiError(404, *UNKNOWN_EVENT)
    return event


def _can_manage_event(guild: FakeGuild, event: JSON, bot_id: int) -> bool:
    bits = guild.bot_guild_permissions()
    if event.get("creator_id") == str(bot_id):
        return has_any(bits, Permission.CREATE_EVENTS, Permission.MANAGE_EVENTS)
    return has_any(bits, Permission.MANAGE_EVENTS)


def _channel_types(guild: FakeGuild) -> dict[str, int]:
    return {str(c.id): c.type for c in guild.channels}


def _event_payload(fake: FakeDiscord, guild: FakeGuild, event: JSON, with_count: bool) -> JSON:
    data = copy.deepcopy(event)
    if not with_count:
        data.pop("user_count", None)
    return data


def new_scheduled_event(
    fake: FakeDiscord, guild: FakeGuild, body: JSON, creator: JSON | None
) -> JSON:
    """Build and store a scheduled event object (used by the route and by test helpers)."""
    event_id = fake.state.snowflakes.next()
    entity_type = body.get("entity_type")
    channel_id = body.get("channel_id")
    event: JSON = {
        "id": str(event_id),
        "guild_id": str(guild.id),
        "channel_id": None if entity_type == 3 or channel_id is None else str(channel_id),
        "creator_id": creator["id"] if creator else None,
        "name": body.get("name"),
        "description": body.get("description"),
        "scheduled_start_time": _norm_time(body.get("scheduled_start_time")),
        "scheduled_end_time": _norm_time(body.get("scheduled_end_time")),
        "privacy_level": body.get("privacy_level", 2),
        "status": body.get("status", 1),
        "entity_type": entity_type,
        "entity_id": None,
        "entity_metadata": copy.deepcopy(body.get("entity_metadata")) if entity_type == 3 else None,
        "user_count": 0,
        "image": None,
        "recurrence_rule": copy.deepcopy(body.get("recurrence_rule")),
        "auto_start": False,
        "guild_scheduled_event_exceptions": [],
    }
    if creator is not None:
        event["creator"] = creator
    guild.scheduled_events[event_id] = event
    fake.gateway.dispatch(
        "GUILD_SCHEDULED_EVENT_CREATE", copy.deepcopy(event), intent=GUILD_SCHEDULED_EVENTS
    )
    return event


def _norm_time(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat()


@ROUTES.route("GET", "/guilds/{guild_id}/scheduled-events")
async def list_events(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """All scheduled events of the guild."""
    guild = _guild(fake, req)
    with_count = req.flag("with_user_count")
    return ok([_event_payload(fake, guild, e, with_count) for e in guild.scheduled_events.values()])


@ROUTES.route("POST", "/guilds/{guild_id}/scheduled-events")
async def create_event(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """Create an event: needs CREATE_EVENTS or MANAGE_EVENTS; at most 100 uncompleted."""
    guild = _guild(fake, req)
    body = _body(req)
    fake.check_issues(
        req,
        limits.check_scheduled_event(body, channel_types=_channel_types(guild), now=fake.clock()),
    )
    if not has_any(
        guild.bot_guild_permissions(), Permission.CREATE_EVENTS, Permission.MANAGE_EVENTS
    ):
        raise missing_permissions()
    if _uncompleted(guild) >= limits.EVENTS_UNCOMPLETED_MAX:
        raise ApiError(
            400, 30038, "Maximum number of uncompleted guild scheduled events reached (100)"
        )
    event = new_scheduled_event(fake, guild, body, fake.state.bot_user)
    return ok(_event_payload(fake, guild, event, False))


@ROUTES.route("GET", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}")
async def get_event(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """One scheduled event."""
    guild = _guild(fake, req)
    return ok(_event_payload(fake, guild, _event(fake, req, guild), req.flag("with_user_count")))


_TRANSITIONS = {(1, 2), (2, 3), (1, 4)}


@ROUTES.route("PATCH", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}")
async def modify_event(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """Modify an event (own: CREATE_EVENTS or MANAGE_EVENTS; others': MANAGE_EVENTS)."""
    guild = _guild(fake, req)
    event = _event(fake, req, guild)
    body = _body(req)
    fake.check_issues(
        req,
        limits.check_scheduled_event(
            body, existing=event, channel_types=_channel_types(guild), now=fake.clock()
        ),
    )
    if not _can_manage_event(guild, event, fake.state.bot_id):
        raise missing_permissions()
    old_status, new_status = event["status"], body.get("status", event["status"])
    if new_status != old_status and (old_status, new_status) not in _TRANSITIONS:
        issue = Issue(
            ("status",),
            "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION",
            f"Cannot change status from {old_status} to {new_status}.",
            source="docs",
        )
        fake.check_issues(req, [issue])
    for key in ("name", "description", "privacy_level", "status", "entity_type", "recurrence_rule"):
        if key in body:
            event[key] = copy.deepcopy(body[key])
    for key in ("scheduled_start_time", "scheduled_end_time"):
        if key in body:
            event[key] = _norm_time(body[key])
    if "channel_id" in body:
        event["channel_id"] = None if body["channel_id"] is None else str(body["channel_id"])
    if "entity_metadata" in body:
        event["entity_metadata"] = (
            copy.deepcopy(body["entity_metadata"]) if event["entity_type"] == 3 else None
        )
    fake.gateway.dispatch(
        "GUILD_SCHEDULED_EVENT_UPDATE", copy.deepcopy(event), intent=GUILD_SCHEDULED_EVENTS
    )
    return ok(_event_payload(fake, guild, event, False))


@ROUTES.route("DELETE", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}")
async def remove_event(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """Delete an event (same permission rule as modify)."""
    guild = _guild(fake, req)
    event = _event(fake, req, guild)
    if not _can_manage_event(guild, event, fake.state.bot_id):
        raise missing_permissions()
    del guild.scheduled_events[int(event["id"])]
    fake.gateway.dispatch(
        "GUILD_SCHEDULED_EVENT_DELETE", copy.deepcopy(event), intent=GUILD_SCHEDULED_EVENTS
    )
    return no_content()
