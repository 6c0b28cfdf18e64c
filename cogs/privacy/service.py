"""Delete-my-data: everything the bot keeps about one member in one server, in one transaction.

- RSVPs: stored under the member's keyed hash for "rsvp"; every key version is tried.
- DM reminder opt-ins: the one place a raw user id is stored (while pending).
- Named reports: stored under the member's keyed hash for "report"; their notifications in the
  reports channel are deleted too.
- Walkouts they registered stay (other people RSVP'd to them) but forget who registered them.

Anonymous reports can't be found: nothing ties them to anyone. Their receipt code deletes them.
No Discord here; the cog refreshes the affected announcements and deletes the notifications.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from core.pseudonym import Keyring
from db import reminders as reminders_db
from db import reports as reports_db
from db import walkouts as walkouts_db
from db.engine import Database
from db.reports import Notice

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Forgotten:
    rsvps: int = 0
    reminders: int = 0
    reports: int = 0
    walkouts: int = 0
    refresh: tuple[int, ...] = ()  # walkouts whose announcement changed (count, registrant)
    notices: list[Notice] = field(default_factory=list)


async def forget_member(db: Database, keys: Keyring, guild_id: int, user_id: int) -> Forgotten:
    """Remove the member's RSVPs, DM reminder opt-ins and named reports in the server, and null
    their id on the walkouts they registered; say how many of each."""
    async with db.begin() as s:
        # The walkouts first, then what hangs off them: the order an RSVP toggle locks in.
        registered = await walkouts_db.forget_registrant(s, guild_id, user_id)
        rsvp_walkouts = await walkouts_db.forget_rsvps(
            s, guild_id, keys.candidates(guild_id, user_id, "rsvp")
        )
        dms = await reminders_db.forget_user(s, guild_id, user_id)
        reports = await reports_db.forget_reporter(
            s, guild_id, keys.candidates(guild_id, user_id, "report")
        )
    done = Forgotten(
        rsvps=len(rsvp_walkouts),
        reminders=dms,
        reports=len(reports),
        walkouts=len(registered),
        refresh=tuple(sorted(set(rsvp_walkouts) | set(registered))),
        notices=reports_db.notices_of(reports),
    )
    log.info(
        "delete-my-data in guild %s: %d RSVP(s), %d DM reminder(s), %d report(s), %d walkout(s)",
        guild_id,
        done.rsvps,
        done.reminders,
        done.reports,
        done.walkouts,
    )
    return done
