"""What the cogs receive from ``bot.py``: one small typed object instead of the whole bot.

Cogs get the database, the clock, the pseudonym key, the settings cache, the reminder engine and
the walkout lifecycle hooks from here, never by importing ``bot``; tests build a
:class:`Services` of their own (a frozen clock, a temporary database) and hand it to the cogs
they load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cogs.common.guild_config import GuildConfigCache
from core.clock import Clock
from core.pseudonym import Keyring
from db.engine import Database
from db.reminders import Shards

if TYPE_CHECKING:
    from cogs.reminders.engine import ReminderEngine
    from cogs.walkouts.service import LifecycleHooks


@dataclass(frozen=True)
class Services:
    """The dependencies every cog may use."""

    db: Database
    clock: Clock
    secret: bytes = field(repr=False)  # the current pseudonym key
    guild_config: GuildConfigCache
    reminders: ReminderEngine
    hooks: tuple[LifecycleHooks, ...] = ()
    keyring: Keyring | None = field(default=None, repr=False)

    @property
    def keys(self) -> Keyring:
        """The versioned pseudonym keys (``secret`` read as a :class:`Keyring`)."""
        return self.keyring or Keyring.parse(self.secret)

    @classmethod
    def create(
        cls,
        db: Database,
        *,
        clock: Clock,
        secret: bytes,
        shards: Shards | None = None,
        claim_lease: timedelta | None = None,
    ) -> Services:
        """Everything wired together: the reminder engine, and its planner as the walkout
        lifecycle's hook (reminders move in the same transaction as their walkout)."""
        from cogs.reminders.engine import CLAIM_LEASE, ReminderEngine
        from cogs.reminders.planner import ReminderPlanner

        keyring = Keyring.parse(secret)  # KeyringError for a malformed secret
        guild_config = GuildConfigCache(db)
        engine = ReminderEngine(
            db,
            clock=clock,
            guild_config=guild_config,
            shards=lambda: shards,
            claim_lease=claim_lease or CLAIM_LEASE,
        )
        return cls(
            db=db,
            clock=clock,
            secret=keyring.secret,
            guild_config=guild_config,
            reminders=engine,
            hooks=(ReminderPlanner(engine, guild_config),),
            keyring=keyring,
        )


def services_of(bot: Any) -> Services:
    """The :class:`Services` a bot carries as ``bot.services`` (set before extensions load)."""
    services = getattr(bot, "services", None)
    if not isinstance(services, Services):
        raise RuntimeError("load walkout-bot extensions on a bot that has .services set")
    return services
