"""In-memory model of everything the fake Discord knows about.

One :class:`State` holds the application, the bot user, guilds (with roles, channels and
members), DM channels, messages (with their attachments and edit history), app commands
as last synced, scheduled events and interactions.  Objects serialize themselves into the
JSON shapes Discord's API documents, because discord.py parses exactly those shapes.
"""

from __future__ import annotations

import base64
import copy
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fakediscord.permissions import (
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_MEMBER_PERMISSIONS,
    resolve,
)

#: Discord's epoch (first second of 2015), in milliseconds, used for snowflake timestamps.
DISCORD_EPOCH_MS = 1420070400000

# Channel types (subset).
GUILD_TEXT = 0
DM = 1
GUILD_VOICE = 2
GUILD_CATEGORY = 4
GUILD_ANNOUNCEMENT = 5
GUILD_STAGE_VOICE = 13
GUILD_FORUM = 15

JSON = dict[str, Any]


class SnowflakeFactory:
    """Generates unique, increasing, timestamp-based snowflakes.

    discord.py derives ``created_at`` from snowflakes, so they must carry a real timestamp
    (milliseconds since :data:`DISCORD_EPOCH_MS` in the top 42 bits).
    """

    def __init__(self, worker_id: int = 1, process_id: int = 0) -> None:
        self._worker = worker_id & 0x1F
        self._process = process_id & 0x1F
        self._last_ms = 0
        self._increment = 0

    def next(self) -> int:
        """Return a new snowflake for the current time."""
        ms = int(time.time() * 1000)
        if ms <= self._last_ms:
            ms = self._last_ms
            self._increment += 1
            if self._increment >= 4096:
                ms += 1
                self._increment = 0
        else:
            self._increment = 0
        self._last_ms = ms
        return (
            ((ms - DISCORD_EPOCH_MS) << 22)
            | (self._worker << 17)
            | (self._process << 12)
            | (self._increment)
        )


def snowflake_time(snowflake: int) -> datetime:
    """Return the UTC creation time encoded in ``snowflake``."""
    ms = (int(snowflake) >> 22) + DISCORD_EPOCH_MS
    return datetime.fromtimestamp(ms / 1000, UTC)


def iso_now() -> str:
    """Current time as ISO 8601 with an explicit UTC offset, as Discord writes timestamps."""
    return datetime.now(UTC).isoformat()


