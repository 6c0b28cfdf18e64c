"""Who may see what of a walkout: one pure rule used by every renderer.

The people registering walkouts are often minors, and a server can hold people who are not
friends of the movement. So:

- a walkout waiting for a moderator's approval exists only for moderators and its registrant;
- the meeting point is shown in public (announcement, channel reminders, the Discord event, a
  calendar file anyone can download) only when the server chose ``public``; otherwise only to
  members who are going, to the registrant and to moderators, always privately;
- who registered a walkout is never shown in public, and privately only to moderators.

Every renderer (announcement, reminder, ``/walkout info``, calendar file, scheduled event, RSVP
reply, DM reminder) asks :func:`shown` with the viewer it renders for; :data:`PUBLIC` is nobody
in particular.
"""

from __future__ import annotations

from dataclasses import dataclass

PENDING = "pending"  # stored, announcement being posted
PENDING_APPROVAL = "pending_approval"
SCHEDULED = "scheduled"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"  # its registrant took it back while it waited for approval
CANCELLED = "cancelled"
STATUSES: tuple[str, ...] = (
    PENDING,
    PENDING_APPROVAL,
    SCHEDULED,
    REJECTED,
    WITHDRAWN,
    CANCELLED,
)
ANNOUNCED: tuple[str, ...] = (SCHEDULED, CANCELLED)
"""Statuses every member may see."""


@dataclass(frozen=True)
class Viewer:
    """Who a rendering is for: one member (``user_id``), or nobody in particular (public)."""

    user_id: int | None = None
    is_mod: bool = False
    going: bool = False

    @property
    def is_public(self) -> bool:
        return self.user_id is None


PUBLIC = Viewer()


@dataclass(frozen=True)
class Shown:
    """What a viewer may see of one walkout."""

    walkout: bool
    meeting_point: bool
    registrant: bool


def shown(
    viewer: Viewer, *, status: str, registrant_id: int | None, meeting_point_public: bool
) -> Shown:
    """The rule (see the module docstring)."""
    is_registrant = not viewer.is_public and registrant_id is not None
    is_registrant = is_registrant and viewer.user_id == registrant_id
    if status in ANNOUNCED:
        visible = True
    elif status == PENDING_APPROVAL:
        visible = viewer.is_mod or is_registrant
    else:  # being announced, rejected or withdrawn: never public, nobody browses these
        visible = False
    if not visible:
        return Shown(walkout=False, meeting_point=False, registrant=False)
    if viewer.is_public:
        return Shown(walkout=True, meeting_point=meeting_point_public, registrant=False)
    meeting_point = meeting_point_public or viewer.is_mod or is_registrant or viewer.going
    return Shown(walkout=True, meeting_point=meeting_point, registrant=viewer.is_mod)
