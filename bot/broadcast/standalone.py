"""`campaign send`: the broadcast engine in its own process, with senders built straight from settings."""
from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.broadcast.runtime import make_engine
from bot.db.engine import Database
from bot.settings import Settings
from bot.startup import StartupError

log = logging.getLogger(__name__)


async def open_senders(settings: Settings, stack: contextlib.AsyncExitStack) -> dict:
    senders = {}
    if settings.telegram_bot_token is not None:
        from bot.channels.telegram_broadcast import TelegramHttpSender

        sender = TelegramHttpSender(settings.telegram_bot_token.get_secret_value(), settings.telegram_api_base_url,
                                    settings.send_timeout)
        await sender.start()
        stack.push_async_callback(sender.close)
        senders["telegram"] = sender
    if settings.zalo_bot_token is not None:
        from bot.channels.zalo import ZaloSender
        from bot.channels.zalo_client import ZaloClient

        client = ZaloClient(settings.zalo_bot_token.get_secret_value(), settings.zalo_api_base_url)
        await client.start()
        stack.push_async_callback(client.close)
        senders["zalo"] = ZaloSender(client)
    if not senders:
        raise StartupError("no TELEGRAM_BOT_TOKEN or ZALO_BOT_TOKEN: nothing to send campaigns with")
    return senders


async def run_sender(settings: Settings, db: Database, until_idle: bool = False) -> int:
    async with contextlib.AsyncExitStack() as stack:
        # The bot's replies come from another process: the reserve in this limiter leaves them room.
        engine = make_engine(db, settings, await open_senders(settings, stack))
        if until_idle:
            await engine.start()
            if not engine.active:
                return 1
            try:
                while True:
                    await engine.tick()
                    async with db.session() as session:
                        from bot.broadcast import outbox
                        busy = any([await outbox.due_soon(session, c, engine.clock()) for c in engine.senders])
                    if not busy:
                        return 0
            finally:
                engine.stop()
        stop = asyncio.Event()
        await engine.run(stop)
    return 0
