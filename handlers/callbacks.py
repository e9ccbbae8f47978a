"""Button data: one dataclass per kind of button, packed to and unpacked from the platform's callback string.

The wire format (`m`, `t:TOPIC:PAGE`, `e:ENTRY`, `cw:s:7`, …) is what buttons in old messages carry, so it
stays as it was; this module is the only place that builds or parses it. Telegram allows 64 bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from handlers.statuses import CaseStatus

MAX_BYTES = 64  # Telegram's limit on callback_data


class CallbackTooLong(ValueError):
    """A button's data would not fit in 64 bytes (an entry id or audience that is too long)."""


@dataclass(frozen=True)
class MainMenu:
    pass


@dataclass(frozen=True)
class TopicPage:
    topic_id: str
    page: int = 0


@dataclass(frozen=True)
class ShowEntry:
    entry_id: str


@dataclass(frozen=True)
class ShowDetail:
    """ "Xem chi tiết" under a short answer, on channels that cannot fold the detail."""

    entry_id: str


@dataclass(frozen=True)
class NoneOfThese:
    """ "None of these" under a question back: the honest fallback."""


@dataclass(frozen=True)
class TalkToStaff:
    pass


@dataclass(frozen=True)
class EndHandoff:
    """The user leaves the conversation with staff and goes back to the bot."""


@dataclass(frozen=True)
class RequestView:
    """Staff: show one request's transcript."""

    request_id: int


@dataclass(frozen=True)
class RequestTake:
    request_id: int


@dataclass(frozen=True)
class RequestClose:
    request_id: int


@dataclass(frozen=True)
class Subscribe:
    """`topic_id` None shows the topic choice; "*" is every topic."""

    topic_id: str | None = None


@dataclass(frozen=True)
class Unsubscribe:
    """ "Hủy nhận tin" under a campaign message: stop campaigns to the chat that pressed it."""


@dataclass(frozen=True)
class Vote:
    entry_id: str
    helpful: bool


@dataclass(frozen=True)
class WriteComment:
    feedback_id: int


@dataclass(frozen=True)
class SkipComment:
    """After 👎: no comment, the next message is a question again."""


@dataclass(frozen=True)
class EraseData:
    confirmed: bool


@dataclass(frozen=True)
class CampaignAbort:
    pass


@dataclass(frozen=True)
class CampaignAudience:
    expression: str


@dataclass(frozen=True)
class CampaignTime:
    when: str


@dataclass(frozen=True)
class CampaignConfirm:
    pass


@dataclass(frozen=True)
class CampaignView:
    campaign_id: int


@dataclass(frozen=True)
class CampaignCancel:
    """Unconfirmed: ask "are you sure?"; confirmed: cancel."""

    campaign_id: int
    confirmed: bool = False


@dataclass(frozen=True)
class CampaignResend:
    """Unconfirmed: ask "are you sure?"; confirmed: send the unknowns again."""

    campaign_id: int
    confirmed: bool = False


@dataclass(frozen=True)
class CampaignReport:
    campaign_id: int


@dataclass(frozen=True)
class CampaignTestSend:
    """Send the draft to the staff member writing it, as a recipient would get it."""


@dataclass(frozen=True)
class CampaignAddImage:
    """Ask for a picture's link (or, with one set, take it off)."""


class FormAction(StrEnum):
    """What a button of the guided application form does; its value is the wire letter."""

    AGREE = "ok"  # the consent sentence accepted
    BACK = "b"
    STOP = "x"
    PICK = "p"  # a choice of the current step (a commune suggestion, a sector, an OCOP rating), by number
    NEED = "n"  # tick or untick one SupportNeed
    DONE = "d"  # the needs are chosen
    SUBMIT = "s"
    EDIT = "e"  # from the summary: the field choice, then one field (value: the step to answer again)
    LIST = "l"  # every commune, as a list
    RESUME = "k"  # /dangkyhotro while a form is open: go on with it
    RESTART = "r"  # … or start again


@dataclass(frozen=True)
class StartApplication:
    """ "Đăng ký nhận hỗ trợ": open the guided form (main menu, answers about applying)."""


@dataclass(frozen=True)
class ApplicationStep:
    """A button of one form: `form_id` tells an old form's (or another chat's) buttons from the open one's."""

    form_id: str
    action: FormAction
    value: str = ""


