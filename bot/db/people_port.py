"""The conversation's PeopleStore over the database: one short session per call, rows handed out as views."""

from __future__ import annotations

from bot.db import conversation_log, people
from bot.db.database import Database
from bot.db.models import Feedback, HandoffRequest, Subscriber
from handlers.statuses import AskStatus, HandoffStatus, SubscriberStatus
from handlers.views import FeedbackView, HandoffView, PersonData, PersonView


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
    )


def feedback_view(row: Feedback) -> FeedbackView:
    assert row.id is not None  # committed rows have ids
    return FeedbackView(row.id, row.entry_id, row.helpful, row.comment)


def handoff_view(row: HandoffRequest) -> HandoffView:
    assert row.id is not None
    return HandoffView(row.id, row.channel, row.chat_id, row.user_name, row.question, HandoffStatus(row.status))


class DatabasePeople:
    """Implements handlers.ports.PeopleStore over the query functions (which take a session)."""

    def __init__(self, db: Database):
        self.db = db

    async def touch(
        self, channel: str, chat_id: str, user_id: str = "", name: str = "", question: str | None = None
    ) -> None:
        async with self.db.writing() as s:
            await people.touch(s, channel, chat_id, user_id, name, question)

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
            data = await people.person_data(s, channel, chat_id)
        person = data["person"]
        return PersonData(
            person_view(person) if person is not None else None,
            [feedback_view(f) for f in data["feedback"]],
            [handoff_view(h) for h in data["handoffs"]],
        )

    async def delete_person(self, channel: str, chat_id: str) -> int:
        async with self.db.writing() as s:
            return await people.delete_person(s, channel, chat_id)

    async def last_question(self, channel: str, chat_id: str) -> str:
        async with self.db.session() as s:
            return await people.last_question(s, channel, chat_id)

    async def log_unanswered(
        self, text: str, normalized: str, status: AskStatus, best_entry_id: str | None, best_score: float
    ) -> None:
        async with self.db.writing() as s:
            await conversation_log.log_unanswered(s, text, normalized, status, best_entry_id, best_score)

    async def record_choice(self, question: str, normalized: str, entry_id: str) -> None:
        async with self.db.writing() as s:
            await conversation_log.record_choice(s, question, normalized, entry_id)

    async def add_feedback(
        self, channel: str, chat_id: str, entry_id: str, helpful: bool, comment: str = ""
    ) -> FeedbackView:
        async with self.db.writing() as s:
            return feedback_view(await conversation_log.add_feedback(s, channel, chat_id, entry_id, helpful, comment))

    async def set_feedback_comment(self, feedback_id: int, comment: str) -> bool:
        async with self.db.writing() as s:
            return await conversation_log.set_feedback_comment(s, feedback_id, comment)

    async def open_handoff(self, channel: str, chat_id: str, user_name: str, question: str) -> HandoffView:
        async with self.db.writing() as s:
            return handoff_view(await conversation_log.open_handoff(s, channel, chat_id, user_name, question))

    async def get_handoff(self, handoff_id: int) -> HandoffView | None:
        async with self.db.session() as s:
            row = await conversation_log.get_handoff(s, handoff_id)
        return handoff_view(row) if row is not None else None

    async def close_handoff(self, handoff_id: int) -> None:
        async with self.db.writing() as s:
            handoff = await conversation_log.get_handoff(s, handoff_id)
            if handoff is not None:
                await conversation_log.close_handoff(s, handoff)
