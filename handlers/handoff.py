"""Talking to a person: a request puts the chat in "talking to staff" mode, messages go both ways through the
staff chat until staff or the user ends it; staff list, take, read and close requests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from handlers import texts
from handlers.callbacks import EndHandoff, RequestClose, RequestTake, RequestView, pack
from handlers.contact import ContactSource, contact_block
from handlers.local_time import local_time
from handlers.ports import HandoffStore, Messenger, PeopleStore, StateStore
from handlers.state_keys import StateKind, state_key
from handlers.statuses import HandoffAuthor, HandoffStatus
from handlers.types import Button, Incoming, Reply
from handlers.views import HandoffView, Sent

HANDOFF_IDLE = 24 * 3600.0  # seconds without a message before the chat goes back to the bot
SUMMARY_CHARS = 1500  # of the opening text shown in the staff chat's notice
# Each staff command as staff type it, and what follows the request's reference.
USAGE = {
    "reply": ("traloi", "<nội dung> "),
    "take": ("nhan", ""),
    "close": ("ketthuc", "[ghi chú] "),
    "transcript": ("xemyeucau", ""),
}
THREAD_LOOKUPS = 4
THREAD_RETRY = 0.25  # seconds between lookups of a just-forwarded message's request


def end_button() -> list[Button]:
    return [Button(texts.HANDOFF_END, pack(EndHandoff()))]


def parse_reference(word: str) -> tuple[int, str | None] | None:
    """ "#12-K7QF", "12-k7qf" or "12" → (12, "K7QF" | None); None if it is not a reference."""
    number, _, code = word.strip().lstrip("#").partition("-")
    # Nine digits at most: request numbers are 32-bit integers in the database (PostgreSQL refuses more).
    if not (number.isascii() and number.isdigit() and 0 < len(number) <= 9):
        return None
    if code and not (code.isascii() and code.isalnum() and len(code) <= 8):
        return None
    return int(number), (code.upper() or None)


class HandoffFlow:
    """Both sides of a request: the user's chat in staff mode, and the staff commands and replies."""

    def __init__(
        self,
        store: HandoffStore,
        people: PeopleStore,
        state: StateStore,
        messenger: Messenger,
        contacts: ContactSource,
        staff: frozenset[str],
        staff_chat: tuple[str, str] | None,
        idle: float = HANDOFF_IDLE,
        timezone: str = "Asia/Ho_Chi_Minh",
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self.store = store
        self.people = people
        self.state = state
        self.messenger = messenger
        self.contacts = contacts
        self.staff = staff
        self.staff_chat = staff_chat
        self.idle = idle
        self.zone = ZoneInfo(timezone)
        self.sleep = sleep

    @staticmethod
    def _key(channel: str, chat_id: str) -> str:
        return state_key(StateKind.HANDOFF, channel, chat_id)

    def contact_block(self) -> str:
        # The request is already open: "press «Gặp cán bộ»" would send the user in a circle.
        return contact_block(self.contacts.current(), offer_staff=False)

    async def _enter(self, request: HandoffView, last: HandoffAuthor) -> None:
        await self.state.put(
            self._key(request.channel, request.chat_id),
            {"id": request.id, "ref": request.reference, "last": last.value},
            self.idle,
        )

    def is_staff_chat(self, incoming: Incoming) -> bool:
        return self.staff_chat == (incoming.channel, incoming.chat_id)

    # -- the user's side ---------------------------------------------------------------------------
    async def open(self, incoming: Incoming, text: str = "") -> list[Reply]:
        """/gapcanbo [text], the button, or the fallback's offer; a second press reuses the open request."""
        live = await self.store.live_for(incoming.channel, incoming.chat_id)
        if live is not None and self.staff_chat is not None:
            await self._enter(live, HandoffAuthor.USER)
            if text:
                return await self.from_user(incoming, text) or []
            return [Reply(texts.HANDOFF_ALREADY.format(ref=live.reference), [end_button()])]
        if live is None:
            question = text or await self.people.last_question(incoming.channel, incoming.chat_id)
            request = await self.store.open(
                incoming.channel, incoming.chat_id, incoming.user_id, incoming.user_name, question
            )
        else:  # no staff chat: the open request is kept, and what is added joins it
            request, question = live, text
        message_id = (
            await self.store.add_message(request.id, HandoffAuthor.USER, question, incoming.user_name)
            if question
            else None
        )
        if self.staff_chat is None:
            # Nobody reads requests in a chat: what was asked is kept for staff, the user gets the contacts.
            return [Reply(texts.HANDOFF_NO_STAFF.format(ref=request.reference, contact=self.contact_block()))]
        await self._enter(request, HandoffAuthor.USER if question else HandoffAuthor.STAFF)
        notice = texts.STAFF_NEW_REQUEST.format(
            ref=request.reference,
            name=incoming.user_name or "(không tên)",
            channel=incoming.channel,
            question=question[:SUMMARY_CHARS] or "(người dùng đang nhập)",
        )
        sent = await self._to_staff(notice, request, message_id)
        if not sent:
            return [Reply(texts.HANDOFF_NOT_FORWARDED.format(ref=request.reference, contact=self.contact_block()))]
        template = texts.HANDOFF_OPENED if text else texts.HANDOFF_ASK
        return [Reply(template.format(ref=request.reference), [end_button()])]

    async def active(self, incoming: Incoming) -> dict[str, object] | None:
        return await self.state.get(self._key(incoming.channel, incoming.chat_id))

    async def from_user(self, incoming: Incoming, text: str) -> list[Reply] | None:
        """A message typed in staff mode goes to the request; None if the request is gone (back to the bot)."""
        key = self._key(incoming.channel, incoming.chat_id)
        mode = await self.state.get(key)
        request = await self.store.get(int(str(mode["id"]))) if mode else None
        if request is None or request.status is HandoffStatus.CLOSED:
            await self.state.delete(key)
            return None
        message_id = await self.store.add_message(request.id, HandoffAuthor.USER, text, incoming.user_name)
        line = texts.STAFF_USER_SAID.format(ref=request.reference, name=incoming.user_name or "(không tên)", text=text)
        sent = await self._to_staff(line, request, message_id)
        await self._enter(request, HandoffAuthor.USER)
        # Without a staff chat the request is read (and answered) on the web console: kept is delivered.
        if not sent and self.staff_chat is not None:
            return [Reply(texts.HANDOFF_NOT_FORWARDED.format(ref=request.reference, contact=self.contact_block()))]
        # One acknowledgement per turn: after an answer from staff, not under every line the user types.
        return [] if mode and mode.get("last") == HandoffAuthor.USER else [Reply(texts.HANDOFF_FORWARDED)]

    async def end_by_user(self, incoming: Incoming) -> list[Reply]:
        await self.state.delete(self._key(incoming.channel, incoming.chat_id))
        request = await self.store.live_for(incoming.channel, incoming.chat_id)
        if request is None:
            return [Reply(texts.HANDOFF_NOTHING_TO_END)]
        await self.store.close(request.id, "người dùng kết thúc")
        await self._to_staff(texts.STAFF_USER_ENDED.format(ref=request.reference), request, None)
        return [Reply(texts.HANDOFF_ENDED_BY_USER.format(ref=request.reference))]

    async def before_erasure(self, incoming: Incoming) -> None:
        """The user erases their data: staff learn that the request (and what they were shown) is gone."""
        request = await self.store.live_for(incoming.channel, incoming.chat_id)
        if request is not None:
            await self._to_staff(texts.STAFF_USER_ERASED.format(ref=request.reference), request, None)

    async def _to_staff(self, text: str, request: HandoffView, message_id: int | None) -> bool:
        if self.staff_chat is None:
            return False
        channel, chat_id = self.staff_chat
        sent = await self.messenger.send(channel, chat_id, Reply(text))
        if sent.ok and message_id is not None and sent.message_id:
            await self.store.mark_copied(message_id, f"{channel}:{chat_id}:{sent.message_id}")
        return sent.ok

    # -- the staff side ----------------------------------------------------------------------------
    async def find(self, word: str) -> HandoffView | None:
        """The request a reference names; a wrong code names nothing."""
        parsed = parse_reference(word)
        if parsed is None:
            return None
        request = await self.store.get(parsed[0])
        if request is None or (parsed[1] is not None and parsed[1] != request.code):
            return None
        return request

    async def by_thread(self, incoming: Incoming) -> HandoffView | None:
        """The request whose forwarded message staff answered by replying to it in the staff chat."""
        if incoming.reply_to is None or not self.is_staff_chat(incoming):
            return None  # forwarded copies live only in the staff chat
        copy = f"{incoming.channel}:{incoming.chat_id}:{incoming.reply_to}"
        for attempt in range(THREAD_LOOKUPS):
            found = await self.store.by_staff_message(copy)
            if found is not None or attempt == THREAD_LOOKUPS - 1:
                return found
            # The copy's id is stored just after it was sent: a very quick reply may arrive first.
            await self.sleep(THREAD_RETRY)
        return None

    async def staff_reply(self, incoming: Incoming, request: HandoffView, text: str) -> list[Reply]:
        """Send staff's words to the user; say truthfully whether they arrived."""
        sent = await self.answer(request, incoming.identity, incoming.user_name, text)
        if sent is None:
            return [Reply(texts.STAFF_REQUEST_CLOSED.format(ref=request.reference))]
        if not sent.ok:
            template = texts.STAFF_REPLY_BLOCKED if sent.blocked else texts.STAFF_REPLY_FAILED
            return [Reply(template.format(ref=request.reference))]
        return [Reply(texts.STAFF_REPLY_SENT.format(name=request.user_name or "người dùng", ref=request.reference))]

    async def answer(self, request: HandoffView, staff: str, staff_name: str, text: str) -> Sent | None:
        """Staff's words to the user, from the staff chat or the web (`staff` is "telegram:900" or
        "web:<email>"); None, and nothing sent, when the request is closed. Only words that arrived are
        kept in the transcript; the first answer takes an open request for whoever sent it."""
        if request.status is HandoffStatus.CLOSED:
            return None
        sent = await self.messenger.send(
            request.channel,
            request.chat_id,
            Reply(texts.STAFF_ANSWER.format(name=f" {staff_name}" if staff_name else "", text=text), [end_button()]),
        )
        if not sent.ok:
            return sent
        await self.store.add_message(request.id, HandoffAuthor.STAFF, text, staff_name)
        if request.status is HandoffStatus.OPEN:
            await self.store.claim(request.id, staff, staff_name, "")  # taken meanwhile: it stays theirs
        # The user's answer goes to staff, even if their chat had gone back to the bot meanwhile.
        await self._enter(request, HandoffAuthor.STAFF)
        return sent

    async def command(self, incoming: Incoming, name: str, args: str) -> list[Reply]:
        """/traloi REF TEXT, /nhan REF, /ketthuc REF [NOTE], /xemyeucau REF, /yeucau."""
        if name == "requests":
            return [await self.listing()]
        word, _, rest = args.strip().partition(" ")
        rest = rest.strip()
        if not word or (name == "reply" and not rest) or parse_reference(word) is None:
            command, rest_usage = USAGE[name]
            return [Reply(texts.STAFF_REQUEST_USAGE.format(command=command, rest=rest_usage))]
        request = await self.find(word)
        if request is None:
            return [Reply(texts.STAFF_REQUEST_NOT_FOUND.format(ref=word.lstrip("#")))]
        if name == "reply":
            return await self.staff_reply(incoming, request, rest)
        if name == "take":
            return await self.take(incoming, request)
        if name == "close":
            return await self.close(request, rest)
        return [await self.transcript(request)]

    async def take(self, incoming: Incoming, request: HandoffView) -> list[Reply]:
        if request.status is HandoffStatus.CLOSED:
            return [Reply(texts.STAFF_REQUEST_CLOSED.format(ref=request.reference))]
        await self.store.take(request.id, incoming.identity, incoming.user_name)
        await self.messenger.send(
            request.channel,
            request.chat_id,
            Reply(
                texts.HANDOFF_TAKEN_FOR_USER.format(name=incoming.user_name, ref=request.reference).replace("  ", " ")
            ),
        )
        return [Reply(texts.STAFF_TAKEN.format(ref=request.reference, name=request.user_name or "không tên"))]

    async def claim(self, request: HandoffView, staff: str, staff_name: str, seen: str) -> Sent | None:
        """Take the request for `staff` if its assignee is still `seen` (what the taker saw, "" while open)
        and tell the user; None, and nobody told, if it was taken by someone else or closed meanwhile."""
        if request.status is HandoffStatus.CLOSED or not await self.store.claim(request.id, staff, staff_name, seen):
            return None
        told = texts.HANDOFF_TAKEN_FOR_USER.format(name=staff_name, ref=request.reference).replace("  ", " ")
        return await self.messenger.send(request.channel, request.chat_id, Reply(told))

    async def finish(self, request: HandoffView, note: str) -> Sent | None:
        """Close the request and tell the user (what became of that message is returned); None when it was
        closed already, even a moment ago by someone else: the user is told once."""
        if request.status is HandoffStatus.CLOSED or not await self.store.close_live(request.id, note):
            return None
        await self.state.delete(self._key(request.channel, request.chat_id))
        shown = texts.HANDOFF_CLOSE_NOTE.format(note=note) if note else ""
        return await self.messenger.send(
            request.channel,
            request.chat_id,
            Reply(texts.HANDOFF_CLOSED_FOR_USER.format(ref=request.reference, note=shown)),
        )

    async def close(self, request: HandoffView, note: str) -> list[Reply]:
        if await self.finish(request, note) is None:
            return [Reply(texts.STAFF_REQUEST_CLOSED.format(ref=request.reference))]
        return [Reply(texts.STAFF_CLOSED.format(ref=request.reference))]

    async def listing(self) -> Reply:
        requests = await self.store.live()
        if not requests:
            return Reply(texts.STAFF_NO_REQUESTS)
        lines = [
            texts.STAFF_REQUEST_LINE.format(
                ref=r.reference,
                name=r.user_name or "không tên",
                channel=r.channel,
                status=r.status.label + (f" ({r.assigned_name})" if r.assigned_name else ""),
                when=local_time(r.last_activity_at, self.zone),
            )
            for r in requests
        ]
        rows = [[Button(texts.STAFF_VIEW.format(ref=r.reference), pack(RequestView(r.id)))] for r in requests[:10]]
        return Reply(texts.STAFF_REQUESTS + "\n" + "\n".join(lines), rows)

    async def transcript(self, request: HandoffView) -> Reply:
        messages = await self.store.transcript(request.id)
        lines = "\n".join(
            texts.STAFF_TRANSCRIPT_LINE.format(
                when=local_time(m.created_at, self.zone),
                who=(texts.USER_LABEL if m.author is HandoffAuthor.USER else m.author_name or texts.STAFF_LABEL),
                text=m.text,
            )
            for m in messages
        )
        rows = []
        if request.status is not HandoffStatus.CLOSED:
            rows.append(
                [
                    Button(texts.STAFF_TAKE, pack(RequestTake(request.id))),
                    Button(texts.STAFF_CLOSE, pack(RequestClose(request.id))),
                ]
            )
        status = request.status.label + (f" ({request.assigned_name})" if request.assigned_name else "")
        return Reply(
            texts.STAFF_TRANSCRIPT.format(
                ref=request.reference,
                name=request.user_name or "không tên",
                channel=request.channel,
                status=status,
                lines=lines or "—",
            ),
            rows,
        )

    async def on_staff_button(
        self, incoming: Incoming, pressed: RequestView | RequestTake | RequestClose
    ) -> list[Reply]:
        request = await self.store.get(pressed.request_id)
        if request is None:
            return [Reply(texts.STAFF_REQUEST_NOT_FOUND.format(ref=pressed.request_id))]
        match pressed:
            case RequestTake():
                return await self.take(incoming, request)
            case RequestClose():
                return await self.close(request, "")
        return [await self.transcript(request)]
