"""Hồ sơ hỗ trợ: applications for support listed and filtered, one case's page, its status and notes, the export."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web

from bot.admin import audit
from bot.admin.deps import AdminDeps, deps
from bot.admin.pages_excel import file_download
from bot.admin.pages_requests import display_name, identity
from bot.admin.security import PREFIX, require_staff, url_number
from bot.admin.sessions import SignedIn
from bot.broadcast.audience import CHANNEL_WORDS
from bot.db import case_export, case_search, cases
from bot.db.case_export import need_label, status_label, tax_code_shown
from bot.db.case_search import CaseQuery, needs_of, reference
from bot.db.models import ApplicationCase, CaseEvent
from handlers import case_changes
from handlers.local_time import local_time
from handlers.statuses import CaseEventKind, CaseStatus, SupportNeed

LIST = f"{PREFIX}/ho-so"
NOT_FOUND = "Không có hồ sơ này."
ERASED = "(dữ liệu doanh nghiệp đã xóa)"  # an erased case keeps only anonymous statistics
STATUSES = {s.value: s.label for s in CaseStatus}
NEEDS = {n.value: n.label for n in SupportNeed}
# After a change the page is loaded again (a reload then repeats nothing) with one of these notices.
DONE = {
    "trang-thai": "Đã chuyển hồ sơ {ref} sang «{status}»; doanh nghiệp đã được báo.",
    "ghi-chu": "Đã lưu ghi chú nội bộ cho hồ sơ {ref}. Doanh nghiệp không thấy ghi chú này.",
}
UNTOLD = (
    "Hồ sơ {ref} đã đổi trạng thái nhưng chưa báo được cho doanh nghiệp ({why}); trạng thái mới: «{status}». "
    "Hãy liên hệ doanh nghiệp theo số điện thoại trong hồ sơ."
)
BAD_STATUS = "Trạng thái gửi lên không hợp lệ; hãy tải lại trang rồi thử lại."


@dataclass(frozen=True)
class CaseRow:
    """One case as the list shows it: the stored row, and what its codes read as."""

    case: ApplicationCase
    ref: str
    needs: list[str]
    status_label: str


@dataclass(frozen=True)
class EventRow:
    """One line of a case's history."""

    kind: str
    who: str
    when: str
    title: str
    text: str


def _query(request: web.Request) -> CaseQuery:
    """The list's filters from the address; a value that cannot be one is ignored, not an error."""
    read = request.query.get
    status, need = read("trang_thai", ""), read("nhu_cau", "")
    return CaseQuery(
        text=read("q", "")[: case_search.MAX_QUERY],
        status=status if status in STATUSES else "",
        commune=read("xa", "")[:128],
        need=need if need in NEEDS else "",
    )


def _address(query: CaseQuery, **changed: str) -> str:
    """The filters as a query string (for page links, the counts and the export), some of them `changed`."""
    pairs = {"q": query.text, "trang_thai": query.status, "xa": query.commune, "nhu_cau": query.need} | changed
    return urlencode({k: v for k, v in pairs.items() if v})


def case_row(case: ApplicationCase) -> CaseRow:
    return CaseRow(case, reference(case), [need_label(need) for need in needs_of(case)], status_label(case.status))


def _facts(case: ApplicationCase, zone: ZoneInfo) -> list[tuple[str, str | list[str]]]:
    """Everything the business gave, and where and when, under the labels staff read (the needs as a list)."""
    return [
        ("Tên doanh nghiệp", case.business_name or ERASED),
        ("Mã số thuế", tax_code_shown(case.tax_code) or "—"),
        ("Xã, phường, đặc khu", case.commune or "—"),
        ("Ngành nghề", case.sector or "—"),
        ("Sản phẩm OCOP", case.ocop_product or "chưa có"),
        ("Hạng sao OCOP", f"{case.ocop_stars} sao" if case.ocop_stars else "chưa được xếp hạng"),
        ("Nhu cầu hỗ trợ", [need_label(need) for need in needs_of(case)]),
        ("Người liên hệ", case.contact_name or "—"),
        ("Số điện thoại", case.phone or "—"),
        ("Gửi qua", CHANNEL_WORDS.get(case.channel, case.channel)),
        ("Tên trong chat", case.user_name or "(không tên)"),
        ("Đồng ý xử lý dữ liệu lúc", local_time(case.consent_at, zone)),
        ("Gửi lúc", local_time(case.created_at, zone)),
        ("Cập nhật gần nhất", local_time(case.updated_at, zone)),
    ]


