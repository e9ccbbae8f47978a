"""The Zalo Official Account channel: signed webhook events in, the conversation rendered as on the Zalo bot
(plain text, numbered choices), replies out as consultation messages and case notices as transaction messages."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web

from bot.broadcast.limiter import RateLimiter
from bot.channels.base import ChannelBase, SendOutcome, SendStatus
from bot.channels.numbered import ChoiceTexts, NumberedChoices
from bot.channels.relay import Relay
from bot.channels.text_split import split_paragraphs
from bot.channels.zalo import BAD_NUMBER, CHOOSE_HINT, NOTHING_TO_GO_BACK, TEXT_ONLY
from bot.channels.zalo_oa.client import OaClient, OaRefusal, OaSent
from bot.channels.zalo_oa.rules import MessageKind, OaRules, Purpose, Refusal, kind_for
from bot.channels.zalo_oa.text import with_image_line
from bot.channels.zalo_oa.tokens import OaNotConnected
from bot.channels.zalo_oa.webhook import OaEvent, OaEventKind, Refused, WebhookCheck, WebhookRefusal
from bot.db import oa_recipients
from bot.db.database import Database
from bot.db.models import utcnow
from bot.metrics import Metrics
from handlers.conversation import Conversation
from handlers.flood import FloodVerdict
from handlers.ports import PeopleStore, StateStore
from handlers.statuses import OaAuthState
from handlers.types import Incoming, Reply

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/zalo-oa/webhook"
NOT_CONNECTED = "Zalo OA chưa được cấp quyền"
REFRESH_FAILED = "Zalo OA chưa làm mới được mã truy cập, sẽ thử lại"
# Following is the consent to announcements on the OA: said once, when it happens, with the way back out.
# The command names are those of handlers/texts.HELP.
WELCOME = (
    "Cảm ơn bạn đã quan tâm Official Account của Trợ lý Năng suất — chương trình hỗ trợ doanh nghiệp nâng cao "
    "năng suất, chất lượng tỉnh Quảng Ninh (Kế hoạch 273/KH-UBND).\n\n"
    "Khi quan tâm OA này, bạn sẽ nhận thông báo của chương trình (khóa đào tạo, chính sách hỗ trợ, hạn đăng ký) "
    "ngay tại OA này. Để gửi thông báo, tôi lưu mã người dùng Zalo của bạn đối với OA này, thời điểm bạn quan tâm "
    "OA và lần nhắn tin gần nhất.\n"
    "- Chọn chủ đề muốn nhận: gõ /dangky\n"
    "- Ngừng nhận thông báo: gõ /huydangky, hoặc bỏ quan tâm OA\n"
    "- Xem dữ liệu tôi lưu về bạn: gõ /dulieucuatoi; xóa dữ liệu đó: gõ /xoadulieu\n\n"
    "Bạn cứ gõ câu hỏi bằng tiếng Việt, ví dụ: «5S là gì», hoặc gõ /chude để xem các chủ đề."
)
GONE_CODE = -227  # "User is banned or has been inactive for more than 45 days": the only refusal read as BLOCKED


class Keeper(Protocol):
    """What the channel needs of the token keeper (bot/channels/zalo_oa/tokens.py)."""

    async def start(self) -> None: ...

    async def ready(self) -> None: ...  # sets the client's token, or raises OaNotConnected

    async def rejected(self) -> None: ...  # Zalo refused the access token it set

    async def status(self) -> tuple[OaAuthState, str]: ...


@dataclass(frozen=True)
class OaParts:
    """The OA's own collaborators, built together in bot/channels/zalo_oa/assembly.py."""

    client: OaClient
    keeper: Keeper
    check: WebhookCheck
    rules: OaRules


@dataclass(frozen=True)
class OaPart:
    """One OA message: its kind decides the endpoint and the length limit."""

    kind: MessageKind
    text: str


def not_connected(state: OaAuthState) -> str:
    if state is OaAuthState.CONNECTED:  # authorised, but a refresh just failed: the keeper tries again soon
        return REFRESH_FAILED
    return NOT_CONNECTED if state is OaAuthState.NOT_AUTHORISED else f"Zalo OA {state.label}"


