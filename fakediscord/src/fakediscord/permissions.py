"""Discord permission bits, as documented in the Permissions topic of the API docs.

The fake uses them to compute ``app_permissions``/member ``permissions`` in interaction
payloads and to decide when a REST call is answered with 403 code 50013 (Missing Permissions).
"""

from __future__ import annotations

from enum import IntFlag


class Permission(IntFlag):
    """Permission bit flags (``1 << n``) used in Discord's permission bitfields."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    PRIORITY_SPEAKER = 1 << 8
    STREAM = 1 << 9
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    VIEW_GUILD_INSIGHTS = 1 << 19
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    MUTE_MEMBERS = 1 << 22
    DEAFEN_MEMBERS = 1 << 23
    MOVE_MEMBERS = 1 << 24
    USE_VAD = 1 << 25
    CHANGE_NICKNAME = 1 << 26
    MANAGE_NICKNAMES = 1 << 27
    MANAGE_ROLES = 1 << 28
    MANAGE_WEBHOOKS = 1 << 29
    MANAGE_GUILD_EXPRESSIONS = 1 << 30
    USE_APPLICATION_COMMANDS = 1 << 31
    REQUEST_TO_SPEAK = 1 << 32
    MANAGE_EVENTS = 1 << 33
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    USE_EXTERNAL_STICKERS = 1 << 37
    SEND_MESSAGES_IN_THREADS = 1 << 38
    USE_EMBEDDED_ACTIVITIES = 1 << 39
    MODERATE_MEMBERS = 1 << 40
    VIEW_CREATOR_MONETIZATION_ANALYTICS = 1 << 41
    USE_SOUNDBOARD = 1 << 42
    CREATE_GUILD_EXPRESSIONS = 1 << 43
    CREATE_EVENTS = 1 << 44
    USE_EXTERNAL_SOUNDS = 1 << 45
    SEND_VOICE_MESSAGES = 1 << 46
    SEND_POLLS = 1 << 49
    USE_EXTERNAL_APPS = 1 << 50


ALL_PERMISSIONS: int = 0
for _flag in Permission:
    ALL_PERMISSIONS |= int(_flag)

#: What the bot gets in a guild unless ``bot_permissions`` is given: enough to post, embed,
#: attach and manage scheduled events, i.e. what a typical invite link for this project asks for.
DEFAULT_BOT_PERMISSIONS: int = int(
    Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.USE_EXTERNAL_EMOJIS
    | Permission.ADD_REACTIONS
    | Permission.SEND_MESSAGES_IN_THREADS
    | Permission.CREATE_EVENTS
    | Permission.MANAGE_EVENTS
)

#: What an ordinary member gets unless ``permissions`` is given to ``add_member``.
DEFAULT_MEMBER_PERMISSIONS: int = int(
    Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.ADD_REACTIONS
    | Permission.USE_APPLICATION_COMMANDS
    | Permission.USE_EXTERNAL_EMOJIS
    | Permission.CHANGE_NICKNAME
)


def resolve(bits: int) -> int:
    """Return ``bits`` with ADMINISTRATOR expanded to every permission, like Discord does."""
    return ALL_PERMISSIONS if bits & Permission.ADMINISTRATOR else bits


def has_any(bits: int, *needed: int) -> bool:
    """True when ``bits`` (after ADMINISTRATOR expansion) contains at least one of ``needed``."""
    resolved = resolve(bits)
    return any(resolved & flag == flag for flag in needed)


def has_all(bits: int, *needed: int) -> bool:
    """True when ``bits`` (after ADMINISTRATOR expansion) contains every flag in ``needed``."""
    resolved = resolve(bits)
    return all(resolved & flag == flag for flag in needed)
