"""Queries on `oa_recipient`: each Zalo OA user's standing with Zalo's rules (follows, last interaction, counts)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, delete, or_, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.channels.zalo_oa.rules import Recipient
from bot.db.models import OaRecipient, stored_utc
from bot.db.upsert import update_or_insert


def local_day(now: dt.datetime, zone: ZoneInfo) -> str:
    """The rules' local day, as stored in `promotion_day` (YYYY-MM-DD)."""
    return now.astimezone(zone).strftime("%Y-%m-%d")


def local_month(now: dt.datetime, zone: ZoneInfo) -> str:
    """The rules' local month, as stored in `promotion_month` (YYYY-MM)."""
    return now.astimezone(zone).strftime("%Y-%m")


def as_recipient(row: OaRecipient | None, zone: ZoneInfo, now: dt.datetime) -> Recipient:
    """The rules' view of one row; counts of an earlier day or month read as zero (they reset at midnight)."""
    if row is None:
        return Recipient(follows=False)
    return Recipient(
        follows=row.follows,
        last_interaction=stored_utc(row.last_interaction),
        promotions_today=row.promotions_today if row.promotion_day == local_day(now, zone) else 0,
        promotions_this_month=row.promotions_this_month if row.promotion_month == local_month(now, zone) else 0,
        replies_since_interaction=row.replies_since_interaction,
    )


# -- the channel's bookkeeping ----------------------------------------------------------------------------
CHANNEL = "zalo_oa"  # the channel name its subscribers carry (ZaloOaChannel.name); the row's user_id is chat_id


async def get(session: AsyncSession, user_id: str) -> OaRecipient | None:
    return await session.get(OaRecipient, user_id)


async def _upsert(session: AsyncSession, user_id: str, values: dict[str, Any]) -> None:
    """One UPDATE; a row on first contact (a race with another process's first contact ends in the UPDATE)."""
    bump = update(OaRecipient).where(col(OaRecipient.user_id) == user_id).values(**values)
    await update_or_insert(session, bump, lambda: OaRecipient(user_id=user_id, **values))


async def record_interaction(session: AsyncSession, user_id: str, now: dt.datetime) -> None:
    """The user wrote (or followed): Zalo's consultation window opens again, and the free replies count anew."""
    await _upsert(session, user_id, {"last_interaction": now, "replies_since_interaction": 0, "updated_at": now})


async def set_following(session: AsyncSession, user_id: str, follows: bool, now: dt.datetime) -> None:
    """A follow or unfollow event. A follow counts as an interaction: ASSUMPTION, as tests/fakes/zalo_oa_api.py
    (`follow_is_interaction`) assumes; no Zalo page found says so, and without it no welcome could be sent."""
    values: dict[str, Any] = {"follows": follows, "updated_at": now}
    if follows:
        values |= {"followed_at": now, "last_interaction": now, "replies_since_interaction": 0}
    await _upsert(session, user_id, values)


async def count_reply(session: AsyncSession, user_id: str, now: dt.datetime) -> None:
    """One consultation message went out: the rules count them against the free replies since the interaction."""
    bump = (
        update(OaRecipient)
        .where(col(OaRecipient.user_id) == user_id)
        .values(replies_since_interaction=col(OaRecipient.replies_since_interaction) + 1, updated_at=now)
    )
    await session.exec(bump)
    await session.commit()


async def forget(session: AsyncSession, user_id: str) -> int:
    """Erasure: the row goes (the caller commits)."""
    result = await session.exec(delete(OaRecipient).where(col(OaRecipient.user_id) == user_id))
    return result.rowcount or 0


def gone_quiet(before: dt.datetime) -> ColumnElement[bool]:
    """Rows of people who unfollowed and have not written since `before`: retention removes them."""
    return and_(
        col(OaRecipient.follows).is_(False),
        col(OaRecipient.updated_at) < before,
        or_(col(OaRecipient.last_interaction).is_(None), col(OaRecipient.last_interaction) < before),
    )
