"""In-memory implementations of the handlers' ports, for the fast tier: no database, no platform."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import ClassVar

from bot.broadcast.message import campaign_reply, too_long
from bot.broadcast.schedule import ScheduleError
from bot.broadcast.when_words import describe_when, read_when
from handlers.statuses import (
    AskStatus,
    CaseEventKind,
    CaseStatus,
    DeliveryStatus,
    HandoffAuthor,
    HandoffStatus,
    SubscriberStatus,
)
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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Unanswered:
    text: str
    normalized: str
    status: AskStatus
    best_entry_id: str | None
    count: int = 1
    askers: set[tuple[str, str]] = field(default_factory=set)


class MemoryPeople:
    """handlers.ports.PeopleStore over dicts; ids are never reused, as on a real database."""

    def __init__(self, handoffs: MemoryHandoffs | None = None, cases: MemoryCases | None = None) -> None:
        self.handoffs = handoffs  # erasure reaches requests too, as one database transaction does
        self.cases = cases  # and anonymises applications for support
        self.people: dict[tuple[str, str], PersonView] = {}
        self.feedback: dict[int, tuple[str, str, FeedbackView]] = {}
        self.unanswered: dict[str, Unanswered] = {}
        self.choices: list[tuple[tuple[str, str], str, str, str]] = []
        self.answered: dict[str, int] = {}
        self.questions_logged: list[QuestionLogged] = []
        self.profiles: dict[tuple[str, str], Application] = {}  # what set_profile copied (the row's profile columns)
        self._ids = itertools.count(1)

    async def touch(
        self, channel: str, chat_id: str, user_id: str = "", name: str = "", question: str | None = None
    ) -> None:
        key = (channel, chat_id)
        person = self.people.get(key) or PersonView(channel, chat_id, first_seen=_now())
        changes: dict[str, object] = {"last_seen": _now()}
        if name:
            changes["display_name"] = name[:256]
        if question is not None:
            changes["last_question"] = question
        self.people[key] = replace(person, **changes)  # type: ignore[arg-type]

    async def subscribe(self, channel: str, chat_id: str, topics: list[str]) -> PersonView:
        await self.touch(channel, chat_id)
        person = replace(
            self.people[(channel, chat_id)],
            status=SubscriberStatus.ACTIVE,
            topics=tuple(dict.fromkeys(topics)),
            consent_at=_now(),
        )
        self.people[(channel, chat_id)] = person
        return person

    async def unsubscribe(self, channel: str, chat_id: str) -> bool:
        person = self.people.get((channel, chat_id))
        if person is None or not person.subscribed:
            return False
        self.people[(channel, chat_id)] = replace(person, status=SubscriberStatus.UNSUBSCRIBED, consent_at=None)
        return True

    async def set_blocked(self, channel: str, chat_id: str, blocked: bool) -> None:
        person = self.people.get((channel, chat_id))
        if person is None:
            if blocked:
                return
            await self.touch(channel, chat_id)
            person = self.people[(channel, chat_id)]
        if blocked:
            status = SubscriberStatus.BLOCKED
        elif person.status is SubscriberStatus.BLOCKED:
            status = SubscriberStatus.ACTIVE if person.consent_at else SubscriberStatus.UNSUBSCRIBED
        else:
            status = person.status
        self.people[(channel, chat_id)] = replace(person, status=status)

    async def person_data(self, channel: str, chat_id: str) -> PersonData:
        key = (channel, chat_id)
        requests = (
            [r for r in self.handoffs.requests.values() if (r.channel, r.chat_id) == key] if self.handoffs else []
        )
        ids = {r.id for r in requests}
        return PersonData(
            self.people.get(key),
            [f for c, i, f in self.feedback.values() if (c, i) == key],
            requests,
            handoff_messages=sum(1 for r, _m, _c in self.handoffs.messages.values() if r in ids)
            if self.handoffs
            else 0,
            questions=sum(1 for u in self.unanswered.values() if key in u.askers)
            + sum(1 for asker, *_ in self.choices if asker == key),
            cases=sum(1 for c in self.cases.cases.values() if (c.channel, c.chat_id) == key) if self.cases else 0,
        )

    async def delete_person(self, channel: str, chat_id: str) -> int:
        key = (channel, chat_id)
        removed = 1 if self.people.pop(key, None) else 0
        self.profiles.pop(key, None)  # part of the person's row in the database
        for feedback_id in [k for k, (c, i, _f) in self.feedback.items() if (c, i) == key]:
            del self.feedback[feedback_id]
            removed += 1
        for normalized in [n for n, u in self.unanswered.items() if key in u.askers]:
            del self.unanswered[normalized]
            removed += 1
        self.choices = [c for c in self.choices if c[0] != key]
        if self.handoffs is not None:
            self.handoffs.forget(channel, chat_id)
        if self.cases is not None:
            removed += self.cases.anonymise(channel, chat_id)
        return removed

    async def last_question(self, channel: str, chat_id: str) -> str:
        person = self.people.get((channel, chat_id))
        return person.last_question if person else ""

    async def set_profile(self, channel: str, chat_id: str, application: Application) -> None:
        if (channel, chat_id) not in self.people:
            await self.touch(channel, chat_id)  # created unsubscribed, as the database does
        self.profiles[(channel, chat_id)] = application
        key = (channel, chat_id)
        self.people[key] = replace(
            self.people[key],
            commune=application.commune,
            sector=application.sector,
            ocop_stars=application.ocop_stars,
            needs=application.needs,
        )

    async def log_unanswered(
        self,
        asker: tuple[str, str],
        text: str,
        normalized: str,
        status: AskStatus,
        best_entry_id: str | None,
        best_score: float,
    ) -> None:
        known = self.unanswered.setdefault(normalized, Unanswered(text, normalized, status, best_entry_id, count=0))
        known.count += 1
        known.askers.add(asker)

    async def record_choice(self, asker: tuple[str, str], question: str, normalized: str, entry_id: str) -> None:
        self.choices.append((asker, question, normalized, entry_id))

    async def count_answer(self, entry_id: str) -> None:
        self.answered[entry_id] = self.answered.get(entry_id, 0) + 1

    async def log_question(self, event: QuestionLogged) -> None:
        self.questions_logged.append(event)

    def _vote_of(self, channel: str, chat_id: str, entry_id: str) -> int | None:
        return next(
            (k for k, (c, i, f) in self.feedback.items() if (c, i, f.entry_id) == (channel, chat_id, entry_id)), None
        )

    async def vote(self, channel: str, chat_id: str, entry_id: str, helpful: bool) -> FeedbackView:
        known = self._vote_of(channel, chat_id, entry_id)
        if known is None:
            row = FeedbackView(next(self._ids), entry_id, helpful)
        else:
            row = replace(self.feedback[known][2], helpful=helpful)
        self.feedback[row.id] = (channel, chat_id, row)
        return row

    async def set_feedback_comment(self, channel: str, chat_id: str, entry_id: str, comment: str) -> bool:
        known = self._vote_of(channel, chat_id, entry_id)
        if known is None:
            return False
        self.feedback[known] = (channel, chat_id, replace(self.feedback[known][2], comment=comment))
        return True

    async def feedback_of(self, channel: str, chat_id: str, feedback_id: int) -> FeedbackView | None:
        found = self.feedback.get(feedback_id)
        return found[2] if found is not None and found[:2] == (channel, chat_id) else None

    def comments(self) -> list[str]:
        return [f.comment for _c, _i, f in self.feedback.values() if f.comment]


class MemoryHandoffs:
    """handlers.ports.HandoffStore over dicts; ids are never reused, as on a real database."""

    def __init__(self) -> None:
        self.requests: dict[int, HandoffView] = {}
        self.messages: dict[int, tuple[int, HandoffMessageView, str]] = {}  # id → (request, message, staff copy)
        self.assignees: dict[int, str] = {}  # request id → staff identity (the view carries only the name)
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(1)

    async def open(self, channel: str, chat_id: str, user_id: str, user_name: str, question: str) -> HandoffView:
        request_id = next(self._ids)
        row = HandoffView(request_id, f"C{request_id}K", channel, chat_id, user_name, question, last_activity_at=_now())
        self.requests[row.id] = row
        return row

    async def live_for(self, channel: str, chat_id: str) -> HandoffView | None:
        live = [
            r
            for r in self.requests.values()
            if (r.channel, r.chat_id) == (channel, chat_id) and r.status is not HandoffStatus.CLOSED
        ]
        return live[-1] if live else None

    async def get(self, request_id: int) -> HandoffView | None:
        return self.requests.get(request_id)

    async def add_message(self, request_id: int, author: HandoffAuthor, text: str, author_name: str = "") -> int:
        message_id = next(self._message_ids)
        self.messages[message_id] = (request_id, HandoffMessageView(author, text, author_name, _now()), "")
        self.requests[request_id] = replace(self.requests[request_id], last_activity_at=_now())
        return message_id

    async def mark_copied(self, message_id: int, staff_message: str) -> None:
        request_id, message, _ = self.messages[message_id]
        self.messages[message_id] = (request_id, message, staff_message)

    async def by_staff_message(self, staff_message: str) -> HandoffView | None:
        found = next((r for r, _m, copy in self.messages.values() if copy == staff_message), None)
        return self.requests.get(found) if found is not None else None

    async def take(self, request_id: int, staff: str, staff_name: str) -> HandoffView | None:
        if request_id not in self.requests:
            return None
        row = replace(self.requests[request_id], status=HandoffStatus.TAKEN, assigned_name=staff_name)
        self.requests[request_id] = row
        self.assignees[request_id] = staff
        return row

    async def close(self, request_id: int, note: str = "") -> HandoffView | None:
        if request_id not in self.requests:
            return None
        row = replace(self.requests[request_id], status=HandoffStatus.CLOSED)
        self.requests[request_id] = row
        return row

    async def claim(self, request_id: int, staff: str, staff_name: str, seen: str) -> bool:
        row = self.requests.get(request_id)
        if row is None or row.status is HandoffStatus.CLOSED or self.assignees.get(request_id, "") != seen:
            return False
        self.assignees[request_id] = staff
        self.requests[request_id] = replace(row, status=HandoffStatus.TAKEN, assigned_name=staff_name)
        return True

    async def close_live(self, request_id: int, note: str = "") -> bool:
        row = self.requests.get(request_id)
        if row is None or row.status is HandoffStatus.CLOSED:
            return False
        self.requests[request_id] = replace(row, status=HandoffStatus.CLOSED)
        return True

    async def live(self, limit: int = 20) -> list[HandoffView]:
        return [r for r in self.requests.values() if r.status is not HandoffStatus.CLOSED][:limit]

    async def transcript(self, request_id: int) -> list[HandoffMessageView]:
        return [m for r, m, _copy in self.messages.values() if r == request_id]

    def forget(self, channel: str, chat_id: str) -> None:
        """What erasure does to requests (the database does it in one transaction with the rest)."""
        gone = {k for k, r in self.requests.items() if (r.channel, r.chat_id) == (channel, chat_id)}
        self.requests = {k: r for k, r in self.requests.items() if k not in gone}
        self.messages = {k: m for k, m in self.messages.items() if m[0] not in gone}


class CollectingMessenger:
    """handlers.ports.Messenger that records every message to another chat; chats can be made to fail."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, Reply]] = []
        self.blocked: set[tuple[str, str]] = set()
        self.down: set[str] = set()  # channels that fail every send
        self.ids: list[tuple[str, str, str]] = []
        self._ids = itertools.count(500)

    async def send(self, channel: str, chat_id: str, reply: Reply) -> Sent:
        if (channel, chat_id) in self.blocked:
            return Sent(False, blocked=True)
        if channel in self.down:
            return Sent(False)
        self.sent.append((channel, chat_id, reply))
        message_id = str(next(self._ids))
        self.ids.append((channel, chat_id, message_id))
        return Sent(True, message_id)

    def to(self, channel: str, chat_id: str) -> list[Reply]:
        return [r for c, i, r in self.sent if (c, i) == (channel, chat_id)]

    def last_id(self, channel: str, chat_id: str) -> str:
        """The message id the newest message to this chat got (what a staff member replies to)."""
        ids = [i for c, chat, i in self.ids if (c, chat) == (channel, chat_id)]
        return ids[-1]


