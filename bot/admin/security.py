"""What every console response carries and every request must pass: headers, the session cookie, CSRF, roles."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.admin import sessions
from bot.admin.sessions import SignedIn
from bot.db.database import Database

COOKIE = "tlns_admin"
LOGIN_CSRF_COOKIE = "tlns_login"  # before a session exists, the sign-in form is tied to this cookie
PREFIX = "/admin"
SIGNED_IN = web.RequestKey("signed_in", object)
# Strict: our own scripts, styles and images only; no inline script, no framing, forms post only here.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def is_https(request: web.Request) -> bool:
    """Behind a TLS-terminating proxy the request arrives as HTTP with X-Forwarded-Proto: https."""
    return request.secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"


def set_cookie(response: web.StreamResponse, request: web.Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path=PREFIX, httponly=True, samesite="Lax", secure=is_https(request)
    )


def same_token(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


def current(request: web.Request) -> SignedIn | None:
    found = request.get(SIGNED_IN)
    return found if isinstance(found, SignedIn) else None


def session_middleware(db: Database) -> Middleware:
    """Looks the cookie up, refuses anonymous requests and POSTs without the session's CSRF token."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(PREFIX):
            return await handler(request)
        public = request.path in (f"{PREFIX}/dang-nhap",) or request.path.startswith(f"{PREFIX}/static/")
        token = request.cookies.get(COOKIE, "")
        who = None
        if token:
            async with db.session() as session:
                who = await sessions.signed_in(session, token)
        request[SIGNED_IN] = who
        if who is None and not public:
            if request.method == "GET":
                raise web.HTTPSeeOther(f"{PREFIX}/dang-nhap")
            raise web.HTTPForbidden(text="Bạn cần đăng nhập.")
        if request.method == "POST" and who is not None and not public:
            form = await request.post()
            if not same_token(str(form.get("csrf", "")), who.csrf):
                raise web.HTTPForbidden(text="Biểu mẫu đã hết hạn hoặc không hợp lệ. Hãy tải lại trang rồi thử lại.")
        response = await handler(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return middleware


def require_admin(request: web.Request) -> SignedIn:
    who = current(request)
    if who is None:
        raise web.HTTPSeeOther(f"{PREFIX}/dang-nhap")
    if not who.is_admin:
        raise web.HTTPForbidden(text="Trang này chỉ dành cho quản trị viên.")
    return who


def require_staff(request: web.Request) -> SignedIn:
    """Any signed-in account: staff and admins both work on campaigns, requests and the dashboard."""
    who = current(request)
    if who is None:
        raise web.HTTPSeeOther(f"{PREFIX}/dang-nhap")
    return who


def url_number(raw: str) -> int | None:
    """An id or page number as typed in a URL; None for anything else (no sign, no exponent, no "①", at most 9
    digits: ids are 32-bit integers in the database, and PostgreSQL refuses a larger one instead of finding
    nothing)."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None
