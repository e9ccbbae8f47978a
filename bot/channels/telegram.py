"""The Telegram channel on python-telegram-bot: polling, or webhook on our aiohttp server."""

from __future__ import annotations

import datetime as dt
import hmac
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import aiohttp
from aiohttp import web
from telegram import BotCommand, InputFile, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler

from bot.broadcast.limiter import RateLimiter
from bot.channels.base import ChannelBase, SendOutcome, SendStatus
from bot.channels.relay import Relay
from bot.channels.telegram_http import AiohttpRequest
from bot.channels.telegram_render import keyboard, render_html, visible_length
from bot.channels.telegram_sender import CAPTION_LIMIT
from bot.metrics import Metrics
from bot.startup import StartupError
from handlers.conversation import Conversation
from handlers.statuses import ChatEvent
from handlers.types import Attachment, Incoming, Reply

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_WEBHOOK_PATH = "/telegram/webhook"
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
COMMANDS = [
    BotCommand("start", "Bắt đầu, xem các chủ đề"),
    BotCommand("chude", "Danh sách chủ đề và câu hỏi thường gặp"),
    BotCommand("gapcanbo", "Gặp cán bộ tư vấn"),
    BotCommand("dangkyhotro", "Đăng ký nhận hỗ trợ của chương trình"),
    BotCommand("hoso", "Hồ sơ đăng ký hỗ trợ đã gửi"),
    BotCommand("ketthuc", "Kết thúc trò chuyện với cán bộ, quay lại Trợ lý"),
    BotCommand("dangky", "Đăng ký nhận thông báo"),
    BotCommand("huydangky", "Hủy nhận thông báo"),
    BotCommand("dulieucuatoi", "Xem dữ liệu tôi lưu về bạn"),
    BotCommand("xoadulieu", "Xóa dữ liệu của bạn"),
    BotCommand("huongdan", "Hướng dẫn sử dụng"),
]


def to_outcome(error: Exception | None, message_id: int | None = None) -> SendOutcome:
    """A send's result in the broadcast engine's terms."""
    if error is None:
        return SendOutcome(SendStatus.SENT, str(message_id))
    if isinstance(error, RetryAfter):
        retry = error.retry_after
        # python-telegram-bot gives a timedelta or plain seconds, depending on its version and settings.
        seconds = retry.total_seconds() if isinstance(retry, dt.timedelta) else float(retry)
        return SendOutcome(SendStatus.RETRY, retry_after=seconds, error=str(error))
    if isinstance(error, Forbidden):
        return SendOutcome(SendStatus.BLOCKED, error=str(error))
    if isinstance(error, BadRequest):
        return SendOutcome(SendStatus.FAILED, error=str(error))
    if isinstance(error, TimedOut):
        # Only a connect timeout (waiting for a pooled connection included) proves the request never left;
        # any other timeout may have delivered it.
        never_sent = isinstance(error.__cause__, aiohttp.ConnectionTimeoutError)
        return SendOutcome(SendStatus.RETRY if never_sent else SendStatus.UNKNOWN, error=str(error))
    if isinstance(error, NetworkError):
        return SendOutcome(SendStatus.RETRY, error=str(error))  # connection refused / reset
    return SendOutcome(SendStatus.FAILED, error=str(error))


@dataclass(frozen=True)
class TelegramConfig:
    """What the Telegram channel needs from settings (built in bot/wiring.py)."""

    token: str
    base_url: str
    webhook_url: str = ""
    webhook_secret: str = ""
    # Paid broadcasts enabled and needed (bot/wiring.py): answers carry the flag too, so a user's answer is
    # not refused while a campaign above the free ~30/s is under way (README, "Paid broadcasts").
    paid_broadcast: bool = False


