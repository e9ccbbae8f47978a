"""Campaign queries for staff: create (checked), list, progress counts, cancel, resend the unknowns."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.broadcast.audience import Audience, AudienceChoices, AudienceError, profile_values
from bot.broadcast.audience import audience_size as count_audience
from bot.broadcast.message import too_long
from bot.broadcast.schedule import ScheduleError, next_fire
from bot.db.models import AdminUser, Campaign, Delivery, Occurrence, utcnow
from handlers.statuses import OPEN_DELIVERIES, CampaignStatus, DeliveryStatus, OccurrenceStatus, ScheduleKind
from knowledge.communes import CommuneList, load_communes

FINAL = (
    DeliveryStatus.SENT,
    DeliveryStatus.FAILED,
    DeliveryStatus.BLOCKED,
    DeliveryStatus.UNKNOWN,
    DeliveryStatus.CANCELLED,
    DeliveryStatus.OUTSIDE_WINDOW,  # Zalo OA: held by Zalo's rules until the user writes; not retried
)
STATUSES = OPEN_DELIVERIES + FINAL
# Not sent yet and not being sent: what a cancel drops.
NOT_STARTED = (DeliveryStatus.PENDING, DeliveryStatus.WAITING, DeliveryStatus.QUOTA_USED_UP)


class CampaignError(ValueError):
    """A campaign that cannot be created or changed as asked (the message is for staff, in Vietnamese)."""


@dataclass
class Draft:
    text: str
    audience: Audience
    schedule: ScheduleKind = ScheduleKind.NOW
    run_at: dt.datetime | None = None  # aware UTC, for "at"
    cron: str = ""
    timezone: str = "Asia/Ho_Chi_Minh"
    buttons: tuple[tuple[str, str], ...] = ()
    created_by: str = ""
    image_url: str = ""


def image_problem(url: str) -> str | None:
    """Why `url` cannot be a campaign's picture, or None: Telegram and Zalo fetch it themselves over https."""
    if not url:
        return None
    if not url.startswith("https://") or any(ch.isspace() for ch in url) or len(url) > 1024:
        return "ảnh phải là một đường dẫn https://… tới tệp ảnh (JPG hoặc PNG), không có dấu cách"
    return None


def check(draft: Draft, now: dt.datetime) -> dt.datetime:
    """Validate a draft; returns its first fire time."""
    if not draft.text.strip():
        raise CampaignError("nội dung đang trống")
    for label, url in draft.buttons:
        if not label.strip() or not url.startswith(("https://", "http://")):
            raise CampaignError(f"mỗi nút cần một nhãn và một đường dẫn http(s); nhận được «{label}» «{url}»")
    problem = image_problem(draft.image_url) or too_long(
        draft.text, list(draft.buttons), draft.image_url, draft.audience.channels()
    )
    if problem:
        raise CampaignError(problem)
    if draft.schedule == ScheduleKind.NOW:
        return now
    if draft.schedule == ScheduleKind.AT:
        if draft.run_at is None:
            raise CampaignError("cần một thời điểm gửi")
        if draft.run_at < now - dt.timedelta(minutes=1):
            raise CampaignError("thời điểm đó đã qua")
        return draft.run_at
    if draft.schedule == ScheduleKind.CRON:
        try:
            first = next_fire(draft.cron, draft.timezone, now)
        except ScheduleError as exc:
            raise CampaignError(str(exc)) from exc
        if first is None:
            raise CampaignError("lịch lặp lại này không bao giờ đến")
        return first
    raise CampaignError(f"không biết kiểu lịch {draft.schedule!r}")


async def create(session: AsyncSession, draft: Draft, now: dt.datetime | None = None) -> Campaign:
    now = now or utcnow()
    first = check(draft, now)
    campaign = Campaign(
        text=draft.text,
        audience=draft.audience.to_json(),
        schedule=draft.schedule,
        run_at=first,
        cron=draft.cron,
        timezone=draft.timezone,
        status=CampaignStatus.SCHEDULED,
        next_run_at=first,
        created_by=draft.created_by,
        buttons=json.dumps([{"label": label, "url": url} for label, url in draft.buttons], ensure_ascii=False),
        image_url=draft.image_url,
    )
    session.add(campaign)
    await session.commit()
    return campaign


async def audience_size(session: AsyncSession, audience_text: str) -> int:
    try:
        return await count_audience(session, Audience.parse(audience_text))
    except AudienceError as exc:
        raise CampaignError(str(exc)) from exc


async def audience_choices(
    session: AsyncSession, topics: dict[str, str], communes: CommuneList | None = None
) -> AudienceChoices:
    """What an audience may name now: the given topics (id → title), the province's communes (the list the
    wiring loaded; read from the data file when a caller has none) and the sectors on file."""
    return AudienceChoices(
        topics, sectors=await profile_values(session, "sector"), communes=communes or load_communes()
    )


async def checked_audience(
    session: AsyncSession, text: str, topics: dict[str, str], communes: CommuneList | None = None
) -> tuple[Audience, int]:
    """The audience read and checked against what exists (communes resolved to their full names), with its
    size now; CampaignError otherwise."""
    try:
        audience = Audience.parse(text).check(await audience_choices(session, topics, communes))
    except AudienceError as exc:
        raise CampaignError(str(exc)) from exc
    return audience, await count_audience(session, audience)


async def get(session: AsyncSession, campaign_id: int) -> Campaign | None:
    return await session.get(Campaign, campaign_id)


