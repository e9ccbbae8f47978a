"""The one way to change a case, shared by the staff chat and the console: checked, then told to the business."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from handlers import texts
from handlers.business_ids import format_tax_code
from handlers.callbacks import CaseInfoDone, CaseMove, CaseShow, pack
from handlers.ports import CaseStore, Messenger, StateStore
from handlers.state_keys import StateKind, state_key
from handlers.statuses import CaseEventKind, CaseStatus, SupportNeed
from handlers.types import Button, Reply
from handlers.views import Application, CaseView
from knowledge.communes import CommuneList

INFO_WINDOW = 7 * 24 * 3600.0  # seconds the business's messages are taken as its answer after "needs info"
NOTE_LIMIT = 1000
TEXT_LIMIT = 4000  # of one answer kept on the case
# Which way staff may move a case (CaseStatus's docstring); a final status only closes.
TRANSITIONS: dict[CaseStatus, tuple[CaseStatus, ...]] = {
    CaseStatus.NEW: (CaseStatus.RECEIVED, CaseStatus.NEEDS_INFO, CaseStatus.NOT_ELIGIBLE, CaseStatus.CLOSED),
    CaseStatus.RECEIVED: (CaseStatus.REVIEWING, CaseStatus.NEEDS_INFO, CaseStatus.NOT_ELIGIBLE, CaseStatus.CLOSED),
    CaseStatus.REVIEWING: (CaseStatus.NEEDS_INFO, CaseStatus.ACCEPTED, CaseStatus.NOT_ELIGIBLE, CaseStatus.CLOSED),
    CaseStatus.NEEDS_INFO: (CaseStatus.REVIEWING, CaseStatus.NOT_ELIGIBLE, CaseStatus.CLOSED),
    CaseStatus.ACCEPTED: (CaseStatus.CLOSED,),
    CaseStatus.NOT_ELIGIBLE: (CaseStatus.CLOSED,),
    CaseStatus.CLOSED: (),
}


@dataclass(frozen=True)
class CaseChange:
    """What became of a status change: the case as it is now, whether the business was told, and why not
    (a Vietnamese sentence, "" when it was done)."""

    case: CaseView | None
    told: bool = False
    problem: str = ""


def application_words(application: Application, place: Callable[[str], str]) -> dict[str, str]:
    """An application's fields as the business's summary and the staff's notice both print them."""
    a = application
    return {
        "name": a.business_name,
        "tax": format_tax_code(a.tax_code),
        "commune": place(a.commune),
        "sector": a.sector,
        "ocop": ocop_text(a),
        "needs": needs_text(a),
        "contact": a.contact_name,
        "phone": a.phone,
    }


def needs_text(application: Application) -> str:
    known = {n.value for n in SupportNeed}
    labels = [SupportNeed(n).label for n in application.needs if n in known]
    return "; ".join(labels) or "—"


def ocop_text(application: Application) -> str:
    if not application.ocop_stars:
        return texts.CASE_NO_OCOP
    return texts.APPLY_SUMMARY_OCOP.format(product=application.ocop_product, stars=application.ocop_stars)


