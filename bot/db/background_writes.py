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
WRITE_TIMEOUT = 10.0  # seconds one write may take before the database counts as unavailable


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
        self._closing = False
        self._writing = False

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
        while not self._closing:
            if not self._pending:
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            write = self._pending[0]
            self._writing = True
            try:
                await self.health.call(write, timeout=WRITE_TIMEOUT)
                done = True
            except DatabaseUnavailable:
                done = False
            except Exception:
                log.exception("a background write failed; dropped")
                done = True
            finally:
                self._writing = False
            if not done:
                await self.health.wait_until_up()  # keep it, and the ones behind it, for later
                continue
            self._pending.popleft()

    async def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything submitted is written (tests, shutdown); False if the time ran out."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
            return True
        except TimeoutError:
            return False

    async def close(self, timeout: float = 5.0) -> None:
        """Write what is queued for up to `timeout` seconds, then stop between two writes: a write cancelled
        halfway left its SQLite connection closing forever (SQLAlchemy shields that close), and the process
        never exited (seen under bench/webhook_load.py at 100 updates/s). What is left is counted in the log."""
        if not await self.flush(timeout):
            self._closing = True
            self._wake.set()
            if self._task is not None and self._writing:
                await asyncio.wait({self._task}, timeout=WRITE_TIMEOUT + 1)  # the write under way ends
            log.warning("%d bookkeeping writes were not written before the stop", len(self._pending))
        if self._task is not None and not self._task.done():
            self._task.cancel()  # waiting for work or for the database: nothing is cut off
            await asyncio.gather(self._task, return_exceptions=True)
