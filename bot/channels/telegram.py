"""The Telegram channel on python-telegram-bot: polling, or webhook on our aiohttp server; sender for campaigns."""
from __future__ import annotations

import asyncio
import hmac
import logging
from collections import OrderedDict
from urllib.parse import urlparse

import httpx
from aiohttp import web
from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.broadcast.limiter import REPLY
from bot.channels.base import DeliveryOutcome, DeliveryStatus
from bot.channels.telegram_render import keyboard, render_html
from bot.relay import Relay
from bot.settings import Settings
from bot.startup import StartupError
from handlers import texts
from handlers.conversation import Conversation
from handlers.types import Incoming, Reply

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_WEBHOOK_PATH = "/telegram/webhook"
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
COMMANDS = [
    BotCommand("start", "Bắt đầu, xem các chủ đề"),
    BotCommand("menu", "Danh sách chủ đề và câu hỏi thường gặp"),
    BotCommand("dangky", "Đăng ký nhận thông báo (/subscribe)"),
    BotCommand("huydangky", "Hủy nhận thông báo (/unsubscribe)"),
    BotCommand("gapcanbo", "Gặp cán bộ tư vấn (/human)"),
    BotCommand("dulieucuatoi", "Xem dữ liệu Trợ lý lưu về bạn (/mydata)"),
    BotCommand("xoadulieu", "Xóa dữ liệu của bạn (/deletedata)"),
    BotCommand("huongdan", "Hướng dẫn sử dụng (/help)"),
]
SEEN_UPDATES = 10_000


def to_outcome(error: Exception | None, message_id: int | None = None) -> DeliveryOutcome:
    """A send's result in the broadcast engine's terms."""
    if error is None:
        return DeliveryOutcome(DeliveryStatus.SENT, str(message_id))
    if isinstance(error, RetryAfter):
        retry = error.retry_after
        seconds = retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)
        return DeliveryOutcome(DeliveryStatus.RETRY, retry_after=seconds, error=str(error))
    if isinstance(error, Forbidden):
        return DeliveryOutcome(DeliveryStatus.BLOCKED, error=str(error))
    if isinstance(error, BadRequest):
        return DeliveryOutcome(DeliveryStatus.FAILED, error=str(error))
    if isinstance(error, TimedOut):
        # Only a connect timeout proves the request never left; any other timeout may have delivered it.
        cause = error.__cause__
        never_sent = isinstance(cause, (httpx.ConnectTimeout, httpx.PoolTimeout))
        return DeliveryOutcome(DeliveryStatus.RETRY if never_sent else DeliveryStatus.UNKNOWN, error=str(error))
    if isinstance(error, NetworkError):
        return DeliveryOutcome(DeliveryStatus.RETRY, error=str(error))  # connection refused / reset
    return DeliveryOutcome(DeliveryStatus.FAILED, error=str(error))


