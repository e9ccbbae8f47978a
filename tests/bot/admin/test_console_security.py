"""The console refuses whoever should not be there: anonymous, staff on admin pages, forms without the CSRF
token, a guessed password repeated; user text shows escaped; every page carries the strict headers."""

from __future__ import annotations

import pytest

from bot.admin.roles import AdminRole
from bot.admin.security import CSP
from bot.wiring import build_admin
from tests.bot.admin.console import csrf_of

ADMIN_GETS = [
    "/admin/kho-tri-thuc",
    "/admin/kho-tri-thuc/moi",
    "/admin/kho-tri-thuc/5s-la-gi",
    "/admin/kho-tri-thuc/5s-la-gi/lich-su",
    "/admin/thu-hoi",
    "/admin/nhat-ky",
    "/admin/cai-dat",
    "/admin/hop-thu",
    "/admin/excel",
    "/admin/excel/tai-ve",
    "/admin/nguoi-dang-ky",
    "/admin/nguoi-dang-ky/xuat.csv",
    "/admin/nguoi-dang-ky/xuat.xlsx",
    "/admin/nguoi-dang-ky/1",
]
ADMIN_POSTS = [
    "/admin/kho-tri-thuc/moi",
    "/admin/kho-tri-thuc/5s-la-gi",
    "/admin/kho-tri-thuc/5s-la-gi/go",
    "/admin/kho-tri-thuc/5s-la-gi/khoi-phuc",
    "/admin/phien-ban/1/khoi-phuc",
    "/admin/cai-dat",
    "/admin/hop-thu/them",
    "/admin/hop-thu/bo-qua",
    "/admin/excel/nhap",
    "/admin/excel/hoan-tac/1",
    "/admin/nguoi-dang-ky/nhap",
    "/admin/nguoi-dang-ky/1/xoa",
    "/admin/dang-xuat",
]
# Staff and admins: the dashboard, campaigns and requests (no page for anonymous).
STAFF_GETS = [
    "/admin/tong-quan",
    "/admin/chien-dich",
    "/admin/chien-dich/tien-do.json",
    "/admin/chien-dich/dem",
    "/admin/chien-dich/moi",
    "/admin/chien-dich/1",
    "/admin/chien-dich/1/huy",
    "/admin/chien-dich/1/gui-lai",
    "/admin/chien-dich/1/bao-cao.xlsx",
    "/admin/yeu-cau",
    "/admin/yeu-cau/moi.json",
    "/admin/yeu-cau/1",
    "/admin/yeu-cau/1/tin-nhan.json",
    "/admin/ho-so",
    "/admin/ho-so/xuat.xlsx",
    "/admin/ho-so/1",
]
STAFF_POSTS = [
    "/admin/chien-dich/moi",
    "/admin/chien-dich/xem-truoc",
    "/admin/chien-dich/gui-thu",
    "/admin/chien-dich/noi-nhan-thu",
    "/admin/chien-dich/tao",
    "/admin/chien-dich/1/huy",
    "/admin/chien-dich/1/gui-lai",
    "/admin/yeu-cau/1/tra-loi",
    "/admin/yeu-cau/1/nhan",
    "/admin/yeu-cau/1/ket-thuc",
    "/admin/ho-so/1/trang-thai",
    "/admin/ho-so/1/ghi-chu",
]


async def test_anonymous_requests_go_to_sign_in_or_are_refused(console):
    for path in ADMIN_GETS + STAFF_GETS + ["/admin/", "/admin"]:
        reply = await console.client.get(path, allow_redirects=False)
        assert reply.status == 303 and reply.headers["Location"] == "/admin/dang-nhap", path
        assert reply.headers["Content-Security-Policy"] == CSP
    for path in ADMIN_POSTS + STAFF_POSTS:
        reply = await console.client.post(path, data={"csrf": "x"}, allow_redirects=False)
        assert reply.status == 403, path
        assert "đăng nhập" in await reply.text()


async def test_staff_open_their_pages_and_forms_need_the_token(console):
    await console.add_user("canbo@so.vn", AdminRole.STAFF)
    await console.sign_in("canbo@so.vn")
    for path in STAFF_GETS:
        reply = await console.client.get(path, allow_redirects=False)
        # Campaign 1 and request 1 do not exist: a Vietnamese 404, never "only for admins".
        assert reply.status in (200, 404), path
        assert "chỉ dành cho quản trị viên" not in await reply.text(errors="replace")  # an export is binary
    for path in STAFF_POSTS:
        reply = await console.client.post(path, data={"csrf": "doan-bua"}, allow_redirects=False)
        assert reply.status == 403 and "Biểu mẫu đã hết hạn" in await reply.text(), path


