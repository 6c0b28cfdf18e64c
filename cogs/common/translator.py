"""Spanish names and descriptions for app commands, from the same catalogs as everything else.

Keys are derived from where a string sits in the command tree, so handlers never spell them out:
``cmd.<qualified name with dots>.name`` / ``.description`` for commands and groups,
``cmd.<command>.opt.<parameter>.name`` / ``.description`` for options and
``cmd.choice.<choice value>`` for choices. English is the source text in code; the English
catalog repeats it so a test can check the two never drift apart.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Loc

from messages import DEFAULT_LANG, catalogs, normalize_locale


def command_key(qualified_name: str) -> str:
    return "cmd." + qualified_name.replace(" ", ".")


def key_for(string: app_commands.locale_str, context: app_commands.TranslationContextTypes) -> str:
    """The catalog key for one translatable string of the command tree."""
    explicit = string.extras.get("key")
    if explicit:
        return str(explicit)
    data: Any = context.data
    loc = context.location
    if loc in (Loc.command_name, Loc.group_name):
        return command_key(data.qualified_name) + ".name"
    if loc in (Loc.command_description, Loc.group_description):
        return command_key(data.qualified_name) + ".description"
    if loc is Loc.parameter_name:
        return f"{command_key(data.command.qualified_name)}.opt.{data.name}.name"
    if loc is Loc.parameter_description:
        return f"{command_key(data.command.qualified_name)}.opt.{data.name}.description"
    if loc is Loc.choice_name:
        return f"cmd.choice.{data.value}"
    return f"cmd.other.{string.message}"


class CatalogTranslator(app_commands.Translator):
    """Serves every non-English Discord locale we have a catalog for (es-ES and es-419 -> es)."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        lang = normalize_locale(locale)
        if lang == DEFAULT_LANG:
            return None  # English is the source text in code
        return catalogs().get(lang, {}).get(key_for(string, context))
