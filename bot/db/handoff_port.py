"""The conversation's HandoffStore over the database: requests to talk to staff, and their transcripts."""

from __future__ import annotations

from bot.db import handoffs
from bot.db.database import Database
from bot.db.people_port import handoff_view
from handlers.statuses import HandoffAuthor
from handlers.views import HandoffMessageView, HandoffView


class DatabaseHandoffs:
    """Implements handlers.ports.HandoffStore; one short session per call."""

    def __init__(self, db: Database):
        self.db = db

    async def open(self, channel: str, chat_id: str, user_id: str, user_name: str, question: str) -> HandoffView:
        async with self.db.writing() as s:
            return handoff_view(await handoffs.open_request(s, channel, chat_id, user_id, user_name, question))

    async def live_for(self, channel: str, chat_id: str) -> HandoffView | None:
        async with self.db.session() as s:
            row = await handoffs.live_request(s, channel, chat_id)
        return handoff_view(row) if row is not None else None

    async def get(self, request_id: int) -> HandoffView | None:
        async with self.db.session() as s:
            row = await handoffs.get_request(s, request_id)
        return handoff_view(row) if row is not None else None

    async def add_message(self, request_id: int, author: HandoffAuthor, text: str, author_name: str = "") -> int:
        async with self.db.writing() as s:
            row = await handoffs.add_message(s, request_id, author, text, author_name)
        assert row.id is not None
        return row.id

    async def mark_copied(self, message_id: int, staff_message: str) -> None:
        async with self.db.writing() as s:
            await handoffs.mark_copied(s, message_id, staff_message)

    async def by_staff_message(self, staff_message: str) -> HandoffView | None:
        async with self.db.session() as s:
            row = await handoffs.request_of_staff_message(s, staff_message)
        return handoff_view(row) if row is not None else None

    async def take(self, request_id: int, staff: str, staff_name: str) -> HandoffView | None:
        async with self.db.writing() as s:
            row = await handoffs.get_request(s, request_id)
            return handoff_view(await handoffs.take(s, row, staff, staff_name)) if row is not None else None

    async def close(self, request_id: int, note: str = "") -> HandoffView | None:
        async with self.db.writing() as s:
            row = await handoffs.get_request(s, request_id)
            return handoff_view(await handoffs.close(s, row, note)) if row is not None else None

    async def claim(self, request_id: int, staff: str, staff_name: str, seen: str) -> bool:
        async with self.db.writing() as s:
            return await handoffs.claim(s, request_id, staff, staff_name, seen)

    async def close_live(self, request_id: int, note: str = "") -> bool:
        async with self.db.writing() as s:
            return await handoffs.close_live(s, request_id, note)

    async def live(self, limit: int = 20) -> list[HandoffView]:
        async with self.db.session() as s:
            return [handoff_view(r) for r in await handoffs.live_requests(s, limit)]

    async def transcript(self, request_id: int) -> list[HandoffMessageView]:
        async with self.db.session() as s:
            rows = await handoffs.transcript(s, request_id)
        return [HandoffMessageView(HandoffAuthor(r.author), r.text, r.author_name, r.created_at) for r in rows]