def _event_row(event: CaseEvent, case: ApplicationCase, zone: ZoneInfo) -> EventRow:
    when = local_time(event.at, zone)
    staff = f"Cán bộ {event.actor_name or event.actor}".strip()
    business = case.contact_name or case.user_name or "Doanh nghiệp"
    if event.kind == CaseEventKind.STATUS and not event.actor:  # the case's first line: the business sent it
        sent = f"gửi hồ sơ qua {CHANNEL_WORDS.get(case.channel, case.channel)}"
        title = sent if event.status == CaseStatus.NEW else f"chuyển sang «{status_label(event.status or '')}»"
        return EventRow("business", business, when, title, event.text)
    if event.kind == CaseEventKind.STATUS:
        title = f"chuyển sang «{status_label(event.status or '')}»"
        return EventRow(event.kind, staff, when, title, event.text)
    if event.kind == CaseEventKind.NOTE:
        return EventRow(event.kind, staff, when, "ghi chú nội bộ (doanh nghiệp không thấy)", event.text)
    return EventRow(event.kind, event.actor_name or business, when, "doanh nghiệp trả lời trong chat", event.text)


def _why_untold(admin: AdminDeps, case: ApplicationCase) -> str:
    if case.channel not in admin.messenger.channels():
        return f"kênh {CHANNEL_WORDS.get(case.channel, case.channel)} không chạy trong tiến trình này của bot"
    return "nền tảng từ chối hoặc doanh nghiệp đã chặn Trợ lý"


async def _case(request: web.Request, admin: AdminDeps) -> ApplicationCase:
    """The case the address names, or the Vietnamese 404 page."""
    found = url_number(request.match_info["case_id"])
    async with admin.db.session() as session:
        case = await cases.get(session, found) if found is not None else None
    if case is None:
        raise web.HTTPNotFound(text=NOT_FOUND)
    return case


async def _record(admin: AdminDeps, who: SignedIn, action: str, target: str, detail: str = "") -> None:
    """The audit line names the case by its reference only: never the business's data."""
    async with admin.db.writing() as session:
        await audit.record(session, who.email, action, target, detail)
        await session.commit()


async def listing(request: web.Request) -> web.StreamResponse:
    who = require_staff(request)
    admin = deps(request)
    query = _query(request)
    wanted = url_number(request.query.get("trang", "")) or 1
    async with admin.db.session() as session:
        found = await case_search.search(session, query, wanted)
        counts = await case_search.status_counts(session, query)
        communes = await case_search.communes(session)
    if query.commune and query.commune not in communes:
        communes.append(query.commune)  # keep what is filtered on selectable, even with no case left
    tallies = [
        {"status": s.value, "label": s.label, "count": n, "url": f"{LIST}?{_address(query, trang_thai=s.value)}"}
        for s, n in counts.items()
    ]
    address = _address(query)
    context = {
        "who": who,
        "query": query,
        "found": found,
        "rows": [case_row(case) for case in found.rows],
        "tallies": tallies,
        "all_count": sum(counts.values()),
        "all_url": f"{LIST}?{_address(query, trang_thai='')}",
        "address": address,
        "joiner": "&" if address else "",
        "page_size": case_search.PAGE_SIZE,
        "statuses": STATUSES,
        "needs": NEEDS,
        "communes": communes,
        "erased": ERASED,
    }
    return aiohttp_jinja2.render_template("cases.html", request, context)


async def detail(
    request: web.Request, error: str = "", typed: tuple[str, str] = ("", ""), status: int = 200
) -> web.StreamResponse:
    """`typed` is (status value or "ghi-chu", text) of a refused form, put back in its box."""
    who = require_staff(request)
    admin = deps(request)
    case = await _case(request, admin)
    zone = ZoneInfo(admin.timezone)
    async with admin.db.session() as session:
        events = [_event_row(e, case, zone) for e in await cases.events(session, case.id or 0)]
    ref, notice, warning = reference(case), "", ""
    code = request.query.get("da", "")
    if not error and code in DONE:
        notice = DONE[code].format(ref=ref, status=status_label(case.status))
    elif not error and code == "chua-bao":
        warning = UNTOLD.format(ref=ref, why=_why_untold(admin, case), status=status_label(case.status))
    try:
        current = CaseStatus(case.status)
        choices = [(s.value, s.label) for s in admin.cases.allowed_next(current)]
    except ValueError:  # a status this version does not know: show it, offer nothing
        choices = []
    context = {
        "who": who,
        "case": case,
        "ref": ref,
        "status_label": status_label(case.status),
        "facts": _facts(case, zone),
        "events": events,
        "choices": choices,
        "needs_info": CaseStatus.NEEDS_INFO.value,
        "running": case.channel in admin.messenger.channels(),
        "erased": not case.chat_id,
        "channel": CHANNEL_WORDS.get(case.channel, case.channel),
        "notice": notice,
        "warning": warning,
        "error": error,
        "typed": typed,
        # A refused note whose form is no longer offered (the status moved meanwhile) is shown, not lost.
        "unsent": typed[1] if typed[0] not in [value for value, _label in choices] + ["ghi-chu"] else "",
        "max_note": case_changes.NOTE_LIMIT,
        "max_internal": case_changes.TEXT_LIMIT,
    }
    return aiohttp_jinja2.render_template("case.html", request, context, status=status)


