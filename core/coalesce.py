"""Coalescing repeated requests for the same slow, idempotent job (editing an announcement).

``request(key, value)`` runs ``job(key, value)`` soon; asking again while a run for that key is
waiting or running does not start a second one, it marks the key stale so the run repeats once
more afterwards with the newest value. So:

- a burst of requests (twelve RSVP clicks) costs one or two runs, not twelve;
- two runs for one key never overlap, so an older run can never land after a newer one;
- the last run always starts after the last request, so it sees the final state.

The wait before the first run and the clock are injected (``sleep``): tests pass a sleep that
returns at once, or await :meth:`Coalescer.idle`, instead of waiting for wall-clock quiet.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Sleep = Callable[[float], Awaitable[object]]


class Coalescer(Generic[K, V]):
    """One run of ``job`` per key at a time, repeated while requests keep arriving."""

    def __init__(
        self,
        job: Callable[[K, V], Awaitable[None]],
        *,
        sleep: Sleep = asyncio.sleep,
        name: str = "coalesced",
    ) -> None:
        self._job = job
        self._sleep = sleep
        self._name = name
        self._tasks: dict[K, asyncio.Task[None]] = {}
        self._latest: dict[K, V] = {}
        self._stale: set[K] = set()

    def request(self, key: K, value: V, *, delay: float = 0.0) -> asyncio.Task[None]:
        """Run the job for ``key`` (after ``delay`` seconds when nothing is under way) and
        return the task that will; failures are logged, never raised into the caller."""
        self._latest[key] = value
        task = self._tasks.get(key)
        if task is not None:
            self._stale.add(key)
            return task
        task = asyncio.create_task(self._run(key, delay), name=f"{self._name}-{key}")
        self._tasks[key] = task
        return task

    async def _run(self, key: K, delay: float) -> None:
        try:
            if delay > 0:
                await self._sleep(delay)
            while True:
                self._stale.discard(key)
                try:
                    await self._job(key, self._latest[key])
                except Exception:
                    log.exception("%s job failed for %s", self._name, key)
                if key not in self._stale:
                    return
        finally:
            self._tasks.pop(key, None)
            self._latest.pop(key, None)
            self._stale.discard(key)

    def pending(self) -> int:
        """How many keys have a run waiting or under way."""
        return len(self._tasks)

    async def idle(self) -> None:
        """Wait until no run is waiting or under way (runs requested meanwhile included)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    def cancel_all(self) -> None:
        """Cancel every run (on unload); requests made afterwards start new runs."""
        for task in self._tasks.values():
            task.cancel()
