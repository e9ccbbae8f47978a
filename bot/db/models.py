"""SQLModel tables: people, their feedback and requests, unanswered questions, and the live knowledge base."""

from __future__ import annotations

import datetime as dt
from typing import overload

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from handlers.statuses import (
    CampaignStatus,
    CaseStatus,
    DeliveryStatus,
    HandoffStatus,
    OaAuthState,
    OccurrenceStatus,
    ScheduleKind,
    SubscriberStatus,
)


def utcnow() -> dt.datetime:
    """Aware UTC: SQLModel refuses naive datetimes, and UTC in storage avoids any local-time mix-up."""
    return dt.datetime.now(dt.UTC)


@overload
def stored_utc(moment: dt.datetime) -> dt.datetime: ...


@overload
def stored_utc(moment: None) -> None: ...


def stored_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored time as aware UTC: SQLite hands back naive values of what was written as UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment


class Subscriber(SQLModel, table=True):
    """Everyone who talked to the bot; `status` says whether campaigns may reach them."""

    __tablename__ = "subscriber"
    __table_args__ = (
        UniqueConstraint("channel", "chat_id", name="uq_subscriber_chat"),
        # The console's commune and sector filters offer the values people gave: read off these indexes.
        Index("ix_subscriber_commune", "commune"),
        Index("ix_subscriber_sector", "sector"),
        # Active subscribers per channel: the dashboard's live figure and every audience count.
        Index("ix_subscriber_status_channel", "status", "channel"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16, index=True)
    chat_id: str = Field(max_length=64)
    user_id: str = Field(default="", max_length=64)
    display_name: str = Field(default="", max_length=256)
    # Comma-separated topic ids; empty with status "active" means every topic.
    topics: str = Field(default="", max_length=1024)
    # "active" (subscribed), "unsubscribed" (never subscribed, or left), "blocked" (blocked the bot).
    status: str = Field(default=SubscriberStatus.UNSUBSCRIBED, max_length=16, index=True)
    consent_at: dt.datetime | None = None
    # The profile an application gives (campaign audiences commune:, sector:, ocop:, need:). `commune` is the
    # canonical name of one of the province's commune-level units (knowledge/communes.py), "" when unknown.
    commune: str = Field(default="", max_length=128)
    sector: str = Field(default="", max_length=128)
    ocop_stars: int = Field(default=0)  # the best OCOP rating of its products; 0 for none
    needs: str = Field(default="", max_length=256)  # comma-separated SupportNeed values
    # The same business on several channels: a hash of the tax code (or else the mobile number) it gave when
    # applying, so a campaign to every channel reaches it once. "" when it gave neither.
    link_key: str = Field(default="", max_length=64, index=True)
    first_seen: dt.datetime = Field(default_factory=utcnow)
    last_seen: dt.datetime = Field(default_factory=utcnow)
    # The chat's latest question, so a handoff can tell staff what it was about.
    last_question: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))

    @property
    def topic_list(self) -> list[str]:
        return [t for t in self.topics.split(",") if t]


