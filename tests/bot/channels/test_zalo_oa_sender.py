"""How the OA's campaign sender turns Zalo's rules and Zalo's refusals into delivery outcomes (the mapping table)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.channels.base import SendStatus
from bot.channels.zalo_oa.client import OaClient, OaRefusal, OaSent
from bot.channels.zalo_oa.rules import MessageKind, OaRules, Quota, Recipient, Refusal
from bot.channels.zalo_oa.sender import NOT_CONNECTED, NOT_CONNECTED_WAIT, OaSender, held, refused
from bot.channels.zalo_oa.tokens import TokenKeeper
from handlers.statuses import DeliveryStatus
from handlers.types import Reply

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
RULES = OaRules()
PLENTY = Quota(promotion=100, followers=1000)


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VIETNAM)


NOON = local(2026, 12, 15, 12, 0)
FOLLOWER = Recipient(follows=True, last_interaction=NOON - dt.timedelta(days=1))


@pytest.mark.parametrize(
    ("recipient", "quota", "now", "status", "refusal", "retry_at"),
    [
        (Recipient(follows=False), PLENTY, NOON, DeliveryStatus.BLOCKED, Refusal.NOT_FOLLOWER, None),
        (
            Recipient(follows=True, promotions_today=1),
            PLENTY,
            NOON,
            DeliveryStatus.WAITING,
            Refusal.DAILY_CAP,
            local(2026, 12, 16, 8, 0),
        ),
        (
            Recipient(follows=True, promotions_this_month=4),
            PLENTY,
            NOON,
            DeliveryStatus.WAITING,
            Refusal.MONTHLY_CAP,
            local(2027, 1, 1, 8, 0),
        ),
        (
            FOLLOWER,
            Quota(promotion=0),
            NOON,
            DeliveryStatus.QUOTA_USED_UP,
            Refusal.QUOTA_USED_UP,
            local(2027, 1, 1, 8, 0),
        ),
        (
            FOLLOWER,
            Quota(promotion=None),
            NOON,
            DeliveryStatus.WAITING,
            Refusal.QUOTA_UNKNOWN,
            NOON + RULES.quota_recheck,
        ),
        (
            FOLLOWER,
            PLENTY,
            local(2026, 12, 15, 22, 0),
            DeliveryStatus.WAITING,
            Refusal.QUIET_HOURS,
            local(2026, 12, 16, 8, 0),
        ),
        (
            FOLLOWER,
            Quota(promotion=100, followers=1000, promotion_requests_today=500),
            NOON,
            DeliveryStatus.QUOTA_USED_UP,
            Refusal.QUOTA_USED_UP,
            local(2026, 12, 16, 8, 0),
        ),
    ],
)
def test_each_refusal_of_the_rules_becomes_a_held_delivery(recipient, quota, now, status, refusal, retry_at):
    verdict = RULES.decide(MessageKind.PROMOTION, recipient, quota, now)
    assert verdict.status is refusal
    outcome = held(verdict)
    assert outcome.status is SendStatus.HELD and outcome.held is status
    assert outcome.retry_at == retry_at and outcome.error == refusal.label


def test_an_allowed_promotion_is_not_held():
    assert RULES.decide(MessageKind.PROMOTION, FOLLOWER, PLENTY, NOON).allowed


def zalo(code: int, refusal: OaRefusal, maybe: bool = False) -> OaSent:
    return OaSent(False, error_code=code, refusal=refusal, description="Zalo's words", maybe_delivered=maybe)


@pytest.mark.parametrize(
    ("sent", "now", "status", "held_as", "retry_at"),
    [
        (zalo(-211, OaRefusal.QUOTA), NOON, SendStatus.HELD, DeliveryStatus.QUOTA_USED_UP, local(2027, 1, 1, 8, 0)),
        (
            zalo(-211, OaRefusal.QUOTA),
            local(2026, 11, 30, 23, 30),
            SendStatus.HELD,
            DeliveryStatus.QUOTA_USED_UP,
            local(2026, 12, 1, 8, 0),
        ),
        (zalo(-218, OaRefusal.QUOTA), NOON, SendStatus.HELD, DeliveryStatus.WAITING, local(2026, 12, 16, 8, 0)),
        (zalo(-213, OaRefusal.UNREACHABLE), NOON, SendStatus.HELD, DeliveryStatus.BLOCKED, None),
        (zalo(-227, OaRefusal.UNREACHABLE), NOON, SendStatus.HELD, DeliveryStatus.BLOCKED, None),
        (zalo(-244, OaRefusal.UNREACHABLE), NOON, SendStatus.HELD, DeliveryStatus.BLOCKED, None),
        (zalo(-230, OaRefusal.OUTSIDE_WINDOW), NOON, SendStatus.HELD, DeliveryStatus.OUTSIDE_WINDOW, None),
        (
            zalo(-234, OaRefusal.LATER),
            local(2026, 12, 15, 22, 30),
            SendStatus.HELD,
            DeliveryStatus.WAITING,
            local(2026, 12, 16, 8, 0),
        ),
        (
            zalo(-234, OaRefusal.LATER),
            local(2026, 12, 15, 5, 0),
            SendStatus.HELD,
            DeliveryStatus.WAITING,
            local(2026, 12, 15, 8, 0),
        ),
        (zalo(-32, OaRefusal.LATER), NOON, SendStatus.RETRY, None, None),
        (zalo(0, OaRefusal.NETWORK, maybe=True), NOON, SendStatus.UNKNOWN, None, None),
        (zalo(0, OaRefusal.NETWORK, maybe=False), NOON, SendStatus.RETRY, None, None),
        (zalo(-201, OaRefusal.OTHER), NOON, SendStatus.FAILED, None, None),
    ],
)
def test_zalos_own_refusals_map_as_the_rules_do(sent, now, status, held_as, retry_at):
    outcome = refused(sent, RULES, now)
    assert outcome.status is status and outcome.held is held_as and outcome.retry_at == retry_at
    assert outcome.error


def test_zalos_refusals_are_worded_for_staff():
    assert refused(zalo(-218, OaRefusal.QUOTA), RULES, NOON).error == Refusal.DAILY_CAP.label
    assert refused(zalo(-211, OaRefusal.QUOTA), RULES, NOON).error == Refusal.QUOTA_USED_UP.label
    assert refused(zalo(-213, OaRefusal.UNREACHABLE), RULES, NOON).error == "không còn theo dõi OA (Zalo -213)"
    assert refused(zalo(-234, OaRefusal.LATER), RULES, NOON).error == Refusal.QUIET_HOURS.label
    assert refused(zalo(-32, OaRefusal.LATER), RULES, NOON).retry_after == 60


@pytest.fixture
async def sender(db):
    # Nothing listens at this address: these sends must be decided before any request.
    client = OaClient("app", "secret", api_base="http://127.0.0.1:9", oauth_base="http://127.0.0.1:9")
    alerts: list[str] = []

    async def alert(text: str) -> None:
        alerts.append(text)

    keeper = TokenKeeper(db, client, alert=alert, clock=lambda: NOON)
    yield OaSender(client, keeper, db, RULES, clock=lambda: NOON)
    await client.close()


async def test_a_text_longer_than_a_promotion_takes_fails_with_the_reason(sender):
    outcome = await sender.send("42", Reply("x" * 2001))
    assert outcome.status is SendStatus.FAILED and "2.001 ký tự" in outcome.error and "2.000" in outcome.error


async def test_an_oa_never_authorised_makes_sends_wait_not_fail(sender):
    outcome = await sender.send("42", Reply("Hội thảo 5S"))
    assert outcome.status is SendStatus.HELD and outcome.held is DeliveryStatus.PENDING
    assert outcome.error == NOT_CONNECTED
    assert outcome.retry_at == NOON + dt.timedelta(seconds=NOT_CONNECTED_WAIT)
