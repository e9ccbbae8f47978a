"""The dashboard's figures over a period of local days: questions, votes, subscribers, requests, campaigns."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, literal
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import campaigns
from bot.db.models import (
    Feedback,
    HandoffRequest,
    QuestionDay,
    QuestionEvent,
    Subscriber,
    SubscriberDay,
    UnansweredQuestion,
)
from bot.db.question_log import day_bounds
from handlers.statuses import AskStatus, CampaignStatus, DeliveryStatus, HandoffStatus, SubscriberStatus

TOP = 10  # rows of each "most …" list
RAW_DAYS_PER_QUERY = 92  # a CASE branch per day: keeps each query's parameters far below SQLite's limit
CHANNEL_ORDER = ("telegram", "zalo")


@dataclass(frozen=True)
class Period:
    """Local days of the bot's time zone from `start` to `end`, both included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def bounds(self, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """The period as a UTC half-open interval."""
        return day_bounds(self.start, zone)[0], day_bounds(self.end, zone)[1]


@dataclass
class DayQuestions:
    """One local day's questions by outcome, and the time the answers took in total."""

    day: dt.date
    answered: int = 0
    clarify: int = 0
    fallback: int = 0
    latency_ms_total: int = 0

    def add(self, outcome: str, count: int, latency_ms: int) -> None:
        if outcome == AskStatus.ANSWERED:
            self.answered += count
        elif outcome == AskStatus.CLARIFY:
            self.clarify += count
        elif outcome == AskStatus.FALLBACK:
            self.fallback += count
        else:  # an outcome this version does not know is left out of every figure, time included
            return
        self.latency_ms_total += latency_ms

    @property
    def total(self) -> int:
        return self.answered + self.clarify + self.fallback

    @property
    def average_latency_ms(self) -> float | None:
        return self.latency_ms_total / self.total if self.total else None

    @property
    def answered_share(self) -> float | None:
        """Answered among all questions, 0–1; None on a day without questions (no point on the chart)."""
        return self.answered / self.total if self.total else None


@dataclass
class QuestionFigures:
    days: list[DayQuestions]
    top_answered: list[tuple[str, int]]  # (entry id, questions it answered), most first
    from_rollup: set[dt.date] = field(default_factory=set)  # days read from daily rows, the rest from the raw log

    @property
    def totals(self) -> DayQuestions:
        """The whole period as one row (dated its first day)."""
        sums = (
            sum(getattr(d, name) for d in self.days) for name in ("answered", "clarify", "fallback", "latency_ms_total")
        )
        return DayQuestions(self.days[0].day, *sums)


async def _rolled_up(
    session: AsyncSession, first: dt.date, last: dt.date, days: dict[dt.date, DayQuestions], answered: Counter[str]
) -> set[dt.date]:
    """Add the daily rows of `first`..`last`; returns the days that had any (the others are read raw)."""
    in_days = (col(QuestionDay.day) >= first, col(QuestionDay.day) <= last)
    by_day = await session.exec(
        select(
            col(QuestionDay.day),
            col(QuestionDay.outcome),
            func.sum(QuestionDay.count),
            func.sum(QuestionDay.latency_ms_total),
        )
        .where(*in_days)
        .group_by(col(QuestionDay.day), col(QuestionDay.outcome))
    )
    found: set[dt.date] = set()
    for day, outcome, count, latency in by_day.all():
        days[day].add(outcome, int(count), int(latency or 0))
        found.add(day)
    by_entry = await session.exec(
        select(col(QuestionDay.entry_id), func.sum(QuestionDay.count))
        .where(*in_days, col(QuestionDay.outcome) == AskStatus.ANSWERED, col(QuestionDay.entry_id) != "")
        .group_by(col(QuestionDay.entry_id))
    )
    for entry_id, count in by_entry.all():
        answered[entry_id] += int(count)
    return found


