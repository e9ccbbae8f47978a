"""The conversation's PeopleStore over the database: one short session per call, rows handed out as views."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.db import conversation_log, erasure, people, question_log
from bot.db.background_writes import BackgroundWrites
from bot.db.database import Database
from bot.db.models import Feedback, HandoffRequest, OaRecipient, Subscriber, utcnow
from handlers.statuses import AskStatus, HandoffStatus, SubscriberStatus
from handlers.views import (
    Application,
    FeedbackView,
    HandoffView,
    OaStanding,
    PersonData,
    PersonView,
    QuestionLogged,
)


def person_view(row: Subscriber) -> PersonView:
    return PersonView(
        row.channel,
        row.chat_id,
        row.display_name,
        SubscriberStatus(row.status),
        tuple(row.topic_list),
        row.consent_at,
        row.first_seen,
        row.last_seen,
        row.last_question,
        row.commune,
        row.sector,
        row.ocop_stars,
        tuple(n for n in row.needs.split(",") if n),
        linked=bool(row.link_key),
    )


def oa_standing(row: OaRecipient) -> OaStanding:
    return OaStanding(row.follows, row.followed_at, row.last_interaction)


def feedback_view(row: Feedback) -> FeedbackView:
    assert row.id is not None  # committed rows have ids
    return FeedbackView(row.id, row.entry_id, row.helpful, row.comment)


def handoff_view(row: HandoffRequest) -> HandoffView:
    assert row.id is not None
    return HandoffView(
        row.id,
        row.code,
        row.channel,
        row.chat_id,
        row.user_name,
        row.question,
        HandoffStatus(row.status),
        row.assigned_name,
        row.created_at,
        row.last_activity_at,
    )


class DatabasePeople:
    """Implements handlers.ports.PeopleStore over the query functions (which take a session). The
    bookkeeping of every message (activity, the unanswered log, clarify picks) goes to `writes`, so an
    answer never waits for it, nor fails with the database."""

    def __init__(self, db: Database, writes: BackgroundWrites | None = None):
        self.db = db
        self.writes = writes

    async def _bookkeep(self, write: Callable[[], Awaitable[None]]) -> None:
        """Hand `write` to the background writer; without one (tests, CLI), write now."""
        if self.writes is None:
            await write()
        else:
            self.writes.submit(write)

    async def _touch(self, channel: str, chat_id: str, user_id: str, name: str, question: str | None) -> None:
        async with self.db.writing() as s:
            await people.touch(s, channel, chat_id, user_id, name, question)

    async def touch(
        self, channel: str, chat_id: str, user_id: str = "", name: str = "", question: str | None = None
    ) -> None:
        await self._bookkeep(lambda: self._touch(channel, chat_id, user_id, name, question))

    async def subscribe(self, channel: str, chat_id: str, topics: list[str]) -> PersonView:
        async with self.db.writing() as s:
            return person_view(await people.subscribe(s, channel, chat_id, topics))

    async def unsubscribe(self, channel: str, chat_id: str) -> bool:
        async with self.db.writing() as s:
            return await people.unsubscribe(s, channel, chat_id)

    async def set_blocked(self, channel: str, chat_id: str, blocked: bool) -> None:
        async with self.db.writing() as s:
            await people.set_blocked(s, channel, chat_id, blocked)

    async def person_data(self, channel: str, chat_id: str) -> PersonData:
        async with self.db.session() as s:
            data = await erasure.stored_about(s, channel, chat_id)
        return PersonData(
            person_view(data.person) if data.person is not None else None,
            [feedback_view(f) for f in data.feedback],
            [handoff_view(h) for h in data.requests],
            data.request_messages,
            data.questions,
            data.deliveries,
            data.cases,
            oa_standing(data.oa) if data.oa is not None else None,
        )

    async def delete_person(self, channel: str, chat_id: str) -> int:
        if self.writes is not None:
            await self.writes.flush()  # an earlier message's activity must not re-create the row afterwards
        async with self.db.writing() as s:
            return await erasure.erase(s, channel, chat_id)

    async def last_question(self, channel: str, chat_id: str) -> str:
        async with self.db.session() as s:
            return await people.last_question(s, channel, chat_id)

    async def set_profile(self, channel: str, chat_id: str, application: Application) -> None:
        async with self.db.writing() as s:
            await people.set_profile(s, channel, chat_id, application)

    async def log_unanswered(
        self,
        asker: tuple[str, str],
        text: str,
        normalized: str,
        status: AskStatus,
        best_entry_id: str | None,
        best_score: float,
    ) -> None:
        async def write() -> None:
            async with self.db.writing() as s:
                await conversation_log.log_unanswered(s, text, normalized, status, best_entry_id, best_score, asker)

        await self._bookkeep(write)

    async def record_choice(self, asker: tuple[str, str], question: str, normalized: str, entry_id: str) -> None:
        async def write() -> None:
            async with self.db.writing() as s:
                await conversation_log.record_choice(s, question, normalized, entry_id, asker)

        await self._bookkeep(write)

    async def count_answer(self, entry_id: str) -> None:
        day = utcnow().date()

        async def write() -> None:
            async with self.db.writing() as s:
                await conversation_log.count_answer(s, entry_id, day)

        await self._bookkeep(write)

    async def log_question(self, event: QuestionLogged) -> None:
        async def write() -> None:
            async with self.db.writing() as s:
                await question_log.record(s, event)

        await self._bookkeep(write)

    async def vote(self, channel: str, chat_id: str, entry_id: str, helpful: bool) -> FeedbackView:
        async with self.db.writing() as s:
            return feedback_view(await conversation_log.vote(s, channel, chat_id, entry_id, helpful))

    async def set_feedback_comment(self, channel: str, chat_id: str, entry_id: str, comment: str) -> bool:
        async with self.db.writing() as s:
            return await conversation_log.set_feedback_comment(s, channel, chat_id, entry_id, comment)

    async def feedback_of(self, channel: str, chat_id: str, feedback_id: int) -> FeedbackView | None:
        async with self.db.session() as s:
            row = await conversation_log.feedback_of(s, channel, chat_id, feedback_id)
        return feedback_view(row) if row is not None else None