@dataclass(frozen=True)
class CaseMove:
    """Staff: move a case to `status`, if it is still `expected` (two staff at once: one wins)."""

    case_id: int
    status: CaseStatus
    expected: CaseStatus


@dataclass(frozen=True)
class CaseShow:
    """Staff: a case's details and history."""

    case_id: int


@dataclass(frozen=True)
class MyCase:
    """The business: one of its own cases (checked against the chat that pressed it)."""

    case_id: int


@dataclass(frozen=True)
class CaseInfoDone:
    """The business has sent what staff asked for: its next messages are questions again."""

    case_id: int


Callback = (
    MainMenu
    | TopicPage
    | ShowEntry
    | ShowDetail
    | NoneOfThese
    | TalkToStaff
    | EndHandoff
    | RequestView
    | RequestTake
    | RequestClose
    | Subscribe
    | Unsubscribe
    | Vote
    | WriteComment
    | SkipComment
    | EraseData
    | CampaignAbort
    | CampaignAudience
    | CampaignTime
    | CampaignConfirm
    | CampaignView
    | CampaignCancel
    | CampaignResend
    | CampaignReport
    | CampaignTestSend
    | CampaignAddImage
    | StartApplication
    | ApplicationStep
    | CaseMove
    | CaseShow
    | MyCase
    | CaseInfoDone
)
STAFF_REQUEST_CALLBACKS = (RequestView, RequestTake, RequestClose)
STAFF_CASE_CALLBACKS = (CaseMove, CaseShow)
CAMPAIGN_CALLBACKS = (
    CampaignAbort,
    CampaignAudience,
    CampaignTime,
    CampaignConfirm,
    CampaignView,
    CampaignCancel,
    CampaignResend,
    CampaignReport,
    CampaignTestSend,
    CampaignAddImage,
)


def _wire(callback: Callback) -> str:
    match callback:
        case MainMenu():
            return "m"
        case TopicPage(topic_id, page):
            return f"t:{topic_id}:{page}" if page else f"t:{topic_id}"
        case ShowDetail(entry_id):
            return f"x:{entry_id}"
        case ShowEntry(entry_id):
            return f"e:{entry_id}"
        case NoneOfThese():
            return "x"
        case TalkToStaff():
            return "h"
        case EndHandoff():
            return "h:end"
        case RequestView(request_id):
            return f"r:v:{request_id}"
        case RequestTake(request_id):
            return f"r:t:{request_id}"
        case RequestClose(request_id):
            return f"r:x:{request_id}"
        case Subscribe(topic_id):
            return "s" if topic_id is None else f"s:{topic_id}"
        case Unsubscribe():
            return "u"
        case Vote(entry_id, helpful):
            return f"f:{'+' if helpful else '-'}:{entry_id}"
        case WriteComment(feedback_id):
            return f"c:{feedback_id}"
        case SkipComment():
            return "c:-"
        case EraseData(confirmed):
            return "d:yes" if confirmed else "d:no"
        case CampaignAbort():
            return "cw:no"
        case CampaignAudience(expression):
            return f"cw:a:{expression}"
        case CampaignTime(when):
            return f"cw:t:{when}"
        case CampaignConfirm():
            return "cw:ok"
        case CampaignView(campaign_id):
            return f"cw:s:{campaign_id}"
        case CampaignCancel(campaign_id, confirmed):
            return f"cw:{'xy' if confirmed else 'x'}:{campaign_id}"
        case CampaignResend(campaign_id, confirmed):
            return f"cw:{'ry' if confirmed else 'r'}:{campaign_id}"
        case CampaignReport(campaign_id):
            return f"cw:rp:{campaign_id}"
        case CampaignTestSend():
            return "cw:test"
        case CampaignAddImage():
            return "cw:img"
        case StartApplication():
            return "ap"
        case ApplicationStep(form_id, action, value):
            return f"ap:{form_id}:{action.value}:{value}" if value else f"ap:{form_id}:{action.value}"
        case CaseMove(case_id, status, expected):
            return f"hs:m:{case_id}:{status.value}:{expected.value}"
        case CaseShow(case_id):
            return f"hs:v:{case_id}"
        case MyCase(case_id):
            return f"hs:my:{case_id}"
        case CaseInfoDone(case_id):
            return f"hs:ok:{case_id}"
    raise TypeError(f"not a callback: {callback!r}")


