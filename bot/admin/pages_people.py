"""Người đăng ký: subscribers searched, exported, imported, one person's page and their erasure."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from bot.admin import audit
from bot.admin.deps import AdminDeps, deps
from bot.admin.pages_excel import CSV, XLSX, file_download
from bot.admin.security import PREFIX, require_admin, url_number
from bot.broadcast.audience import CHANNEL_WORDS, CHANNELS
from bot.db import subscriber_files, subscriber_search, subscribers_csv
from bot.db.models import Subscriber
from bot.db.subscriber_files import RowOutcome, UnreadableFile
from bot.db.subscriber_search import SubscriberQuery
from handlers.statuses import SubscriberStatus, SupportNeed
from handlers.types import Incoming

LIST = f"{PREFIX}/nguoi-dang-ky"
NOT_FOUND = "Không có người đăng ký này (có thể dữ liệu của họ đã bị xóa)."
REPORT_ROWS = 500  # rows of an import shown one by one; the rest are counted
STATUSES = {s.value: s.label for s in SubscriberStatus}
NEEDS = {n.value: n.label for n in SupportNeed}


def _query(request: web.Request) -> SubscriberQuery:
    """The list's filters from the address; a value that cannot be one is ignored, not an error."""
    read = request.query.get
    channel = read("kenh", "")
    status = read("trang_thai", "")
    return SubscriberQuery(
        text=read("q", "")[: subscriber_search.MAX_QUERY],
        channel=channel if channel in CHANNELS else "",
        topic=read("chu_de", "")[:64],
        status=status if status in STATUSES else "",
        commune=read("xa_phuong", "")[:128],
        sector=read("nganh", "")[:128],
    )


def _address(query: SubscriberQuery) -> str:
    """The filters as a query string, for page links and exports."""
    pairs = {
        "q": query.text,
        "kenh": query.channel,
        "chu_de": query.topic,
        "trang_thai": query.status,
        "xa_phuong": query.commune,
        "nganh": query.sector,
    }
    return urlencode({k: v for k, v in pairs.items() if v})


def _page_links(page: int, pages: int) -> list[int | None]:
    """The first, last and nearby page numbers; None marks a gap."""
    wanted = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    links: list[int | None] = []
    for number in wanted:
        if links and links[-1] is not None and number - int(links[-1]) > 1:
            links.append(None)
        links.append(number)
    return links


def _topics(admin: AdminDeps) -> dict[str, str]:
    return {t.id: t.title for t in admin.conversation.ask_service.engine.kb.topics}


def _topics_shown(person: Subscriber, titles: dict[str, str]) -> str:
    if person.status == SubscriberStatus.ACTIVE and not person.topic_list:
        return "Tất cả chủ đề"
    return ", ".join(titles.get(t, t) for t in person.topic_list)


async def listing(
    request: web.Request, report: dict[str, Any] | None = None, error: str = "", status: int = 200
) -> web.Response:
    who = require_admin(request)
    admin = deps(request)
    query = _query(request)
    try:
        wanted = int(request.query.get("trang", "1"))
    except ValueError:
        wanted = 1
    async with admin.db.session() as session:
        found = await subscriber_search.search(session, query, wanted)
        choices = await subscriber_search.filter_choices(session)
    titles = _topics(admin)
    address = _address(query)
    context = {
        "who": who,
        "query": query,
        "found": found,
        "rows": [{"person": p, "topics": _topics_shown(p, titles)} for p in found.rows],
        "links": _page_links(found.page, found.pages),
        "address": address,
        "joiner": "&" if address else "",
        "channels": CHANNEL_WORDS,
        "statuses": STATUSES,
        "topics": titles,
        "choices": choices,
        "notice": request.query.get("thong_bao", ""),
        "error": error,
        "report": report,
    }
    return aiohttp_jinja2.render_template("people.html", request, context, status=status)


async def list_page(request: web.Request) -> web.StreamResponse:
    return await listing(request)


def _audit_filters(query: SubscriberQuery) -> str:
    """The filters of an export as the audit log keeps them: the search text may be a name, so only its use."""
    parts = [f"{k}={v}" for k, v in (("kênh", query.channel), ("chủ đề", query.topic), ("trạng thái", query.status))]
    parts += [f"{k}={v}" for k, v in (("xã/phường", query.commune), ("ngành", query.sector))]
    parts = [p for p in parts if not p.endswith("=")]
    if query.text.strip():
        parts.append("có từ khóa tìm")
    return ", ".join(parts) or "không lọc"


async def _export(request: web.Request, kind: str) -> web.StreamResponse:
    who = require_admin(request)
    admin = deps(request)
    query = _query(request)
    async with admin.db.session() as session:
        rows = await subscriber_search.matching(session, query)
    table = subscriber_files.export_table(rows, _topics(admin), admin.timezone)
    write = subscriber_files.xlsx_bytes if kind == "xlsx" else subscriber_files.csv_bytes
    body = await asyncio.to_thread(write, table)  # a long list must not hold up the bots in this process
    async with admin.db.writing() as session:
        detail = f"{len(rows)} người, tệp {kind.upper()}, {_audit_filters(query)}"
        await audit.record(session, who.email, "xuất danh sách người đăng ký", "", detail)
        await session.commit()
    name = f"nguoi-dang-ky-{dt.date.today():%Y-%m-%d}.{kind}"
    return file_download(body, name, XLSX if kind == "xlsx" else CSV)


