"""Campaign sends on the Zalo OA as promotions, under Zalo's rules: a delivery the rules forbid is held, not failed."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from bot.channels.base import SendOutcome, SendStatus
from bot.channels.zalo_oa.client import OaClient, OaError, OaRefusal, OaSent
from bot.channels.zalo_oa.quota_book import QuotaBook
from bot.channels.zalo_oa.rules import MessageKind, OaRules, Refusal, Verdict
from bot.channels.zalo_oa.text import oa_text
from bot.channels.zalo_oa.tokens import OaNotConnected, TokenKeeper
from bot.db import oa_promotions
from bot.db.database import Database
from bot.db.models import utcnow
from handlers.numbers import number
from handlers.statuses import DeliveryStatus
from handlers.types import Reply

log = logging.getLogger(__name__)

PROMOTION = MessageKind.PROMOTION
# Issue 19: an expired or revoked authorisation makes "the channel wait instead of failing every send".
NOT_CONNECTED_WAIT = 300.0  # seconds
# ASSUMPTION: Zalo's -32 ("reached limit call api") says nothing of when to come back; a minute is our guess.
RATE_LIMITED_WAIT = 60.0
NOT_CONNECTED = "Zalo OA chưa kết nối được (cần cấp quyền lại hoặc chờ mạng); tin sẽ gửi khi kết nối lại"
# Zalo's refusals that end a follower's reach, in staff's words (codes: client.REFUSALS).
UNREACHABLE = {
    -213: Refusal.NOT_FOLLOWER.label,
    -227: "tài khoản bị khóa hoặc không hoạt động quá 45 ngày",
    -244: "người nhận đã chặn loại tin này từ OA",
}


# The rules' refusals as delivery statuses: who cannot be reached is final, the OA's quota has its own open
# status, every other refusal (daily or monthly cap, quiet hours, quota unread) waits with its reason shown.
HELD_AS = {
    Refusal.NOT_FOLLOWER: DeliveryStatus.BLOCKED,  # unfollowed: inactive for campaigns, as after blocking the bot
    Refusal.OUTSIDE_WINDOW: DeliveryStatus.OUTSIDE_WINDOW,
    Refusal.QUOTA_USED_UP: DeliveryStatus.QUOTA_USED_UP,
}


def held(verdict: Verdict) -> SendOutcome:
    """A refusing verdict as the outcome the broadcaster records: status, retry time, and the label staff read."""
    status = HELD_AS.get(verdict.status, DeliveryStatus.WAITING) if verdict.status else DeliveryStatus.WAITING
    return SendOutcome(SendStatus.HELD, error=verdict.label, held=status, retry_at=verdict.retry_at)


def opening(rules: OaRules, day: dt.date) -> dt.datetime:
    """When promotions may go out on a local `day`."""
    return dt.datetime.combine(day, rules.promotion_opens, tzinfo=rules.zone)


def refused(sent: OaSent, rules: OaRules, now: dt.datetime) -> SendOutcome:
    """Zalo's own refusal of a promotion, mapped as the rules' refusals are (TOKEN is the sender's to handle)."""
    today = now.astimezone(rules.zone).date()
    if sent.refusal is OaRefusal.QUOTA and sent.error_code == -218:  # this follower's limit: [ERR] -218
        return held(Verdict(PROMOTION, Refusal.DAILY_CAP, opening(rules, today + dt.timedelta(days=1))))
    if sent.refusal is OaRefusal.QUOTA:  # the OA's quota, -211: set again on the 1st ([HELP] 64000261136)
        first = dt.date(today.year + today.month // 12, today.month % 12 + 1, 1)
        return held(Verdict(PROMOTION, Refusal.QUOTA_USED_UP, opening(rules, first)))
    if sent.refusal is OaRefusal.UNREACHABLE:
        why = UNREACHABLE.get(sent.error_code, Refusal.NOT_FOLLOWER.label)
        return SendOutcome(SendStatus.HELD, error=f"{why} (Zalo {sent.error_code})", held=DeliveryStatus.BLOCKED)
    if sent.refusal is OaRefusal.OUTSIDE_WINDOW:
        return held(Verdict(PROMOTION, Refusal.OUTSIDE_WINDOW))
    if sent.refusal is OaRefusal.LATER and sent.error_code == -234:  # night: the next opening of our hours
        later = today + dt.timedelta(days=1 if now.astimezone(rules.zone).time() >= rules.promotion_opens else 0)
        return held(Verdict(PROMOTION, Refusal.QUIET_HOURS, opening(rules, later)))
    if sent.refusal is OaRefusal.LATER:
        why = f"Zalo báo gửi quá nhanh ({sent.error_code})"
        return SendOutcome(SendStatus.RETRY, retry_after=RATE_LIMITED_WAIT, error=why)
    if sent.refusal is OaRefusal.NETWORK:
        status = SendStatus.UNKNOWN if sent.maybe_delivered else SendStatus.RETRY
        return SendOutcome(status, error=f"không nghe được Zalo trả lời: {sent.description}"[:300])
    return SendOutcome(SendStatus.FAILED, error=f"Zalo từ chối ({sent.error_code}): {sent.description}"[:500])


class OaSender:
    """Implements bot.channels.base.Sender for the OA: every campaign goes as a promotion."""

    channel = "zalo_oa"

    def __init__(
        self,
        client: OaClient,
        keeper: TokenKeeper,
        db: Database,
        rules: OaRules,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.client, self.keeper, self.db, self.rules, self.clock = client, keeper, db, rules, clock
        self.book = QuotaBook(client, rules.quota_recheck, rules.zone, self._followers)
        self._waits_until: dt.datetime | None = None  # the keeper said "not connected": sends wait until then

    async def _followers(self) -> int:
        async with self.db.session() as session:
            return await oa_promotions.followers(session)

    async def send(self, chat_id: str, reply: Reply) -> SendOutcome:
        text, limit = oa_text(reply), self.rules.text_limit(PROMOTION)
        if len(text) > limit:
            return SendOutcome(
                SendStatus.FAILED,
                error=f"tin dài {number(len(text))} ký tự, quá giới hạn {number(limit)} ký tự của tin truyền thông OA",
            )
        now = self.clock()
        try:
            held_back = await self._prepare(chat_id, now)
        except SQLAlchemyError as exc:  # nothing was sent: the next round tries again
            log.warning("zalo_oa: the promotion counters could not be read or written: %s", exc)
            return SendOutcome(SendStatus.RETRY, error="cơ sở dữ liệu đang bận; gửi lại sau")
        if held_back is not None:
            return held_back
        sent = await self.client.send(PROMOTION, chat_id, text)
        if sent.ok:
            return SendOutcome(SendStatus.SENT, message_id=sent.message_id)
        if not (sent.refusal is OaRefusal.NETWORK and sent.maybe_delivered):  # it may have gone: keep it counted
            await self._release(chat_id, now)
        if sent.refusal is OaRefusal.TOKEN:
            await self.keeper.rejected()
            return SendOutcome(SendStatus.RETRY, error=f"Zalo từ chối mã truy cập ({sent.error_code}); gửi lại")
        if sent.refusal is OaRefusal.QUOTA and sent.error_code != -218:
            self.book.used_up()
        return refused(sent, self.rules, now)

    async def _prepare(self, chat_id: str, now: dt.datetime) -> SendOutcome | None:
        """A usable token, the quota, the rules' decision and the reservation; None when the send may go."""
        if self._waits_until is not None and now < self._waits_until:
            return self._not_connected(now)  # asked a moment ago: the rest of the batch need not ask again
        try:
            await self.keeper.ready()
        except OaNotConnected:
            self._waits_until = now + dt.timedelta(seconds=NOT_CONNECTED_WAIT)
            return self._not_connected(now)
        self._waits_until = None
        try:
            await self.book.refresh(now)
        except OaError as exc:  # the quota read refused the access token
            await self.keeper.rejected()
            return SendOutcome(SendStatus.RETRY, error=f"Zalo từ chối mã truy cập ({exc.code}); gửi lại")
        return await self._reserve(chat_id, now)

    @staticmethod
    def _not_connected(now: dt.datetime) -> SendOutcome:
        # PENDING, not a try: the row waits instead of failing. The limiter is not paused: rows marked ahead
        # would sit past their lease, and another worker would call them unknown.
        retry_at = now + dt.timedelta(seconds=NOT_CONNECTED_WAIT)
        return SendOutcome(SendStatus.HELD, error=NOT_CONNECTED, held=DeliveryStatus.PENDING, retry_at=retry_at)

    async def _reserve(self, chat_id: str, now: dt.datetime) -> SendOutcome | None:
        """Decide, then count the send in the database; None when it may go, the held outcome otherwise."""
        zone = self.rules.zone
        rules = self.rules  # the OA's daily limit grows with its followers ([SUM])
        caps = oa_promotions.Caps(
            rules.promotion_daily_cap,
            rules.promotion_monthly_cap,
            rules.promotion_requests_limit(self.book.followers or 0),
        )
        for _ in range(2):
            async with self.db.session() as session:
                standing = await oa_promotions.standing(session, chat_id, zone, now)
            verdict = self.rules.decide(PROMOTION, standing.recipient, self.book.quota(standing.sent_today), now)
            if not verdict.allowed:
                return held(verdict)
            self.book.take()  # no await since the book was read: in-process sends cannot share the last one
            reserved = False
            try:
                async with self.db.writing() as session:
                    reserved = await oa_promotions.reserve(session, chat_id, zone, now, caps)
            finally:
                if not reserved:  # refused, or the database failed: the send is not going out
                    self.book.give_back()
            if reserved:
                return None
            # Another sender took the last of a cap since the read: read again, and the rules will say which.
        return SendOutcome(SendStatus.RETRY, error="hạn mức vừa thay đổi; gửi lại sau")

    async def _release(self, chat_id: str, now: dt.datetime) -> None:
        self.book.give_back()
        try:
            async with self.db.writing() as session:
                await oa_promotions.release(session, chat_id, self.rules.zone, now)
        except SQLAlchemyError as exc:  # counted once too many: the follower may wait a day longer, no more
            log.warning("zalo_oa: a promotion that did not go out stays counted: %s", exc)

    async def close(self) -> None:
        """Nothing of ours to close: the client belongs to whoever built it (bot/wiring.py)."""
