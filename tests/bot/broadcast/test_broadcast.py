"""Campaigns against the fake Bot API: outcomes, limits, scheduling, quiet hours, cancel."""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert
from sqlmodel import select

from bot.broadcast.audience import Audience
from bot.broadcast.limiter import Limits, RateLimiter
from bot.db import campaigns, deliveries
from bot.db.campaigns import CampaignError, Draft
from bot.db.database import open_database
from bot.db.models import Delivery, Occurrence, Subscriber, utcnow
from bot.settings import load_settings
from bot.wiring import build_broadcaster

pytestmark = pytest.mark.slow

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LOCAL).astimezone(dt.UTC)


async def add_subscribers(db, count: int, start: int = 1000, channel: str = "telegram", **fields) -> None:
    now = utcnow()
    rows = [
        {
            "channel": channel,
            "chat_id": str(start + i),
            "user_id": "",
            "display_name": f"Người {i}",
            "topics": fields.get("topics", ""),
            "status": "active",
            "consent_at": now,
            "commune": "",
            "sector": "",
            "first_seen": now,
            "last_seen": now,
            "last_question": "",
        }
        for i in range(count)
    ]
    async with db.writing() as s:
        for start in range(0, len(rows), 2000):  # PostgreSQL takes at most 32,767 parameters a statement
            await s.exec(insert(Subscriber).values(rows[start : start + 2000]))
        await s.commit()


def engine_for(db, sender, rate: float = 30, clock=None, quiet: str = ""):
    settings = load_settings(_env_file=None, quiet_hours=quiet, telegram_rate_per_second=rate)
    engine = build_broadcaster(db, settings, {"telegram": sender}, {"telegram": RateLimiter(Limits(per_second=rate))})
    engine.config.retry_base = 0.05
    if clock is not None:
        engine.clock = clock
    return engine


async def run_until_idle(engine, timeout: float = 30) -> None:
    await engine.start()
    deadline = asyncio.get_running_loop().time() + timeout
    try:
        while True:
            await engine.tick()
            async with engine.db.session() as s:
                open_rows = (await s.exec(select(Delivery).where(Delivery.status.in_(("pending", "inflight"))))).all()
            if not open_rows:
                return
            assert asyncio.get_running_loop().time() < deadline, [r.status for r in open_rows][:10]
            await asyncio.sleep(0.05)
    finally:
        engine.stop()  # releases SQLite's sender lock for the next engine


async def statuses(db) -> dict[str, str]:
    async with db.session() as s:
        return {d.chat_id: d.status for d in (await s.exec(select(Delivery))).all()}


async def test_every_subscriber_ends_final_exactly_once(db, telegram_sender, telegram_api):
    await add_subscribers(db, 60)
    telegram_api.set_limits(global_per_second=30, per_chat_per_second=1, per_group_per_minute=20)
    telegram_api.block(1003)
    telegram_api.block(1004)
    telegram_api.fail_next("sendMessage", 400, "Bad Request: chat not found", chat_id=1005)
    telegram_api.hang_next("sendMessage", 1.5, chat_id=1006)  # longer than the sender's read timeout
    telegram_api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=1007)
    async with db.writing() as s:
        campaign = await campaigns.create(s, Draft("Chào {name}, lớp 5S sắp mở.", Audience.parse("all")))
    await telegram_api.refuse_connections()
    asyncio.get_running_loop().call_later(0.4, lambda: asyncio.ensure_future(telegram_api.accept_connections()))

    await run_until_idle(engine_for(db, telegram_sender))

    result = await statuses(db)
    assert len(result) == 60 and set(result.values()) <= {"sent", "failed", "blocked", "unknown"}
    assert {c for c, s in result.items() if s == "unknown"} == {"1006"}
    assert {c for c, s in result.items() if s == "blocked"} == {"1003", "1004"}
    assert result["1005"] == "failed" and result["1007"] == "sent"
    assert telegram_api.stats.duplicates == 0
    assert len({p["chat_id"] for p in telegram_api.sent()}) == len(telegram_api.sent())
    assert any("Người 1," in p["text"] for p in telegram_api.sent())  # {name} filled in
    async with db.session() as s:
        counts = await campaigns.counts(s, campaign.id)
        blocked = (await s.exec(select(Subscriber).where(Subscriber.status == "blocked"))).all()
    assert counts["sent"] == 56 and {b.chat_id for b in blocked} == {"1003", "1004"}

    # Blocked users stop receiving: the next campaign does not even address them.
    async with db.writing() as s:
        await campaigns.create(s, Draft("Thông báo thứ hai", Audience.parse("all")))
    await run_until_idle(engine_for(db, telegram_sender, rate=200))
    second = [p["chat_id"] for p in telegram_api.sent() if p["text"] == "Thông báo thứ hai"]
    assert "1003" not in second and "1004" not in second and len(second) == 58


async def test_rate_stays_within_the_platform_limit(db, telegram_sender, telegram_api):
    await add_subscribers(db, 90)
    telegram_api.set_limits(global_per_second=30, per_chat_per_second=1, per_group_per_minute=20)
    async with db.writing() as s:
        await campaigns.create(s, Draft("Hạn đăng ký mô hình điểm", Audience.parse("all")))
    await run_until_idle(engine_for(db, telegram_sender, rate=30))
    assert telegram_api.stats.delivered == 90
    assert telegram_api.stats.rate_limited == 0  # the limiter kept under the fake's windows


async def test_text_is_checked_against_each_channel_limit(db):
    async with db.writing() as s:
        with pytest.raises(CampaignError, match="Zalo.*quá giới hạn 2.000 ký tự"):
            await campaigns.create(s, Draft("x" * 2500, Audience.parse("all")))
        await campaigns.create(s, Draft("x" * 2500, Audience.parse("channel:telegram")))
        with pytest.raises(CampaignError, match="trống"):
            await campaigns.create(s, Draft("  ", Audience.parse("all")))


