"""Yêu cầu gặp cán bộ: requests to staff, their transcripts, replies from the web, take and close."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web

from bot.admin import audit
from bot.admin.deps import AdminDeps, deps
from bot.admin.security import PREFIX, require_staff, url_number
from bot.admin.sessions import SignedIn
from bot.broadcast.audience import CHANNEL_WORDS
from bot.db import handoffs
from bot.db.models import HandoffMessage, HandoffRequest, stored_utc
from bot.db.people_port import handoff_view
from handlers.local_time import local_time
from handlers.numbers import number
from handlers.statuses import HandoffAuthor, HandoffStatus
from handlers.views import Sent

LIVE_SHOWN = 200
CLOSED_SHOWN = 50
MAX_REPLY = 4000  # what one Telegram message holds, less the "Cán bộ … trả lời" line
MAX_NOTE = 1000  # the note goes to the user inside the closing message
NOT_FOUND = "Không có yêu cầu này (có thể người dùng đã xóa dữ liệu của mình)."
# After a change the page is loaded again (so a reload does not repeat it) with one of these notices.
DONE = {
    "gui": "Đã gửi tới {name} (#{ref}).",
    "nhan": "Bạn đã nhận xử lý yêu cầu #{ref}; người dùng đã được báo.",
    "da-nhan": "Bạn đã nhận yêu cầu #{ref} từ trước.",
    "ket-thuc": "Đã kết thúc yêu cầu #{ref}; người dùng đã được báo.",
}
DONE_UNTOLD = {  # the change is made, the message telling the user is what failed
    "nhan": "Bạn đã nhận xử lý yêu cầu #{ref}",
    "ket-thuc": "Đã kết thúc yêu cầu #{ref}",
}
UNTOLD = "{done}, nhưng chưa báo được cho người dùng ({why})."


@dataclass(frozen=True)
class RequestRow:
    """One request as the list (and its JSON poll) shows it, every value ready to print."""

    id: int
    ref: str
    url: str
    name: str
    channel: str
    status: str
    status_label: str
    assignee: str
    opened: str
    last_activity: str
    waited: str
    waiting: bool  # live and nobody answered yet


@dataclass(frozen=True)
class MessageRow:
    """One transcript line as the request's page (and its JSON poll) shows it."""

    id: int
    author: str
    who: str
    when: str
    text: str


def span(start: dt.datetime, end: dt.datetime) -> str:
    """A duration as staff say it: "dưới 1 phút", "12 phút", "2 giờ 5 phút", "3 ngày 4 giờ"."""
    minutes = int((stored_utc(end) - stored_utc(start)).total_seconds() // 60)
    if minutes < 1:
        return "dưới 1 phút"
    if minutes < 60:
        return f"{minutes} phút"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} giờ {minutes} phút" if minutes else f"{hours} giờ"
    days, hours = divmod(hours, 24)
    return f"{days} ngày {hours} giờ" if hours else f"{days} ngày"


def reference(row: HandoffRequest) -> str:
    return f"{row.id}-{row.code}"


def request_row(row: HandoffRequest, zone: ZoneInfo, now: dt.datetime) -> RequestRow:
    assert row.id is not None
    status = HandoffStatus(row.status)
    if row.first_reply_at is not None:
        waited = f"trả lời sau {span(row.created_at, row.first_reply_at)}"
    elif status is HandoffStatus.CLOSED:
        waited = "không có trả lời"
    else:
        waited = f"đã chờ {span(row.created_at, now)}"
    return RequestRow(
        row.id,
        reference(row),
        f"{PREFIX}/yeu-cau/{row.id}",
        row.user_name or "(không tên)",
        CHANNEL_WORDS.get(row.channel, row.channel),
        status.value,
        status.label,
        row.assigned_name or row.assigned_to,
        local_time(row.created_at, zone),
        local_time(row.last_activity_at, zone),
        waited,
        status is not HandoffStatus.CLOSED and row.first_reply_at is None,
    )


def message_row(message: HandoffMessage, row: HandoffRequest, zone: ZoneInfo) -> MessageRow:
    assert message.id is not None
    user = message.author == HandoffAuthor.USER
    who = (row.user_name or "Người dùng") if user else f"Cán bộ {message.author_name}".strip()
    return MessageRow(message.id, message.author, who, local_time(message.created_at, zone), message.text)


def identity(who: SignedIn) -> str:
    """How a console user appears as an assignee, beside chat staff's "telegram:900"."""
    return f"web:{who.email}"


def display_name(who: SignedIn) -> str:
    """The name the user reads in "Cán bộ … trả lời": accounts have no name, the e-mail's first part is one."""
    return who.email.split("@", 1)[0]


