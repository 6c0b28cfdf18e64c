"""Reports: submit, find, edit and delete (each one transaction), statistics, exports and the
retention purge. No Discord here; the cog posts and edits the notifications.

Who owns a report is proved, never looked up by user id: an anonymous report by its receipt
code (only its hash is compared), a named one by the member's keyed hashes for the purpose
"report" under every pseudonym key version. A proof that does not match gives the same answer
whether the report exists in another server, belongs to someone else or never existed, so
nothing can be learned by trying.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO

from sqlalchemy.ext.asyncio import AsyncSession

from cogs.reports import receipts
from cogs.reports.export import Format, write_export
from cogs.reports.form import Draft, validate
from cogs.reports.stats import Stats, compute
from core.clock import Clock
from core.cooldown import Cooldown
from core.errors import UserError
from core.pseudonym import Keyring
from core.text import fit
from db import guilds as guilds_db
from db import reports as reports_db
from db import walkouts as walkouts_db
from db.engine import Database
from db.models import Report, Walkout
from db.reports import Notice

log = logging.getLogger(__name__)

PURPOSE = "report"
_NAMED_REF = re.compile(r"^#?(?P<id>[0-9]{1,10})(\s.*)?$")


@dataclass(frozen=True)
class Proof:
    """What shows a member may change a report: its receipt hash, or (named) nothing more than
    being the member whose keyed hash owns it. Held in memory by an open form, never stored."""

    report_id: int
    receipt_hash: str | None = None


@dataclass(frozen=True)
class Submitted:
    report: Report
    walkout: Walkout
    code: str | None  # the receipt code of an anonymous report: shown once, never stored


@dataclass(frozen=True)
class Found:
    report: Report
    walkout: Walkout
    proof: Proof


@dataclass(frozen=True)
class Purged:
    notices: list[Notice]
    reports: int = 0
    rsvps: int = 0


class ReportService:
    """Every method is one transaction (or a read) and safe to call concurrently."""

    def __init__(
        self, db: Database, *, clock: Clock, keys: Keyring, cooldown: Cooldown | None = None
    ) -> None:
        self.db = db
        self.clock = clock
        self.keys = keys
        self.cooldown = cooldown or Cooldown(clock=clock)

    def _candidates(self, guild_id: int, user_id: int) -> list[str]:
        return self.keys.candidates(guild_id, user_id, PURPOSE)

    # ------------------------------------------------------------------ submit

    async def check_walkout(self, guild_id: int, walkout_id: int, *, ref: str) -> Walkout:
        """The walkout a new report is about, if it is this server's and has started."""
        async with self.db() as s:
            walkout = await walkouts_db.get(s, guild_id, walkout_id)
        if walkout is None:
            raise UserError("error.walkout.not_found", ref=fit(ref or f"#{walkout_id}", 40))
        if walkout.starts_at > self.clock():
            raise UserError(
                "error.report.too_early", id=walkout.id, when=int(walkout.starts_at.timestamp())
            )
        return walkout

    async def submit(
        self, guild_id: int, user_id: int, walkout_id: int, draft: Draft, *, anonymous: bool
    ) -> Submitted:
        """Store a new report. Anonymous: a fresh receipt code, only its hash stored; named: the
        member's keyed hash. The per-member cooldown lives in memory only."""
        wait = self.cooldown.retry_after(guild_id, user_id)
        if wait > 0:
            raise UserError("error.report.cooldown", minutes=max(1, round(wait / 60)))
        content = validate(draft)
        walkout = await self.check_walkout(guild_id, walkout_id, ref=f"#{walkout_id}")
        code = receipts.new_code() if anonymous else None
        async with self.db.begin() as s:
            report = await reports_db.create(
                s,
                guild_id=guild_id,
                walkout_id=walkout.id,
                content=content,
                now=self.clock(),
                receipt_hash=receipts.receipt_hash(code) if code else None,
                reporter_key=None if code else self.keys.key(guild_id, user_id, PURPOSE),
            )
        self.cooldown.hit(guild_id, user_id)
        log.info("report %s stored in guild %s (anonymous: %s)", report.id, guild_id, anonymous)
        return Submitted(report=report, walkout=walkout, code=code)

    async def set_notice(self, report: Report, *, channel_id: int, message_id: int) -> None:
        async with self.db.begin() as s:
            await reports_db.set_notice(
                s, report.guild_id, report.id, channel_id=channel_id, message_id=message_id
            )

    # -------------------------------------------------------------- find/edit

    async def mine(self, guild_id: int, user_id: int) -> list[tuple[Report, Walkout]]:
        """The member's named reports in this server, newest first."""
        async with self.db() as s:
            return await reports_db.list_owned(s, guild_id, self._candidates(guild_id, user_id))

    async def find(self, guild_id: int, user_id: int, ref: str | None) -> Found:
        """The report ``ref`` names: a receipt code, ``#id`` of one of the member's named
        reports, or nothing (their only named report)."""
        text = (ref or "").strip()
        async with self.db() as s:
            if not text:
                mine = await reports_db.list_owned(
                    s, guild_id, self._candidates(guild_id, user_id), limit=2
                )
                if not mine:
                    raise UserError("error.report.none_named")
                if len(mine) > 1:
                    raise UserError("error.report.which")
                only, walkout = mine[0]
                return Found(only, walkout, Proof(only.id))
            proof = await self._proof_for(s, guild_id, user_id, text)
            report = await self._proved(s, guild_id, user_id, proof)
            found = await walkouts_db.get(s, guild_id, report.walkout_id)
        if found is None:  # pragma: no cover - the foreign key keeps the walkout
            raise UserError("error.report.not_found")
        return Found(report, found, proof)

    async def _proof_for(self, s: AsyncSession, guild_id: int, user_id: int, text: str) -> Proof:
        named = _NAMED_REF.match(text)
        if named:
            report = await reports_db.owned(
                s, guild_id, int(named["id"]), self._candidates(guild_id, user_id)
            )
            if report is not None:
                return Proof(report.id)
        else:
            digest = receipts.receipt_hash(text)
            report = await reports_db.by_receipt(s, guild_id, digest) if digest else None
            if report is not None:
                return Proof(report.id, digest)
        raise UserError("error.report.not_found")

    async def _proved(
        self, s: AsyncSession, guild_id: int, user_id: int, proof: Proof, *, lock: bool = False
    ) -> Report:
        """The report the proof still holds for (``lock``: to edit or delete it here)."""
        if proof.receipt_hash is not None:
            report = await reports_db.by_receipt(s, guild_id, proof.receipt_hash, lock=lock)
        else:
            report = await reports_db.owned(
                s, guild_id, proof.report_id, self._candidates(guild_id, user_id), lock=lock
            )
        if report is None or report.id != proof.report_id:
            raise UserError("error.report.not_found")
        return report

    async def edit(self, guild_id: int, user_id: int, proof: Proof, draft: Draft) -> Found:
        """Replace what the report says, if the proof still holds."""
        content = validate(draft)
        async with self.db.begin() as s:
            report = await self._proved(s, guild_id, user_id, proof, lock=True)
            await reports_db.replace_content(s, report, content, now=self.clock())
            walkout = await walkouts_db.get(s, guild_id, report.walkout_id)
        assert walkout is not None
        log.info("report %s edited in guild %s", report.id, guild_id)
        return Found(report, walkout, proof)

    async def delete(self, guild_id: int, user_id: int, ref: str | None) -> Notice | None:
        """Delete the report ``ref`` names (see :meth:`find`); return its notification."""
        found = await self.find(guild_id, user_id, ref)
        async with self.db.begin() as s:
            report = await self._proved(s, guild_id, user_id, found.proof, lock=True)
            notice = await reports_db.remove(s, report)
        log.info("report %s deleted by its reporter in guild %s", found.report.id, guild_id)
        return notice

    # -------------------------------------------------------------- moderators

    async def page(
        self, guild_id: int, *, walkout_id: int | None, page: int, size: int
    ) -> tuple[list[tuple[Report, Walkout]], int]:
        async with self.db() as s:
            return await reports_db.page(
                s, guild_id, walkout_id=walkout_id, offset=(page - 1) * size, limit=size
            )

    async def stats(self, guild_id: int) -> Stats:
        async with self.db() as s:
            return compute(await reports_db.stats_rows(s, guild_id))

    async def export(
        self,
        guild_id: int,
        fmt: Format,
        out: BinaryIO,
        *,
        walkout_id: int | None = None,
        since: datetime | None = None,
        progress: Callable[[int], object] | None = None,
    ) -> int:
        """Stream the server's reports into ``out``; return how many were written."""
        async with self.db() as s:
            return await write_export(
                fmt,
                reports_db.export_rows(s, guild_id, walkout_id=walkout_id, since=since),
                out,
                exported_at=self.clock(),
                progress=progress,
            )


async def purge_expired(
    db: Database, *, now: datetime, owns: Callable[[int], bool] = lambda _guild_id: True
) -> Purged:
    """Retention: in every server with a retention period (that this process ``owns``: its
    shards), delete the reports and RSVPs of walkouts that ended more than that many days before
    ``now`` (one transaction per server). Returns the deleted reports' notifications, to delete
    them from the reports channel."""
    async with db() as s:
        servers = [(g, days) for g, days in await guilds_db.with_retention(s) if owns(g)]
    notices: list[Notice] = []
    total_reports = total_rsvps = 0
    for guild_id, days in servers:
        async with db.begin() as s:
            found, n_reports, n_rsvps = await reports_db.purge_before(
                s, guild_id, ended_before=now - timedelta(days=days)
            )
        notices += found
        total_reports += n_reports
        total_rsvps += n_rsvps
        if n_reports or n_rsvps:
            log.info(
                "retention: purged %d report(s) and %d RSVP(s) in guild %s",
                n_reports,
                n_rsvps,
                guild_id,
            )
    return Purged(notices=notices, reports=total_reports, rsvps=total_rsvps)
