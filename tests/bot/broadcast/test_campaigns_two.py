"""Campaigns 2.0 against the fake Bot API and a real database: frequency cap, honest unknowns, lengths
checked as rendered, paid broadcasts, pictures, audiences that name nothing, the report."""

from __future__ import annotations

import datetime as dt
import html
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlmodel import select

from bot.broadcast.audience import Audience
from bot.broadcast.limiter import Limits, RateLimiter
from bot.channels.telegram_sender import TelegramSender
from bot.db import campaign_report, campaigns, deliveries
from bot.db.campaigns import CampaignError, Draft
from bot.db.models import Delivery, Subscriber, utcnow
from bot.settings import load_settings
from bot.wiring import broadcast_config, build_limiters, paid_broadcast
from tests.bot.broadcast.test_broadcast import add_subscribers, engine_for, local, run_until_idle, statuses

pytestmark = pytest.mark.slow

TOPICS = {"cong-cu-cai-tien": "Công cụ cải tiến", "ocop-tccs": "OCOP và tiêu chuẩn cơ sở"}


async def test_the_cap_defers_the_third_message_of_a_day(db, telegram_sender, telegram_api):
    await add_subscribers(db, 2)
    now = {"t": local(2026, 12, 7, 10, 0)}  # a Monday morning in Hạ Long
    engine = engine_for(db, telegram_sender, rate=100, clock=lambda: now["t"])
    await engine.start()
    async with db.writing() as s:
        for text in ("Tin một", "Tin hai", "Tin ba"):
            await campaigns.create(s, Draft(text, Audience.parse("all")), now["t"])
    await engine.tick()
    sent = [p["text"] for p in telegram_api.sent()]
    assert sorted(sent) == ["Tin hai", "Tin hai", "Tin một", "Tin một"]  # two a day each, in order
    async with db.session() as s:
        third = (await s.exec(select(Delivery).where(Delivery.status == "waiting"))).all()
        counts = await campaigns.counts(s, third[0].campaign_id)
    assert len(third) == 2 and counts["waiting"] == 2
    # Held until the next local midnight (then the quiet hours, if any, apply as usual).
    assert {d.next_attempt_at for d in third} == {local(2026, 12, 8, 0, 0)}
    now["t"] = local(2026, 12, 7, 23, 59)
    await engine.tick()
    assert len(telegram_api.sent()) == 4
    now["t"] = local(2026, 12, 8, 8, 0)
    await engine.tick()
    assert [p["text"] for p in telegram_api.sent()].count("Tin ba") == 2
    engine.stop()


async def test_the_weekly_cap_holds_until_monday(db, telegram_sender, telegram_api):
    await add_subscribers(db, 1)
    settings = load_settings(_env_file=None, campaign_max_per_day=0, campaign_max_per_week=2)
    now = {"t": local(2026, 12, 9, 10, 0)}  # Wednesday
    engine = engine_for(db, telegram_sender, rate=100, clock=lambda: now["t"])
    engine.config.cap = broadcast_config(settings).cap
    await engine.start()
    async with db.writing() as s:
        for text in ("A", "B", "C"):
            await campaigns.create(s, Draft(text, Audience.parse("all")), now["t"])
    await engine.tick()
    assert len(telegram_api.sent()) == 2
    async with db.session() as s:
        [held] = (await s.exec(select(Delivery).where(Delivery.status == "waiting"))).all()
    assert held.next_attempt_at == local(2026, 12, 14, 0, 0)
    engine.stop()


async def test_after_a_crash_only_requests_that_went_out_are_unknown(db, telegram_sender, telegram_api):
    """A leased batch whose sender died: the rows it had started to send are unknown, the rest are sent
    after the restart — nothing twice, nothing left for staff to decide that was never sent."""
    await add_subscribers(db, 10)
    async with db.writing() as s:
        await campaigns.create(s, Draft("Sau sự cố", Audience.parse("all")))
        await deliveries.fire_due(s, utcnow())
        # A lease already run out: on PostgreSQL a starting sender takes over only expired leases.
        leased = await deliveries.claim(s, "telegram", 10, utcnow(), dt.timedelta(seconds=0))
    assert len(leased) == 10
    # The dead sender had marked (and made) the first three requests when it was killed.
    on_the_wire = [r.id for r in leased[:3]]
    async with db.writing() as s:
        await deliveries.mark_attempted(s, on_the_wire, utcnow())
    await run_until_idle(engine_for(db, telegram_sender))  # start() finds the orphaned leases
    result = await statuses(db)
    unknown = {chat for chat, status in result.items() if status == "unknown"}
    assert unknown == {r.chat_id for r in leased[:3]}
    assert all(status == "sent" for chat, status in result.items() if chat not in unknown)
    assert len(telegram_api.sent()) == 7 and telegram_api.stats.duplicates == 0


