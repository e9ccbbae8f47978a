"""The Zalo channel on the Zalo Bot API: polling or webhook, buttons as numbered choices; sender for campaigns."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any

from aiohttp import web

from bot.broadcast.limiter import RateLimiter
from bot.channels.base import ChannelBase, SendOutcome, SendStatus
from bot.channels.numbered import ChoiceTexts, NumberedChoices
from bot.channels.relay import Relay
from bot.channels.text_split import split_paragraphs
from bot.channels.zalo_client import ZaloClient, ZaloError
from bot.metrics import Metrics
from bot.startup import StartupError
from handlers import texts
from handlers.conversation import Conversation
from handlers.flood import FloodVerdict
from handlers.ports import StateStore
from handlers.types import Incoming, Reply

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/zalo/webhook"
MAX_MESSAGE = 2000
POLL_TIMEOUT = 30  # seconds one getUpdates waits for an update
MAX_BACKOFF = 30.0  # seconds between getUpdates after repeated errors, at most
MAX_UPDATES_PER_REQUEST = 100  # Zalo posts one update a request; a body carrying thousands is not Zalo
TEXT_EVENT = "message.text.received"

CHOOSE_HINT = "Trả lời bằng số (1, 2, 3…) để chọn, 0 để quay lại, hoặc gõ câu hỏi mới."
TEXT_ONLY = (
    "Xin lỗi, tôi chỉ đọc được tin nhắn chữ, chưa xem được hình ảnh, nhãn dán hay tệp đính kèm. "
    "Bạn gõ câu hỏi bằng chữ giúp tôi nhé, ví dụ: «5S là gì»."
)
NOTHING_TO_GO_BACK = "Không còn gì để quay lại. Gõ /chude để xem các chủ đề."
BAD_NUMBER = "Không có lựa chọn số {number}. Bạn gõ một số trong danh sách ở tin nhắn trên, hoặc gõ câu hỏi mới."


def plain_text(reply: Reply) -> str:
    """A reply as one plain message without numbered choices (campaigns: nobody keeps their menu)."""
    parts = [reply.text]
    if reply.source:
        parts.append(texts.SOURCE.format(source=reply.source))
    links = [b for b in reply.flat_buttons() if b.url]
    if links:
        parts.append("\n".join(f"{b.label}: {b.url}" for b in links))
    return "\n\n".join(parts)


def unwrap(body: object) -> list[dict[str, Any]]:
    """Webhook bodies come bare or wrapped as {"ok": true, "result": update}; accept both (and lists)."""
    if isinstance(body, dict) and "result" in body and "event_name" not in body:
        body = body["result"]
    items = body if isinstance(body, list) else [body]
    return [item for item in items if isinstance(item, dict)]


class ZaloChannel(ChannelBase):
    """Turns Zalo updates into Incoming, runs the conversation, renders replies as numbered plain text."""

    name = "zalo"

    def __init__(
        self,
        client: ZaloClient,
        webhook_secret: str,
        conversation: Conversation,
        relay: Relay,
        limiter: RateLimiter,
        metrics: Metrics,
        state: StateStore,
        webhook_url: str = "",
    ):
        if webhook_secret and not 8 <= len(webhook_secret) <= 256:
            raise StartupError("ZALO_WEBHOOK_SECRET must be 8 to 256 characters long (Zalo's setWebhook rule)")
        super().__init__(conversation, relay, limiter, metrics)
        self.client = client
        self.webhook_secret = webhook_secret
        # No setting names our public URL today; if one is given, start() registers it with setWebhook.
        self.webhook_url = webhook_url
        self.choices = NumberedChoices(state, self.name, ChoiceTexts(CHOOSE_HINT, NOTHING_TO_GO_BACK, BAD_NUMBER))
        self._poller: asyncio.Task[None] | None = None
        self._running = False

    @property
    def webhook_mode(self) -> bool:
        return bool(self.webhook_secret)

    def register_routes(self, app: web.Application) -> None:
        if self.webhook_mode:
            app.router.add_post(WEBHOOK_PATH, self.webhook)

    async def start(self) -> None:
        await self.client.start()
        try:
            me = await self.client.get_me()
        except ZaloError as exc:
            await self.client.close()
            if exc.code in (401, 403):
                raise StartupError(f"Zalo rejected ZALO_BOT_TOKEN ({exc})") from None
            raise StartupError(f"cannot reach the Zalo Bot API at ZALO_API_BASE_URL ({exc})") from None
        log.info("zalo: bot %s", (me or {}).get("account_name") or (me or {}).get("display_name") or "?")
        try:
            registered = str((await self.client.get_webhook_info()).get("url") or "")
            if self.webhook_mode and self.webhook_url and registered != self.webhook_url:
                await self.client.set_webhook(self.webhook_url, self.webhook_secret)
                registered = self.webhook_url
            if not self.webhook_mode and registered:
                # getUpdates fails while a webhook is set; without ZALO_WEBHOOK_SECRET we were asked to poll.
                log.warning("zalo: removing the webhook %s so that polling works", registered)
                await self.client.delete_webhook()
        except ZaloError as exc:
            await self.client.close()
            raise StartupError(f"Zalo webhook set-up failed ({exc})") from None
        self._running = True
        if not self.webhook_mode:
            self._poller = asyncio.create_task(self._poll(), name="zalo-poll")
            log.info("zalo: polling")
        elif registered:
            log.info("zalo: webhook mode, updates posted to %s reach %s", registered, WEBHOOK_PATH)
        else:
            log.warning(
                "zalo: webhook mode, but no webhook URL is registered with Zalo: call setWebhook with "
                "https://YOUR.DOMAIN%s and ZALO_WEBHOOK_SECRET (see README)",
                WEBHOOK_PATH,
            )

    async def stop(self) -> None:
        self._running = False
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None
        await self.finish_tasks()
        await self.client.close()

    # -- inbound ---------------------------------------------------------------------------------
    async def _poll(self) -> None:
        delay = 1.0
        while True:
            try:
                updates = await self.client.get_updates(POLL_TIMEOUT)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # ZaloError, or a malformed answer: back off and try again
                log.warning("zalo: getUpdates failed (%s); retrying in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF)
                continue
            delay = 1.0
            for update in updates:
                self.accept(update)

    async def webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.webhook_secret.encode()):
            return web.Response(status=403, text="forbidden")
        if not self._running:
            return web.Response(status=503, text="stopping")
        try:
            body = json.loads(await request.text())
        except (ValueError, RecursionError):  # not JSON, or nested deeper than any update is
            return web.Response(status=400, text="bad update")
        updates = unwrap(body)
        if not updates:
            return web.Response(status=400, text="bad update")
        if len(updates) > MAX_UPDATES_PER_REQUEST:
            return web.Response(status=413, text="too many updates in one request")
        for update in updates:
            self.accept(update)
        return web.Response(text="ok")  # answered at once: Zalo does not wait for our reply

    def accept(self, update: dict[str, Any]) -> None:
        """Take one update: drop repeats, then handle it in its own task (ordered per chat by a lock)."""
        message = update.get("message")
        if not isinstance(message, dict) or not isinstance(message.get("chat"), dict):
            return
        chat_id = str(message["chat"].get("id") or "")
        message_id = message.get("message_id")
        if not chat_id or (message_id not in (None, "") and not self.first_time((chat_id, str(message_id)))):
            return
        sender = message.get("from")
        if not isinstance(sender, dict):
            sender = {}
        incoming = Incoming(
            self.name,
            chat_id,
            str(sender.get("id") or chat_id),
            text=str(message.get("text") or ""),
            user_name=str(sender.get("display_name") or ""),
            private=str(message["chat"].get("chat_type") or "PRIVATE").upper() != "GROUP",
        )
        is_text = update.get("event_name", TEXT_EVENT) == TEXT_EVENT
        # Tasks start in creation order and take the chat's lock first thing, so one chat stays in order.
        self.spawn(self.handle(incoming) if is_text else self._not_text(chat_id))

    async def _not_text(self, chat_id: str) -> None:
        await self.send_reply(chat_id, Reply(TEXT_ONLY))

    async def respond(self, incoming: Incoming, admitted: FloodVerdict | None = None) -> list[Reply]:
        meant = await self.choices.interpret(incoming)
        if isinstance(meant, Reply):
            return [meant]
        text = meant.text or ""
        if meant.data is None and text.strip() and not text.lstrip().startswith("/"):
            self.spawn(self._typing(incoming.chat_id))  # a question: search may take a moment
        return await self.conversation.handle(meant, admitted)

    async def _typing(self, chat_id: str) -> None:
        try:
            await self.client.send_chat_action(chat_id, "typing")
        except ZaloError as exc:  # only a courtesy: the answer goes out regardless
            log.debug("zalo: sendChatAction to %s: %s", chat_id, exc)

    # -- outbound --------------------------------------------------------------------------------
    async def render(self, chat_id: str, reply: Reply) -> list[Any]:
        """Plain-text parts; a picture goes first as (url, caption), the text its caption when it fits."""
        parts: list[Any] = list(split_paragraphs(await self.choices.render(chat_id, reply), MAX_MESSAGE))
        if reply.image:
            if len(parts) == 1:
                return [(reply.image, parts[0])]
            parts.insert(0, (reply.image, ""))
        return parts

    async def send_part(self, chat_id: str, part: Any, last: bool) -> SendOutcome:
        if isinstance(part, tuple):
            image, caption = part
            return await self.client.send_outcome(chat_id, caption, photo=image)
        return await self.client.send_outcome(chat_id, str(part))


class ZaloSender:
    """Campaign sends: one attempt, as plain text (a photo with it as caption); the engine retries."""

    channel = "zalo"

    def __init__(self, client: ZaloClient):
        self.client = client

    async def send(self, chat_id: str, reply: Reply) -> SendOutcome:
        text = plain_text(reply)
        if len(text) > MAX_MESSAGE:
            # Campaigns are checked against this limit when written; sending a cut message would be
            # recorded as sent with its ending lost.
            return SendOutcome(SendStatus.FAILED, error="message is too long for one Zalo message: not sent")
        return await self.client.send_outcome(chat_id, text, photo=reply.image)

    async def close(self) -> None:
        """The client belongs to whoever built it (the channel, or `campaign send`'s exit stack)."""
