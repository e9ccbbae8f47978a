"""Queries on subscribers: who they are and what they subscribed to (erasure is in bot/db/erasure.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Subscriber, utcnow
from bot.db.person_links import link_key
from bot.db.upsert import update_or_insert
from handlers.statuses import SubscriberStatus, SupportNeed
from handlers.views import Application

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
    await update_or_insert(
        session,
        bump,
        lambda: Subscriber(
            channel=channel,
            chat_id=chat_id,
            user_id=user_id,
            display_name=name[:256],
            last_question=(question or "")[:MAX_QUESTION],
        ),
    )


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


async def last_question(session: AsyncSession, channel: str, chat_id: str) -> str:
    person = await get_person(session, channel, chat_id)
    return person.last_question if person else ""


async def set_profile(session: AsyncSession, channel: str, chat_id: str, application: Application) -> Subscriber:
    """Copy an application's commune, sector, OCOP rating and wanted support onto the chat's row (created,
    not subscribed, if the chat is unknown): what campaign audiences `commune:`, `sector:`, `ocop:`, `need:`
    select on. Subscription and consent are not touched: applying is not subscribing.

    Its tax code (else mobile number) becomes the chat's link key, hashed (bot/db/person_links.py): the
    business's chats on other channels then count as one person for a campaign to every channel. Links
    start with the next application; cases stored before the key existed are not read back for it."""
    await touch(session, channel, chat_id)
    person = await get_person(session, channel, chat_id)
    assert person is not None  # touch() just made sure the row exists
    known = {n.value for n in SupportNeed}
    person.commune = application.commune[:128]
    person.sector = application.sector.strip()[:128]
    person.ocop_stars = max(0, min(5, application.ocop_stars))
    person.needs = ",".join(dict.fromkeys(n for n in application.needs if n in known))
    key = link_key(application.tax_code, application.phone)
    if key:  # an application without usable identifiers keeps an earlier link
        person.link_key = key
    session.add(person)
    await session.commit()
    return person
