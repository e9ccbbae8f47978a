"""Signing in and out, and the home page each role lands on."""

from __future__ import annotations

import secrets

import aiohttp_jinja2
from aiohttp import web

from bot.admin import accounts, audit, sessions
from bot.admin.deps import deps
from bot.admin.security import COOKIE, LOGIN_CSRF_COOKIE, PREFIX, current, same_token, set_cookie

WRONG = "Email hoặc mật khẩu không đúng, hoặc tài khoản đã bị khóa."
THROTTLED = "Đăng nhập sai quá nhiều lần. Hãy thử lại sau {minutes} phút."


async def home(request: web.Request) -> web.StreamResponse:
    who = current(request)
    if who is not None and who.is_admin:
        raise web.HTTPSeeOther(f"{PREFIX}/kho-tri-thuc")
    # Staff start where their work is: the dashboard, with campaigns and requests one click away.
    raise web.HTTPSeeOther(f"{PREFIX}/tong-quan")


def _login_page(request: web.Request, error: str = "", email: str = "", status: int = 200) -> web.Response:
    token = secrets.token_urlsafe(24)
    response = aiohttp_jinja2.render_template(
        "login.html", request, {"error": error, "email": email, "csrf": token, "who": None}, status=status
    )
    set_cookie(response, request, LOGIN_CSRF_COOKIE, token, 3600)
    return response


async def login_form(request: web.Request) -> web.StreamResponse:
    if current(request) is not None:
        raise web.HTTPSeeOther(f"{PREFIX}/")
    return _login_page(request)


async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    email = str(form.get("email", "")).strip()[:254]
    password = str(form.get("password", ""))[:1024]
    if not same_token(str(form.get("csrf", "")), request.cookies.get(LOGIN_CSRF_COOKIE, "")):
        return _login_page(request, "Biểu mẫu đã hết hạn. Hãy nhập lại.", email, 403)
    db = deps(request).db
    async with db.session() as session:
        wait = await accounts.wait_before_next_try(session, email)
        if wait.total_seconds() > 0:
            minutes = max(1, round(wait.total_seconds() / 60))
            return _login_page(request, THROTTLED.format(minutes=minutes), email, 429)
        user = await accounts.check_sign_in(session, email, password)
        if user is None:
            return _login_page(request, WRONG, email, 401)
        token = await sessions.open_session(session, user)
        await audit.record(session, user.email, "đăng nhập")
        await session.commit()
    response = web.HTTPSeeOther(f"{PREFIX}/")
    set_cookie(response, request, COOKIE, token, int(sessions.LIFETIME.total_seconds()))
    response.del_cookie(LOGIN_CSRF_COOKIE, path=PREFIX)
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    token = request.cookies.get(COOKIE, "")
    who = current(request)
    async with deps(request).db.session() as session:
        await sessions.close_session(session, token)
        if who is not None:
            await audit.record(session, who.email, "đăng xuất")
            await session.commit()
    response = web.HTTPSeeOther(f"{PREFIX}/dang-nhap")
    response.del_cookie(COOKIE, path=PREFIX)
    raise response