async def _raw(
    session: AsyncSession, run: list[dt.date], zone: ZoneInfo, days: dict[dt.date, DayQuestions], answered: Counter[str]
) -> None:
    """Add the raw log of consecutive days `run`, each event counted on its local day."""
    bounds = [day_bounds(day, zone) for day in run]
    start, end = bounds[0][0], bounds[-1][1]
    at = col(QuestionEvent.at)
    # Which day of the run an event falls on, by the UTC bounds of each local day: the same on every
    # database and right across daylight-saving changes, unlike date arithmetic in SQL.
    bucket: ColumnElement[int] = (
        case(*[(at < day_end, index) for index, (_, day_end) in enumerate(bounds[:-1])], else_=len(bounds) - 1)
        if len(bounds) > 1
        else literal(0)
    )
    # Grouped in an outer query: PostgreSQL sees the CASE's parameters in SELECT and GROUP BY as different
    # expressions, so the bucket is computed once in a subquery and grouped by name.
    events = (
        select(bucket.label("bucket"), col(QuestionEvent.outcome), col(QuestionEvent.latency_ms))
        .where(at >= start, at < end)
        .subquery()
    )
    by_day = await session.exec(
        select(events.c.bucket, events.c.outcome, func.count(), func.sum(events.c.latency_ms)).group_by(
            events.c.bucket, events.c.outcome
        )
    )
    for index, outcome, count, latency in by_day.all():
        days[run[int(index)]].add(outcome, int(count), int(latency or 0))
    by_entry = await session.exec(
        select(col(QuestionEvent.entry_id), func.count())
        .where(
            at >= start, at < end, col(QuestionEvent.outcome) == AskStatus.ANSWERED, col(QuestionEvent.entry_id) != ""
        )
        .group_by(col(QuestionEvent.entry_id))
    )
    for entry_id, count in by_entry.all():
        answered[entry_id] += int(count)


def _runs(days: list[dt.date]) -> list[list[dt.date]]:
    """Sorted days as runs of consecutive days, each at most RAW_DAYS_PER_QUERY long."""
    runs: list[list[dt.date]] = []
    for day in sorted(days):
        last = runs[-1] if runs else None
        if last and day - last[-1] == dt.timedelta(days=1) and len(last) < RAW_DAYS_PER_QUERY:
            last.append(day)
        else:
            runs.append([day])
    return runs


async def questions(
    session: AsyncSession, period: Period, zone: ZoneInfo, today: dt.date, top: int = TOP
) -> QuestionFigures:
    """Questions per day of `period`: past days from the daily rows where the nightly job wrote them, today
    and the past days it has not (yet) from the raw log of just those days."""
    days = {day: DayQuestions(day) for day in period.days}
    answered: Counter[str] = Counter()
    rolled: set[dt.date] = set()
    last_past = min(period.end, today - dt.timedelta(days=1))
    if period.start <= last_past:
        rolled = await _rolled_up(session, period.start, last_past, days, answered)
    for run in _runs([day for day in days if day not in rolled]):
        await _raw(session, run, zone, days, answered)
    ranked = sorted(answered.items(), key=lambda item: (-item[1], item[0]))[:top]
    return QuestionFigures([days[day] for day in period.days], ranked, rolled)


async def unanswered(
    session: AsyncSession, start: dt.datetime, end: dt.datetime, limit: int = TOP
) -> list[UnansweredQuestion]:
    """Questions the bot could not answer that were asked within [start, end) (their first and last asking
    span it) and not dismissed, most asked first; their texts are stored redacted."""
    result = await session.exec(
        select(UnansweredQuestion)
        .where(
            col(UnansweredQuestion.dismissed_at).is_(None),
            col(UnansweredQuestion.last_asked) >= start,
            col(UnansweredQuestion.first_asked) < end,
        )
        .order_by(col(UnansweredQuestion.count).desc(), col(UnansweredQuestion.last_asked).desc())
        .limit(limit)
    )
    return list(result.all())


@dataclass(frozen=True)
class EntryVotes:
    entry_id: str
    helpful: int
    unhelpful: int


