"""`python -m bot run`: every channel whose token is set, the web server, the knowledge reloader.

With no platform token it is the console chat, on the same conversation and database.
"""
from __future__ import annotations

import asyncio
import logging
import signal
import sys

from bot.services import Services, build_services
from bot.settings import Settings
from bot.startup import StartupError
from bot.web import WebServer, build_web_app

log = logging.getLogger(__name__)
STOP_TIMEOUT = 20.0


def platform_channels(settings: Settings, services: Services) -> list:
    channels = []
    if settings.telegram_bot_token is not None:
        from bot.channels.telegram import TelegramChannel

        channels.append(TelegramChannel(settings, services.conversation, services.relay))
    if settings.zalo_bot_token is not None:
        from bot.channels.zalo import ZaloChannel

        channels.append(ZaloChannel(settings, services.conversation, services.relay))
    return channels


async def run_console(services: Services) -> None:
    from bot.channels.console import ConsoleChannel

    console = ConsoleChannel(services.conversation)
    services.relay.register("console", console.send)
    await console.run()


class Runner:
    """Starts and stops the parts in order; tests drive it directly with `start`/`stop`."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.services: Services | None = None
        self.channels: list = []
        self.web: WebServer | None = None
        self.broadcasts = None

    async def start(self) -> None:
        self.services = await build_services(self.settings)
        try:
            self.channels = platform_channels(self.settings, self.services)
        except BaseException:
            await self.services.close()  # a channel refused its settings: leave nothing open
            raise
        app = build_web_app(self.channels, lambda: {
            "channels": [c.name for c in self.channels],
            "knowledge_version": self.services.engine().kb.version})
        self.web = WebServer(app, self.settings.web_host, self.settings.web_port)
        await self.web.start()
        started = []
        try:
            for channel in self.channels:
                await channel.start()
                started.append(channel)
        except BaseException:
            for channel in reversed(started):
                await channel.stop()
            await self.web.stop()
            await self.services.close()
            raise
        self.services.start_reloader()
        await self._start_broadcasts()

    async def _start_broadcasts(self) -> None:
        """Campaigns go out through the running channels, under the same limiter as their replies."""
        from bot.broadcast.runtime import BroadcastRuntime, build_limiters, make_engine

        limiters = build_limiters(self.settings)
        senders = {}
        for channel in self.channels:
            channel.limiter = limiters.get(channel.name)
            if hasattr(channel, "sender"):
                senders[channel.name] = channel.sender()
        if senders and self.settings.campaigns_in_bot:
            self.broadcasts = BroadcastRuntime(make_engine(self.services.db, self.settings, senders, limiters))
            await self.broadcasts.start()
            if self.services.desk is not None:
                self.services.desk.wake = self.broadcasts.engine.wake  # a new campaign goes out at once

    async def stop(self) -> None:
        if self.broadcasts is not None:
            await self.broadcasts.stop()
        for channel in reversed(self.channels):
            try:
                await channel.stop()
            except Exception:
                log.exception("stopping %s", channel.name)
        if self.web is not None:
            await self.web.stop()
        if self.services is not None:
            await self.services.close()


async def serve(settings: Settings) -> None:
    if settings.telegram_bot_token is None and settings.zalo_bot_token is None:
        print("Không có TELEGRAM_BOT_TOKEN hay ZALO_BOT_TOKEN: chạy trò chuyện trên console "
              "(Ctrl-D để thoát).", file=sys.stderr)
        services = await build_services(settings)
        try:
            await run_console(services)
        finally:
            await services.close()
        return
    runner = Runner(settings)
    await runner.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"Trợ lý Năng suất đang chạy: {', '.join(c.name for c in runner.channels)}; "
          f"web http://{settings.web_host}:{runner.web.port}/healthz", file=sys.stderr)
    try:
        await stop.wait()
    finally:
        try:
            # An orderly stop finishes answers in flight; it must not hang the process, whatever is stuck.
            await asyncio.wait_for(runner.stop(), STOP_TIMEOUT)
        except asyncio.TimeoutError:
            log.error("stopping took over %s s; exiting anyway", STOP_TIMEOUT)


def run_app(settings: Settings) -> int:
    try:
        asyncio.run(serve(settings))
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
