"""Every status the bot stores or reports, as StrEnums: one spelling, checked by the type checker."""

from __future__ import annotations

from enum import StrEnum

from knowledge.confidence import AskStatus

__all__ = [
    "OPEN_DELIVERIES",
    "AskStatus",
    "CampaignStatus",
    "ChatEvent",
    "DeliveryStatus",
    "HandoffAuthor",
    "HandoffStatus",
    "LoggedQuestion",
    "OccurrenceStatus",
    "ScheduleKind",
    "SubscriberStatus",
]


class SubscriberStatus(StrEnum):
    """Whether campaigns may reach a chat."""

    ACTIVE = "active"  # subscribed, with consent
    UNSUBSCRIBED = "unsubscribed"  # never subscribed, or left
    BLOCKED = "blocked"  # blocked the bot

    @property
    def label(self) -> str:
        return {"active": "Đang nhận tin", "unsubscribed": "Không nhận tin", "blocked": "Đã chặn bot"}[self.value]


class HandoffStatus(StrEnum):
    """open (waiting for staff) → taken (a staff member has it) → closed (by staff, the user, or idleness)."""

    OPEN = "open"
    TAKEN = "taken"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        """What staff read."""
        return {"open": "đang chờ", "taken": "đã có cán bộ nhận", "closed": "đã kết thúc"}[self.value]


class HandoffAuthor(StrEnum):
    """Who wrote one message of a request's transcript."""

    USER = "user"
    STAFF = "staff"


class LoggedQuestion(StrEnum):
    """The logs of questions a chat can appear in (for erasure and retention)."""

    UNANSWERED = "unanswered"
    CLARIFY = "clarify"


class CampaignStatus(StrEnum):
    """draft → scheduled → sending → done; or cancelled. A recurring campaign stays scheduled between runs."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """What staff read."""
        return {
            "draft": "bản nháp",
            "scheduled": "đã lên lịch",
            "sending": "đang gửi",
            "done": "đã gửi xong",
            "cancelled": "đã hủy",
        }[self.value]


class OccurrenceStatus(StrEnum):
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class DeliveryStatus(StrEnum):
    """pending → inflight (leased) → sent | failed | blocked | unknown; pending again after a retryable error;
    waiting while the recipient's frequency cap holds it back (then pending-like again at the next window)."""

    PENDING = "pending"
    WAITING = "waiting"
    INFLIGHT = "inflight"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """What staff read."""
        return {
            "pending": "chờ gửi",
            "waiting": "chờ lượt (giới hạn số tin mỗi người)",
            "inflight": "đang gửi",
            "sent": "đã gửi",
            "failed": "lỗi",
            "blocked": "đã chặn bot",
            "unknown": "chưa rõ",
            "cancelled": "đã hủy",
        }[self.value]


# Deliveries not settled yet: a campaign with any of these is still going out.
OPEN_DELIVERIES = (DeliveryStatus.PENDING, DeliveryStatus.WAITING, DeliveryStatus.INFLIGHT)


class ScheduleKind(StrEnum):
    NOW = "now"
    AT = "at"
    CRON = "cron"


class ChatEvent(StrEnum):
    """Something a platform reports about a chat that is not a message."""

    BLOCKED = "blocked"  # the user blocked the bot (or a send was refused as blocked)
    UNBLOCKED = "unblocked"  # the user allowed the bot again
