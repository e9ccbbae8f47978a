"""In-memory implementations of the handlers' ports, for the fast tier: no database, no platform."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field, replace

from handlers.statuses import AskStatus, DeliveryStatus, HandoffStatus, SubscriberStatus
from handlers.views import AudienceOption, CampaignSummary, FeedbackView, HandoffView, PersonData, PersonView


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Unanswered:
    text: str
    normalized: str
    status: AskStatus
    best_entry_id: str | None
    count: int = 1


class MemoryPeople:
    """handlers.ports.PeopleStore over dicts; ids are never reused, as on a real database."""

    def __init__(self) -> None:
        self.people: dict[tuple[str, str], PersonView] = {}
        self.feedback: dict[int, tuple[str, str, FeedbackView]] = {}
        self.handoffs: dict[int, HandoffView] = {}
        self.unanswered: dict[str, Unanswered] = {}
        self.choices: list[tuple[str, str, str]] = []
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
        return PersonData(
            self.people.get((channel, chat_id)),
            [f for c, i, f in self.feedback.values() if (c, i) == (channel, chat_id)],
            [h for h in self.handoffs.values() if (h.channel, h.chat_id) == (channel, chat_id)],
        )

    async def delete_person(self, channel: str, chat_id: str) -> int:
        removed = 1 if self.people.pop((channel, chat_id), None) else 0
        for key in [k for k, (c, i, _f) in self.feedback.items() if (c, i) == (channel, chat_id)]:
            del self.feedback[key]
            removed += 1
        for key in [k for k, h in self.handoffs.items() if (h.channel, h.chat_id) == (channel, chat_id)]:
            del self.handoffs[key]
            removed += 1
        return removed

    async def last_question(self, channel: str, chat_id: str) -> str:
        person = self.people.get((channel, chat_id))
        return person.last_question if person else ""

    async def log_unanswered(
        self, text: str, normalized: str, status: AskStatus, best_entry_id: str | None, best_score: float
    ) -> None:
        known = self.unanswered.get(normalized)
        if known is None:
            self.unanswered[normalized] = Unanswered(text, normalized, status, best_entry_id)
        else:
            known.count += 1

    async def record_choice(self, question: str, normalized: str, entry_id: str) -> None:
        self.choices.append((question, normalized, entry_id))

    async def add_feedback(
        self, channel: str, chat_id: str, entry_id: str, helpful: bool, comment: str = ""
    ) -> FeedbackView:
        row = FeedbackView(next(self._ids), entry_id, helpful, comment)
        self.feedback[row.id] = (channel, chat_id, row)
        return row

    async def set_feedback_comment(self, feedback_id: int, comment: str) -> bool:
        if feedback_id not in self.feedback:
            return False
        channel, chat_id, row = self.feedback[feedback_id]
        self.feedback[feedback_id] = (channel, chat_id, replace(row, comment=comment))
        return True

    async def open_handoff(self, channel: str, chat_id: str, user_name: str, question: str) -> HandoffView:
        row = HandoffView(next(self._ids), channel, chat_id, user_name, question)
        self.handoffs[row.id] = row
        return row

    async def get_handoff(self, handoff_id: int) -> HandoffView | None:
        return self.handoffs.get(handoff_id)

    async def close_handoff(self, handoff_id: int) -> None:
        if handoff_id in self.handoffs:
            self.handoffs[handoff_id] = replace(self.handoffs[handoff_id], status=HandoffStatus.ANSWERED)


@dataclass
class MemoryCampaign:
    id: int
    text: str
    audience: str
    when: str
    created_by: str
    status: str = "scheduled"
    counts: dict[str, int] = field(default_factory=dict)


class MemoryDesk:
    """handlers.ports.CampaignDesk that records campaigns instead of sending them."""

    AUDIENCES = (("Tất cả người đăng ký", "all"), ("Chỉ Telegram", "channel:telegram"))

    def __init__(self, audience_size: int = 3) -> None:
        self.campaigns: dict[int, MemoryCampaign] = {}
        self.audience_size = audience_size
        self._ids = itertools.count(1)

    async def audience_options(self) -> list[AudienceOption]:
        return [AudienceOption(label, expr, self.audience_size) for label, expr in self.AUDIENCES]

    async def check(self, text: str, audience: str, when: str) -> str | None:
        if not text.strip():
            return "empty text"
        if when not in ("now",) and not when[:1].isdigit() and not when.startswith("every"):
            return f"cannot read {when!r}"
        return None

    async def create(self, text: str, audience: str, when: str, created_by: str) -> int:
        problem = await self.check(text, audience, when)
        if problem:
            raise ValueError(problem)
        campaign = MemoryCampaign(
            next(self._ids), text, audience, when, created_by, counts={DeliveryStatus.PENDING: self.audience_size}
        )
        self.campaigns[campaign.id] = campaign
        return campaign.id

    def _summary(self, c: MemoryCampaign) -> CampaignSummary:
        return CampaignSummary(c.id, c.status, c.text, c.audience, {str(k): v for k, v in c.counts.items()})

    async def listing(self) -> list[CampaignSummary]:
        return [self._summary(c) for c in reversed(list(self.campaigns.values()))]

    async def status(self, campaign_id: int) -> CampaignSummary | None:
        found = self.campaigns.get(campaign_id)
        return self._summary(found) if found is not None else None

    async def cancel(self, campaign_id: int) -> str:
        found = self.campaigns.get(campaign_id)
        if found is None:
            return f"no campaign {campaign_id}"
        dropped = found.counts.pop(DeliveryStatus.PENDING, 0)
        found.status = "cancelled"
        return f"cancelled; {dropped} pending deliveries dropped"

    async def resend_unknowns(self, campaign_id: int) -> int:
        found = self.campaigns.get(campaign_id)
        return found.counts.pop(DeliveryStatus.UNKNOWN, 0) if found is not None else 0