async def change_status(request: web.Request) -> web.StreamResponse:
    """Through the case desk, as from the staff chat: it checks the move and tells the business."""
    who = require_staff(request)
    admin = deps(request)
    case = await _case(request, admin)
    form = await request.post()
    wanted, shown = str(form.get("status", "")), str(form.get("expected", ""))
    note = str(form.get("note", "")).strip()
    if wanted not in STATUSES or shown not in STATUSES:
        return await detail(request, error=BAD_STATUS, status=422)
    target, expected = CaseStatus(wanted), CaseStatus(shown)
    # The desk refuses a stale `expected`, a move not allowed, "needs info" without a note, a note too long.
    change = await admin.cases.change_status(case.id or 0, target, identity(who), display_name(who), note, expected)
    if change.problem or change.case is None:
        await _case(request, admin)  # gone meanwhile: the 404 says so
        stale = change.case is not None and change.case.status is not expected
        status = 409 if stale else 422
        return await detail(request, error=change.problem or NOT_FOUND, typed=(wanted, note), status=status)
    detail_line = f"{expected.label} → {target.label}"
    detail_line += f", ghi chú cho doanh nghiệp {len(note)} ký tự" if note else ""
    detail_line += "" if change.told else ", chưa báo được doanh nghiệp"
    await _record(admin, who, "đổi trạng thái hồ sơ", f"hồ sơ {reference(case)}", detail_line)
    code = "trang-thai" if change.told else "chua-bao"
    raise web.HTTPSeeOther(f"{LIST}/{case.id}?{urlencode({'da': code})}")


async def add_note(request: web.Request) -> web.StreamResponse:
    """An internal note: stored in the history, never sent to the business."""
    who = require_staff(request)
    admin = deps(request)
    case = await _case(request, admin)
    text = str((await request.post()).get("text", "")).strip()
    problem = await admin.cases.add_note(case.id or 0, identity(who), display_name(who), text)
    if problem:  # empty, too long, or the case went meanwhile
        await _case(request, admin)
        return await detail(request, error=problem, typed=("ghi-chu", text), status=422)
    await _record(admin, who, "ghi chú hồ sơ", f"hồ sơ {reference(case)}", f"{len(text)} ký tự")
    raise web.HTTPSeeOther(f"{LIST}/{case.id}?{urlencode({'da': 'ghi-chu'})}#lich-su")


async def export_xlsx(request: web.Request) -> web.StreamResponse:
    who = require_staff(request)
    admin = deps(request)
    query = _query(request)
    async with admin.db.session() as session:
        rows = await case_search.matching(session, query)
    table = case_export.export_table(rows, admin.timezone)
    body = await asyncio.to_thread(case_export.xlsx_bytes, table)  # a long list must not hold up the bots
    await _record(admin, who, "xuất danh sách hồ sơ", "", f"{len(rows)} hồ sơ, tệp XLSX, {query.described}")
    name = f"ho-so-ho-tro-{dt.datetime.now(ZoneInfo(admin.timezone)):%Y-%m-%d}.xlsx"
    return file_download(body, name)


def routes(prefix: str) -> list[web.RouteDef]:
    """This page's routes under `prefix` (/admin); the fixed paths before the one that takes an id."""
    base = f"{prefix}/ho-so"
    return [
        web.get(base, listing),
        web.get(f"{base}/xuat.xlsx", export_xlsx),
        web.get(f"{base}/{{case_id}}", detail),
        web.post(f"{base}/{{case_id}}/trang-thai", change_status),
        web.post(f"{base}/{{case_id}}/ghi-chu", add_note),
    ]
