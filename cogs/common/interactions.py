"""Small helpers for answering interactions: the user's language, replies, the error path.

Every reply goes through :func:`reply`, which picks ``response`` or ``followup`` depending on
whether the interaction was already answered, so handlers can defer freely.

Autocomplete has its own error path. discord.py logs an exception from an autocomplete callback
and swallows it without answering, and Discord then shows "Loading options failed". So
:class:`WalkoutTree` wraps every autocomplete callback of every command added to it
(:func:`guard_autocompletes`): a failure is logged with its context (never the typed text, only
its length) and answered with no choices, a :class:`UserError` with one "⚠ ..." choice in the
user's language, and a handler slower than :data:`AUTOCOMPLETE_DEADLINE` with no choices.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import discord
from discord import app_commands

from core.errors import UserError
from core.text import CHOICE_NAME_MAX, CHOICE_VALUE_MAX, fit
from messages import normalize_locale, t

log = logging.getLogger(__name__)

_STRING_OPTION = 3  # Discord option type STRING
T = TypeVar("T")

DEFER_AFTER = 1.5
"""Seconds of work after which an interaction is deferred: Discord drops it at 3 s."""

AUTOCOMPLETE_DEADLINE = 2.5
"""Seconds an autocomplete callback may take. Discord waits 3 s for the answer."""
_GUARD_MARK = "__walkout_autocomplete_guard__"


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
    if itx.type is discord.InteractionType.autocomplete:
        # Raised before any callback ran (an unknown command, a failing check): no message can
        # answer an autocomplete, an empty list can.
        log.error(
            "autocomplete for %s failed in guild %s (options %s)",
            describe(itx),
            itx.guild_id,
            _options_for_log(itx),
            exc_info=error,
        )
        await _answer_autocomplete(itx, [], describe(itx))
        return
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


Choices = list[app_commands.Choice[Any]]


def _warning_choice(itx: discord.Interaction, error: UserError, current: str) -> Choices:
    """One choice that shows the error; picking it keeps what was typed."""
    value = current[:CHOICE_VALUE_MAX]
    if not value.strip():
        return []
    name = fit("⚠ " + user_error_text(error, lang_of(itx)), CHOICE_NAME_MAX)
    return [app_commands.Choice(name=name, value=value)]


async def _answer_autocomplete(itx: discord.Interaction, choices: Choices, where: str) -> None:
    """Send ``choices``; if Discord refuses them, send none rather than leave it unanswered."""
    if itx.response.is_done():
        return
    try:
        await itx.response.autocomplete(choices)
        return
    except discord.NotFound:  # 10062: more than 3 s went by, nothing can answer it now
        log.warning("autocomplete for %s answered too late (guild %s)", where, itx.guild_id)
        return
    except Exception:
        log.exception("autocomplete choices for %s refused (guild %s)", where, itx.guild_id)
    if choices and not itx.response.is_done():
        try:
            await itx.response.autocomplete([])
        except discord.HTTPException:
            log.warning("could not answer the autocomplete for %s", where, exc_info=True)


async def _run_autocomplete(
    callback: Callable[..., Awaitable[Iterable[app_commands.Choice[Any]]]],
    args: tuple[Any, ...],
    *,
    where: str,
    warn: bool,
) -> Choices:
    itx: discord.Interaction = args[-2]
    current = args[-1] if isinstance(args[-1], str) else str(args[-1])
    try:
        async with asyncio.timeout(AUTOCOMPLETE_DEADLINE):
            return list(await callback(*args))
    except UserError as error:
        log.debug("user error %s in autocomplete for %s (guild %s)", error.key, where, itx.guild_id)
        return _warning_choice(itx, error, current) if warn else []
    except TimeoutError:
        log.warning(
            "autocomplete for %s took over %s s in guild %s (typed %d chars)",
            where,
            AUTOCOMPLETE_DEADLINE,
            itx.guild_id,
            len(current),
        )
        return []
    except Exception as error:
        log.error(
            "autocomplete for %s failed in guild %s (typed %d chars, options %s)",
            where,
            itx.guild_id,
            len(current),
            _options_for_log(itx),
            exc_info=error,
        )
        return []


def _guard(callback: Callable[..., Any], *, where: str, warn: bool) -> Callable[..., Any]:
    """``callback`` (called as ``(interaction, current)`` or ``(cog, interaction, current)``)
    wrapped so that it answers the interaction itself, whatever happens inside."""

    # functools.wraps also copies the attributes discord.py reads from the callback
    # (pass_command_binding, __discord_app_commands_checks__).
    @functools.wraps(callback)
    async def guarded(*args: Any) -> Choices:
        choices = await _run_autocomplete(callback, args, where=where, warn=warn)
        await _answer_autocomplete(args[-2], choices, where)
        return choices

    setattr(guarded, _GUARD_MARK, True)
    return guarded


def is_guarded(callback: object) -> bool:
    """Whether an autocomplete callback went through :func:`guard_autocompletes`."""
    return bool(getattr(callback, _GUARD_MARK, False))


def guard_autocompletes(command: object) -> None:
    """Wrap every autocomplete callback of ``command`` (and of its subcommands, for a group) so
    it always answers: no choices on a failure or a timeout, a warning choice for a UserError.

    Each command's own parameter table gets a wrapped copy of the parameter, so a cog's copy of
    a command never changes the class-level original. Idempotent.
    """
    if isinstance(command, app_commands.Group):
        members: Iterable[object] = command.walk_commands()
    else:
        members = [command]
    for member in members:
        if not isinstance(member, app_commands.Command):
            continue
        # discord.py keeps each option's callback on its internal CommandParameter (2.0-2.7).
        params = member._params
        for name, param in params.items():
            callback = param.autocomplete
            if callback is None or is_guarded(callback):
                continue
            guarded = _guard(
                callback,
                where=f"/{member.qualified_name} {param.display_name}",
                # A warning choice's value is the typed text: only a string option takes it.
                warn=param.type is discord.AppCommandOptionType.string,
            )
            params[name] = dataclasses.replace(param, autocomplete=guarded)


class WalkoutTree(app_commands.CommandTree):
    """Command tree whose errors become short, translated, ephemeral messages, and whose
    autocomplete callbacks always answer (see :func:`guard_autocompletes`)."""

    def add_command(self, command: Any, /, **kwargs: Any) -> None:
        """Add ``command`` (discord.py adds its root group), guarding its autocompletes first.
        Every way of adding an app command (cogs, ``@tree.command``) comes through here."""
        guard_autocompletes(getattr(command, "root_parent", None) or command)
        super().add_command(command, **kwargs)

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
