"""Excel, the way admins use it: download the live knowledge base, upload it back (all or nothing, each problem at
its row and column, in Vietnamese), and undo an import as one change."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from bot.admin.deps import deps
from bot.admin.pages_kb import done
from bot.admin.security import PREFIX, require_admin
from knowledge.import_limits import MAX_FILE_BYTES
from knowledge.loader import KnowledgeLoadError
from knowledge.workbook import read_workbook, write_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def file_download(body: bytes, name: str, content_type: str = XLSX) -> web.Response:
    """A file the browser saves as `name` (every export of the console)."""
    return web.Response(
        body=body, headers={"Content-Type": content_type, "Content-Disposition": f'attachment; filename="{name}"'}
    )


async def page(request: web.Request, report: object = None, error: str = "", status: int = 200) -> web.Response:
    who = require_admin(request)
    admin = deps(request)
    context = {
        "who": who,
        "report": report,
        "error": error,
        "imports": await admin.editor.imports(),
        "notice": request.query.get("thong_bao", ""),
    }
    return aiohttp_jinja2.render_template("excel.html", request, context, status=status)


async def excel_page(request: web.Request) -> web.StreamResponse:
    return await page(request)


async def download(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    kb = await deps(request).editor.live()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "kho-tri-thuc.xlsx"
        write_workbook(kb.entries, kb.topics, path)
        body = path.read_bytes()
    name = f"kho-tri-thuc-{dt.date.today():%Y-%m-%d}-phien-ban-{kb.version}.xlsx"
    return file_download(body, name)


async def upload(request: web.Request) -> web.StreamResponse:
    who = require_admin(request)
    admin = deps(request)
    data = await request.post()  # the CSRF check has read it already; aiohttp caches it
    sent = data.get("tep")
    if not isinstance(sent, web.FileField):
        return await page(request, error="Chưa chọn tệp Excel (.xlsx).", status=422)
    body = sent.file.read(MAX_FILE_BYTES + 1)
    if len(body) > MAX_FILE_BYTES:
        return await page(request, error=f"Tệp quá lớn (tối đa {MAX_FILE_BYTES:,} byte).", status=413)
    kb = await admin.editor.live()
    name = Path(sent.filename or "tep.xlsx").name
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(body)
        try:
            incoming, problems = read_workbook(path, kb.topics)
        except KnowledgeLoadError as exc:
            return await page(request, error=str(exc), status=422)
    report, snapshot_id = await admin.editor.import_entries(who.email, incoming, problems, f"nhập Excel «{name}»")
    status = 200 if report.applied else 422
    return await page(request, report={"lines": report, "snapshot": snapshot_id}, status=status)


async def undo(request: web.Request) -> web.StreamResponse:
    who = require_admin(request)
    try:
        snapshot_id = int(request.match_info["snapshot_id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    result = await deps(request).editor.undo_import(who.email, snapshot_id)
    done(result, f"{PREFIX}/excel?{urlencode({'thong_bao': f'Đã hoàn tác lần nhập #{snapshot_id}.'})}")
