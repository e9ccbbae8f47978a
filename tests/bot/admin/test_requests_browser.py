"""Requests to staff in a real headless Chromium beside the bot on the fake Telegram API: a user asks for a
person, the request appears on the open list without a reload, staff answer from the web, the user's answer
appears on the request's page without a reload, staff close it with a note; nothing blocked by the CSP."""

from __future__ import annotations

import pytest

from bot.admin import accounts
from bot.admin.roles import AdminRole
from bot.app import Runner
from bot.settings import load_settings
from handlers import texts
from tests.bot.admin.browser import shot, sign_in
from tests.bot.admin.console import PASSWORD
from tests.bot.channels.test_telegram import Chat

pytestmark = pytest.mark.slow
USER = 111
STAFF_GROUP = -1001234567890  # the staff's Telegram group (STAFF_CHAT_ID)
QUESTION = "Công ty may Hải Long cần tư vấn ISO 9001, sđt 0988123456"
ANSWER = "Chào chị, em là cán bộ của Sở. Chiều nay 14:00 em gọi lại được không ạ?"
USER_SAYS = "Vâng, 14:00 được ạ <b>cảm ơn</b>"


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
        staff_chat_id=str(STAFF_GROUP),
    )
    runner = Runner(settings)
    await runner.start()
    assert runner.core is not None
    async with runner.core.db.session() as session:
        await accounts.add_user(session, "ha.nguyen@so.vn", AdminRole.STAFF, PASSWORD)
    yield runner
    await runner.stop()


async def test_a_request_answered_and_closed_from_the_web(running, browser, telegram_api, tmp_path):
    base = f"http://127.0.0.1:{running.web.port}"
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = await context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    await sign_in(page, base, "ha.nguyen@so.vn", PASSWORD)
    await page.goto(f"{base}/admin/yeu-cau")
    assert "Không có yêu cầu nào đang mở" in await page.locator("#dang-mo").inner_text()

    async def deliver(update: dict) -> None:
        telegram_api.push_update(update)

    user = Chat(telegram_api, USER, deliver)
    [opened] = await user.say(f"/gapcanbo {QUESTION}")
    assert opened["text"].startswith("Đã chuyển tới cán bộ (yêu cầu #")
    ref = opened["text"].split("#", 1)[1].split(")", 1)[0]
    await telegram_api.wait_for("sendMessage", 1, timeout=10, chat_id=STAFF_GROUP)  # the staff group's notice

    # The open list learns of it by itself (its script polls every 3 s).
    row = page.locator("#dang-mo tbody tr", has_text=f"#{ref}")
    await row.wait_for(timeout=10_000)
    assert await page.locator("#co-moi").is_visible()
    assert "đang chờ" in await row.inner_text() and "Telegram" in await row.inner_text()
    await shot(page, "yeu-cau", tmp_path)

    await row.locator("a").click()
    await page.wait_for_url(f"**/admin/yeu-cau/{ref.split('-')[0]}")
    assert QUESTION in await page.locator("#tin-nhan").inner_text()
    before = len(user.received())
    await page.fill("textarea[name=text]", ANSWER)
    await page.click("form.reply button[type=submit]")
    await page.wait_for_selector("text=Đã gửi tới")
    await telegram_api.wait_for("sendMessage", before + 1, timeout=10, chat_id=USER)
    got = user.received()[-1]
    assert got["text"] == texts.STAFF_ANSWER.format(name=" ha.nguyen", text=ANSWER)
    assert "đã có cán bộ nhận" in await page.locator("#trang-thai").inner_text()  # the answer took it

    # The user answers in the chat; the request's page shows it without a reload.
    [ack] = await user.say(USER_SAYS)
    assert ack["text"] == texts.HANDOFF_FORWARDED and len(user.received()) == before + 2
    line = page.locator("#tin-nhan li.from-user", has_text=USER_SAYS)
    await line.wait_for(timeout=10_000)
    assert await page.locator("#tin-moi").is_visible()
    await shot(page, "yeu-cau-chi-tiet", tmp_path)

    await page.fill("input[name=note]", "Đã hẹn gọi lại lúc 14:00")
    await page.click("form.close button[type=submit]")
    await page.wait_for_selector("text=Đã kết thúc yêu cầu")
    await telegram_api.wait_for("sendMessage", before + 3, timeout=10, chat_id=USER)
    told = user.received()[-1]["text"]
    assert told == texts.HANDOFF_CLOSED_FOR_USER.format(
        ref=ref, note=texts.HANDOFF_CLOSE_NOTE.format(note="Đã hẹn gọi lại lúc 14:00")
    )
    assert "đã kết thúc" in await page.locator("#trang-thai").inner_text()
    assert await page.locator("textarea[name=text]").count() == 0
    assert blocked == []  # nothing the Content-Security-Policy had to stop
    await context.close()
