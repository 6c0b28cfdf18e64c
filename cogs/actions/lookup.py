"""Finding a national action from what a user typed or picked, shared by /action and /walkout."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import UserError
from core.text import AUTOCOMPLETE_CHOICES_MAX, CHOICE_NAME_MAX, fit
from db import actions as actions_db
from db.models import NationalAction


async def find_action(s: AsyncSession, guild_id: int, ref: str) -> NationalAction:
    """An autocomplete value ("3", "#3") or a typed name; shipped or this server's own."""
    raw = ref.strip()
    digits = raw.lstrip("#")
    action = None
    if digits.isdigit() and len(digits) < 10:
        action = await actions_db.get_for_guild(s, guild_id, int(digits))
    if action is None:
        action = await actions_db.find_by_name(s, guild_id, raw)
    if action is None:
        raise UserError("error.action.not_found", ref=fit(ref, 60))
    return action


def action_choices(
    rows: Sequence[NationalAction], current: str, *, own_only: bool = False
) -> list[tuple[str, str]]:
    """(name, value) autocomplete pairs: actions whose name contains ``current``."""
    needle = current.strip().lower()
    out = [
        (
            fit(f"{a.name} · {a.local_date:%Y-%m-%d} {a.local_time:%H:%M}", CHOICE_NAME_MAX),
            str(a.id),
        )
        for a in rows
        if needle in a.name.lower() and not (own_only and a.guild_id is None)
    ]
    return out[:AUTOCOMPLETE_CHOICES_MAX]
