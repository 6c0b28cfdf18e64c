"""The slash-command tree as Discord will receive it: names, limits, Spanish localizations."""

import re

import discord
import pytest
from discord import app_commands
from discord.ext import commands
from sqlalchemy.ext.asyncio import create_async_engine

from cogs import EXTENSIONS
from cogs.common.interactions import WalkoutTree, guard_autocompletes, is_guarded
from cogs.common.services import Services
from cogs.common.translator import CatalogTranslator
from core.clock import system_clock
from db.engine import Database
from messages import catalogs

NAME_RE = re.compile(r"^[-_\w]{1,32}$")
SUBCOMMAND, GROUP = 1, 2


@pytest.fixture(scope="module")
async def loaded_bot():
    """The cogs as bot.py loads them (on the bot's own command tree), never connected: loading
    them touches no database (the engine below is never connected) and no Discord."""
    engine = create_async_engine("sqlite+aiosqlite://")
    bot = commands.Bot(command_prefix="!", intents=discord.Intents.none(), tree_cls=WalkoutTree)
    bot.services = Services.create(Database(engine), clock=system_clock, secret=b"k")
    await bot.tree.set_translator(CatalogTranslator())
    for ext in EXTENSIONS:
        await bot.load_extension(ext)
    yield bot
    await engine.dispose()


@pytest.fixture(scope="module")
async def payloads(loaded_bot):
    bot = loaded_bot
    translator = CatalogTranslator()
    return [await c.get_translated_payload(bot.tree, translator) for c in bot.tree.get_commands()]


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
        "privacy",
        "reminders",
        "report",
        "reports",
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


# --- every autocomplete answers (cogs.common.interactions.guard_autocompletes) --------------------


def autocomplete_params(tree):
    for command in tree.walk_commands():
        if isinstance(command, app_commands.Command):
            for param in command._params.values():
                if param.autocomplete is not None:
                    yield command, param


def test_every_autocomplete_handler_of_every_cog_is_guarded(loaded_bot):
    found = {
        (f"/{c.qualified_name} {p.display_name}", is_guarded(p.autocomplete))
        for c, p in autocomplete_params(loaded_bot.tree)
    }
    assert len(found) >= 15  # walkout x10, action remove, rights, history, snippet remove, setup
    assert all(guarded for _, guarded in found), sorted(found)


def test_a_command_added_later_is_guarded_too(loaded_bot):
    """Anything added to the tree goes through WalkoutTree.add_command, so new cogs and new
    commands are covered without remembering to."""

    @app_commands.command(name="probe", description="probe")
    async def probe(itx, thing: str) -> None:  # pragma: no cover - never invoked
        pass

    @probe.autocomplete("thing")
    async def thing_choices(itx, current):  # pragma: no cover - never invoked
        return []

    loaded_bot.tree.add_command(probe)
    try:
        assert is_guarded(probe._params["thing"].autocomplete)
    finally:
        loaded_bot.tree.remove_command("probe")


def test_guarding_keeps_what_discord_py_reads_and_leaves_the_class_alone(loaded_bot):
    from cogs.walkouts.cog import Walkouts

    cog = loaded_bot.get_cog("Walkouts")
    live = next(c for c in cog.walk_app_commands() if c.qualified_name == "walkout info")
    guarded = live._params["walkout"].autocomplete
    assert is_guarded(guarded)
    assert guarded.pass_command_binding is True  # still called with the cog as self
    original = next(c for c in Walkouts.walkout.commands if c.name == "info")
    assert not is_guarded(original._params["walkout"].autocomplete)
    guard_autocompletes(live)  # idempotent
    assert live._params["walkout"].autocomplete is guarded
