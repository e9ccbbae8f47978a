"""Queries on subscribers: who they are, what they subscribed to, and erasing them on request."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Feedback, HandoffRequest, Subscriber, utcnow
from handlers.statuses import SubscriberStatus

MAX_QUESTION = 2000


async def get_person(session: AsyncSession, channel: str, chat_id: str) -> Subscriber | None:
    result = await session.exec(select(Subscriber).where(Subscriber.channel == channel, Subscriber.chat_id == chat_id))
    return result.first()


async def touch(
    session: AsyncSession, channel: str, chat_id: str, user_id: str = "", name: str = "", question: str | None = None
) -> None:
    """Record that a chat was active (and its latest question): one UPDATE; a row on first contact."""
    values: dict[str, Any] = {"last_seen": utcnow()}
    if name:
        values["display_name"] = name[:256]
    if question is not None:
        values["last_question"] = question[:MAX_QUESTION]
    bump = (
        update(Subscriber)
        .where(col(Subscriber.channel) == channel, col(Subscriber.chat_id) == chat_id)
        .values(**values)
    )
    if (await session.exec(bump)).rowcount:
        await session.commit()
        return
    session.add(
        Subscriber(
            channel=channel,
            chat_id=chat_id,
            user_id=user_id,
            display_name=name[:256],
            last_question=(question or "")[:MAX_QUESTION],
        )
    )
    try:
        await session.commit()
    except IntegrityError:
        # Two first messages raced; the other one created the row.
        await session.rollback()
        await session.exec(bump)
        await session.commit()


async def subscribe(session: AsyncSession, channel: str, chat_id: str, topics: list[str]) -> Subscriber:
    await touch(session, channel, chat_id)
    person = await get_person(session, channel, chat_id)
    assert person is not None  # touch() just made sure the row exists
    person.topics = ",".join(dict.fromkeys(topics))
    person.status = SubscriberStatus.ACTIVE
    person.consent_at = utcnow()
    session.add(person)
    await session.commit()
    return person


async def unsubscribe(session: AsyncSession, channel: str, chat_id: str) -> bool:
    """True if they were subscribed. Consent is withdrawn, so an unblock does not resubscribe them."""
    person = await get_person(session, channel, chat_id)
    if person is None or person.status != SubscriberStatus.ACTIVE:
        return False
    person.status = SubscriberStatus.UNSUBSCRIBED
    person.consent_at = None
    session.add(person)
    await session.commit()
    return True


async def set_blocked(session: AsyncSession, channel: str, chat_id: str, blocked: bool) -> None:
    """A user blocked (or unblocked) the bot; unblocking restores a subscription they had consented to."""
    person = await get_person(session, channel, chat_id)
    if person is None:
        if blocked:
            return
        await touch(session, channel, chat_id)
        person = await get_person(session, channel, chat_id)
        assert person is not None  # touch() just made sure the row exists
    if blocked:
        person.status = SubscriberStatus.BLOCKED
    elif person.status == SubscriberStatus.BLOCKED:
        person.status = SubscriberStatus.ACTIVE if person.consent_at else SubscriberStatus.UNSUBSCRIBED
    session.add(person)
    await session.commit()


async def person_data(session: AsyncSession, channel: str, chat_id: str) -> dict[str, Any]:
    """Everything stored about one chat, for /mydata."""
    person = await get_person(session, channel, chat_id)
    feedback = (
        await session.exec(select(Feedback).where(Feedback.channel == channel, Feedback.chat_id == chat_id))
    ).all()
    handoffs = (
        await session.exec(
            select(HandoffRequest).where(HandoffRequest.channel == channel, HandoffRequest.chat_id == chat_id)
        )
    ).all()
    return {"person": person, "feedback": list(feedback), "handoffs": list(handoffs)}


async def delete_person(session: AsyncSession, channel: str, chat_id: str) -> int:
    """Erase a chat's personal data (Decree 13/2023); returns how many rows went."""
    removed = 0
    for table in (Subscriber, Feedback, HandoffRequest):
        result = await session.exec(delete(table).where(col(table.channel) == channel, col(table.chat_id) == chat_id))
        removed += result.rowcount or 0
    await session.commit()
    return removed


async def last_question(session: AsyncSession, channel: str, chat_id: str) -> str:
    person = await get_person(session, channel, chat_id)
    return person.last_question if person else ""