async def votes(session: AsyncSession, start: dt.datetime, end: dt.datetime, limit: int = TOP) -> list[EntryVotes]:
    """👍 and 👎 given in [start, end) per entry, the most voted first."""
    good = func.sum(case((col(Feedback.helpful), 1), else_=0))
    bad = func.sum(case((col(Feedback.helpful), 0), else_=1))
    rows = await session.exec(
        select(Feedback.entry_id, good, bad)
        .where(col(Feedback.created_at) >= start, col(Feedback.created_at) < end)
        .group_by(col(Feedback.entry_id))
        .order_by(func.count().desc(), bad.desc(), col(Feedback.entry_id))
        .limit(limit)
    )
    return [EntryVotes(entry_id, int(up), int(down)) for entry_id, up, down in rows.all()]


@dataclass
class SubscriberFigures:
    days: list[dt.date]
    by_channel: dict[str, list[int | None]]  # active subscribers per day; None for a day without a snapshot
    now: dict[str, int]  # active subscribers per channel right now


async def subscribers(session: AsyncSession, period: Period, today: dt.date) -> SubscriberFigures:
    """The nightly snapshots of the period, with today's point counted live."""
    snapshots = await session.exec(
        select(SubscriberDay).where(col(SubscriberDay.day) >= period.start, col(SubscriberDay.day) <= period.end)
    )
    live = await session.exec(
        select(Subscriber.channel, func.count())
        .where(col(Subscriber.status) == SubscriberStatus.ACTIVE)
        .group_by(col(Subscriber.channel))
    )
    now = {channel: int(count) for channel, count in live.all()}
    points: dict[str, dict[dt.date, int]] = {}
    for row in snapshots.all():
        points.setdefault(row.channel, {})[row.day] = row.active
    if period.start <= today <= period.end:
        for channel in set(points) | set(now):
            points.setdefault(channel, {})[today] = now.get(channel, 0)
    order = [c for c in CHANNEL_ORDER if c in points] + sorted(set(points) - set(CHANNEL_ORDER))
    days = period.days
    return SubscriberFigures(days, {c: [points[c].get(day) for day in days] for c in order}, now)


@dataclass(frozen=True)
class HandoffFigures:
    opened: int  # requests made in the period
    closed: int  # requests closed in the period (whenever made)
    open_now: int  # waiting for staff or being handled, now
    replied: int  # requests made in the period that staff have answered
    median_wait_s: float | None  # from the request to staff's first reply
    average_wait_s: float | None


async def handoff_figures(session: AsyncSession, start: dt.datetime, end: dt.datetime) -> HandoffFigures:
    created, closed = col(HandoffRequest.created_at), col(HandoffRequest.closed_at)
    counts = await session.exec(
        select(
            func.count(case((and_(created >= start, created < end), 1))),
            func.count(case((and_(closed >= start, closed < end), 1))),
            func.count(case((col(HandoffRequest.status).in_((HandoffStatus.OPEN, HandoffStatus.TAKEN)), 1))),
        )
    )
    opened, ended, live = counts.one()
    # The difference in Python: date arithmetic differs between SQLite and PostgreSQL, and the rows are few.
    replies = await session.exec(
        select(HandoffRequest.created_at, HandoffRequest.first_reply_at).where(
            created >= start, created < end, col(HandoffRequest.first_reply_at).is_not(None)
        )
    )
    waits = [max(0.0, (reply - made).total_seconds()) for made, reply in replies.all() if reply is not None]
    median, mean = (statistics.median(waits), statistics.fmean(waits)) if waits else (None, None)
    return HandoffFigures(opened, ended, live, len(waits), median, mean)


@dataclass(frozen=True)
class CampaignDeliveries:
    id: int
    text: str
    status: CampaignStatus
    created_at: dt.datetime
    counts: dict[DeliveryStatus, int]  # every status, 0 included, in the order campaigns.STATUSES gives

    @property
    def total(self) -> int:
        return sum(self.counts.values())


async def recent_campaigns(session: AsyncSession, limit: int = 5) -> list[CampaignDeliveries]:
    """The newest campaigns with their deliveries per status."""
    found = []
    for campaign in await campaigns.listing(session, limit):
        assert campaign.id is not None
        counts = await campaigns.counts(session, campaign.id)
        found.append(
            CampaignDeliveries(
                campaign.id,
                campaign.text,
                CampaignStatus(campaign.status),
                campaign.created_at,
                {DeliveryStatus(status): count for status, count in counts.items()},
            )
        )
    return found
