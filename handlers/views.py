"""What the storage ports hand the handlers: small frozen dataclasses, never ORM rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from handlers.statuses import HandoffStatus, SubscriberStatus


@dataclass(frozen=True)
class PersonView:
    """One chat as the bot knows it."""

    channel: str
    chat_id: str
    display_name: str = ""
    status: SubscriberStatus = SubscriberStatus.UNSUBSCRIBED
    topics: tuple[str, ...] = ()  # empty with status active: every topic
    consent_at: dt.datetime | None = None
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None
    last_question: str = ""

    @property
    def subscribed(self) -> bool:
        return self.status is SubscriberStatus.ACTIVE


@dataclass(frozen=True)
class FeedbackView:
    id: int
    entry_id: str
    helpful: bool
    comment: str = ""


@dataclass(frozen=True)
class HandoffView:
    """A request to talk to a person; `channel`/`chat_id` are where staff answers go."""

    id: int
    channel: str
    chat_id: str
    user_name: str = ""
    question: str = ""
    status: HandoffStatus = HandoffStatus.OPEN


@dataclass(frozen=True)
class PersonData:
    """Everything stored about one chat, for "show my data"."""

    person: PersonView | None
    feedback: list[FeedbackView] = field(default_factory=list)
    handoffs: list[HandoffView] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.person is None and not self.feedback and not self.handoffs


@dataclass(frozen=True)
class AudienceOption:
    """A ready-made audience staff can pick in chat: its label, expression and size now."""

    label: str
    expression: str
    size: int


@dataclass(frozen=True)
class CampaignSummary:
    """A campaign as staff see it in chat: status, text and delivery counts per status."""

    id: int
    status: str
    text: str
    audience: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)
