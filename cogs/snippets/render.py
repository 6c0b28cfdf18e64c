"""Embeds for snippets, topic indexes and search results. Pure: snippets and a language in,
``discord.Embed`` out, always within Discord's limits.

Two languages are in play: ``lang`` is the reader's (the ``language`` option, else their
Discord locale, else the server's; see :func:`resolve_lang`) and decides every label, note and
footer; the snippet's text is in ``lang`` too, except a server snippet, which exists in one
language only and says so in its footer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import discord

from core import text as limits
from core.text import fit, neutralize
from messages import DEFAULT_LANG, normalize_locale, t
from messages.snippets.model import Snippet, sources_text
from messages.snippets.search import fold

__all__ = [
    "COLORS",
    "INDEX_LINE_TITLE_MAX",
    "index_embed",
    "index_entries",
    "resolve_lang",
    "search_embed",
    "shown_lang",
    "snippet_embed",
]

COLORS: dict[str, discord.Colour] = {
    "rights": discord.Colour(0xC62828),
    "history": discord.Colour(0x6D4C41),
}
COLOR_SEARCH = discord.Colour(0x1565C0)
INDEX_LINE_TITLE_MAX = 100
SEARCH_QUERY_SHOWN_MAX = 80


def resolve_lang(
    option: str | None, user_locale: object | None, guild_locale: object | None
) -> str:
    """The reader's language: the ``language`` option, else their Discord locale, else the
    server's (``guild_locale``), else English: the first of them we have a catalog for."""
    for candidate in (option, user_locale, guild_locale):
        lang = normalize_locale(candidate, default=None)
        if lang is not None:
            return lang
    return DEFAULT_LANG


def shown_lang(snippet: Snippet, lang: str) -> str:
    """The language the snippet's text is shown in when ``lang`` is asked for."""
    if lang in snippet.texts:
        return lang
    if DEFAULT_LANG in snippet.texts:
        return DEFAULT_LANG
    return next(iter(snippet.texts))


def _footer(snippet: Snippet, lang: str) -> str:
    lines = []
    if snippet.needs_legal_notice:
        lines.append(t("snippet.legal_notice", lang))
    date = snippet.checked.isoformat()
    if snippet.origin == "guild":
        language = t(f"snippet.lang.{shown_lang(snippet, lang)}", lang)
        lines.append(t("snippet.embed.server", lang, date=date, language=language))
    else:
        lines.append(t("snippet.embed.checked", lang, date=date))
    return fit("\n".join(lines), limits.FOOTER_MAX)


def snippet_embed(snippet: Snippet, *, lang: str) -> discord.Embed:
    """One topic: title, body, sources, and a footer with the legal notice (rights only), the
    date the facts were checked, and for a server snippet a note on who added it and its
    language. The body is cut (with "…") only if the whole embed would pass 6,000 characters."""
    text = snippet.text(shown_lang(snippet, lang))
    title = fit(text.title, limits.EMBED_TITLE_MAX)
    sources_name = t("snippet.embed.sources", lang)
    sources = fit(sources_text(snippet), limits.FIELD_VALUE_MAX)
    footer = _footer(snippet, lang)
    room = limits.EMBED_TOTAL_MAX - len(title) - len(sources_name) - len(sources) - len(footer)
    embed = discord.Embed(
        title=title,
        description=fit(text.body, min(limits.EMBED_DESCRIPTION_MAX, room)),
        colour=COLORS.get(snippet.kind, COLOR_SEARCH),
    )
    if sources:
        embed.add_field(name=sources_name, value=sources, inline=False)
    embed.set_footer(text=footer)
    return embed


def _title_key(snippet: Snippet, lang: str) -> tuple[str, str]:
    return fold(snippet.text(shown_lang(snippet, lang)).title), snippet.id


def index_entries(snippets: Iterable[Snippet], *, kind: str, lang: str) -> list[Snippet]:
    """The topics of ``kind`` in index order: shipped ones by title, then the server's own."""
    pool = [s for s in snippets if s.kind == kind]
    return sorted(pool, key=lambda s: (s.origin == "guild", *_title_key(s, lang)))


def _index_line(snippet: Snippet, lang: str) -> str:
    title = fit(snippet.text(shown_lang(snippet, lang)).title, INDEX_LINE_TITLE_MAX)
    line = f"`{snippet.id}` {title}"
    if snippet.origin == "guild":
        line += f" · *{t('snippet.index.server_mark', lang)}*"
    return line


def index_embed(
    entries: Sequence[Snippet], *, kind: str, lang: str, menu_max: int = limits.SELECT_OPTIONS_MAX
) -> discord.Embed:
    """The list of topics (``entries`` from :func:`index_entries`): one line each with its id.

    Every topic is listed while it fits; past ``menu_max`` the text says the menu shows only
    the first ones. Rights indexes carry the legal notice too.
    """
    command = t(f"snippet.command.{kind}", lang)
    title = t(f"snippet.index.title_{kind}", lang)
    footer = t("snippet.legal_notice", lang) if kind == "rights" else ""
    head = [t("snippet.index.intro", lang, count=len(entries), command=command)]
    if len(entries) > menu_max:
        head.append(t("snippet.index.menu_limit", lang, max=menu_max, command=command))
    if not entries:
        head = [t("snippet.index.empty", lang)]
    room = min(limits.EMBED_DESCRIPTION_MAX, limits.EMBED_TOTAL_MAX - len(title) - len(footer))

    def more(count: int) -> str:
        return "\n" + t("snippet.index.more", lang, count=count, command=command)

    body = "\n".join(head) + "\n"
    for i, snippet in enumerate(entries):
        line = "\n" + _index_line(snippet, lang)
        after = len(entries) - i - 1
        # Keep room for the "…and N more" line in case the lines after this one don't fit.
        if len(body) + len(line) + (len(more(after)) if after else 0) > room:
            body += more(len(entries) - i)
            break
        body += line
    embed = discord.Embed(
        title=title,
        description=fit(body.strip(), room),
        colour=COLORS.get(kind, COLOR_SEARCH),
    )
    if footer:
        embed.set_footer(text=footer)
    return embed


def search_embed(results: Sequence[Snippet], *, query: str, lang: str) -> discord.Embed:
    """``/snippet search``: the best matches, best first, each with its id, kind and title."""
    shown_query = fit(" ".join(neutralize(query).split()), SEARCH_QUERY_SHOWN_MAX)
    title = fit(t("snippet.search.title", lang, query=shown_query), limits.EMBED_TITLE_MAX)
    if not results:
        embed = discord.Embed(
            title=title,
            description=t("snippet.search.empty", lang, query=shown_query),
            colour=COLOR_SEARCH,
        )
        return embed
    lines = []
    for i, snippet in enumerate(results, start=1):
        origin = " · " + t("snippet.index.server_mark", lang) if snippet.origin == "guild" else ""
        lines.append(
            t(
                "snippet.search.line",
                lang,
                n=i,
                title=fit(snippet.text(shown_lang(snippet, lang)).title, INDEX_LINE_TITLE_MAX),
                id=snippet.id,
                kind=t(f"snippet.kind.{snippet.kind}", lang),
                origin=origin,
            )
        )
    footer = t("snippet.search.footer", lang)
    room = min(limits.EMBED_DESCRIPTION_MAX, limits.EMBED_TOTAL_MAX - len(title) - len(footer))
    embed = discord.Embed(title=title, description=fit("\n".join(lines), room), colour=COLOR_SEARCH)
    embed.set_footer(text=footer)
    return embed