def parse_iso(value: str) -> datetime:
    """Parse an ISO 8601 timestamp; a naive one is taken as UTC."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def make_token(bot_id: int) -> str:
    """Build a token shaped like a real bot token: ``<b64 id>.<b64 time>.<b64 hmac>``."""

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    stamp = int(time.time()).to_bytes(6, "big")
    return f"{b64(str(bot_id).encode())}.{b64(stamp)}.{b64(secrets.token_bytes(27))}"


def user_payload(
    user_id: int, username: str, *, bot: bool = False, global_name: str | None = None
) -> JSON:
    """A user object as Discord serializes it (``id`` as a string, ``discriminator`` "0")."""
    data: JSON = {
        "id": str(user_id),
        "username": username,
        "global_name": global_name if global_name is not None else (None if bot else username),
        "discriminator": "0",
        "avatar": None,
        "avatar_decoration_data": None,
        "banner": None,
        "accent_color": None,
        "public_flags": 0,
        "flags": 0,
        "bot": bot,
        "system": False,
        "collectibles": None,
        "display_name_styles": None,
        "primary_guild": None,
        "clan": None,
    }
    return data


@dataclass(eq=False)
class FakeRole:
    """A guild role. The @everyone role has ``id == guild_id``."""

    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    managed: bool = False
    mentionable: bool = False
    tags: JSON | None = None

    def to_dict(self) -> JSON:
        """Role object as in GUILD_CREATE and GET /guilds/{id}/roles."""
        data: JSON = {
            "id": str(self.id),
            "name": self.name,
            "description": None,
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": self.hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.tags is not None:
            data["tags"] = self.tags
        return data


@dataclass(eq=False)
class FakeChannel:
    """A guild channel or a DM channel.

    ``bot_deny`` is a permission bitfield denied to the bot in this channel only (serialized as
    a member permission overwrite), for tests of "the bot cannot post there".
    """

    id: int
    name: str
    type: int = GUILD_TEXT
    guild_id: int | None = None
    position: int = 0
    topic: str | None = None
    parent_id: int | None = None
    bot_deny: int = 0
    recipient: JSON | None = None
    last_message_id: int | None = None

    @property
    def is_dm(self) -> bool:
        """True for a DM channel."""
        return self.type == DM

    def to_dict(self, bot_id: int | None = None) -> JSON:
        """Channel object as in GUILD_CREATE / GET /channels/{id}."""
        if self.is_dm:
            return {
                "id": str(self.id),
                "type": DM,
                "last_message_id": _opt_str(self.last_message_id),
                "flags": 0,
                "recipients": [self.recipient] if self.recipient else [],
            }
        overwrites: list[JSON] = []
        if self.bot_deny and bot_id is not None:
            overwrites.append(
                {"id": str(bot_id), "type": 1, "allow": "0", "deny": str(self.bot_deny)}
            )
        data: JSON = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": _opt_str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": overwrites,
            "parent_id": _opt_str(self.parent_id),
            "flags": 0,
        }
        if self.type in (GUILD_TEXT, GUILD_ANNOUNCEMENT, GUILD_FORUM):
            data.update(
                topic=self.topic,
                nsfw=False,
                rate_limit_per_user=0,
                last_message_id=_opt_str(self.last_message_id),
                last_pin_timestamp=None,
            )
        if self.type in (GUILD_VOICE, GUILD_STAGE_VOICE):
            data.update(
                bitrate=64000, user_limit=0, rtc_region=None, nsfw=False, rate_limit_per_user=0
            )
        return data


@dataclass(eq=False)
class FakeMember:
    """A guild member. ``permissions`` is what the member has on top of its roles."""

    id: int
    guild_id: int
    user: JSON
    roles: list[int] = field(default_factory=list)
    permissions: int = DEFAULT_MEMBER_PERMISSIONS
    locale: str = "en-US"
    joined_at: str = field(default_factory=iso_now)
    nick: str | None = None
    accepts_dms: bool = True

    def to_dict(self, *, with_user: bool = True, permissions: int | None = None) -> JSON:
        """Guild member object; ``permissions`` (a string) only where Discord sends it."""
        data: JSON = {
            "roles": [str(role_id) for role_id in self.roles],
            "joined_at": self.joined_at,
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
            "unusual_dm_activity_until": None,
            "avatar_decoration_data": None,
            "collectibles": None,
        }
        if with_user:
            data["user"] = self.user
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass(eq=False)
class FakeGuild:
    """A guild with its roles, channels, members and scheduled events."""

    id: int
    name: str
    locale: str
    owner_id: int
    bot_permissions: int
    joined_at: str = field(default_factory=iso_now)
    features: list[str] = field(default_factory=list)
    roles: list[FakeRole] = field(default_factory=list)
    channels: list[FakeChannel] = field(default_factory=list)
    members: list[FakeMember] = field(default_factory=list)
    scheduled_events: dict[int, JSON] = field(default_factory=dict)
    bot_role_id: int = 0

    @property
    def everyone(self) -> FakeRole:
        """The @everyone role (its id is the guild id)."""
        return self.role(self.id)

    @property
    def bot_role(self) -> FakeRole:
        """The managed role that carries the bot's permissions."""
        return self.role(self.bot_role_id)

    def role(self, role_id: int) -> FakeRole:
        """Role by id (KeyError if unknown)."""
        for role in self.roles:
            if role.id == int(role_id):
                return role
        raise KeyError(role_id)

    def channel(self, name_or_id: str | int) -> FakeChannel:
        """Channel by name or id (KeyError if unknown)."""
        for channel in self.channels:
            if channel.name == name_or_id or channel.id == name_or_id:
                return channel
        raise KeyError(name_or_id)

    def member(self, member_id: int) -> FakeMember:
        """Member by user id (KeyError if unknown)."""
        for member in self.members:
            if member.id == int(member_id):
                return member
        raise KeyError(member_id)

    def find_member(self, member_id: int) -> FakeMember | None:
        """Member by user id, or None."""
        for member in self.members:
            if member.id == int(member_id):
                return member
        return None

    @property
    def default_channel(self) -> FakeChannel:
        """The first text channel (the "general" channel every fake guild starts with)."""
        for channel in self.channels:
            if channel.type == GUILD_TEXT:
                return channel
        raise LookupError(f"guild {self.id} has no text channel")

    def member_permissions(self, member: FakeMember) -> int:
        """Effective guild permissions of ``member``: @everyone | own bits | its roles."""
        if member.id == self.owner_id:
            return resolve(1 << 3)
        bits = self.everyone.permissions | member.permissions
        for role_id in member.roles:
            try:
                bits |= self.role(role_id).permissions
            except KeyError:
                continue
        return resolve(bits)

    def bot_guild_permissions(self) -> int:
        """Effective guild permissions of the bot (exactly ``bot_permissions``, + ADMIN rule)."""
        return resolve(self.bot_permissions | self.everyone.permissions)

    def bot_channel_permissions(self, channel: FakeChannel) -> int:
        """The bot's permissions in ``channel`` (guild permissions minus ``bot_deny``)."""
        bits = self.bot_guild_permissions()
        if self.bot_permissions & (1 << 3):
            return bits
        return bits & ~channel.bot_deny