async def listing(session: AsyncSession, limit: int = 20) -> list[Campaign]:
    return list((await session.exec(select(Campaign).order_by(col(Campaign.id).desc()).limit(limit))).all())


async def counts(session: AsyncSession, campaign_id: int) -> dict[str, int]:
    rows = (
        await session.exec(
            select(Delivery.status, func.count()).where(Delivery.campaign_id == campaign_id).group_by(Delivery.status)
        )
    ).all()
    found = {status: count for status, count in rows}
    return {status: found.get(status, 0) for status in STATUSES}


async def occurrences(session: AsyncSession, campaign_id: int) -> list[Occurrence]:
    return list(
        (
            await session.exec(
                select(Occurrence).where(Occurrence.campaign_id == campaign_id).order_by(col(Occurrence.id))
            )
        ).all()
    )


async def unknown_deliveries(session: AsyncSession, campaign_id: int) -> list[Delivery]:
    return list(
        (
            await session.exec(
                select(Delivery).where(Delivery.campaign_id == campaign_id, Delivery.status == DeliveryStatus.UNKNOWN)
            )
        ).all()
    )


async def cancel(session: AsyncSession, campaign_id: int) -> int:
    """Stop a campaign: no new occurrences, pending deliveries cancelled; returns how many were cancelled."""
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignError(f"không có chiến dịch #{campaign_id}")
    if campaign.status in (CampaignStatus.DONE, CampaignStatus.CANCELLED):
        raise CampaignError(f"chiến dịch #{campaign_id} {CampaignStatus(campaign.status).label} rồi")
    campaign.status, campaign.next_run_at = CampaignStatus.CANCELLED, None
    session.add(campaign)
    result = await session.exec(
        update(Delivery)
        .where(col(Delivery.campaign_id) == campaign_id, col(Delivery.status).in_(NOT_STARTED))
        .values(status=DeliveryStatus.CANCELLED, updated_at=utcnow())
    )
    await session.exec(
        update(Occurrence)
        .where(col(Occurrence.campaign_id) == campaign_id, col(Occurrence.status) == OccurrenceStatus.SENDING)
        .values(status=OccurrenceStatus.CANCELLED)
    )
    await session.commit()
    return result.rowcount or 0


async def resend_unknowns(session: AsyncSession, campaign_id: int) -> int:
    """Staff decided: send again to the recipients whose delivery is unknown (they may get it twice)."""
    result = await session.exec(
        update(Delivery)
        .where(col(Delivery.campaign_id) == campaign_id, col(Delivery.status) == DeliveryStatus.UNKNOWN)
        .values(
            status=DeliveryStatus.PENDING,
            next_attempt_at=utcnow(),
            lease_until=None,
            attempted_at=None,
            error="resent by staff",
            updated_at=utcnow(),
        )
    )
    moved = result.rowcount or 0
    if moved:
        campaign = await session.get(Campaign, campaign_id)
        if campaign is not None and campaign.status == CampaignStatus.DONE:
            campaign.status = CampaignStatus.SENDING
            session.add(campaign)
        await session.exec(
            update(Occurrence)
            .where(col(Occurrence.campaign_id) == campaign_id, col(Occurrence.status) == OccurrenceStatus.DONE)
            .values(status=OccurrenceStatus.SENDING, finished_at=None)
        )
    await session.commit()
    return moved


async def get_many(session: AsyncSession, ids: list[int]) -> list[Campaign]:
    """The campaigns of `ids` that exist, newest first."""
    if not ids:
        return []
    query = select(Campaign).where(col(Campaign.id).in_(ids)).order_by(col(Campaign.id).desc())
    return list((await session.exec(query)).all())


async def counts_for(session: AsyncSession, ids: list[int]) -> dict[int, dict[str, int]]:
    """`counts` of several campaigns in one query (the console's list refreshes them every few seconds)."""
    found: dict[int, dict[str, int]] = {campaign_id: dict.fromkeys(STATUSES, 0) for campaign_id in ids}
    if not ids:
        return found
    rows = (
        await session.exec(
            select(Delivery.campaign_id, Delivery.status, func.count())
            .where(col(Delivery.campaign_id).in_(ids))
            .group_by(col(Delivery.campaign_id), col(Delivery.status))
        )
    ).all()
    for campaign_id, status, count in rows:
        if status in found[campaign_id]:
            found[campaign_id][status] = count
    return found


async def staff_test_chat(session: AsyncSession, user_id: int) -> str:
    """Where a console account's test sends go ("telegram:123456", "zalo:abc"), "" when not set."""
    user = await session.get(AdminUser, user_id)
    return user.test_chat if user is not None else ""


async def set_staff_test_chat(session: AsyncSession, user_id: int, chat: str) -> None:
    """Change it in the session's transaction (the caller commits it with its audit line)."""
    user = await session.get(AdminUser, user_id)
    if user is not None:
        user.test_chat = chat
        session.add(user)


async def recent_twin(
    session: AsyncSession,
    text: str,
    audience: Audience,
    created_by: str,
    since: dt.datetime,
    communes: CommuneList | None = None,
) -> int | None:
    """A campaign the same person created since `since` with the same text and audience: a confirm pressed
    twice must not send everything twice. Communes are compared as stored (resolved), however they were typed."""
    stored = audience.resolved(communes or load_communes())
    query = (
        select(Campaign.id)
        .where(
            Campaign.text == text,
            Campaign.audience == stored.to_json(),
            Campaign.created_by == created_by,
            col(Campaign.created_at) >= since,
        )
        .order_by(col(Campaign.id).desc())
    )
    return (await session.exec(query)).first()
