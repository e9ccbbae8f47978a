"""Campaigns on the Zalo OA end to end: the real Broadcaster and OaSender against the fake OA, Zalo's rules held to."""
# ruff: noqa: F811  (tests take the imported zalo_oa_api fixture as a parameter)

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert
from sqlmodel import select

from bot.broadcast.audience import Audience
from bot.broadcast.broadcaster import BroadcastConfig, Broadcaster
from bot.broadcast.limiter import Limits, RateLimiter
from bot.channels.zalo_oa.client import OaClient
from bot.channels.zalo_oa.rules import OaRules, Refusal
from bot.channels.zalo_oa.sender import NOT_CONNECTED, NOT_CONNECTED_WAIT, OaSender
from bot.channels.zalo_oa.tokens import TokenKeeper
from bot.db import campaigns, deliveries
from bot.db.campaigns import Draft
from bot.db.models import Delivery, OaRecipient, Subscriber
from bot.db.oa_recipients import local_day, local_month
from handlers.statuses import OPEN_DELIVERIES, DeliveryStatus
from tests.bot.broadcast.test_broadcast import add_subscribers
from tests.fakes.zalo_oa_api import zalo_oa_api  # noqa: F401  (the fixture, not in conftest)

pytestmark = pytest.mark.slow

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
FOLLOWERS = 500
PROMOTED_TODAY = 50  # already had today's promotion before the campaign
QUOTA_LEFT = 300  # of the OA's monthly quota when the campaign starts
START = 10_000  # chat ids (= OA user ids) START … START+499


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VIETNAM)


def travel_to(oa, moment: dt.datetime) -> None:
    """Move the fake's clock, which is also the engine's, the sender's and the token keeper's."""
    oa.travel(moment - oa.now())


async def add_followers(db, oa, users: list[str], promoted: set[str]) -> None:
    """Subscribed on zalo_oa and following (in our rows and at the fake), some already promoted today."""
    now = oa.now()
    day, month = local_day(now, VIETNAM), local_month(now, VIETNAM)
    rows = [
        {
            "user_id": user,
            "follows": True,
            "followed_at": now - dt.timedelta(days=30),
            "last_interaction": now - dt.timedelta(days=2),
            "replies_since_interaction": 0,
            "promotion_day": day if user in promoted else "",
            "promotions_today": 1 if user in promoted else 0,
            "promotion_month": month if user in promoted else "",
            "promotions_this_month": 1 if user in promoted else 0,
            "updated_at": now,
        }
        for user in users
    ]
    async with db.writing() as s:
        await s.exec(insert(OaRecipient).values(rows))
        await s.commit()
    for user in users:
        oa.follow(user)
        if user in promoted:
            oa.promoted_earlier(user)


def quota_reads(oa) -> int:
    return sum(1 for path, _code in oa.calls if path.endswith("/quota/message"))


