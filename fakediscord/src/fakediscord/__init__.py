"""fakediscord: a Discord-compatible server (gateway + REST API v10) for tests and benchmarks.

Point an unmodified discord.py client at it with :func:`point_discord_py_at`, drive it with
``invoke``/``click``/``submit_modal``..., and assert on what the bot sent and on
:attr:`FakeDiscord.violations`.  See README.md in this package.
"""

from fakediscord.interactions import InteractionHandle, InteractionTimeout
from fakediscord.permissions import (
    ALL_PERMISSIONS,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_MEMBER_PERMISSIONS,
    Permission,
)
from fakediscord.server import FakeDiscord, RequestLog
from fakediscord.state import FakeChannel, FakeGuild, FakeMember, FakeRole, snowflake_time
from fakediscord.testing import eventually, point_discord_py_at

__all__ = [
    "ALL_PERMISSIONS",
    "DEFAULT_BOT_PERMISSIONS",
    "DEFAULT_MEMBER_PERMISSIONS",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeMember",
    "FakeRole",
    "InteractionHandle",
    "InteractionTimeout",
    "Permission",
    "RequestLog",
    "eventually",
    "point_discord_py_at",
    "snowflake_time",
]
