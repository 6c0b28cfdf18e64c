"""A small bare discord.py bot for exercising :class:`~fakediscord.server.FakeDiscord`.

It is the baseline "a bare discord.py command that answers at once" for benchmarks, and the
bot the fake's own tests drive.  Commands (all global):

* ``/ping`` answers "pong" at once.
* ``/defer [ephemeral]`` defers (thinking), then sends a follow-up.
* ``/embed`` answers with an embed.
* ``/fruit name`` with autocomplete on ``name``.
* ``/form`` answers with a button that opens a modal; submitting it answers with the text.
* ``/choose`` answers with a string select; picking updates the message (callback type 7).
* ``/post channel text`` posts to a channel and answers ephemerally.
* ``/event name [minutes]`` creates an external scheduled event.
* ``/echo text [count flag ratio who role where]`` echoes typed options (resolved objects).
* ``/tools math add a b`` a subcommand inside a group.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from fakediscord.testing import point_discord_py_at

if TYPE_CHECKING:
    from fakediscord.server import FakeDiscord

FRUITS = ["apple", "apricot", "banana", "blueberry", "cherry", "grape", "mango", "melon", "pear"]


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    """The modal opened by the /form button."""

    feedback: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
        label="Your feedback",
        custom_id="feedback",
        style=discord.TextStyle.paragraph,
        max_length=500,
    )

    def __init__(self) -> None:
        super().__init__(custom_id="barebot:feedback-modal")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Answer with what was typed."""
        await interaction.response.send_message(f"Thanks: {self.feedback.value}", ephemeral=True)


class FormView(discord.ui.View):
    """A view with one button that opens :class:`FeedbackModal`."""

    def __init__(self) -> None:
        super().__init__(timeout=600)

    @discord.ui.button(
        label="Open form", custom_id="barebot:open-form", style=discord.ButtonStyle.primary
    )
    async def open_form(
        self, interaction: discord.Interaction, button: discord.ui.Button[FormView]
    ) -> None:
        """Open the modal."""
        await interaction.response.send_modal(FeedbackModal())


class ChooseView(discord.ui.View):
    """A string select; picking edits the message in place."""

    def __init__(self) -> None:
        super().__init__(timeout=600)

    @discord.ui.select(
        custom_id="barebot:choose",
        placeholder="Pick a colour",
        options=[discord.SelectOption(label=c.title(), value=c) for c in ("red", "green", "blue")],
    )
    async def choose(
        self, interaction: discord.Interaction, select: discord.ui.Select[ChooseView]
    ) -> None:
        """Replace the message content with the pick."""
        await interaction.response.edit_message(content=f"You chose {select.values[0]}", view=None)