async def test_staff_cannot_open_admin_pages(console):
    await console.add_user("canbo@so.vn", AdminRole.STAFF)
    assert await console.sign_in("canbo@so.vn") == 303
    home = await console.client.get("/admin/", allow_redirects=False)
    assert home.status == 303 and home.headers["Location"] == "/admin/tong-quan"
    home = await console.client.get("/admin/kho-tri-thuc/moi", allow_redirects=False)
    csrf = csrf_of(await home.text())
    for path in ADMIN_GETS:
        reply = await console.client.get(path)
        assert reply.status == 403, path
        assert "chỉ dành cho quản trị viên" in await reply.text()
    for path in ADMIN_POSTS[:-1]:
        reply = await console.client.post(path, data={"csrf": csrf}, allow_redirects=False)
        assert reply.status in (403, 404), path


async def test_huge_or_odd_ids_are_a_vietnamese_404(console):
    await console.add_user("admin@so.vn")
    await console.sign_in("admin@so.vn")
    pages = [p for p in STAFF_GETS + ADMIN_GETS if "/1" in p and "tien-do" not in p]
    for path in pages:
        for odd in ("99999999999", "1e3", "-1", "①"):
            reply = await console.client.get(path.replace("/1", f"/{odd}", 1))
            assert reply.status == 404, (path, odd)


async def test_a_post_without_the_csrf_token_changes_nothing(console):
    await console.add_user("admin@so.vn")
    await console.sign_in("admin@so.vn")
    before = console.core.search().kb.version
    for data in ({}, {"csrf": "doan-bua"}):
        reply = await console.client.post("/admin/kho-tri-thuc/5s-la-gi/go", data={**data, "version": str(before)})
        assert reply.status == 403 and "Biểu mẫu đã hết hạn" in await reply.text()
    live = await build_admin(console.core).editor.live()
    assert live.version == before and live.get("5s-la-gi") is not None
    # The sign-in form is tied to its own cookie, so a forged cross-site sign-in fails too.
    forged = await console.client.post(
        "/admin/dang-nhap", data={"csrf": "x", "email": "admin@so.vn", "password": "mat-khau-thu-nghiem-1"}
    )
    assert forged.status == 403


async def test_repeated_wrong_passwords_are_throttled(console):
    await console.add_user("admin@so.vn")
    for _ in range(5):
        assert await console.sign_in("admin@so.vn", "sai-mat-khau-123") == 401
    # The sixth try waits, even with the right password; another address is not affected.
    assert await console.sign_in("admin@so.vn") == 429
    await console.add_user("khac@so.vn")
    assert await console.sign_in("khac@so.vn") == 303


async def test_unknown_and_disabled_accounts_get_the_same_answer(console):
    from bot.admin import accounts

    await console.add_user("admin@so.vn")
    async with console.core.db.session() as session:
        await accounts.disable(session, "admin@so.vn")
    assert await console.sign_in("admin@so.vn") == 401
    assert await console.sign_in("khong-co@so.vn") == 401


async def test_user_text_is_escaped(console):
    await console.add_user("admin@so.vn")
    await console.sign_in("admin@so.vn")
    page = await console.client.get("/admin/thu-hoi", params={"q": "<script>alert(1)</script> iso 9001"})
    html = await page.text()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("path", ["/admin/kho-tri-thuc/khong-co", "/admin/kho-tri-thuc/khong-co/lich-su"])
async def test_missing_pages_are_a_vietnamese_404(console, path):
    await console.add_user("admin@so.vn")
    await console.sign_in("admin@so.vn")
    reply = await console.client.get(path)
    assert reply.status == 404 and "Không có câu hỏi này" in await reply.text()
    assert reply.headers["X-Frame-Options"] == "DENY"


async def test_the_session_cookie_is_http_only_and_lax(console):
    await console.add_user("admin@so.vn")
    page = await console.client.get("/admin/dang-nhap")
    token = csrf_of(await page.text())
    reply = await console.client.post(
        "/admin/dang-nhap",
        data={"csrf": token, "email": "admin@so.vn", "password": "mat-khau-thu-nghiem-1"},
        allow_redirects=False,
    )
    cookie = reply.headers.getall("Set-Cookie")
    session = next(c for c in cookie if c.startswith("tlns_admin="))
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Path=/admin" in session
    assert "Secure" not in session  # plain HTTP here; behind HTTPS (X-Forwarded-Proto) it is Secure


async def test_every_admin_route_is_in_these_lists(console):
    """A new page cannot slip in unprotected: every /admin route is one of the routes tested above."""
    listed = {p.replace("5s-la-gi", "{entry_id}").replace("/1/", "/{version_id}/") for p in ADMIN_GETS + ADMIN_POSTS}
    ids = {"chien-dich": "{campaign_id}", "yeu-cau": "{request_id}", "nguoi-dang-ky": "{subscriber_id}"}
    ids["ho-so"] = "{case_id}"
    for path in ADMIN_GETS + ADMIN_POSTS + STAFF_GETS + STAFF_POSTS:
        for page, name in ids.items():
            path = path.replace(f"/{page}/1", f"/{page}/{name}")
        listed.add(path)
    listed |= {"/admin/excel/hoan-tac/{snapshot_id}", "/admin", "/admin/", "/admin/dang-nhap"}
    for route in console.client.app.router.routes():
        path = route.resource.canonical if route.resource is not None else ""
        if path.startswith("/admin") and not path.startswith("/admin/static"):
            assert path in listed, path
