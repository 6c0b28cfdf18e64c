"""core.visibility over its whole table: every kind of viewer, every status, both settings."""

import itertools

import pytest

from core.visibility import (
    ANNOUNCED,
    CANCELLED,
    PENDING,
    PENDING_APPROVAL,
    PUBLIC,
    REJECTED,
    SCHEDULED,
    STATUSES,
    WITHDRAWN,
    Shown,
    Viewer,
    shown,
)

REGISTRANT = 7
VIEWERS = {
    "public": PUBLIC,
    "member": Viewer(user_id=1),
    "member going": Viewer(user_id=1, going=True),
    "registrant": Viewer(user_id=REGISTRANT),
    "moderator": Viewer(user_id=2, is_mod=True),
}
NOTHING = Shown(walkout=False, meeting_point=False, registrant=False)


def expected(who: str, status: str, public_meeting_point: bool) -> Shown:
    """The rule, written out as a table (the docstring of core.visibility)."""
    sees = {
        SCHEDULED: True,
        CANCELLED: True,
        PENDING_APPROVAL: who in ("registrant", "moderator"),
        PENDING: False,
        REJECTED: False,
        WITHDRAWN: False,
    }[status]
    if not sees:
        return NOTHING
    meeting_point = public_meeting_point or who in ("member going", "registrant", "moderator")
    if who == "public":
        meeting_point = public_meeting_point
    return Shown(walkout=True, meeting_point=meeting_point, registrant=who == "moderator")


@pytest.mark.parametrize(
    ("who", "status", "public_meeting_point"),
    list(itertools.product(VIEWERS, STATUSES, (False, True))),
)
def test_the_whole_table(who, status, public_meeting_point):
    got = shown(
        VIEWERS[who],
        status=status,
        registrant_id=REGISTRANT,
        meeting_point_public=public_meeting_point,
    )
    assert got == expected(who, status, public_meeting_point)


@pytest.mark.parametrize("status", ANNOUNCED)
def test_public_posts_never_name_the_registrant(status):
    for setting in (False, True):
        assert not shown(
            PUBLIC, status=status, registrant_id=REGISTRANT, meeting_point_public=setting
        ).registrant


def test_a_registrant_whose_data_was_deleted_is_nobody():
    """registrant_id NULL (delete-my-data): no member matches it, not even one with id 0."""
    for user in (0, REGISTRANT):
        got = shown(
            Viewer(user_id=user),
            status=PENDING_APPROVAL,
            registrant_id=None,
            meeting_point_public=False,
        )
        assert got == NOTHING


def test_statuses_are_what_the_schema_checks():
    from db.models import WALKOUT_STATUSES

    assert set(WALKOUT_STATUSES) == set(STATUSES)
    assert set(ANNOUNCED) < set(STATUSES)
