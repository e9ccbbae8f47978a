"""Retention: personal data older than the configured periods is removed or anonymised by a daily job."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import cases, oa_recipients
from bot.db.models import (
    AdminSession,
    ApplicationCase,
    AuditEvent,
    ClarifyChoice,
    Delivery,
    Feedback,
    HandoffMessage,
    HandoffRequest,
    OaRecipient,
    QuestionAsker,
    QuestionEvent,
    Subscriber,
    UnansweredQuestion,
)
from handlers.statuses import OPEN_DELIVERIES, CaseStatus, HandoffStatus, SubscriberStatus
from handlers.views import RetentionPolicy


async def purge(session: AsyncSession, policy: RetentionPolicy, now: dt.datetime) -> dict[str, int]:
    """Apply the policy once; returns rows removed or anonymised per kind."""

    def before(days: int) -> dt.datetime:
        return now - dt.timedelta(days=days)

    done: dict[str, int] = {}

    async def run(name: str, statement: object) -> None:
        result = await session.exec(statement)  # type: ignore[call-overload]
        done[name] = done.get(name, 0) + (result.rowcount or 0)

    questions = before(policy.questions_days)
    await run("questions", delete(QuestionAsker).where(col(QuestionAsker.asked_at) < questions))
    # The dashboard's raw log names nobody, but follows the questions' period; its daily rows stay.
    await run("question log", delete(QuestionEvent).where(col(QuestionEvent.at) < questions))
    await run("questions", delete(UnansweredQuestion).where(col(UnansweredQuestion.last_asked) < questions))
    await run("questions", delete(ClarifyChoice).where(col(ClarifyChoice.last_picked) < questions))
    await run("feedback", delete(Feedback).where(col(Feedback.created_at) < questions))
    await run(
        "questions",
        update(Subscriber)
        .where(col(Subscriber.last_seen) < questions, col(Subscriber.last_question) != "")
        .values(last_question=""),
    )
    closed = select(HandoffRequest.id).where(
        col(HandoffRequest.status) == HandoffStatus.CLOSED, col(HandoffRequest.closed_at) < before(policy.requests_days)
    )
    await run("requests", delete(HandoffMessage).where(col(HandoffMessage.request_id).in_(closed)))
    await run(
        "requests",
        delete(HandoffRequest).where(
            col(HandoffRequest.status) == HandoffStatus.CLOSED,
            col(HandoffRequest.closed_at) < before(policy.requests_days),
        ),
    )
    await run(
        "chats",
        delete(Subscriber).where(
            col(Subscriber.status) != SubscriberStatus.ACTIVE, col(Subscriber.last_seen) < before(policy.inactive_days)
        ),
    )
    # A Zalo OA user who unfollowed and went quiet: their standing with Zalo's rules serves nothing any more.
    await run("oa recipients", delete(OaRecipient).where(oa_recipients.gone_quiet(before(policy.inactive_days))))
    await run(
        "deliveries",
        update(Delivery)
        .where(
            col(Delivery.updated_at) < before(policy.deliveries_days),
            col(Delivery.chat_id) != "",
            col(Delivery.status).not_in(OPEN_DELIVERIES),
        )
        .values(chat_id="", name="", message_id="", subscriber_id=-col(Delivery.id)),
    )
    # A decided application, untouched for the period, keeps only anonymous statistics (as after erasure).
    decided = [s for s in CaseStatus if s.final]
    done["cases"] = await cases.anonymise(
        session,
        col(ApplicationCase.status).in_(decided),
        col(ApplicationCase.updated_at) < before(policy.cases_days),
        col(ApplicationCase.chat_id) != "",
    )
    await run("audit", delete(AuditEvent).where(col(AuditEvent.at) < before(policy.audit_days)))
    await run("audit", delete(AdminSession).where(col(AdminSession.expires_at) < now))
    await session.commit()
    return done