class Rig:
    """The OA half of the running bot as bot/channels/zalo_oa/assembly.py builds it, on the fake's clock."""

    def __init__(self, db, oa, rules: OaRules | None = None):
        self.db, self.oa = db, oa
        self.alerts: list[str] = []
        self.client = OaClient(oa.app_id, oa.secret_key, api_base=oa.base, oauth_base=oa.base)

        async def alert(text: str) -> None:
            self.alerts.append(text)

        self.keeper = TokenKeeper(db, self.client, alert=alert, clock=oa.now)
        self.sender = OaSender(self.client, self.keeper, db, rules or OaRules(), clock=oa.now)
        # On the fake's clock too: a retry after travelling forward does not wait for real seconds.
        limiter = RateLimiter(Limits(per_second=400), clock=lambda: oa.now().timestamp(), is_group=lambda _c: False)
        self.engine = Broadcaster(
            db,
            {"zalo_oa": self.sender},
            {"zalo_oa": limiter},
            BroadcastConfig(batch=100, quiet_start="", quiet_end=""),
            clock=oa.now,
        )

    async def __aenter__(self):
        await self.keeper.authorise(self.oa.authorize())
        await self.engine.start()
        return self

    async def __aexit__(self, *exc_info):
        self.engine.stop()
        await self.sender.close()
        await self.client.close()

    async def campaign(self, text: str = "Hội thảo năng suất cho doanh nghiệp, 10/12.") -> int:
        async with self.db.writing() as s:
            campaign = await campaigns.create(s, Draft(text, Audience.parse("all")), self.oa.now())
        assert campaign.id is not None
        return campaign.id

    async def run_until_idle(self) -> None:
        """Tick until nothing of the channel is due now (held rows wait for their time)."""
        for _ in range(30):
            await self.engine.tick()
            async with self.db.session() as s:
                due = await deliveries.due_soon(s, "zalo_oa", self.oa.now())
                inflight = (await s.exec(select(Delivery.id).where(Delivery.status == "inflight").limit(1))).first()
            if not due and inflight is None:
                return
        raise AssertionError("the engine did not settle")

    async def rows(self) -> dict[str, Delivery]:
        async with self.db.session() as s:
            return {d.chat_id: d for d in (await s.exec(select(Delivery))).all()}


async def test_a_campaign_to_500_followers_holds_what_zalo_forbids_and_sends_it_when_allowed(db, zalo_oa_api):
    oa = zalo_oa_api
    travel_to(oa, local(2026, 12, 15, 10, 0))  # mid-month, within promotion hours, whatever the real time
    users = [str(START + i) for i in range(FOLLOWERS)]
    promoted = set(users[::10])  # 50 of them, spread over the audience
    assert len(promoted) == PROMOTED_TODAY
    # The quota counts what the OA sent this month: 350, of which the 50 earlier promotions used 50.
    oa.monthly_quota = QUOTA_LEFT + PROMOTED_TODAY
    await add_subscribers(db, FOLLOWERS, start=START, channel="zalo_oa")
    await add_followers(db, oa, users, promoted)

    async with Rig(db, oa) as rig:
        campaign_id = await rig.campaign()
        await rig.run_until_idle()

        async with db.session() as s:
            counts = await campaigns.counts(s, campaign_id)
        assert counts["sent"] == QUOTA_LEFT
        assert counts["waiting"] == PROMOTED_TODAY
        assert counts["quota_used_up"] == FOLLOWERS - QUOTA_LEFT - PROMOTED_TODAY
        assert sum(counts.values()) == FOLLOWERS
        assert not {k: v for k, v in counts.items() if v and k not in ("sent", "waiting", "quota_used_up")}
        # Zalo received exactly the 300 it allows, each to a different follower, and refused nothing.
        promotions = [m for m in oa.sent if m.kind == "promotion"]
        assert len(promotions) == QUOTA_LEFT and len({m.user_id for m in promotions}) == QUOTA_LEFT
        assert not promoted & {m.user_id for m in promotions}
        assert oa.refusals() == Counter()
        assert quota_reads(oa) == 1  # read once, then counted down locally per send

        rows = await rig.rows()
        capped, used_up = rows[users[0]], next(r for r in rows.values() if r.status == "quota_used_up")
        # Held is not a try and was never sent: no attempt counted, no "attempted" mark a crash could misread.
        for row in (capped, used_up):
            assert row.attempts == 0 and row.attempted_at is None and row.lease_until is None
        assert capped.status == "waiting" and capped.error == Refusal.DAILY_CAP.label
        assert capped.next_attempt_at.replace(tzinfo=dt.UTC) == local(2026, 12, 16, 8, 0)
        assert used_up.error == Refusal.QUOTA_USED_UP.label
        assert used_up.next_attempt_at.replace(tzinfo=dt.UTC) == local(2027, 1, 1, 8, 0)
        # Still open: the campaign is not done while the quota's deliveries wait for the new month.
        assert counts["quota_used_up"] and DeliveryStatus.QUOTA_USED_UP in OPEN_DELIVERIES
        async with db.writing() as s:
            assert (await deliveries.expire_leases(s, oa.now(), every_lease=True)).unknown == 0

        # The month turns (and with it the quota, smaller this month): the held ones go, up to the new quota.
        oa.monthly_quota = 150
        travel_to(oa, local(2027, 1, 1, 9, 0))
        await rig.run_until_idle()
        async with db.session() as s:
            counts = await campaigns.counts(s, campaign_id)
        assert counts["sent"] == QUOTA_LEFT + 150 and counts["quota_used_up"] == 50 and counts["waiting"] == 0
        assert sum(counts.values()) == FOLLOWERS
        promotions = [m for m in oa.sent if m.kind == "promotion"]
        assert len(promotions) == QUOTA_LEFT + 150 and len({m.user_id for m in promotions}) == QUOTA_LEFT + 150
        assert oa.refusals() == Counter()  # the access token expired on the way: renewed before use
        assert quota_reads(oa) == 2  # the new month's quota read anew
        assert not rig.alerts
        # Our counters agree with Zalo's: one promotion each this month for those sent in January.
        async with db.session() as s:
            january = (await s.exec(select(OaRecipient).where(OaRecipient.promotion_month == "2027-01"))).all()
        assert len(january) == 150 and {r.promotions_this_month for r in january} == {1}


