"""A campaign written, previewed, test-sent and confirmed in a real headless Chromium, beside the bot running
Telegram and Zalo on their fake APIs: the progress bar reaches 100% without a reload, and exactly the topic's
subscribers on both channels get the message. Screenshots go to SCREENSHOT_DIR when it is set."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.admin import accounts
from bot.admin.roles import AdminRole
from bot.app import Runner
from bot.broadcast.message import LONGEST_NAME, campaign_reply, visible_length
from bot.db.models import Subscriber, utcnow
from bot.settings import load_settings
from tests.bot.admin.browser import shot, sign_in
from tests.bot.admin.console import PASSWORD

pytestmark = pytest.mark.slow
STAFF = "canbo@so.vn"
TOPIC = "cong-cu-cai-tien"
OTHER = "ocop-tccs"
TEST_CHAT = "900001"
TELEGRAM_TOPIC = ["1001", "1002", "1003"]
ZALO_TOPIC = ["za1", "za2"]
TEXT = "Chào {name} 👋\nHội thảo Kaizen cho doanh nghiệp nhỏ, 8h ngày 10/12 tại Hạ Long. Đăng ký qua bot nhé."


@pytest.fixture
async def running(telegram_api, zalo_api, tmp_path):
    settings = load_settings(
        _env_file=None,
        telegram_bot_token=telegram_api.token,
        telegram_api_base_url=telegram_api.base_url,
        zalo_bot_token=zalo_api.token,
        zalo_api_base_url=zalo_api.base_url,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        web_port=0,
        embeddings="off",
        quiet_hours="off",  # the test runs at any hour
    )
    runner = Runner(settings)
    await runner.start()
    assert runner.core is not None
    async with runner.core.db.writing() as session:
        await accounts.add_user(session, STAFF, AdminRole.STAFF, PASSWORD)
        chats = [("telegram", c, TOPIC) for c in TELEGRAM_TOPIC] + [("zalo", c, TOPIC) for c in ZALO_TOPIC]
        chats += [("telegram", "2001", OTHER), ("telegram", "2002", OTHER), ("zalo", "zb9", OTHER)]
        for channel, chat_id, topic in chats:
            session.add(
                Subscriber(
                    channel=channel,
                    chat_id=chat_id,
                    display_name=f"Chủ cơ sở {chat_id}",
                    topics=topic,
                    status="active",
                    consent_at=utcnow(),
                )
            )
        await session.commit()
    yield runner
    await runner.stop()


async def test_write_preview_test_send_confirm_and_watch_it_go(running, browser, telegram_api, zalo_api, tmp_path):
    assert running.web is not None
    base = f"http://127.0.0.1:{running.web.port}"
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = await context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    await sign_in(page, base, STAFF, PASSWORD)

    # Where "Gửi thử cho tôi" goes: the staff member's own Telegram chat.
    await page.goto(f"{base}/admin/chien-dich/moi")
    await page.fill("input[name=test_chat]", f"telegram:{TEST_CHAT}")
    await page.click("text=Lưu nơi nhận tin thử")
    await page.wait_for_selector("text=Đã lưu nơi nhận tin thử.")

    # The live counts: each channel as its sender measures it, {name} at the longest name.
    await page.fill("#text", TEXT)
    for channel, label in (("telegram", "Telegram"), ("zalo", "Zalo")):
        length = visible_length(campaign_reply(TEXT, [], "", LONGEST_NAME, channel), channel)
        counted = await page.locator(f'#do-dai [data-channel="{channel}"]').inner_text()
        assert counted.startswith(f"{label}: {length} / "), counted
    await page.select_option("#audience", f"topic:{TOPIC}")
    await page.wait_for_selector("#nguoi-nhan:has-text('5 người')")
    await page.fill("#audience_free", "topic:khong-co")
    await page.wait_for_selector("#nguoi-nhan:has-text('Không có chủ đề «khong-co»')")
    await page.fill("#audience_free", "")
    await page.wait_for_selector("#nguoi-nhan:has-text('5 người')")
    await shot(page, "chien-dich-moi", tmp_path)

    await page.click("text=Xem trước")
    await page.wait_for_url("**/admin/chien-dich/xem-truoc")
    plan = await page.locator("#ke-hoach").inner_text()
    assert "Người nhận: Người đăng ký chủ đề «5S, Kaizen, Lean và công cụ cải tiến» — 5 người" in plan
    assert "ngay bây giờ" in plan
    assert await page.locator(".handset.telegram .bubble-text").inner_text() == TEXT.replace("{name}", "Nguyễn Văn An")
    await shot(page, "chien-dich-xem-truoc", tmp_path)

    await page.click("text=Gửi thử cho tôi")
    await page.wait_for_selector(f"#ket-qua-gui-thu:has-text('Đã gửi tin thử tới Telegram {TEST_CHAT}')")
    sample = telegram_api.sent(TEST_CHAT)
    assert len(sample) == 1 and sample[0]["text"] == TEXT.replace("{name}", "Nguyễn Văn An")

    # One Zalo recipient's answer is slow, so the page shows the campaign under way and then done.
    zalo_api.hang_next("sendMessage", 5.0, chat_id=ZALO_TOPIC[1])
    await page.click("text=Xác nhận gửi")
    await page.wait_for_url("**/admin/chien-dich/*?da_tao=1")
    await page.evaluate("window.stillTheSamePage = true")
    assert int(await page.locator('[data-field="percent"]').inner_text()) < 100
    # A selector, not wait_for_function: that evaluates a string, which the page's CSP rightly forbids.
    await page.wait_for_selector('[data-field="percent"]:text-is("100")', timeout=30_000)
    assert await page.evaluate("window.stillTheSamePage === true")  # updated in place, never reloaded
    assert await page.locator("[data-status-of]").inner_text() == "đã gửi xong"
    assert float(await page.locator('rect[data-segment="sent"]').get_attribute("width") or 0) == 100
    assert await page.locator('[data-count="sent"]').inner_text() == "5"
    assert not await page.locator("a", has_text="Hủy").is_visible()  # nothing left to cancel

    await page.goto(f"{base}/admin/chien-dich")
    assert "100" in await page.locator('[data-field="percent"]').first.inner_text()
    await shot(page, "chien-dich", tmp_path)

    # Exactly the topic's subscribers, once each, on both channels; the other topic's got nothing.
    telegram = Counter(str(p["chat_id"]) for p in telegram_api.sent() if str(p["chat_id"]) != TEST_CHAT)
    zalo = Counter(str(p["chat_id"]) for p in zalo_api.sent())
    assert telegram == Counter(TELEGRAM_TOPIC) and zalo == Counter(ZALO_TOPIC)
    assert blocked == []  # nothing the Content-Security-Policy had to stop
    await context.close()