async def export_csv(request: web.Request) -> web.StreamResponse:
    return await _export(request, "csv")


async def export_xlsx(request: web.Request) -> web.StreamResponse:
    return await _export(request, "xlsx")


async def upload(request: web.Request) -> web.StreamResponse:
    who = require_admin(request)
    admin = deps(request)
    data = await request.post()  # the CSRF check has read it already; aiohttp caches it
    sent = data.get("tep")
    if not isinstance(sent, web.FileField):
        return await listing(request, error="Chưa chọn tệp danh sách (.csv hoặc .xlsx).", status=422)
    name = Path(sent.filename or "danh-sach").name[:100]
    body = sent.file.read(subscribers_csv.MAX_FILE_BYTES + 1)
    try:
        rows = await asyncio.to_thread(subscriber_files.read_upload, body, name)
    except UnreadableFile as exc:
        return await listing(request, error=f"Chưa nhập gì từ «{name}»: {exc}", status=422)
    outcomes: list[RowOutcome] = subscriber_files.check_upload(rows, set(_topics(admin)))
    problems = [o for o in outcomes if o.problem]
    async with admin.db.writing() as session:
        if problems:
            detail = f"tệp «{name}»: {len(rows)} dòng, {len(problems)} dòng lỗi, không áp dụng"
        else:
            done = await subscriber_files.apply_upload(session, rows, outcomes)
            detail = f"tệp «{name}»: thêm {done.added}, cập nhật {done.updated}"
        await audit.record(session, who.email, "nhập danh sách người đăng ký", "", detail)
        await session.commit()
    report = {
        "name": name,
        "applied": not problems,
        "rows": outcomes[:REPORT_ROWS],
        "more": max(0, len(outcomes) - REPORT_ROWS),
        "problems": len(problems),
        "added": sum(1 for o in outcomes if o.action == "thêm mới"),
        "updated": sum(1 for o in outcomes if o.action == "cập nhật"),
    }
    if problems:  # the bad rows first: they are what the admin has to fix
        report["rows"] = (problems + [o for o in outcomes if not o.problem])[:REPORT_ROWS]
    return await listing(request, report=report, status=200 if not problems else 422)


async def _person(request: web.Request, admin: AdminDeps) -> Subscriber:
    """The subscriber the address names; the Vietnamese 404 for anything else."""
    subscriber_id = url_number(request.match_info["subscriber_id"])
    if subscriber_id is None:
        raise web.HTTPNotFound(text=NOT_FOUND)
    async with admin.db.session() as session:
        person = await subscriber_search.by_id(session, subscriber_id)
    if person is None:
        raise web.HTTPNotFound(text=NOT_FOUND)
    return person


async def person_page(request: web.Request, error: str = "", status: int = 200) -> web.StreamResponse:
    who = require_admin(request)
    admin = deps(request)
    person = await _person(request, admin)
    data = await admin.people.person_data(person.channel, person.chat_id)
    state = await admin.conversation.state.count_chat(person.channel, person.chat_id)
    kb = admin.conversation.ask_service.engine.kb
    context = {
        "who": who,
        "person": person,
        "data": data,
        "state": state,
        "status_label": STATUSES.get(person.status, person.status),
        "channel": CHANNEL_WORDS.get(person.channel, person.channel),
        "topics": _topics_shown(person, _topics(admin)),
        "needs": ", ".join(NEEDS.get(n, n) for n in person.needs.split(",") if n),
        "entries": {e.id: e.button_label for e in kb.entries},
        "error": error,
    }
    return aiohttp_jinja2.render_template("person.html", request, context, status=status)


async def erase(request: web.Request) -> web.StreamResponse:
    """The same erasure as /xoadulieu in chat: staff told of a live request, then every row and the state."""
    who = require_admin(request)
    admin = deps(request)
    person = await _person(request, admin)
    data = await request.post()
    if data.get("xac_nhan") != "1":
        error = "Chưa xóa: hãy đánh dấu ô «Tôi hiểu…» để xác nhận."
        return await person_page(request, error=error, status=422)
    incoming = Incoming(person.channel, person.chat_id, person.user_id)
    await admin.handoff.before_erasure(incoming)
    await admin.conversation.people.delete(incoming, confirmed=True)
    async with admin.db.writing() as session:
        # The log outlives the person: it names them by number only.
        await audit.record(session, who.email, "xóa dữ liệu người đăng ký", f"người đăng ký #{person.id}")
        await session.commit()
    notice = f"Đã xóa toàn bộ dữ liệu của người đăng ký #{person.id}."
    raise web.HTTPSeeOther(f"{LIST}?{urlencode({'thong_bao': notice})}")


def routes(prefix: str) -> list[web.RouteDef]:
    """This page's routes under `prefix` (/admin); the fixed paths before the one that takes an id."""
    base = f"{prefix}/nguoi-dang-ky"
    return [
        web.get(base, list_page),
        web.get(f"{base}/xuat.csv", export_csv),
        web.get(f"{base}/xuat.xlsx", export_xlsx),
        web.post(f"{base}/nhap", upload),
        web.get(f"{base}/{{subscriber_id}}", person_page),
        web.post(f"{base}/{{subscriber_id}}/xoa", erase),
    ]