def pack(callback: Callback) -> str:
    """The string a button carries; CallbackTooLong past Telegram's 64 bytes."""
    data = _wire(callback)
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise CallbackTooLong(f"button data over {MAX_BYTES} bytes: {data[:80]!r}")
    return data


def _number(text: str) -> int | None:
    # isdecimal() alone accepts "①²" style digits that int() refuses; ASCII digits only.
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def _campaign(rest: str) -> Callback | None:
    kind, _, value = rest.partition(":")
    if rest == "no":
        return CampaignAbort()
    if rest == "ok":
        return CampaignConfirm()
    if rest == "test":
        return CampaignTestSend()
    if rest == "img":
        return CampaignAddImage()
    if kind == "a" and value:
        return CampaignAudience(value)
    if kind == "t" and value:
        return CampaignTime(value)
    number = _number(value)
    if number is None:
        return None
    by_number: dict[str, Callable[[int], Callback]] = {
        "s": CampaignView,
        "x": CampaignCancel,
        "xy": lambda n: CampaignCancel(n, confirmed=True),
        "r": CampaignResend,
        "ry": lambda n: CampaignResend(n, confirmed=True),
        "rp": CampaignReport,
    }
    make = by_number.get(kind)
    return make(number) if make else None


def _token(text: str, limit: int) -> bool:
    """A form id or a step's value: short ASCII letters, digits and "_" only."""
    return 0 < len(text) <= limit and text.isascii() and text.replace("_", "").isalnum()


def _application(rest: str) -> Callback | None:
    form_id, _, tail = rest.partition(":")
    letter, _, value = tail.partition(":")
    try:
        action = FormAction(letter)
    except ValueError:
        return None
    if not _token(form_id, 12) or (value and not _token(value, 24)):
        return None
    return ApplicationStep(form_id, action, value)


def _case(rest: str) -> Callback | None:
    kind, _, tail = rest.partition(":")
    if kind == "m":
        number, _, statuses = tail.partition(":")
        status, _, expected = statuses.partition(":")
        case_id = _number(number)
        known = {s.value for s in CaseStatus}
        if case_id is None or status not in known or expected not in known:
            return None
        return CaseMove(case_id, CaseStatus(status), CaseStatus(expected))
    case_id = _number(tail)
    by_kind: dict[str, Callable[[int], Callback]] = {"v": CaseShow, "my": MyCase, "ok": CaseInfoDone}
    make = by_kind.get(kind)
    return make(case_id) if make is not None and case_id is not None else None


def unpack(data: str) -> Callback | None:
    """The callback a button's string names, or None for anything malformed, unknown or forged."""
    if not data or len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None
    kind, _, rest = data.partition(":")
    if data == "m":
        return MainMenu()
    if data == "x":
        return NoneOfThese()
    if data == "h":
        return TalkToStaff()
    if data == "s":
        return Subscribe()
    if data == "u":
        return Unsubscribe()
    if data == "h:end":
        return EndHandoff()
    if data == "c:-":
        return SkipComment()
    if kind == "r":
        action, _, value = rest.partition(":")
        number = _number(value)
        by_action: dict[str, Callable[[int], Callback]] = {"v": RequestView, "t": RequestTake, "x": RequestClose}
        make = by_action.get(action)
        return make(number) if make is not None and number is not None else None
    if kind == "t" and rest:
        topic_id, _, page = rest.partition(":")
        number = _number(page) if page else 0
        return TopicPage(topic_id, number or 0) if topic_id else None
    if kind == "e" and rest:
        return ShowEntry(rest)
    if kind == "x" and rest:
        return ShowDetail(rest)
    if kind == "s" and rest:
        return Subscribe(rest)
    if kind == "f":
        sign, _, entry_id = rest.partition(":")
        return Vote(entry_id, sign == "+") if sign in ("+", "-") and entry_id else None
    if kind == "c":
        number = _number(rest)
        return WriteComment(number) if number is not None else None
    if kind == "d" and rest in ("yes", "no"):
        return EraseData(rest == "yes")
    if kind == "cw":
        return _campaign(rest)
    if data == "ap":
        return StartApplication()
    if kind == "ap" and rest:
        return _application(rest)
    if kind == "hs" and rest:
        return _case(rest)
    return None
