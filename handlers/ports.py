"""What the conversation needs from the outside world, as protocols: handlers stay free of database code."""

from __future__ import annotations

from typing import Any, Protocol

from handlers.statuses import AskStatus, CaseEventKind, CaseStatus, HandoffAuthor
from handlers.types import Attachment, Reply
from handlers.views import (
    Application,
    AudienceOption,
    CampaignDraft,
    CampaignPlan,
    CampaignSummary,
    CaseEventView,
    CaseView,
    FeedbackView,
    HandoffMessageView,
    HandoffView,
    PersonData,
    PersonView,
    QuestionLogged,
    Sent,
)


class PeopleStore(Protocol):
    """Implemented over the database in bot/db/people_port.py; every method is one short transaction."""

    async def touch(self, channel: str, chat_id: str, user_id: str, name: str, question: str | None = None) -> None:
        """Record activity (and the chat's latest question) in one write."""

    async def subscribe(self, channel: str, chat_id: str, topics: list[str]) -> PersonView: ...

    async def unsubscribe(self, channel: str, chat_id: str) -> bool: ...

    async def set_blocked(self, channel: str, chat_id: str, blocked: bool) -> None: ...

    async def person_data(self, channel: str, chat_id: str) -> PersonData: ...

    async def delete_person(self, channel: str, chat_id: str) -> int:
        """Erase every row that names or reaches this chat (bot/db/erasure.py)."""

    async def last_question(self, channel: str, chat_id: str) -> str: ...

    async def log_unanswered(
        self,
        asker: tuple[str, str],
        text: str,
        normalized: str,
        status: AskStatus,
        best_entry_id: str | None,
        best_score: float,
    ) -> None:
        """Count a question the bot could not answer; `text` comes redacted, `asker` is (channel, chat id)."""

    async def record_choice(self, asker: tuple[str, str], question: str, normalized: str, entry_id: str) -> None:
        """A question the bot asked back on, and the entry the user then picked (for the admins' review)."""

    async def count_answer(self, entry_id: str) -> None:
        """One more question answered with this entry today (no one's data: for "most asked")."""

    async def set_profile(self, channel: str, chat_id: str, application: Application) -> None:
        """Copy an application's commune, sector, OCOP rating and needs onto the chat's subscriber profile
        (campaign audiences `commune:`, `sector:`, `ocop:3+`, `need:`)."""

    async def log_question(self, event: QuestionLogged) -> None:
        """One question handled, for the dashboard: channel, outcome, entry, confidence, time taken; no one's data."""

    async def vote(self, channel: str, chat_id: str, entry_id: str, helpful: bool) -> FeedbackView:
        """One vote per chat and entry; voting again changes it."""

    async def set_feedback_comment(self, channel: str, chat_id: str, entry_id: str, comment: str) -> bool: ...

    async def feedback_of(self, channel: str, chat_id: str, feedback_id: int) -> FeedbackView | None:
        """A feedback row by id, only if it belongs to this chat."""


class HandoffStore(Protocol):
    """Requests to talk to staff and their transcripts; implemented in bot/db/handoff_port.py."""

    async def open(self, channel: str, chat_id: str, user_id: str, user_name: str, question: str) -> HandoffView: ...

    async def live_for(self, channel: str, chat_id: str) -> HandoffView | None:
        """The chat's request still open or taken."""

    async def get(self, request_id: int) -> HandoffView | None: ...

    async def add_message(self, request_id: int, author: HandoffAuthor, text: str, author_name: str = "") -> int:
        """Append to the transcript; returns the message's id."""

    async def mark_copied(self, message_id: int, staff_message: str) -> None:
        """Where the staff chat shows a transcript message (`channel:chat:message_id`)."""

    async def by_staff_message(self, staff_message: str) -> HandoffView | None: ...

    async def take(self, request_id: int, staff: str, staff_name: str) -> HandoffView | None: ...

    async def close(self, request_id: int, note: str = "") -> HandoffView | None: ...

    async def claim(self, request_id: int, staff: str, staff_name: str, seen: str) -> bool:
        """Take a live request only if its assignee is still `seen` ("" while open); False if someone else
        took it, or it was closed, meanwhile (two takes at once: exactly one wins)."""

    async def close_live(self, request_id: int, note: str = "") -> bool:
        """Close a request only if it is still live; False when it was closed already."""

    async def live(self, limit: int = 20) -> list[HandoffView]: ...

    async def transcript(self, request_id: int) -> list[HandoffMessageView]: ...


