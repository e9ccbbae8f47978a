"""Every status the bot stores or reports, as StrEnums: one spelling, checked by the type checker."""

from __future__ import annotations

from enum import StrEnum

from knowledge.confidence import AskStatus

__all__ = [
    "CLAIMABLE_DELIVERIES",
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
    # Zalo OA only (bot/channels/zalo_oa/rules.py): held back by Zalo's rules, which is not a failure.
    OUTSIDE_WINDOW = "outside_window"  # the user has not interacted recently enough: never retried
    QUOTA_USED_UP = "quota_used_up"  # the OA's quota is used up: retried when it resets (next_attempt_at)

    @property
    def label(self) -> str:
        """What staff read."""
        return {
            "pending": "chờ gửi",
            "waiting": "chờ lượt (giới hạn số tin mỗi người)",
            "outside_window": "ngoài khung thời gian Zalo cho phép",
            "quota_used_up": "OA đã hết hạn mức, gửi lại khi có hạn mức mới",
            "inflight": "đang gửi",
            "sent": "đã gửi",
            "failed": "lỗi",
            "blocked": "đã chặn bot",
            "unknown": "chưa rõ",
            "cancelled": "đã hủy",
        }[self.value]


# Deliveries not settled yet: a campaign with any of these is still going out. QUOTA_USED_UP waits for the OA's
# quota to reset (issue 19: "retried when allowed"), so it stays open and is claimed again when due.
OPEN_DELIVERIES = (
    DeliveryStatus.PENDING,
    DeliveryStatus.WAITING,
    DeliveryStatus.INFLIGHT,
    DeliveryStatus.QUOTA_USED_UP,
)
# Open deliveries the sender may claim once their `next_attempt_at` has come.
CLAIMABLE_DELIVERIES = (DeliveryStatus.PENDING, DeliveryStatus.WAITING, DeliveryStatus.QUOTA_USED_UP)


class OaAuthState(StrEnum):
    """Whether the bot may act for the Zalo OA: an admin authorises it once; a dead grant needs them again."""

    NOT_AUTHORISED = "not_authorised"  # never authorised (or the authorisation was removed)
    CONNECTED = "connected"  # a refresh token is held and worked last time
    NEEDS_REAUTH = "needs_reauth"  # Zalo refused the refresh token (revoked, expired, or lost in a crash)

    @property
    def label(self) -> str:
        """What admins read."""
        return {
            "not_authorised": "chưa được cấp quyền",
            "connected": "đang kết nối",
            "needs_reauth": "cần cấp quyền lại",
        }[self.value]


class ScheduleKind(StrEnum):
    NOW = "now"
    AT = "at"
    CRON = "cron"


class ChatEvent(StrEnum):
    """Something a platform reports about a chat that is not a message."""

    BLOCKED = "blocked"  # the user blocked the bot (or a send was refused as blocked)
    UNBLOCKED = "unblocked"  # the user allowed the bot again


class CaseStatus(StrEnum):
    """An application for support, as staff move it: new → received → reviewing → needs_info (→ reviewing)
    → accepted / not_eligible / closed."""

    NEW = "new"
    RECEIVED = "received"
    REVIEWING = "reviewing"
    NEEDS_INFO = "needs_info"
    ACCEPTED = "accepted"
    NOT_ELIGIBLE = "not_eligible"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        """What staff and the business read."""
        return {
            "new": "mới gửi",
            "received": "đã tiếp nhận",
            "reviewing": "đang xem xét",
            "needs_info": "cần bổ sung thông tin",
            "accepted": "được chấp nhận hỗ trợ",
            "not_eligible": "chưa đủ điều kiện",
            "closed": "đã đóng",
        }[self.value]

    @property
    def final(self) -> bool:
        return self in (CaseStatus.ACCEPTED, CaseStatus.NOT_ELIGIBLE, CaseStatus.CLOSED)


class CaseEventKind(StrEnum):
    """One line of a case's history."""

    STATUS = "status"  # staff changed the status (with an optional note the business reads)
    NOTE = "note"  # staff's internal note (the business never sees it)
    BUSINESS = "business"  # what the business answered in the chat (e.g. after "needs more information")


class SupportNeed(StrEnum):
    """What support a business asks for (Kế hoạch 273/KH-UBND's lines of support); audience `need:<value>`."""

    TRAINING = "training"
    LEAN = "lean"
    ISO9001 = "iso9001"
    ISO56000 = "iso56000"
    OTHER_SYSTEMS = "systems"
    OCOP_STANDARDS = "ocop"
    TRACEABILITY = "traceability"
    DIGITAL = "digital"
    PILOT = "pilot"

    @property
    def label(self) -> str:
        return {
            "training": "Đào tạo, tập huấn về năng suất chất lượng",
            "lean": "Áp dụng 5S, Kaizen, Lean",
            "iso9001": "Hệ thống quản lý ISO 9001",
            "iso56000": "Quản lý đổi mới sáng tạo ISO 56000",
            "systems": "Hệ thống quản lý khác (ISO 14001, ISO 22000/HACCP…)",
            "ocop": "Tiêu chuẩn cơ sở cho sản phẩm OCOP",
            "traceability": "Truy xuất nguồn gốc",
            "digital": "Công nghệ, chuyển đổi số",
            "pilot": "Mô hình điểm",
        }[self.value]
