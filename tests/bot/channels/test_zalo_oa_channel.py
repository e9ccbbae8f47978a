"""The Zalo OA channel's pure parts: what a send's answer means for a reply, and the settings it is built from."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.channels.base import SendStatus
from bot.channels.zalo_oa.assembly import oa_enabled, oa_rules, promotion_hours
from bot.channels.zalo_oa.channel import NOT_CONNECTED, REFRESH_FAILED, not_connected, reply_outcome
from bot.channels.zalo_oa.client import OaRefusal, OaSent
from bot.channels.zalo_oa.rules import ConsultationRule, MessageKind
from bot.settings import load_settings
from bot.startup import StartupError
from bot.wiring import build_limiters
from handlers.statuses import OaAuthState

OA = {"zalo_oa_app_id": "2718281828", "zalo_oa_secret_key": "app-secret", "zalo_oa_webhook_key": "oa-secret"}


def settings(**values):
    return load_settings(_env_file=None, telegram_bot_token=None, zalo_bot_token=None, **values)


def refused(refusal: OaRefusal, code: int = 0, **extra) -> OaSent:
    return OaSent(False, error_code=code, refusal=refusal, **extra)


def test_a_sent_message_keeps_its_id():
    outcome = reply_outcome(OaSent(True, message_id="abc123"))
    assert (outcome.status, outcome.message_id) == (SendStatus.SENT, "abc123")


@pytest.mark.parametrize(
    ("sent", "status", "words"),
    [
        (refused(OaRefusal.OUTSIDE_WINDOW, -230), SendStatus.FAILED, "ngoài khung thời gian Zalo cho phép (-230)"),
        (refused(OaRefusal.UNREACHABLE, -213), SendStatus.FAILED, "(-213)"),
        (refused(OaRefusal.UNREACHABLE, -244), SendStatus.FAILED, "(-244)"),
        (refused(OaRefusal.UNREACHABLE, -227), SendStatus.BLOCKED, "(-227)"),  # the user is gone from Zalo
        (refused(OaRefusal.QUOTA, -211), SendStatus.FAILED, "hết hạn mức"),
        (refused(OaRefusal.LATER, -32), SendStatus.RETRY, "(-32)"),
        (refused(OaRefusal.TOKEN, -216), SendStatus.FAILED, "access token (-216)"),
        (refused(OaRefusal.NETWORK, description="not connected"), SendStatus.RETRY, "not connected"),
        (refused(OaRefusal.NETWORK, description="no answer", maybe_delivered=True), SendStatus.UNKNOWN, "no answer"),
        (refused(OaRefusal.OTHER, -201, description="user_id is invalid!"), SendStatus.FAILED, "user_id is invalid"),
    ],
)
def test_a_refusal_becomes_the_outcome_a_reply_acts_on(sent, status, words):
    outcome = reply_outcome(sent)
    assert outcome.status is status and words in outcome.error and outcome.message_id is None


def test_an_oa_without_authorisation_says_what_is_wrong():
    assert not_connected(OaAuthState.NOT_AUTHORISED) == NOT_CONNECTED == "Zalo OA chưa được cấp quyền"
    assert not_connected(OaAuthState.NEEDS_REAUTH) == "Zalo OA cần cấp quyền lại"
    assert not_connected(OaAuthState.CONNECTED) == REFRESH_FAILED


def test_the_oa_runs_only_with_all_three_keys():
    assert oa_enabled(settings(**OA))
    for missing in OA:
        assert not oa_enabled(settings(**{**OA, missing: ""})), missing
    assert not oa_enabled(settings(**{**OA, "zalo_oa_webhook_key": "   "}))


def test_a_limiter_for_the_oa_only_when_it_runs():
    assert "zalo_oa" not in build_limiters(settings())
    limiter = build_limiters(settings(**OA, zalo_oa_rate_per_second=6.0, campaign_workers=2))["zalo_oa"]
    assert limiter.limits.per_second == 3.0  # two sending processes share Zalo's rate


def test_the_rules_take_their_numbers_from_the_settings():
    rules = oa_rules(
        settings(
            zalo_oa_consultation_rule="Eight_In_48_Hours",
            zalo_oa_consultation_window_days=2,
            zalo_oa_transaction_window_days=30,
            zalo_oa_promotion_daily_cap=2,
            zalo_oa_promotion_monthly_cap=8,
            zalo_oa_promotion_hours="07:30 - 21:00",
            zalo_oa_promotion_requests_per_day=800,
            zalo_oa_quota_recheck_minutes=5,
        )
    )
    assert rules.consultation_rule is ConsultationRule.EIGHT_IN_48_HOURS
    assert (rules.consultation_window, rules.transaction_window) == (dt.timedelta(days=2), dt.timedelta(days=30))
    assert (rules.promotion_daily_cap, rules.promotion_monthly_cap, rules.promotion_requests_per_day) == (2, 8, 800)
    assert (rules.promotion_opens, rules.promotion_closes) == (dt.time(7, 30), dt.time(21, 0))
    assert rules.quota_recheck == dt.timedelta(minutes=5)
    assert rules.timezone == "Asia/Ho_Chi_Minh"  # Zalo's clock, whatever TIMEZONE the bot shows
    assert rules.text_limit(MessageKind.CONSULTATION) == 2000


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"zalo_oa_consultation_rule": "forever"}, "ZALO_OA_CONSULTATION_RULE"),
        ({"zalo_oa_promotion_hours": "8h-22h"}, "ZALO_OA_PROMOTION_HOURS"),
        ({"zalo_oa_promotion_hours": "22:00-08:00"}, "ZALO_OA_PROMOTION_HOURS"),
        ({"zalo_oa_promotion_hours": "08:00-25:00"}, "ZALO_OA_PROMOTION_HOURS"),
        ({"zalo_oa_consultation_window_days": 0}, "ZALO_OA_CONSULTATION_WINDOW_DAYS"),
        ({"zalo_oa_promotion_monthly_cap": -1}, "ZALO_OA_PROMOTION_MONTHLY_CAP"),
        ({"zalo_oa_token_margin_minutes": -5}, "ZALO_OA_TOKEN_MARGIN_MINUTES"),
    ],
)
def test_a_bad_rule_setting_is_one_clear_line(values, named):
    with pytest.raises(StartupError) as raised:
        oa_rules(settings(**values))
    message = str(raised.value)
    assert named in message and "\n" not in message


def test_promotion_hours_read_as_clock_times():
    assert promotion_hours("06:00-21:59") == (dt.time(6, 0), dt.time(21, 59))