def why_not(admin: AdminDeps, row: HandoffRequest, sent: Sent) -> str:
    """Why a message did not reach the user, as truthfully as this process knows it."""
    if row.channel not in admin.messenger.channels():
        return f"kênh {CHANNEL_WORDS.get(row.channel, row.channel)} không chạy trong tiến trình này của bot"
    return "người dùng đã chặn Trợ lý" if sent.blocked else "nền tảng từ chối hoặc không phản hồi"


async def read(admin: AdminDeps, request: web.Request) -> HandoffRequest:
    """The request the URL names, or the Vietnamese 404 page."""
    found = url_number(request.match_info["request_id"])
    async with admin.db.session() as session:
        row = await handoffs.get_request(session, found) if found is not None else None
    if row is None:
        raise web.HTTPNotFound(text=NOT_FOUND)
    return row


async def record(admin: AdminDeps, who: SignedIn, action: str, row: HandoffRequest, detail: str = "") -> None:
    async with admin.db.writing() as session:
        await audit.record(session, who.email, action, f"yêu cầu #{reference(row)}", detail)
        await session.commit()


def closed_text(row: HandoffRequest, zone: ZoneInfo, what: str) -> str:
    return f"Yêu cầu #{reference(row)} đã kết thúc lúc {local_time(row.closed_at, zone)}; {what}."


async def done(
    request: web.Request, admin: AdminDeps, row: HandoffRequest, code: str, sent: Sent | None = None
) -> web.StreamResponse:
    """After a change: load the page again (a reload then repeats nothing), or say the user was not told."""
    if sent is None or sent.ok:
        raise web.HTTPSeeOther(f"{PREFIX}/yeu-cau/{row.id}?{urlencode({'da': code})}#tra-loi")
    untold = UNTOLD.format(done=DONE_UNTOLD[code].format(ref=reference(row)), why=why_not(admin, row, sent))
    return await detail(request, error=untold)


async def listing(request: web.Request) -> web.StreamResponse:
    who = require_staff(request)
    admin = deps(request)
    zone, now = ZoneInfo(admin.timezone), dt.datetime.now(dt.UTC)
    async with admin.db.session() as session:
        live = await handoffs.live_requests(session, LIVE_SHOWN)
        closed = await handoffs.closed_requests(session, CLOSED_SHOWN)
    context = {
        "who": who,
        "live": [request_row(r, zone, now) for r in live],
        "closed": [request_row(r, zone, now) for r in closed],
        "last_id": max((r.id or 0 for r in live + closed), default=0),
    }
    return aiohttp_jinja2.render_template("requests.html", request, context)


async def new_requests(request: web.Request) -> web.StreamResponse:
    """The live requests newer than ?sau=<id>, for the list page's script."""
    require_staff(request)
    admin = deps(request)
    after = url_number(request.query.get("sau", "")) or 0
    zone, now = ZoneInfo(admin.timezone), dt.datetime.now(dt.UTC)
    async with admin.db.session() as session:
        found = [asdict(request_row(r, zone, now)) for r in await handoffs.live_requests_after(session, after)]
    return web.json_response({"requests": found, "last": max([after] + [r["id"] for r in found])})


async def detail(
    request: web.Request, notice: str = "", error: str = "", text: str = "", conflict: str = "", status: int = 200
) -> web.StreamResponse:
    who = require_staff(request)
    admin = deps(request)
    row = await read(admin, request)
    zone = ZoneInfo(admin.timezone)
    async with admin.db.session() as session:
        messages = [message_row(m, row, zone) for m in await handoffs.transcript(session, row.id or 0)]
    code = request.query.get("da", "")
    if not notice and not error and code in DONE:
        notice = DONE[code].format(name=row.user_name or "người dùng", ref=reference(row))
    context = {
        "who": who,
        "row": row,
        "view": request_row(row, zone, dt.datetime.now(dt.UTC)),
        "closed_at": local_time(row.closed_at, zone),
        "messages": messages,
        "last_message": max((m.id for m in messages), default=0),
        "mine": row.assigned_to == identity(who),
        "signature": display_name(who),
        "running": row.channel in admin.messenger.channels(),
        "notice": notice,
        "error": error,
        "text": text,
        "conflict": conflict,
        "max_reply": MAX_REPLY,
        "max_note": MAX_NOTE,
    }
    return aiohttp_jinja2.render_template("request.html", request, context, status=status)


async def new_messages(request: web.Request) -> web.StreamResponse:
    """A request's messages after ?sau=<message id>, and its status now, for the request page's script."""
    require_staff(request)
    admin = deps(request)
    row = await read(admin, request)
    after = url_number(request.query.get("sau", "")) or 0
    zone, status = ZoneInfo(admin.timezone), HandoffStatus(row.status)
    async with admin.db.session() as session:
        found = [asdict(message_row(m, row, zone)) for m in await handoffs.messages_after(session, row.id or 0, after)]
    return web.json_response(
        {
            "messages": found,
            "last": max([after] + [m["id"] for m in found]),
            "status": status.value,
            "status_label": status.label,
            "assignee": row.assigned_name or row.assigned_to,
        }
    )