def reply_outcome(sent: OaSent) -> SendOutcome:
    """What a refused or unanswered send means for a reply. BLOCKED only for -227 (the user is gone from Zalo);
    -213 (not a follower) and -244 (restricted this kind) fail this message without marking the chat blocked."""
    if sent.ok:
        return SendOutcome(SendStatus.SENT, sent.message_id)
    code = f" ({sent.error_code})" if sent.error_code else ""
    refusal = sent.refusal
    if refusal is OaRefusal.NETWORK:
        status = SendStatus.UNKNOWN if sent.maybe_delivered else SendStatus.RETRY
        return SendOutcome(status, retry_after=1.0, error=f"Zalo không trả lời: {sent.description}")
    if refusal is OaRefusal.LATER:
        return SendOutcome(SendStatus.RETRY, retry_after=1.0, error=f"Zalo hẹn gửi lại sau{code}")
    if refusal is OaRefusal.UNREACHABLE and sent.error_code == GONE_CODE:
        return SendOutcome(SendStatus.BLOCKED, error=f"người dùng bị khóa hoặc lâu không dùng Zalo{code}")
    words = {
        OaRefusal.OUTSIDE_WINDOW: Refusal.OUTSIDE_WINDOW.label,
        OaRefusal.QUOTA: Refusal.QUOTA_USED_UP.label,
        OaRefusal.UNREACHABLE: "người dùng không nhận được loại tin này",
        OaRefusal.TOKEN: "Zalo từ chối access token",
    }
    what = words.get(refusal, "Zalo từ chối") if refusal is not None else "Zalo từ chối"
    detail = f": {sent.description}" if sent.description and refusal in (None, OaRefusal.OTHER) else ""
    return SendOutcome(SendStatus.FAILED, error=f"{what}{code}{detail}")


