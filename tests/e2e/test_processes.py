"""Real ``python bot.py`` processes on the real clock: a restart between two reminders, a
SIGKILL between claim and record, two processes started by mistake on one database, approval
buttons answered by the next process.

Each test runs its own loopback server and database. A first process sets the server up and
registers walkouts a month ahead; between processes the test moves chosen reminders a few
seconds ahead in the database file (as if the month had passed), so nothing waits for minutes.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from fakediscord import FakeDiscord
from tests.e2e.helpers import BOT, MODERATOR, custom_ids, embed_text, eventually, walkout_id_from
from tests.e2e.processes import bot_env, start_bot, stop_bot

pytestmark = pytest.mark.e2e

MESSAGES = "/channels/{channel_id}/messages"
DB = "walkout-bot.sqlite3"


class Server:
    """One loopback Discord server with a configured guild, and the bot's environment."""

    def __init__(self, tmp_path: Path, **fake_options) -> None:
        self.tmp = tmp_path
        self.fake = FakeDiscord(**fake_options)

    async def __aenter__(self) -> Server:
        await self.fake.start()
        self.guild = self.fake.add_guild(name="Process Test Org", bot_permissions=BOT)
        self.mod = self.fake.add_member(self.guild, "pmod", permissions=MODERATOR)
        self.channel = self.fake.add_channel(self.guild, "announcements")
        self.env = bot_env(
            DISCORD_TOKEN=self.fake.bot_token,
            DISCORD_API_BASE=self.fake.api_base,
            DISCORD_GATEWAY_URL=self.fake.gateway_url,
            DISCORD_GUILD_ID=str(self.guild.id),
            WALKOUT_DATA_DIR=str(self.tmp),
            WALKOUT_CLAIM_LEASE="1",
            LOG_LEVEL="INFO",
        )
        self.outputs: list[str] = []
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.fake.stop()
        for out in self.outputs:
            assert "Traceback" not in out, out

    async def setup(self, offsets: str, schools: list[str]) -> list[int]:
        """A first process: configure the server, register walkouts a month ahead, stop."""
        proc = await start_bot(self.env)
        try:
            await self.fake.wait_for_commands(guild_id=self.guild.id, timeout=30)
            for name, options in (
                ("setup timezone", {"zone": "America/Detroit"}),
                ("setup channels", {"announcements": self.channel.id}),
                ("setup reminders", {"offsets": offsets}),
            ):
                await (await self.fake.invoke(self.guild, self.mod, name, options)).final_message()
            day = (datetime.now(ZoneInfo("America/Detroit")) + timedelta(days=30)).date()
            ids = []
            for i, school in enumerate(schools):
                itx = await self.fake.invoke(
                    self.guild,
                    self.mod,
                    "walkout register",
                    {"school": school, "city": "Detroit", "when": f"{day} 14:{i:02d}"},
                )
                assert "registered" in (await itx.final_message())["content"]
                ids.append(walkout_id_from(self.fake.messages(self.channel.id)[-1]))
            return ids
        finally:
            self.outputs.append(await stop_bot(proc))

    def due_in(self, seconds: float, *, walkout_id: int, offset: int) -> None:
        """Move one pending reminder so it is due ``seconds`` from now (the bot is stopped)."""
        due = datetime.now(UTC) + timedelta(seconds=seconds)
        with sqlite3.connect(self.tmp / DB) as conn:
            changed = conn.execute(
                "UPDATE reminders SET due_at = ? WHERE walkout_id = ? AND offset_minutes = ?",
                (due.strftime("%Y-%m-%d %H:%M:%S.%f"), walkout_id, offset),
            ).rowcount
        assert changed == 1

    def rows(self) -> list[tuple[int, int, str, int | None]]:
        with sqlite3.connect(self.tmp / DB) as conn:
            return conn.execute(
                "SELECT walkout_id, offset_minutes, status, message_id FROM reminders "
                "ORDER BY walkout_id, offset_minutes"
            ).fetchall()

    def posts(self, school: str, title: str) -> list[dict]:
        return [
            m
            for m in self.fake.messages(self.channel.id)
            if m.get("embeds")
            and title in (m["embeds"][0].get("title") or "")
            and school in embed_text(m)
        ]


async def test_a_restart_between_two_reminders_loses_none_and_duplicates_none(tmp_path):
    async with Server(tmp_path) as srv:
        (wid,) = await srv.setup("7d,1d", ["Restart High"])
        srv.due_in(2, walkout_id=wid, offset=-10080)
        proc = await start_bot(srv.env)
        try:
            await eventually(lambda: srv.posts("Restart High", "Walkout reminder"), timeout=30)
        finally:
            srv.outputs.append(await stop_bot(proc))
        # The bot is down; the next reminder comes due while a new process starts.
        srv.due_in(2, walkout_id=wid, offset=-1440)
        proc = await start_bot(srv.env)
        try:
            await eventually(
                lambda: len(srv.posts("Restart High", "Walkout reminder")) == 2, timeout=30
            )
            await asyncio.sleep(1)  # nothing more arrives
        finally:
            srv.outputs.append(await stop_bot(proc))
        assert len(srv.posts("Restart High", "Walkout reminder")) == 2
        assert [status for _, _, status, _ in srv.rows()] == ["sent", "sent"]


