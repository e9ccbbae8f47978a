"""The Zalo OA sending rules at their edges: kinds, windows, caps, quotas and retry times in Vietnam time."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.channels.zalo_oa.rules import (
    ConsultationRule,
    MessageKind,
    OaRules,
    Purpose,
    Quota,
    Recipient,
    Refusal,
    Verdict,
    kind_for,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
RULES = OaRules()
PLENTY = Quota(consultation=100, transaction=100, promotion=100)
CONSULT, TRANSACT, PROMO = MessageKind.CONSULTATION, MessageKind.TRANSACTION, MessageKind.PROMOTION
SECOND = dt.timedelta(seconds=1)


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=VN)


NOON = vn(2026, 6, 10, 12)


def wrote(ago: dt.timedelta, now: dt.datetime = NOON, replies_since_interaction: int = 0) -> Recipient:
    """A follower whose last interaction was `ago` before `now`."""
    return Recipient(True, now - ago, replies_since_interaction=replies_since_interaction)


def follower(promotions_today: int = 0, promotions_this_month: int = 0) -> Recipient:
    return Recipient(True, None, promotions_today=promotions_today, promotions_this_month=promotions_this_month)


def refused(verdict: Verdict, status: Refusal, retry_at: dt.datetime | None = None) -> None:
    assert not verdict.allowed
    assert verdict.status is status
    assert verdict.retry_at == retry_at
    assert verdict.label == status.label


# -- kinds -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("purpose", "kind", "path"),
    [
        (Purpose.REPLY, MessageKind.CONSULTATION, "cs"),
        (Purpose.CASE_STATUS, MessageKind.TRANSACTION, "transaction"),
        (Purpose.CAMPAIGN, MessageKind.PROMOTION, "promotion"),
    ],
)
def test_kind_for_each_purpose(purpose: Purpose, kind: MessageKind, path: str) -> None:
    assert kind_for(purpose) is kind
    assert kind.path == path


def test_every_purpose_has_a_kind_and_every_label_is_vietnamese() -> None:
    assert {kind_for(p) for p in Purpose} == set(MessageKind)
    assert [p.label for p in Purpose] == ["trả lời người dùng", "thông báo tình trạng hồ sơ", "chiến dịch"]
    assert [k.label for k in MessageKind] == ["tin tư vấn", "tin giao dịch", "tin truyền thông"]


def test_refusal_values_and_labels() -> None:
    assert {r.value for r in Refusal} == {
        "outside_window",
        "not_follower",
        "daily_cap",
        "monthly_cap",
        "quota_used_up",
        "quota_unknown",
        "quiet_hours",
    }
    assert Refusal.OUTSIDE_WINDOW.label == "ngoài khung thời gian Zalo cho phép"
    assert Refusal.QUOTA_USED_UP.label == "đã hết hạn mức của OA"
    assert Refusal.DAILY_CAP.label == "đã nhận đủ tin trong ngày"
    assert Refusal.NOT_FOLLOWER.label == "không còn theo dõi OA"
    assert {r for r in Refusal if not r.retryable} == {Refusal.OUTSIDE_WINDOW, Refusal.NOT_FOLLOWER}


# -- consultation ------------------------------------------------------------------------------------------
def test_consultation_within_seven_days() -> None:
    # Past the free 48 hours it draws on the quota, which is there.
    assert RULES.decide(CONSULT, wrote(dt.timedelta(days=7) - SECOND), PLENTY, NOON).allowed


def test_consultation_at_seven_days_is_outside_and_never_retried() -> None:
    refused(RULES.decide(CONSULT, wrote(dt.timedelta(days=7)), PLENTY, NOON), Refusal.OUTSIDE_WINDOW)
    refused(RULES.decide(CONSULT, follower(), PLENTY, NOON), Refusal.OUTSIDE_WINDOW)


def test_free_replies_need_no_quota() -> None:
    unknown = Quota()
    assert RULES.decide(CONSULT, wrote(dt.timedelta(hours=48) - SECOND), unknown, NOON).allowed
    assert RULES.decide(CONSULT, wrote(dt.timedelta(0), replies_since_interaction=7), unknown, NOON).allowed


def test_a_reply_past_the_free_tier_draws_on_the_quota() -> None:
    spent = Quota(consultation=0)
    ninth = wrote(dt.timedelta(hours=1), replies_since_interaction=8)
    refused(RULES.decide(CONSULT, ninth, spent, NOON), Refusal.QUOTA_USED_UP, vn(2026, 7, 1))
    late = wrote(dt.timedelta(hours=48))
    refused(RULES.decide(CONSULT, late, Quota(), NOON), Refusal.QUOTA_UNKNOWN, NOON + RULES.quota_recheck)
    paid = dataclasses.replace(RULES, paid_overflow=frozenset({CONSULT}))
    assert paid.decide(CONSULT, late, spent, NOON).allowed


def test_the_older_rule_allows_eight_replies_within_48_hours_only() -> None:
    old = OaRules(consultation_rule=ConsultationRule.EIGHT_IN_48_HOURS)
    assert old.decide(
        CONSULT, wrote(dt.timedelta(hours=48) - SECOND, replies_since_interaction=7), Quota(), NOON
    ).allowed
    refused(old.decide(CONSULT, wrote(dt.timedelta(hours=48)), PLENTY, NOON), Refusal.OUTSIDE_WINDOW)
    refused(
        old.decide(CONSULT, wrote(dt.timedelta(0), replies_since_interaction=8), PLENTY, NOON), Refusal.OUTSIDE_WINDOW
    )


# -- transaction -------------------------------------------------------------------------------------------
def test_transaction_window_edges() -> None:
    year = dt.timedelta(days=365)
    assert RULES.decide(TRANSACT, wrote(year - SECOND), PLENTY, NOON).allowed
    refused(RULES.decide(TRANSACT, wrote(year), PLENTY, NOON), Refusal.OUTSIDE_WINDOW)


def test_transaction_quota_at_zero_and_unknown() -> None:
    recent = wrote(dt.timedelta(days=3))
    assert RULES.decide(TRANSACT, recent, Quota(transaction=1), NOON).allowed
    refused(RULES.decide(TRANSACT, recent, Quota(transaction=0), NOON), Refusal.QUOTA_USED_UP, vn(2026, 7, 1))
    refused(RULES.decide(TRANSACT, recent, Quota(transaction=-3), NOON), Refusal.QUOTA_USED_UP, vn(2026, 7, 1))
    # Unknown is held and asked again soon, never treated as plenty.
    refused(
        RULES.decide(TRANSACT, recent, Quota(promotion=50), NOON), Refusal.QUOTA_UNKNOWN, NOON + RULES.quota_recheck
    )


# -- promotion ---------------------------------------------------------------------------------------------
def test_promotion_to_a_follower_within_hours() -> None:
    verdict = RULES.decide(PROMO, follower(), PLENTY, NOON)
    assert verdict.allowed and verdict.status is None and verdict.retry_at is None and verdict.label == ""
    assert verdict.kind is PROMO


def test_promotion_needs_a_follower_and_is_never_retried() -> None:
    gone = Recipient(follows=False, last_interaction=NOON)
    refused(RULES.decide(PROMO, gone, PLENTY, NOON), Refusal.NOT_FOLLOWER)


def test_daily_cap_reached_retries_the_next_local_day_at_opening() -> None:
    refused(RULES.decide(PROMO, follower(promotions_today=1), PLENTY, NOON), Refusal.DAILY_CAP, vn(2026, 6, 11, 8))
    assert RULES.decide(PROMO, follower(promotions_today=0, promotions_this_month=3), PLENTY, NOON).allowed


def test_daily_cap_across_the_utc_date_line() -> None:
    # 06:30 in Vietnam is 23:30 UTC the day before: "tomorrow" is Vietnam's tomorrow, not UTC's.
    now = vn(2026, 6, 10, 6, 30).astimezone(dt.UTC)
    assert now.date() == dt.date(2026, 6, 9)
    refused(RULES.decide(PROMO, follower(promotions_today=1), PLENTY, now), Refusal.DAILY_CAP, vn(2026, 6, 11, 8))


def test_daily_cap_on_the_last_day_of_the_month_and_year() -> None:
    now = vn(2026, 12, 31, 21, 59, 59)
    refused(RULES.decide(PROMO, follower(promotions_today=1), PLENTY, now), Refusal.DAILY_CAP, vn(2027, 1, 1, 8))


def test_monthly_cap_reached_retries_on_the_first_of_next_month() -> None:
    capped = follower(promotions_today=1, promotions_this_month=4)
    refused(RULES.decide(PROMO, capped, PLENTY, NOON), Refusal.MONTHLY_CAP, vn(2026, 7, 1, 8))
    refused(RULES.decide(PROMO, capped, PLENTY, vn(2026, 12, 15, 9)), Refusal.MONTHLY_CAP, vn(2027, 1, 1, 8))


def test_promotion_quota_at_zero_retries_next_month_in_vietnam_time() -> None:
    # 23:30 UTC on 31 January is already 06:30 on 1 February in Vietnam: the next reset is 1 March.
    now = dt.datetime(2026, 1, 31, 23, 30, tzinfo=dt.UTC)
    refused(RULES.decide(PROMO, follower(), Quota(promotion=0), now), Refusal.QUOTA_USED_UP, vn(2026, 3, 1, 8))
    # 16:59:59 UTC on 31 January is 23:59:59 Vietnam time, still January: the reset is 1 February.
    now = dt.datetime(2026, 1, 31, 16, 59, 59, tzinfo=dt.UTC)
    refused(RULES.decide(PROMO, follower(), Quota(promotion=0), now), Refusal.QUOTA_USED_UP, vn(2026, 2, 1, 8))
    assert RULES.decide(PROMO, follower(), Quota(promotion=1), NOON).allowed


def test_unknown_promotion_quota_is_held_until_sending_hours() -> None:
    refused(RULES.decide(PROMO, follower(), Quota(), NOON), Refusal.QUOTA_UNKNOWN, NOON + RULES.quota_recheck)
    late = vn(2026, 6, 10, 21, 50)
    refused(RULES.decide(PROMO, follower(), Quota(), late), Refusal.QUOTA_UNKNOWN, vn(2026, 6, 11, 8))


def test_the_oa_daily_request_limit() -> None:
    small = Quota(promotion=10_000, followers=10_000, promotion_requests_today=499)
    assert RULES.decide(PROMO, follower(), small, NOON).allowed
    full = dataclasses.replace(small, promotion_requests_today=500)
    refused(RULES.decide(PROMO, follower(), full, NOON), Refusal.QUOTA_USED_UP, vn(2026, 6, 11, 8))
    # Above 10,000 followers the limit is 5% of them.
    assert RULES.promotion_requests_limit(40_000) == 2000
    assert RULES.promotion_requests_limit(100) == 500
    big = Quota(promotion=10_000, followers=40_000, promotion_requests_today=1999)
    assert RULES.decide(PROMO, follower(), big, NOON).allowed


@pytest.mark.parametrize(
    ("now", "allowed", "retry_at"),
    [
        (vn(2026, 6, 10, 7, 59, 59), False, vn(2026, 6, 10, 8)),
        (vn(2026, 6, 10, 8), True, None),
        (vn(2026, 6, 10, 21, 59, 59), True, None),
        (vn(2026, 6, 10, 22), False, vn(2026, 6, 11, 8)),
        (vn(2026, 6, 30, 23, 30), False, vn(2026, 7, 1, 8)),
        (vn(2026, 6, 10, 0, 0), False, vn(2026, 6, 10, 8)),
    ],
)
def test_promotion_sending_hours(now: dt.datetime, allowed: bool, retry_at: dt.datetime | None) -> None:
    verdict = RULES.decide(PROMO, follower(), PLENTY, now)
    if allowed:
        assert verdict.allowed
    else:
        refused(verdict, Refusal.QUIET_HOURS, retry_at)


def test_the_longest_wait_wins() -> None:
    # Capped for the month and out of quota at night: the month's cap names the real wait.
    capped = follower(promotions_today=1, promotions_this_month=4)
    refused(
        RULES.decide(PROMO, capped, Quota(promotion=0), vn(2026, 6, 10, 23)), Refusal.MONTHLY_CAP, vn(2026, 7, 1, 8)
    )
    # Not following outranks everything and is never retried.
    refused(RULES.decide(PROMO, dataclasses.replace(capped, follows=False), Quota(), NOON), Refusal.NOT_FOLLOWER)


def test_settings_change_the_numbers() -> None:
    loose = OaRules(
        promotion_daily_cap=2,
        promotion_monthly_cap=30,
        promotion_opens=dt.time(6),
        consultation_window=dt.timedelta(days=2),
    )
    assert loose.decide(
        PROMO, follower(promotions_today=1, promotions_this_month=29), PLENTY, vn(2026, 6, 10, 6)
    ).allowed
    refused(loose.decide(CONSULT, wrote(dt.timedelta(days=2)), PLENTY, NOON), Refusal.OUTSIDE_WINDOW)


def test_retry_times_are_in_the_configured_zone() -> None:
    bangkok = OaRules(timezone="Asia/Bangkok")  # the same offset, another name: the arithmetic holds
    verdict = bangkok.decide(PROMO, follower(promotions_today=1), PLENTY, NOON)
    assert verdict.retry_at == vn(2026, 6, 11, 8)
    assert verdict.retry_at is not None and verdict.retry_at.tzinfo == ZoneInfo("Asia/Bangkok")


# -- limits and guards -------------------------------------------------------------------------------------
def test_text_limits() -> None:
    assert RULES.text_limit(CONSULT) == 2000
    assert RULES.text_limit(PROMO) == 2000
    assert RULES.text_limit(TRANSACT) == 500


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        RULES.decide(PROMO, follower(), PLENTY, dt.datetime(2026, 6, 10, 12))
    with pytest.raises(ValueError, match="timezone-aware"):
        Recipient(follows=True, last_interaction=dt.datetime(2026, 6, 10, 12))


def test_bad_settings_fail_early() -> None:
    with pytest.raises(ValueError, match="promotion_opens"):
        OaRules(promotion_opens=dt.time(22), promotion_closes=dt.time(8))
    with pytest.raises(Exception, match="Mars"):
        OaRules(timezone="Mars/Olympus")