async def test_an_unfollower_is_blocked_and_night_holds_promotions_until_eight(db, zalo_oa_api):
    oa = zalo_oa_api
    travel_to(oa, local(2026, 12, 15, 23, 0))  # after 22:00: promotions wait
    await add_subscribers(db, 3, start=START, channel="zalo_oa")
    follower, unfollowed, gone_quietly = (str(START + i) for i in range(3))
    await add_followers(db, oa, [follower, unfollowed, gone_quietly], set())
    async with db.writing() as s:  # the webhook saw this one leave
        row = await s.get(OaRecipient, unfollowed)
        row.follows = False
        s.add(row)
        await s.commit()
    oa.unfollow(unfollowed)
    oa.unfollow(gone_quietly)  # left without our webhook hearing of it: Zalo refuses (-213)

    async with Rig(db, oa) as rig:
        campaign_id = await rig.campaign()
        await rig.run_until_idle()
        rows = await rig.rows()
        assert rows[unfollowed].status == "blocked" and rows[unfollowed].error == Refusal.NOT_FOLLOWER.label
        assert rows[follower].status == "waiting" and rows[follower].error == Refusal.QUIET_HOURS.label
        assert rows[follower].next_attempt_at.replace(tzinfo=dt.UTC) == local(2026, 12, 16, 8, 0)
        assert rows[gone_quietly].status == "waiting"  # also held by the night: Zalo is not asked
        assert not oa.sent and oa.refusals() == Counter()

        travel_to(oa, local(2026, 12, 16, 7, 59))
        await rig.run_until_idle()
        assert not oa.sent  # not before 08:00

        travel_to(oa, local(2026, 12, 16, 8, 0))
        await rig.run_until_idle()
        rows = await rig.rows()
        assert rows[follower].status == "sent" and oa.texts(follower, "promotion")
        assert rows[gone_quietly].status == "blocked" and "-213" in rows[gone_quietly].error
        assert oa.refusals() == Counter({-213: 1})
        async with db.session() as s:
            people = {p.chat_id: p.status for p in (await s.exec(select(Subscriber))).all()}
            counts = await campaigns.counts(s, campaign_id)
            # Zalo refused it: the reservation was taken back, so the counters say nothing was sent.
            quiet = await s.get(OaRecipient, gone_quietly)
        assert people == {follower: "active", unfollowed: "blocked", gone_quietly: "blocked"}
        assert counts["sent"] == 1 and counts["blocked"] == 2 and sum(counts.values()) == 3
        assert quiet is not None and quiet.promotions_today == 0 and quiet.promotions_this_month == 0


