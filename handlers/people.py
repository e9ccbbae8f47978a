"""Conversation flows about people: subscribing, their data, feedback, and handing over to staff."""
from __future__ import annotations

import time
from zoneinfo import ZoneInfo

from handlers import texts
from handlers.ports import PeopleStore
from handlers.types import Button, Incoming, Reply

COMMENT_WINDOW = 600  # seconds a "write a comment" tap waits for the text


def _when(value, zone: ZoneInfo) -> str:
    if not value:
        return "—"
    if value.tzinfo is None:  # SQLite may hand back naive UTC
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value.astimezone(zone).strftime("%H:%M %d/%m/%Y")


class PeopleFlows:
    """Handlers for /subscribe, /unsubscribe, /mydata, /deletedata, feedback, /human and staff /reply."""

    def __init__(self, store: PeopleStore, topics_provider, contact_block: str, staff: frozenset[str],
                 staff_chat: tuple[str, str] | None, timezone: str = "Asia/Ho_Chi_Minh"):
        self.zone = ZoneInfo(timezone)
        self.store = store
        self.topics = topics_provider          # () -> list of menu topics (id, title)
        self.contact = contact_block
        self.staff = staff
        self.staff_chat = staff_chat            # (channel, chat_id) where handoffs are forwarded
        self._awaiting_comment: dict[tuple[str, str], tuple[int, float]] = {}

    # -- subscriptions -----------------------------------------------------------------------------
    def subscribe_menu(self) -> Reply:
        rows = [[Button(t.title, f"s:{t.id}")] for t in self.topics()]
        rows.insert(0, [Button(texts.SUBSCRIBE_ALL, "s:*")])
        return Reply(texts.SUBSCRIBE_CHOOSE, rows)

    async def subscribe(self, incoming: Incoming, topic_id: str) -> Reply:
        topics = {t.id: t.title for t in self.topics()}
        if topic_id != "*" and topic_id not in topics:
            return Reply(texts.STALE_BUTTON, [[Button(texts.MAIN_MENU, "m")]])
        await self.store.touch(incoming.channel, incoming.chat_id, incoming.user_id, incoming.user_name)
        data = await self.store.person_data(incoming.channel, incoming.chat_id)
        person = data["person"]
        current = [] if topic_id == "*" else [t for t in person.topic_list if t in topics] \
            if person is not None and person.status == "active" and person.topics else []
        chosen = [] if topic_id == "*" else current + [topic_id]
        await self.store.subscribe(incoming.channel, incoming.chat_id, chosen)
        names = ", ".join(topics[t] for t in dict.fromkeys(chosen)) if chosen else texts.SUBSCRIBE_ALL.lower()
        return Reply(texts.SUBSCRIBED.format(topics=names), [[Button(texts.MAIN_MENU, "m")]])

    async def unsubscribe(self, incoming: Incoming) -> Reply:
        done = await self.store.unsubscribe(incoming.channel, incoming.chat_id)
        return Reply(texts.UNSUBSCRIBED if done else texts.NOT_SUBSCRIBED)

    # -- personal data -----------------------------------------------------------------------------
    async def my_data(self, incoming: Incoming) -> Reply:
        data = await self.store.person_data(incoming.channel, incoming.chat_id)
        person = data["person"]
        if person is None and not data["feedback"] and not data["handoffs"]:
            return Reply(texts.NO_DATA)
        titles = {t.id: t.title for t in self.topics()}
        if person is not None and person.status == "active":
            chosen = [titles.get(t, t) for t in person.topic_list]
            subscription = "có — " + (", ".join(chosen) if chosen else texts.SUBSCRIBE_ALL.lower())
            subscription += f" (đồng ý lúc {_when(person.consent_at, self.zone)})"
        else:
            subscription = "không"
        recent = person.last_question[:200] if person is not None and person.last_question else "—"
        return Reply(texts.MY_DATA.format(
            channel=incoming.channel, chat_id=incoming.chat_id,
            name=(person.display_name if person and person.display_name else "—"),
            subscription=subscription, first_seen=_when(person.first_seen if person else None, self.zone),
            last_seen=_when(person.last_seen if person else None, self.zone), feedback=len(data["feedback"]),
            handoffs=len(data["handoffs"]), recent=recent))

    def delete_confirm(self) -> Reply:
        return Reply(texts.DELETE_CONFIRM, [[Button(texts.DELETE_YES, "d:yes")], [Button(texts.DELETE_NO, "d:no")]])

    async def delete(self, incoming: Incoming, answer: str) -> Reply:
        if answer != "yes":
            return Reply(texts.KEPT)
        await self.store.delete_person(incoming.channel, incoming.chat_id)
        self._awaiting_comment.pop((incoming.channel, incoming.chat_id), None)
        return Reply(texts.DELETED)

    # -- feedback ----------------------------------------------------------------------------------
    def feedback_buttons(self, entry_id: str) -> list[Button]:
        return [Button(texts.FEEDBACK_UP, f"f:+:{entry_id}"), Button(texts.FEEDBACK_DOWN, f"f:-:{entry_id}")]

    async def feedback(self, incoming: Incoming, arg: str, entry_exists) -> Reply:
        sign, _, entry_id = arg.partition(":")
        if sign not in "+-" or not sign or not entry_exists(entry_id):
            return Reply(texts.STALE_BUTTON, [[Button(texts.MAIN_MENU, "m")]])
        row = await self.store.add_feedback(incoming.channel, incoming.chat_id, entry_id, sign == "+")
        if sign == "+":
            return Reply(texts.FEEDBACK_THANKS)
        return Reply(texts.FEEDBACK_SORRY, [[Button(texts.FEEDBACK_WRITE, f"c:{row.id}")],
                                            [Button(texts.TALK_TO_HUMAN, "h")]])

    def await_comment(self, incoming: Incoming, feedback_id: str) -> Reply:
        if not feedback_id.isdigit():
            return Reply(texts.STALE_BUTTON)
        self._awaiting_comment[(incoming.channel, incoming.chat_id)] = (int(feedback_id), time.monotonic())
        return Reply(texts.FEEDBACK_ASK_COMMENT)

    async def take_comment(self, incoming: Incoming, text: str) -> Reply | None:
        """If this chat tapped "write a comment" recently, `text` is that comment."""
        pending = self._awaiting_comment.pop((incoming.channel, incoming.chat_id), None)
        if pending is None or time.monotonic() - pending[1] > COMMENT_WINDOW:
            return None
        await self.store.set_feedback_comment(pending[0], text)
        return Reply(texts.FEEDBACK_COMMENT_SAVED, [[Button(texts.MAIN_MENU, "m")]])

    # -- talking to a person -----------------------------------------------------------------------
    async def handoff(self, incoming: Incoming) -> list[Reply]:
        question = await self.store.last_question(incoming.channel, incoming.chat_id)
        request = await self.store.open_handoff(incoming.channel, incoming.chat_id, incoming.user_name, question)
        if self.staff_chat is None:
            return [Reply(texts.HANDOFF_NO_STAFF.format(id=request.id, contact=self.contact))]
        staff_channel, staff_chat_id = self.staff_chat
        notice = texts.HANDOFF_TO_STAFF.format(id=request.id, name=incoming.user_name or "(không tên)",
                                               channel=incoming.channel, chat_id=incoming.chat_id,
                                               question=question[:500] or "—")
        return [Reply(texts.HANDOFF_OPENED.format(id=request.id, contact=self.contact)),
                Reply(notice, channel=staff_channel, chat_id=staff_chat_id)]

    def is_staff(self, incoming: Incoming) -> bool:
        return incoming.identity in self.staff

    async def staff_reply(self, incoming: Incoming, text: str) -> list[Reply]:
        if not self.is_staff(incoming):
            return [Reply(texts.STAFF_ONLY)]
        parts = text.split(maxsplit=2)
        if len(parts) < 3 or not parts[1].lstrip("#").isdigit():
            return [Reply(texts.REPLY_USAGE)]
        handoff_id = int(parts[1].lstrip("#"))
        request = await self.store.get_handoff(handoff_id)
        if request is None:
            return [Reply(texts.REPLY_NOT_FOUND.format(id=handoff_id))]
        await self.store.close_handoff(handoff_id)
        return [Reply(texts.STAFF_ANSWER.format(text=parts[2]), channel=request.channel, chat_id=request.chat_id),
                Reply(texts.REPLY_SENT.format(id=handoff_id))]
