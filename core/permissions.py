"""Who may do what: pure rules on plain values, so they are testable without Discord.

Slash commands carry ``default_permissions``, but server admins can override command visibility
per role, so every handler re-checks with these rules (see commands.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from core.errors import UserError

__all__ = [
    "ADMINISTRATOR",
    "MANAGE_GUILD",
    "can_manage_walkout",
    "can_register",
    "is_moderator",
    "require_moderator",
]

ADMINISTRATOR = 1 << 3
"""Discord permission bit: Administrator (implies every other permission)."""
MANAGE_GUILD = 1 << 5
"""Discord permission bit: Manage Server."""


def is_moderator(perms_value: int) -> bool:
    """Return whether a member's permission bits (``Permissions.value``) make them a moderator:
    Manage Server or Administrator."""
    return bool(perms_value & (MANAGE_GUILD | ADMINISTRATOR))


def require_moderator(perms_value: int) -> None:
    """Raise ``error.permission.moderator`` unless the bits make a moderator. Handlers call it
    on every moderator command: admins can re-map command permissions per role."""
    if not is_moderator(perms_value):
        raise UserError("error.permission.moderator")


def can_register(*, is_mod: bool, role_ids: Iterable[int], organizer_role_id: int | None) -> bool:
    """Return whether a member may register walkouts.

    With no organizer role configured everyone may; otherwise members with that role, and
    moderators always (they could set the role on themselves anyway).
    """
    if organizer_role_id is None or is_mod:
        return True
    return organizer_role_id in set(role_ids)


def can_manage_walkout(*, user_id: int, registrant_id: int | None, is_mod: bool) -> bool:
    """Return whether a member may edit or cancel a walkout: its registrant, or a moderator.

    ``registrant_id`` is ``None`` once the registrant's data was deleted; then only moderators.
    """
    if is_mod:
        return True
    return registrant_id is not None and user_id == registrant_id
