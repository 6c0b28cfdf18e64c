"""Forcing two transactions to interleave, for race tests that must fail without a lock."""

import asyncio


class Interleave:
    """Holds one transaction between its read and its write (the patched function) until another
    one is done, or for ``patience`` seconds when the other can't finish first: it waits for
    this one's lock (on SQLite every write transaction does).

    ``monkeypatch.setattr(module, "write", race.hold(module.write))``, start the first
    transaction as a task, then ``await race.then(second())``.
    """

    def __init__(self, patience: float = 1.0) -> None:
        self.read = asyncio.Event()
        self.other_done = asyncio.Event()
        self.patience = patience

    def hold(self, original):
        async def held(*args, **kwargs):
            self.read.set()
            try:
                await asyncio.wait_for(self.other_done.wait(), self.patience)
            except TimeoutError:
                pass
            return await original(*args, **kwargs)

        return held

    async def then(self, awaitable):
        await self.read.wait()
        try:
            return await awaitable
        finally:
            self.other_done.set()
