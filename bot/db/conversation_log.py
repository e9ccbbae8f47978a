"""Queries on what conversations leave behind: the last question, unanswered questions, feedback, handoffs."""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Feedback, HandoffRequest, UnansweredQuestion, utcnow

MAX_STORED_TEXT = 2000


async def log_unanswered(session: AsyncSession, text: str, normalized: str, status: str,
                         best_entry_id: str | None, best_score: float) -> None:
    """Count a question the bot could not answer, once per normalised text (atomic under concurrency)."""
    normalized = (normalized or text.strip().lower())[:512]
    bump = (update(UnansweredQuestion).where(UnansweredQuestion.normalized == normalized)
            .values(count=UnansweredQuestion.count + 1, last_asked=utcnow(), status=status,
                    best_entry_id=best_entry_id, best_score=best_score))
    for _ in range(2):
        if (await session.exec(bump)).rowcount:
            await session.commit()
            return
        session.add(UnansweredQuestion(normalized=normalized, text=text[:MAX_STORED_TEXT], status=status,
                                       best_entry_id=best_entry_id, best_score=best_score))
        try:
            await session.commit()
            return
        except IntegrityError:
            await session.rollback()  # inserted concurrently: the update will count it


async def unanswered(session: AsyncSession, limit: int = 50) -> list[UnansweredQuestion]:
    result = await session.exec(select(UnansweredQuestion)
                                .order_by(UnansweredQuestion.count.desc(), UnansweredQuestion.last_asked.desc())
                                .limit(limit))
    return list(result.all())


async def add_feedback(session: AsyncSession, channel: str, chat_id: str, entry_id: str, helpful: bool,
                       comment: str = "") -> Feedback:
    row = Feedback(channel=channel, chat_id=chat_id, entry_id=entry_id, helpful=helpful,
                   comment=comment[:MAX_STORED_TEXT])
    session.add(row)
    await session.commit()
    return row


async def open_handoff(session: AsyncSession, channel: str, chat_id: str, user_name: str,
                       question: str) -> HandoffRequest:
    row = HandoffRequest(channel=channel, chat_id=chat_id, user_name=user_name[:256],
                         question=question[:MAX_STORED_TEXT])
    session.add(row)
    await session.commit()
    return row


async def get_handoff(session: AsyncSession, handoff_id: int) -> HandoffRequest | None:
    return await session.get(HandoffRequest, handoff_id)


async def close_handoff(session: AsyncSession, handoff: HandoffRequest) -> None:
    handoff.status = "answered"
    handoff.answered_at = utcnow()
    session.add(handoff)
    await session.commit()


async def set_feedback_comment(session: AsyncSession, feedback_id: int, comment: str) -> bool:
    row = await session.get(Feedback, feedback_id)
    if row is None:
        return False
    row.comment = comment[:MAX_STORED_TEXT]
    session.add(row)
    await session.commit()
    return True
