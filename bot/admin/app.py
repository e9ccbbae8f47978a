"""The console's aiohttp wiring: templates, static files, security middlewares and every /admin route."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.admin import (
    pages_auth,
    pages_campaigns,
    pages_cases,
    pages_dashboard,
    pages_excel,
    pages_inbox,
    pages_kb,
    pages_misc,
    pages_people,
    pages_requests,
)
from bot.admin.deps import DEPS, AdminDeps
from bot.admin.security import HEADERS, PREFIX, Handler, current, session_middleware
from bot.channels.zalo_oa.tokens import notice
from bot.db import oa_account
from bot.db.database import Database
from handlers.local_time import local_time
from handlers.numbers import number
from knowledge.model import FIELD_NAMES

HERE = Path(__file__).parent


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refusals and missing pages as a Vietnamese page with the same strict headers; redirects pass through."""
    if not request.path.startswith(PREFIX):
        return await handler(request)
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            for name, value in HEADERS.items():
                exc.headers.setdefault(name, value)
            raise
        titles = {403: "Không được phép", 404: "Không tìm thấy trang", 405: "Không dùng được cách gửi này"}
        titles[413] = "Nội dung gửi lên quá lớn"
        # aiohttp's own refusals carry English text ("404: Not Found"); ours are Vietnamese sentences.
        text = exc.text or ""
        message = "" if text.startswith(f"{exc.status}:") or exc.status == 413 else text
        context = {"title": titles.get(exc.status, "Có lỗi"), "message": message, "who": current(request)}
        response = aiohttp_jinja2.render_template("error.html", request, context, status=exc.status)
        response.headers.update(HEADERS)
        return response


async def page_context(request: web.Request) -> dict[str, object]:
    """On every page: who is signed in, and whether the banner about unset contact details shows."""
    found = request.app.get(DEPS)
    unset = isinstance(found, AdminDeps) and not found.contacts.current().reachable
    # Runs before the session middleware (the pages pass `who`), so the template shows the banner to the
    # signed-in only; pages are GETs, and static files need no database read.
    page = request.method == "GET" and not request.path.startswith(f"{PREFIX}/static")
    oa_notice = await zalo_oa_notice(found.db) if isinstance(found, AdminDeps) and found.oa_enabled and page else ""
    return {
        "who": current(request),
        "contacts_unset": unset,
        "oa_notice": oa_notice,
        "static": f"{PREFIX}/static",
        "labels": FIELD_NAMES,
    }


async def zalo_oa_notice(db: Database) -> str:
    """The banner's text while the Zalo OA cannot send ("" when connected): one read of its row, no token."""
    async with db.session() as session:
        seen = await oa_account.auth_view(session)
    return notice(seen.state, seen.problem)


def add_admin(app: web.Application, admin: AdminDeps) -> None:
    """Mount the console on `app` under /admin."""
    app[DEPS] = admin
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=jinja2.select_autoescape(default=True),
        context_processors=[page_context],
    )
    # 05/12/2026 08:00 in the bot's time zone, as the chat's own dates read.
    env.filters["vn_time"] = partial(local_time, zone=ZoneInfo(admin.timezone))
    env.filters["vn_number"] = number  # 12.345, as the chat writes counts
    app.middlewares.append(error_pages)
    app.middlewares.append(session_middleware(admin.db))
    app.router.add_static(f"{PREFIX}/static/", HERE / "static", append_version=True)
    routes = [
        web.get(PREFIX, pages_auth.home),
        web.get(f"{PREFIX}/", pages_auth.home),
        web.get(f"{PREFIX}/dang-nhap", pages_auth.login_form),
        web.post(f"{PREFIX}/dang-nhap", pages_auth.login),
        web.post(f"{PREFIX}/dang-xuat", pages_auth.logout),
        web.get(f"{PREFIX}/kho-tri-thuc", pages_kb.listing),
        web.get(f"{PREFIX}/kho-tri-thuc/moi", pages_kb.new_form),
        web.post(f"{PREFIX}/kho-tri-thuc/moi", pages_kb.create),
        web.get(f"{PREFIX}/kho-tri-thuc/{{entry_id}}", pages_kb.edit_form),
        web.post(f"{PREFIX}/kho-tri-thuc/{{entry_id}}", pages_kb.update),
        web.post(f"{PREFIX}/kho-tri-thuc/{{entry_id}}/go", pages_kb.retire),
        web.post(f"{PREFIX}/kho-tri-thuc/{{entry_id}}/khoi-phuc", pages_kb.restore),
        web.get(f"{PREFIX}/kho-tri-thuc/{{entry_id}}/lich-su", pages_kb.history_page),
        web.post(f"{PREFIX}/phien-ban/{{version_id}}/khoi-phuc", pages_kb.restore_version),
        web.get(f"{PREFIX}/hop-thu", pages_inbox.inbox),
        web.post(f"{PREFIX}/hop-thu/them", pages_inbox.add_phrasing),
        web.post(f"{PREFIX}/hop-thu/bo-qua", pages_inbox.dismiss),
        web.get(f"{PREFIX}/excel", pages_excel.excel_page),
        web.get(f"{PREFIX}/excel/tai-ve", pages_excel.download),
        web.post(f"{PREFIX}/excel/nhap", pages_excel.upload),
        web.post(f"{PREFIX}/excel/hoan-tac/{{snapshot_id}}", pages_excel.undo),
        web.get(f"{PREFIX}/thu-hoi", pages_misc.trial_page),
        web.get(f"{PREFIX}/nhat-ky", pages_misc.audit_page),
        web.get(f"{PREFIX}/cai-dat", pages_misc.settings_page),
        web.post(f"{PREFIX}/cai-dat", pages_misc.save_settings),
    ]
    for part in (pages_dashboard, pages_campaigns, pages_people, pages_requests, pages_cases):
        routes += part.routes(PREFIX)
    app.add_routes(routes)