class Feedback(SQLModel, table=True):
    """👍/👎 on an answered entry, with an optional comment: one per chat and entry, changeable."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("channel", "chat_id", "entry_id", name="uq_feedback_vote"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    chat_id: str = Field(max_length=64, index=True)
    entry_id: str = Field(max_length=64, index=True)
    helpful: bool
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: dt.datetime = Field(default_factory=utcnow)


class UnansweredQuestion(SQLModel, table=True):
    """A question the bot could not answer confidently, counted per normalised text (stored redacted)."""

    __tablename__ = "unanswered_question"
    __table_args__ = (Index("ix_unanswered_most_asked", "count", "last_asked"),)

    id: int | None = Field(default=None, primary_key=True)
    normalized: str = Field(max_length=512, unique=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(max_length=16)  # AskStatus: fallback or clarify
    best_entry_id: str | None = Field(default=None, max_length=64)
    best_score: float = 0.0
    count: int = 1
    first_asked: dt.datetime = Field(default_factory=utcnow)
    last_asked: dt.datetime = Field(default_factory=utcnow)
    # Set when an admin dismissed it as off-topic: still counted, no longer shown as a gap to fill.
    dismissed_at: dt.datetime | None = None


class QuestionAsker(SQLModel, table=True):
    """Which chat produced a logged question (unanswered, or picked after a question back), so that erasure
    and retention find it; the question rows themselves name nobody."""

    __tablename__ = "question_asker"
    __table_args__ = (Index("ix_question_asker_chat", "channel", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # LoggedQuestion
    question_id: int = Field(index=True)
    channel: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    asked_at: dt.datetime = Field(default_factory=utcnow, index=True)


class HandoffRequest(SQLModel, table=True):
    """A user asked for a person: a conversation with staff until someone closes it. AUTOINCREMENT on
    SQLite (PostgreSQL sequences never go back): an erased request's number never names another."""

    __tablename__ = "handoff_request"
    __table_args__ = (Index("ix_handoff_chat_status", "channel", "chat_id", "status"), {"sqlite_autoincrement": True})

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(default="", max_length=8)
    channel: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    user_id: str = Field(default="", max_length=64)
    user_name: str = Field(default="", max_length=256)
    question: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(default=HandoffStatus.OPEN, max_length=16, index=True)
    assigned_to: str = Field(default="", max_length=128)  # staff identity, channel:user_id
    assigned_name: str = Field(default="", max_length=256)
    created_at: dt.datetime = Field(default_factory=utcnow)
    first_reply_at: dt.datetime | None = None
    last_activity_at: dt.datetime = Field(default_factory=utcnow)
    closed_at: dt.datetime | None = None
    close_note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class HandoffMessage(SQLModel, table=True):
    """One message of a request's transcript; `staff_message` is its copy in the staff chat
    (`channel:chat:message_id`), so that staff can answer by replying to it."""

    __tablename__ = "handoff_message"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="handoff_request.id", index=True)
    author: str = Field(max_length=8)  # HandoffAuthor
    author_name: str = Field(default="", max_length=256)
    text: str = Field(sa_column=Column(Text, nullable=False))
    staff_message: str = Field(default="", max_length=160, index=True)
    created_at: dt.datetime = Field(default_factory=utcnow)


class KnowledgeTopic(SQLModel, table=True):
    __tablename__ = "kb_topic"

    id: str = Field(primary_key=True, max_length=64)
    position: int
    title: str = Field(max_length=256)
    menu: bool = True
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class KnowledgeEntry(SQLModel, table=True):
    """One entry of the live knowledge base, its fields as JSON in the export format."""

    __tablename__ = "kb_entry"

    id: str = Field(primary_key=True, max_length=64)
    position: int
    data: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: dt.datetime = Field(default_factory=utcnow)


class KnowledgeMeta(SQLModel, table=True):
    """Single row: the live knowledge base's version, bumped by every change so bots reload."""

    __tablename__ = "kb_meta"

    id: int = Field(default=1, primary_key=True)
    version: int = 0
    updated_at: dt.datetime = Field(default_factory=utcnow)


class Campaign(SQLModel, table=True):
    """An announcement: its text, who gets it, and when (now, at a time, or recurring)."""

    __tablename__ = "campaign"

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    buttons: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))  # JSON [{label,url}]
    audience: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))  # JSON, see audience.py
    schedule: str = Field(default=ScheduleKind.NOW, max_length=8)
    run_at: dt.datetime | None = None  # first (or only) occurrence, UTC
    cron: str = Field(default="", max_length=128)
    timezone: str = Field(default="Asia/Ho_Chi_Minh", max_length=64)
    # draft → scheduled → sending → done; or cancelled. A recurring campaign stays "scheduled" between runs.
    status: str = Field(default=CampaignStatus.SCHEDULED, max_length=16, index=True)
    next_run_at: dt.datetime | None = Field(default=None, index=True)
    created_by: str = Field(default="", max_length=128)
    created_at: dt.datetime = Field(default_factory=utcnow)
    # One picture sent with the text as its caption (Telegram and Zalo sendPhoto take an https URL).
    image_url: str = Field(default="", max_length=1024)


