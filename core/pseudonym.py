"""Keyed hashes that stand in for Discord user ids wherever the raw id is not needed.

An RSVP (and later an anonymous report) stores ``member_key(...)``: the same member in the same
server always maps to the same key, so toggles and "delete my data" work, but the database alone
does not reveal who it was, and keys from different servers or purposes do not link up.
"""

from __future__ import annotations

import hashlib
import hmac


def member_key(secret: bytes, guild_id: int, user_id: int, purpose: str) -> str:
    """Return a 64-hex-char HMAC-SHA256 of (purpose, guild, user) under ``secret``."""
    if not secret:
        raise ValueError("member_key needs a non-empty secret")
    msg = f"{purpose}:{guild_id}:{user_id}".encode()
    return hmac.new(secret, msg, hashlib.sha256).hexdigest()
