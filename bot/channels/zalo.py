"""The Zalo channel on the Zalo Bot API: polling or webhook, buttons as numbered choices; sender for campaigns."""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections import OrderedDict

from aiohttp import web

from bot.broadcast.limiter import REPLY
from bot.channels.base import DeliveryOutcome, DeliveryStatus
from bot.channels.numbered import NumberedChoices
from bot.channels.telegram_render import split_paragraphs
from bot.channels.zalo_client import ZaloClient, ZaloError
from bot.relay import Relay
from bot.settings import Settings
from bot.startup import StartupError
from handlers import texts
from handlers.conversation import Conversation
from handlers.types import Incoming, Reply

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/zalo/webhook"
MAX_MESSAGE = 2000
POLL_TIMEOUT = 30       # seconds one getUpdates waits for an update
MAX_BACKOFF = 30.0      # seconds between getUpdates after repeated errors, at most
SEEN_MESSAGES = 10_000  # message ids remembered to drop redelivered updates
TEXT_EVENT = "message.text.received"

CHOOSE_HINT = "Trả lời bằng số (1, 2, 3…) để chọn, 0 để quay lại, hoặc gõ câu hỏi mới."
TEXT_ONLY = ("Xin lỗi, Trợ lý chỉ đọc được tin nhắn chữ, chưa xem được hình ảnh, nhãn dán hay tệp đính kèm. "
             "Bạn gõ câu hỏi bằng chữ giúp Trợ lý nhé, ví dụ: «5S là gì».")
NOTHING_TO_GO_BACK = "Không còn gì để quay lại. Gõ /menu để xem các chủ đề."
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


def unwrap(body: object) -> list[dict]:
    """Webhook bodies come bare or wrapped as {"ok": true, "result": update}; accept both (and lists)."""
    if isinstance(body, dict) and "result" in body and "event_name" not in body:
        body = body["result"]
    items = body if isinstance(body, list) else [body]
    return [item for item in items if isinstance(item, dict)]