class ZaloOaChannel(ChannelBase):
    """Webhook events → Incoming (text), the follow list (follow, unfollow) or the text-only note (pictures…)."""

    name = oa_recipients.CHANNEL

    def __init__(
        self,
        oa: OaParts,
        db: Database,
        people: PeopleStore,
        conversation: Conversation,
        relay: Relay,
        limiter: RateLimiter,
        metrics: Metrics,
        state: StateStore,
        clock: Callable[[], dt.datetime] = utcnow,
    ):
        super().__init__(conversation, relay, limiter, metrics)
        self.client, self.keeper, self.check, self.rules = oa.client, oa.keeper, oa.check, oa.rules
        self.db, self.people, self.clock = db, people, clock
        self.choices = NumberedChoices(state, self.name, ChoiceTexts(CHOOSE_HINT, NOTHING_TO_GO_BACK, BAD_NUMBER))
        self._running = False

    def register_routes(self, app: web.Application) -> None:
        app.router.add_post(WEBHOOK_PATH, self.webhook)

    async def start(self) -> None:
        await self.client.start()
        await self.keeper.start()
        state, notice = await self.keeper.status()
        if state is OaAuthState.CONNECTED:
            log.info("zalo_oa: connected; Zalo's events reach %s", WEBHOOK_PATH)
        else:  # what to do, as admins read it in the staff chat and the console (the keeper's notice)
            log.warning("zalo_oa: %s", notice or state.label)
        self._running = True

    async def stop(self) -> None:
        self._running = False
        await self.finish_tasks()
        await self.client.close()

    # -- inbound ---------------------------------------------------------------------------------
    async def webhook(self, request: web.Request) -> web.Response:
        if not self._running:
            return web.Response(status=503, text="stopping")
        try:
            verdict = await self.check.check(request.headers, await request.read(), self.clock())
        except Exception:  # the seen-set's database: Zalo re-sends what was not answered 200
            log.exception("zalo_oa: an event could not be checked")
            return web.Response(status=503, text="try again")
        if isinstance(verdict, Refused):
            level = logging.INFO if verdict.reason is WebhookRefusal.REPLAYED else logging.WARNING
            log.log(level, "zalo_oa: event refused: %s %s", verdict.reason.value, verdict.detail[:100])
            return web.Response(status=verdict.http_status, text=verdict.reason.value)
        self.spawn(self._take(verdict))
        return web.Response(text="ok")  # at once: Zalo does not wait for the answer, and re-sends if slow

    async def _take(self, event: OaEvent) -> None:
        user = event.user_id
        if event.kind is OaEventKind.TEXT:
            await self.handle(Incoming(self.name, user, user, text=event.text))
        elif event.kind is OaEventKind.FOLLOW:
            await self._in_order(user, self._followed(user))
        elif event.kind is OaEventKind.UNFOLLOW:
            await self._in_order(user, self._unfollowed(user))
        elif event.kind is OaEventKind.IMAGE or event.event_name.startswith("user_send_"):
            await self._in_order(user, self._not_text(user))
        else:
            log.debug("zalo_oa: %s not acted on", event.event_name)

    async def _in_order(self, user: str, work: Coroutine[Any, Any, None]) -> None:
        """Under the user's lock, as their messages are answered: a welcome never overtakes an earlier answer."""
        async with self._chat_locks.setdefault(user, asyncio.Lock()):
            try:
                await work
            except Exception:
                log.exception("zalo_oa: an event of %s failed", user)

    async def _followed(self, user: str) -> None:
        async with self.db.writing() as session:
            await oa_recipients.set_following(session, user, True, self.clock())
        known = (await self.people.person_data(self.name, user)).person
        await self.people.subscribe(self.name, user, list(known.topics) if known is not None else [])
        await self.send_reply(user, Reply(WELCOME))

    async def _unfollowed(self, user: str) -> None:
        # No goodbye: Zalo refuses messages to someone who no longer follows (and they chose to leave).
        async with self.db.writing() as session:
            await oa_recipients.set_following(session, user, False, self.clock())
        await self.people.unsubscribe(self.name, user)

    async def _not_text(self, user: str) -> None:
        await self._interacted(user)
        await self.send_reply(user, Reply(TEXT_ONLY))

    async def _interacted(self, user: str) -> None:
        """Zalo's windows reopen when the user writes; bookkeeping only: the answer goes out regardless."""
        try:
            async with self.db.writing() as session:
                await oa_recipients.record_interaction(session, user, self.clock())
        except Exception:
            log.exception("zalo_oa: recording %s's message failed", user)

    async def respond(self, incoming: Incoming, admitted: FloodVerdict | None = None) -> list[Reply]:
        # Under the chat's lock, so that the interaction is on record before any reply counts against it.
        await self._interacted(incoming.chat_id)
        meant = await self.choices.interpret(incoming)
        if isinstance(meant, Reply):
            return [meant]
        return await self.conversation.handle(meant, admitted)

    # -- outbound --------------------------------------------------------------------------------
    async def render(self, chat_id: str, reply: Reply) -> list[Any]:
        kind = kind_for(Purpose.CASE_STATUS if reply.notice else Purpose.REPLY)
        text = with_image_line(await self.choices.render(chat_id, reply), reply.image)
        return [OaPart(kind, chunk) for chunk in split_paragraphs(text, self.rules.text_limit(kind))]

    async def send_part(self, chat_id: str, part: Any, last: bool) -> SendOutcome:
        assert isinstance(part, OaPart)
        try:
            await self.keeper.ready()
            sent = await self.client.send(part.kind, chat_id, part.text)
            if sent.refusal is OaRefusal.TOKEN:  # expired or revoked early: one fresh token, one more try
                await self.keeper.rejected()
                await self.keeper.ready()
                sent = await self.client.send(part.kind, chat_id, part.text)
        except OaNotConnected as exc:  # no HTTP call: the keeper says what admins must do
            return SendOutcome(SendStatus.FAILED, error=not_connected(exc.state))
        if sent.ok and part.kind is MessageKind.CONSULTATION:
            await self._count_reply(chat_id)
        return reply_outcome(sent)

    async def _count_reply(self, user: str) -> None:
        try:
            async with self.db.writing() as session:
                await oa_recipients.count_reply(session, user, self.clock())
        except Exception:  # the message went: a lost count must not turn it into a failure
            log.exception("zalo_oa: counting a reply to %s failed", user)
