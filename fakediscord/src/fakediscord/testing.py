"""Helpers for test suites: pointing discord.py at a fake, and polling for a condition.

discord.py keeps its REST base URL and default gateway URL in class attributes, so pointing
it at a fake is process-wide: one fake at a time per process (re-point before each test if
several exist).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from fakediscord.server import FakeDiscord

T = TypeVar("T")


def point_discord_py_at(fake: FakeDiscord) -> Callable[[], None]:
    """Set ``Route.BASE`` and ``DiscordWebSocket.DEFAULT_GATEWAY``; returns a restore function."""
    import discord.http
    import yarl
    from discord.gateway import DiscordWebSocket

    old_base = discord.http.Route.BASE
    old_gateway = DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)

    def restore() -> None:
        discord.http.Route.BASE = old_base
        DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    return restore


async def eventually(check: Callable[[], T], timeout: float = 5.0, interval: float = 0.01) -> T:  # noqa: ASYNC109
    """Poll ``check()`` until it returns something truthy and return that value (a discord.py
    cache updated by a dispatch, a message the bot edits after it has answered...); raises
    AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {check}")
        await asyncio.sleep(interval)
