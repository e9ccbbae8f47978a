"""`python -m bot run`: every channel whose token is set, the web server, the knowledge reloader, campaigns.

With no platform token it is the console chat, on the same conversation and database.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from bot.broadcast.runtime import BroadcastRuntime
from bot.channels.base import ChannelBase
from bot.channels.zalo_oa.assembly import oa_enabled
from bot.logs import SecretFilter
from bot.settings import Settings
from bot.startup import StartupError
from bot.web import WebServer, build_web_app
from bot.wiring import (
    Core,
    build_admin,
    build_broadcaster,
    build_console,
    build_core,
    build_limiters,
    build_platforms,
)

log = logging.getLogger(__name__)
STOP_TIMEOUT = 20.0
FINAL_WAIT = 5.0  # seconds the tasks still running after the stop get, once cancelled, to end


async def run_console(core: Core) -> None:
    await build_console(core).run()


class Runner:
    """Starts and stops the parts in order; tests drive it directly with `start`/`stop`."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.core: Core | None = None
        self.channels: list[ChannelBase] = []
        self.web: WebServer | None = None
        self.broadcasts: BroadcastRuntime | None = None

    async def start(self) -> None:
        self.core = core = await build_core(self.settings)
        limiters = build_limiters(self.settings)
        try:
            platforms = build_platforms(core, limiters)
        except BaseException:
            await core.close()  # a channel refused its settings: leave nothing open
            raise
        self.channels = platforms.channels
        app = build_web_app(
            self.channels,
            core.db,
            core.metrics,
            lambda: {
                "channels": [c.name for c in self.channels],
                "knowledge_version": core.search().kb.version,
                **core.health.report(),
                "writes_waiting": len(core.writes),
            },
            build_admin(core),
        )
        self.web = WebServer(app, self.settings.web_host, self.settings.web_port)
        try:
            await self.web.start()
        except StartupError:
            await core.close()
            raise
        started: list[ChannelBase] = []
        try:
            for channel in self.channels:
                await channel.start()
                started.append(channel)
        except BaseException:
            for channel in reversed(started):
                await channel.stop()
            await self.web.stop()
            await core.close()
            raise
        core.start_background()
        if platforms.senders and self.settings.campaigns_in_bot:
            # Campaigns go out through the running channels' limiters, beside their replies.
            self.broadcasts = BroadcastRuntime(
                build_broadcaster(core.db, self.settings, platforms.senders, limiters, core.wakeup, core.metrics)
            )
            await self.broadcasts.start()

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
        if self.core is not None:
            await self.core.close()


async def serve(settings: Settings) -> None:
    if settings.telegram_bot_token is None and settings.zalo_bot_token is None and not oa_enabled(settings):
        print(
            "Không có TELEGRAM_BOT_TOKEN hay ZALO_BOT_TOKEN: chạy trò chuyện trên console (Ctrl-D để thoát).",
            file=sys.stderr,
        )
        core = await build_core(settings)
        try:
            await run_console(core)
        finally:
            await core.close()
        return
    runner = Runner(settings)
    await runner.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    assert runner.web is not None
    print(
        f"Trợ lý Năng suất đang chạy: {', '.join(c.name for c in runner.channels)}; "
        f"web http://{settings.web_host}:{runner.web.port}/healthz",
        file=sys.stderr,
    )
    try:
        await stop.wait()
    finally:
        try:
            # An orderly stop finishes answers in flight; it must not hang the process, whatever is stuck.
            await asyncio.wait_for(runner.stop(), STOP_TIMEOUT)
        except TimeoutError:
            log.error("stopping took over %s s; exiting anyway", STOP_TIMEOUT)


async def serve_console_web(settings: Settings) -> None:
    """`python -m bot web`: the web console alone (with /healthz), no channel; until SIGINT or SIGTERM."""
    core = await build_core(settings)
    app = build_web_app([], core.db, core.metrics, lambda: {**core.health.report()}, build_admin(core))
    server = WebServer(app, settings.web_host, settings.web_port)
    try:
        await server.start()
    except StartupError:
        await core.close()
        raise
    core.start_background()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"Trang quản trị: http://{settings.web_host}:{server.port}/admin", file=sys.stderr)
    try:
        await stop.wait()
    finally:
        await server.stop()
        await core.close()


def _run(
    settings: Settings, main: Callable[[Settings], Coroutine[Any, Any, None]], final_wait: float = FINAL_WAIT
) -> int:
    """Run `main` until it returns; a start-up problem is one clear line (no secret in it), exit code 2."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # as asyncio.run does
    try:
        loop.run_until_complete(main(settings))
    except StartupError as exc:
        print(f"error: {SecretFilter(settings.secrets()).redact(str(exc))}", file=sys.stderr)
        return 2
    finally:
        _finish(loop, final_wait)
    return 0


def _finish(loop: asyncio.AbstractEventLoop, final_wait: float) -> None:
    """asyncio.run's clean-up, bounded: what still runs is cancelled and gets `final_wait` seconds to end. A task
    that never ends is named in the log and left behind; asyncio.run would wait for it for ever (seen: a
    SQLite connection whose close never came back, after a write was cut off at shutdown)."""
    try:
        tasks = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            _, stuck = loop.run_until_complete(asyncio.wait(tasks, timeout=final_wait))
            for task in stuck:
                log.error("still running %.0f s after the stop, left behind: %s", final_wait, task.get_coro())
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def run_web(settings: Settings) -> int:
    return _run(settings, serve_console_web)


def run_app(settings: Settings) -> int:
    return _run(settings, serve)