class Occurrence(SQLModel, table=True):
    """One firing of a campaign; unique per (campaign, fire time), so two processes fire it once."""

    __tablename__ = "campaign_occurrence"
    __table_args__ = (UniqueConstraint("campaign_id", "fire_key", name="uq_occurrence"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    fire_key: str = Field(max_length=40)  # the scheduled fire time, ISO UTC
    status: str = Field(default=OccurrenceStatus.SENDING, max_length=16)
    created_at: dt.datetime = Field(default_factory=utcnow)
    finished_at: dt.datetime | None = None


class Delivery(SQLModel, table=True):
    """One message of one occurrence to one recipient: the unit the sender claims, sends and settles."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("occurrence_id", "subscriber_id", name="uq_delivery"),
        # The sender's claim: pending rows of one channel that are due, oldest first.
        Index("ix_delivery_claim", "channel", "status", "next_attempt_at"),
        # The frequency cap: each recipient's messages of the last week, at every claim.
        Index("ix_delivery_recipient_recent", "subscriber_id", "attempted_at"),
        # A campaign's progress: its deliveries counted per status, polled every 2 s by the console.
        Index("ix_delivery_campaign_status", "campaign_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    occurrence_id: int = Field(foreign_key="campaign_occurrence.id", index=True)
    subscriber_id: int = Field(index=True)
    channel: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    name: str = Field(default="", max_length=256)
    # pending → inflight (leased) → sent | failed | blocked | unknown; pending again after a retryable error;
    # waiting while the recipient's frequency cap holds it until `next_attempt_at`.
    status: str = Field(default=DeliveryStatus.PENDING, max_length=16)
    attempts: int = 0
    next_attempt_at: dt.datetime = Field(default_factory=utcnow)
    lease_until: dt.datetime | None = None
    # Written (and committed) just before the request goes out: after a crash, an in-flight row without
    # it was never sent and goes back to pending; only one with it may have arrived ("unknown").
    attempted_at: dt.datetime | None = None
    message_id: str = Field(default="", max_length=64)
    error: str = Field(default="", max_length=512)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class ConversationState(SQLModel, table=True):
    """One expiring piece of conversation state (pending comment, campaign draft, numbered menu, flood count),
    shared by every process of the bot; keys are `KIND:CHANNEL:CHAT_ID`."""

    __tablename__ = "conversation_state"

    key: str = Field(primary_key=True, max_length=200)
    value: str = Field(sa_column=Column(Text, nullable=False))
    expires_at: dt.datetime = Field(index=True)


class ClarifyChoice(SQLModel, table=True):
    """A question the bot asked back on and the entry the user picked: a phrasing admins may add."""

    __tablename__ = "clarify_choice"
    __table_args__ = (UniqueConstraint("normalized", "entry_id", name="uq_clarify_choice"),)

    id: int | None = Field(default=None, primary_key=True)
    normalized: str = Field(max_length=512)
    text: str = Field(sa_column=Column(Text, nullable=False))
    entry_id: str = Field(max_length=64, index=True)
    count: int = 1
    first_picked: dt.datetime = Field(default_factory=utcnow)
    last_picked: dt.datetime = Field(default_factory=utcnow)


class AdminUser(SQLModel, table=True):
    """A web-console account: an admin (everything) or staff (campaigns and requests)."""

    __tablename__ = "admin_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    role: str = Field(max_length=16)
    password_hash: str = Field(sa_column=Column(Text, nullable=False))
    disabled: bool = False
    created_at: dt.datetime = Field(default_factory=utcnow)
    password_changed_at: dt.datetime = Field(default_factory=utcnow)
    # Where "Gửi thử cho tôi" on the campaign page sends a sample: "telegram:123456" or "zalo:abc…".
    test_chat: str = Field(default="", max_length=100)


class AdminSession(SQLModel, table=True):
    """A signed-in browser: only the SHA-256 of its cookie is kept, so a leaked table signs nobody in."""

    __tablename__ = "admin_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(index=True)
    csrf: str = Field(max_length=64)
    created_at: dt.datetime = Field(default_factory=utcnow)
    expires_at: dt.datetime = Field(index=True)


class AdminLoginAttempt(SQLModel, table=True):
    """One sign-in try, kept a short while: too many failures for an address slow it down."""

    __tablename__ = "admin_login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    ok: bool = False
    at: dt.datetime = Field(default_factory=utcnow, index=True)


class AuditEvent(SQLModel, table=True):
    """What a console user did, when: sign-ins, edits, restores, imports, settings."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=254)
    action: str = Field(max_length=64)
    target: str = Field(default="", max_length=256)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class EntryVersion(SQLModel, table=True):
    """One state of a knowledge-base entry after a change (append-only); `data` empty means retired."""

    __tablename__ = "kb_entry_version"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: str = Field(max_length=64, index=True)
    data: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    author: str = Field(max_length=254)
    note: str = Field(default="", max_length=256)
    at: dt.datetime = Field(default_factory=utcnow)


class AppSetting(SQLModel, table=True):
    """A setting admins change in the console (the contact details), overriding the environment."""

    __tablename__ = "app_setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    updated_by: str = Field(default="", max_length=254)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class KnowledgeSnapshot(SQLModel, table=True):
    """The whole live knowledge base just before an import, so the import can be undone as one change."""

    __tablename__ = "kb_snapshot"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow)
    author: str = Field(max_length=254)
    note: str = Field(default="", max_length=256)
    before_version: int
    after_version: int
    data: str = Field(sa_column=Column(Text, nullable=False))
    undone: bool = False


class EntryAnswerCount(SQLModel, table=True):
    """How often an entry answered a question, per day (no one's data): the console's "most asked" filter."""

    __tablename__ = "entry_answer_count"

    entry_id: str = Field(primary_key=True, max_length=64)
    day: dt.date = Field(primary_key=True)
    count: int = 0


class QuestionEvent(SQLModel, table=True):
    """One question the bot handled, without who asked or what was typed: the dashboard's raw log, kept for
    RETENTION_QUESTIONS_DAYS and folded into `QuestionDay` rows every night."""

    __tablename__ = "question_event"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)
    channel: str = Field(max_length=16)
    outcome: str = Field(max_length=16)  # AskStatus: answered, clarify, fallback
    entry_id: str = Field(default="", max_length=64)  # the answering (or best) entry; "" when none
    confidence: float = 0.0
    latency_ms: int = 0


