"""Reminder offsets: when, relative to a walkout's start, a reminder is posted.

``/setup reminders offsets:"7d,1d,2h,0,+3h"``: a week, a day and two hours before, at the start,
three hours after. An item is ``0`` (the start) or an optional sign and amounts in weeks, days,
hours and minutes, largest first (``1d12h``, ``90m``): no sign or ``-`` = before, ``+`` = after.
``off`` turns channel reminders off.

Weeks and days are *calendar* days on the walkout's own wall clock ("a day before 14:00 Monday"
is 14:00 Sunday, even across a daylight-saving change); hours and minutes are elapsed time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.errors import UserError

__all__ = [
    "DEFAULT_OFFSETS",
    "MAX_AFTER_MINUTES",
    "MAX_BEFORE_MINUTES",
    "MAX_OFFSETS",
    "Offset",
    "format_offsets",
    "parse_offset",
    "parse_offsets",
]

MAX_OFFSETS = 8
MAX_BEFORE_MINUTES = 28 * 24 * 60  # four weeks
MAX_AFTER_MINUTES = 7 * 24 * 60  # a week: "tell us how it went" still makes sense
MAX_TEXT = 200
OFF_WORDS = frozenset({"off", "none", "no", "apagado", "ninguno"})

_ITEM = re.compile(
    r"(?P<sign>[+-])?(?:(?P<w>\d{1,2})w)?(?:(?P<d>\d{1,3})d)?(?:(?P<h>\d{1,4})h)?"
    r"(?:(?P<m>\d{1,5})m(?:in)?)?",
    re.IGNORECASE | re.ASCII,
)


@dataclass(frozen=True, order=True)
class Offset:
    """``days`` calendar days plus ``minutes`` elapsed, before (``after=False``) or after the
    start. The start itself is ``Offset()``."""

    days: int = 0
    minutes: int = 0
    after: bool = False

    @property
    def nominal_minutes(self) -> int:
        """Signed length in minutes counting a day as 1,440 (negative: before). Two offsets
        with the same nominal length are the same reminder (``1d`` and ``24h``)."""
        total = self.days * 24 * 60 + self.minutes
        return total if self.after else -total

    @property
    def is_start(self) -> bool:
        return self.days == 0 and self.minutes == 0

    @property
    def is_before(self) -> bool:
        return not self.after and not self.is_start

    def text(self) -> str:
        """The canonical spelling: ``7d``, ``2h``, ``1d12h``, ``0``, ``+3h`` (weeks as days)."""
        if self.is_start:
            return "0"
        parts = []
        if self.days:
            parts.append(f"{self.days}d")
        hours, minutes = divmod(self.minutes, 60)
        if hours:
            parts.append(f"{hours}h")
        if minutes:
            parts.append(f"{minutes}m")
        return ("+" if self.after else "") + "".join(parts)

    @classmethod
    def from_nominal(cls, nominal: int) -> Offset:
        """The offset a stored ``nominal_minutes`` stands for (whole days as calendar days)."""
        days, minutes = divmod(abs(nominal), 24 * 60)
        return cls(days=days, minutes=minutes, after=nominal > 0)


def parse_offset(text: str) -> Offset:
    """One item (``2h``, ``+3h``, ``0``); raises ``error.offsets.bad`` (part) or
    ``error.offsets.too_far`` (part, limit)."""
    part = text.strip()
    if part in ("0", "+0", "-0"):
        return Offset()
    match = _ITEM.fullmatch(part)
    if not part or match is None or not any(match[unit] for unit in "wdhm"):
        raise UserError("error.offsets.bad", part=part[:20])
    days = int(match["w"] or 0) * 7 + int(match["d"] or 0)
    minutes = int(match["h"] or 0) * 60 + int(match["m"] or 0)
    offset = Offset(days=days, minutes=minutes, after=match["sign"] == "+")
    if offset.is_start:
        return offset
    nominal = abs(offset.nominal_minutes)
    if offset.after and nominal > MAX_AFTER_MINUTES:
        raise UserError("error.offsets.too_far_after", part=part, limit="7d")
    if not offset.after and nominal > MAX_BEFORE_MINUTES:
        raise UserError("error.offsets.too_far_before", part=part, limit="4w")
    return offset


def parse_offsets(text: str) -> tuple[Offset, ...]:
    """``"7d,1d,2h,0,+3h"`` -> offsets sorted earliest first, duplicates dropped; ``off`` ->
    ``()``. Raises ``error.offsets.empty``, ``.bad`` (part), ``.too_far_*`` (part, limit) or
    ``.too_many`` (max)."""
    cleaned = (text or "").strip()
    if len(cleaned) > MAX_TEXT:
        raise UserError("error.offsets.too_many", max=MAX_OFFSETS)
    if cleaned.lower() in OFF_WORDS:
        return ()
    parts = [p for p in re.split(r"[,;\s]+", cleaned) if p]
    if not parts:
        raise UserError("error.offsets.empty")
    seen: dict[int, Offset] = {}
    for part in parts:
        offset = parse_offset(part)
        seen.setdefault(offset.nominal_minutes, offset)
    if len(seen) > MAX_OFFSETS:
        raise UserError("error.offsets.too_many", max=MAX_OFFSETS)
    return tuple(seen[key] for key in sorted(seen))


def format_offsets(offsets: Sequence[Offset]) -> str:
    """The canonical text of a set of offsets (``off`` for none)."""
    return ",".join(o.text() for o in offsets) if offsets else "off"


DEFAULT_OFFSETS: tuple[Offset, ...] = parse_offsets("7d,1d,2h,0,+3h")
"""What a server gets until a moderator runs ``/setup reminders``."""
