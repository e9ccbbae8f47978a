"""The dashboard's question log: one row per question with no one's data, folded nightly into daily rows."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func
from sqlalchemy import select as select_columns
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import QuestionDay, QuestionEvent, Subscriber, SubscriberDay
from handlers.statuses import SubscriberStatus
from handlers.views import QuestionLogged


async def record(session: AsyncSession, event: QuestionLogged, at: dt.datetime | None = None) -> None:
    row = QuestionEvent(
        channel=event.channel[:16],
        outcome=str(event.outcome)[:16],
        entry_id=event.entry_id[:64],
        confidence=event.confidence,
        latency_ms=max(0, event.latency_ms),
    )
    if at is not None:
        row.at = at
    session.add(row)
    await session.commit()


def day_bounds(day: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """A local day as a UTC half-open interval: the dashboard's days are the bot's time zone's days."""
    start = dt.datetime.combine(day, dt.time(), zone)
    return start.astimezone(dt.UTC), (start + dt.timedelta(days=1)).astimezone(dt.UTC)


async def roll_up_day(session: AsyncSession, day: dt.date, zone: ZoneInfo) -> int:
    """(Re)write the daily rows of `day` from the raw log; idempotent, so a rerun or a second process is
    harmless. Returns the questions counted."""
    start, end = day_bounds(day, zone)
    # Six columns: more than sqlmodel's typed select() takes, so SQLAlchemy's (exec() runs it all the same).
    grouped = await session.exec(  # type: ignore[call-overload]
        select_columns(
            col(QuestionEvent.channel),
            col(QuestionEvent.outcome),
            col(QuestionEvent.entry_id),
            func.count(),
            func.coalesce(func.sum(QuestionEvent.latency_ms), 0),
            func.coalesce(func.sum(QuestionEvent.confidence), 0.0),
        )
        .where(col(QuestionEvent.at) >= start, col(QuestionEvent.at) < end)
        .group_by(col(QuestionEvent.channel), col(QuestionEvent.outcome), col(QuestionEvent.entry_id))
    )
    rows = list(grouped.all())
    if not rows:
        # Nothing in the raw log (already purged, or a quiet day): keep whatever rollup exists.
        return 0
    await session.exec(delete(QuestionDay).where(col(QuestionDay.day) == day))
    total = 0
    for channel, outcome, entry_id, count, latency, confidence in rows:
        session.add(
            QuestionDay(
                day=day,
                channel=channel,
                outcome=outcome,
                entry_id=entry_id,
                count=int(count),
                latency_ms_total=int(latency),
                confidence_total=float(confidence),
            )
        )
        total += int(count)
    await session.commit()
    return total


async def snapshot_subscribers(session: AsyncSession, day: dt.date) -> None:
    """Active subscribers per channel now, stored as `day`'s figure (rewritten if run twice that day)."""
    counts = await session.exec(
        select(Subscriber.channel, func.count())
        .where(col(Subscriber.status) == SubscriberStatus.ACTIVE)
        .group_by(col(Subscriber.channel))
    )
    await session.exec(delete(SubscriberDay).where(col(SubscriberDay.day) == day))
    for channel, active in counts.all():
        session.add(SubscriberDay(day=day, channel=channel, active=int(active)))
    await session.commit()


async def roll_up(session: AsyncSession, now: dt.datetime, zone: ZoneInfo, days_back: int = 2) -> int:
    """The nightly job: yesterday (and the day before, in case a night was missed) into daily rows, and
    today's subscriber figure. Today itself is read live from the raw log by the dashboard."""
    today = now.astimezone(zone).date()
    total = 0
    for back in range(days_back, 0, -1):
        total += await roll_up_day(session, today - dt.timedelta(days=back), zone)
    await snapshot_subscribers(session, today)
    return total
