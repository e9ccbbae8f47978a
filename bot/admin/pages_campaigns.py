"""Chiến dịch: campaigns listed with live progress, created, test-sent, cancelled and reported from the web."""

from __future__ import annotations

import datetime as dt
import json
from functools import partial
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.admin import audit
from bot.admin.campaign_form import (
    SAMPLE_NAME,
    TEST_CHAT_HELP,
    CampaignForm,
    Preview,
    build_preview,
    length_rules,
    parse_test_chat,
    progress_of,
    sample_not_sent,
    sample_problem,
    sentence,
)
from bot.admin.deps import AdminDeps, deps
from bot.admin.pages_excel import file_download
from bot.admin.security import PREFIX, require_staff, url_number
from bot.admin.sessions import SignedIn
from bot.broadcast.audience import CHANNEL_WORDS
from bot.db import campaigns
from handlers.numbers import number
from handlers.statuses import CampaignStatus, DeliveryStatus
from handlers.views import CampaignDraft, CampaignSummary

LATEST = 20  # campaigns on the list page
MAX_IDS = 50  # campaigns one progress request may ask about
TWIN_WINDOW = dt.timedelta(minutes=2)  # a second confirm of the same draft within this opens the first one
NOBODY = "Danh sách người nhận này hiện không có ai nên chưa gửi được. Bạn bấm «Sửa lại» rồi chọn người nhận khác."
to_json = partial(json.dumps, ensure_ascii=False)


async def _campaign(request: web.Request) -> CampaignSummary:
    """The campaign the URL names; a non-number or an unknown id is the Vietnamese 404 page."""
    raw = request.match_info["campaign_id"]
    wanted = url_number(raw)
    found = await deps(request).desk.status(wanted) if wanted is not None else None
    if found is None:
        raise web.HTTPNotFound(text=f"Không có chiến dịch «{raw[:20]}».")
    return found


async def _test_chat(admin: AdminDeps, who: SignedIn) -> str:
    async with admin.db.session() as session:
        return await campaigns.staff_test_chat(session, who.user_id)


async def _save_test_chat(admin: AdminDeps, who: SignedIn, chat: str) -> None:
    """Keep the account's test chat, audited; nothing is written when it did not change."""
    async with admin.db.writing() as session:
        if chat == await campaigns.staff_test_chat(session, who.user_id):
            return
        await campaigns.set_staff_test_chat(session, who.user_id, chat)
        # The channel only: the audit log outlives an account's erasure, its chat id must not.
        await audit.record(session, who.email, "đặt nơi nhận tin thử", chat.partition(":")[0] or "(bỏ trống)")
        await session.commit()


async def _audit(admin: AdminDeps, who: SignedIn, action: str, target: str, detail: str = "") -> None:
    async with admin.db.writing() as session:
        await audit.record(session, who.email, action, target, detail)
        await session.commit()


async def listing(request: web.Request) -> web.StreamResponse:
    who = require_staff(request)
    rows = await deps(request).desk.recent(LATEST)
    context = {"who": who, "rows": [(row, progress_of(row)) for row in rows]}
    return aiohttp_jinja2.render_template("campaigns.html", request, context)


async def progress_json(request: web.Request) -> web.StreamResponse:
    """The figures of the campaigns `?id=1&id=2` that campaigns.js refreshes in place."""
    require_staff(request)
    raw = request.query.getall("id", [])[:MAX_IDS]
    if any(url_number(value) is None for value in raw):
        raise web.HTTPNotFound(text="Mã chiến dịch phải là một số.")
    ids = sorted({int(value) for value in raw})
    found = await deps(request).desk.summaries(ids)
    if len(found) != len(ids):
        raise web.HTTPNotFound(text="Không có chiến dịch này.")
    return web.json_response({"campaigns": [progress_of(s).as_json() for s in found]}, dumps=to_json)


async def count_json(request: web.Request) -> web.StreamResponse:
    """How many an audience expression reaches now, for the form's live count."""
    require_staff(request)
    expression = request.query.get("audience", "")[:500].strip() or "all"
    try:
        words, size = await deps(request).desk.reach(expression)
    except ValueError as exc:
        return web.json_response({"error": sentence(str(exc))}, status=422, dumps=to_json)
    return web.json_response({"size": size, "size_text": number(size), "words": words}, dumps=to_json)


