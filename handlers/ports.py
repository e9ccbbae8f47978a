"""What the conversation needs from the outside world, as protocols: handlers stay free of database code."""

from __future__ import annotations

from typing import Any, Protocol

from handlers.statuses import AskStatus
from handlers.views import AudienceOption, CampaignSummary, FeedbackView, HandoffView, PersonData, PersonView


class PeopleStore(Protocol):
    """Implemented over the database in bot/db/people_port.py; every method is one short transaction."""

    async def touch(self, channel: str, chat_id: str, user_id: str, name: str, question: str | None = None) -> None:
        """Record activity (and the chat's latest question) in one write."""

    async def subscribe(self, channel: str, chat_id: str, topics: list[str]) -> PersonView: ...

    async def unsubscribe(self, channel: str, chat_id: str) -> bool: ...

    async def set_blocked(self, channel: str, chat_id: str, blocked: bool) -> None: ...

    async def person_data(self, channel: str, chat_id: str) -> PersonData: ...

    async def delete_person(self, channel: str, chat_id: str) -> int: ...

    async def last_question(self, channel: str, chat_id: str) -> str: ...

    async def log_unanswered(
        self, text: str, normalized: str, status: AskStatus, best_entry_id: str | None, best_score: float
    ) -> None: ...

    async def record_choice(self, question: str, normalized: str, entry_id: str) -> None:
        """A question the bot asked back on, and the entry the user then picked (for the admins' review)."""

    async def add_feedback(
        self, channel: str, chat_id: str, entry_id: str, helpful: bool, comment: str = ""
    ) -> FeedbackView: ...

    async def set_feedback_comment(self, feedback_id: int, comment: str) -> bool: ...

    async def open_handoff(self, channel: str, chat_id: str, user_name: str, question: str) -> HandoffView: ...

    async def get_handoff(self, handoff_id: int) -> HandoffView | None: ...

    async def close_handoff(self, handoff_id: int) -> None: ...


class CampaignDesk(Protocol):
    """What staff can do with campaigns from a chat; implemented in bot/broadcast/desk.py."""

    async def audience_options(self) -> list[AudienceOption]:
        """Ready-made audiences to choose from, with their sizes now."""

    async def create(self, text: str, audience: str, when: str, created_by: str) -> int:
        """Create and schedule; `when` is "now", "YYYY-MM-DD HH:MM" or a recurrence. ValueError if wrong."""

    async def check(self, text: str, audience: str, when: str) -> str | None:
        """Why this campaign could not be created, or None."""

    async def listing(self) -> list[CampaignSummary]: ...

    async def status(self, campaign_id: int) -> CampaignSummary | None: ...

    async def cancel(self, campaign_id: int) -> str: ...

    async def resend_unknowns(self, campaign_id: int) -> int: ...


class StateStore(Protocol):
    """Conversation state shared by every process of one bot (DESIGN.md: several `bot run` processes behind
    one webhook give one conversation). Keys are `KIND:CHANNEL:CHAT_ID`; values are JSON-like dicts that
    expire after `ttl` seconds. Implemented over the database (bot/db/state.py) and in memory."""

    async def get(self, key: str) -> dict[str, Any] | None: ...

    async def put(self, key: str, value: dict[str, Any], ttl: float) -> None: ...

    async def delete(self, key: str) -> None: ...

    async def forget_chat(self, channel: str, chat_id: str) -> int:
        """Drop every key of one chat (erasure); returns how many went."""


class ConversationMetrics(Protocol):
    """Counts what the conversation does, for /metrics; a null object where nobody scrapes."""

    def question(self, status: AskStatus, seconds: float) -> None: ...


class NoMetrics:
    """The null ConversationMetrics."""

    def question(self, status: AskStatus, seconds: float) -> None:
        return None
