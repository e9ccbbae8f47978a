"""Kho tri thức: the entry list with filters, the edit form with previews and the test pane, retire and restore,
history with one-click restore."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, NoReturn

import aiohttp_jinja2
from aiohttp import web

from bot.admin import history
from bot.admin.deps import AdminDeps, deps
from bot.admin.diffs import FIELD_LABELS, entry_diff
from bot.admin.editing import EditResult
from bot.admin.entry_form import EntryForm, preview
from bot.admin.security import PREFIX, require_admin
from bot.db import conversation_log
from knowledge.loader import Problem
from knowledge.model import KnowledgeBase
from knowledge.validator import validate

PAGE_SIZE = 100  # rows of the entry list per page
MOST_ASKED_DAYS = 30
FILTERS = {
    "": "Tất cả",
    "can-xem-lai": "Đến hạn xem lại",
    "het-han": "Hết hiệu lực",
    "nhieu-nguoi-hoi": "Được hỏi nhiều (30 ngày)",
    "nhieu-khong-hai-long": "Nhiều 👎",
    "da-go": "Đã gỡ",
}


def form_version(data: Mapping[str, object]) -> int:
    """The live version the form was made on (-1 if missing: the change is then refused as stale)."""
    try:
        return int(str(data.get("version", "")))
    except ValueError:
        return -1


def done(result: EditResult, then: str) -> NoReturn:
    """Go on to `then` after a change; a refused one is a 409 page saying why."""
    if not result.saved:
        raise web.HTTPConflict(text=" ".join(p.message for p in result.problems))
    raise web.HTTPSeeOther(then)


async def listing(request: web.Request) -> web.StreamResponse:
    who = require_admin(request)
    admin = deps(request)
    kb = await admin.editor.live()
    query = request.query.get("q", "")[:200]
    topic = request.query.get("chu_de", "")
    state = request.query.get("loc", "")
    today = dt.date.today()
    async with admin.db.session() as session:
        votes = {
            entry_id: (bad, good) for entry_id, bad, good in await conversation_log.feedback_by_entry(session, 1000)
        }
        retired = await history.retired(session, {e.id for e in kb.entries}) if state == "da-go" else []
        asked = await conversation_log.most_answered(session, today - dt.timedelta(days=MOST_ASKED_DAYS))
    rows: list[dict[str, Any]] = []
    found = admin.entry_search.matching(kb, query) if query else set()
    if state == "da-go":
        rows = [
            {"id": entry_id, "question": data.get("question", ""), "topic": data.get("topic", ""), "retired": True}
            for entry_id, data in retired
        ]
    else:
        for entry in kb.entries:
            if (topic and entry.topic != topic) or (query and entry.id not in found):
                continue
            if state == "can-xem-lai" and not entry.due_for_review(today):
                continue
            if state == "het-han" and entry.is_current(today):
                continue
            bad, good = votes.get(entry.id, (0, 0))
            if state == "nhieu-khong-hai-long" and not bad:
                continue
            if state == "nhieu-nguoi-hoi" and not asked.get(entry.id):
                continue
            rows.append(
                {
                    "id": entry.id,
                    "question": entry.question,
                    "label": entry.button_label,
                    "topic": entry.topic,
                    "bad": bad,
                    "good": good,
                    "asked": asked.get(entry.id, 0),
                    "due": entry.due_for_review(today),
                    "expired": not entry.is_current(today),
                    "retired": False,
                }
            )
        if state == "nhieu-khong-hai-long":
            rows.sort(key=lambda r: -int(r["bad"]))
        if state == "nhieu-nguoi-hoi":
            rows.sort(key=lambda r: -int(r["asked"]))
    topics = {t.id: t.title for t in kb.topics}
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    try:
        page = min(max(1, int(request.query.get("trang", "1"))), pages)
    except ValueError:
        page = 1
    context = {
        "who": who,
        "rows": rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        "found": len(rows),
        "page": page,
        "pages": pages,
        "topics": topics,
        "query": query,
        "topic": topic,
        "state": state,
        "filters": FILTERS,
        "total": len(kb.entries),
        "version": kb.version,
    }
    return aiohttp_jinja2.render_template("kb_list.html", request, context)


def _field_problems(problems: list[Problem]) -> tuple[dict[str, list[str]], list[str]]:
    """Problems beside their field; those of no field (or another entry) go at the top of the form."""
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for problem in problems:
        if problem.field in FIELD_LABELS:
            by_field.setdefault(problem.field, []).append(problem.message)
        else:
            where = f"«{problem.entry_id}»: " if problem.entry_id else ""
            general.append(where + problem.message)
    return by_field, general


async def _form_page(
    request: web.Request,
    admin: AdminDeps,
    kb: KnowledgeBase,
    form: EntryForm,
    is_new: bool,
    problems: list[Problem] | None = None,
    trial_question: str = "",
    saved: bool = False,
    status: int = 200,
) -> web.Response:
    entry, parse_problems = form.entry()
    problems = (problems or []) + parse_problems
    by_field, general = _field_problems(problems)
    warnings = [p for p in validate(KnowledgeBase(kb.topics, [entry], kb.version)) if p.level == "warning"]
    shown = await preview(admin.conversation, entry) if entry.answer else None
    trial = None
    if trial_question:
        trial = await admin.trial.run(kb, entry if entry.id else None, trial_question[:500])
    context = {
        "who": require_admin(request),
        "form": form,
        "is_new": is_new,
        "by_field": by_field,
        "general": general,
        "warnings": [w.message for w in warnings if w.field not in ("alternates",)],
        "topics": {t.id: t.title for t in kb.topics},
        "others": [(e.id, e.button_label) for e in kb.entries if e.id != form.id],
        "preview": shown,
        "trial": trial,
        "trial_question": trial_question,
        "version": kb.version,
        "saved": saved,
        "labels": FIELD_LABELS,
    }
    return aiohttp_jinja2.render_template("entry.html", request, context, status=status)


async def new_form(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    admin = deps(request)
    kb = await admin.editor.live()
    prefill = EntryForm(
        topic=request.query.get("chu_de", kb.topics[0].id if kb.topics else ""),
        question=request.query.get("cau_hoi", "")[:500],
        reviewed=dt.date.today().isoformat(),
    )
    return await _form_page(request, admin, kb, prefill, True)


async def edit_form(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    admin = deps(request)
    kb = await admin.editor.live()
    entry = kb.get(request.match_info["entry_id"])
    if entry is None:
        raise web.HTTPNotFound(text="Không có câu hỏi này (có thể đã bị gỡ: xem bộ lọc «Đã gỡ»).")
    return await _form_page(request, admin, kb, EntryForm.of(entry), False, saved=request.query.get("da_luu") == "1")


async def _submit(request: web.Request, replaces: str | None) -> web.StreamResponse:
    who = require_admin(request)
    admin = deps(request)
    data = await request.post()
    form = EntryForm.posted(data, [str(v) for v in data.getall("related", [])])
    if replaces is not None:
        form.id = replaces
    kb = await admin.editor.live()
    if data.get("action") == "thu":  # the test pane: nothing is saved
        return await _form_page(request, admin, kb, form, replaces is None, trial_question=str(data.get("trial", "")))
    entry, problems = form.entry()
    if problems:
        return await _form_page(request, admin, kb, form, replaces is None, problems, status=422)
    result: EditResult = await admin.editor.save(who.email, entry, replaces, form_version(data))
    if not result.saved:
        return await _form_page(request, admin, kb, form, replaces is None, result.problems, status=422)
    raise web.HTTPSeeOther(f"{PREFIX}/kho-tri-thuc/{entry.id}?da_luu=1")


async def create(request: web.Request) -> web.StreamResponse:
    return await _submit(request, None)


async def update(request: web.Request) -> web.StreamResponse:
    return await _submit(request, request.match_info["entry_id"])


async def retire(request: web.Request) -> web.StreamResponse:
    who = require_admin(request)
    admin = deps(request)
    data = await request.post()
    result = await admin.editor.retire(who.email, request.match_info["entry_id"], form_version(data))
    done(result, f"{PREFIX}/kho-tri-thuc?loc=da-go")


async def restore(request: web.Request) -> web.StreamResponse:
    who = require_admin(request)
    admin = deps(request)
    entry_id = request.match_info["entry_id"]
    kb = await admin.editor.live()
    async with admin.db.session() as session:
        found = dict(await history.retired(session, {e.id for e in kb.entries}))
    if entry_id not in found:
        raise web.HTTPNotFound(text="Câu hỏi này không ở trong danh sách đã gỡ.")
    result = await admin.editor.restore_content(who.email, found[entry_id], "khôi phục câu hỏi đã gỡ")
    done(result, f"{PREFIX}/kho-tri-thuc/{entry_id}?da_luu=1")


async def history_page(request: web.Request) -> web.StreamResponse:
    who = require_admin(request)
    admin = deps(request)
    entry_id = request.match_info["entry_id"]
    async with admin.db.session() as session:
        rows = await history.versions(session, entry_id)
    if not rows:
        kb = await admin.editor.live()
        if kb.get(entry_id) is None:
            raise web.HTTPNotFound(text="Không có câu hỏi này.")
    items = []
    for index, row in enumerate(rows):
        older = rows[index + 1] if index + 1 < len(rows) else None
        before = json.loads(older.data) if older is not None and older.data else None
        after = json.loads(row.data) if row.data else None
        items.append({"row": row, "diff": entry_diff(before, after), "retired": not row.data, "latest": index == 0})
    context = {"who": who, "entry_id": entry_id, "items": items}
    return aiohttp_jinja2.render_template("history.html", request, context)


async def restore_version(request: web.Request) -> web.StreamResponse:
    who = require_admin(request)
    admin = deps(request)
    try:
        version_id = int(request.match_info["version_id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    async with admin.db.session() as session:
        row = await history.version(session, version_id)
    if row is None:
        raise web.HTTPNotFound(text="Không có phiên bản này.")
    result = await admin.editor.restore_version(who.email, version_id)
    done(result, f"{PREFIX}/kho-tri-thuc/{row.entry_id}?da_luu=1")
