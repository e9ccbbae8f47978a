"""Queries on what conversations leave behind: unanswered questions, picks after a question back, feedback."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import ClarifyChoice, EntryAnswerCount, Feedback, QuestionAsker, UnansweredQuestion, utcnow
from bot.db.upsert import update_or_insert
from handlers.statuses import LoggedQuestion

MAX_STORED_TEXT = 2000


async def _asked_by(
    session: AsyncSession, kind: LoggedQuestion, question_id: int | None, asker: tuple[str, str]
) -> None:
    """Link a logged question to the chat that produced it, for erasure and retention."""
    if question_id is None or not asker[1]:
        return
    session.add(QuestionAsker(kind=kind, question_id=question_id, channel=asker[0], chat_id=asker[1]))
    await session.commit()


async def record_choice(
    session: AsyncSession, text: str, normalized: str, entry_id: str, asker: tuple[str, str] = ("", "")
) -> None:
    """Count one pick of `entry_id` after a question back on `text` (atomic under concurrency); `text` comes
    redacted, and `asker` (channel, chat id) is kept apart so that erasure can find the row."""
    normalized = (normalized or text.strip().lower())[:512]
    bump = (
        update(ClarifyChoice)
        .where(col(ClarifyChoice.normalized) == normalized, col(ClarifyChoice.entry_id) == entry_id)
        .values(count=ClarifyChoice.count + 1, last_picked=utcnow())
    )
    await update_or_insert(
        session, bump, lambda: ClarifyChoice(normalized=normalized, text=text[:MAX_STORED_TEXT], entry_id=entry_id)
    )
    found = await session.exec(
        select(ClarifyChoice.id).where(ClarifyChoice.normalized == normalized, ClarifyChoice.entry_id == entry_id)
    )
    await _asked_by(session, LoggedQuestion.CLARIFY, found.first(), asker)


async def clarify_choices(session: AsyncSession, limit: int = 20) -> list[ClarifyChoice]:
    """The pairs (question → picked entry), most picked first: phrasings admins may add."""
    result = await session.exec(
        select(ClarifyChoice)
        .order_by(col(ClarifyChoice.count).desc(), col(ClarifyChoice.last_picked).desc())
        .limit(limit)
    )
    return list(result.all())


async def log_unanswered(
    session: AsyncSession,
    text: str,
    normalized: str,
    status: str,
    best_entry_id: str | None,
    best_score: float,
    asker: tuple[str, str] = ("", ""),
) -> None:
    """Count a question the bot could not answer, once per normalised text (atomic under concurrency); `text`
    comes redacted, and `asker` (channel, chat id) is kept apart so that erasure can find the row."""
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
    await update_or_insert(
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
    found = await session.exec(select(UnansweredQuestion.id).where(UnansweredQuestion.normalized == normalized))
    await _asked_by(session, LoggedQuestion.UNANSWERED, found.first(), asker)


async def unanswered(session: AsyncSession, limit: int = 50) -> list[UnansweredQuestion]:
    """The gaps to fill, most asked first: questions an admin dismissed as off-topic are left out."""
    result = await session.exec(
        select(UnansweredQuestion)
        .where(col(UnansweredQuestion.dismissed_at).is_(None))
        .order_by(col(UnansweredQuestion.count).desc(), col(UnansweredQuestion.last_asked).desc())
        .limit(limit)
    )
    return list(result.all())


async def dismiss_unanswered(session: AsyncSession, normalized: list[str]) -> int:
    """Off-topic: keep counting these questions but stop showing them as gaps."""
    if not normalized:
        return 0
    result = await session.exec(
        update(UnansweredQuestion)
        .where(col(UnansweredQuestion.normalized).in_(normalized), col(UnansweredQuestion.dismissed_at).is_(None))
        .values(dismissed_at=utcnow())
    )
    await session.commit()
    return result.rowcount or 0


async def forget_choices(session: AsyncSession, choice_ids: list[int]) -> int:
    """Drop picks after a question back that an admin has dealt with (added as a phrasing, or not wanted)."""
    if not choice_ids:
        return 0
    result = await session.exec(delete(ClarifyChoice).where(col(ClarifyChoice.id).in_(choice_ids)))
    await session.exec(
        delete(QuestionAsker).where(
            col(QuestionAsker.kind) == LoggedQuestion.CLARIFY, col(QuestionAsker.question_id).in_(choice_ids)
        )
    )
    await session.commit()
    return result.rowcount or 0


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


async def vote(session: AsyncSession, channel: str, chat_id: str, entry_id: str, helpful: bool) -> Feedback:
    """One vote per chat and entry: a second press changes it (a comment already given stays)."""
    for _ in range(2):
        found = await session.exec(
            select(Feedback).where(
                Feedback.channel == channel, Feedback.chat_id == chat_id, Feedback.entry_id == entry_id
            )
        )
        row = found.first()
        if row is None:
            row = Feedback(channel=channel, chat_id=chat_id, entry_id=entry_id, helpful=helpful)
        else:
            row.helpful = helpful
            row.created_at = utcnow()
        session.add(row)
        try:
            await session.commit()
            return row
        except IntegrityError:  # the same chat voted twice at once; the other insert won, update it
            await session.rollback()
    raise RuntimeError("vote could not be stored")


async def set_feedback_comment(session: AsyncSession, channel: str, chat_id: str, entry_id: str, comment: str) -> bool:
    """The comment on this chat's own vote for `entry_id` (nobody else's row can be named)."""
    result = await session.exec(
        update(Feedback)
        .where(col(Feedback.channel) == channel, col(Feedback.chat_id) == chat_id, col(Feedback.entry_id) == entry_id)
        .values(comment=comment[:MAX_STORED_TEXT])
    )
    await session.commit()
    return bool(result.rowcount)


async def feedback_of(session: AsyncSession, channel: str, chat_id: str, feedback_id: int) -> Feedback | None:
    """A feedback row by id, only if it is this chat's own (old "write a comment" buttons carry the id)."""
    row = await session.get(Feedback, feedback_id)
    return row if row is not None and (row.channel, row.chat_id) == (channel, chat_id) else None


async def count_answer(session: AsyncSession, entry_id: str, day: dt.date) -> None:
    """One more question answered with `entry_id` today (atomic under concurrency)."""
    bump = (
        update(EntryAnswerCount)
        .where(col(EntryAnswerCount.entry_id) == entry_id, col(EntryAnswerCount.day) == day)
        .values(count=EntryAnswerCount.count + 1)
    )
    await update_or_insert(session, bump, lambda: EntryAnswerCount(entry_id=entry_id, day=day, count=1))


async def most_answered(session: AsyncSession, since: dt.date) -> dict[str, int]:
    """Questions answered per entry since `since`."""
    total = func.sum(EntryAnswerCount.count)
    rows = await session.exec(
        select(EntryAnswerCount.entry_id, total)
        .where(col(EntryAnswerCount.day) >= since)
        .group_by(EntryAnswerCount.entry_id)
    )
    return {entry_id: int(count) for entry_id, count in rows.all()}
