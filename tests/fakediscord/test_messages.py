"""Channel messages through discord.py: send, edit, history, delete, gateway echo."""

from __future__ import annotations

import discord
import pytest

from fakediscord import eventually


async def test_message_lifecycle(fake, world):
    channel = fake.add_channel(world.guild, "lifecycle")
    dpy_channel = await eventually(lambda: world.bot.get_channel(channel.id))
    seen: list[discord.Message] = []

    async def on_message(message: discord.Message) -> None:
        if message.channel.id == channel.id:
            seen.append(message)

    world.bot.add_listener(on_message)
    try:
        first = await dpy_channel.send(f"one <@{world.alice.id}>")
        second = await dpy_channel.send("two", embed=discord.Embed(title="E"))
        await eventually(lambda: len(seen) == 2)
    finally:
        world.bot.remove_listener(on_message)
    assert first.mentions and first.mentions[0].id == world.alice.id
    edited = await second.edit(content="two, edited")
    assert edited.edited_at is not None and edited.content == "two, edited"
    history = [m.content async for m in dpy_channel.history(limit=10)]
    assert history == ["two, edited", f"one <@{world.alice.id}>"]
    await first.delete()
    assert [m["content"] for m in fake.messages(channel)] == ["two, edited"]
    assert fake.messages(channel)[0]["embeds"][0]["title"] == "E"
    with pytest.raises(discord.NotFound) as exc:
        await dpy_channel.fetch_message(first.id)
    assert exc.value.code == 10008
    with pytest.raises(discord.HTTPException) as empty:
        await dpy_channel.send(content="")
    assert empty.value.code == 50006
    assert fake.violations == [f"POST /channels/{channel.id}/messages: empty message"]