async def _form_page(
    request: web.Request, form: CampaignForm, notice: str = "", error: str = "", status: int = 200
) -> web.Response:
    who = require_staff(request)
    admin = deps(request)
    context = {
        "who": who,
        "form": form,
        "options": await admin.desk.audience_options(),
        "rules": to_json(length_rules()),
        "test_chat": await _test_chat(admin, who),
        "notice": notice,
        "error": error,
    }
    return aiohttp_jinja2.render_template("campaign_new.html", request, context, status=status)


async def new_form(request: web.Request) -> web.StreamResponse:
    notice = "Đã lưu nơi nhận tin thử." if request.query.get("noi_nhan") == "1" else ""
    return await _form_page(request, CampaignForm(), notice)


async def edit_again(request: web.Request) -> web.StreamResponse:
    """Sửa lại on the preview: the form with everything as it was typed."""
    return await _form_page(request, CampaignForm.posted(await request.post()))


async def set_test_chat(request: web.Request) -> web.StreamResponse:
    who = require_staff(request)
    data = await request.post()
    typed = str(data.get("test_chat", "")).strip()[:100]
    if typed and parse_test_chat(typed) is None:
        return await _form_page(request, CampaignForm(), error=TEST_CHAT_HELP, status=422)
    await _save_test_chat(deps(request), who, typed)
    raise web.HTTPSeeOther(f"{PREFIX}/chien-dich/moi?noi_nhan=1")


async def _preview_page(
    request: web.Request, shown: Preview, notice: str = "", error: str = "", status: int | None = None
) -> web.Response:
    who = require_staff(request)
    admin = deps(request)
    context: dict[str, Any] = {
        "who": who,
        "shown": shown,
        "form": shown.form,
        "test_chat": await _test_chat(admin, who),
        "sample_name": SAMPLE_NAME,
        "number": number,
        "nobody": NOBODY if shown.size == 0 and not shown.problems else "",
        "notice": notice,
        "error": error,
    }
    code = status if status is not None else (422 if shown.problems else 200)
    return aiohttp_jinja2.render_template("campaign_preview.html", request, context, status=code)


async def preview(request: web.Request) -> web.StreamResponse:
    require_staff(request)
    form = CampaignForm.posted(await request.post())
    return await _preview_page(request, await build_preview(deps(request).desk, form, deps(request).images))


async def test_send(request: web.Request) -> web.StreamResponse:
    """Gửi thử cho tôi: the sample, exactly as a recipient gets it, to the account's own test chat."""
    who = require_staff(request)
    admin = deps(request)
    data = await request.post()
    form = CampaignForm.posted(data)
    shown = await build_preview(admin.desk, form, admin.images)
    typed = str(data.get("test_chat", "")).strip()[:100]
    target = parse_test_chat(typed)
    if target is None:
        wanted = TEST_CHAT_HELP if typed else "Bạn chưa đặt nơi nhận tin thử. " + TEST_CHAT_HELP
        return await _preview_page(request, shown, error=wanted, status=422)
    await _save_test_chat(admin, who, typed)
    channel, chat_id = target
    problem = sample_problem(form, channel)
    if problem:
        return await _preview_page(request, shown, error=f"Chưa gửi thử được: {problem}", status=422)
    reply = admin.desk.sample(CampaignDraft(form.text, form.expression, "now", form.image), channel, SAMPLE_NAME)
    sent = await admin.messenger.send(channel, chat_id, reply)
    await _audit(admin, who, "gửi thử chiến dịch", channel, "đã gửi" if sent.ok else "không gửi được")
    if not sent.ok:
        error = sample_not_sent(channel, chat_id, sent, admin.messenger.channels())
        return await _preview_page(request, shown, error=error, status=200)
    notice = f"Đã gửi tin thử tới {CHANNEL_WORDS[channel]} {chat_id}. Bạn mở điện thoại để xem."
    return await _preview_page(request, shown, notice=notice, status=200)


async def create(request: web.Request) -> web.StreamResponse:
    """Xác nhận gửi: checked again, created with the schedule the preview resolved."""
    who = require_staff(request)
    admin = deps(request)
    form = CampaignForm.posted(await request.post())
    shown = await build_preview(admin.desk, form, admin.images)
    if not shown.can_confirm:
        if not shown.problems:
            shown.problems.append(NOBODY)
        return await _preview_page(request, shown)
    draft = form.draft(shown.schedule)
    twin = await admin.desk.recent_twin(draft, who.email, TWIN_WINDOW)
    if twin is not None:
        raise web.HTTPSeeOther(f"{PREFIX}/chien-dich/{twin}?da_tao=1")
    try:
        new_id = await admin.desk.create(draft, who.email)
    except ValueError as exc:
        shown.problems.append(sentence(str(exc)))
        return await _preview_page(request, shown)
    detail = f"{shown.audience} — {shown.size} người; {shown.when}"
    await _audit(admin, who, "tạo chiến dịch", f"#{new_id}", detail)
    raise web.HTTPSeeOther(f"{PREFIX}/chien-dich/{new_id}?da_tao=1")


