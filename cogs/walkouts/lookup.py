"""Finding a walkout from what a member typed or picked, shared by every command that takes a
``walkout`` option (/walkout, /reminders and later /report)."""

from __future__ import annotations

from datetime import datetime

from discord import app_commands

from cogs.walkouts.render import choice_label
from core.errors import UserError
from core.text import AUTOCOMPLETE_CHOICES_MAX, fit
from core.visibility import PUBLIC, Viewer
from db import walkouts as walkouts_db
from db.engine import Database
from db.models import Walkout


def parse_walkout_ref(text: str) -> int:
    """``"12"``, ``"#12"`` or an autocomplete value -> 12; anything else is not a walkout."""
    raw = text.strip().lstrip("#").split(" ", 1)[0]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:  # not "²", which int() refuses
        raise UserError("error.walkout.not_found", ref=fit(text, 40))
    return int(raw)


async def walkout_choices(
    db: Database, guild_id: int, current: str, *, now: datetime, viewer: Viewer = PUBLIC
) -> list[app_commands.Choice[str]]:
    """Autocomplete: the server's walkouts matching an id, a school or a city, as ``viewer``
    may see them (a walkout waiting for approval: only moderators and its registrant)."""
    async with db() as s:
        rows = await walkouts_db.search(
            s, guild_id, current, now=now, limit=AUTOCOMPLETE_CHOICES_MAX, viewer=viewer
        )
    return [app_commands.Choice(name=choice_label(w), value=str(w.id)) for w in rows]


async def find_walkout(
    db: Database, guild_id: int, ref: str, *, viewer: Viewer = PUBLIC
) -> Walkout:
    """The server's walkout that ``ref`` names (``"12"``, ``"#12"``, an autocomplete value), as
    ``viewer`` may see it; otherwise a UserError that names what was typed."""
    async with db() as s:
        w = await walkouts_db.get(s, guild_id, parse_walkout_ref(ref), viewer=viewer)
    if w is None:
        raise UserError("error.walkout.not_found", ref=fit(ref, 40))
    return w
