"""Zalo OA promotion counters: per follower (local day and month) and OA-wide (local day), reserved atomically."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.channels.zalo_oa.rules import Recipient
from bot.db import oa_account
from bot.db.models import OaAccount, OaRecipient
from bot.db.oa_recipients import as_recipient, local_day, local_month

ACCOUNT = oa_account.ROW  # the one oa_account row


@dataclass(frozen=True)
class Standing:
    """What the rules need to decide one promotion: the follower as stored, and the OA's sends this local day."""

    recipient: Recipient
    sent_today: int


@dataclass(frozen=True)
class Caps:
    """The most a reservation may reach: per follower a day and a month, and the OA's sends a day."""

    daily: int
    monthly: int
    oa_daily: int


async def standing(session: AsyncSession, user_id: str, zone: ZoneInfo, now: dt.datetime) -> Standing:
    """A plain read (no lock): the reservation re-checks every cap in its own UPDATE."""
    row = await session.get(OaRecipient, user_id, populate_existing=True)
    account = await session.get(OaAccount, ACCOUNT, populate_existing=True)
    today = local_day(now, zone)
    sent = account.promotions_sent_today if account is not None and account.promotion_day == today else 0
    return Standing(as_recipient(row, zone, now), sent)


async def followers(session: AsyncSession) -> int:
    """Followers as our webhook has seen them: the base of Zalo's daily limit on an OA's promotions."""
    return int((await session.exec(select(func.count()).where(col(OaRecipient.follows).is_(True)))).one())


def _counted(stored: Any, current: str, count: Any) -> ColumnElement[int]:
    """`count + 1` when the stored day (or month) is the current one, else 1: a new day starts from zero.
    SET expressions read the row as it was (SQLite and PostgreSQL alike), whatever the order of assignments."""
    return case((stored == current, count + 1), else_=1)


async def reserve(session: AsyncSession, user_id: str, zone: ZoneInfo, now: dt.datetime, caps: Caps) -> bool:
    """Count one promotion to `user_id` now, if no cap is reached; commits. False (nothing counted) otherwise.

    Each counter moves in one conditional UPDATE, so concurrent senders, in one process or several on
    PostgreSQL, can never pass a cap together: the row's lock orders them and the second sees the first's
    count. Both rows move in one transaction: the OA-wide limit refusing takes the follower's count back."""
    day, month = local_day(now, zone), local_month(now, zone)
    person = col(OaRecipient.user_id) == user_id
    same_day, same_month = col(OaRecipient.promotion_day) == day, col(OaRecipient.promotion_month) == month
    follower = await session.exec(
        update(OaRecipient)
        .where(
            person,
            col(OaRecipient.follows).is_(True),
            or_(~same_day, col(OaRecipient.promotions_today) < caps.daily),
            or_(~same_month, col(OaRecipient.promotions_this_month) < caps.monthly),
        )
        .values(
            promotions_today=_counted(col(OaRecipient.promotion_day), day, col(OaRecipient.promotions_today)),
            promotion_day=day,
            promotions_this_month=_counted(
                col(OaRecipient.promotion_month), month, col(OaRecipient.promotions_this_month)
            ),
            promotion_month=month,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if not follower.rowcount:
        await session.rollback()
        return False
    if not await _count_for_oa(session, day, caps.oa_daily):
        await session.rollback()
        return False
    await session.commit()
    return True


async def _count_for_oa(session: AsyncSession, day: str, cap: int) -> bool:
    same_day = col(OaAccount.promotion_day) == day
    bump = (
        update(OaAccount)
        .where(col(OaAccount.id) == ACCOUNT, or_(~same_day, col(OaAccount.promotions_sent_today) < cap))
        .values(
            promotions_sent_today=_counted(col(OaAccount.promotion_day), day, col(OaAccount.promotions_sent_today)),
            promotion_day=day,
        )
        .execution_options(synchronize_session=False)
    )
    if (await session.exec(bump)).rowcount:
        return True
    if await session.get(OaAccount, ACCOUNT) is not None:
        return False  # the row is there: the OA's limit for today is reached
    # No row yet (the token keeper makes it at the first authorisation): make it, never overwriting one.
    await oa_account.ensure(session)
    return bool((await session.exec(bump)).rowcount)


async def release(session: AsyncSession, user_id: str, zone: ZoneInfo, reserved_at: dt.datetime) -> None:
    """Take back a reservation whose send did not go out (counts of a day or month since passed stay as they are)."""
    day, month = local_day(reserved_at, zone), local_month(reserved_at, zone)
    person = col(OaRecipient.user_id) == user_id
    for stored, current, count in (
        (col(OaRecipient.promotion_day), day, col(OaRecipient.promotions_today)),
        (col(OaRecipient.promotion_month), month, col(OaRecipient.promotions_this_month)),
    ):
        await session.exec(
            update(OaRecipient)
            .where(person, stored == current, count > 0)
            .values({count: count - 1})
            .execution_options(synchronize_session=False)
        )
    await session.exec(
        update(OaAccount)
        .where(
            col(OaAccount.id) == ACCOUNT,
            col(OaAccount.promotion_day) == day,
            col(OaAccount.promotions_sent_today) > 0,
        )
        .values(promotions_sent_today=col(OaAccount.promotions_sent_today) - 1)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
