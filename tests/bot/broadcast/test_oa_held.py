"""Held deliveries (Zalo OA's rules) in the engine and the views, and the OA's promotion counters in the database."""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.admin.campaign_form import progress_of
from bot.broadcast.audience import Audience
from bot.broadcast.broadcaster import BroadcastConfig, Broadcaster
from bot.broadcast.limiter import Limits, RateLimiter
from bot.channels.base import SendOutcome, SendStatus
from bot.db import campaigns, deliveries, oa_promotions
from bot.db.campaigns import Draft
from bot.db.models import Campaign, Delivery, OaAccount, OaRecipient, Subscriber
from bot.db.oa_promotions import Caps
from handlers.campaign_flow import CampaignFlow
from handlers.statuses import CampaignStatus, DeliveryStatus
from handlers.views import CampaignSummary
from tests.bot.broadcast.test_broadcast import add_subscribers

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
NOON = dt.datetime(2026, 12, 15, 12, 0, tzinfo=VIETNAM)
CAPS = Caps(daily=1, monthly=2, oa_daily=500)


# -- the counters -----------------------------------------------------------------------------------------
async def follower(db, user_id: str, follows: bool = True) -> None:
    async with db.writing() as s:
        s.add(OaRecipient(user_id=user_id, follows=follows))
        await s.commit()


async def reserve(db, user_id: str, now: dt.datetime, caps: Caps = CAPS) -> bool:
    async with db.writing() as s:
        return await oa_promotions.reserve(s, user_id, VIETNAM, now, caps)


async def counted(db, user_id: str) -> tuple[int, int, int]:
    async with db.session() as s:
        row = await s.get(OaRecipient, user_id)
        account = await s.get(OaAccount, 1)
    assert row is not None
    return row.promotions_today, row.promotions_this_month, account.promotions_sent_today if account else 0


async def test_concurrent_reservations_never_pass_the_daily_cap(db):
    await follower(db, "a")
    results = await asyncio.gather(*(reserve(db, "a", NOON) for _ in range(20)))
    assert results.count(True) == 1
    assert await counted(db, "a") == (1, 1, 1)  # the OA's row was made on the way


async def test_counts_reset_by_local_day_and_the_monthly_cap_holds(db):
    await follower(db, "a")
    assert await reserve(db, "a", NOON)
    # 23:59 local is still the same day; 00:00 is the next one (17:00 UTC).
    assert not await reserve(db, "a", NOON.replace(hour=23, minute=59))
    assert await reserve(db, "a", NOON + dt.timedelta(hours=12))
    assert await counted(db, "a") == (1, 2, 1)
    assert not await reserve(db, "a", NOON + dt.timedelta(days=2))  # two this month: the cap
    assert await reserve(db, "a", dt.datetime(2027, 1, 1, 9, 0, tzinfo=VIETNAM))  # a new month
    assert await counted(db, "a") == (1, 1, 1)


async def test_the_oa_daily_limit_refuses_and_takes_the_followers_count_back(db):
    await follower(db, "a")
    await follower(db, "b")
    one_a_day = Caps(daily=1, monthly=4, oa_daily=1)
    assert await reserve(db, "a", NOON, one_a_day)
    assert not await reserve(db, "b", NOON, one_a_day)
    assert await counted(db, "b") == (0, 0, 1)


async def test_no_reservation_for_someone_not_following(db):
    await follower(db, "gone", follows=False)
    assert not await reserve(db, "gone", NOON)
    assert not await reserve(db, "never-seen", NOON)


async def test_a_release_gives_the_counts_back_but_never_below_zero(db):
    await follower(db, "a")
    assert await reserve(db, "a", NOON)
    async with db.writing() as s:
        await oa_promotions.release(s, "a", VIETNAM, NOON)
        await oa_promotions.release(s, "a", VIETNAM, NOON)
    assert await counted(db, "a") == (0, 0, 0)
    async with db.session() as s:
        standing = await oa_promotions.standing(s, "a", VIETNAM, NOON)
        assert await oa_promotions.followers(s) == 1
    assert standing.recipient.follows and standing.recipient.promotions_today == 0 and standing.sent_today == 0


