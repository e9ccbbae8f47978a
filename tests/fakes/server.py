"""A platform fake's server life: listen on loopback, stop, and refuse or accept connections on demand."""

from __future__ import annotations

import asyncio
import socket

from aiohttp import web


class LoopbackServer:
    """Base of the fake APIs: subclasses build their aiohttp app and call `_serve`; `_notify` wakes waiters."""

    def __init__(self) -> None:
        self._host, self._port = "127.0.0.1", 0
        self._runner: web.AppRunner | None = None
        self._site: web.SockSite | None = None
        self._closed = asyncio.Event()  # set by stop(); ends long polls and hangs at once

    def _notify(self) -> None:
        raise NotImplementedError

    async def _serve(self, app: web.Application) -> None:
        # Every wait inside a fake ends when stop() sets _closed, so a short shutdown timeout suffices.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await self._listen()

    async def stop(self) -> None:
        self._closed.set()
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = self._site = None

    async def __aenter__(self):
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self._port}/bot"

    async def refuse_connections(self) -> None:
        """Stop listening and drop open connections, so clients see "connection refused"."""
        if self._site is not None:
            await self._site.stop()
            self._site = None
        server = self._runner.server if self._runner is not None else None
        # Keep-alive connections would otherwise keep working after the listening socket is gone.
        for connection in server.connections if server is not None else ():
            connection.force_close()
        # Let the closes reach the clients' pools, so their next request dials (and is refused) instead of
        # writing into a dead keep-alive connection (which a client must count as "maybe delivered").
        await asyncio.sleep(0.05)

    async def accept_connections(self) -> None:
        """Listen again on the same port."""
        if self._site is None:
            await self._listen()

    async def _listen(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # rebinding the port after refusing
        sock.bind((self._host, self._port))
        self._port = sock.getsockname()[1]
        self._site = web.SockSite(self._runner, sock)
        await self._site.start()
