"""Runs the broadcaster inside `bot run`: its task, and an APScheduler interval job that only wakes it."""

from __future__ import annotations

import asyncio
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.broadcast.broadcaster import Broadcaster

log = logging.getLogger(__name__)


class BroadcastRuntime:
    """The engine task plus an APScheduler interval job that only wakes it; all state is in the database."""

    def __init__(self, broadcaster: Broadcaster, tick_seconds: float = 1.0):
        self.broadcaster = broadcaster
        self.tick_seconds = tick_seconds
        self.scheduler = AsyncIOScheduler()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.scheduler.add_job(
            self.broadcaster.wake,
            "interval",
            seconds=self.tick_seconds,
            id="wake-broadcasts",
            coalesce=True,
            max_instances=1,
        )
        self.scheduler.start()
        self._task = asyncio.create_task(self.broadcaster.run(self._stop))

    async def stop(self) -> None:
        self._stop.set()
        self.broadcaster.wake()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, 30)
            except TimeoutError:
                self._task.cancel()
        for sender in self.broadcaster.senders.values():
            await sender.close()
