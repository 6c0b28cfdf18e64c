"""Stored codes that code outside ``db/`` reads without loading SQLAlchemy: the repercussion bit
set of ``reports.repercussions`` (NULL = not said, 0 = "none" said explicitly, else these bits).
``db/models.py`` builds its CHECK from the same values."""

from __future__ import annotations

REPERCUSSION_BITS: dict[str, int] = {
    "discipline": 1,
    "police": 2,
    "arrest": 4,
    "ice": 8,
    "injury": 16,
}
REPERCUSSIONS_ALL = 31
KINDS: tuple[str, ...] = tuple(REPERCUSSION_BITS)
"""Repercussion kinds in the order they are shown: discipline, police, arrest, ice, injury."""
NONE = "none"


def kinds_of(bits: int | None) -> tuple[str, ...]:
    """The kinds of a stored bit set, in :data:`KINDS` order (``("none",)`` for 0)."""
    if bits is None:
        return ()
    if bits == 0:
        return (NONE,)
    return tuple(kind for kind in KINDS if bits & REPERCUSSION_BITS[kind])