class CaseChanges:
    """One way to change a case, for the staff chat and the console alike; every change is told to the
    business on the channel it applied from."""

    def __init__(
        self,
        store: CaseStore,
        state: StateStore,
        messenger: Messenger,
        staff_chat: tuple[str, str] | None,
        communes: CommuneList,
        timezone: str = "Asia/Ho_Chi_Minh",
        info_window: float = INFO_WINDOW,
    ):
        self.store = store
        self.communes = communes
        self.state = state
        self.messenger = messenger
        self.staff_chat = staff_chat
        self.zone = ZoneInfo(timezone)
        self.info_window = info_window

    def place(self, name: str) -> str:
        """A stored commune name as people read it ("đặc khu Vân Đồn")."""
        commune = self.communes.by_name(name)
        return commune.full_name if commune is not None else name or "—"

    @staticmethod
    def allowed_next(status: CaseStatus) -> list[CaseStatus]:
        return list(TRANSITIONS[status])

    @staticmethod
    def _info_key(channel: str, chat_id: str) -> str:
        return state_key(StateKind.CASE_INFO, channel, chat_id)

    async def change_status(
        self, case_id: int, status: CaseStatus, staff: str, staff_name: str, note: str, expected: CaseStatus
    ) -> CaseChange:
        note = note.strip()
        case = await self.store.get(case_id)
        if case is None:
            return CaseChange(None, problem=texts.CASE_PROBLEM_GONE)
        if case.status is not expected:
            return CaseChange(
                case, problem=texts.CASE_PROBLEM_CHANGED.format(ref=case.reference, label=case.status.label)
            )
        if status not in TRANSITIONS[expected]:
            wording = texts.CASE_PROBLEM_NOT_ALLOWED
            return CaseChange(
                case, problem=wording.format(ref=case.reference, current=expected.label, wanted=status.label)
            )
        if status is CaseStatus.NEEDS_INFO and not note:
            return CaseChange(case, problem=texts.CASE_PROBLEM_NEEDS_NOTE)
        if len(note) > NOTE_LIMIT:
            return CaseChange(case, problem=texts.CASE_PROBLEM_NOTE_LONG.format(length=len(note), limit=NOTE_LIMIT))
        changed = await self.store.change_status(case_id, status, staff, staff_name, note, expected)
        if changed is None:  # another change won meanwhile
            now = await self.store.get(case_id)
            label = now.status.label if now is not None else status.label
            return CaseChange(now, problem=texts.CASE_PROBLEM_CHANGED.format(ref=case.reference, label=label))
        return CaseChange(changed, told=await self._tell(changed, note))

    async def _tell(self, case: CaseView, note: str) -> bool:
        """The business reads the new status on its own channel; "needs info" opens its answer window."""
        if not case.chat_id:  # erased: only anonymous statistics are left, nobody to tell
            return False
        key = self._info_key(case.channel, case.chat_id)
        text = texts.CASE_STATUS_FOR_BUSINESS.format(
            ref=case.reference, name=case.application.business_name, label=case.status.label
        )
        text += texts.CASE_NOTE_FOR_BUSINESS.format(note=note) if note else ""
        rows: list[list[Button]] = []
        if case.status is CaseStatus.NEEDS_INFO:
            await self.state.put(key, {"case": case.id, "ref": case.reference}, self.info_window)
            text += texts.CASE_ASK_INFO_FOR_BUSINESS
            rows.append([Button(texts.CASE_INFO_DONE, pack(CaseInfoDone(case.id)))])
        else:
            waiting = await self.state.get(key)
            if waiting is not None and waiting.get("case") == case.id:
                await self.state.delete(key)
        return (await self.messenger.send(case.channel, case.chat_id, Reply(text, rows, notice=True))).ok

    async def add_note(self, case_id: int, staff: str, staff_name: str, text: str) -> str:
        """A staff note the business never sees; the problem in Vietnamese, "" when stored."""
        text = text.strip()
        if not text:
            return texts.CASE_NOTE_EMPTY
        if len(text) > TEXT_LIMIT:
            return texts.CASE_PROBLEM_NOTE_LONG.format(length=len(text), limit=TEXT_LIMIT)
        if await self.store.get(case_id) is None:
            return texts.CASE_PROBLEM_GONE
        await self.store.add_event(case_id, CaseEventKind.NOTE, staff, staff_name, text)
        return ""

    # -- the staff chat's notice -------------------------------------------------------------------
    def moves(self, case: CaseView) -> list[list[Button]]:
        moves = [
            Button(texts.STAFF_CASE_MOVE.format(label=s.label), pack(CaseMove(case.id, s, case.status)))
            for s in TRANSITIONS[case.status]
        ]
        rows = [moves[i : i + 2] for i in range(0, len(moves), 2)]
        return rows + [[Button(texts.STAFF_CASE_VIEW.format(ref=case.reference), pack(CaseShow(case.id)))]]

    async def to_staff(self, reply: Reply) -> bool:
        if self.staff_chat is None:  # read on the console instead
            return False
        return (await self.messenger.send(*self.staff_chat, reply)).ok

    async def announce(self, case: CaseView) -> bool:
        """A new case in the staff chat, with buttons to move it."""
        a = case.application
        notice = texts.STAFF_NEW_CASE.format(
            ref=case.reference, channel=case.channel, **application_words(a, self.place)
        )
        return await self.to_staff(Reply(notice, self.moves(case)))