async def test_lengths_are_checked_as_each_channel_will_render_them(db, telegram_sender, telegram_api):
    async with db.writing() as s:
        # With the longest name (256) filled in, 3,996 characters would not fit one Telegram message.
        with pytest.raises(CampaignError, match="Telegram.*4.096"):
            await campaigns.create(s, Draft("x" * 3990 + "{name}", Audience.parse("channel:telegram")))
        # Zalo adds the way-out line under the text: 1,986 characters no longer fit 2,000.
        with pytest.raises(CampaignError, match="Zalo.*2.000"):
            await campaigns.create(s, Draft("y" * 1986, Audience.parse("channel:zalo")))
        # A photo's caption has 1,024 characters on Telegram.
        with pytest.raises(CampaignError, match="chú thích ảnh"):
            await campaigns.create(
                s, Draft("z" * 1100, Audience.parse("channel:telegram"), image_url="https://so.example.vn/a.jpg")
            )
        with pytest.raises(CampaignError, match="https"):
            await campaigns.create(s, Draft("Ảnh", Audience.parse("all"), image_url="javascript:alert(1)"))
        # 4,000 characters with 143 "&": escaping lengthens the HTML, not what Telegram counts.
        ampersands = ("a&" * 143 + "b" * 4000)[:4000]
        await campaigns.create(s, Draft(ampersands, Audience.parse("channel:telegram")))
    await add_subscribers(db, 1)
    async with db.writing() as s:
        await s.exec(update(Subscriber).values(display_name="N" * 256))
        await s.commit()
    await run_until_idle(engine_for(db, telegram_sender, rate=100))
    [delivered] = telegram_api.sent()
    assert html.unescape(delivered["text"]) == ampersands  # whole, not cut
    assert (await statuses(db)) == {"1000": "sent"}


async def test_a_send_that_would_be_cut_is_failed_not_sent(telegram_sender, telegram_api):
    from handlers.types import Reply

    outcome = await telegram_sender.send("1000", Reply("x" * 5000))
    assert outcome.status.value == "failed" and telegram_api.sent() == []


async def test_a_picture_goes_with_its_caption_and_the_way_out(db, telegram_sender, telegram_api):
    await add_subscribers(db, 2)
    async with db.writing() as s:
        await campaigns.create(
            s, Draft("Lớp 5S cho {name}", Audience.parse("all"), image_url="https://so.example.vn/5s.jpg")
        )
    await run_until_idle(engine_for(db, telegram_sender, rate=100))
    photos = telegram_api.photos()
    assert len(photos) == 2 and {p["caption"] for p in photos} == {"Lớp 5S cho Người 0", "Lớp 5S cho Người 1"}
    assert all(p["photo"] == "https://so.example.vn/5s.jpg" for p in photos)
    assert all(
        p["reply_markup"]["inline_keyboard"] == [[{"text": "🔕 Hủy nhận tin", "callback_data": "u"}]] for p in photos
    )


async def test_paid_broadcasts_carry_the_flag_only_when_enabled(db, telegram_api):
    free = load_settings(_env_file=None, telegram_rate_per_second=300)
    paid = load_settings(_env_file=None, telegram_rate_per_second=300, telegram_paid_broadcast=True)
    slow_paid = load_settings(_env_file=None, telegram_rate_per_second=25, telegram_paid_broadcast=True)
    assert not paid_broadcast(free) and paid_broadcast(paid) and not paid_broadcast(slow_paid)
    # Without the setting, a rate above Telegram's free 30/s is held to it.
    assert build_limiters(free)["telegram"].limits.per_second == 30
    assert build_limiters(paid)["telegram"].limits.per_second == 300

    await add_subscribers(db, 120)
    telegram_api.set_limits(global_per_second=30, per_chat_per_second=1, per_group_per_minute=20, paid_per_second=1000)
    sender = TelegramSender(telegram_api.token, telegram_api.base_url, send_timeout=2, paid_broadcast=True)
    await sender.start()
    try:
        async with db.writing() as s:
            await campaigns.create(s, Draft("Nhanh", Audience.parse("all")))
        engine = engine_for(db, sender, rate=300)
        engine.limiters["telegram"] = RateLimiter(Limits(per_second=300))
        await run_until_idle(engine)
    finally:
        await sender.close()
    stats = telegram_api.stats
    assert stats.delivered == 120 and stats.rate_limited == 0 and stats.paid == 120


async def test_the_fake_refuses_a_fast_sender_that_forgets_the_flag(db, telegram_sender, telegram_api):
    await add_subscribers(db, 90)
    telegram_api.set_limits(global_per_second=30, per_chat_per_second=1, per_group_per_minute=20)
    async with db.writing() as s:
        await campaigns.create(s, Draft("Quá nhanh", Audience.parse("all")))
    engine = engine_for(db, telegram_sender, rate=300)
    engine.limiters["telegram"] = RateLimiter(Limits(per_second=300))
    await run_until_idle(engine)
    assert telegram_api.stats.rate_limited > 0  # Telegram answers 429 above the free limit


