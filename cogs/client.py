"""The Discord client: the :class:`WalkoutBot` that ``python bot.py`` runs, and the two helpers
that aim discord.py at a server and say which gateway events it needs.

Only the run path imports this module (``bot.run_bot``, and the end-to-end tests): the operator
commands (``export``, ``db``, ``content check``) never load discord.py, aiohttp or the cogs.
It takes what it needs of the settings as :class:`ClientSettings`, never by importing ``bot``.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import Protocol

import discord
import yarl
from discord.ext import commands
from discord.gateway import DiscordWebSocket

from cogs import EXTENSIONS
from cogs.common.interactions import WalkoutTree
from cogs.common.services import Services
from cogs.common.translator import CatalogTranslator

log = logging.getLogger("walkout")


class ClientSettings(Protocol):
    """What the client reads of ``bot.Settings``."""

    @property
    def guild_id(self) -> int | None: ...

    @property
    def api_base(self) -> str | None: ...

    @property
    def gateway_url(self) -> str | None: ...

    @property
    def shard_id(self) -> int | None: ...

    @property
    def shard_count(self) -> int | None: ...


def point_discord_at(api_base: str | None, gateway_url: str | None) -> None:
    """Aim discord.py at a Discord-compatible server (tests, self-hosted gateways)."""
    if api_base:
        discord.http.Route.BASE = api_base
    if gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def intents() -> discord.Intents:
    """Only what a slash-command bot needs: guild structure. No message content, no members."""
    return discord.Intents(guilds=True)


class WalkoutBot(commands.Bot):
    """The bot: carries the :class:`Services` (database, clock, pseudonym key, settings cache)
    its cogs receive, and owns their lifetime."""

    def __init__(
        self,
        *,
        settings: ClientSettings,
        services: Services,
        sync_commands: bool = True,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents(),
            tree_cls=WalkoutTree,
            allowed_mentions=discord.AllowedMentions.none(),
            shard_id=settings.shard_id,
            shard_count=settings.shard_count,
        )
        self.settings = settings
        self.services = services
        self.sync_commands = sync_commands
        self.synced = asyncio.Event()

    async def login(self, token: str) -> None:
        await super().login(token)
        if self.settings.api_base and not self.settings.gateway_url:
            # A Discord-compatible server tells us its gateway, like Discord does.
            data = await self.http.request(discord.http.Route("GET", "/gateway"))
            point_discord_at(None, data["url"])

    async def setup_hook(self) -> None:
        from cogs.walkouts.service import sweep_pending
        from cogs.walkouts.when import warm_up

        # dateparser builds its language data on first use; do it now, not in a 3 s window.
        await asyncio.to_thread(warm_up)
        await sweep_pending(self.services.db, now=self.services.clock())
        await self.tree.set_translator(CatalogTranslator())
        for ext in EXTENSIONS:
            await self.load_extension(ext)
        if self.sync_commands and not self.settings.shard_id:  # one process syncs: shard 0
            await self.sync_app_commands()
        self.synced.set()

    async def sync_app_commands(self) -> None:
        if self.settings.guild_id:
            guild = discord.Object(id=self.settings.guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to server %s", len(synced), self.settings.guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands", len(synced))

    async def on_ready(self) -> None:
        log.info("ready as %s in %d server(s)", self.user, len(self.guilds))
        # The guild cache and everything loaded at start-up live as long as the process: move
        # them out of the collector's way, so a full collection (which would scan them all, some
        # 300 ms with 500 servers) never pauses a burst of reminder posts.
        gc.collect()
        gc.freeze()

    async def close(self) -> None:
        await super().close()
        await self.services.db.dispose()
