"""Errors a user can cause, carried as catalog keys so they are shown in the user's language."""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """A failure caused by user input: shown ephemerally, translated, never logged as a crash.

    ``key`` is a dotted key in ``messages/locales/*.yaml`` (for example ``error.when.past``);
    ``fields`` fill its ``{placeholders}``.
    """

    def __init__(self, key: str, **fields: Any) -> None:
        super().__init__(key)
        self.key = key
        self.fields = fields

    def __repr__(self) -> str:
        return f"UserError({self.key!r}, {self.fields!r})"
