"""Conversation flows about people: subscribing, their data, feedback, and handing over to staff."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from handlers import texts
from handlers.callbacks import EraseData, MainMenu, Subscribe, TalkToStaff, Vote, WriteComment, pack
from handlers.ports import PeopleStore, StateStore
from handlers.statuses import ChatEvent
from handlers.types import Button, Incoming, Reply
from knowledge.model import Topic

COMMENT_WINDOW = 600.0  # seconds a "write a comment" tap waits for the text
ALL_TOPICS = "*"


def _when(value: dt.datetime | None, zone: ZoneInfo) -> str:
    if not value:
        return "—"
    if value.tzinfo is None:  # SQLite may hand back naive UTC
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value.astimezone(zone).strftime("%H:%M %d/%m/%Y")


def menu_row() -> list[Button]:
    return [Button(texts.MAIN_MENU, pack(MainMenu()))]


class PeopleFlows:
    """Handlers for /subscribe, /unsubscribe, /mydata, /deletedata, feedback, /human and staff /reply."""

    def __init__(
        self,
        store: PeopleStore,
        state: StateStore,
        topics: Callable[[], list[Topic]],
        contact_block: str,
        staff: frozenset[str],
        staff_chat: tuple[str, str] | None,
        timezone: str = "Asia/Ho_Chi_Minh",
    ):
        self.zone = ZoneInfo(timezone)
        self.store = store
        self.state = state
        self.topics = topics  # the menu topics of the live knowledge base
        self.contact = contact_block
        self.staff = staff
        self.staff_chat = staff_chat  # (channel, chat_id) where handoffs are forwarded

    # -- subscriptions -----------------------------------------------------------------------------
    def subscribe_menu(self) -> Reply:
        rows = [[Button(t.title, pack(Subscribe(t.id)))] for t in self.topics()]
        rows.insert(0, [Button(texts.SUBSCRIBE_ALL, pack(Subscribe(ALL_TOPICS)))])
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
        if data.empty:
            return Reply(texts.NO_DATA)
        person = data.person
        titles = {t.id: t.title for t in self.topics()}
        if person is not None and person.subscribed:
            chosen = [titles.get(t, t) for t in person.topics]
            subscription = "có — " + (", ".join(chosen) if chosen else texts.SUBSCRIBE_ALL.lower())
            subscription += f" (đồng ý lúc {_when(person.consent_at, self.zone)})"
        else:
            subscription = "không"
        recent = person.last_question[:200] if person is not None and person.last_question else "—"
        return Reply(
            texts.MY_DATA.format(
                channel=incoming.channel,
                chat_id=incoming.chat_id,
                name=(person.display_name if person and person.display_name else "—"),
                subscription=subscription,
                first_seen=_when(person.first_seen if person else None, self.zone),
                last_seen=_when(person.last_seen if person else None, self.zone),
                feedback=len(data.feedback),
                handoffs=len(data.handoffs),
                recent=recent,
            )
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
    def feedback_buttons(self, entry_id: str) -> list[Button]:
        return [
            Button(texts.FEEDBACK_UP, pack(Vote(entry_id, True))),
            Button(texts.FEEDBACK_DOWN, pack(Vote(entry_id, False))),
        ]

    async def feedback(self, incoming: Incoming, vote: Vote) -> Reply:
        row = await self.store.add_feedback(incoming.channel, incoming.chat_id, vote.entry_id, vote.helpful)
        if vote.helpful:
            return Reply(texts.FEEDBACK_THANKS)
        return Reply(
            texts.FEEDBACK_SORRY,
            [
                [Button(texts.FEEDBACK_WRITE, pack(WriteComment(row.id)))],
                [Button(texts.TALK_TO_HUMAN, pack(TalkToStaff()))],
            ],
        )

    @staticmethod
    def _comment_key(incoming: Incoming) -> str:
        return f"comment:{incoming.channel}:{incoming.chat_id}"

    async def await_comment(self, incoming: Incoming, feedback_id: int) -> Reply:
        await self.state.put(self._comment_key(incoming), {"feedback_id": feedback_id}, COMMENT_WINDOW)
        return Reply(texts.FEEDBACK_ASK_COMMENT)

    async def take_comment(self, incoming: Incoming, text: str) -> Reply | None:
        """If this chat tapped "write a comment" recently, `text` is that comment."""
        key = self._comment_key(incoming)
        pending = await self.state.get(key)
        if pending is None:
            return None
        await self.state.delete(key)
        await self.store.set_feedback_comment(int(pending["feedback_id"]), text)
        return Reply(texts.FEEDBACK_COMMENT_SAVED, [menu_row()])

    # -- talking to a person -----------------------------------------------------------------------
    async def handoff(self, incoming: Incoming) -> list[Reply]:
        question = await self.store.last_question(incoming.channel, incoming.chat_id)
        request = await self.store.open_handoff(incoming.channel, incoming.chat_id, incoming.user_name, question)
        if self.staff_chat is None:
            return [Reply(texts.HANDOFF_NO_STAFF.format(id=request.id, contact=self.contact))]
        staff_channel, staff_chat_id = self.staff_chat
        notice = texts.HANDOFF_TO_STAFF.format(
            id=request.id,
            name=incoming.user_name or "(không tên)",
            channel=incoming.channel,
            chat_id=incoming.chat_id,
            question=question[:500] or "—",
        )
        return [
            Reply(texts.HANDOFF_OPENED.format(id=request.id, contact=self.contact)),
            Reply(notice, channel=staff_channel, chat_id=staff_chat_id),
        ]

    def is_staff(self, incoming: Incoming) -> bool:
        return incoming.identity in self.staff

    async def staff_reply(self, incoming: Incoming, text: str) -> list[Reply]:
        if not self.is_staff(incoming):
            return [Reply(texts.STAFF_ONLY)]
        parts = text.split(maxsplit=2)
        number = parts[1].lstrip("#") if len(parts) >= 3 else ""
        if not (number.isascii() and number.isdigit() and len(number) <= 18):
            return [Reply(texts.REPLY_USAGE)]
        handoff_id = int(number)
        request = await self.store.get_handoff(handoff_id)
        if request is None:
            return [Reply(texts.REPLY_NOT_FOUND.format(id=handoff_id))]
        await self.store.close_handoff(handoff_id)
        return [
            Reply(texts.STAFF_ANSWER.format(text=parts[2]), channel=request.channel, chat_id=request.chat_id),
            Reply(texts.REPLY_SENT.format(id=handoff_id)),
        ]
