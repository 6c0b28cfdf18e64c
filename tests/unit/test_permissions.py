"""Unit tests for core.permissions: who may moderate, register and manage walkouts."""

from __future__ import annotations

import discord
import pytest

from core.permissions import (
    ADMINISTRATOR,
    MANAGE_GUILD,
    can_manage_walkout,
    can_register,
    is_moderator,
)


def test_bits_match_discord() -> None:
    """Our bit constants are discord.py's."""
    assert discord.Permissions(administrator=True).value == ADMINISTRATOR == 1 << 3
    assert discord.Permissions(manage_guild=True).value == MANAGE_GUILD == 1 << 5


@pytest.mark.parametrize(
    ("perms", "expected"),
    [
        (0, False),
        (discord.Permissions(manage_guild=True).value, True),
        (discord.Permissions(administrator=True).value, True),
        (discord.Permissions(manage_guild=True, administrator=True).value, True),
        (
            discord.Permissions(
                manage_messages=True, manage_roles=True, manage_channels=True, kick_members=True
            ).value,
            False,
        ),
        (discord.Permissions(manage_events=True, moderate_members=True).value, False),
        (discord.Permissions.all().value, True),
        (discord.Permissions.all().value & ~(MANAGE_GUILD | ADMINISTRATOR), False),
        (discord.Permissions.general().value, True),  # "general" includes Manage Server
        (discord.Permissions.text().value, False),
    ],
)
def test_is_moderator(perms: int, expected: bool) -> None:
    """Manage Server or Administrator makes a moderator; nothing else does."""
    assert is_moderator(perms) is expected


ROLE = 555


@pytest.mark.parametrize(
    ("is_mod", "role_ids", "organizer_role_id", "expected"),
    [
        # no organizer role configured: everyone
        (False, [], None, True),
        (False, [1, 2], None, True),
        (True, [], None, True),
        # organizer role configured: holders of it, and moderators
        (False, [ROLE], ROLE, True),
        (False, [1, ROLE, 2], ROLE, True),
        (False, [1, 2], ROLE, False),
        (False, [], ROLE, False),
        (True, [], ROLE, True),
        (False, iter([ROLE]), ROLE, True),  # any iterable
        (False, (r for r in [7, 8]), ROLE, False),
    ],
)
def test_can_register(
    is_mod: bool, role_ids: list[int], organizer_role_id: int | None, expected: bool
) -> None:
    """Registration: unset role = everyone; set role = its members plus moderators."""
    assert (
        can_register(is_mod=is_mod, role_ids=role_ids, organizer_role_id=organizer_role_id)
        is expected
    )


@pytest.mark.parametrize(
    ("user_id", "registrant_id", "is_mod", "expected"),
    [
        (10, 10, False, True),  # the registrant
        (10, 11, False, False),  # someone else
        (10, 11, True, True),  # a moderator
        (10, 10, True, True),
        (10, None, False, False),  # registrant forgotten (data deleted)
        (10, None, True, True),
        (0, None, False, False),
    ],
)
def test_can_manage_walkout(
    user_id: int, registrant_id: int | None, is_mod: bool, expected: bool
) -> None:
    """Edit/cancel: the registrant or a moderator."""
    assert (
        can_manage_walkout(user_id=user_id, registrant_id=registrant_id, is_mod=is_mod) is expected
    )