class CaseStore(Protocol):
    """Applications for support and their history; implemented in bot/db/case_port.py (memory fake in
    tests/fakes/memory.py)."""

    async def create(self, channel: str, chat_id: str, user_name: str, application: Application) -> CaseView:
        """Store a confirmed application as a new case (status NEW) with its consent time, in one transaction."""

    async def get(self, case_id: int) -> CaseView | None: ...

    async def for_chat(self, channel: str, chat_id: str) -> list[CaseView]:
        """The chat's cases, newest first (/hoso)."""

    async def change_status(
        self, case_id: int, status: CaseStatus, actor: str, actor_name: str, note: str, expected: CaseStatus
    ) -> CaseView | None:
        """Move a case from `expected` to `status` and record it; None, and nothing changed, if its status
        is no longer `expected` (two staff at once: exactly one wins)."""

    async def add_event(self, case_id: int, kind: CaseEventKind, actor: str, actor_name: str, text: str) -> None:
        """A staff note or the business's answer, appended to the case's history."""

    async def events(self, case_id: int) -> list[CaseEventView]:
        """The case's history, oldest first."""

    async def listing(self, status: CaseStatus | None = None, limit: int = 50) -> list[CaseView]:
        """Cases, newest first, optionally of one status."""


class Messenger(Protocol):
    """Sends a message to another chat than the one being answered (staff chat, a user staff answer) and
    says whether it arrived; implemented by the channel relay."""

    async def send(self, channel: str, chat_id: str, reply: Reply) -> Sent: ...


class CampaignDesk(Protocol):
    """What staff can do with campaigns from a chat; implemented in bot/broadcast/desk.py. Problems come
    back as ValueError (or a returned string) in Vietnamese, ready to show."""

    async def audience_options(self) -> list[AudienceOption]:
        """Ready-made audiences to choose from, with their sizes now."""

    async def check_text(self, text: str, audience: str = "") -> str | None:
        """Why this text cannot go (empty, too long for a channel of `audience` — all channels if ""), or None."""

    async def plan(self, draft: CampaignDraft) -> CampaignPlan:
        """Read the draft's audience and time (as typed) and check everything; ValueError if something is wrong."""

    async def create(self, draft: CampaignDraft, created_by: str) -> int:
        """Create and schedule (`draft.when` as `plan` resolved it); ValueError if wrong."""

    def sample(self, draft: CampaignDraft, channel: str, name: str) -> Reply:
        """The message exactly as a recipient on `channel` called `name` gets it (for a test send)."""

    async def listing(self) -> list[CampaignSummary]: ...

    async def status(self, campaign_id: int) -> CampaignSummary | None: ...

    async def cancel(self, campaign_id: int) -> str: ...

    async def resend_unknowns(self, campaign_id: int) -> int: ...

    async def report(self, campaign_id: int) -> Attachment | None:
        """The delivery report as an Excel file, or None when there is no such campaign."""


class StateStore(Protocol):
    """Conversation state shared by every process of one bot (DESIGN.md: several `bot run` processes behind
    one webhook give one conversation). Keys are `KIND:CHANNEL:CHAT_ID`; values are JSON-like dicts that
    expire after `ttl` seconds. Implemented over the database (bot/db/state.py) and in memory."""

    async def get(self, key: str) -> dict[str, Any] | None: ...

    async def get_many(self, keys: list[str]) -> dict[str, dict[str, Any] | None]:
        """Several keys in one read (one query where one `get` each would be several); absent ones map to None."""

    async def put(self, key: str, value: dict[str, Any], ttl: float) -> None: ...

    async def delete(self, key: str) -> None: ...

    async def forget_chat(self, channel: str, chat_id: str) -> int:
        """Drop every key of one chat (erasure); returns how many went."""

    async def count_chat(self, channel: str, chat_id: str) -> int:
        """How many live keys one chat has (for "show my data")."""


class ConversationMetrics(Protocol):
    """Counts what the conversation does, for /metrics; a null object where nobody scrapes."""

    def question(self, status: AskStatus, seconds: float) -> None: ...


class NoMetrics:
    """The null ConversationMetrics."""

    def question(self, status: AskStatus, seconds: float) -> None:
        return None