async def detail(request: web.Request) -> web.StreamResponse:
    who = require_staff(request)
    admin = deps(request)
    summary = await _campaign(request)
    shown_id = summary.id
    async with admin.db.session() as session:
        row = await campaigns.get(session, shown_id)
        occurrences = await campaigns.occurrences(session, shown_id)
    fired = [(dt.datetime.fromisoformat(o.fire_key), CampaignStatus(o.status).label, o) for o in occurrences]
    context = {
        "who": who,
        "row": row,
        "summary": summary,
        "progress": progress_of(summary),
        "statuses": list(DeliveryStatus),
        "occurrences": fired,
        # What was just done (?da_tao=1, ?da_huy=N, ?gui_lai=N): numbers only, the wording is the template's.
        "done": {k: n for k, v in request.query.items() if (n := url_number(v)) is not None},
        "number": number,
    }
    return aiohttp_jinja2.render_template("campaign.html", request, context)


async def _confirm_page(request: web.Request, action: str, error: str = "", status: int = 200) -> web.Response:
    who = require_staff(request)
    summary = await _campaign(request)
    context = {
        "who": who,
        "summary": summary,
        "status_label": CampaignStatus(summary.status).label,
        "action": action,
        "live": summary.status in (CampaignStatus.SCHEDULED, CampaignStatus.SENDING),
        "number": number,
        "error": error,
    }
    return aiohttp_jinja2.render_template("campaign_confirm.html", request, context, status=status)


async def cancel_confirm(request: web.Request) -> web.StreamResponse:
    return await _confirm_page(request, "huy")


async def cancel(request: web.Request) -> web.StreamResponse:
    who = require_staff(request)
    admin = deps(request)
    shown_id = (await _campaign(request)).id
    try:
        dropped = await admin.desk.cancel_counted(shown_id)
    except ValueError as exc:
        return await _confirm_page(request, "huy", f"Không hủy được: {sentence(str(exc))}", 409)
    await _audit(admin, who, "hủy chiến dịch", f"#{shown_id}", f"{dropped} tin chưa gửi được bỏ")
    raise web.HTTPSeeOther(f"{PREFIX}/chien-dich/{shown_id}?da_huy={dropped}")


async def resend_confirm(request: web.Request) -> web.StreamResponse:
    return await _confirm_page(request, "gui-lai")


async def resend(request: web.Request) -> web.StreamResponse:
    who = require_staff(request)
    admin = deps(request)
    shown_id = (await _campaign(request)).id
    moved = await admin.desk.resend_unknowns(shown_id)
    await _audit(admin, who, "gửi lại tin chưa rõ", f"#{shown_id}", f"{moved} tin")
    raise web.HTTPSeeOther(f"{PREFIX}/chien-dich/{shown_id}?gui_lai={moved}")


async def report(request: web.Request) -> web.StreamResponse:
    require_staff(request)
    attachment = await deps(request).desk.report((await _campaign(request)).id)
    if attachment is None:  # removed since the line above
        raise web.HTTPNotFound(text="Không có chiến dịch này.")
    return file_download(attachment.data, attachment.filename)


def routes(prefix: str) -> list[web.RouteDef]:
    """This page's routes under `prefix` (/admin); the fixed paths before /{campaign_id}, which would take them."""
    base = f"{prefix}/chien-dich"
    one = f"{base}/{{campaign_id}}"
    return [
        web.get(base, listing),
        web.get(f"{base}/tien-do.json", progress_json),
        web.get(f"{base}/dem", count_json),
        web.get(f"{base}/moi", new_form),
        web.post(f"{base}/moi", edit_again),
        web.post(f"{base}/xem-truoc", preview),
        web.post(f"{base}/gui-thu", test_send),
        web.post(f"{base}/noi-nhan-thu", set_test_chat),
        web.post(f"{base}/tao", create),
        web.get(one, detail),
        web.get(f"{one}/huy", cancel_confirm),
        web.post(f"{one}/huy", cancel),
        web.get(f"{one}/gui-lai", resend_confirm),
        web.post(f"{one}/gui-lai", resend),
        web.get(f"{one}/bao-cao.xlsx", report),
    ]
