"""Tổng quan: the dashboard's page (questions, answers, subscribers, requests, campaigns over a period)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web
from markupsafe import Markup

from bot.admin import charts
from bot.admin.charts import Bar, Series
from bot.admin.deps import deps
from bot.admin.security import require_staff
from bot.broadcast.audience import CHANNEL_WORDS
from bot.db import dashboard
from bot.db.dashboard import CampaignDeliveries, Period, QuestionFigures, SubscriberFigures
from handlers.statuses import AskStatus, DeliveryStatus

DEFAULT_DAYS = 30
QUICK_DAYS = (7, 30, 90)
MAX_DAYS = 366
EARLIEST = dt.date(2000, 1, 1)  # before the bot existed; also keeps day bounds far from datetime's year 1
SHOWN_TEXT = 90  # characters of a campaign's text beside its bars
DELIVERY_CLASS = {status: f"d-{status.value}" for status in DeliveryStatus}


def last_days(today: dt.date, count: int) -> Period:
    return Period(today - dt.timedelta(days=count - 1), today)


def chosen_period(query: Mapping[str, str], today: dt.date) -> tuple[Period, str]:
    """The period of ?tu=YYYY-MM-DD&den=YYYY-MM-DD, or the last 30 days and a notice saying why not."""
    default = last_days(today, DEFAULT_DAYS)
    raw_start, raw_end = query.get("tu", "").strip(), query.get("den", "").strip()
    if not raw_start and not raw_end:
        return default, ""
    parsed: list[dt.date | None] = []
    for raw in (raw_start, raw_end):
        try:
            day = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            notice = f"Ngày «{raw[:20]}» không hợp lệ: cần dạng năm-tháng-ngày, ví dụ {today.isoformat()}."
            return default, f"{notice} Đang hiện {DEFAULT_DAYS} ngày gần nhất."
        if day is not None and day < EARLIEST:
            notice = f"Ngày «{raw}» quá xa: chỉ có số liệu từ năm {EARLIEST.year} trở đi."
            return default, f"{notice} Đang hiện {DEFAULT_DAYS} ngày gần nhất."
        parsed.append(day)
    end = parsed[1] or today
    start = parsed[0] or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    notice = ""
    if end > today:
        end, notice = today, f"Chưa có số liệu sau hôm nay: tính đến hôm nay, {today:%d/%m/%Y}."
    if start > end:
        reason = f"Ngày bắt đầu {start:%d/%m/%Y} sau ngày kết thúc {end:%d/%m/%Y}."
        return default, f"{reason} Đang hiện {DEFAULT_DAYS} ngày gần nhất."
    if (end - start).days + 1 > MAX_DAYS:
        reason = f"Khoảng thời gian dài quá {MAX_DAYS} ngày."
        return default, f"{reason} Đang hiện {DEFAULT_DAYS} ngày gần nhất."
    return Period(start, end), notice


def duration_text(seconds: float | None) -> str:
    """A wait as people say it: «45 giây», «12 phút», «3 giờ 5 phút», «2 ngày 4 giờ»."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{round(seconds)} giây"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} phút"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} giờ" + (f" {minutes} phút" if minutes else "")
    days, hours = divmod(hours, 24)
    return f"{days} ngày" + (f" {hours} giờ" if hours else "")


def seconds_text(ms: float | None) -> str:
    """An answer time: «0,35 giây»."""
    return "—" if ms is None else f"{charts.number(ms / 1000, 2 if ms < 10_000 else 1)} giây"


def percent(part: int, whole: int) -> str:
    return f"{charts.number(100 * part / whole)}%" if whole else "—"


def outcome_name(outcome: AskStatus) -> str:
    return outcome.label[:1].upper() + outcome.label[1:]


def question_charts(figures: QuestionFigures) -> tuple[Markup, Markup]:
    days = [d.day for d in figures.days]
    stacked = [
        Series(outcome_name(AskStatus.ANSWERED), "c-answered", [d.answered for d in figures.days]),
        Series(outcome_name(AskStatus.CLARIFY), "c-clarify", [d.clarify for d in figures.days]),
        Series(outcome_name(AskStatus.FALLBACK), "c-fallback", [d.fallback for d in figures.days]),
    ]
    shares = [None if d.answered_share is None else 100 * d.answered_share for d in figures.days]
    return (
        charts.stacked_bars("Số câu hỏi mỗi ngày theo kết quả", days, stacked),
        charts.lines(
            "Tỷ lệ câu hỏi trả lời được mỗi ngày (%)", days, [Series("Trả lời được", "c-share", shares)], "%", 100
        ),
    )


def subscriber_chart(figures: SubscriberFigures) -> Markup:
    series = [
        Series(CHANNEL_WORDS.get(channel, channel), f"c-{channel}" if channel in CHANNEL_WORDS else "c-other", values)
        for channel, values in figures.by_channel.items()
    ]
    return charts.lines("Người đăng ký nhận tin theo kênh", figures.days, series)


def campaign_chart(campaign: CampaignDeliveries) -> Markup:
    parts = [Bar(status.label, count, DELIVERY_CLASS[status]) for status, count in campaign.counts.items()]
    return charts.stacked_row(f"Chiến dịch #{campaign.id}: tin nhắn theo trạng thái", parts)


def first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= SHOWN_TEXT else line[: SHOWN_TEXT - 1].rstrip() + "…"


async def dashboard_page(request: web.Request) -> web.StreamResponse:
    who = require_staff(request)
    admin = deps(request)
    zone = ZoneInfo(admin.timezone)
    today = dt.datetime.now(zone).date()
    period, notice = chosen_period(request.query, today)
    start, end = period.bounds(zone)
    async with admin.db.session() as session:
        questions = await dashboard.questions(session, period, zone, today)
        unanswered = await dashboard.unanswered(session, start, end)
        votes = await dashboard.votes(session, start, end)
        subscribers = await dashboard.subscribers(session, period, today)
        requests = await dashboard.handoff_figures(session, start, end)
        recent = await dashboard.recent_campaigns(session)
    kb = admin.conversation.ask_service.engine.kb

    def label(entry_id: str) -> str:
        entry = kb.get(entry_id)
        return entry.button_label if entry is not None else f"{entry_id} (không còn trong kho)"

    questions_chart, share_chart = question_charts(questions)
    top = [Bar(label(entry_id), count) for entry_id, count in questions.top_answered]
    context = {
        "who": who,
        "notice": notice,
        "period": period,
        "quick": [(n, last_days(today, n)) for n in QUICK_DAYS],
        "today": today,
        "questions": questions,
        "totals": questions.totals,
        "questions_chart": questions_chart,
        "share_chart": share_chart,
        "top_chart": charts.horizontal_bars("Câu hỏi được trả lời nhiều nhất", top),
        "unanswered": unanswered,
        "votes": [(label(v.entry_id), v) for v in votes],
        "subscribers": subscribers,
        "subscriber_chart": subscriber_chart(subscribers),
        "channel_words": CHANNEL_WORDS,
        "requests": requests,
        "campaigns": [(c, first_line(c.text), campaign_chart(c)) for c in recent],
        "num": charts.number,
        "percent": percent,
        "seconds_text": seconds_text,
        "duration_text": duration_text,
        "outcome_names": {status.value: outcome_name(status) for status in AskStatus},
    }
    return aiohttp_jinja2.render_template("dashboard.html", request, context)


def routes(prefix: str) -> list[web.RouteDef]:
    """This page's routes under `prefix` (/admin)."""
    return [web.get(f"{prefix}/tong-quan", dashboard_page)]
