"""Bookkeeping writes the answer does not wait for (activity, the unanswered log, clarify picks): done in
order by one task, and kept (bounded) while the database is down, to be written when it is back."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from bot.db.health import DatabaseHealth, DatabaseUnavailable

log = logging.getLogger(__name__)
MAX_PENDING = 50_000  # writes kept during an outage; past this the oldest go (and are counted)


class BackgroundWrites:
    def __init__(self, health: DatabaseHealth, limit: int = MAX_PENDING):
        self.health = health
        self.limit = limit
        self.dropped = 0
        self._pending: deque[Callable[[], Awaitable[None]]] = deque()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None

    def submit(self, write: Callable[[], Awaitable[None]]) -> None:
        if len(self._pending) >= self.limit:
            self._pending.popleft()
            self.dropped += 1
        self._pending.append(write)
        self._idle.clear()
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="background-writes")

    def __len__(self) -> int:
        return len(self._pending)

    async def _run(self) -> None:
        while True:
            if not self._pending:
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            write = self._pending[0]
            try:
                await self.health.call(write, timeout=10.0)
            except DatabaseUnavailable:
                await self.health.wait_until_up()  # keep it, and the ones behind it, for later
                continue
            except Exception:
                log.exception("a background write failed; dropped")
            self._pending.popleft()

    async def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything submitted is written (tests, shutdown); False if the time ran out."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
            return True
        except TimeoutError:
            return False

    async def close(self) -> None:
        await self.flush(5.0)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