async def test_a_sigkill_between_claim_and_record_yields_one_post(tmp_path):
    async with Server(tmp_path) as srv:
        (wid,) = await srv.setup("1d", ["Killed High"])
        srv.due_in(2, walkout_id=wid, offset=-1440)
        release = srv.fake.hold_next("POST", MESSAGES)
        proc = await start_bot(srv.env)
        try:
            # The reminder is claimed and its message exists; the answer never reaches the bot.
            await eventually(lambda: srv.fake.held() == 1, timeout=30)
            assert [status for _, _, status, _ in srv.rows()] == ["claimed"]
        finally:
            await stop_bot(proc, kill=True)
            release.set()
        before = len(srv.fake.requests)
        proc = await start_bot(srv.env)  # the claim's lease (1 s) has run out: recovered
        try:
            await eventually(lambda: srv.rows()[0][2] == "sent", timeout=30)
        finally:
            srv.outputs.append(await stop_bot(proc))
        assert len(srv.posts("Killed High", "Walkout reminder")) == 1
        (_, _, _, message_id) = srv.rows()[0]
        (post,) = srv.posts("Killed High", "Walkout reminder")
        assert int(post["id"]) == message_id
        retries = [
            r for r in srv.fake.requests[before:] if r.method == "POST" and r.route == MESSAGES
        ]
        first = [
            r for r in srv.fake.requests[:before] if r.method == "POST" and r.route == MESSAGES
        ]
        assert retries and retries[0].json["nonce"] == first[-1].json["nonce"]


async def test_two_processes_on_one_database_post_each_reminder_once(tmp_path):
    schools = [f"Twin {i}" for i in range(6)]
    async with Server(tmp_path, supersede_sessions=False) as srv:
        ids = await srv.setup("0", schools)
        for i, wid in enumerate(ids):
            srv.due_in(4 + i * 0.3, walkout_id=wid, offset=0)
        before = len(srv.fake.requests)
        first, second = await start_bot(srv.env), await start_bot(srv.env)
        try:
            await eventually(lambda: all(srv.posts(s, "It's time") for s in schools), timeout=40)
            await asyncio.sleep(1.5)  # a duplicate would have arrived by now
        finally:
            srv.outputs.append(await stop_bot(first))
            srv.outputs.append(await stop_bot(second))
        assert all("reminder engine started" in out for out in srv.outputs[-2:])  # both ran
        assert [len(srv.posts(s, "It's time")) for s in schools] == [1] * 6
        # Not even a second attempt: each reminder was claimed by exactly one process (the
        # nonce would have caught a duplicate post, but the claim never let one be sent).
        sent = [r for r in srv.fake.requests[before:] if r.method == "POST" and r.route == MESSAGES]
        assert len(sent) == 6
        assert {status for _, _, status, _ in srv.rows()} == {"sent"}


async def test_approval_buttons_work_after_a_restart(tmp_path):
    """The notice's Approve button, posted by one process, is answered by the next one."""
    async with Server(tmp_path) as srv:
        member = srv.fake.add_member(srv.guild, "pmember")
        reports = srv.fake.add_channel(srv.guild, "mods")
        proc = await start_bot(srv.env)
        try:
            await srv.fake.wait_for_commands(guild_id=srv.guild.id, timeout=30)
            for name, options in (
                ("setup timezone", {"zone": "America/Detroit"}),
                ("setup channels", {"announcements": srv.channel.id, "reports": reports.id}),
                ("setup approval", {"enabled": True}),
            ):
                await (await srv.fake.invoke(srv.guild, srv.mod, name, options)).final_message()
            day = (datetime.now(ZoneInfo("America/Detroit")) + timedelta(days=30)).date()
            itx = await srv.fake.invoke(
                srv.guild,
                member,
                "walkout register",
                {"school": "Restart Approval High", "city": "Detroit", "when": f"{day} 14:00"},
            )
            assert "waiting" in (await itx.final_message())["content"]
        finally:
            srv.outputs.append(await stop_bot(proc))
        (notice,) = srv.fake.messages(reports.id)
        approve = next(c for c in custom_ids(notice) if c.startswith("walkout:approve:"))
        proc = await start_bot(srv.env)
        try:
            await srv.fake.wait_ready(timeout=30)
            click = await srv.fake.click(srv.guild, srv.mod, notice, approve)
            await click.wait_followups(1, timeout=15)
            assert "approved and announced" in click.followups[0]["content"]
            await eventually(
                lambda: any(
                    "Restart Approval High" in embed_text(m)
                    for m in srv.fake.messages(srv.channel.id)
                )
            )
        finally:
            srv.outputs.append(await stop_bot(proc))
