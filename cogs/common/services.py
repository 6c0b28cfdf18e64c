"""What the cogs receive from ``bot.py``: one small typed object instead of the whole bot.

Cogs get the database, the clock, the pseudonym key and the settings cache from here, never by
importing ``bot``; tests build a :class:`Services` of their own (a frozen clock, a temporary
database) and hand it to the cogs they load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cogs.common.guild_config import GuildConfigCache
from core.clock import Clock
from db.engine import Database


@dataclass(frozen=True)
class Services:
    """The dependencies every cog may use."""

    db: Database
    clock: Clock
    secret: bytes = field(repr=False)
    guild_config: GuildConfigCache

    @classmethod
    def create(cls, db: Database, *, clock: Clock, secret: bytes) -> Services:
        return cls(db=db, clock=clock, secret=secret, guild_config=GuildConfigCache(db))


def services_of(bot: Any) -> Services:
    """The :class:`Services` a bot carries as ``bot.services`` (set before extensions load)."""
    services = getattr(bot, "services", None)
    if not isinstance(services, Services):
        raise RuntimeError("load walkout-bot extensions on a bot that has .services set")
    return services
