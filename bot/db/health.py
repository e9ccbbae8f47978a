"""Whether the database answers, and calls bounded by a timeout that fail fast while it does not.

Answering a question needs no database (the search is in memory), so the conversation's database calls go
through `DatabaseHealth.call`: at most `timeout` seconds each, and none at all for a short while after a
failure, until a probe (`SELECT 1`) gets through again. /healthz and /readyz report the state.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.db.database import Database

log = logging.getLogger(__name__)
T = TypeVar("T")
CALL_TIMEOUT = 1.0  # seconds a conversation's database call may take before the answer goes without it
PROBE_EVERY = 2.0  # seconds between probes while the database is down
PROBE_TIMEOUT = 2.0


class DatabaseUnavailable(Exception):
    """The database is down (or was a moment ago): the caller carries on without it."""


class DatabaseHealth:
    """Shared by every database port of one process."""

    def __init__(self, db: Database, timeout: float = CALL_TIMEOUT, clock: Callable[[], float] = time.monotonic):
        self.db = db
        self.timeout = timeout
        self.clock = clock
        self.up = True
        self.since = clock()
        self.last_error = ""
        self._recovered = asyncio.Event()
        self._recovered.set()
        self._prober: asyncio.Task[None] | None = None

    def _down(self, error: BaseException) -> None:
        if self.up:
            log.warning("database unavailable (%s); answering without it until it is back", type(error).__name__)
            self.up, self.since = False, self.clock()
            self._recovered.clear()
            if self._prober is None or self._prober.done():
                self._prober = asyncio.create_task(self._probe(), name="database-probe")
        self.last_error = type(error).__name__

    async def call(self, make: Callable[[], Awaitable[T]], timeout: float | None = None) -> T:
        """Run one database call with a timeout; DatabaseUnavailable at once while the database is down."""
        if not self.up:
            raise DatabaseUnavailable(self.last_error)
        task = asyncio.ensure_future(make())
        try:
            # Not wait_for: cancelling a query stuck on a hung server can itself hang (the driver cleans
            # up), and the answer must not wait for that. The abandoned call ends in the background.
            done, _ = await asyncio.wait({task}, timeout=timeout or self.timeout)
        except asyncio.CancelledError:
            task.cancel()
            raise
        try:
            if not done:
                task.cancel()
                task.add_done_callback(_quietly)
                raise TimeoutError
            return task.result()
        except (TimeoutError, OSError, SQLAlchemyError) as exc:
            if isinstance(exc, SQLAlchemyError) and not _is_connection_error(exc):
                raise  # a bug or a constraint: not an outage
            if not (isinstance(exc, TimeoutError) and self.db.sqlite):
                self._down(exc)  # a slow SQLite file is busy (a writer holds it), not down
            raise DatabaseUnavailable(type(exc).__name__) from exc

    async def wait_until_up(self) -> None:
        await self._recovered.wait()

    async def _probe(self) -> None:
        while True:
            await asyncio.sleep(PROBE_EVERY)
            try:
                async with asyncio.timeout(PROBE_TIMEOUT):
                    async with self.db.sql.connect() as connection:
                        await connection.execute(text("SELECT 1"))
            except Exception as exc:  # still down: probe again
                self.last_error = type(exc).__name__
                continue
            log.warning("database available again after %.0f s", self.clock() - self.since)
            self.up, self.since = True, self.clock()
            self._recovered.set()
            return

    def report(self) -> dict[str, object]:
        return {"database": "ok" if self.up else "down", **({} if self.up else {"database_error": self.last_error})}

    async def close(self) -> None:
        if self._prober is not None:
            self._prober.cancel()
            await asyncio.gather(self._prober, return_exceptions=True)


def _quietly(task: asyncio.Future[Any]) -> None:
    """Collect an abandoned call's outcome, so that asyncio does not report it as never retrieved."""
    if not task.cancelled():
        task.exception()


def _is_connection_error(exc: SQLAlchemyError) -> bool:
    """Lost or refused connections and lock timeouts, as opposed to errors in what was asked."""

    if isinstance(exc, (OperationalError, PoolTimeout)):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)
