"""Every status the bot stores or reports, as StrEnums: one spelling, checked by the type checker."""

from __future__ import annotations

from enum import StrEnum

from knowledge.confidence import AskStatus

__all__ = [
    "AskStatus",
    "CampaignStatus",
    "ChatEvent",
    "DeliveryStatus",
    "HandoffStatus",
    "OccurrenceStatus",
    "ScheduleKind",
    "SubscriberStatus",
]


class SubscriberStatus(StrEnum):
    """Whether campaigns may reach a chat."""

    ACTIVE = "active"  # subscribed, with consent
    UNSUBSCRIBED = "unsubscribed"  # never subscribed, or left
    BLOCKED = "blocked"  # blocked the bot


class HandoffStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class CampaignStatus(StrEnum):
    """draft → scheduled → sending → done; or cancelled. A recurring campaign stays scheduled between runs."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class OccurrenceStatus(StrEnum):
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class DeliveryStatus(StrEnum):
    """pending → inflight (leased) → sent | failed | blocked | unknown; pending again after a retryable error."""

    PENDING = "pending"
    INFLIGHT = "inflight"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"


class ScheduleKind(StrEnum):
    NOW = "now"
    AT = "at"
    CRON = "cron"


class ChatEvent(StrEnum):
    """Something a platform reports about a chat that is not a message."""

    BLOCKED = "blocked"  # the user blocked the bot (or a send was refused as blocked)
    UNBLOCKED = "unblocked"  # the user allowed the bot again
