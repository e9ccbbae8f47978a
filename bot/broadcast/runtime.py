"""Builds the broadcast engine for a process: senders per configured channel, limiters, APScheduler wake-ups."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.broadcast.engine import BroadcastEngine, EngineConfig
from bot.broadcast.limiter import Limits, RateLimiter
from bot.db.engine import Database
from bot.settings import Settings

log = logging.getLogger(__name__)


def build_limiters(settings: Settings, reply_reserve: float = Limits.reply_reserve) -> dict[str, RateLimiter]:
    """One limiter per channel for the whole process: campaign sends and replies to users share it.

    The platform counts per bot, so with CAMPAIGN_WORKERS processes sending, each takes its share.
    """
    share = max(1, settings.campaign_workers)
    return {"telegram": RateLimiter(Limits(per_second=settings.telegram_rate_per_second / share,
                                           reply_reserve=reply_reserve)),
            # Zalo ids are not negative group ids; its per-chat pace is our own choice (1/s).
            "zalo": RateLimiter(Limits(per_second=settings.zalo_rate_per_second / share, reply_reserve=reply_reserve),
                                is_group=lambda _c: False)}


def engine_config(settings: Settings) -> EngineConfig:
    start, end = settings.quiet_window
    # A batch is leased as a whole, so a crash turns at most one batch into "unknown": a quarter of a
    # second of sending keeps that small while leaving the database a few transactions per second.
    fastest = max(settings.telegram_rate_per_second, settings.zalo_rate_per_second) / max(1, settings.campaign_workers)
    batch = int(max(10, min(500, fastest * 0.25)))
    return EngineConfig(batch=batch, timezone=settings.timezone, quiet_start=start, quiet_end=end,
                        lease=dt.timedelta(seconds=settings.campaign_lease_seconds))


class BroadcastRuntime:
    """The engine task plus an APScheduler interval job that only wakes it; all state is in the database."""

    def __init__(self, engine: BroadcastEngine, tick_seconds: float = 1.0):
        self.engine = engine
        self.tick_seconds = tick_seconds
        self.scheduler = AsyncIOScheduler()
        self._stop = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self.scheduler.add_job(self.engine.wake, "interval", seconds=self.tick_seconds, id="wake-broadcasts",
                               coalesce=True, max_instances=1)
        self.scheduler.start()
        self._task = asyncio.create_task(self.engine.run(self._stop))

    async def stop(self) -> None:
        self._stop.set()
        self.engine.wake()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, 30)
            except asyncio.TimeoutError:
                self._task.cancel()
        for sender in self.engine.senders.values():
            close = getattr(sender, "close", None)
            if close is not None:
                await close()


def make_engine(db: Database, settings: Settings, senders: dict, limiters: dict | None = None) -> BroadcastEngine:
    limiters = limiters or build_limiters(settings)
    return BroadcastEngine(db, senders, {c: limiters[c] for c in senders}, engine_config(settings))