# -- the engine -------------------------------------------------------------------------------------------
class ScriptedSender:
    """A Sender (bot.channels.base) answering each chat as the test says."""

    channel = "zalo_oa"

    def __init__(self, outcomes: dict[str, SendOutcome]):
        self.outcomes = outcomes
        self.calls: list[str] = []

    async def send(self, chat_id: str, reply) -> SendOutcome:
        self.calls.append(chat_id)
        return self.outcomes[chat_id]

    async def close(self) -> None:
        pass


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now.astimezone(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def engine(db, sender: ScriptedSender, clock: Clock) -> Broadcaster:
    return Broadcaster(
        db,
        {"zalo_oa": sender},
        {"zalo_oa": RateLimiter(Limits(per_second=1000, per_chat_per_second=1000), is_group=lambda _chat: False)},
        BroadcastConfig(quiet_start="", quiet_end=""),
        clock=clock,
    )


async def rows(db) -> dict[str, Delivery]:
    async with db.session() as s:
        return {d.chat_id: d for d in (await s.exec(select(Delivery))).all()}


async def test_held_deliveries_are_recorded_with_their_status_and_go_when_allowed(db):
    clock = Clock(NOON)
    later = clock.now + dt.timedelta(hours=2)
    await add_subscribers(db, 5, start=1, channel="zalo_oa")
    sender = ScriptedSender(
        {
            "1": SendOutcome(
                SendStatus.HELD, error="đã nhận đủ tin trong ngày", held=DeliveryStatus.WAITING, retry_at=later
            ),
            "2": SendOutcome(SendStatus.HELD, error="hết hạn mức", held=DeliveryStatus.QUOTA_USED_UP, retry_at=later),
            "3": SendOutcome(SendStatus.HELD, error="ngoài khung", held=DeliveryStatus.OUTSIDE_WINDOW),
            "4": SendOutcome(SendStatus.HELD, error="không còn theo dõi OA", held=DeliveryStatus.BLOCKED),
            "5": SendOutcome(SendStatus.HELD, error="chưa kết nối", held=DeliveryStatus.PENDING),  # no time given
        }
    )
    async with db.writing() as s:
        campaign = await campaigns.create(s, Draft("Tin", Audience.parse("all")), clock.now)
    broadcaster = engine(db, sender, clock)
    await broadcaster.start()
    try:
        await broadcaster.tick()
        found = await rows(db)
        assert {c: r.status for c, r in found.items()} == {
            "1": "waiting",
            "2": "quota_used_up",
            "3": "outside_window",
            "4": "blocked",
            "5": "pending",
        }
        for row in found.values():  # not a try, never sent: nothing a crash could read as "maybe arrived"
            assert row.attempts == 0 and row.attempted_at is None and row.lease_until is None
        assert found["2"].error == "hết hạn mức"
        assert found["1"].next_attempt_at.replace(tzinfo=dt.UTC) == later
        assert found["2"].next_attempt_at.replace(tzinfo=dt.UTC) == later
        # Held without a time, yet claimable: not due at once, or one drain would spin on it.
        assert found["5"].next_attempt_at.replace(tzinfo=dt.UTC) > clock.now
        assert sorted(sender.calls) == ["1", "2", "3", "4", "5"]
        async with db.session() as s:
            blocked = (await s.exec(select(Subscriber.status).where(Subscriber.chat_id == "4"))).one()
            counts = await campaigns.counts(s, campaign.id)
            assert (await s.get(Campaign, campaign.id)).status == CampaignStatus.SENDING  # quota's row is open
        assert blocked == "blocked"
        assert counts["quota_used_up"] == 1 and counts["outside_window"] == 1 and sum(counts.values()) == 5

        # The views count them under their own labels.
        summary = CampaignSummary(campaign.id, CampaignStatus.SENDING, "Tin", counts=counts)
        bar = {s.key: s.count for s in progress_of(summary).segments}
        assert bar["quota_used_up"] == 1 and bar["outside_window"] == 1 and bar["waiting"] == 2
        assert sum(bar.values()) == 5 and progress_of(summary).percent == 40
        chat = CampaignFlow.progress(summary).text
        assert f"- {DeliveryStatus.QUOTA_USED_UP.label}: 1" in chat
        assert f"- {DeliveryStatus.OUTSIDE_WINDOW.label}: 1" in chat

        # Two hours on, the waiting ones are claimed again; the final ones are not.
        clock.now = later
        sender.outcomes = dict.fromkeys(("1", "2", "5"), SendOutcome(SendStatus.SENT, message_id="m"))
        sender.calls.clear()
        await broadcaster.tick()
        assert sorted(sender.calls) == ["1", "2", "5"]
        assert {c: r.status for c, r in (await rows(db)).items()} == {
            "1": "sent",
            "2": "sent",
            "3": "outside_window",
            "4": "blocked",
            "5": "sent",
        }
        async with db.session() as s:
            assert (await s.get(Campaign, campaign.id)).status == CampaignStatus.DONE
    finally:
        broadcaster.stop()


async def test_cancelling_drops_deliveries_waiting_for_the_quota(db):
    await add_subscribers(db, 2, start=1, channel="zalo_oa")
    async with db.writing() as s:
        campaign = await campaigns.create(s, Draft("Tin", Audience.parse("all")))
        await deliveries.fire_due(s, dt.datetime.now(dt.UTC))
    async with db.writing() as s:
        for row in (await s.exec(select(Delivery))).all():
            row.status = DeliveryStatus.QUOTA_USED_UP if row.chat_id == "1" else DeliveryStatus.OUTSIDE_WINDOW
            s.add(row)
        await s.commit()
        assert await campaigns.cancel(s, campaign.id) == 1
    assert {c: r.status for c, r in (await rows(db)).items()} == {"1": "cancelled", "2": "outside_window"}
