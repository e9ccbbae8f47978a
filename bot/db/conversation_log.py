"""Queries on what conversations leave behind: the last question, unanswered questions, feedback, handoffs."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import case, delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.dml import Update
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import ClarifyChoice, Feedback, HandoffRequest, UnansweredQuestion, utcnow
from handlers.statuses import HandoffStatus

MAX_STORED_TEXT = 2000


async def _count(session: AsyncSession, bump: Update, first: Callable[[], SQLModel]) -> None:
    """Add one to a counted row (`bump`, an UPDATE), or insert it (`first`) when there is none yet: atomic
    under concurrency, since a row inserted meanwhile makes the insert fail and the second UPDATE count."""
    for _ in range(2):
        if (await session.exec(bump)).rowcount:
            await session.commit()
            return
        session.add(first())
        try:
            await session.commit()
            return
        except IntegrityError:
            await session.rollback()


async def record_choice(session: AsyncSession, text: str, normalized: str, entry_id: str) -> None:
    """Count one pick of `entry_id` after a question back on `text` (atomic under concurrency)."""
    normalized = (normalized or text.strip().lower())[:512]
    bump = (
        update(ClarifyChoice)
        .where(col(ClarifyChoice.normalized) == normalized, col(ClarifyChoice.entry_id) == entry_id)
        .values(count=ClarifyChoice.count + 1, last_picked=utcnow())
    )
    await _count(
        session, bump, lambda: ClarifyChoice(normalized=normalized, text=text[:MAX_STORED_TEXT], entry_id=entry_id)
    )


async def clarify_choices(session: AsyncSession, limit: int = 20) -> list[ClarifyChoice]:
    """The pairs (question → picked entry), most picked first: phrasings admins may add."""
    result = await session.exec(
        select(ClarifyChoice)
        .order_by(col(ClarifyChoice.count).desc(), col(ClarifyChoice.last_picked).desc())
        .limit(limit)
    )
    return list(result.all())


async def log_unanswered(
    session: AsyncSession, text: str, normalized: str, status: str, best_entry_id: str | None, best_score: float
) -> None:
    """Count a question the bot could not answer, once per normalised text (atomic under concurrency)."""
    normalized = (normalized or text.strip().lower())[:512]
    bump = (
        update(UnansweredQuestion)
        .where(col(UnansweredQuestion.normalized) == normalized)
        .values(
            count=UnansweredQuestion.count + 1,
            last_asked=utcnow(),
            status=status,
            best_entry_id=best_entry_id,
            best_score=best_score,
        )
    )
    await _count(
        session,
        bump,
        lambda: UnansweredQuestion(
            normalized=normalized,
            text=text[:MAX_STORED_TEXT],
            status=status,
            best_entry_id=best_entry_id,
            best_score=best_score,
        ),
    )


async def unanswered(session: AsyncSession, limit: int = 50) -> list[UnansweredQuestion]:
    result = await session.exec(
        select(UnansweredQuestion)
        .order_by(col(UnansweredQuestion.count).desc(), col(UnansweredQuestion.last_asked).desc())
        .limit(limit)
    )
    return list(result.all())


async def forget_unanswered(session: AsyncSession, normalized: list[str]) -> int:
    """Drop questions an admin has turned into phrasings of an entry; asked again unanswered, they come back."""
    if not normalized:
        return 0
    result = await session.exec(delete(UnansweredQuestion).where(col(UnansweredQuestion.normalized).in_(normalized)))
    await session.commit()
    return result.rowcount or 0


async def feedback_by_entry(session: AsyncSession, limit: int = 20) -> list[tuple[str, int, int]]:
    """(entry id, 👎 count, 👍 count) for the entries with 👎, most 👎 first."""
    unhelpful = func.sum(case((col(Feedback.helpful), 0), else_=1))
    helpful = func.sum(case((col(Feedback.helpful), 1), else_=0))
    rows = await session.exec(
        select(Feedback.entry_id, unhelpful, helpful)
        .group_by(Feedback.entry_id)
        .having(unhelpful > 0)
        .order_by(unhelpful.desc(), Feedback.entry_id)
        .limit(limit)
    )
    return [(entry_id, int(bad), int(good)) for entry_id, bad, good in rows.all()]


async def recent_comments(session: AsyncSession, limit: int = 10) -> list[Feedback]:
    """The latest 👎 feedback that came with a comment."""
    rows = await session.exec(
        select(Feedback)
        .where(Feedback.comment != "", Feedback.helpful == False)  # noqa: E712
        .order_by(col(Feedback.created_at).desc(), col(Feedback.id).desc())
        .limit(limit)
    )
    return list(rows.all())


async def add_feedback(
    session: AsyncSession, channel: str, chat_id: str, entry_id: str, helpful: bool, comment: str = ""
) -> Feedback:
    row = Feedback(
        channel=channel, chat_id=chat_id, entry_id=entry_id, helpful=helpful, comment=comment[:MAX_STORED_TEXT]
    )
    session.add(row)
    await session.commit()
    return row


async def open_handoff(
    session: AsyncSession, channel: str, chat_id: str, user_name: str, question: str
) -> HandoffRequest:
    row = HandoffRequest(
        channel=channel, chat_id=chat_id, user_name=user_name[:256], question=question[:MAX_STORED_TEXT]
    )
    session.add(row)
    await session.commit()
    return row


async def get_handoff(session: AsyncSession, handoff_id: int) -> HandoffRequest | None:
    return await session.get(HandoffRequest, handoff_id)


async def close_handoff(session: AsyncSession, handoff: HandoffRequest) -> None:
    handoff.status = HandoffStatus.ANSWERED
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
