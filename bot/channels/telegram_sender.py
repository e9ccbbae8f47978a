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
from bot.channels.telegram_render import keyboard_rows, render_html, visible_length
from handlers.types import Reply

CAPTION_LIMIT = 1024  # characters of a photo's caption (Bot API sendPhoto)


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

    def __init__(self, token: str, base_url: str, send_timeout: float = 10.0, paid_broadcast: bool = False):
        self.base = f"{base_url}{token}/"
        self.send_timeout = send_timeout
        # Above the free ~30 messages/s a bot sends "paid broadcasts" (Bot API 7.11), each charged in
        # Stars; without the flag Telegram answers 429. Set only when the admins enabled it.
        self.paid_broadcast = paid_broadcast
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        timeout = aiohttp.ClientTimeout(total=None, connect=5, sock_connect=5, sock_read=self.send_timeout)
        self._session = aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=64))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    def request(self, chat_id: str, reply: Reply) -> tuple[str, dict[str, Any]] | None:
        """The Bot API method and payload for this message; None when it would not fit in one message."""
        parts = render_html(reply)
        if len(parts) > 1 or (reply.image and visible_length(reply) > CAPTION_LIMIT):
            return None  # sending the first part only would record a cut message as sent
        payload: dict[str, Any] = {"chat_id": chat_id, "parse_mode": "HTML"}
        if reply.image:
            method = "sendPhoto"
            payload.update(photo=reply.image, caption=parts[0])
        else:
            method = "sendMessage"
            payload.update(text=parts[0], disable_web_page_preview=True)
        rows = keyboard_rows(reply)  # plain JSON: PTB objects per message cost a tenth of a paid-rate send
        if rows:
            payload["reply_markup"] = {"inline_keyboard": rows}
        if self.paid_broadcast:
            payload["allow_paid_broadcast"] = True
        return method, payload

    async def send(self, chat_id: str, reply: Reply) -> SendOutcome:
        if self._session is None:
            await self.start()
        assert self._session is not None  # start() opened it
        request = self.request(chat_id, reply)
        if request is None:
            return SendOutcome(SendStatus.FAILED, error="message is too long for one Telegram message: not sent")
        method, payload = request
        try:
            async with self._session.post(
                self.base + method,
                data=json.dumps(payload, ensure_ascii=False),
                headers={"Content-Type": "application/json"},
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