def build_bare_bot(
    *,
    intents: discord.Intents | None = None,
    guild_ready_timeout: float = 2.0,
    sync_commands: bool = True,
    reidentify_delay: float | None = None,
) -> commands.Bot:
    """Create the bare bot (not started).  It syncs its global commands in ``setup_hook``.

    ``reidentify_delay`` replaces discord.py's fixed 5 s sleep before a non-initial IDENTIFY
    (after an invalidated session), to keep tests of that path fast; None keeps discord.py's.
    """

    class BareBot(commands.Bot):
        async def setup_hook(self) -> None:
            if sync_commands:
                await self.tree.sync()

        async def before_identify_hook(
            self, shard_id: int | None, *, initial: bool = False
        ) -> None:
            if reidentify_delay is None:
                await super().before_identify_hook(shard_id, initial=initial)
            elif not initial:
                await asyncio.sleep(reidentify_delay)

    bot = BareBot(
        command_prefix=commands.when_mentioned,
        intents=intents or discord.Intents.default(),
        guild_ready_timeout=guild_ready_timeout,
        help_command=None,
    )
    tree = bot.tree

    @tree.command(name="ping", description="Answer at once")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    @tree.command(name="defer", description="Defer, then follow up")
    @app_commands.describe(ephemeral="Only you see the answer")
    async def defer(interaction: discord.Interaction, ephemeral: bool = False) -> None:
        await interaction.response.defer(thinking=True, ephemeral=ephemeral)
        await asyncio.sleep(0.05)
        await interaction.followup.send("done after deferring")

    @tree.command(name="embed", description="Answer with an embed")
    async def embed(interaction: discord.Interaction) -> None:
        card = discord.Embed(title="Walkout", description="Details", colour=0x5865F2)
        card.add_field(name="Where", value="Front steps")
        card.add_field(name="When", value="10:00")
        card.set_footer(text="fakediscord")
        await interaction.response.send_message(embed=card)

    @tree.command(name="fruit", description="Pick a fruit")
    @app_commands.describe(name="Fruit name")
    async def fruit(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(f"You picked {name}")

    @fruit.autocomplete("name")
    async def fruit_autocomplete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=f.title(), value=f)
            for f in FRUITS
            if f.startswith(current.lower())
        ][:25]

    @tree.command(name="form", description="A button that opens a modal")
    async def form(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Tell us what you think", view=FormView())

    @tree.command(name="choose", description="A select menu")
    async def choose(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Choose a colour", view=ChooseView())

    @tree.command(name="post", description="Post to a channel")
    @app_commands.describe(channel="Where", text="What")
    async def post(
        interaction: discord.Interaction, channel: discord.TextChannel, text: str
    ) -> None:
        target = interaction.client.get_channel(channel.id)
        assert isinstance(target, discord.TextChannel)
        try:
            await target.send(text)
        except discord.Forbidden:
            await interaction.response.send_message("I cannot post there", ephemeral=True)
            return
        await interaction.response.send_message(f"Posted in {target.mention}", ephemeral=True)

    @tree.command(name="event", description="Create a scheduled event")
    @app_commands.describe(name="Event name", minutes="Starts in this many minutes")
    async def event(interaction: discord.Interaction, name: str, minutes: int = 60) -> None:
        assert interaction.guild is not None
        start = discord.utils.utcnow() + datetime.timedelta(minutes=minutes)
        try:
            created = await interaction.guild.create_scheduled_event(
                name=name,
                start_time=start,
                end_time=start + datetime.timedelta(hours=1),
                entity_type=discord.EntityType.external,
                location="Front steps",
                privacy_level=discord.PrivacyLevel.guild_only,
            )
        except discord.Forbidden:
            await interaction.response.send_message("missing permissions", ephemeral=True)
            return
        except discord.HTTPException as exc:
            await interaction.response.send_message(f"failed: {exc.code}", ephemeral=True)
            return
        await interaction.response.send_message(f"created {created.id}")

    @tree.command(name="echo", description="Echo typed options")
    async def echo(
        interaction: discord.Interaction,
        text: str,
        count: app_commands.Range[int, 1, 10] = 1,
        flag: bool = False,
        ratio: float = 0.0,
        who: discord.Member | None = None,
        role: discord.Role | None = None,
        where: discord.TextChannel | None = None,
    ) -> None:
        parts = [
            f"text={text}",
            f"count={count}",
            f"flag={flag}",
            f"ratio={ratio}",
            f"who={who.name if who else None}",
            f"role={role.name if role else None}",
            f"where={where.name if where else None}",
        ]
        await interaction.response.send_message(" ".join(parts))

    tools = app_commands.Group(name="tools", description="Tools")
    math = app_commands.Group(name="math", description="Maths", parent=tools)

    @math.command(name="add", description="Add two numbers")
    async def add(interaction: discord.Interaction, a: int, b: int) -> None:
        await interaction.response.send_message(str(a + b))

    tree.add_command(tools)
    return bot


@dataclass
class BareBotRunner:
    """A started bot and the task running it."""

    bot: commands.Bot
    task: asyncio.Task[None]
    restore: Callable[[], None]

    async def stop(self) -> None:
        """Close the bot, wait for its task, and restore discord.py's URLs."""
        await self.bot.close()
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.task
        self.restore()


async def start_bare_bot(
    fake: FakeDiscord,
    bot: commands.Bot | None = None,
    *,
    timeout: float = 10.0,  # noqa: ASYNC109
) -> BareBotRunner:
    """Point discord.py at ``fake``, start ``bot`` (default: :func:`build_bare_bot`) in the
    current loop, and wait until the fake sent READY and the bot synced global commands."""
    restore = point_discord_py_at(fake)
    bot = bot or build_bare_bot()
    task = asyncio.create_task(bot.start(fake.bot_token), name="fakediscord-barebot")
    try:
        await fake.wait_ready(timeout)
        await fake.wait_for_commands(None, timeout)
    except BaseException:
        task.cancel()
        raise
    return BareBotRunner(bot=bot, task=task, restore=restore)