async def test_an_audience_naming_nothing_is_refused_with_the_choices(db):
    await add_subscribers(db, 1, start=1, topics="ocop-tccs")
    async with db.writing() as s:
        await s.exec(update(Subscriber).values(commune="Hạ Long"))
        await s.commit()
    async with db.session() as s:
        with pytest.raises(CampaignError, match="không có chủ đề «5s»; chọn một trong: cong-cu-cai-tien"):
            await campaigns.checked_audience(s, "topic:5s", TOPICS)
        with pytest.raises(CampaignError, match="không có kênh «viber»"):
            await campaigns.checked_audience(s, "channel:viber", TOPICS)
        with pytest.raises(CampaignError, match="«district:» nay là «commune:»"):
            await campaigns.checked_audience(s, "district:Móng Cái", TOPICS)
        with pytest.raises(CampaignError, match="có phải phường Móng Cái 1 hay phường Móng Cái 2"):
            await campaigns.checked_audience(s, "commune:Móng Cái", TOPICS)
        with pytest.raises(CampaignError, match="chưa người đăng ký nào khai báo ngành"):
            await campaigns.checked_audience(s, "sector:thủy sản", TOPICS)
        audience, size = await campaigns.checked_audience(s, "topic:ocop-tccs,commune:ha long", TOPICS)
    assert size == 1
    words = "Người đăng ký chủ đề «OCOP và tiêu chuẩn cơ sở», là doanh nghiệp ở phường Hạ Long"
    assert audience.in_words(TOPICS) == words


async def test_the_report_lists_every_recipient_and_neutralises_formulas(db, telegram_sender, telegram_api):
    await add_subscribers(db, 3)
    async with db.writing() as s:
        await s.exec(update(Subscriber).where(Subscriber.chat_id == "1000").values(display_name="=HYPERLINK(1)"))
        await s.commit()
    telegram_api.block(1002)
    async with db.writing() as s:
        campaign = await campaigns.create(s, Draft("Báo cáo", Audience.parse("all")))
    await run_until_idle(engine_for(db, telegram_sender, rate=100))
    async with db.session() as s:
        data = await campaign_report.report_workbook(s, campaign.id, "Asia/Ho_Chi_Minh", TOPICS)
        assert await campaign_report.report_workbook(s, 999, "Asia/Ho_Chi_Minh") is None
    book = load_workbook(io.BytesIO(data))
    rows = list(book["Người nhận"].iter_rows(values_only=True))
    assert rows[0][:5] == ("Người nhận", "Kênh", "Mã chat", "Trạng thái", "Thời điểm")
    by_chat = {r[2]: r for r in rows[1:]}
    assert by_chat["1000"][0] == "'=HYPERLINK(1)" and by_chat["1000"][3] == "đã gửi"
    assert by_chat["1002"][3] == "đã chặn bot" and by_chat["1001"][1] == "Telegram"
    assert dt.datetime.strptime(by_chat["1001"][4], "%d/%m/%Y %H:%M")


async def test_the_desk_reads_time_and_audience_and_says_when_it_really_goes(db):
    from bot.broadcast.desk import DatabaseDesk
    from handlers.views import CampaignDraft
    from knowledge.model import Topic

    await add_subscribers(db, 4, topics="ocop-tccs")
    topics = [Topic("ocop-tccs", "OCOP và tiêu chuẩn cơ sở")]
    now = local(2026, 12, 7, 10, 0)  # Monday 10:00
    desk = DatabaseDesk(db, "Asia/Ho_Chi_Minh", lambda: topics, lambda: None, ("21:00", "07:00"), lambda: now)
    plan = await desk.plan(CampaignDraft("Tin tối", "topic:ocop-tccs", "22h tối nay"))
    assert plan.audience == "Người đăng ký chủ đề «OCOP và tiêu chuẩn cơ sở»" and plan.size == 4
    assert plan.when == "22:00 thứ Hai, 07/12/2026"
    assert "giờ yên lặng (21:00–07:00)" in plan.note and "07:00 thứ Ba, 08/12/2026" in plan.note
    # The resolved time is kept: confirming after midnight does not move "tối nay" to the next day.
    assert plan.schedule == f"at:{local(2026, 12, 7, 22, 0).isoformat()}"
    with pytest.raises(ValueError, match="không có chủ đề «5s»"):
        await desk.plan(CampaignDraft("Tin", "topic:5s", "now"))
    with pytest.raises(ValueError, match="đã qua"):
        await desk.plan(CampaignDraft("Tin", "all", "8h sáng nay"))
    campaign_id = await desk.create(CampaignDraft("Tin tối", "topic:ocop-tccs", plan.schedule), "telegram:900")
    status = await desk.status(campaign_id)
    assert status is not None and status.when == "22:00 thứ Hai, 07/12/2026" and status.status == "scheduled"
