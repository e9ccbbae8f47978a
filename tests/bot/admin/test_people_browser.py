"""Người đăng ký in a real headless Chromium: find a person by typing their name without diacritics, read their
page, erase them with the confirmation, and the search no longer finds them. Screenshots go to SCREENSHOT_DIR."""

from __future__ import annotations

import pytest
from aiohttp import web

from bot.admin import accounts
from bot.admin.roles import AdminRole
from bot.db import erasure
from bot.settings import load_settings
from bot.web import build_web_app
from bot.wiring import build_admin, build_core
from tests.bot.admin.browser import shot, sign_in
from tests.bot.admin.console import PASSWORD
from tests.bot.test_erasure import CHAT, NAME, OTHER, seed_everywhere

pytestmark = pytest.mark.slow


@pytest.fixture
async def served(tmp_path):
    """The console alone, over the bot's core, on a free local port."""
    settings = load_settings(
        _env_file=None,
        telegram_bot_token=None,
        zalo_bot_token=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        embeddings="off",
    )
    core = await build_core(settings)
    async with core.db.session() as session:
        await accounts.add_user(session, "admin@so.vn", AdminRole.ADMIN, PASSWORD)
    runner = web.AppRunner(build_web_app([], core.db, core.metrics, lambda: {}, build_admin(core)))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield core, f"http://127.0.0.1:{port}"
    await runner.cleanup()
    await core.close()


async def test_find_read_and_erase_a_person_in_the_browser(served, browser, tmp_path):
    core, base = served
    await seed_everywhere(core.db, CHAT, NAME)
    await seed_everywhere(core.db, OTHER, "Trần Văn Bình", "0987654321")
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = await context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)

    await sign_in(page, base, "admin@so.vn", PASSWORD)
    await page.goto(f"{base}/admin/nguoi-dang-ky")
    assert "2 người" in await page.locator("h1").inner_text()
    await page.fill("input[name=q]", "pham thi duyen")  # typed without diacritics
    await page.click("form.filters button[type=submit]")
    await page.wait_for_url("**/admin/nguoi-dang-ky?q=pham+thi+duyen*")
    rows = page.locator("table.people tbody tr")
    assert await rows.count() == 1 and NAME in await rows.inner_text()
    await shot(page, "nguoi-dang-ky", tmp_path)

    await page.click(f"table.people a:has-text('{NAME}')")
    await page.wait_for_selector("section.erase")
    shown = await page.locator("main").inner_text()
    for expected in (CHAT, "OCOP và tiêu chuẩn cơ sở", "đang chờ", "Góp ý", "Đang nhận tin"):
        assert expected in shown, expected
    await shot(page, "nguoi-dang-ky-chi-tiet", tmp_path)
    person_url = page.url

    # Without the tick the browser does not send the form; with it, the erasure runs.
    await page.click("section.erase button[type=submit]")
    assert page.url == person_url
    await page.check("input[name=xac_nhan]")
    await page.click("section.erase button[type=submit]")
    await page.wait_for_selector("p.ok")
    notice = await page.locator("p.ok").inner_text()
    assert notice.startswith("Đã xóa toàn bộ dữ liệu của người đăng ký #")
    assert "1 người" in await page.locator("h1").inner_text()

    await page.fill("input[name=q]", "pham thi duyen")
    await page.click("form.filters button[type=submit]")
    await page.wait_for_url("**/admin/nguoi-dang-ky?q=pham+thi+duyen*")
    assert "Không có người đăng ký nào khớp." in await page.locator("table.people").inner_text()
    async with core.db.session() as session:
        assert await erasure.stored_about(session, "telegram", CHAT) == erasure.StoredAbout(None)
    assert blocked == []
    await context.close()