@dataclass
class MemoryCampaign:
    id: int
    text: str
    audience: str
    when: str
    created_by: str
    status: str = "scheduled"
    counts: dict[str, int] = field(default_factory=dict)
    image: str = ""


class MemoryDesk:
    """handlers.ports.CampaignDesk that records campaigns instead of sending them. Times, the message a
    recipient gets and its length check are the real ones (pure functions of bot/broadcast)."""

    AUDIENCES = (("Tất cả người đăng ký", "all"), ("Chỉ Telegram", "channel:telegram"), ("Chỉ Zalo", "channel:zalo"))
    WORDS: ClassVar[dict[str, str]] = {
        "all": "Tất cả người đăng ký",
        "channel:telegram": "Người đăng ký trên Telegram",
        "channel:zalo": "Người đăng ký trên Zalo",
    }
    TIMEZONE = "Asia/Ho_Chi_Minh"

    def __init__(self, audience_size: int = 3, clock: Callable[[], dt.datetime] = _now) -> None:
        self.campaigns: dict[int, MemoryCampaign] = {}
        self.audience_size = audience_size
        self.clock = clock
        self._ids = itertools.count(1)

    async def audience_options(self) -> list[AudienceOption]:
        return [AudienceOption(label, expr, self.audience_size) for label, expr in self.AUDIENCES]

    async def check_text(self, text: str, audience: str = "") -> str | None:
        if not text.strip():
            return "nội dung đang trống"
        return too_long(text, [], "", ("zalo",) if audience in ("all", "channel:zalo") else ("telegram",))

    async def plan(self, draft: CampaignDraft) -> CampaignPlan:
        if draft.audience not in self.WORDS:
            raise ValueError(f"không có người nhận «{draft.audience}»")
        if draft.image and not draft.image.startswith("https://"):
            raise ValueError("ảnh phải là một đường dẫn https://…")
        try:
            when = None if draft.when == "now" else read_when(draft.when, self.clock(), self.TIMEZONE)
        except ScheduleError as exc:
            raise ValueError(str(exc)) from exc
        words = "ngay bây giờ" if when is None else describe_when(when, self.TIMEZONE)
        return CampaignPlan(self.WORDS[draft.audience], self.audience_size, words, draft.when)

    async def create(self, draft: CampaignDraft, created_by: str) -> int:
        await self.plan(draft)
        campaign = MemoryCampaign(
            next(self._ids),
            draft.text,
            draft.audience,
            draft.when,
            created_by,
            counts={DeliveryStatus.PENDING: self.audience_size},
            image=draft.image,
        )
        self.campaigns[campaign.id] = campaign
        return campaign.id

    def sample(self, draft: CampaignDraft, channel: str, name: str) -> Reply:
        return campaign_reply(draft.text, [], draft.image, name, channel)

    def _summary(self, c: MemoryCampaign) -> CampaignSummary:
        counts = {str(k): v for k, v in c.counts.items()}
        return CampaignSummary(c.id, c.status, c.text, self.WORDS.get(c.audience, c.audience), counts)

    async def listing(self) -> list[CampaignSummary]:
        return [self._summary(c) for c in reversed(list(self.campaigns.values()))]

    async def status(self, campaign_id: int) -> CampaignSummary | None:
        found = self.campaigns.get(campaign_id)
        return self._summary(found) if found is not None else None

    async def cancel(self, campaign_id: int) -> str:
        found = self.campaigns.get(campaign_id)
        if found is None:
            return f"không có chiến dịch #{campaign_id}"
        dropped = found.counts.pop(DeliveryStatus.PENDING, 0)
        found.status = "cancelled"
        return f"đã hủy; {dropped} tin chưa gửi được bỏ"

    async def resend_unknowns(self, campaign_id: int) -> int:
        found = self.campaigns.get(campaign_id)
        return found.counts.pop(DeliveryStatus.UNKNOWN, 0) if found is not None else 0

    async def report(self, campaign_id: int) -> Attachment | None:
        found = self.campaigns.get(campaign_id)
        return Attachment(f"bao-cao-chien-dich-{campaign_id}.xlsx", b"PK") if found is not None else None


