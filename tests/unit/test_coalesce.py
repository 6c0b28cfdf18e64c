"""core.coalesce: bursts coalesce, runs never overlap, the last run sees the last request."""

import asyncio
import logging

from core.coalesce import Coalescer


class Gate:
    """An injected sleep that waits until the test opens it (no wall-clock waiting)."""

    def __init__(self) -> None:
        self.asked: list[float] = []
        self.open = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        await self.open.wait()


async def test_a_burst_during_the_delay_is_one_run_with_the_latest_value():
    runs: list[tuple[str, str]] = []

    async def job(key, value):
        runs.append((key, value))

    gate = Gate()
    c = Coalescer(job, sleep=gate)
    tasks = {c.request("w1", f"v{i}", delay=0.75) for i in range(12)}
    assert len(tasks) == 1 and c.pending() == 1
    await asyncio.sleep(0)
    assert gate.asked == [0.75] and runs == []
    gate.open.set()
    await c.idle()
    # Requests during the delay are all served by the run that follows it: one edit.
    assert runs == [("w1", "v11")]
    assert c.pending() == 0


async def test_runs_for_one_key_never_overlap_and_the_last_follows_the_last_request():
    active = 0
    most = 0
    seen: list[int] = []
    release = asyncio.Event()

    async def job(key, value):
        nonlocal active, most
        active += 1
        most = max(most, active)
        await release.wait()
        seen.append(value)
        active -= 1

    c = Coalescer(job)
    c.request("w", 1)
    await asyncio.sleep(0)  # run 1 is under way
    c.request("w", 2)
    c.request("w", 3)
    release.set()
    await c.idle()
    assert most == 1
    assert seen == [1, 3]  # the repeat reads the newest value


async def test_keys_run_independently():
    order: list[str] = []
    hold = asyncio.Event()

    async def job(key, value):
        if key == "slow":
            await hold.wait()
        order.append(key)

    c = Coalescer(job)
    c.request("slow", None)
    c.request("fast", None)
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert order == ["fast"]
    hold.set()
    await c.idle()
    assert order == ["fast", "slow"]


async def test_a_failing_job_is_logged_and_the_next_request_runs(caplog):
    calls = 0

    async def job(key, value):
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("discord down")

    c = Coalescer(job, name="announcement")
    with caplog.at_level(logging.ERROR, logger="core.coalesce"):
        await c.request("w", None)
    assert "announcement job failed for w" in caplog.text
    await c.request("w", None)
    assert calls == 2


async def test_cancel_all_stops_waiting_runs():
    runs = []

    async def job(key, value):
        runs.append(key)

    gate = Gate()
    c = Coalescer(job, sleep=gate)
    task = c.request("w", None, delay=5)
    await asyncio.sleep(0)
    c.cancel_all()
    await asyncio.gather(task, return_exceptions=True)
    assert task.cancelled() and runs == [] and c.pending() == 0