async def reply(request: web.Request) -> web.StreamResponse:
    who = require_staff(request)
    admin = deps(request)
    row = await read(admin, request)
    zone = ZoneInfo(admin.timezone)
    text = str((await request.post()).get("text", "")).strip()
    if not text:
        return await detail(request, error="Bạn chưa nhập nội dung trả lời.", status=422)
    if len(text) > MAX_REPLY:
        error = (
            f"Nội dung dài {number(len(text))} ký tự, quá giới hạn {number(MAX_REPLY)} ký tự; "
            "hãy rút gọn hoặc gửi làm hai lần."
        )
        return await detail(request, error=error, text=text, status=422)
    live = row.status != HandoffStatus.CLOSED
    if live and row.channel not in admin.messenger.channels():  # say so, rather than "the platform refused"
        error = f"Chưa gửi được: {why_not(admin, row, Sent(False))}. Yêu cầu vẫn mở."
        return await detail(request, error=error, text=text, status=503)
    sent = await admin.handoff.answer(handoff_view(row), identity(who), display_name(who), text)
    if sent is None:  # closed before the page was sent, or meanwhile
        row = await read(admin, request)
        return await detail(request, error=closed_text(row, zone, "tin nhắn chưa được gửi"), text=text, status=409)
    if not sent.ok:
        error = f"Chưa gửi được ({why_not(admin, row, sent)}). Yêu cầu vẫn mở; bạn thử lại sau."
        return await detail(request, error=error, text=text, status=502)
    await record(admin, who, "trả lời yêu cầu", row, f"{len(text)} ký tự")
    return await done(request, admin, row, "gui")


async def take(request: web.Request) -> web.StreamResponse:
    who = require_staff(request)
    admin = deps(request)
    row = await read(admin, request)
    zone = ZoneInfo(admin.timezone)
    seen = str((await request.post()).get("seen", ""))
    sent = await admin.handoff.claim(handoff_view(row), identity(who), display_name(who), seen)
    if sent is None:  # closed, or someone took it since the page was shown: never taken over silently
        row = await read(admin, request)
        if row.status == HandoffStatus.CLOSED:
            return await detail(request, error=closed_text(row, zone, "không nhận được nữa"), status=409)
        if row.assigned_to == identity(who):
            return await done(request, admin, row, "da-nhan")
        error = (
            f"Cán bộ {row.assigned_name or row.assigned_to} đã nhận yêu cầu #{reference(row)} trong lúc bạn đang "
            f"xem (hoạt động gần nhất {local_time(row.last_activity_at, zone)}). Muốn xử lý thay, bấm «Nhận thay»."
        )
        return await detail(request, error=error, conflict=row.assigned_to, status=409)
    await record(admin, who, "nhận yêu cầu", row, f"thay {row.assigned_name or row.assigned_to}" if seen else "")
    return await done(request, admin, row, "nhan", sent)


async def close(request: web.Request) -> web.StreamResponse:
    who = require_staff(request)
    admin = deps(request)
    row = await read(admin, request)
    note = " ".join(str((await request.post()).get("note", "")).split())
    if len(note) > MAX_NOTE:
        error = f"Ghi chú dài {len(note)} ký tự, quá giới hạn {MAX_NOTE} ký tự; hãy rút gọn."
        return await detail(request, error=error, status=422)
    sent = await admin.handoff.finish(handoff_view(row), note)
    if sent is None:  # the second of two closes, or closed by the user or idleness meanwhile
        row = await read(admin, request)
        error = closed_text(row, ZoneInfo(admin.timezone), "không cần kết thúc lại")
        return await detail(request, error=error, status=409)
    await record(admin, who, "kết thúc yêu cầu", row, f"ghi chú {len(note)} ký tự" if note else "")
    return await done(request, admin, row, "ket-thuc", sent)


def routes(prefix: str) -> list[web.RouteDef]:
    """This page's routes under `prefix` (/admin)."""
    return [
        web.get(f"{prefix}/yeu-cau", listing),
        web.get(f"{prefix}/yeu-cau/moi.json", new_requests),
        web.get(f"{prefix}/yeu-cau/{{request_id}}", detail),
        web.get(f"{prefix}/yeu-cau/{{request_id}}/tin-nhan.json", new_messages),
        web.post(f"{prefix}/yeu-cau/{{request_id}}/tra-loi", reply),
        web.post(f"{prefix}/yeu-cau/{{request_id}}/nhan", take),
        web.post(f"{prefix}/yeu-cau/{{request_id}}/ket-thuc", close),
    ]
