"""Abuse control in memory only (anonymous reports, the registration spam brake).

Anonymous reports can't be rate-limited by anything stored (that would be a trace of who sent
them), and deleting one's data must not reset a limit, so limits live in this process's memory
and nowhere else: never written to disk or logs, gone on restart. Even in memory a member is not
held by their id but by a keyed hash under a random key made at start-up and never stored, and
an entry is dropped as soon as it no longer limits anything.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import deque
from datetime import datetime, timedelta

from core.clock import Clock


class Cooldown:
    """At most ``limit`` actions per member and server within ``window``."""

    def __init__(
        self, *, clock: Clock, limit: int = 3, window: timedelta = timedelta(minutes=10)
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self._clock = clock
        self.limit = limit
        self.window = window
        self._key = secrets.token_bytes(32)
        self._seen: dict[bytes, deque[datetime]] = {}

    def _member(self, guild_id: int, user_id: int) -> bytes:
        return hmac.new(self._key, f"{guild_id}:{user_id}".encode(), hashlib.sha256).digest()

    def _prune(self, now: datetime) -> None:
        cutoff = now - self.window
        for key in [k for k, times in self._seen.items() if times[-1] <= cutoff]:
            del self._seen[key]

    def retry_after(self, guild_id: int, user_id: int, *, limit: int | None = None) -> float:
        """Seconds until the member may act again (0: now); ``limit`` overrides the default."""
        limit = self.limit if limit is None else limit
        now = self._clock()
        self._prune(now)
        times = self._seen.get(self._member(guild_id, user_id))
        if times is None:
            return 0.0
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) < limit:
            return 0.0
        # The oldest action still counted that, once out of the window, frees a place.
        return max((times[len(times) - limit] + self.window - now).total_seconds(), 0.0)

    def hit(self, guild_id: int, user_id: int) -> None:
        """Count one action now."""
        now = self._clock()
        times = self._seen.setdefault(self._member(guild_id, user_id), deque())
        times.append(now)

    def __len__(self) -> int:
        return len(self._seen)
