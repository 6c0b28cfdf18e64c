"""Small helpers for answering interactions: the user's language, replies, the error path.

Every reply goes through :func:`reply`, which picks ``response`` or ``followup`` depending on
whether the interaction was already answered, so handlers can defer freely.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

from core.errors import UserError
from messages import normalize_locale, t

log = logging.getLogger(__name__)

_STRING_OPTION = 3  # Discord option type STRING
T = TypeVar("T")

DEFER_AFTER = 1.5
"""Seconds of work after which an interaction is deferred: Discord drops it at 3 s."""


def lang_of(itx: discord.Interaction) -> str:
    """The language for a reply only this user sees: their Discord client's locale."""
    return normalize_locale(itx.locale)


def guild_lang_of(itx: discord.Interaction) -> str:
    """The language for public posts in a server: the server's preferred locale."""
    return normalize_locale(itx.guild_locale or itx.locale)


async def reply(itx: discord.Interaction, *, ephemeral: bool = True, **kwargs: Any) -> None:
    """Send a message as the first response, or as a follow-up when already answered."""
    if itx.response.is_done():
        await itx.followup.send(ephemeral=ephemeral, **kwargs)
    else:
        await itx.response.send_message(ephemeral=ephemeral, **kwargs)


async def answer_soon(itx: discord.Interaction, work: Awaitable[T], *, ephemeral: bool = True) -> T:
    """Await ``work``; if it takes longer than :data:`DEFER_AFTER`, defer the interaction
    (``ephemeral``, "thinking…") so the answer can come as a follow-up within 15 minutes.

    Most work (a transaction, one Discord call) finishes well inside the window and is answered
    directly; a slow lock or a retried Discord request no longer risks the 3-second deadline.
    Answer afterwards with :func:`reply`, which picks the right channel.
    """
    task = asyncio.ensure_future(work)
    try:
        done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
        if not done and not itx.response.is_done():
            await itx.response.defer(ephemeral=ephemeral, thinking=True)
        return await task
    except BaseException:
        if not task.done():
            task.cancel()
        raise


def _options_for_log(itx: discord.Interaction) -> dict[str, object]:
    """The command's options for a log line: names with numbers, flags and ids as given, but
    free text only as its length (people write names and circumstances into options)."""
    out: dict[str, object] = {}
    data: Any = itx.data or {}
    stack = list(data.get("options", []) or [])
    while stack:
        opt = stack.pop(0)
        if "options" in opt:
            stack.extend(opt["options"] or [])
        elif "value" in opt:
            value = opt["value"]
            is_text = isinstance(value, str) and opt.get("type") == _STRING_OPTION
            out[str(opt.get("name"))] = f"<text, {len(value)} chars>" if is_text else value
    return out


def unwrap(error: BaseException) -> BaseException:
    """Return the exception a command raised, without discord.py's wrappers."""
    while isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        inner = error.__cause__ or getattr(error, "original", None)
        if inner is None or inner is error:
            break
        error = inner
    return error


def describe(itx: discord.Interaction) -> str:
    """A one-line label of what the user did, for logs."""
    if itx.command is not None:
        return f"/{itx.command.qualified_name}"
    data: Any = itx.data or {}
    return str(data.get("custom_id") or data.get("name") or itx.type)


def user_error_text(error: UserError, lang: str) -> str:
    """The translated text of a user error; a ``field`` placeholder is translated too."""
    fields = dict(error.fields)
    if isinstance(fields.get("field"), str):
        fields["field"] = t(f"field.{fields['field']}", lang)
    return t(error.key, lang, **fields)


async def report_error(itx: discord.Interaction, error: BaseException) -> None:
    """Tell the user what went wrong, ephemerally and in their language; log bot failures.

    A :class:`UserError` is the user's to fix, so it is shown as is and logged at debug level.
    Anything else is the bot's fault: the user gets an apology with a short incident id and the
    log gets the traceback with the guild, the command and its (trimmed) options.
    """
    error = unwrap(error)
    lang = lang_of(itx)
    if isinstance(error, UserError):
        log.debug("user error %s in %s (guild %s)", error.key, describe(itx), itx.guild_id)
        text = user_error_text(error, lang)
    elif isinstance(error, app_commands.NoPrivateMessage):
        text = t("error.guild_only", lang)
    elif isinstance(error, app_commands.MissingPermissions | app_commands.CheckFailure):
        text = t("error.permission.moderator", lang)
    elif isinstance(error, app_commands.CommandOnCooldown):
        text = t("error.cooldown", lang, seconds=round(error.retry_after))
    else:
        incident = secrets.token_hex(3)
        log.error(
            "incident %s: %s failed in guild %s (user locale %s, options %s)",
            incident,
            describe(itx),
            itx.guild_id,
            itx.locale,
            _options_for_log(itx),
            exc_info=error,
        )
        text = t("error.unexpected", lang, incident=incident)
    try:
        await reply(itx, content=text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error message for %s", describe(itx), exc_info=True)


async def guarded(itx: discord.Interaction, action: Callable[[], Awaitable[None]]) -> None:
    """Run a component callback; failures are reported like command failures."""
    try:
        await action()
    except Exception as exc:
        await report_error(itx, exc)


def cog_of(itx: discord.Interaction, name: str) -> Any:
    """The loaded cog ``name`` (for persistent components, which outlive any one view)."""
    cog = itx.client.get_cog(name)  # type: ignore[attr-defined]
    if cog is None:  # pragma: no cover - an extension is always loaded with its components
        raise RuntimeError(f"{name} cog is not loaded")
    return cog


class WalkoutTree(app_commands.CommandTree):
    """Command tree whose errors become short, translated, ephemeral messages."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        await report_error(interaction, error)


class ErrorReportingView(discord.ui.View):
    """A view whose item failures go through :func:`report_error` like command failures."""

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error)