class TelegramChannel(ChannelBase):
    """Turns Telegram updates into Incoming, runs the conversation, renders the replies as HTML."""

    name = "telegram"

    def __init__(
        self, config: TelegramConfig, conversation: Conversation, relay: Relay, limiter: RateLimiter, metrics: Metrics
    ):
        if not config.token.strip():
            raise StartupError("TELEGRAM_BOT_TOKEN is empty")
        if config.webhook_url and not config.webhook_secret:
            raise StartupError(
                "TELEGRAM_WEBHOOK_URL is set but TELEGRAM_WEBHOOK_SECRET is empty: "
                "set a secret so forged updates are refused"
            )
        super().__init__(conversation, relay, limiter, metrics)
        self.webhook_url = config.webhook_url
        self.webhook_secret = config.webhook_secret
        self.paid_broadcast = config.paid_broadcast
        self.calls = AiohttpRequest(pool_size=64)  # replies and every other Bot API call
        self.polling = AiohttpRequest(pool_size=1)  # getUpdates: one long call at a time
        builder = (
            ApplicationBuilder()
            .token(config.token)
            .base_url(config.base_url)
            # Many at once: a flooding user's messages wait their turn inside the handler (handlers/flood.py)
            # and must not take the places of other users' updates.
            .concurrent_updates(1024)
            .request(self.calls)
            .get_updates_request(self.polling)
        )
        if self.webhook_url:
            builder = builder.updater(None)
        self.app = builder.build()
        self.app.add_handler(TypeHandler(Update, self._on_update))

    @property
    def webhook_path(self) -> str:
        return urlparse(self.webhook_url).path or DEFAULT_WEBHOOK_PATH if self.webhook_url else ""

    def register_routes(self, app: web.Application) -> None:
        if self.webhook_url:
            app.router.add_post(self.webhook_path, self.webhook)

    async def start(self) -> None:
        try:
            await self.app.initialize()  # calls getMe: a wrong token fails here
        except (InvalidToken, NetworkError) as exc:
            # PTB leaves what it opened when initialize fails: closed here, or the exit prints a warning
            # after the one clear line.
            for request in (self.calls, self.polling):
                await request.shutdown()
            if isinstance(exc, InvalidToken):
                raise StartupError(f"Telegram rejected TELEGRAM_BOT_TOKEN ({exc})") from exc
            raise StartupError(f"cannot reach the Telegram Bot API at the configured URL ({exc})") from exc
        try:
            await self.app.bot.set_my_commands(COMMANDS)
        except TelegramError as exc:
            log.warning("setMyCommands failed: %s", exc)
        await self.app.start()
        if self.webhook_url:
            await self.app.bot.set_webhook(
                self.webhook_url, secret_token=self.webhook_secret, allowed_updates=ALLOWED_UPDATES
            )
            log.info("telegram: webhook mode at %s", self.webhook_path)
        else:
            assert self.app.updater is not None  # built with an updater when there is no webhook
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

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not self.first_time(update.update_id):
            return
        member = update.my_chat_member
        if member is not None:
            if member.chat.type == "private":
                blocked = member.new_chat_member.status in ("kicked", "left")
                await self.report(str(member.chat.id), ChatEvent.BLOCKED if blocked else ChatEvent.UNBLOCKED)
            return
        query = update.callback_query
        if query is not None:
            try:
                await query.answer()
            except TelegramError as exc:  # an old query id: the press still counts
                log.debug("answerCallbackQuery: %s", exc)
            if query.message is None:
                return
            incoming = Incoming(
                self.name,
                str(query.message.chat.id),
                str(query.from_user.id),
                data=query.data or "",
                user_name=query.from_user.full_name or "",
                private=query.message.chat.type == "private",
            )
        elif update.message is not None:
            message = update.message
            chat_id = str(message.chat.id)
            user = message.from_user
            answered = message.reply_to_message
            incoming = Incoming(
                self.name,
                chat_id,
                str(user.id) if user else chat_id,
                text=message.text or "",
                user_name=(user.full_name if user else "") or "",
                reply_to=str(answered.message_id) if answered is not None else None,
                private=message.chat.type == "private",
            )
        else:
            return
        await self.handle(incoming, query)

    async def edit(self, context: Any, reply: Reply) -> bool:
        """Refresh a progress message in place; False to fall back to sending a new one."""
        if context is None:
            return False
        try:
            if reply.buttons_only:
                await context.edit_message_reply_markup(reply_markup=keyboard(reply))
            else:
                await context.edit_message_text(
                    render_html(reply)[0], parse_mode=ParseMode.HTML, reply_markup=keyboard(reply)
                )
            return True
        except BadRequest as exc:
            return "not modified" in str(exc).lower()  # nothing changed: the message is already current
        except TelegramError:
            return False

    # -- outbound --------------------------------------------------------------------------------
    async def render(self, chat_id: str, reply: Reply) -> list[Any]:
        """Text parts as (html, markup); a picture or a file goes first, with the text as its caption when
        it fits there (1,024 characters) and as the following messages when it does not."""
        markup = keyboard(reply)
        parts = render_html(reply)
        media: Any = reply.image or reply.attachment
        if media and len(parts) == 1 and visible_length(reply) <= CAPTION_LIMIT:
            return [(parts[0], markup, media)]
        texts_ = [(text, markup if index == len(parts) - 1 else None, None) for index, text in enumerate(parts)]
        return ([("", None, media)] if media else []) + texts_

    async def send_part(self, chat_id: str, part: Any, last: bool) -> SendOutcome:
        text, markup, media = part
        paid = self.paid_broadcast or None
        try:
            if isinstance(media, Attachment):
                message = await self.app.bot.send_document(
                    chat_id,
                    InputFile(media.data, filename=media.filename),
                    caption=text or None,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    allow_paid_broadcast=paid,
                )
            elif media:
                message = await self.app.bot.send_photo(
                    chat_id,
                    media,
                    caption=text or None,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    allow_paid_broadcast=paid,
                )
            else:
                message = await self.app.bot.send_message(
                    chat_id,
                    text,
                    parse_mode=ParseMode.HTML,
                    disable_web_page_preview=True,
                    reply_markup=markup,
                    allow_paid_broadcast=paid,
                )
        except TelegramError as exc:
            return to_outcome(exc)
        return to_outcome(None, message.message_id)
