"""What the database holds about one chat, table by table, and erasing it (Decree 13/2023/NĐ-CP).

Every table that can name or reach a person is listed here; tests/bot/test_erasure.py seeds one person in
each and checks that nothing naming or reaching them is left after `erase`. Applications for support are
anonymised rather than deleted: the programme's statistics keep counting them (bot/db/cases.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import cases, oa_recipients
from bot.db.models import (
    ApplicationCase,
    ClarifyChoice,
    Delivery,
    Feedback,
    HandoffMessage,
    HandoffRequest,
    OaRecipient,
    QuestionAsker,
    Subscriber,
    UnansweredQuestion,
)
from handlers.statuses import OPEN_DELIVERIES, DeliveryStatus, LoggedQuestion


@dataclass
class StoredAbout:
    """One chat's rows (conversation state is counted by the state store)."""

    person: Subscriber | None
    feedback: list[Feedback] = field(default_factory=list)
    requests: list[HandoffRequest] = field(default_factory=list)
    request_messages: int = 0
    questions: int = 0
    deliveries: int = 0
    cases: int = 0
    oa: OaRecipient | None = None  # a Zalo OA user's standing with Zalo's rules (follows, last interaction)


async def stored_about(session: AsyncSession, channel: str, chat_id: str) -> StoredAbout:
    person = (
        await session.exec(select(Subscriber).where(Subscriber.channel == channel, Subscriber.chat_id == chat_id))
    ).first()
    feedback = (
        await session.exec(select(Feedback).where(Feedback.channel == channel, Feedback.chat_id == chat_id))
    ).all()
    requests = (
        await session.exec(
            select(HandoffRequest).where(HandoffRequest.channel == channel, HandoffRequest.chat_id == chat_id)
        )
    ).all()
    ids = [r.id for r in requests]
    messages = (
        (await session.exec(select(func.count()).where(col(HandoffMessage.request_id).in_(ids)))).one() if ids else 0
    )
    questions = (
        await session.exec(
            select(func.count()).where(QuestionAsker.channel == channel, QuestionAsker.chat_id == chat_id)
        )
    ).one()
    deliveries = (
        await session.exec(select(func.count()).where(Delivery.channel == channel, Delivery.chat_id == chat_id))
    ).one()
    applications = (
        await session.exec(
            select(func.count()).where(ApplicationCase.channel == channel, ApplicationCase.chat_id == chat_id)
        )
    ).one()
    oa = await oa_recipients.get(session, chat_id) if channel == oa_recipients.CHANNEL else None
    return StoredAbout(
        person, list(feedback), list(requests), int(messages), int(questions), int(deliveries), int(applications), oa
    )


async def erase(session: AsyncSession, channel: str, chat_id: str) -> int:
    """Remove every row that names or reaches this chat; campaign deliveries and applications for support
    stay as anonymous counts.

    Returns how many rows went or were anonymised. The questions this chat produced go with it, even where
    others asked the same words: an erasure may cost a count, never leave a person's text behind.
    """
    removed = 0
    requests = select(HandoffRequest.id).where(HandoffRequest.channel == channel, HandoffRequest.chat_id == chat_id)
    gone = await session.exec(delete(HandoffMessage).where(col(HandoffMessage.request_id).in_(requests)))
    removed += gone.rowcount or 0
    asked = (
        await session.exec(
            select(QuestionAsker.kind, QuestionAsker.question_id).where(
                QuestionAsker.channel == channel, QuestionAsker.chat_id == chat_id
            )
        )
    ).all()
    logs: tuple[tuple[LoggedQuestion, type[UnansweredQuestion] | type[ClarifyChoice]], ...] = (
        (LoggedQuestion.UNANSWERED, UnansweredQuestion),
        (LoggedQuestion.CLARIFY, ClarifyChoice),
    )
    for kind, log_table in logs:
        ids = {question_id for k, question_id in asked if k == kind}
        if ids:
            gone = await session.exec(delete(log_table).where(col(log_table.id).in_(ids)))
            removed += gone.rowcount or 0
            # The other askers' links to these rows point at nothing now.
            await session.exec(
                delete(QuestionAsker).where(col(QuestionAsker.kind) == kind, col(QuestionAsker.question_id).in_(ids))
            )
    for table in (QuestionAsker, Feedback, HandoffRequest, Subscriber):
        gone = await session.exec(delete(table).where(col(table.channel) == channel, col(table.chat_id) == chat_id))
        removed += gone.rowcount or 0
    if channel == oa_recipients.CHANNEL:  # keyed by the OA's user id alone: the chat id on that channel
        removed += await oa_recipients.forget(session, chat_id)
    # Deliveries keep the campaign's counts but lose who they went to; those not yet sent never will be.
    anonymised = await session.exec(
        update(Delivery)
        .where(col(Delivery.channel) == channel, col(Delivery.chat_id) == chat_id)
        .values(
            chat_id="",
            name="",
            subscriber_id=-col(Delivery.id),  # unique per occurrence, and no subscriber's id
            message_id="",
            error="",
            status=case(
                (col(Delivery.status).in_(OPEN_DELIVERIES), DeliveryStatus.CANCELLED),
                else_=col(Delivery.status),
            ),
        )
    )
    removed += anonymised.rowcount or 0
    # Applications keep only anonymous statistics (status, commune, sector, OCOP stars, needs, dates).
    removed += await cases.anonymise(
        session, col(ApplicationCase.channel) == channel, col(ApplicationCase.chat_id) == chat_id
    )
    await session.commit()
    return removed
