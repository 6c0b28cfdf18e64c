"""Keyed hashes that stand in for Discord user ids wherever the raw id is not needed.

An RSVP stores ``member_key(..., "rsvp")`` and a named report ``member_key(..., "report")``: the
same member in the same server always maps to the same key, so toggles, "my reports" and "delete
my data" work, but the database alone does not reveal who it was, and keys from different
servers or purposes do not link up. (Anonymous reports store no key at all: whoever holds the
host holds the secret and can recompute a keyed hash for every member.)

The secret carries a version so it can be rotated (:class:`Keyring`): new hashes use the current
version, lookups try every version, so rows stored under an older key keep working until they
are rewritten, deleted or purged; then the older key can be dropped from the configuration.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["Keyring", "KeyringError", "member_key"]

_ENTRY = re.compile(r"^v(?P<version>[1-9][0-9]{0,5}):(?P<key>.+)$")


def member_key(secret: bytes, guild_id: int, user_id: int, purpose: str) -> str:
    """Return a 64-hex-char HMAC-SHA256 of (purpose, guild, user) under ``secret``."""
    if not secret:
        raise ValueError("member_key needs a non-empty secret")
    msg = f"{purpose}:{guild_id}:{user_id}".encode()
    return hmac.new(secret, msg, hashlib.sha256).hexdigest()


class KeyringError(ValueError):
    """The configured secret can't be read as a keyring (see :meth:`Keyring.parse`)."""


@dataclass(frozen=True)
class Keyring:
    """Versioned pseudonym secrets: ``current`` signs new hashes, all of them are looked up."""

    keys: Mapping[int, bytes] = field(repr=False)
    current: int

    def __post_init__(self) -> None:
        if self.current not in self.keys or not all(self.keys.values()):
            raise KeyringError("the keyring needs a non-empty current key")

    @classmethod
    def parse(cls, text: bytes | str) -> Keyring:
        """Read ``WALKOUT_SECRET`` (or the key file): comma- or whitespace-separated entries
        ``v<N>:<key>``, the first one current, e.g. ``v2:new-secret,v1:old-secret``. A value
        without any ``v<N>:`` prefix is one key of version 1 (the format before versions), so
        existing hashes keep matching."""
        raw = text.decode() if isinstance(text, bytes) else text
        raw = raw.strip()
        if not raw:
            raise KeyringError("the secret is empty")
        entries = [part for part in re.split(r"[\s,]+", raw) if part]
        if not any(_ENTRY.match(part) for part in entries):
            return cls(keys={1: raw.encode()}, current=1)
        keys: dict[int, bytes] = {}
        for part in entries:
            match = _ENTRY.match(part)
            if match is None:
                raise KeyringError("every entry must look like v<number>:<key> (e.g. v2:...)")
            version = int(match["version"])
            if version in keys:
                raise KeyringError(f"key version v{version} is given twice")
            keys[version] = match["key"].encode()
        first = _ENTRY.match(entries[0])
        assert first is not None
        return cls(keys=keys, current=int(first["version"]))

    @property
    def secret(self) -> bytes:
        """The current key."""
        return self.keys[self.current]

    @property
    def versions(self) -> tuple[int, ...]:
        """Every version, the current one first, then newest to oldest."""
        others = sorted((v for v in self.keys if v != self.current), reverse=True)
        return (self.current, *others)

    def key(self, guild_id: int, user_id: int, purpose: str) -> str:
        """The member's hash under the current key (what new rows store)."""
        return member_key(self.secret, guild_id, user_id, purpose)

    def candidates(self, guild_id: int, user_id: int, purpose: str) -> list[str]:
        """The member's hash under every key version, the current one first (what lookups,
        toggles and deletions match)."""
        return [member_key(self.keys[v], guild_id, user_id, purpose) for v in self.versions]
