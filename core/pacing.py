"""A token bucket that paces the bot's own sends under a rate (Discord's global 50 requests/s).

discord.py waits out the per-route buckets the response headers report and retries 429s, but
it sends as fast as it is asked until Discord says stop. A national action puts hundreds of
reminder posts in the queue at the same second; pacing them here keeps the flow just under the
limit instead of provoking a storm of 429s. Time and sleep are injected for tests.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class Pacer:
    """``await pacer.acquire()`` returns at most ``rate`` times per second (bursts of
    ``burst``), in the order the callers arrived."""

    def __init__(
        self,
        rate: float,
        *,
        burst: int = 1,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self._monotonic = monotonic
        self._sleep = sleep
        self._tokens = float(burst)
        self._stamp = monotonic()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:  # FIFO: asyncio.Lock wakes waiters in order
            while True:
                now = self._monotonic()
                self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await self._sleep((1 - self._tokens) / self.rate)
