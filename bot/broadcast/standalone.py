"""`campaign send`: the broadcaster in its own process, with senders built by the wiring module."""

from __future__ import annotations

import asyncio
import contextlib

from bot.db import deliveries
from bot.db.database import Database
from bot.settings import Settings
from bot.wiring import build_broadcaster, open_senders


async def run_sender(settings: Settings, db: Database, until_idle: bool = False) -> int:
    async with contextlib.AsyncExitStack() as stack:
        # The bot's replies come from another process: the reserve in this limiter leaves them room.
        broadcaster = build_broadcaster(db, settings, await open_senders(settings, stack, db))
        if until_idle:
            await broadcaster.start()
            if not broadcaster.active:
                return 1
            try:
                while True:
                    await broadcaster.tick()
                    async with db.session() as session:
                        busy = any(
                            [await deliveries.due_soon(session, c, broadcaster.clock()) for c in broadcaster.senders]
                        )
                    if not busy:
                        return 0
            finally:
                broadcaster.stop()
        stop = asyncio.Event()
        await broadcaster.run(stop)
    return 0