@dataclass(eq=False)
class MessageRecord:
    """A message the bot created, with edits applied to ``data``.

    ``files`` maps attachment id to ``(filename, bytes)``; ``history`` holds a snapshot after
    every edit; ``interaction_id`` is set for interaction responses and follow-ups.
    """

    data: JSON
    channel_id: int
    ephemeral: bool = False
    interaction_id: int | None = None
    files: dict[int, tuple[str, bytes]] = field(default_factory=dict)
    history: list[JSON] = field(default_factory=list)
    deleted: bool = False

    @property
    def id(self) -> int:
        """The message id."""
        return int(self.data["id"])

    def snapshot(self) -> JSON:
        """A deep copy of the current message object."""
        return copy.deepcopy(self.data)


class State:
    """Everything the fake knows.  Mutated by REST handlers and by the test-facing API."""

    def __init__(self, *, bot_name: str = "FakeBot", application_name: str | None = None) -> None:
        self.snowflakes = SnowflakeFactory()
        self.application_id: int = self.snowflakes.next()
        self.bot_id: int = self.application_id
        self.bot_user: JSON = user_payload(self.bot_id, bot_name, bot=True)
        self.owner_id: int = self.snowflakes.next()
        self.owner_user: JSON = user_payload(self.owner_id, "app-owner")
        self.token: str = make_token(self.bot_id)
        self.application_name: str = application_name or bot_name
        self.users: dict[int, JSON] = {self.bot_id: self.bot_user, self.owner_id: self.owner_user}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.dm_channels: dict[int, FakeChannel] = {}
        self.messages: dict[int, MessageRecord] = {}
        #: Message nonces sent with enforce_nonce: nonce -> (message id, monotonic time).
        self.nonces: dict[str, tuple[int, float]] = {}
        self.channel_messages: dict[int, list[int]] = {}
        #: app commands by scope: None = global, else guild id.
        self.commands: dict[int | None, list[JSON]] = {}
        self.command_versions: dict[int, int] = {}
        self.attachments: dict[int, tuple[str, bytes, str]] = {}

    def me(self) -> JSON:
        """The bot's own user as GET /users/@me and READY show it (with private fields)."""
        return {
            **self.bot_user,
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "locale": "en-US",
        }

    # ------------------------------------------------------------------ application
    def application(self) -> JSON:
        """Application object as returned by GET /applications/@me and /oauth2/applications/@me."""
        return {
            "id": str(self.application_id),
            "name": self.application_name,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "hook": True,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": 0,
            "owner": self.owner_user,
            "team": None,
            "bot": self.bot_user,
            "rpc_origins": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "tags": [],
            "approximate_guild_count": len(self.guilds),
            "integration_types_config": {"0": {}},
            "install_params": None,
        }

    # ------------------------------------------------------------------ guilds
    def new_guild(
        self,
        name: str,
        *,
        locale: str = "en-US",
        bot_permissions: int | None = None,
        everyone_permissions: int = 0,
        features: list[str] | None = None,
    ) -> FakeGuild:
        """Create a guild with @everyone, the bot's managed role, the bot and the owner as
        members, and a "general" text channel."""
        guild_id = self.snowflakes.next()
        guild = FakeGuild(
            id=guild_id,
            name=name,
            locale=locale,
            owner_id=self.owner_id,
            bot_permissions=DEFAULT_BOT_PERMISSIONS if bot_permissions is None else bot_permissions,
            features=list(features or []),
        )
        guild.roles.append(
            FakeRole(
                id=guild_id, guild_id=guild_id, name="@everyone", permissions=everyone_permissions
            )
        )
        bot_role = FakeRole(
            id=self.snowflakes.next(),
            guild_id=guild_id,
            name=self.bot_user["username"],
            permissions=guild.bot_permissions,
            position=1,
            managed=True,
            tags={"bot_id": str(self.bot_id)},
        )
        guild.roles.append(bot_role)
        guild.bot_role_id = bot_role.id
        guild.members.append(
            FakeMember(
                id=self.bot_id,
                guild_id=guild_id,
                user=self.bot_user,
                roles=[bot_role.id],
                permissions=0,
                joined_at=guild.joined_at,
            )
        )
        guild.members.append(
            FakeMember(
                id=self.owner_id,
                guild_id=guild_id,
                user=self.owner_user,
                permissions=1 << 3,
                locale=locale,
            )
        )
        self.guilds[guild_id] = guild
        self.new_channel(guild, "general")
        return guild

    def new_channel(
        self,
        guild: FakeGuild,
        name: str,
        *,
        type: int = GUILD_TEXT,
        topic: str | None = None,
        bot_deny: int = 0,
        parent_id: int | None = None,
    ) -> FakeChannel:
        """Add a channel to ``guild``."""
        channel = FakeChannel(
            id=self.snowflakes.next(),
            name=name,
            type=type,
            guild_id=guild.id,
            position=len(guild.channels),
            topic=topic,
            bot_deny=bot_deny,
            parent_id=parent_id,
        )
        guild.channels.append(channel)
        self.channels[channel.id] = channel
        return channel

    def new_role(self, guild: FakeGuild, name: str, *, permissions: int = 0) -> FakeRole:
        """Add a role to ``guild``."""
        role = FakeRole(
            id=self.snowflakes.next(),
            guild_id=guild.id,
            name=name,
            permissions=permissions,
            position=len(guild.roles),
        )
        guild.roles.append(role)
        return role

    def new_user(self, username: str, *, bot: bool = False) -> JSON:
        """Create a user (not yet a member of anything)."""
        user_id = self.snowflakes.next()
        user = user_payload(user_id, username, bot=bot)
        self.users[user_id] = user
        return user

    def new_member(
        self,
        guild: FakeGuild,
        username: str,
        *,
        permissions: int | None = None,
        roles: list[int] | None = None,
        locale: str = "en-US",
        nick: str | None = None,
        accepts_dms: bool = True,
        user_id: int | None = None,
    ) -> FakeMember:
        """Add a member to ``guild``; reuses the user when ``user_id`` names an existing one."""
        if user_id is not None and user_id in self.users:
            user = self.users[user_id]
        else:
            user = self.new_user(username)
        for role_id in roles or []:
            guild.role(role_id)  # KeyError early on an unknown role
        member = FakeMember(
            id=int(user["id"]),
            guild_id=guild.id,
            user=user,
            roles=[int(r) for r in roles or []],
            permissions=DEFAULT_MEMBER_PERMISSIONS if permissions is None else permissions,
            locale=locale,
            nick=nick,
            accepts_dms=accepts_dms,
        )
        guild.members.append(member)
        return member

    def guild_payload(self, guild: FakeGuild) -> JSON:
        """Guild object for GET /guilds/{id} (no members/channels, like Discord's REST)."""
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "icon_hash": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(guild.owner_id),
            "region": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "widget_enabled": False,
            "widget_channel_id": None,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [role.to_dict() for role in guild.roles],
            "emojis": [],
            "features": list(guild.features),
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": str(guild.default_channel.id),
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "max_presences": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": guild.locale,
            "public_updates_channel_id": None,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "nsfw_level": 0,
            "nsfw": False,
            "stickers": [],
            "premium_progress_bar_enabled": False,
            "safety_alerts_channel_id": None,
            "incidents_data": None,
        }

    def guild_create_payload(self, guild: FakeGuild, *, all_members: bool) -> JSON:
        """GUILD_CREATE ``d``: the REST guild plus gateway-only fields.

        Like Discord, members are only all included when ``all_members`` (the client has the
        GUILD_PRESENCES intent); otherwise just the bot's own member is sent.
        """
        data = self.guild_payload(guild)
        members = guild.members if all_members else [guild.member(self.bot_id)]
        data.update(
            joined_at=guild.joined_at,
            large=False,
            unavailable=False,
            member_count=len(guild.members),
            voice_states=[],
            members=[member.to_dict() for member in members],
            channels=[channel.to_dict(self.bot_id) for channel in guild.channels],
            threads=[],
            presences=[],
            stage_instances=[],
            guild_scheduled_events=[copy.deepcopy(e) for e in guild.scheduled_events.values()],
            soundboard_sounds=[],
            lazy=True,
            application_command_counts={},
            embedded_activities=[],
            activity_instances=[],
            version=int(time.time() * 1000),
        )
        return data

    # ------------------------------------------------------------------ lookups
    def guild_of_channel(self, channel: FakeChannel) -> FakeGuild | None:
        """The guild a channel belongs to (None for DMs)."""
        return self.guilds.get(channel.guild_id) if channel.guild_id is not None else None

    def dm_channel_for(self, user_id: int) -> FakeChannel:
        """Get or create the DM channel with ``user_id``."""
        channel = self.dm_channels.get(user_id)
        if channel is None:
            channel = FakeChannel(
                id=self.snowflakes.next(), name="", type=DM, recipient=self.users[user_id]
            )
            self.dm_channels[user_id] = channel
            self.channels[channel.id] = channel
        return channel

    def member_anywhere(self, user_id: int) -> FakeMember | None:
        """The first membership of ``user_id`` in any guild."""
        for guild in self.guilds.values():
            member = guild.find_member(user_id)
            if member is not None:
                return member
        return None

    # ------------------------------------------------------------------ messages
    def store_message(self, record: MessageRecord) -> None:
        """Register a new message (visible to ``messages()`` unless ephemeral)."""
        self.messages[record.id] = record
        self.channel_messages.setdefault(record.channel_id, []).append(record.id)
        channel = self.channels.get(record.channel_id)
        if channel is not None and not record.ephemeral:
            channel.last_message_id = record.id

    def channel_history(self, channel_id: int, *, include_interactions: bool = True) -> list[JSON]:
        """Non-deleted, non-ephemeral messages in a channel, oldest first, edits applied."""
        out: list[JSON] = []
        for message_id in self.channel_messages.get(channel_id, []):
            record = self.messages[message_id]
            if record.deleted or record.ephemeral:
                continue
            if not include_interactions and record.interaction_id is not None:
                continue
            out.append(record.snapshot())
        return out


def _opt_str(value: int | None) -> str | None:
    return None if value is None else str(value)
