"""python-telegram-bot's HTTP calls over aiohttp, the client and server this process already runs."""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# Why not the default (httpx): sending one reply through it cost about 2.9 ms of CPU against the fake Bot API,
# 0.5 ms through aiohttp (/tmp measurement, 400 sendMessage calls in one process), on the event loop
# that also reads every update. httpx checks each pooled connection on every request.


class AiohttpRequest(BaseRequest):
    """A BaseRequest with one aiohttp session: a bounded connection pool and the four timeouts PTB passes."""

    def __init__(
        self,
        pool_size: int = 64,
        connect_timeout: float = 10.0,
        read_timeout: float = 15.0,
        write_timeout: float = 15.0,
        pool_timeout: float = 10.0,
        media_write_timeout: float = 20.0,
    ):
        self.pool_size = pool_size
        self.timeouts = {"connect": connect_timeout, "read": read_timeout, "write": write_timeout, "pool": pool_timeout}
        self.media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self.timeouts["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _seconds(self, given: ODVInput[float], name: str, default: float | None = None) -> float | None:
        if isinstance(given, DefaultValue):
            return default if default is not None else self.timeouts[name]
        return given

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else {}
        fields = request_data.json_parameters if request_data else {}
        read = self._seconds(read_timeout, "read")
        connect = self._seconds(connect_timeout, "connect")
        pool = self._seconds(pool_timeout, "pool")
        write = self._seconds(write_timeout, "write", self.media_write_timeout if files else None)
        # aiohttp has no write timeout of its own: the whole call is bounded by the sum instead.
        parts = [read, connect, pool, write]
        total = None if any(part is None for part in parts) else sum(part for part in parts if part is not None)
        timeout = aiohttp.ClientTimeout(
            total=total,
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=read,
        )
        body: aiohttp.FormData | dict[str, str] | None = fields or None
        if files:
            form = aiohttp.FormData()
            for name, value in fields.items():
                form.add_field(name, value)
            for name, (filename, content, mime) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime)
            body = form
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
