"""Cases in chat: staff's /hoso_ds, /hoso_xem, /hoso_doi and buttons; the business's /hoso, look-ups and answers."""

from __future__ import annotations

import re

from handlers import texts
from handlers.callbacks import CaseInfoDone, CaseMove, CaseShow, MyCase, pack
from handlers.case_changes import TEXT_LIMIT, CaseChanges, needs_text, ocop_text
from handlers.local_time import local_time
from handlers.state_keys import StateKind, state_key
from handlers.statuses import CaseEventKind, CaseStatus
from handlers.types import Button, Incoming, Reply
from handlers.views import CaseView
from knowledge.syllables import fold

STAFF_NOTE_WINDOW = 600.0  # seconds a staff member has to type the note after pressing "cần bổ sung"
LISTED = 20  # cases per chat listing
# What staff type after /hoso_doi, accent-free ("tiep-nhan"); the English values work too.
STATUS_WORDS = {
    "tiep nhan": CaseStatus.RECEIVED,
    "da tiep nhan": CaseStatus.RECEIVED,
    "xem xet": CaseStatus.REVIEWING,
    "dang xem xet": CaseStatus.REVIEWING,
    "bo sung": CaseStatus.NEEDS_INFO,
    "can bo sung": CaseStatus.NEEDS_INFO,
    "chap nhan": CaseStatus.ACCEPTED,
    "khong du": CaseStatus.NOT_ELIGIBLE,
    "chua du": CaseStatus.NOT_ELIGIBLE,
    "khong du dieu kien": CaseStatus.NOT_ELIGIBLE,
    "dong": CaseStatus.CLOSED,
} | {s.value.replace("_", " "): s for s in CaseStatus}
# Nine digits at most: case numbers are 32-bit integers in the database.
_REFERENCE = re.compile(r"\bhs ?#?(\d{1,9})(?: ?- ?([a-z0-9]{1,8}))?\b")
# What a business types to look a case up (accent-free): "tra cứu hồ sơ HS12-ABCD", "mã hồ sơ HS12-ABCD", the
# code alone; or "tra cứu hồ sơ" for all of its cases.
_LOOKUP_ONE = re.compile(
    r"^(?:(?:tra cuu|xem|kiem tra)\s+)?(?:(?:trang thai\s+)?ho so\s+)?(?:(?:ma|so)\s+)?(?:ho so\s+)?"
    r"(hs ?#?\d{1,12}(?: ?- ?[a-z0-9]{1,8})?)$"
)
_LOOKUP_ALL = re.compile(r"^(?:tra cuu|xem|kiem tra)\s+(?:trang thai\s+)?ho so(?: cua (?:toi|em|minh))?$")


def parse_case_reference(text: str) -> tuple[int, str | None] | None:
    """ "HS12-K7QF", "hs12-k7qf" or "HS12" → (12, "K7QF" | None)."""
    found = _REFERENCE.search(fold(text))
    return (int(found.group(1)), found.group(2).upper() if found.group(2) else None) if found else None


