"""What the storage ports hand the handlers: small frozen dataclasses, never ORM rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from handlers.statuses import CaseEventKind, CaseStatus, HandoffAuthor, HandoffStatus, SubscriberStatus


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
    # The business profile an application copied (campaign audiences commune:, sector:, ocop:, need:).
    commune: str = ""
    sector: str = ""
    ocop_stars: int = 0
    needs: tuple[str, ...] = ()
    # An application linked this chat with the same business's chats on other channels (bot/db/person_links.py).
    linked: bool = False

    @property
    def has_profile(self) -> bool:
        return bool(self.commune or self.sector or self.ocop_stars or self.needs)

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
    code: str  # a short random code: with the id, a reference no other request ever had
    channel: str
    chat_id: str
    user_name: str = ""
    question: str = ""
    status: HandoffStatus = HandoffStatus.OPEN
    assigned_name: str = ""
    created_at: dt.datetime | None = None
    last_activity_at: dt.datetime | None = None

    @property
    def reference(self) -> str:
        return f"{self.id}-{self.code}"


@dataclass(frozen=True)
class HandoffMessageView:
    """One line of a request's transcript."""

    author: HandoffAuthor
    text: str
    author_name: str = ""
    created_at: dt.datetime | None = None


@dataclass(frozen=True)
class Sent:
    """What became of a message the conversation sent to another chat (a staff answer, a forwarded line)."""

    ok: bool
    message_id: str | None = None
    blocked: bool = False  # the person blocked the bot


@dataclass(frozen=True)
class PersonData:
    """Everything stored about one chat, for "show my data", table by table."""

    person: PersonView | None
    feedback: list[FeedbackView] = field(default_factory=list)
    handoffs: list[HandoffView] = field(default_factory=list)
    handoff_messages: int = 0
    questions: int = 0  # unanswered questions and picks after a question back that this chat produced
    deliveries: int = 0  # campaign messages sent to this chat
    cases: int = 0  # applications for support this chat sent
    oa: OaStanding | None = None  # a Zalo OA user's standing with Zalo's sending rules

    @property
    def empty(self) -> bool:
        return (
            self.person is None
            and not self.feedback
            and not self.handoffs
            and not (self.handoff_messages or self.questions or self.deliveries or self.cases)
            and self.oa is None
        )


@dataclass(frozen=True)
class OaStanding:
    """What the Zalo OA channel keeps about one of its users, because Zalo's sending rules depend on it."""

    follows: bool
    followed_at: dt.datetime | None = None
    last_interaction: dt.datetime | None = None


@dataclass(frozen=True)
class AudienceOption:
    """A ready-made audience staff can pick in chat: its label, expression and size now."""

    label: str
    expression: str
    size: int


@dataclass(frozen=True)
class CampaignDraft:
    """A campaign being written in chat: the text, who (an audience expression), when (as typed, or the
    schedule the desk resolved it to) and an optional picture."""

    text: str
    audience: str = "all"
    when: str = "now"
    image: str = ""


@dataclass(frozen=True)
class CampaignPlan:
    """What the desk understood from a draft, in words staff read before confirming."""

    audience: str  # "Người đăng ký chủ đề «Công cụ cải tiến», trên Zalo"
    size: int  # recipients now
    when: str  # "08:00 thứ Sáu, 05/12/2026"
    schedule: str  # the resolved schedule to create with ("now", "at:…", "cron:…"): stable after midnight
    note: str = ""  # e.g. quiet hours: when it will really start


@dataclass(frozen=True)
class CampaignSummary:
    """A campaign as staff see it in chat: status, text and delivery counts per status."""

    id: int
    status: str
    text: str
    audience: str = ""  # in words
    counts: dict[str, int] = field(default_factory=dict)
    when: str = ""  # in words: when it goes (or went, or next goes)

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)


@dataclass(frozen=True)
class Application:
    """What the guided form collects from a business, checked field by field before it is stored."""

    business_name: str
    tax_code: str  # digits only: 10, 13 (10 + branch 3) or 12 (personal number of a household business)
    commune: str  # the canonical name of one of the province's 54 commune-level units (knowledge/communes.py)
    sector: str
    ocop_product: str = ""
    ocop_stars: int = 0  # 0: no OCOP rating
    needs: tuple[str, ...] = ()  # SupportNeed values
    contact_name: str = ""
    phone: str = ""  # 10 digits, starting with 0


@dataclass(frozen=True)
class CaseView:
    """One application as a case: where it came from (replies go there), its status and what was applied for."""

    id: int
    code: str  # short random code: with the id, a reference no other case ever had
    channel: str
    chat_id: str
    status: CaseStatus
    application: Application
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    @property
    def reference(self) -> str:
        return f"HS{self.id}-{self.code}"


@dataclass(frozen=True)
class CaseEventView:
    """One line of a case's history: a status change, a staff note, or the business's answer."""

    at: dt.datetime
    kind: CaseEventKind
    actor: str  # staff identity ("telegram:900", "web:ha@so.vn") or "" for the business
    actor_name: str = ""
    status: CaseStatus | None = None  # the new status, for a status change
    text: str = ""


@dataclass(frozen=True)
class QuestionLogged:
    """One question the bot handled, as the dashboard's log keeps it: nothing about who asked or what they typed."""

    channel: str
    outcome: str  # AskStatus
    entry_id: str = ""  # the entry that answered, or the best candidate; "" when none
    confidence: float = 0.0
    latency_ms: int = 0


@dataclass(frozen=True)
class RetentionPolicy:
    """Days each kind of record is kept (settings RETENTION_*; README says why these defaults); applied by
    bot/db/retention.py and told to users by "show my data"."""

    questions_days: int = 180  # question logs, picks, 👍/👎 and comments, a chat's last question
    requests_days: int = 365  # closed requests to staff and their transcripts
    inactive_days: int = 365  # chats that never subscribed (or left) and went quiet
    deliveries_days: int = 90  # who a campaign message went to (the counts stay)
    audit_days: int = 730  # what console accounts did (who changed an answer, who changed the contacts)
    cases_days: int = 730  # decided applications for support, before only anonymous statistics stay


@dataclass(frozen=True)
class ContactDetails:
    """The department's contact details as settings give them; any may still be unset ("")."""

    org: str
    phone: str = ""
    email: str = ""
    address: str = ""

    @property
    def unset(self) -> list[str]:
        """Which of phone, email and address are still empty (setting names, for the operator)."""
        fields = {"SUPPORT_CONTACT_PHONE": self.phone, "SUPPORT_CONTACT_EMAIL": self.email}
        fields["SUPPORT_CONTACT_ADDRESS"] = self.address
        return [name for name, value in fields.items() if not value.strip()]

    @property
    def reachable(self) -> bool:
        return bool(self.phone.strip() or self.email.strip())
