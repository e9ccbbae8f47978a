"""Thử hỏi on its own, the audit log, and Cài đặt (the contact details the bot gives)."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from bot import contact_book
from bot.admin import audit
from bot.admin.deps import deps
from bot.admin.security import PREFIX, require_admin
from handlers.views import ContactDetails

MAX_CONTACT = 300


async def trial_page(request: web.Request) -> web.StreamResponse:
    who = require_admin(request)
    admin = deps(request)
    question = request.query.get("q", "")[:500]
    kb = await admin.editor.live()
    trial = await admin.trial.run(kb, None, question) if question.strip() else None
    context = {"who": who, "question": question, "trial": trial}
    return aiohttp_jinja2.render_template("trial.html", request, context)


async def audit_page(request: web.Request) -> web.StreamResponse:
    who = require_admin(request)
    async with deps(request).db.session() as session:
        events = await audit.recent(session)
    return aiohttp_jinja2.render_template("audit.html", request, {"who": who, "events": events})


async def settings_page(request: web.Request) -> web.StreamResponse:
    who = require_admin(request)
    admin = deps(request)
    async with admin.db.session() as session:
        details = await contact_book.read(session, admin.contacts.defaults)
    context = {"who": who, "details": details, "saved": request.query.get("da_luu") == "1"}
    return aiohttp_jinja2.render_template("settings.html", request, context)


async def save_settings(request: web.Request) -> web.StreamResponse:
    who = require_admin(request)
    admin = deps(request)
    data = await request.post()

    def text(name: str) -> str:
        return " ".join(str(data.get(name, "")).split())[:MAX_CONTACT]

    details = ContactDetails(text("org") or admin.contacts.defaults.org, text("phone"), text("email"), text("address"))
    async with admin.db.session() as session:
        await contact_book.save(session, details, who.email)
        await audit.record(session, who.email, "sửa thông tin liên hệ", "", f"{details}")
        await session.commit()
    await admin.contacts.refresh(admin.db)
    raise web.HTTPSeeOther(f"{PREFIX}/cai-dat?da_luu=1")
