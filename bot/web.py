"""The project's aiohttp server: webhooks of the channels that use them, /healthz, /readyz, /metrics, /admin."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from aiohttp import web

from bot.admin.app import add_admin
from bot.admin.deps import AdminDeps
from bot.channels.base import Channel
from bot.db.database import Database
from bot.metrics import CONTENT_TYPE, Metrics
from bot.startup import StartupError

# A webhook update is a few kilobytes; an Excel workbook of the knowledge base, uploaded to the console, a few
# hundred (5,000 entries: about 3 MB).
MAX_REQUEST_BYTES = 5 * 1024 * 1024


def build_web_app(
    channels: Sequence[Channel],
    db: Database | None,
    metrics: Metrics,
    health: Callable[[], dict[str, Any]],
    admin: AdminDeps | None = None,
) -> web.Application:
    """`health()` returns a dict for /healthz (with "database": "ok" or "down"); each channel adds its routes.

    /healthz is liveness: 200 while the process answers (it does, from memory, with the database down), its
    body saying what is degraded. /readyz is readiness: 503 while the database is down."""
    app = web.Application(client_max_size=MAX_REQUEST_BYTES)

    async def healthz(_request: web.Request) -> web.Response:
        report = health()
        status = "ok" if report.get("database", "ok") == "ok" else "degraded"
        return web.json_response({"status": status, **report})

    async def readyz(_request: web.Request) -> web.Response:
        report = health()
        ready = report.get("database", "ok") == "ok"
        return web.json_response({"ready": ready, **report}, status=200 if ready else 503)

    async def scrape(_request: web.Request) -> web.Response:
        return web.Response(body=await metrics.render(db), headers={"Content-Type": CONTENT_TYPE})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", scrape)
    for channel in channels:
        channel.register_routes(app)
    if admin is not None:
        add_admin(app, admin)
    return app


class WebServer:
    def __init__(self, app: web.Application, host: str, port: int):
        self.app, self.host, self.port = app, host, port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen; a port taken (or an address not this machine's) is one clear StartupError line."""
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            raise StartupError(
                f"cannot listen on {self.host}:{self.port} ({exc.strerror or exc}): "
                "is another `bot run` using it? Set WEB_PORT"
            ) from None
        # Port 0 in tests: read back the port the OS chose.
        server = getattr(site, "_server", None)
        if server is not None and server.sockets:
            self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
