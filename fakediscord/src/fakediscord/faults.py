"""Rate-limit buckets and injected REST failures.

Every REST answer carries Discord's ``X-RateLimit-*`` headers from a per-route bucket
(keyed by route template + major parameter, like Discord's).  Defaults are loose (1000
requests per second per bucket) so ordinary tests never see a 429; :meth:`RateLimiter.set_limit`
tightens one route, and a global limit (50/s by default, not applied to interaction and
webhook routes, as on Discord) guards the whole bot token.

:class:`FaultPlan` holds failures queued by ``FakeDiscord.fail_next``: the next ``count``
matching requests get the given status (e.g. 500, 503, 429) instead of being handled.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field
from typing import Any

#: Route parameters that make up Discord's "major parameters" of a bucket.
MAJOR_PARAMS = ("channel_id", "guild_id", "webhook_id", "interaction_id")


@dataclass
class Bucket:
    """A fixed-window bucket: ``limit`` requests per ``per`` seconds."""

    limit: int
    per: float
    name: str
    window_start: float = 0.0
    used: int = 0

    def _roll(self, now: float) -> None:
        if now >= self.window_start + self.per:
            self.window_start = now
            self.used = 0

    def take(self, now: float) -> float | None:
        """Consume one request; return None when allowed, else seconds until the reset."""
        self._roll(now)
        if self.used >= self.limit:
            return max(self.window_start + self.per - now, 0.001)
        self.used += 1
        return None

    def headers(self, now: float) -> dict[str, str]:
        """``X-RateLimit-*`` headers describing this bucket after the current request."""
        self._roll(now)
        reset_after = max(self.window_start + self.per - now, 0.0)
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(self.limit - self.used, 0)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": self.name,
        }


@dataclass
class RateDecision:
    """Outcome of a rate-limit check: headers to send and, when limited, the retry delay."""

    headers: dict[str, str]
    retry_after: float | None = None
    is_global: bool = False
    scope: str = "user"


class RateLimiter:
    """Per-route buckets plus a global bucket, driven by monotonic time."""

    def __init__(
        self,
        *,
        default_limit: int = 1000,
        default_per: float = 1.0,
        global_limit: int | None = 50,
        global_per: float = 1.0,
    ) -> None:
        self.default_limit = default_limit
        self.default_per = default_per
        self._overrides: dict[str, tuple[int, float]] = {}
        self._buckets: dict[tuple[str, str], Bucket] = {}
        self._global = (
            Bucket(global_limit, global_per, "global") if global_limit is not None else None
        )

    def set_limit(self, template: str, limit: int, per_seconds: float) -> None:
        """Enforce ``limit`` requests per ``per_seconds`` on a route template (all methods)."""
        self._overrides[template] = (limit, per_seconds)
        for key in [k for k in self._buckets if k[0] == template]:
            del self._buckets[key]

    def set_global_limit(self, limit: int | None, per_seconds: float = 1.0) -> None:
        """Change (or with None disable) the global per-token limit."""
        self._global = Bucket(limit, per_seconds, "global") if limit is not None else None

    def check(self, template: str, params: dict[str, str], *, exempt_global: bool) -> RateDecision:
        """Account one request to ``template`` and decide whether it is rate limited."""
        now = time.monotonic()
        major = ":".join(params.get(name, "") for name in MAJOR_PARAMS if name in params)
        key = (template, major)
        bucket = self._buckets.get(key)
        if bucket is None:
            limit, per = self._overrides.get(template, (self.default_limit, self.default_per))
            name = hashlib.sha1(template.encode()).hexdigest()[:16]
            bucket = self._buckets[key] = Bucket(limit, per, name)
        if self._global is not None and not exempt_global:
            wait = self._global.take(now)
            if wait is not None:
                return RateDecision(bucket.headers(now), wait, is_global=True, scope="global")
        wait = bucket.take(now)
        return RateDecision(bucket.headers(now), wait)


@dataclass
class FaultRule:
    """A queued failure for requests matching ``method`` and ``template``."""

    method: str
    template: str
    status: int
    remaining: int
    retry_after: float | None = None
    code: int | None = None
    message: str | None = None
    hits: int = 0

    def response(self) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Status, JSON body and extra headers to answer with."""
        if self.status == 429:
            retry = 0.1 if self.retry_after is None else self.retry_after
            body: dict[str, Any] = {
                "message": self.message or "You are being rate limited.",
                "retry_after": retry,
                "global": False,
            }
            if self.code is not None:
                body["code"] = self.code
            headers = {
                "Retry-After": str(max(1, math.ceil(retry))),
                "X-RateLimit-Scope": "user",
            }
            return 429, body, headers
        reason = {
            400: "400: Bad Request",
            401: "401: Unauthorized",
            403: "Missing Permissions",
            404: "404: Not Found",
            500: "500: Internal Server Error",
            502: "502: Bad Gateway",
            503: "503: Service Unavailable",
            504: "504: Gateway Timeout",
        }.get(self.status, f"{self.status}: Injected failure")
        body = {"message": self.message or reason, "code": 0 if self.code is None else self.code}
        headers = {}
        if self.retry_after is not None:
            headers["Retry-After"] = str(max(1, math.ceil(self.retry_after)))
        return self.status, body, headers


@dataclass
class FaultPlan:
    """Failures queued by ``fail_next``, consumed first-come first-served."""

    rules: list[FaultRule] = field(default_factory=list)

    def add(self, rule: FaultRule) -> None:
        """Queue ``rule``."""
        self.rules.append(rule)

    def take(self, method: str, template: str) -> FaultRule | None:
        """Return (and use up one count of) the first rule matching this request."""
        for rule in self.rules:
            if rule.remaining > 0 and rule.method in (method, "*") and rule.template == template:
                rule.remaining -= 1
                rule.hits += 1
                if rule.remaining == 0:
                    self.rules.remove(rule)
                return rule
        return None

    def pending(self) -> int:
        """How many injected failures are still queued."""
        return sum(rule.remaining for rule in self.rules)