class QuestionDay(SQLModel, table=True):
    """Questions of one local day, per channel, outcome and entry: what the dashboard reads for past days, so
    it stays fast as the log grows; names nobody, so it outlives the raw log."""

    __tablename__ = "question_day"

    day: dt.date = Field(primary_key=True)
    channel: str = Field(primary_key=True, max_length=16)
    outcome: str = Field(primary_key=True, max_length=16)
    entry_id: str = Field(primary_key=True, max_length=64)
    count: int = 0
    latency_ms_total: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    confidence_total: float = 0.0


class SubscriberDay(SQLModel, table=True):
    """Active subscribers per channel at the end of one local day: the dashboard's subscribers-over-time."""

    __tablename__ = "subscriber_day"

    day: dt.date = Field(primary_key=True)
    channel: str = Field(primary_key=True, max_length=16)
    active: int = 0


class ApplicationCase(SQLModel, table=True):
    """An application for support sent from a chat: a case staff move from new to a decision. AUTOINCREMENT
    on SQLite, as requests: an erased case's number never names another. Erasure and retention keep the
    row as anonymous statistics (status, commune, sector, OCOP stars, needs, dates) and clear the rest."""

    __tablename__ = "application_case"
    __table_args__ = (
        # /hoso and erasure: a chat's cases.
        Index("ix_application_case_chat", "channel", "chat_id"),
        # The staff list: one status, newest first (also serves every lookup by status alone).
        Index("ix_application_case_status_created", "status", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(default="", max_length=8)
    channel: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)  # "" once anonymised
    user_name: str = Field(default="", max_length=256)
    business_name: str = Field(default="", max_length=200)
    tax_code: str = Field(default="", max_length=16)
    commune: str = Field(default="", max_length=64)
    sector: str = Field(default="", max_length=128)
    ocop_product: str = Field(default="", max_length=200)
    ocop_stars: int = 0
    needs: str = Field(default="", max_length=256)  # comma-separated SupportNeed values
    contact_name: str = Field(default="", max_length=128)
    phone: str = Field(default="", max_length=16)
    status: str = Field(default=CaseStatus.NEW, max_length=16)
    consent_at: dt.datetime = Field(default_factory=utcnow)  # Decree 13/2023: when the business agreed
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class CaseEvent(SQLModel, table=True):
    """One line of a case's history: a status change, a staff note, or what the business answered."""

    __tablename__ = "case_event"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="application_case.id", index=True)
    at: dt.datetime = Field(default_factory=utcnow)
    kind: str = Field(max_length=16)  # CaseEventKind
    actor: str = Field(default="", max_length=128)  # staff identity, or "" for the business
    actor_name: str = Field(default="", max_length=256)
    status: str | None = Field(default=None, max_length=16)  # the new status, for a status change
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class OaAccount(SQLModel, table=True):
    """The Zalo OA's authorisation and OA-wide counters: one row (id 1). Holds secrets, names no person."""

    __tablename__ = "oa_account"

    id: int = Field(default=1, primary_key=True)
    state: str = Field(default=OaAuthState.NOT_AUTHORISED, max_length=16)
    access_token: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    access_expires_at: dt.datetime | None = None
    refresh_token: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    refresh_expires_at: dt.datetime | None = None
    # Committed before a refresh call and cleared with its result: set at start-up, a refresh was cut short.
    refreshing_since: dt.datetime | None = None
    generation: int = 0  # bumped by every stored token pair
    problem: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # what admins read
    updated_at: dt.datetime = Field(default_factory=utcnow)
    # Promotion sends this local day (Zalo's daily request limit on the OA), counted by us.
    promotion_day: str = Field(default="", max_length=10)
    promotions_sent_today: int = 0


class OaRecipient(SQLModel, table=True):
    """One OA user as Zalo's rules see them: follows, last interaction, what was sent. Personal: erased with them."""

    __tablename__ = "oa_recipient"

    user_id: str = Field(primary_key=True, max_length=64)
    follows: bool = False
    followed_at: dt.datetime | None = None
    last_interaction: dt.datetime | None = None
    replies_since_interaction: int = 0
    promotion_day: str = Field(default="", max_length=10)  # local day of promotions_today, YYYY-MM-DD
    promotions_today: int = 0
    promotion_month: str = Field(default="", max_length=7)  # local month of promotions_this_month, YYYY-MM
    promotions_this_month: int = 0
    updated_at: dt.datetime = Field(default_factory=utcnow, index=True)


class OaSeenEvent(SQLModel, table=True):
    """Webhook events already taken, as a hash (no person): Zalo redelivers, and several processes share it."""

    __tablename__ = "oa_seen_event"

    key: str = Field(primary_key=True, max_length=64)
    seen_at: dt.datetime = Field(default_factory=utcnow, index=True)
