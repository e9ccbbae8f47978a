"""Campaign sends to Telegram over one aiohttp session: the broadcast engine's Sender for this channel.

The conversation uses python-telegram-bot; campaigns send thousands of identical-looking requests a
second, where PTB's httpx pool (which scans every queued request per assignment) and its object model
cost more CPU than the send itself. This sender speaks the same Bot API with a lean aiohttp client.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from bot.channels.base import SendOutcome, SendStatus
from bot.channels.telegram_render import keyboard, render_html
from handlers.types import Reply


def outcome_of(status: int, body: dict[str, Any]) -> SendOutcome:
    """Telegram's answer → the engine's outcome (the same mapping as PTB errors in telegram.py)."""
    if body.get("ok"):
        return SendOutcome(SendStatus.SENT, str(body["result"]["message_id"]))
    code = int(body.get("error_code") or status)
    text = str(body.get("description") or f"HTTP {status}")
    retry_after = (body.get("parameters") or {}).get("retry_after")
    if code == 429 or retry_after:
        return SendOutcome(SendStatus.RETRY, retry_after=float(retry_after or 1), error=text)
    if code == 403:
        return SendOutcome(SendStatus.BLOCKED, error=text)
    if code >= 500:
        return SendOutcome(SendStatus.RETRY, error=text)
    return SendOutcome(SendStatus.FAILED, error=text)


class TelegramSender:
    channel = "telegram"

    def __init__(self, token: str, base_url: str, send_timeout: float = 10.0):
        self.url = f"{base_url}{token}/sendMessage"
        self.send_timeout = send_timeout
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        timeout = aiohttp.ClientTimeout(total=None, connect=5, sock_connect=5, sock_read=self.send_timeout)
        self._session = aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=64))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def send(self, chat_id: str, reply: Reply) -> SendOutcome:
        if self._session is None:
            await self.start()
        assert self._session is not None  # start() opened it
        payload = {
            "chat_id": chat_id,
            "text": render_html(reply)[0],
            "parse_mode": "HTML",
            "disable_web_page_preview": True,
        }
        markup = keyboard(reply)
        if markup is not None:
            payload["reply_markup"] = markup.to_dict()
        try:
            async with self._session.post(
                self.url, data=json.dumps(payload, ensure_ascii=False), headers={"Content-Type": "application/json"}
            ) as response:
                try:
                    body = await response.json(content_type=None)
                except (ValueError, aiohttp.ContentTypeError):
                    body = {"ok": False, "error_code": response.status, "description": "unreadable answer"}
                return outcome_of(response.status, body)
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            # Never reached the platform: safe to try again.
            return SendOutcome(SendStatus.RETRY, error=f"not connected: {exc}")
        except (TimeoutError, aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
            # The request went out and no answer came back: it may have been delivered.
            return SendOutcome(SendStatus.UNKNOWN, error=f"no answer: {exc!r}"[:300])