class MemoryCases:
    """handlers.ports.CaseStore over dicts; ids are never reused, and a status change is conditional on the
    status it expects, as on the database (two staff at once: exactly one wins)."""

    def __init__(self) -> None:
        self.cases: dict[int, CaseView] = {}
        self.history: dict[int, list[CaseEventView]] = {}
        self.consents: dict[int, dt.datetime] = {}
        self._ids = itertools.count(1)

    async def create(self, channel: str, chat_id: str, user_name: str, application: Application) -> CaseView:
        case_id, now = next(self._ids), _now()
        case = CaseView(case_id, f"K{case_id}M", channel, chat_id, CaseStatus.NEW, application, now, now)
        self.cases[case_id] = case
        self.consents[case_id] = now
        self.history[case_id] = [CaseEventView(now, CaseEventKind.STATUS, "", status=CaseStatus.NEW)]
        return case

    async def get(self, case_id: int) -> CaseView | None:
        return self.cases.get(case_id)

    async def for_chat(self, channel: str, chat_id: str) -> list[CaseView]:
        return [c for c in reversed(self.cases.values()) if (c.channel, c.chat_id) == (channel, chat_id)]

    async def change_status(
        self, case_id: int, status: CaseStatus, actor: str, actor_name: str, note: str, expected: CaseStatus
    ) -> CaseView | None:
        case = self.cases.get(case_id)
        if case is None or case.status is not expected:
            return None
        now = _now()
        self.cases[case_id] = case = replace(case, status=status, updated_at=now)
        event = CaseEventView(now, CaseEventKind.STATUS, actor, actor_name, status, note[:4000])
        self.history[case_id].append(event)
        return case

    async def add_event(self, case_id: int, kind: CaseEventKind, actor: str, actor_name: str, text: str) -> None:
        if case_id not in self.cases:
            return
        now = _now()
        self.history[case_id].append(CaseEventView(now, kind, actor, actor_name, text=text[:4000]))
        self.cases[case_id] = replace(self.cases[case_id], updated_at=now)

    async def events(self, case_id: int) -> list[CaseEventView]:
        return list(self.history.get(case_id, []))

    async def listing(self, status: CaseStatus | None = None, limit: int = 50) -> list[CaseView]:
        found = [c for c in reversed(self.cases.values()) if status is None or c.status is status]
        return found[:limit]

    def anonymise(self, channel: str, chat_id: str) -> int:
        """What erasure does to a chat's cases: only anonymous statistics stay (as bot/db/cases.py does)."""
        mine = [k for k, c in self.cases.items() if (c.channel, c.chat_id) == (channel, chat_id)]
        for case_id in mine:
            case = self.cases[case_id]
            application = replace(
                case.application, business_name="", tax_code="", ocop_product="", contact_name="", phone=""
            )
            self.cases[case_id] = replace(case, chat_id="", application=application)
            self.history[case_id] = [
                replace(e, text="") for e in self.history[case_id] if e.kind is not CaseEventKind.BUSINESS
            ]
        return len(mine)
