"""Hộp thư cần xử lý: what the bot could not answer, answers marked 👎, picks after a question back — each
turned into a phrasing, a new entry, or dismissed, in one click."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from bot.admin.deps import deps
from bot.admin.inbox import group_questions
from bot.admin.security import PREFIX, require_admin
from bot.db import conversation_log

SHOWN = 200  # logged questions read; the most asked first
WITH_GUESSES = 40  # groups the search engine is asked about (the rest show the stored best guess only)


async def inbox(request: web.Request, notice: str = "", error: str = "", status: int = 200) -> web.StreamResponse:
    who = require_admin(request)
    admin = deps(request)
    async with admin.db.session() as session:
        rows = await conversation_log.unanswered(session, SHOWN)
        feedback = await conversation_log.feedback_by_entry(session, 50)
        comments = await conversation_log.recent_comments(session, 30)
        picks = await conversation_log.clarify_choices(session, 50)
    groups = group_questions(rows)
    engine = admin.conversation.ask_service.engine
    await asyncio.to_thread(admin.guesses.add_guesses, groups[:WITH_GUESSES], engine)
    kb = engine.kb
    context = {
        "who": who,
        "groups": groups,
        "feedback": feedback,
        "comments": comments,
        "picks": picks,
        "entries": [(e.id, e.button_label) for e in kb.entries],
        "label_of": {e.id: e.button_label for e in kb.entries},
        "notice": notice or request.query.get("thong_bao", ""),
        "error": error,
    }
    return aiohttp_jinja2.render_template("inbox.html", request, context, status=status)


async def add_phrasing(request: web.Request) -> web.StreamResponse:
    who = require_admin(request)
    admin = deps(request)
    data = await request.post()
    text = str(data.get("text", ""))[:500]
    entry_id = str(data.get("other_id", "") or data.get("entry_id", "")).strip()
    result = await admin.editor.add_phrasing(who.email, entry_id, text)
    if not result.saved:
        reason = " ".join(p.message for p in result.problems)
        return await inbox(request, error=f"Chưa thêm «{text}» vào «{entry_id}»: {reason}", status=422)
    keys = [str(k) for k in data.getall("key", [])]
    choices = [int(str(c)) for c in data.getall("choice", []) if str(c).isdigit()]
    async with admin.db.session() as session:
        await conversation_log.forget_unanswered(session, keys)
        await conversation_log.forget_choices(session, choices)
    notice = f"Đã thêm «{text}» làm một cách hỏi của «{entry_id}»; các bot dùng trong vài giây."
    raise web.HTTPSeeOther(f"{PREFIX}/hop-thu?{urlencode({'thong_bao': notice})}")


async def dismiss(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    admin = deps(request)
    data = await request.post()
    keys = [str(k) for k in data.getall("key", [])]
    choices = [int(str(c)) for c in data.getall("choice", []) if str(c).isdigit()]
    async with admin.db.session() as session:
        dismissed = await conversation_log.dismiss_unanswered(session, keys)
        dropped = await conversation_log.forget_choices(session, choices)
    notice = f"Đã bỏ qua {dismissed + dropped} mục (ngoài phạm vi)."
    raise web.HTTPSeeOther(f"{PREFIX}/hop-thu?{urlencode({'thong_bao': notice})}")