class TelegramChannel:
    """Turns Telegram updates into Incoming, runs the conversation, renders the replies."""

    name = "telegram"

    def __init__(self, settings: Settings, conversation: Conversation, relay: Relay):
        token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
        if not token.strip():
            raise StartupError("TELEGRAM_BOT_TOKEN is empty")
        self.conversation = conversation
        self.relay = relay
        self.base_url = settings.telegram_api_base_url
        self.send_timeout = settings.send_timeout
        self.webhook_url = settings.telegram_webhook_url
        secret = settings.telegram_webhook_secret
        self.webhook_secret = secret.get_secret_value() if secret else ""
        if self.webhook_url and not self.webhook_secret:
            raise StartupError("TELEGRAM_WEBHOOK_URL is set but TELEGRAM_WEBHOOK_SECRET is empty: "
                               "set a secret so forged updates are refused")
        builder = (ApplicationBuilder().token(token).base_url(settings.telegram_api_base_url)
                   .concurrent_updates(256).connect_timeout(10).read_timeout(15).write_timeout(15)
                   .pool_timeout(10).connection_pool_size(64))
        if self.webhook_url:
            builder = builder.updater(None)
        self.app: Application = builder.build()
        self.app.add_handler(TypeHandler(Update, self._on_update))
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._chat_locks: dict[str, asyncio.Lock] = {}
        self.limiter = None  # the process-wide RateLimiter, set by the runner; replies use its reply lane
        relay.register(self.name, self.send_reply)

    def sender(self):
        """Campaign sends go through a lean aiohttp client (see telegram_broadcast.py)."""
        from bot.channels.telegram_broadcast import TelegramHttpSender

        return TelegramHttpSender(self.app.bot.token, self.base_url, self.send_timeout)

    @property
    def webhook_path(self) -> str:
        return urlparse(self.webhook_url).path or DEFAULT_WEBHOOK_PATH if self.webhook_url else ""

    def register_routes(self, app: web.Application) -> None:
        if self.webhook_url:
            app.router.add_post(self.webhook_path, self.webhook)

    async def start(self) -> None:
        try:
            await self.app.initialize()  # calls getMe: a wrong token fails here
        except InvalidToken as exc:
            raise StartupError(f"Telegram rejected TELEGRAM_BOT_TOKEN ({exc})") from exc
        except NetworkError as exc:
            raise StartupError(f"cannot reach the Telegram Bot API at the configured URL ({exc})") from exc
        try:
            await self.app.bot.set_my_commands(COMMANDS)
        except TelegramError as exc:
            log.warning("setMyCommands failed: %s", exc)
        await self.app.start()
        if self.webhook_url:
            await self.app.bot.set_webhook(self.webhook_url, secret_token=self.webhook_secret,
                                           allowed_updates=ALLOWED_UPDATES)
            log.info("telegram: webhook mode at %s", self.webhook_path)
        else:
            await self.app.updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=20)
            log.info("telegram: polling")

    async def stop(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    # -- inbound ---------------------------------------------------------------------------------
    async def webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.webhook_secret.encode()):
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
            update = Update.de_json(data, self.app.bot)
        except Exception:  # malformed JSON or not an Update: refuse, process nothing
            return web.Response(status=400, text="bad update")
        await self.app.update_queue.put(update)
        return web.Response(text="ok")

    def _first_time(self, update_id: int) -> bool:
        if update_id in self._seen:
            return False
        self._seen[update_id] = None
        if len(self._seen) > SEEN_UPDATES:
            self._seen.popitem(last=False)
        return True

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not self._first_time(update.update_id):
            return
        try:
            await self._dispatch(update)
        except Exception:
            log.exception("telegram: update %s failed", update.update_id)
            chat = update.effective_chat
            if chat is not None:
                await self.send_reply(str(chat.id), Reply(texts.INTERNAL_ERROR))

    async def _dispatch(self, update: Update) -> None:
        member = update.my_chat_member
        if member is not None:
            if member.chat.type == "private" and self.conversation.people is not None:
                blocked = member.new_chat_member.status in ("kicked", "left")
                await self.conversation.people.store.set_blocked(self.name, str(member.chat.id), blocked)
            return
        query = update.callback_query
        if query is not None:
            try:
                await query.answer()
            except TelegramError as exc:  # an old query id: the press still counts
                log.debug("answerCallbackQuery: %s", exc)
            if query.message is None:
                return
            chat_id = str(query.message.chat.id)
            incoming = Incoming(self.name, chat_id, str(query.from_user.id), data=query.data or "",
                                user_name=query.from_user.full_name or "")
        elif update.message is not None:
            message = update.message
            chat_id = str(message.chat.id)
            user = message.from_user
            incoming = Incoming(self.name, chat_id, str(user.id) if user else chat_id,
                                text=message.text or "", user_name=(user.full_name if user else "") or "")
        else:
            return
        lock = self._chat_locks.setdefault(chat_id, asyncio.Lock())
        async with lock:  # one chat's messages answered in order; other chats run concurrently
            replies = await self.conversation.handle(incoming)
            for reply in replies:
                if reply.edit and query is not None and reply.channel is None and await self._edit(query, reply):
                    continue
                await self.relay.deliver(reply, default=(self.name, chat_id))
        if not lock.locked() and len(self._chat_locks) > 10_000:
            self._chat_locks.pop(chat_id, None)

    async def _edit(self, query, reply: Reply) -> bool:
        """Refresh a progress message in place; False to fall back to sending a new one."""
        try:
            await query.edit_message_text(render_html(reply)[0], parse_mode=ParseMode.HTML, reply_markup=keyboard(reply))
            return True
        except BadRequest as exc:
            return "not modified" in str(exc).lower()  # nothing changed: the message is already current
        except TelegramError:
            return False

    # -- outbound --------------------------------------------------------------------------------
    async def send_reply(self, chat_id: str, reply: Reply) -> DeliveryOutcome:
        """Send one reply (split if long); answers to users retry once after a 429."""
        outcome = DeliveryOutcome(DeliveryStatus.FAILED, error="nothing sent")
        parts = render_html(reply)
        markup = keyboard(reply)
        for index, part in enumerate(parts):
            for attempt in range(2):
                if self.limiter is not None:
                    await self.limiter.acquire(REPLY, chat_id)
                try:
                    message = await self.app.bot.send_message(
                        chat_id, part, parse_mode=ParseMode.HTML, disable_web_page_preview=True,
                        reply_markup=markup if index == len(parts) - 1 else None)
                    outcome = to_outcome(None, message.message_id)
                    break
                except TelegramError as exc:
                    outcome = to_outcome(exc)
                    if outcome.status is DeliveryStatus.RETRY and outcome.retry_after and attempt == 0:
                        await asyncio.sleep(min(outcome.retry_after, 30))
                        continue
                    if outcome.status is DeliveryStatus.BLOCKED and self.conversation.people is not None:
                        await self.conversation.people.store.set_blocked(self.name, chat_id, True)
                    log.warning("telegram: send to %s failed: %s", chat_id, exc)
                    return outcome
        return outcome
