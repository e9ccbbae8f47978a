"""The conversation's PeopleStore over the database: one short session per call (writes via db.writing)."""
from __future__ import annotations

from bot.db import conversation_log, people
from bot.db.engine import Database


class DatabaseStore:
    """Adapts the query functions (which take a session) to handlers.ports.PeopleStore."""

    def __init__(self, db: Database):
        self.db = db
        self._writing = db.writing

    async def touch(self, channel, chat_id, user_id="", name="", question=None):
        async with self._writing() as s:
            await people.touch(s, channel, chat_id, user_id, name, question)

    async def subscribe(self, channel, chat_id, topics):
        async with self._writing() as s:
            return await people.subscribe(s, channel, chat_id, topics)

    async def unsubscribe(self, channel, chat_id):
        async with self._writing() as s:
            return await people.unsubscribe(s, channel, chat_id)

    async def set_blocked(self, channel, chat_id, blocked):
        async with self._writing() as s:
            await people.set_blocked(s, channel, chat_id, blocked)

    async def person_data(self, channel, chat_id):
        async with self.db.session() as s:
            return await people.person_data(s, channel, chat_id)

    async def delete_person(self, channel, chat_id):
        async with self._writing() as s:
            return await people.delete_person(s, channel, chat_id)

    async def last_question(self, channel, chat_id):
        async with self.db.session() as s:
            return await people.last_question(s, channel, chat_id)

    async def log_unanswered(self, text, normalized, status, best_entry_id, best_score):
        async with self._writing() as s:
            await conversation_log.log_unanswered(s, text, normalized, status, best_entry_id, best_score)

    async def add_feedback(self, channel, chat_id, entry_id, helpful, comment=""):
        async with self._writing() as s:
            return await conversation_log.add_feedback(s, channel, chat_id, entry_id, helpful, comment)

    async def set_feedback_comment(self, feedback_id, comment):
        async with self._writing() as s:
            return await conversation_log.set_feedback_comment(s, feedback_id, comment)

    async def open_handoff(self, channel, chat_id, user_name, question):
        async with self._writing() as s:
            return await conversation_log.open_handoff(s, channel, chat_id, user_name, question)

    async def get_handoff(self, handoff_id):
        async with self.db.session() as s:
            return await conversation_log.get_handoff(s, handoff_id)

    async def close_handoff(self, handoff_id):
        async with self._writing() as s:
            handoff = await conversation_log.get_handoff(s, handoff_id)
            if handoff is not None:
                await conversation_log.close_handoff(s, handoff)
