"""The delivery outbox: fan-out of due campaigns, leased claims, settling outcomes, closing occurrences."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession as SQLAlchemyAsyncSession
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.broadcast.audience import Audience, sql_filter
from bot.broadcast.frequency_cap import FrequencyCap, Windows
from bot.broadcast.schedule import next_fire
from bot.db.models import Campaign, Delivery, Occurrence, Subscriber
from handlers.statuses import (
    CLAIMABLE_DELIVERIES,
    OPEN_DELIVERIES,
    CampaignStatus,
    DeliveryStatus,
    OccurrenceStatus,
    ScheduleKind,
    SubscriberStatus,
)

log = logging.getLogger(__name__)


def _is_postgres(session: AsyncSession) -> bool:
    assert session.bind is not None  # Database.sessions binds every session to its engine
    return session.bind.dialect.name == "postgresql"


def _insert(session: AsyncSession) -> Callable[[type[Delivery]], PgInsert | SqliteInsert]:
    return pg_insert if _is_postgres(session) else sqlite_insert


async def fire_due(session: AsyncSession, now: dt.datetime) -> list[int]:
    """Fan out every campaign whose time has come; returns the new occurrence ids.

    One transaction per occurrence: the occurrence row (unique per campaign and fire time), all its
    deliveries (unique per recipient, inserted with ON CONFLICT DO NOTHING) and the campaign's next
    run. Two processes racing here create it once; a crash midway leaves nothing half done.
    """
    due = (
        await session.exec(
            select(Campaign.id)
            .where(
                col(Campaign.status).in_((CampaignStatus.SCHEDULED, CampaignStatus.SENDING)),
                col(Campaign.next_run_at).is_not(None),
                col(Campaign.next_run_at) <= now,
            )
            .order_by(col(Campaign.next_run_at))
        )
    ).all()
    fired = []
    for campaign_id in due:
        # Re-read: a rollback below expires everything, and another process may have moved it on.
        campaign = await session.get(Campaign, campaign_id, populate_existing=True)
        if (
            campaign is None
            or campaign.next_run_at is None
            or campaign.next_run_at > now
            or campaign.status not in (CampaignStatus.SCHEDULED, CampaignStatus.SENDING)
        ):
            continue
        assert campaign.id is not None  # a stored row has its primary key
        fire_time = campaign.next_run_at
        occurrence = Occurrence(campaign_id=campaign.id, fire_key=fire_time.astimezone(dt.UTC).isoformat())
        session.add(occurrence)
        try:
            await session.flush()
        except IntegrityError:
            await session.rollback()  # another process fired this occurrence first
            continue
        assert occurrence.id is not None  # flush() assigned it
        # INSERT … SELECT: the database copies the audience into the outbox without a row in Python,
        # so 100,000 recipients cost no memory here; ON CONFLICT keeps the fan-out idempotent.
        # SQLAlchemy's select: sqlmodel's is typed for at most four columns.
        source = sa_select(
            literal(campaign.id),
            literal(occurrence.id),
            col(Subscriber.id),
            col(Subscriber.channel),
            col(Subscriber.chat_id),
            col(Subscriber.display_name),
            literal(DeliveryStatus.PENDING.value),
            literal(0),
            literal(now),
            literal(""),
            literal(""),
            literal(now),
        ).where(sql_filter(Audience.from_json(campaign.audience)))
        columns = [
            "campaign_id",
            "occurrence_id",
            "subscriber_id",
            "channel",
            "chat_id",
            "name",
            "status",
            "attempts",
            "next_attempt_at",
            "message_id",
            "error",
            "updated_at",
        ]
        result = await session.exec(
            _insert(session)(Delivery)
            .from_select(columns, source)
            .on_conflict_do_nothing(index_elements=["occurrence_id", "subscriber_id"])
        )
        count = result.rowcount
        if campaign.schedule == ScheduleKind.CRON:
            campaign.next_run_at = next_fire(campaign.cron, campaign.timezone, max(fire_time, now))
            campaign.status = CampaignStatus.SCHEDULED
        else:
            campaign.next_run_at = None
            campaign.status = CampaignStatus.SENDING
        session.add(campaign)
        await session.commit()
        log.info("campaign %s fired (%s): %s recipients", campaign.id, occurrence.fire_key, count)
        fired.append(occurrence.id)
    return fired


# One key for every sender's claim on PostgreSQL while the frequency cap is on: two workers counting a
# recipient's messages at once could each let one more through.
CAP_LOCK_KEY = 1_627_301


async def recent_messages(
    session: AsyncSession, subscriber_ids: set[int], windows: Windows
) -> dict[int, tuple[int, int]]:
    """Campaign messages each recipient got (or is being sent) today and this week: id → (day, week)."""
    if not subscriber_ids:
        return {}
    attempted = col(Delivery.attempted_at)
    going = col(Delivery.status) == DeliveryStatus.INFLIGHT
    today = case((going | (attempted >= windows.day_start), 1), else_=0)
    rows = (
        await session.exec(
            select(col(Delivery.subscriber_id), func.sum(today), func.count())
            .where(
                col(Delivery.subscriber_id).in_(subscriber_ids),
                going
                | (
                    col(Delivery.status).in_((DeliveryStatus.SENT, DeliveryStatus.UNKNOWN))
                    & (attempted >= windows.week_start)
                ),
            )
            .group_by(col(Delivery.subscriber_id))
        )
    ).all()
    return {sid: (int(day or 0), int(week)) for sid, day, week in rows}


def due(channel: str, now: dt.datetime) -> ColumnElement[bool]:
    """Deliveries of `channel` that may go now: pending (or held by a cap or the OA's quota) and their time has
    come."""
    return and_(
        col(Delivery.channel) == channel,
        col(Delivery.status).in_(CLAIMABLE_DELIVERIES),
        col(Delivery.next_attempt_at) <= now,
    )


async def claim(
    session: AsyncSession,
    channel: str,
    limit: int,
    now: dt.datetime,
    lease: dt.timedelta,
    cap: FrequencyCap | None = None,
) -> list[Delivery]:
    """Lease up to `limit` due deliveries of one channel; on PostgreSQL workers skip each other's rows.

    With a frequency cap, a row whose recipient has had enough today (or this week) is not leased but
    set "waiting" until the next window, and the rest of the batch goes on.
    """
    capped = cap is not None and cap.active
    if capped and _is_postgres(session):
        await SQLAlchemyAsyncSession.execute(session, sa_select(func.pg_advisory_xact_lock(CAP_LOCK_KEY)))
    query = (
        select(Delivery).where(due(channel, now)).order_by(col(Delivery.next_attempt_at), col(Delivery.id)).limit(limit)
    )
    if _is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    rows = list((await session.exec(query)).all())
    held: dict[dt.datetime, list[int]] = {}
    if capped and rows:
        assert cap is not None  # `capped` says so
        windows = cap.windows(now)
        counts = await recent_messages(session, {r.subscriber_id for r in rows}, windows)
        taken = []
        for row in rows:
            day, week = counts.get(row.subscriber_id, (0, 0))
            until = cap.hold_until(day, week, windows)
            if until is None:
                counts[row.subscriber_id] = (day + 1, week + 1)  # two rows for one person in one batch
                taken.append(row)
            else:
                held.setdefault(until, []).append(row.id or 0)
        rows = taken
    for until, ids in held.items():
        await session.exec(
            update(Delivery)
            .where(col(Delivery.id).in_(ids))
            .values(status=DeliveryStatus.WAITING, next_attempt_at=until, updated_at=now)
        )
    if rows:
        await session.exec(
            update(Delivery)
            .where(col(Delivery.id).in_([r.id for r in rows]))
            .values(status=DeliveryStatus.INFLIGHT, lease_until=now + lease, attempted_at=None, updated_at=now)
        )
    await session.commit()
    for row in rows:
        row.status, row.attempted_at = DeliveryStatus.INFLIGHT, None
    return rows


async def mark_attempted(session: AsyncSession, ids: list[int], now: dt.datetime) -> None:
    """These requests are about to go out: from now on a crash leaves them unknown, not pending."""
    await session.exec(
        update(Delivery)
        .where(col(Delivery.id).in_(ids), col(Delivery.status) == DeliveryStatus.INFLIGHT)
        .values(attempted_at=now)
    )
    await session.commit()


async def settle(session: AsyncSession, results: list[dict[str, Any]], now: dt.datetime) -> None:
    """Write outcomes: dicts with id and the changed fields (status, message_id, …)."""
    if not results:
        return
    # ORM bulk UPDATE by primary key (one executemany); SQLModel's exec() cannot take a parameter list.
    await SQLAlchemyAsyncSession.execute(
        session, update(Delivery), [{**r, "updated_at": now, "lease_until": None} for r in results]
    )
    blocked = [r["subscriber_id"] for r in results if r.get("status") == DeliveryStatus.BLOCKED]
    if blocked:
        await session.exec(
            update(Subscriber).where(col(Subscriber.id).in_(blocked)).values(status=SubscriberStatus.BLOCKED)
        )
    await session.commit()


@dataclass(frozen=True)
class ExpiredLeases:
    requeued: int  # leased but never sent: pending again
    unknown: int  # their request went out and no answer was recorded


async def expire_leases(session: AsyncSession, now: dt.datetime, every_lease: bool = False) -> ExpiredLeases:
    """In-flight rows whose lease ran out (the sender died mid-batch): those whose request had gone out may
    have arrived and become unknown; the rest were never sent and go back to pending.

    `every_lease`: the caller knows no other sender is alive (SQLite's sender lock), so all are orphans.
    """
    stale = col(Delivery.status) == DeliveryStatus.INFLIGHT
    if not every_lease:
        stale = stale & (col(Delivery.lease_until) < now)
    requeued = await session.exec(
        update(Delivery)
        .where(stale, col(Delivery.attempted_at).is_(None))
        .values(status=DeliveryStatus.PENDING, lease_until=None, next_attempt_at=now, updated_at=now)
    )
    unknown = await session.exec(
        update(Delivery)
        .where(stale, col(Delivery.attempted_at).is_not(None))
        .values(
            status=DeliveryStatus.UNKNOWN,
            lease_until=None,
            updated_at=now,
            error="lease expired: the sender stopped during the send",
        )
    )
    await session.commit()
    return ExpiredLeases(requeued.rowcount or 0, unknown.rowcount or 0)


async def finish_occurrences(session: AsyncSession, now: dt.datetime) -> None:
    """Close occurrences with nothing pending or in flight; a one-off campaign is then done."""
    open_rows = (
        select(Delivery.occurrence_id, func.count())
        .where(col(Delivery.status).in_(OPEN_DELIVERIES))
        .group_by(col(Delivery.occurrence_id))
    )
    busy = {occ for occ, _ in (await session.exec(open_rows)).all()}
    sending = (await session.exec(select(Occurrence).where(Occurrence.status == OccurrenceStatus.SENDING))).all()
    finished = [o for o in sending if o.id not in busy]
    for occurrence in finished:
        occurrence.status, occurrence.finished_at = OccurrenceStatus.DONE, now
        session.add(occurrence)
        campaign = await session.get(Campaign, occurrence.campaign_id)
        if (
            campaign is not None
            and campaign.status == CampaignStatus.SENDING
            and campaign.schedule != ScheduleKind.CRON
        ):
            campaign.status = CampaignStatus.DONE
            session.add(campaign)
    if finished:
        await session.commit()


async def due_soon(session: AsyncSession, channel: str, now: dt.datetime) -> bool:
    row = (await session.exec(select(Delivery.id).where(due(channel, now)).limit(1))).first()
    return row is not None
