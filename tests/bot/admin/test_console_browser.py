"""The console in a real headless Chromium (the operating system's), beside the bot on the fake Telegram API:
sign in, edit an answer, try it in the test pane, save, and the bot answers the new way; undo from the history.
Screenshots of the main pages go to SCREENSHOT_DIR when it is set (README's pictures come from here)."""

from __future__ import annotations

import dataclasses

import pytest

from bot.admin import accounts
from bot.admin.roles import AdminRole
from bot.app import Runner
from bot.db import conversation_log
from bot.settings import load_settings
from knowledge.normalize import Normalizer
from knowledge.workbook import write_workbook
from tests.bot.admin.browser import shot
from tests.bot.admin.console import PASSWORD
from tests.bot.channels.test_telegram import Chat

pytestmark = pytest.mark.slow
USER = 111
NEW_SHORT = "5S gồm năm bước Sàng lọc, Sắp xếp, Sạch sẽ, Săn sóc, Sẵn sàng để chỗ làm luôn gọn, sạch và an toàn."


@pytest.fixture
async def running(telegram_api, tmp_path):
    settings = load_settings(
        _env_file=None,
        telegram_bot_token=telegram_api.token,
        telegram_api_base_url=telegram_api.base_url,
        zalo_bot_token=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        web_port=0,
        embeddings="off",
    )
    runner = Runner(settings)
    await runner.start()
    assert runner.core is not None
    async with runner.core.db.session() as session:
        await accounts.add_user(session, "admin@so.vn", AdminRole.ADMIN, PASSWORD)
    yield runner
    await runner.stop()


async def test_edit_in_the_browser_and_the_bot_answers_the_new_way(running, browser, telegram_api, tmp_path):
    base = f"http://127.0.0.1:{running.web.port}"
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = await context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)

    await page.goto(f"{base}/admin/")
    assert page.url.endswith("/admin/dang-nhap")
    await shot(page, "dang-nhap", tmp_path)
    await page.fill("input[name=email]", "admin@so.vn")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/admin/kho-tri-thuc")
    assert await page.locator("table.list tbody tr").count() == 100  # the first page of 191
    assert "trang 1/2" in await page.locator("nav.pages").inner_text()
    await page.fill("input[name=q]", "iso 9001 bat buoc")
    await page.click("form.filters button")
    await page.wait_for_selector("text=ISO 9001 có bắt buộc không?")
    await shot(page, "kho-tri-thuc", tmp_path)

    await page.goto(f"{base}/admin/kho-tri-thuc/5s-la-gi")
    answer = page.locator("textarea[name=answer]")
    old = await answer.input_value()
    await answer.fill(NEW_SHORT + "\n\n" + old.split("\n\n", 1)[1])
    # The script counts the short part live; the page works without it too.
    assert "/ 300 ký tự" in await page.locator("textarea[name=answer] + .count").inner_text()
    await page.fill("input[name=trial]", "5s la gi")
    await page.click("button[value=thu]")
    await page.wait_for_selector("#ket-qua-thu")
    assert "bản nháp này" in await page.locator("#ket-qua-thu").inner_text()
    assert NEW_SHORT in await page.locator(".phone.telegram").inner_text()  # the preview shows the draft
    await shot(page, "sua-cau-hoi", tmp_path)
    await page.click("button[value=luu]")
    await page.wait_for_selector("text=Đã lưu")

    assert running.core is not None
    await running.core.search.reload_if_changed()  # the bot's reloader does this every 5 s

    async def deliver(update: dict) -> None:
        telegram_api.push_update(update)

    user = Chat(telegram_api, USER, deliver)
    reply = (await user.say("5s la gi"))[0]
    assert reply["text"].startswith(NEW_SHORT)

    # Undo: the history page restores the state before the change, in one click.
    await page.goto(f"{base}/admin/kho-tri-thuc/5s-la-gi/lich-su")
    await shot(page, "lich-su", tmp_path)
    await page.locator("article.version").last.locator("button").click()
    await page.wait_for_selector("text=Đã lưu")
    await running.core.search.reload_if_changed()
    reply = (await user.say("5S là gì"))[0]
    assert reply["text"].startswith(old.split("\n\n", 1)[0])

    # The review inbox: a question nobody could answer becomes a phrasing of the right entry in one click.
    asked = "xưởng em muốn có giấy chứng nhận chất lượng thì làm sao"
    async with running.core.db.session() as session:
        key = Normalizer().analyze(asked).plain
        await conversation_log.log_unanswered(session, asked, key, "fallback", None, 0.0, ("telegram", str(USER)))
    await page.goto(f"{base}/admin/hop-thu")
    item = page.locator("article.inbox-item", has_text=asked)
    await item.locator("input[name=other_id]").fill("iso9001-chung-nhan")  # not among the guesses: by its id
    await shot(page, "hop-thu", tmp_path)
    await item.locator("button", has_text="Thêm làm cách hỏi").click()
    await page.wait_for_selector("text=Đã thêm")
    await running.core.search.reload_if_changed()
    assert running.core.search().search(asked).best.entry.id == "iso9001-chung-nhan"

    # Excel: a sheet with a wrong topic name is refused row by row, nothing applied.
    kb = running.core.search().kb
    sheet = tmp_path / "kho-sai.xlsx"
    broken = dataclasses.replace(kb.get("kaizen-la-gi"), topic="chủ đề không có")
    write_workbook([broken], kb.topics, sheet)
    await page.goto(f"{base}/admin/excel")
    await page.set_input_files("input[name=tep]", str(sheet))
    await page.click("form[action='/admin/excel/nhap'] button")
    await page.wait_for_selector("text=Chưa áp dụng gì")
    assert "không có chủ đề «chủ đề không có»" in await page.locator("#ket-qua-nhap").inner_text()
    await shot(page, "excel", tmp_path)

    await page.goto(f"{base}/admin/thu-hoi?q=chứng chỉ iso 9001 có hiệu lực mấy năm")
    await shot(page, "thu-hoi", tmp_path)
    await page.goto(f"{base}/admin/cai-dat")
    await shot(page, "cai-dat", tmp_path)
    assert blocked == []  # nothing the Content-Security-Policy had to stop
    await context.close()