async def test_token_trouble_makes_deliveries_wait_and_never_fail(db, zalo_oa_api, caplog):
    caplog.set_level(logging.DEBUG)
    oa = zalo_oa_api
    oa.promotion_per_day = 2  # two campaigns on one day, so that the second one reaches Zalo
    travel_to(oa, local(2026, 12, 15, 10, 0))
    users = [str(START + i) for i in range(3)]
    await add_subscribers(db, 3, start=START, channel="zalo_oa")
    await add_followers(db, oa, users, set())

    async with Rig(db, oa, OaRules(promotion_daily_cap=2)) as rig:
        # Zalo drops the access token before its time: the quota read is refused, the token renewed, sends go.
        oa.expire_access_tokens()
        first = await rig.campaign("Tin thứ nhất")
        await rig.run_until_idle()
        travel_to(oa, oa.now() + dt.timedelta(seconds=3))  # past the retry's backoff
        await rig.run_until_idle()
        # Again, now that the quota is known: this time the send itself is refused, and retried once renewed.
        oa.expire_access_tokens()
        second = await rig.campaign("Tin thứ hai")
        await rig.run_until_idle()
        travel_to(oa, oa.now() + dt.timedelta(seconds=3))
        await rig.run_until_idle()
        async with db.session() as s:
            assert (await campaigns.counts(s, first))["sent"] == 3
            assert (await campaigns.counts(s, second))["sent"] == 3
            # The refused send's reservation was taken back: two promotions each today, not three.
            assert {r.promotions_today for r in (await s.exec(select(OaRecipient))).all()} == {2}
        assert set(oa.refusals()) == {-220} and len(oa.texts(kind="promotion")) == 6
        refused_at = {path for path, code in oa.calls if code}
        assert refused_at == {"/v3.0/oa/quota/message", "/v3.0/oa/message/promotion"}

        # The OA's admin removes the app: the refresh token dies, admins are told once, deliveries wait.
        travel_to(oa, local(2026, 12, 16, 10, 0))
        oa.revoke()
        third = await rig.campaign("Tin thứ ba")
        await rig.run_until_idle()
        rows = [r for r in (await rig.rows()).values() if r.campaign_id == third]
        assert {(r.status, r.error, r.attempts) for r in rows} == {("pending", NOT_CONNECTED, 0)}
        assert len(rig.alerts) == 1 and "cấp quyền" in rig.alerts[0]
        assert all(r.next_attempt_at.replace(tzinfo=dt.UTC) > oa.now() for r in rows)
        async with db.session() as s:  # nothing counted for the 16th: nothing was reserved
            assert {r.promotion_day for r in (await s.exec(select(OaRecipient))).all()} == {"2026-12-15"}

        # Authorised again: the waiting deliveries go at their time, each once.
        await rig.keeper.authorise(oa.authorize())
        travel_to(oa, oa.now() + dt.timedelta(seconds=NOT_CONNECTED_WAIT + 1))
        await rig.run_until_idle()
        async with db.session() as s:
            counts = await campaigns.counts(s, third)
        assert counts["sent"] == 3 and sum(counts.values()) == 3
        assert len(oa.texts(kind="promotion")) == 9 and len(rig.alerts) == 1
        # No token or secret in any log line of ours, alert or delivery error, however the sends went. (aiosqlite's
        # own DEBUG lines quote SQL parameters, tokens included: bot/logs.py must keep that library quiet.)
        errors = " ".join(r.error for r in (await rig.rows()).values())
        ours = [r.getMessage() for r in caplog.records if r.name.startswith("bot")]
        assert any("zalo_oa" in line for line in ours)
        seen = " ".join([*ours, errors, *rig.alerts])
        assert not [t for t in (*oa.tokens_issued(), oa.secret_key) if t in seen]