class CaseDesk(CaseChanges):
    """The case desk as the chats use it: staff commands and buttons, the business's own cases; the console
    uses only what it inherits."""

    # -- the staff chat ----------------------------------------------------------------------------
    async def find(self, word: str) -> CaseView | None:
        parsed = parse_case_reference(word) or (
            (int(word), None) if word.isascii() and word.isdigit() and len(word) <= 12 else None
        )
        case = await self.store.get(parsed[0]) if parsed else None
        return case if case is not None and parsed and parsed[1] in (None, case.code.upper()) else None

    async def command(self, incoming: Incoming, name: str, args: str) -> list[Reply]:
        """/hoso_ds, /hoso_xem REF, /hoso_doi REF STATUS [note]."""
        if name == "cases":
            return [await self.open_cases()]
        word, _, rest = args.strip().partition(" ")
        if not word:
            return [Reply(texts.STAFF_CASE_USAGE)]
        case = await self.find(word)
        if case is None:
            return [Reply(texts.STAFF_CASE_NOT_FOUND.format(ref=word[:30]))]
        if name == "case":
            return [await self.detail(case, staff=True)]
        status_word, _, note = rest.strip().partition(" ")
        status = STATUS_WORDS.get(fold(status_word).replace("-", " ").replace("_", " "))
        if status is None:
            return [
                Reply(
                    texts.STAFF_CASE_BAD_STATUS.format(word=status_word[:30]) if status_word else texts.STAFF_CASE_USAGE
                )
            ]
        return [await self.move(incoming, case.id, status, case.status, note)]

    async def move(
        self, incoming: Incoming, case_id: int, status: CaseStatus, expected: CaseStatus, note: str
    ) -> Reply:
        change = await self.change_status(case_id, status, incoming.identity, incoming.user_name, note, expected)
        if change.problem or change.case is None:
            rows = self.moves(change.case) if change.case is not None else []
            return Reply(change.problem or texts.CASE_PROBLEM_GONE, rows)
        case = change.case
        done = texts.STAFF_CASE_MOVED.format(ref=case.reference, label=status.label, name=incoming.user_name or "—")
        done += texts.STAFF_CASE_TOLD if change.told else texts.STAFF_CASE_NOT_TOLD
        return Reply(done, self.moves(case))

    async def on_staff_button(self, incoming: Incoming, pressed: CaseMove | CaseShow) -> list[Reply]:
        case = await self.store.get(pressed.case_id)
        if case is None:
            return [Reply(texts.CASE_PROBLEM_GONE)]
        if isinstance(pressed, CaseShow):
            return [await self.detail(case, staff=True)]
        if pressed.status is CaseStatus.NEEDS_INFO and case.status is pressed.expected:
            # The note tells the business what to send: the staff member's next message is that note.
            value = {"case": case.id, "expected": pressed.expected.value, "user": incoming.user_id}
            await self.state.put(self._note_key(incoming), value, STAFF_NOTE_WINDOW)
            return [Reply(texts.STAFF_CASE_ASK_NOTE.format(ref=case.reference))]
        return [await self.move(incoming, case.id, pressed.status, pressed.expected, "")]

    @staticmethod
    def _note_key(incoming: Incoming) -> str:
        return state_key(StateKind.CASE_NOTE, incoming.channel, incoming.chat_id)

    async def staff_note(self, incoming: Incoming, text: str) -> list[Reply] | None:
        """The note typed after "cần bổ sung"; None when this staff member was not asked for one."""
        key = self._note_key(incoming)
        pending = await self.state.get(key)
        if pending is None or pending.get("user") != incoming.user_id:
            return None
        await self.state.delete(key)
        case_id, expected = int(pending["case"]), CaseStatus(str(pending["expected"]))
        return [await self.move(incoming, case_id, CaseStatus.NEEDS_INFO, expected, text)]

    async def cancel_note(self, incoming: Incoming) -> Reply | None:
        pending = await self.state.get(self._note_key(incoming))
        if pending is None or pending.get("user") != incoming.user_id:
            return None
        await self.state.delete(self._note_key(incoming))
        case = await self.store.get(int(pending["case"]))
        return Reply(texts.STAFF_CASE_NOTE_CANCELLED.format(ref=case.reference if case else pending["case"]))

    async def open_cases(self) -> Reply:
        cases = [c for c in await self.store.listing(limit=200) if not c.status.final][:LISTED]
        if not cases:
            return Reply(texts.STAFF_CASES_NONE)
        lines = [
            texts.STAFF_CASE_LINE.format(
                ref=c.reference,
                name=c.application.business_name or "—",
                commune=self.place(c.application.commune),
                label=c.status.label,
                when=local_time(c.updated_at or c.created_at, self.zone),
            )
            for c in cases
        ]
        rows = [[Button(texts.STAFF_CASE_VIEW.format(ref=c.reference), pack(CaseShow(c.id)))] for c in cases[:10]]
        return Reply(texts.STAFF_CASES + "\n" + "\n".join(lines), rows)

    async def detail(self, case: CaseView, staff: bool) -> Reply:
        """A case and its history; the business sees neither staff names nor internal notes."""
        lines = []
        for event in await self.store.events(case.id):
            when = local_time(event.at, self.zone)
            who = f" ({event.actor_name})" if staff and event.actor_name else ""
            if event.kind is CaseEventKind.STATUS and event.status is not None:
                note = f": {event.text}" if event.text else ""
                lines.append(texts.CASE_HISTORY_STATUS.format(when=when, label=event.status.label, who=who, note=note))
            elif event.kind is CaseEventKind.BUSINESS:
                lines.append(texts.CASE_HISTORY_BUSINESS.format(when=when, text=event.text))
            elif staff:
                lines.append(texts.CASE_HISTORY_NOTE.format(when=when, who=who, text=event.text))
        a = case.application
        text = texts.CASE_DETAIL.format(
            ref=case.reference,
            label=case.status.label,
            name=a.business_name or "—",
            tax=a.tax_code or "—",
            commune=self.place(a.commune),
            sector=a.sector or "—",
            ocop=ocop_text(a),
            needs=needs_text(a),
            contact=a.contact_name or "—",
            phone=a.phone or "—",
            created=local_time(case.created_at, self.zone),
            history="\n".join(lines) or "—",
        )
        return Reply(text, self.moves(case) if staff else [])

    # -- the business ------------------------------------------------------------------------------
    async def my_cases(self, incoming: Incoming) -> Reply:
        cases = (await self.store.for_chat(incoming.channel, incoming.chat_id))[:LISTED]
        if not cases:
            return Reply(texts.CASE_MINE_NONE)
        lines = [
            texts.CASE_MINE_LINE.format(
                ref=c.reference,
                name=c.application.business_name,
                label=c.status.label,
                when=local_time(c.created_at, self.zone),
            )
            for c in cases
        ]
        rows = [[Button(texts.CASE_VIEW_BUTTON.format(ref=c.reference), pack(MyCase(c.id)))] for c in cases[:10]]
        return Reply(texts.CASE_MINE + "\n" + "\n".join(lines), rows)

    async def my_case(self, incoming: Incoming, case_id: int, code: str | None = None) -> Reply:
        """One of the chat's own cases; another chat's case (or a wrong code) is "not found", never shown."""
        case = await self.store.get(case_id)
        own = case is not None and (case.channel, case.chat_id) == (incoming.channel, incoming.chat_id)
        if case is None or not own or (code is not None and code != case.code.upper()):
            ref = f"HS{case_id}-{code}" if code else f"HS{case_id}"
            return Reply(texts.CASE_NOT_FOUND_FOR_BUSINESS.format(ref=ref))
        return await self.detail(case, staff=False)

    async def lookup(self, incoming: Incoming, text: str) -> Reply | None:
        """ "tra cứu hồ sơ HS12-ABCD" or the code alone: that case, if it is this chat's; None if the text
        is not a look-up (then it is a question)."""
        folded = fold(text).strip(" .?!")
        if len(folded) > 60:
            return None
        if _LOOKUP_ALL.match(folded):
            return await self.my_cases(incoming)
        matched = _LOOKUP_ONE.match(folded)
        reference = parse_case_reference(matched.group(1)) if matched else None
        return await self.my_case(incoming, *reference) if reference else None

    async def awaiting(self, incoming: Incoming) -> dict[str, object] | None:
        """The case this chat was asked to complete, while its answer window is open."""
        return await self.state.get(self._info_key(incoming.channel, incoming.chat_id))

    async def business_answer(self, incoming: Incoming, waiting: dict[str, object], text: str) -> list[Reply] | None:
        """Attach the message to the case and tell staff; None when the case moved on (a question again)."""
        key = self._info_key(incoming.channel, incoming.chat_id)
        case = await self.store.get(int(str(waiting.get("case"))))
        own = case is not None and (case.channel, case.chat_id) == (incoming.channel, incoming.chat_id)
        if case is None or case.status is not CaseStatus.NEEDS_INFO or not own:
            await self.state.delete(key)
            return None
        if not text.strip():
            return [Reply(texts.APPLY_ONLY_TEXT)]
        found = await self.lookup(incoming, text)  # "tra cứu hồ sơ HS12-ABCD" is no answer to staff
        if found is not None:
            return [found]
        await self.store.add_event(case.id, CaseEventKind.BUSINESS, "", incoming.user_name, text[:TEXT_LIMIT])
        await self.to_staff(Reply(texts.STAFF_CASE_BUSINESS_SAID.format(ref=case.reference, text=text[:TEXT_LIMIT])))
        done = [[Button(texts.CASE_INFO_DONE, pack(CaseInfoDone(case.id)))]]
        return [Reply(texts.CASE_INFO_ATTACHED.format(ref=case.reference), done)]

    async def info_done(self, incoming: Incoming, case_id: int) -> Reply | None:
        key = self._info_key(incoming.channel, incoming.chat_id)
        waiting = await self.state.get(key)
        if waiting is None or waiting.get("case") != case_id:
            return None
        await self.state.delete(key)
        return Reply(texts.CASE_INFO_CLOSED.format(ref=waiting.get("ref", "")))
