"""Tổng quan: the figures equal what was logged, whether a day is read from its rollup or the raw log, before
and after retention; the page shows them, refuses bad periods politely, and is for signed-in accounts only."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.admin.pages_dashboard import duration_text
from bot.admin.roles import AdminRole
from bot.db import dashboard, question_log, retention
from bot.db.dashboard import DayQuestions, Period
from bot.db.models import (
    Campaign,
    Delivery,
    Feedback,
    HandoffRequest,
    Occurrence,
    QuestionDay,
    QuestionEvent,
    Subscriber,
    SubscriberDay,
    UnansweredQuestion,
)
from handlers.statuses import AskStatus, DeliveryStatus, HandoffStatus, SubscriberStatus
from handlers.views import QuestionLogged, RetentionPolicy
from tests.bot.admin.browser import shot
from tests.bot.admin.browser import sign_in as browser_sign_in
from tests.bot.admin.console import PASSWORD

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
A, C, F = AskStatus.ANSWERED, AskStatus.CLARIFY, AskStatus.FALLBACK
FIVE_S, KAIZEN = "5s-la-gi", "kh273-la-gi"
# (days before today, local hh:mm, outcome, entry, latency ms). 00:05 and 23:55 local fall on another UTC date.
RAW = [
    (0, "00:05", A, FIVE_S, 200),
    (0, "09:30", A, FIVE_S, 400),
    (0, "10:00", A, KAIZEN, 300),
    (0, "11:00", C, KAIZEN, 500),
    (0, "12:00", F, "", 600),
    (1, "08:00", A, KAIZEN, 100),
    (1, "09:00", A, KAIZEN, 100),
    (1, "23:55", F, "", 700),
    (2, "07:00", A, FIVE_S, 250),
    (2, "08:00", C, FIVE_S, 350),
    (40, "10:00", A, FIVE_S, 1000),
    (40, "11:00", F, "", 1000),
]
ROLLED = (2, 40)  # days before today rolled up from the raw log
ONLY_ROLLUP = 3  # a day whose raw rows are long gone: its daily rows only (answered by KAIZEN 4, fallback 1)


def today() -> dt.date:
    return dt.datetime.now(ZONE).date()


def local(back: int, hhmm: str = "10:00") -> dt.datetime:
    hour, minute = map(int, hhmm.split(":"))
    day = today() - dt.timedelta(days=back)
    return dt.datetime.combine(day, dt.time(hour, minute), ZONE).astimezone(dt.UTC)


def expected_day(back: int) -> DayQuestions:
    day = DayQuestions(today() - dt.timedelta(days=back))
    for when, _hhmm, outcome, _entry, latency in RAW:
        if when == back:
            day.add(outcome, 1, latency)
    if back == ONLY_ROLLUP:
        day.add(A, 4, 800)
        day.add(F, 1, 900)
    return day


async def seed(db) -> None:
    async with db.session() as s:
        for back, hhmm, outcome, entry, latency in RAW:
            await question_log.record(s, QuestionLogged("telegram", outcome, entry, 0.9, latency), local(back, hhmm))
        for back in ROLLED:
            await question_log.roll_up_day(s, today() - dt.timedelta(days=back), ZONE)
        only = today() - dt.timedelta(days=ONLY_ROLLUP)
        s.add(QuestionDay(day=only, channel="zalo", outcome=A, entry_id=KAIZEN, count=4, latency_ms_total=800))
        s.add(QuestionDay(day=only, channel="zalo", outcome=F, entry_id="", count=1, latency_ms_total=900))
        for chat, entry, helpful, back in [("1", FIVE_S, True, 1), ("2", FIVE_S, True, 2), ("3", FIVE_S, False, 0)]:
            s.add(Feedback(channel="telegram", chat_id=chat, entry_id=entry, helpful=helpful, created_at=local(back)))
        s.add(Feedback(channel="zalo", chat_id="4", entry_id=KAIZEN, helpful=False, created_at=local(5)))
        s.add(Feedback(channel="zalo", chat_id="5", entry_id=KAIZEN, helpful=False, created_at=local(6)))
        s.add(Feedback(channel="zalo", chat_id="6", entry_id=KAIZEN, helpful=True, created_at=local(100)))
        minutes = dt.timedelta(minutes=1)
        requests = [  # (made, wait to first reply, status, closed)
            (local(5), 10 * minutes, HandoffStatus.CLOSED, local(4)),
            (local(2), 12 * minutes, HandoffStatus.TAKEN, None),
            (local(1, "08:00"), 533 * minutes, HandoffStatus.TAKEN, None),
            (local(1), None, HandoffStatus.OPEN, None),
            (local(60), minutes, HandoffStatus.CLOSED, local(10)),  # made before the period, closed in it
        ]
        for n, (made, wait, status, closed) in enumerate(requests):
            reply = made + wait if wait else None
            s.add(HandoffRequest(channel="telegram", chat_id=f"r{n}", status=status, created_at=made,
                                 first_reply_at=reply, closed_at=closed))  # fmt: skip
        people = [("telegram", SubscriberStatus.ACTIVE)] * 3 + [("zalo", SubscriberStatus.ACTIVE)] * 2
        people += [("telegram", SubscriberStatus.UNSUBSCRIBED), ("zalo", SubscriberStatus.BLOCKED)]
        for n, (channel, status) in enumerate(people):
            s.add(Subscriber(channel=channel, chat_id=f"s{n}", status=status))
        for back, telegram, zalo in [(2, 1, 1), (1, 2, 2), (100, 9, 9)]:
            s.add(SubscriberDay(day=today() - dt.timedelta(days=back), channel="telegram", active=telegram))
            s.add(SubscriberDay(day=today() - dt.timedelta(days=back), channel="zalo", active=zalo))
        questions = [("giá vàng <b>hôm nay</b>", 7, 20, 1, None), ("lãi suất vay", 3, 0, 0, None)]
        questions += [("thời tiết", 50, 5, 1, local(1)), ("chuyện cũ", 9, 70, 60, None)]
        for text, count, first, last, dismissed in questions:
            s.add(UnansweredQuestion(normalized=text, text=text, status=F, count=count, first_asked=local(first),
                                     last_asked=local(last), dismissed_at=dismissed))  # fmt: skip
        for n in range(6):
            s.add(Campaign(id=n + 1, text=f"Thông báo số {n + 1}\nchi tiết", created_at=local(30 - n)))
            s.add(Occurrence(id=n + 1, campaign_id=n + 1, fire_key=f"k{n}"))
        await s.flush()  # campaigns and occurrences before the deliveries that name them (PostgreSQL checks)
        sent = (
            [DeliveryStatus.SENT] * 3 + [DeliveryStatus.FAILED, DeliveryStatus.BLOCKED] + [DeliveryStatus.PENDING] * 2
        )
        for n, status in enumerate(sent):
            s.add(Delivery(campaign_id=6, occurrence_id=6, subscriber_id=n, channel="telegram", chat_id=f"s{n}",
                           status=status))  # fmt: skip
        await s.commit()


def period(back_from: int, back_to: int = 0) -> Period:
    return Period(today() - dt.timedelta(days=back_from), today() - dt.timedelta(days=back_to))


async def read_questions(db, chosen: Period) -> dashboard.QuestionFigures:
    async with db.session() as s:
        return await dashboard.questions(s, chosen, ZONE, today())


async def test_figures_equal_what_was_logged(console):
    db = console.core.db
    await seed(db)
    figures = await read_questions(db, period(45))
    by_day = {d.day: d for d in figures.days}
    for back in (0, 1, 2, ONLY_ROLLUP, 40):
        assert by_day[today() - dt.timedelta(days=back)] == expected_day(back), back
    assert figures.from_rollup == {today() - dt.timedelta(days=b) for b in (2, ONLY_ROLLUP, 40)}
    totals = figures.totals
    assert (totals.total, totals.answered, totals.clarify, totals.fallback) == (17, 11, 2, 4)
    assert totals.average_latency_ms == pytest.approx((5500 + 1700) / 17)
    assert figures.top_answered == [(KAIZEN, 7), (FIVE_S, 4)]
    start, end = period(29).bounds(ZONE)
    async with db.session() as s:
        assert [q.text for q in await dashboard.unanswered(s, start, end)] == [
            "giá vàng <b>hôm nay</b>",
            "lãi suất vay",
        ]
        votes = await dashboard.votes(s, start, end)
        subscribers = await dashboard.subscribers(s, period(29), today())
        requests = await dashboard.handoff_figures(s, start, end)
        recent = await dashboard.recent_campaigns(s)
    assert [(v.entry_id, v.helpful, v.unhelpful) for v in votes] == [(FIVE_S, 2, 1), (KAIZEN, 0, 2)]
    assert subscribers.now == {"telegram": 3, "zalo": 2}
    assert subscribers.by_channel["telegram"][-3:] == [1, 2, 3] and subscribers.by_channel["zalo"][-3:] == [1, 2, 2]
    assert subscribers.by_channel["telegram"][:-3] == [None] * 27
    assert (requests.opened, requests.closed, requests.open_now, requests.replied) == (4, 2, 3, 3)
    assert requests.median_wait_s == 12 * 60 and requests.average_wait_s == pytest.approx(185 * 60)
    assert [c.id for c in recent] == [6, 5, 4, 3, 2]
    assert {s: n for s, n in recent[0].counts.items() if n} == {"sent": 3, "failed": 1, "blocked": 1, "pending": 2}


async def test_a_day_reads_the_same_from_the_rollup_as_from_the_raw_log(console):
    db = console.core.db
    await seed(db)
    yesterday = period(1, 1)
    raw = await read_questions(db, yesterday)
    assert raw.from_rollup == set()
    async with db.session() as s:
        assert await question_log.roll_up_day(s, yesterday.start, ZONE) == 3
    rolled = await read_questions(db, yesterday)
    assert rolled.from_rollup == {yesterday.start}
    assert (rolled.days, rolled.top_answered) == (raw.days, raw.top_answered)
    # Today is always read raw, even if someone rolled it up early: never counted twice.
    async with db.session() as s:
        await question_log.roll_up_day(s, today(), ZONE)
    assert (await read_questions(db, period(0))).days == [expected_day(0)]


async def test_raw_days_follow_local_midnight_across_a_daylight_saving_change(db):
    berlin = ZoneInfo("Europe/Berlin")  # clocks went forward on 29/03/2026: that day has 23 hours
    days = [dt.date(2026, 3, 28) + dt.timedelta(days=n) for n in range(3)]
    async with db.session() as s:
        for day in days:
            for hhmm in ("00:30", "23:30"):
                at = dt.datetime.combine(day, dt.time.fromisoformat(hhmm), berlin).astimezone(dt.UTC)
                await question_log.record(s, QuestionLogged("zalo", A, KAIZEN, 0.8, 10), at)
        raw = await dashboard.questions(s, Period(days[0], days[-1]), berlin, dt.date(2026, 4, 10))
        assert [(d.day, d.answered) for d in raw.days] == [(day, 2) for day in days] and not raw.from_rollup
        for day in days:
            await question_log.roll_up_day(s, day, berlin)
        rolled = await dashboard.questions(s, Period(days[0], days[-1]), berlin, dt.date(2026, 4, 10))
    assert rolled.days == raw.days and rolled.from_rollup == set(days)


async def test_roll_up_day_is_idempotent(console):
    db = console.core.db
    await seed(db)
    day = today() - dt.timedelta(days=2)

    async def rows() -> list[tuple]:
        async with db.session() as s:
            found = await s.exec(select(QuestionDay).where(QuestionDay.day == day).order_by(col(QuestionDay.outcome)))
            return [(r.channel, r.outcome, r.entry_id, r.count, r.latency_ms_total) for r in found.all()]

    before = await rows()
    async with db.session() as s:
        assert await question_log.roll_up_day(s, day, ZONE) == 2
        assert await question_log.roll_up_day(s, day, ZONE) == 2
    assert await rows() == before == [("telegram", "answered", FIVE_S, 1, 250), ("telegram", "clarify", FIVE_S, 1, 350)]


async def test_retention_removes_raw_events_but_past_figures_stay(console):
    db = console.core.db
    await seed(db)
    old = today() - dt.timedelta(days=40)
    before = await read_questions(db, period(45))
    async with db.session() as s:
        done = await retention.purge(s, RetentionPolicy(questions_days=30), dt.datetime.now(dt.UTC))
        assert done["question log"] == 2
        left = await s.exec(select(QuestionEvent.at).where(col(QuestionEvent.at) < local(35)))
        assert left.all() == []
        # Rolling the purged day up again finds nothing and keeps its daily rows.
        assert await question_log.roll_up_day(s, old, ZONE) == 0
    after = await read_questions(db, period(45))
    assert after.days == before.days and after.top_answered == before.top_answered
    assert {d.day: d for d in after.days}[old] == expected_day(40)


def figure(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">(.*?)</dd>', html, re.S)
    assert found, element_id
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


async def test_the_page_shows_the_seeded_figures_to_staff(console):
    await seed(console.core.db)
    await console.add_user("canbo@so.vn", AdminRole.STAFF)
    assert await console.sign_in("canbo@so.vn") == 303
    tu, den = (today() - dt.timedelta(days=45)).isoformat(), today().isoformat()
    reply = await console.client.get(f"/admin/tong-quan?tu={tu}&den={den}")
    assert reply.status == 200
    html = await reply.text()
    assert figure(html, "so-cau-hoi") == "17"
    assert figure(html, "so-tra-loi") == "11 (65%)"
    assert figure(html, "so-chua-tra-loi") == "4 (24%)"
    assert figure(html, "thoi-gian-tra-loi") == "0,42 giây"  # 7200 ms / 17
    row = re.search(rf'data-day="{today().isoformat()}">(.*?)</tr>', html).group(1)
    assert re.findall(r"<td>(.*?)</td>", row)[1:] == ["3", "1", "1", "5", "60%"]
    assert "Kế hoạch 273/KH-UBND là gì?" in html and "5S là gì?" in html  # the top questions by their labels
    assert "giá vàng &lt;b&gt;hôm nay&lt;/b&gt;" in html and "thời tiết" not in html
    assert figure(html, "cho-trung-vi") == "12 phút" and figure(html, "cho-trung-binh") == "3 giờ 5 phút"
    assert (figure(html, "yeu-cau-moi"), figure(html, "yeu-cau-xong"), figure(html, "yeu-cau-mo")) == ("4", "2", "3")
    assert 'href="/admin/chien-dich/6"' in html and 'href="/admin/chien-dich/1"' not in html
    assert "đã gửi: 3" in html and "chờ gửi: 2" in html
    assert 'data-channel="telegram">3<' in html
    assert "Hộp thư" not in html.split("<main>")[1]  # the inbox is for admins; staff are not sent there
    # Nothing the CSP would block: no inline style or script.
    assert 'style="' not in html and "<script>" not in html and "onclick" not in html


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("?tu=2026-13-45", "Ngày «2026-13-45» không hợp lệ"),
        ("?tu=hom-qua&den=2026-01-01", "Ngày «hom-qua» không hợp lệ"),
        ("?tu={today}&den={week_ago}", "sau ngày kết thúc"),
        ("?tu=2020-01-01&den={today}", "dài quá 366 ngày"),
        ("?tu=0001-01-01&den=0001-01-01", "Ngày «0001-01-01» quá xa"),
    ],
)
async def test_bad_periods_get_a_notice_and_the_last_30_days(console, query, notice):
    await console.add_user("canbo@so.vn", AdminRole.STAFF)
    await console.sign_in("canbo@so.vn")
    asked = query.format(today=today().isoformat(), week_ago=(today() - dt.timedelta(days=7)).isoformat())
    reply = await console.client.get(f"/admin/tong-quan{asked}")
    html = await reply.text()
    assert reply.status == 200 and notice in html and "Đang hiện 30 ngày gần nhất." in html
    assert f'name="tu" value="{(today() - dt.timedelta(days=29)).isoformat()}"' in html


async def test_periods_missing_an_end_or_reaching_past_today(console):
    await console.add_user("admin@so.vn", AdminRole.ADMIN)
    await console.sign_in("admin@so.vn")
    start = today() - dt.timedelta(days=6)
    html = await (await console.client.get(f"/admin/tong-quan?tu={start.isoformat()}")).text()
    assert "(7 ngày)" in html and 'aria-current="page">7 ngày' in html
    future = today() + dt.timedelta(days=3)
    html = await (await console.client.get(f"/admin/tong-quan?tu={start.isoformat()}&den={future}")).text()
    assert "Chưa có số liệu sau hôm nay" in html and "(7 ngày)" in html


def test_waits_read_as_people_say_them():
    waits = [None, 45, 12 * 60, 185 * 60, 3600, 2 * 86400 + 4 * 3600]
    said = ["—", "45 giây", "12 phút", "3 giờ 5 phút", "1 giờ", "2 ngày 4 giờ"]
    assert [duration_text(w) for w in waits] == said


async def test_anonymous_is_sent_to_sign_in(console):
    reply = await console.client.get("/admin/tong-quan", allow_redirects=False)
    assert reply.status == 303 and reply.headers["Location"] == "/admin/dang-nhap"


@pytest.mark.slow
async def test_the_dashboard_in_a_browser_breaks_no_csp_rule(console, browser, tmp_path):
    await seed(console.core.db)
    await console.add_user("canbo@so.vn", AdminRole.STAFF)
    base = str(console.client.make_url("")).rstrip("/")
    page = await (await browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")).new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    await browser_sign_in(page, base, "canbo@so.vn", PASSWORD)
    await page.goto(f"{base}/admin/tong-quan")
    assert await page.locator("#cau-hoi svg.chart rect.c-answered").count() > 1
    fill = await page.eval_on_selector("#cau-hoi svg rect.c-answered", "e => getComputedStyle(e).fill")
    assert fill == "rgb(27, 127, 90)"  # dashboard.css reached the chart
    await page.click('nav.quick a:text-is("7 ngày")')
    await page.wait_for_url("**/admin/tong-quan?tu=*")
    assert "(7 ngày)" in await page.locator("h1").inner_text()
    await shot(page, "tong-quan", tmp_path)
    assert blocked == []
