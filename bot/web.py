"""The project's aiohttp server: webhooks of the channels that use them, and /healthz."""
from __future__ import annotations

from aiohttp import web


def build_web_app(channels, health) -> web.Application:
    """`health()` returns a dict for /healthz; each channel adds its own routes."""
    app = web.Application(client_max_size=1024 * 1024)

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", **health()})

    app.router.add_get("/healthz", healthz)
    for channel in channels:
        channel.register_routes(app)
    return app


class WebServer:
    def __init__(self, app: web.Application, host: str, port: int):
        self.app, self.host, self.port = app, host, port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        # Port 0 in tests: read back the port the OS chose.
        server = getattr(site, "_server", None)
        if server is not None and server.sockets:
            self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
