"""A small Zalo Bot API client on one aiohttp session: envelopes checked, errors mapped for the broadcast engine."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import aiohttp

from bot.channels.base import SendOutcome, SendStatus

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com/bot"
IDLE = 408  # getUpdates found nothing before its timeout
DEFAULT_RETRY_AFTER = 1.0  # seconds to wait after a quota answer that names no wait
_RETRY_HINT = re.compile(r"(?i)retry[ _-]?after\D{0,5}(\d+(?:\.\d+)?)")
_QUOTA = re.compile(r"(?i)quota|rate[ _-]?limit|too many|limit exceeded|exceeded .*limit")
_BLOCKED = re.compile(r"(?i)block|forbidden|unfollow|not follow")


class ZaloError(Exception):
    """The API answered ok:false (or could not be heard): `code` is its error_code, 0 for network trouble."""

    def __init__(self, code: int, description: str, retry_after: float | None = None):
        super().__init__(f"{code} {description}" if code else description)
        self.code, self.description, self.retry_after = code, description, retry_after


class ZaloNetworkError(ZaloError):
    """No answer. `maybe_delivered` is False only when the request provably never left (refused, connect timeout)."""

    def __init__(self, description: str, maybe_delivered: bool):
        super().__init__(0, description)
        self.maybe_delivered = maybe_delivered


def outcome_of(error: ZaloError | None, result: Any = None) -> SendOutcome:
    """A send's result in the broadcast engine's terms (DESIGN.md, "Broadcasts")."""
    if error is None:
        message_id = result.get("message_id") if isinstance(result, dict) else None
        return SendOutcome(SendStatus.SENT, None if message_id is None else str(message_id))
    text = str(error)[:300]
    if isinstance(error, ZaloNetworkError):
        status = SendStatus.UNKNOWN if error.maybe_delivered else SendStatus.RETRY
        return SendOutcome(status, error=text)
    # A 400 is about the message itself ("text too long" mentions a limit too): never a quota.
    if error.code == 429 or (error.code != 400 and _QUOTA.search(error.description)):
        return SendOutcome(SendStatus.RETRY, retry_after=error.retry_after or DEFAULT_RETRY_AFTER, error=text)
    if error.code == 403 or (error.code != 400 and _BLOCKED.search(error.description)):
        return SendOutcome(SendStatus.BLOCKED, error=text)
    # The server said it failed (not silence, which is UNKNOWN above): try again later, with the engine's
    # backoff and attempt limit, as the Telegram sender does; a passing outage must not cost a subscriber
    # the announcement.
    if 500 <= error.code < 600:
        return SendOutcome(SendStatus.RETRY, error=text)
    return SendOutcome(SendStatus.FAILED, error=text)


def _retry_after(body: dict[str, Any]) -> float | None:
    """The wait a quota answer suggests: parameters.retry_after, retry_after, or "retry after N" in the text."""
    for value in ((body.get("parameters") or {}).get("retry_after"), body.get("retry_after")):
        try:
            if value is not None and float(value) > 0:
                return float(value)
        except (TypeError, ValueError):
            pass
    match = _RETRY_HINT.search(str(body.get("description") or ""))
    return float(match.group(1)) if match else None


class ZaloClient:
    """`POST {base_url}{token}/{method}` with a JSON body; every answer is an envelope {ok, result, error_code}."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 10.0,
        connect_timeout: float = 5.0,
        pool_size: int = 64,
    ):
        self._token = token
        self._base = f"{base_url}{token}/"
        self.timeout, self.connect_timeout, self.pool_size = timeout, connect_timeout, pool_size
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:  # never show the token, even in a debugger or a traceback's locals
        return f"ZaloClient(base_url={self._base[: -len(self._token) - 1]!r})"

    async def start(self) -> None:
        if self._session is None or self._session.closed:
            # No total timeout: a long poll may take its time; a silent socket or a slow connect may not.
            timeout = aiohttp.ClientTimeout(
                total=None, connect=self.connect_timeout, sock_connect=self.connect_timeout, sock_read=self.timeout
            )
            self._session = aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=self.pool_size))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> ZaloClient:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def _clean(self, text: str) -> str:
        """Error texts can quote the URL, which holds the token."""
        return text.replace(self._token, "***") if self._token else text

    async def call(self, method: str, **params: Any) -> Any:
        """The method's `result`; raises ZaloError (ok:false) or ZaloNetworkError (no answer)."""
        return await self._post(method, params, self.timeout)

    async def _post(self, method: str, params: dict[str, Any], read_timeout: float) -> Any:
        if self._session is None:
            await self.start()
        assert self._session is not None  # start() opened it
        payload = json.dumps(params, ensure_ascii=False).encode()
        timeout = aiohttp.ClientTimeout(
            total=None, connect=self.connect_timeout, sock_connect=self.connect_timeout, sock_read=read_timeout
        )
        try:
            async with self._session.post(
                self._base + method, data=payload, timeout=timeout, headers={"Content-Type": "application/json"}
            ) as response:
                raw = await response.read()
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            raise ZaloNetworkError(self._clean(f"{method}: not connected: {exc}"), maybe_delivered=False) from None
        except (TimeoutError, aiohttp.ClientError) as exc:
            # Read timeout, reset or disconnect after the request went out: it may have taken effect.
            raise ZaloNetworkError(self._clean(f"{method}: no answer: {exc!r}"), maybe_delivered=True) from None
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict) or "ok" not in body:
            # Something answered, but not the API's envelope: the call may or may not have happened.
            raise ZaloNetworkError(f"{method}: unreadable answer (HTTP {response.status})", maybe_delivered=True)
        if not body["ok"]:
            code = int(body.get("error_code") or 0) or response.status
            raise ZaloError(code, self._clean(str(body.get("description") or "")), _retry_after(body))
        return body.get("result")

    # -- methods -------------------------------------------------------------------------------------
    async def get_me(self) -> dict[str, Any]:
        me: dict[str, Any] = await self.call("getMe")  # the bot's account, a JSON object
        return me

    async def get_updates(self, timeout: int = 30) -> list[dict[str, Any]]:
        """Waits up to `timeout` s for the next update; [] when idle (the API's 408)."""
        try:
            result = await self._post("getUpdates", {"timeout": str(int(timeout))}, timeout + 10)
        except ZaloError as exc:
            if exc.code == IDLE:
                return []
            raise
        if isinstance(result, list):
            return [u for u in result if isinstance(u, dict)]
        return [result] if isinstance(result, dict) else []

    async def set_webhook(self, url: str, secret: str) -> Any:
        return await self.call("setWebhook", url=url, secret_token=secret)

    async def delete_webhook(self) -> Any:
        return await self.call("deleteWebhook")

    async def get_webhook_info(self) -> dict[str, Any]:
        return await self.call("getWebhookInfo") or {}

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        # The sent message, a JSON object.
        sent: dict[str, Any] = await self.call("sendMessage", chat_id=str(chat_id), text=text)
        return sent

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> Any:
        return await self.call("sendChatAction", chat_id=str(chat_id), action=action)

    async def send_photo(self, chat_id: str, photo: str, caption: str) -> dict[str, Any]:
        sent: dict[str, Any] = await self.call("sendPhoto", chat_id=str(chat_id), photo=photo, caption=caption)
        return sent

    async def send_outcome(self, chat_id: str, text: str, photo: str = "") -> SendOutcome:
        """sendMessage (sendPhoto with `text` as caption), never raising: the outcome the broadcast engine
        (and replies) act on."""
        try:
            if photo:
                result = await self.send_photo(chat_id, photo, text)
            else:
                result = await self.send_message(chat_id, text)
        except ZaloError as exc:
            return outcome_of(exc)
        return outcome_of(None, result)
