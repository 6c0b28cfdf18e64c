"""/rights, /history and /snippet: show, search and manage rights and history snippets.

Discord glue only: the language rule and the embeds are in ``render.py``, checking a new
server snippet and finding a topic in ``store.py``, rows in ``db/snippets.py``. Everything is
ephemeral unless ``public:true`` is given by someone who may register walkouts.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands
from sqlalchemy.exc import IntegrityError

from cogs.common.interactions import user_error_text
from cogs.common.services import Services
from cogs.snippets import render
from cogs.snippets.render import resolve_lang
from cogs.snippets.store import (
    check_new_snippet,
    find_topic,
    merged,
    normalize_slug,
    to_snippet,
)
from cogs.snippets.views import AddSnippetModal, RetryView, TopicSelect, topic_view
from core.errors import UserError
from core.permissions import can_register, is_moderator, require_moderator
from core.text import AUTOCOMPLETE_CHOICES_MAX, fit, neutralize
from db import snippets as snippets_db
from messages import t
from messages.snippets import KINDS, Snippet, shipped_snippets
from messages.snippets.search import autocomplete
from messages.snippets.search import search as search_snippets

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


log = logging.getLogger(__name__)

SEARCH_RESULTS = 10
TOPIC_MAX = 100
QUERY_MAX = 100

LANGUAGE_CHOICES = [
    app_commands.Choice(name="English", value="en"),
    app_commands.Choice(name="Español", value="es"),
]
KIND_CHOICES = [
    app_commands.Choice(name="rights", value="rights"),
    app_commands.Choice(name="history", value="history"),
]


def reader_lang(itx: discord.Interaction, option: str | None = None) -> str:
    """The language to answer ``itx`` in (see :func:`render.resolve_lang`)."""
    return resolve_lang(option, itx.locale, itx.guild_locale)


class Snippets(commands.Cog):
    """Know-your-rights and history topics: the shipped ones plus each server's own.

    A student looking something up should not have to announce it, so every answer is
    ephemeral; ``public:true`` posts to the channel and is limited to members who may
    register walkouts (the same rule as ``/walkout register``).
    """

    snippet = app_commands.Group(
        name="snippet",
        description="Search rights and history snippets, or manage this server's own",
        guild_only=True,
    )

    def __init__(self, bot: commands.Bot, services: Services) -> None:
        self.bot = bot
        self.db = services.db
        self.clock = services.clock
        self.guild_config = services.guild_config

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(TopicSelect)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(TopicSelect)

    # ----------------------------------------------------------------- helpers

    async def _pool(self, s: AsyncSession, guild_id: int | None) -> list[Snippet]:
        """Shipped snippets and, in a server, that server's own."""
        own = await snippets_db.list_for_guild(s, guild_id) if guild_id is not None else []
        return merged(shipped_snippets(), [to_snippet(row) for row in own])

    async def _check_public(self, s: AsyncSession, itx: discord.Interaction) -> None:
        assert itx.guild_id is not None
        config = await self.guild_config.get(itx.guild_id)
        allowed = can_register(
            is_mod=is_moderator(itx.permissions.value),
            role_ids=[role.id for role in getattr(itx.user, "roles", [])],
            organizer_role_id=config.organizer_role_id,
        )
        if not allowed:
            raise UserError("error.snippet.public")

    async def _show(
        self,
        itx: discord.Interaction,
        kind: str,
        topic: str | None,
        language: str | None,
        public: bool,
    ) -> None:
        """/rights and /history: one topic, or the index with a menu when no topic is given."""
        if itx.guild_id is None:
            raise UserError("error.guild_only")
        lang = reader_lang(itx, language)
        async with self.db() as s:
            if public:
                await self._check_public(s, itx)
            pool = await self._pool(s, itx.guild_id)
        if topic and topic.strip():
            snippet = find_topic(pool, topic, kind=kind, lang=lang)
            await itx.response.send_message(
                embed=render.snippet_embed(snippet, lang=lang), ephemeral=not public
            )
            return
        entries = render.index_entries(pool, kind=kind, lang=lang)
        extra: dict[str, Any] = {}
        view = topic_view(entries, kind=kind, lang=lang)
        if view is not None:
            extra["view"] = view
        await itx.response.send_message(
            embed=render.index_embed(entries, kind=kind, lang=lang), ephemeral=not public, **extra
        )

    async def open_topic(
        self, itx: discord.Interaction, snippet_id: str, kind: str, index_lang: str
    ) -> None:
        """The index menu: a private index turns into the topic (menu kept, to pick another);
        under a public index the topic goes privately to whoever picked, in their language."""
        if itx.guild_id is None:
            raise UserError("error.guild_only")
        private = itx.message is not None and itx.message.flags.ephemeral
        lang = index_lang if private else reader_lang(itx)
        async with self.db() as s:
            pool = await self._pool(s, itx.guild_id)
        snippet = next((s for s in pool if s.id == snippet_id), None)
        if snippet is None:  # a server snippet removed since the index was shown
            raise UserError("error.snippet.not_found", ref=fit(snippet_id, 60))
        embed = render.snippet_embed(snippet, lang=lang)
        if not private:
            await itx.response.send_message(embed=embed, ephemeral=True)
            return
        view = topic_view(render.index_entries(pool, kind=kind, lang=lang), kind=kind, lang=lang)
        await itx.response.edit_message(embed=embed, view=view)

    async def _topic_choices(
        self, itx: discord.Interaction, current: str, kind: str | None, *, own_only: bool = False
    ) -> list[app_commands.Choice[str]]:
        lang = reader_lang(itx, getattr(itx.namespace, "language", None))
        async with self.db() as s:
            if own_only:
                rows = await snippets_db.list_for_guild(s, itx.guild_id) if itx.guild_id else []
                pool = [to_snippet(row) for row in rows]
            else:
                pool = await self._pool(s, itx.guild_id)
        found = autocomplete(pool, current, lang=lang, kind=kind, limit=AUTOCOMPLETE_CHOICES_MAX)
        return [app_commands.Choice(name=name, value=value) for name, value in found]

    # ------------------------------------------------------------ /rights, /history

    @app_commands.command(
        name="rights",
        description="Know your rights: short answers with sources (only you see them)",
    )
    @app_commands.guild_only()
    @app_commands.describe(
        topic="The topic: start typing, e.g. silence, warrant, school",
        language="English or Spanish (default: your Discord language)",
        public="Post it in the channel for everyone to see",
    )
    @app_commands.choices(language=LANGUAGE_CHOICES)
    async def rights(
        self,
        itx: discord.Interaction,
        topic: app_commands.Range[str, 1, TOPIC_MAX] | None = None,
        language: str | None = None,
        public: bool = False,
    ) -> None:
        await self._show(itx, "rights", topic, language, public)

    @app_commands.command(
        name="history", description="Walkouts, raids and policies: what happened, with sources"
    )
    @app_commands.guild_only()
    @app_commands.describe(
        topic="The topic: start typing, e.g. 2006, blowouts, 287(g)",
        language="English or Spanish (default: your Discord language)",
        public="Post it in the channel for everyone to see",
    )
    @app_commands.choices(language=LANGUAGE_CHOICES)
    async def history(
        self,
        itx: discord.Interaction,
        topic: app_commands.Range[str, 1, TOPIC_MAX] | None = None,
        language: str | None = None,
        public: bool = False,
    ) -> None:
        await self._show(itx, "history", topic, language, public)

    @rights.autocomplete("topic")
    async def rights_topic(
        self, itx: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._topic_choices(itx, current, "rights")

    @history.autocomplete("topic")
    async def history_topic(
        self, itx: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._topic_choices(itx, current, "history")

    # ---------------------------------------------------------------- /snippet

    @snippet.command(
        name="search", description="Search all rights and history snippets, in English and Spanish"
    )
    @app_commands.describe(query="Words to look for, e.g. warrant, huelga, 2006")
    async def search(
        self, itx: discord.Interaction, query: app_commands.Range[str, 1, QUERY_MAX]
    ) -> None:
        lang = reader_lang(itx)
        async with self.db() as s:
            pool = await self._pool(s, itx.guild_id)
        found = [snippet for snippet, _ in search_snippets(pool, query, lang=lang)]
        embed = render.search_embed(found[:SEARCH_RESULTS], query=query, lang=lang)
        await itx.response.send_message(embed=embed, ephemeral=True)

    @snippet.command(name="add", description="Add a snippet for this server only (moderators)")
    @app_commands.describe(
        kind="Rights or history (default: history)",
        language="The language you will write it in (default: yours)",
    )
    @app_commands.choices(kind=KIND_CHOICES, language=LANGUAGE_CHOICES)
    async def add(
        self, itx: discord.Interaction, kind: str = "history", language: str | None = None
    ) -> None:
        require_moderator(itx.permissions.value)
        if itx.guild_id is None:
            raise UserError("error.guild_only")
        modal = AddSnippetModal(
            custom_id=f"snippet:add:{itx.id}",
            kind=kind if kind in KINDS else "history",
            lang=reader_lang(itx, language),
            ui_lang=reader_lang(itx),
        )
        await itx.response.send_modal(modal)

    async def submit_snippet(self, itx: discord.Interaction, modal: AddSnippetModal) -> None:
        """The /snippet add modal was sent: check, store, confirm with a preview; if refused,
        say why and offer to reopen the modal with what was typed."""
        require_moderator(itx.permissions.value)
        if itx.guild_id is None:
            raise UserError("error.guild_only")
        draft = modal.draft()
        try:
            try:
                async with self.db.begin() as s:
                    own = await snippets_db.list_for_guild(s, itx.guild_id)
                    taken = {shipped.id for shipped in shipped_snippets()} | {r.slug for r in own}
                    new = check_new_snippet(
                        slug=draft.slug,
                        title=draft.title,
                        body=draft.body,
                        source=draft.source,
                        keywords=draft.keywords,
                        kind=modal.kind,
                        lang=modal.lang,
                        taken_ids=taken,
                    )
                    row = await snippets_db.add(
                        s,
                        itx.guild_id,
                        slug=new.slug,
                        kind=new.kind,
                        lang=new.lang,
                        title=new.title,
                        body=new.body,
                        source=new.source,
                        keywords=new.keywords,
                        now=self.clock(),
                    )
            except IntegrityError as exc:  # the same id added a moment ago by someone else
                raise UserError("error.snippet.id_taken", id=new.slug) from exc
        except UserError as exc:
            retry = RetryView(kind=modal.kind, lang=modal.lang, ui_lang=modal.ui_lang, draft=draft)
            await itx.response.send_message(
                user_error_text(exc, modal.ui_lang), view=retry, ephemeral=True
            )
            return
        log.info("server %s added snippet %s (%s)", itx.guild_id, row.slug, row.kind)
        snippet = to_snippet(row)
        text = t(
            "snippet.added",
            modal.ui_lang,
            title=fit(snippet.text(row.lang).title, 100),
            id=row.slug,
            command=t(f"snippet.command.{row.kind}", modal.ui_lang),
        )
        await itx.response.send_message(
            text, embed=render.snippet_embed(snippet, lang=modal.ui_lang), ephemeral=True
        )

    @snippet.command(
        name="remove", description="Remove one of this server's own snippets (moderators)"
    )
    @app_commands.describe(snippet="The snippet to remove")
    async def remove(
        self, itx: discord.Interaction, snippet: app_commands.Range[str, 1, TOPIC_MAX]
    ) -> None:
        require_moderator(itx.permissions.value)
        if itx.guild_id is None:
            raise UserError("error.guild_only")
        slug = normalize_slug(snippet)
        async with self.db.begin() as s:
            row = await snippets_db.get(s, itx.guild_id, slug)
            if row is None:
                if any(shipped.id == slug for shipped in shipped_snippets()):
                    raise UserError("error.snippet.shipped", id=slug)
                raise UserError("error.snippet.not_own", id=fit(neutralize(snippet.strip()), 60))
            title = row.title
            await snippets_db.remove(s, itx.guild_id, slug)
        log.info("server %s removed snippet %s", itx.guild_id, slug)
        await itx.response.send_message(
            t("snippet.removed", reader_lang(itx), title=fit(title, 100), id=slug), ephemeral=True
        )

    @remove.autocomplete("snippet")
    async def own_snippet_choices(
        self, itx: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._topic_choices(itx, current, None, own_only=True)