class ZaloChannel:
    """Turns Zalo updates into Incoming, runs the conversation, renders replies as numbered plain text."""

    name = "zalo"

    def __init__(self, settings: Settings, conversation: Conversation, relay: Relay):
        token = settings.zalo_bot_token.get_secret_value() if settings.zalo_bot_token else ""
        if not token.strip():
            raise StartupError("ZALO_BOT_TOKEN is empty")
        secret = settings.zalo_webhook_secret.get_secret_value() if settings.zalo_webhook_secret else ""
        if secret and not 8 <= len(secret) <= 256:
            raise StartupError("ZALO_WEBHOOK_SECRET must be 8 to 256 characters long (Zalo's setWebhook rule)")
        self.webhook_secret = secret
        # No setting names our public URL today; if one is added, start() registers it with setWebhook.
        self.webhook_url = getattr(settings, "zalo_webhook_url", None) or ""
        self.conversation = conversation
        self.relay = relay
        self.client = ZaloClient(token.strip(), settings.zalo_api_base_url, timeout=settings.send_timeout)
        self.choices = NumberedChoices(CHOOSE_HINT)
        self.limiter = None  # the process-wide RateLimiter, set by the runner; replies use its reply lane
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._chat_locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task] = set()
        self._poller: asyncio.Task | None = None
        self._running = False
        relay.register(self.name, self.send_reply)

    @property
    def webhook_mode(self) -> bool:
        return bool(self.webhook_secret)

    def sender(self) -> ZaloSender:
        return ZaloSender(self.client)

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
            log.warning("zalo: webhook mode, but no webhook URL is registered with Zalo: call setWebhook with "
                        "https://YOUR.DOMAIN%s and ZALO_WEBHOOK_SECRET (see README)", WEBHOOK_PATH)

    async def stop(self) -> None:
        self._running = False
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None
        if self._tasks:  # answers being written finish; typing indicators and stragglers do not matter
            _done, pending = await asyncio.wait(set(self._tasks), timeout=5)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
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
        except ValueError:
            return web.Response(status=400, text="bad update")
        updates = unwrap(body)
        if not updates:
            return web.Response(status=400, text="bad update")
        for update in updates:
            self.accept(update)
        return web.Response(text="ok")  # answered at once: Zalo does not wait for our reply

    def _first_time(self, chat_id: str, message_id: object) -> bool:
        if message_id in (None, ""):
            return True
        key = (chat_id, str(message_id))
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > SEEN_MESSAGES:
            self._seen.popitem(last=False)
        return True

    def accept(self, update: dict) -> None:
        """Take one update: drop repeats, then handle it in its own task (ordered per chat by a lock)."""
        message = update.get("message")
        if not isinstance(message, dict) or not isinstance(message.get("chat"), dict):
            return
        chat_id = str(message["chat"].get("id") or "")
        if not chat_id or not self._first_time(chat_id, message.get("message_id")):
            return
        sender = message.get("from") if isinstance(message.get("from"), dict) else {}
        incoming = Incoming(self.name, chat_id, str(sender.get("id") or chat_id),
                            text=str(message.get("text") or ""), user_name=str(sender.get("display_name") or ""))
        is_text = update.get("event_name", TEXT_EVENT) == TEXT_EVENT
        # Tasks start in creation order and take the chat's lock first thing, so one chat stays in order.
        self._spawn(self._handle(incoming, is_text))

    def _spawn(self, coroutine) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, incoming: Incoming, is_text: bool) -> None:
        chat_id = incoming.chat_id
        lock = self._chat_locks.setdefault(chat_id, asyncio.Lock())
        async with lock:  # one chat's messages answered in order; other chats run concurrently
            try:
                replies = await self._respond(incoming) if is_text else [Reply(TEXT_ONLY)]
                for reply in replies:
                    await self.relay.deliver(reply, default=(self.name, chat_id))
            except Exception:
                log.exception("zalo: a message in chat %s failed", chat_id)
                await self.send_reply(chat_id, Reply(texts.INTERNAL_ERROR))
        if not lock.locked() and len(self._chat_locks) > 10_000:
            self._chat_locks.pop(chat_id, None)

    async def _respond(self, incoming: Incoming) -> list[Reply]:
        chat_id, text = incoming.chat_id, incoming.text or ""
        choice = self.choices.resolve(chat_id, text)
        if choice.back:
            previous = self.choices.go_back(chat_id)
            return [previous] if previous is not None else [Reply(NOTHING_TO_GO_BACK)]
        if choice.data is not None:
            pressed = Incoming(self.name, chat_id, incoming.user_id, data=choice.data, user_name=incoming.user_name)
            return await self.conversation.handle(pressed)
        if choice.invalid_number is not None and self.choices.current(chat_id):
            return [Reply(BAD_NUMBER.format(number=choice.invalid_number))]
        if text.strip() and not text.lstrip().startswith("/"):
            self._spawn(self._typing(chat_id))  # a question: search may take a moment
        return await self.conversation.handle(incoming)

    async def _typing(self, chat_id: str) -> None:
        try:
            await self.client.send_chat_action(chat_id, "typing")
        except ZaloError as exc:  # only a courtesy: the answer goes out regardless
            log.debug("zalo: sendChatAction to %s: %s", chat_id, exc)

    # -- outbound --------------------------------------------------------------------------------
    async def send_reply(self, chat_id: str, reply: Reply) -> DeliveryOutcome:
        """Send one reply (numbered choices, split at 2,000 characters); one retry after a quota answer."""
        outcome = DeliveryOutcome(DeliveryStatus.FAILED, error="nothing sent")
        for part in split_paragraphs(self.choices.render(chat_id, reply), MAX_MESSAGE):
            for attempt in range(2):
                if self.limiter is not None:
                    await self.limiter.acquire(REPLY, chat_id)
                outcome = await self.client.send_outcome(chat_id, part)
                if outcome.status is DeliveryStatus.RETRY and attempt == 0:
                    await asyncio.sleep(min(outcome.retry_after or 1.0, MAX_BACKOFF))
                    continue
                break
            if outcome.status is not DeliveryStatus.SENT:
                if outcome.status is DeliveryStatus.BLOCKED and self.conversation.people is not None:
                    await self.conversation.people.store.set_blocked(self.name, chat_id, True)
                log.warning("zalo: send to %s failed: %s %s", chat_id, outcome.status.value, outcome.error)
                return outcome
        return outcome


class ZaloSender:
    """Campaign sends: one attempt, the first 2,000 characters as plain text; the engine retries."""

    channel = "zalo"

    def __init__(self, client: ZaloClient):
        self.client = client

    async def send(self, chat_id: str, reply: Reply) -> DeliveryOutcome:
        return await self.client.send_outcome(chat_id, split_paragraphs(plain_text(reply), MAX_MESSAGE)[0])
