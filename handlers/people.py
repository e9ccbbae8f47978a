"""Conversation flows about people: subscribing, their data and its erasure, and feedback."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from handlers import texts
from handlers.callbacks import (
    EraseData,
    MainMenu,
    SkipComment,
    StartApplication,
    Subscribe,
    TalkToStaff,
    Vote,
    pack,
)
from handlers.local_time import local_time
from handlers.ports import PeopleStore, StateStore
from handlers.state_keys import StateKind, state_key
from handlers.statuses import ChatEvent, SupportNeed
from handlers.types import Button, Incoming, Reply
from handlers.views import OaStanding, PersonView, RetentionPolicy
from knowledge.model import Topic

COMMENT_WINDOW = 600.0  # seconds after 👎 in which the next text is taken as the comment
# The longest any conversation state lives: a case's "needs more information" window (7 days; a form itself
# lasts a day, a request to staff left idle too).
STATE_HOURS = 7 * 24
ALL_TOPICS = "*"


def menu_row() -> list[Button]:
    return [Button(texts.MAIN_MENU, pack(MainMenu()))]


class PeopleFlows:
    """Handlers for /dangky, /huydangky, /dulieucuatoi, /xoadulieu and 👍/👎 with comments."""

    def __init__(
        self,
        store: PeopleStore,
        state: StateStore,
        topics: Callable[[], list[Topic]],
        staff: frozenset[str],
        retention: RetentionPolicy,
        timezone: str = "Asia/Ho_Chi_Minh",
    ):
        self.zone = ZoneInfo(timezone)
        self.store = store
        self.state = state
        self.topics = topics  # the menu topics of the live knowledge base
        self.staff = staff
        self.retention = retention

    # -- subscriptions -----------------------------------------------------------------------------
    def subscribe_menu(self) -> Reply:
        rows = [[Button(t.title, pack(Subscribe(t.id)))] for t in self.topics()]
        rows.insert(0, [Button(texts.SUBSCRIBE_ALL, pack(Subscribe(ALL_TOPICS)))])
        # /dangky only subscribes: a business that meant to apply for support finds the form here.
        rows.append([Button(texts.APPLY_BUTTON, pack(StartApplication()))])
        return Reply(texts.SUBSCRIBE_CHOOSE, rows)

    async def subscribe(self, incoming: Incoming, topic_id: str) -> Reply:
        topics = {t.id: t.title for t in self.topics()}
        if topic_id != ALL_TOPICS and topic_id not in topics:
            return Reply(texts.STALE_BUTTON, [menu_row()])
        await self.store.touch(incoming.channel, incoming.chat_id, incoming.user_id, incoming.user_name)
        person = (await self.store.person_data(incoming.channel, incoming.chat_id)).person
        current = [t for t in person.topics if t in topics] if person is not None and person.subscribed else []
        chosen = [] if topic_id == ALL_TOPICS else current + [topic_id]
        await self.store.subscribe(incoming.channel, incoming.chat_id, chosen)
        names = ", ".join(topics[t] for t in dict.fromkeys(chosen)) if chosen else texts.SUBSCRIBE_ALL.lower()
        return Reply(texts.SUBSCRIBED.format(topics=names), [menu_row()])

    async def unsubscribe(self, incoming: Incoming) -> Reply:
        done = await self.store.unsubscribe(incoming.channel, incoming.chat_id)
        return Reply(texts.UNSUBSCRIBED if done else texts.NOT_SUBSCRIBED)

    async def on_event(self, incoming: Incoming) -> None:
        """The platform says the user blocked or unblocked the bot."""
        await self.store.set_blocked(incoming.channel, incoming.chat_id, incoming.event is ChatEvent.BLOCKED)

    # -- personal data -----------------------------------------------------------------------------
    async def my_data(self, incoming: Incoming) -> Reply:
        data = await self.store.person_data(incoming.channel, incoming.chat_id)
        state = await self.state.count_chat(incoming.channel, incoming.chat_id)
        if data.empty and not state and not data.cases:
            return Reply(texts.NO_DATA)
        person = data.person
        titles = {t.id: t.title for t in self.topics()}
        if person is not None and person.subscribed:
            chosen = [titles.get(t, t) for t in person.topics]
            subscription = "có — " + (", ".join(chosen) if chosen else texts.SUBSCRIBE_ALL.lower())
            subscription += f" (đồng ý lúc {local_time(person.consent_at, self.zone)})"
        else:
            subscription = "không"
        recent = f"«{person.last_question[:200]}»" if person is not None and person.last_question else "—"
        up = sum(1 for f in data.feedback if f.helpful)
        comments = sum(1 for f in data.feedback if f.comment)
        feedback = f"{len(data.feedback)} (👍 {up}, 👎 {len(data.feedback) - up}; {comments} góp ý viết)"
        policy = self.retention
        return Reply(
            texts.MY_DATA.format(
                channel=incoming.channel,
                chat_id=incoming.chat_id,
                name=(person.display_name if person and person.display_name else "—"),
                subscription=subscription,
                first_seen=local_time(person.first_seen if person else None, self.zone),
                last_seen=local_time(person.last_seen if person else None, self.zone),
                recent=recent,
                feedback=feedback,
                handoffs=len(data.handoffs),
                handoff_messages=data.handoff_messages,
                questions=data.questions,
                deliveries=data.deliveries,
                state=state,
                state_hours=STATE_HOURS,
                questions_days=policy.questions_days,
                requests_days=policy.requests_days,
                inactive_days=policy.inactive_days,
            )
            + (self.profile_lines(person) if person is not None and person.has_profile else "")
            + (texts.MY_DATA_LINKED if person is not None and person.linked else "")
            + (texts.MY_DATA_CASES.format(cases=data.cases, cases_days=policy.cases_days) if data.cases else "")
            + (self.oa_lines(data.oa) if data.oa is not None else "")
        )

    def oa_lines(self, oa: OaStanding) -> str:
        follows = (
            texts.OA_FOLLOWS_SINCE.format(since=local_time(oa.followed_at, self.zone))
            if oa.follows
            else texts.OA_NOT_FOLLOWING
        )
        last = local_time(oa.last_interaction, self.zone)
        return texts.MY_DATA_OA.format(follows=follows, last=last, inactive_days=self.retention.inactive_days)

    @staticmethod
    def profile_lines(person: PersonView) -> str:
        needs = [SupportNeed(n).label for n in person.needs if n in {need.value for need in SupportNeed}]
        return texts.MY_DATA_PROFILE.format(
            commune=person.commune or "—",
            sector=person.sector or "—",
            ocop=f"{person.ocop_stars} sao" if person.ocop_stars else "chưa có",
            needs="; ".join(needs) or "—",
        )

    def delete_confirm(self) -> Reply:
        return Reply(
            texts.DELETE_CONFIRM,
            [[Button(texts.DELETE_YES, pack(EraseData(True)))], [Button(texts.DELETE_NO, pack(EraseData(False)))]],
        )

    async def delete(self, incoming: Incoming, confirmed: bool) -> Reply:
        if not confirmed:
            return Reply(texts.KEPT)
        await self.store.delete_person(incoming.channel, incoming.chat_id)
        await self.state.forget_chat(incoming.channel, incoming.chat_id)
        return Reply(texts.DELETED)

    # -- feedback ----------------------------------------------------------------------------------
    def feedback_buttons(self, entry_id: str, chosen: bool | None = None) -> list[Button]:
        """👍/👎 under an answer; the one this chat chose carries a tick, and either can still be pressed."""
        up, down = texts.FEEDBACK_UP, texts.FEEDBACK_DOWN
        return [
            Button(texts.FEEDBACK_CHOSEN.format(mark=up) if chosen is True else up, pack(Vote(entry_id, True))),
            Button(texts.FEEDBACK_CHOSEN.format(mark=down) if chosen is False else down, pack(Vote(entry_id, False))),
        ]

    @staticmethod
    def _comment_key(incoming: Incoming) -> str:
        return state_key(StateKind.COMMENT, incoming.channel, incoming.chat_id)

    async def vote(self, incoming: Incoming, vote: Vote) -> Reply | None:
        """Store the vote; after 👎 the next text is the comment. Returns the note to send after the answer's
        buttons are updated (None after 👍: the updated buttons say it)."""
        await self.store.vote(incoming.channel, incoming.chat_id, vote.entry_id, vote.helpful)
        if vote.helpful:
            await self.state.delete(self._comment_key(incoming))
            return None
        await self.state.put(self._comment_key(incoming), {"entry_id": vote.entry_id}, COMMENT_WINDOW)
        return Reply(
            texts.FEEDBACK_SORRY,
            [[Button(texts.TALK_TO_HUMAN, pack(TalkToStaff()))], [Button(texts.FEEDBACK_SKIP, pack(SkipComment()))]],
        )

    async def await_comment(self, incoming: Incoming, feedback_id: int) -> Reply | None:
        """ "✍️ Viết góp ý" on an older message: only this chat's own feedback can be commented on."""
        own = await self.store.feedback_of(incoming.channel, incoming.chat_id, feedback_id)
        if own is None:
            return None
        await self.state.put(self._comment_key(incoming), {"entry_id": own.entry_id}, COMMENT_WINDOW)
        return Reply(texts.FEEDBACK_ASK_COMMENT)

    async def skip_comment(self, incoming: Incoming) -> Reply:
        await self.state.delete(self._comment_key(incoming))
        return Reply(texts.FEEDBACK_SKIPPED, [menu_row()])

    async def take_comment(self, incoming: Incoming, text: str) -> Reply | None:
        """If this chat pressed 👎 recently, `text` is the comment on it."""
        key = self._comment_key(incoming)
        pending = await self.state.get(key)
        if pending is None or "entry_id" not in pending:
            return None
        await self.state.delete(key)
        await self.store.set_feedback_comment(incoming.channel, incoming.chat_id, str(pending["entry_id"]), text)
        return Reply(texts.FEEDBACK_COMMENT_SAVED, [menu_row()])

    def is_staff(self, incoming: Incoming) -> bool:
        return incoming.identity in self.staff