async def test_scheduled_time_recurrence_and_quiet_hours(db, telegram_sender, telegram_api):
    await add_subscribers(db, 3)
    now = {"t": local(2026, 12, 7, 7, 30)}  # a Monday, 07:30 in Hạ Long
    clock = lambda: now["t"]  # noqa: E731
    engine = engine_for(db, telegram_sender, rate=100, clock=clock, quiet="21:00-07:00")
    await engine.start()
    assert engine.active
    async with db.writing() as s:
        await campaigns.create(s, Draft("Lúc 9 giờ", Audience.parse("all"), "at", local(2026, 12, 7, 9, 0)), clock())
        weekly = await campaigns.create(
            s, Draft("Tin thứ Hai", Audience.parse("all"), "cron", cron="every monday 08:00"), clock()
        )
    await engine.tick()
    assert telegram_api.sent() == []

    now["t"] = local(2026, 12, 7, 8, 0, 30)
    await engine.tick()
    await engine.tick()  # a second tick in the same minute fires nothing new
    assert [p["text"] for p in telegram_api.sent()].count("Tin thứ Hai") == 3

    now["t"] = local(2026, 12, 7, 9, 1)
    await engine.tick()
    assert [p["text"] for p in telegram_api.sent()].count("Lúc 9 giờ") == 3

    # Next Monday falls in quiet hours for a 22:00 campaign: deliveries wait for 07:00.
    async with db.writing() as s:
        await campaigns.create(s, Draft("Muộn", Audience.parse("all"), "at", local(2026, 12, 7, 22, 0)), clock())
    now["t"] = local(2026, 12, 7, 22, 5)
    await engine.tick()
    assert "Muộn" not in [p["text"] for p in telegram_api.sent()]
    now["t"] = local(2026, 12, 8, 7, 1)
    await engine.tick()
    assert [p["text"] for p in telegram_api.sent()].count("Muộn") == 3

    now["t"] = local(2026, 12, 14, 8, 0, 10)
    await engine.tick()
    assert [p["text"] for p in telegram_api.sent()].count("Tin thứ Hai") == 6
    async with db.session() as s:
        assert len(await campaigns.occurrences(s, weekly.id)) == 2
    assert telegram_api.stats.duplicates == 3  # the same weekly text, one per week: not a resend


async def test_recurring_fires_once_even_when_two_senders_tick(db, telegram_sender, telegram_api):
    await add_subscribers(db, 2)
    when = local(2026, 12, 7, 8, 0, 5)
    async with db.writing() as s:
        campaign = await campaigns.create(
            s, Draft("Tuần", Audience.parse("all"), "cron", cron="0 8 * * mon"), local(2026, 12, 7, 7, 0)
        )

    async def fire():
        async with db.writing() as s:
            return await deliveries.fire_due(s, when)

    fired = await asyncio.gather(fire(), fire())
    assert sum(len(f) for f in fired) == 1
    async with db.session() as s:
        assert len((await s.exec(select(Occurrence).where(Occurrence.campaign_id == campaign.id))).all()) == 1
        assert len((await s.exec(select(Delivery))).all()) == 2


async def test_cancel_stops_a_campaign(db, telegram_sender, telegram_api):
    await add_subscribers(db, 5)
    async with db.writing() as s:
        later = await campaigns.create(s, Draft("Hủy", Audience.parse("all"), "at", utcnow() + dt.timedelta(hours=1)))
        assert await campaigns.cancel(s, later.id) == 0
        with pytest.raises(CampaignError):
            await campaigns.cancel(s, later.id)
        now_campaign = await campaigns.create(s, Draft("Đang gửi", Audience.parse("all")))
        await deliveries.fire_due(s, utcnow())
        assert await campaigns.cancel(s, now_campaign.id) == 5
    await run_until_idle(engine_for(db, telegram_sender))
    assert telegram_api.sent() == []


async def test_resend_unknowns_is_a_staff_decision(db, telegram_sender, telegram_api):
    await add_subscribers(db, 2)
    telegram_api.hang_next("sendMessage", 1.5, chat_id=1000)
    async with db.writing() as s:
        campaign = await campaigns.create(s, Draft("Có thể trùng", Audience.parse("all")))
    await run_until_idle(engine_for(db, telegram_sender))
    assert (await statuses(db))["1000"] == "unknown"
    async with db.writing() as s:
        assert await campaigns.resend_unknowns(s, campaign.id) == 1
    await run_until_idle(engine_for(db, telegram_sender))
    assert (await statuses(db))["1000"] == "sent"


async def test_topic_and_profile_audiences(db):
    await add_subscribers(db, 2, start=1, topics="ocop-tccs")
    await add_subscribers(db, 2, start=10, topics="truy-xuat")
    await add_subscribers(db, 1, start=20, topics="")  # every topic
    await add_subscribers(db, 1, start=30, channel="zalo")
    async with db.session() as s:
        assert await campaigns.audience_size(s, "topic:ocop-tccs") == 4
        assert await campaigns.audience_size(s, "channel:zalo") == 1
        assert await campaigns.audience_size(s, "all") == 6
        with pytest.raises(CampaignError):
            await campaigns.audience_size(s, "planet:mars")


async def test_a_second_sqlite_sender_stands_aside(tmp_path, telegram_sender, caplog):
    db = await open_database(f"sqlite+aiosqlite:///{tmp_path}/one.db")
    first, second = engine_for(db, telegram_sender), engine_for(db, telegram_sender)
    await first.start()
    await second.start()
    assert first.active and not second.active
    assert "another process is already sending campaigns" in caplog.text
    first.stop()
    await db.dispose()
