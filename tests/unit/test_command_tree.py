"""The slash-command tree as Discord will receive it: names, limits, Spanish localizations."""

import re

import discord
import pytest
from discord.ext import commands
from sqlalchemy.ext.asyncio import create_async_engine

from cogs import EXTENSIONS
from cogs.common.services import Services
from cogs.common.translator import CatalogTranslator
from core.clock import system_clock
from db.engine import Database
from messages import catalogs

NAME_RE = re.compile(r"^[-_\w]{1,32}$")
SUBCOMMAND, GROUP = 1, 2


@pytest.fixture(scope="module")
async def payloads():
    # The cogs as bot.py loads them, on a plain discord.py bot: loading them touches no database
    # (the engine below is never connected) and no Discord connection.
    engine = create_async_engine("sqlite+aiosqlite://")
    bot = commands.Bot(command_prefix="!", intents=discord.Intents.none())
    bot.services = Services.create(Database(engine), clock=system_clock, secret=b"k")
    translator = CatalogTranslator()
    await bot.tree.set_translator(translator)
    for ext in EXTENSIONS:
        await bot.load_extension(ext)
    out = [await c.get_translated_payload(bot.tree, translator) for c in bot.tree.get_commands()]
    await engine.dispose()
    return out


def walk(payload, path=()):
    """Yield (path, node) for a command and all its options, depth first."""
    here = (*path, payload["name"])
    yield here, payload
    for opt in payload.get("options", []):
        yield from walk(opt, here)


def test_top_level_commands_match_the_contract(payloads):
    assert sorted(p["name"] for p in payloads) == [
        "action",
        "history",
        "reminders",
        "rights",
        "setup",
        "snippet",
        "walkout",
    ]


def test_every_name_and_description_obeys_discord_rules(payloads):
    for payload in payloads:
        for path, node in walk(payload):
            names = [node["name"], *node.get("name_localizations", {}).values()]
            for name in names:
                assert NAME_RE.match(name) and name == name.lower(), (path, name)
            descs = [node["description"], *node.get("description_localizations", {}).values()]
            for desc in descs:
                assert 1 <= len(desc) <= 100, (path, desc)
            assert len(node.get("options", [])) <= 25
            for choice in node.get("choices", []) or []:
                for name in [choice["name"], *choice.get("name_localizations", {}).values()]:
                    assert 1 <= len(name) <= 100


def test_every_string_has_spanish_for_both_spanish_locales(payloads):
    for payload in payloads:
        for path, node in walk(payload):
            for field in ("name_localizations", "description_localizations"):
                locs = node.get(field) or {}
                assert set(locs) >= {"es-ES", "es-419"}, (path, field)
                assert locs["es-ES"] == locs["es-419"]


def test_localized_option_names_are_unique_per_level(payloads):
    for payload in payloads:
        for path, node in walk(payload):
            opts = node.get("options", [])
            es = [o.get("name_localizations", {}).get("es-ES", o["name"]) for o in opts]
            assert len(es) == len(set(es)), (path, es)


def test_required_options_come_first(payloads):
    for payload in payloads:
        for path, node in walk(payload):
            opts = [o for o in node.get("options", []) if o["type"] not in (SUBCOMMAND, GROUP)]
            required = [o.get("required", False) for o in opts]
            assert required == sorted(required, reverse=True), path


def _longest(node, field):
    values = [node.get(field, "")]
    values += list((node.get(f"{field}_localizations") or {}).values())
    return max(len(v) for v in values)


def command_size(node) -> int:
    """Discord counts name, description and choice values, taking the longest localization."""
    size = _longest(node, "name") + _longest(node, "description")
    for choice in node.get("choices", []) or []:
        size += _longest(choice, "name") + len(str(choice["value"]))
    return size + sum(command_size(o) for o in node.get("options", []))


def test_each_command_fits_in_8000_characters(payloads):
    for payload in payloads:
        assert command_size(payload) <= 8000, payload["name"]


def test_english_catalog_repeats_the_code(payloads):
    """The en catalog's cmd.* entries must equal the code's text, or translators work blind."""
    en = catalogs()["en"]
    for payload in payloads:
        stack = [((payload["name"],), payload, None)]
        while stack:
            path, node, param = stack.pop()
            if param is None:
                base = "cmd." + ".".join(path)
            else:
                base = "cmd." + ".".join(path[:-1]) + f".opt.{param}"
            assert en.get(base + ".name") == node["name"], base
            assert en.get(base + ".description") == node["description"], base
            for opt in node.get("options", []):
                if opt["type"] in (SUBCOMMAND, GROUP):
                    stack.append(((*path, opt["name"]), opt, None))
                else:
                    py_name = opt["name"].replace("-", "_")
                    stack.append(((*path, opt["name"]), opt, py_name))
