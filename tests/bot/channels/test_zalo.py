"""End-to-end: the real Runner and Zalo channel against the fake Zalo Bot API, polling and webhook."""

from __future__ import annotations

import asyncio
import json
import re

import aiohttp
import pytest
from pydantic import SecretStr

from bot.app import Runner
from bot.broadcast.audience import Audience
from bot.channels.zalo import CHOOSE_HINT
from bot.channels.zalo_client import ZaloClient
from bot.db import campaigns, handoffs, people
from bot.db.campaigns import Draft
from bot.settings import load_settings
from bot.startup import StartupError

pytestmark = pytest.mark.slow

USER = "7a1f0c9e2b"
STAFF = "staff900"
SECRET = "zalo-webhook-secret_for-tests"
NUMBERED = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)


class Chat:
    """One user's side of the conversation: send an update, wait for the bot's answers (plain texts)."""

    def __init__(self, api, chat_id: str, deliver):
        self.api, self.chat_id, self.deliver = api, chat_id, deliver

    def received(self) -> list[str]:
        return self.api.texts(self.chat_id)

    async def expect(self, update: dict, replies: int = 1) -> list[str]:
        before = len(self.received())
        await self.deliver(update)
        await self.api.wait_for("sendMessage", before + replies, timeout=10, chat_id=self.chat_id)
        return self.received()[before:]

    async def say(self, text: str, replies: int = 1) -> list[str]:
        return await self.expect(self.api.text_update(self.chat_id, text), replies)

    async def choose(self, message: str, label: str, replies: int = 1) -> list[str]:
        """Answer a numbered menu the way a user does: by typing the number of `label`."""
        return await self.say(str(choices(message)[label]), replies)


def choices(message: str) -> dict[str, int]:
    """label → number of a message's numbered choices."""
    return {label: int(number) for number, label in NUMBERED.findall(message)}


def make_settings(api, database_url, webhook: bool, **extra):
    if webhook:
        extra["zalo_webhook_secret"] = SECRET
    return load_settings(
        _env_file=None,
        zalo_bot_token=api.token,
        zalo_api_base_url=api.base_url,
        telegram_bot_token=None,
        database_url=database_url,
        web_port=0,
        quiet_hours="",
        staff_ids=f"zalo:{STAFF}",
        staff_chat_id=f"zalo:{STAFF}",
        # A loaded CI machine can take over the default second on PostgreSQL; the menus these tests type
        # numbers into must not be skipped as "database down".
        database_call_timeout=10.0,
        **extra,
    )


async def post(http, url: str, body, secret: str | None = SECRET) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Bot-Api-Secret-Token"] = secret
    data = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    async with http.post(url, data=data, headers=headers) as response:
        return response.status


@pytest.fixture(params=["polling", "webhook"])
async def bot(request, zalo_api, database_url):
    webhook = request.param == "webhook"
    if webhook:  # what an operator does once (README): register the public URL with setWebhook
        async with ZaloClient(zalo_api.token, zalo_api.base_url) as client:
            await client.set_webhook("https://bot.example/zalo/webhook", SECRET)
    runner = Runner(make_settings(zalo_api, database_url, webhook))
    await runner.start()
    url = f"http://127.0.0.1:{runner.web.port}/zalo/webhook"
    http = aiohttp.ClientSession()
    sent = 0

    async def deliver(update: dict) -> None:
        nonlocal sent
        if not webhook:
            zalo_api.push_update(update)
            return
        sent += 1  # Zalo's webhook bodies come both ways: wrapped in an envelope, or the bare update
        assert await post(http, url, {"ok": True, "result": update} if sent % 2 else update) == 200

    runner.deliver, runner.webhook_url, runner.http, runner.mode = deliver, url, http, request.param
    yield runner
    await http.close()
    await runner.stop()


async def test_a_business_owner_journey(bot, zalo_api):
    user = Chat(zalo_api, USER, bot.deliver)
    staff = Chat(zalo_api, STAFF, bot.deliver)

    [welcome] = await user.say("/start")
    assert "Trợ lý Năng suất" in welcome and CHOOSE_HINT in welcome
    menu = choices(welcome)
    assert len(menu) >= 4 and "5S, Kaizen, Lean và công cụ cải tiến" in menu
    third = next(label for label, number in menu.items() if number == 3)
    [topic] = await user.say("3")
    assert topic.startswith(f"{third} (1/") and "1. " in topic  # a long topic comes a page at a time
    [second_page] = await user.choose(topic, "Trang sau ›")
    assert second_page.startswith(f"{third} (2/") and "Trang trước" in second_page

    [answer] = await user.say("5S là gì")
    assert "Sàng lọc" in answer and "Nguồn: " in answer and CHOOSE_HINT in answer
    await zalo_api.wait_for("sendChatAction", 1, chat_id=USER)  # typing while it searched
    assert all(c.params["action"] == "typing" for c in zalo_api.calls_of("sendChatAction"))
    [plain] = await user.say("5s la gi")
    assert plain == answer

    # The short answer comes first; its detail is the first choice, then what to ask next.
    assert "Sàng lọc, Sắp xếp" in answer and "(Seiri)" not in answer and "1. Xem chi tiết" in answer
    [detail] = await user.say("1")
    assert detail.startswith("- Sàng lọc (Seiri)") and "Xem chi tiết" not in detail
    [follow] = await user.say("1")  # the first "ask next" question under the detail
    assert "Nguồn: " in follow and follow != answer

    [clarify] = await user.say("iso")
    options = choices(clarify)
    assert "ISO 9001 là gì?" in options and "Không phải các câu trên" in options
    [iso] = await user.choose(clarify, "ISO 9001 là gì?")
    assert "ISO 9001" in iso and "Nguồn: " in iso
    [again] = await user.say("0")
    assert again == clarify  # back: the previous menu, numbered the same
    other = next(label for label in options if label.startswith("ISO") and label != "ISO 9001 là gì?")
    [by_text] = await user.say(other)  # a choice may be typed as its text, too
    assert "Nguồn: " in by_text and by_text not in (iso, clarify)
    [wrong] = await user.say("99")
    assert "Không có lựa chọn số 99" in wrong

    [choose] = await user.say("/dangky")
    [done] = await user.choose(choose, "Tất cả chủ đề")
    assert "Đã đăng ký" in done
    await bot.core.writes.flush()  # the bookkeeping the answers did not wait for
    async with bot.core.db.session() as s:
        assert (await people.get_person(s, "zalo", USER)).status == "active"

    [fallback] = await user.say("giá vàng hôm nay")
    assert "chưa có câu trả lời chắc chắn" in fallback
    before_staff = len(staff.received())
    [opened] = await user.choose(fallback, "Gặp cán bộ")
    assert "yêu cầu #1-" in opened
    await zalo_api.wait_for("sendMessage", before_staff + 1, chat_id=STAFF)
    assert "giá vàng hôm nay" in staff.received()[-1] and "(zalo)" in staff.received()[-1]
    await bot.core.writes.flush()  # the bookkeeping the answers did not wait for
    async with bot.core.db.session() as s:
        handoff = await handoffs.get_request(s, 1)
        assert (handoff.channel, handoff.chat_id) == ("zalo", USER)

    # A staff answer longer than one Zalo message reaches the user in pieces of at most 2,000 characters.
    long_answer = "\n\n".join(f"Đoạn {i}: cán bộ hướng dẫn chi tiết hồ sơ đề nghị hỗ trợ. " * 6 for i in range(8))
    before_user = len(user.received())
    [confirm] = await staff.say(f"/reply 1 {long_answer}")
    assert "Đã gửi tới" in confirm
    await zalo_api.wait_for("sendMessage", before_user + 2, chat_id=USER)
    pieces = user.received()[before_user:]
    assert len(pieces) == 2 and "Đoạn 0" in pieces[0] and "Đoạn 7" in pieces[1]

    [ask] = await user.say("/xoadulieu")
    [gone] = await user.choose(ask, "Xóa dữ liệu của tôi")
    assert "Đã xóa" in gone
    await bot.core.writes.flush()  # the bookkeeping the answers did not wait for
    async with bot.core.db.session() as s:
        assert await people.get_person(s, "zalo", USER) is None

    texts = zalo_api.texts()
    assert all(0 < len(t) <= 2000 for t in texts) and max(map(len, texts)) > 1500
    assert zalo_api.stats.failed == 0  # (duplicates are expected: "5s la gi" and "0" repeat a message)
    if bot.mode == "webhook":
        assert zalo_api.calls_of("getUpdates") == []


async def test_images_stickers_and_other_messages_get_a_text_only_reply(bot, zalo_api):
    user = Chat(zalo_api, USER, bot.deliver)
    for update in (zalo_api.image_update(USER), zalo_api.sticker_update(USER), zalo_api.unsupported_update(USER)):
        [reply] = await user.expect(update)
        assert reply.startswith("Xin lỗi, tôi chỉ đọc được tin nhắn chữ")
    [empty] = await user.say("")
    assert "chỉ đọc được câu hỏi bằng chữ" in empty
    [nothing] = await user.say("0")
    assert "Không còn gì để quay lại" in nothing


async def test_commands_typed_as_text_and_a_stale_number(bot, zalo_api):
    user = Chat(zalo_api, USER, bot.deliver)
    [unknown] = await user.say("/khonglenhnay")
    assert "không biết lệnh" in unknown
    [menu] = await user.say("/menu")
    assert choices(menu)
    [help_text] = await user.say("/huongdan")
    [back] = await user.choose(help_text, "☰ Danh sách chủ đề")
    assert back == menu


async def test_a_blocked_user_is_marked_and_campaigns_go_out(bot, zalo_api):
    user = Chat(zalo_api, USER, bot.deliver)
    [choose] = await user.say("/dangky")
    await user.choose(choose, "Tất cả chủ đề")
    await bot.core.writes.flush()  # the bookkeeping the answers did not wait for
    async with bot.core.db.writing() as s:
        await campaigns.create(
            s,
            Draft(
                "Lớp tập huấn 5S ngày 5/12 cho {name}.",
                Audience.parse("channel:zalo"),
                buttons=(("Đăng ký", "https://example.vn/dang-ky"),),
            ),
        )
    bot.broadcasts.broadcaster.wake()
    await zalo_api.wait_for("sendMessage", 3, timeout=10, chat_id=USER)
    assert user.received()[-1] == (
        "Lớp tập huấn 5S ngày 5/12 cho An.\n\nĐăng ký: https://example.vn/dang-ky\n\n"
        "Để ngừng nhận thông báo, nhắn: HỦY NHẬN TIN"
    )
    # Doing what the line says unsubscribes at once, and says so.
    [stopped] = await user.say("HỦY NHẬN TIN")
    assert stopped.startswith("Đã hủy đăng ký")
    async with bot.core.db.session() as s:
        assert (await people.get_person(s, "zalo", USER)).status == "unsubscribed"

    zalo_api.block(USER)
    await bot.deliver(zalo_api.text_update(USER, "kaizen la gi"))
    for _ in range(100):
        await bot.core.writes.flush()  # the bookkeeping the answers did not wait for
        async with bot.core.db.session() as s:
            status = (await people.get_person(s, "zalo", USER)).status
        if status == "blocked":
            break
        await asyncio.sleep(0.05)
    assert status == "blocked"
    assert zalo_api.stats.blocked == 1


async def test_webhook_refuses_a_wrong_secret_and_answers_duplicates_once(zalo_api, database_url):
    runner = Runner(make_settings(zalo_api, database_url, webhook=True))
    await runner.start()
    url = f"http://127.0.0.1:{runner.web.port}/zalo/webhook"
    try:
        update = zalo_api.text_update(USER, "5s la gi")
        async with aiohttp.ClientSession() as http:
            assert await post(http, url, update, secret=None) == 403
            assert await post(http, url, update, secret="wrong-secret") == 403
            assert await post(http, url, "not json") == 400
            # One request carrying thousands of updates is not Zalo: refused whole, nothing answered.
            batch = [zalo_api.text_update(f"u{n}", "5s la gi") for n in range(3900)]
            assert await post(http, url, batch) == 413
            await asyncio.sleep(0.3)
            assert zalo_api.sent() == [] and zalo_api.calls_of("sendChatAction") == []
            assert await post(http, url, update) == 200
            assert await post(http, url, {"ok": True, "result": update}) == 200  # the same message again
            await zalo_api.wait_for("sendMessage", 1, chat_id=USER)
            await asyncio.sleep(0.3)
            assert len(zalo_api.sent(USER)) == 1
            async with http.get(f"http://127.0.0.1:{runner.web.port}/healthz") as r:
                assert (await r.json())["channels"] == ["zalo"]
    finally:
        await runner.stop()


async def test_polling_removes_a_stale_webhook_and_survives_errors(zalo_api, database_url):
    async with ZaloClient(zalo_api.token, zalo_api.base_url) as client:
        await client.set_webhook("https://old.example/zalo/webhook", SECRET)
    zalo_api.fail_next("getUpdates", 500, "Internal server error")
    runner = Runner(make_settings(zalo_api, database_url, webhook=False))
    await runner.start()
    try:
        assert zalo_api.webhook is None and zalo_api.calls_of("deleteWebhook")
        update = zalo_api.text_update(USER, "kaizen la gi")
        zalo_api.push_update(update)
        zalo_api.push_update(update)  # redelivered: answered once
        await zalo_api.wait_for("sendMessage", 1, timeout=10, chat_id=USER)
        await asyncio.sleep(0.5)
        assert len(zalo_api.sent(USER)) == 1 and "Kaizen" in zalo_api.texts(USER)[0]
    finally:
        await runner.stop()
    task_names = {t.get_name() for t in asyncio.all_tasks()}
    assert "zalo-poll" not in task_names


async def test_a_rejected_or_unreachable_api_stops_start_up_with_one_line(zalo_api, database_url):
    settings = make_settings(zalo_api, database_url, webhook=False)
    with pytest.raises(StartupError, match="rejected ZALO_BOT_TOKEN") as rejected:
        await Runner(settings.model_copy(update={"zalo_bot_token": SecretStr("wrong")})).start()
    assert "\n" not in str(rejected.value)
    await zalo_api.refuse_connections()
    with pytest.raises(StartupError, match="cannot reach the Zalo Bot API") as unreachable:
        await Runner(settings).start()
    assert zalo_api.token not in str(unreachable.value)


async def test_talking_to_staff_both_ways_two_users_and_an_erased_request(bot, zalo_api):
    api = zalo_api
    lan, binh, mai = (Chat(api, chat, bot.deliver) for chat in ("lan111", "binh222", "mai333"))
    staff = Chat(api, STAFF, bot.deliver)
    [opened] = await lan.say("/gapcanbo Công ty Hải Long cần tư vấn ISO 22000")
    assert "Đã chuyển tới cán bộ (yêu cầu #1-" in opened
    await api.wait_for("sendMessage", 1, timeout=10, chat_id=STAFF)
    ref = staff.received()[-1].split("#", 1)[1].split()[0]
    assert "Công ty Hải Long" in staff.received()[-1]
    for n in range(3):
        await lan.deliver(api.text_update("lan111", f"Lan nhắn lần {n}"))
        await api.wait_for("sendMessage", 2 + 2 * n, timeout=10, chat_id=STAFF)
        assert staff.received()[-1].endswith(f"Lan nhắn lần {n}")
        before = len(lan.received())
        [sent] = await staff.say(f"/traloi {ref} Cán bộ trả lời lần {n}")
        assert "Đã gửi tới" in sent
        await api.wait_for("sendMessage", before + 1, timeout=10, chat_id="lan111")
        assert any(f"Cán bộ trả lời lần {n}" in t for t in lan.received()[before:])
    [closed] = await staff.say(f"/ketthuc {ref} đã hẹn gọi lại")
    assert closed.startswith("Đã kết thúc yêu cầu")
    assert "đã hẹn gọi lại" in lan.received()[-1]
    assert "Nguồn: " in (await lan.say("5s la gi"))[0]  # back to the bot

    await binh.say("/gapcanbo Bình hỏi OCOP")
    await mai.say("/gapcanbo Mai hỏi ISO")
    await api.wait_for("sendMessage", 10, timeout=10, chat_id=STAFF)
    refs = [t.split("#", 1)[1].split()[0] for t in staff.received()[-2:]]
    await staff.say(f"/traloi {refs[1]} gửi Mai")
    await staff.say(f"/traloi {refs[0]} gửi Bình")
    assert "gửi Bình" in binh.received()[-1] and "gửi Mai" in mai.received()[-1]

    [ask] = await binh.say("/xoadulieu")
    await binh.choose(ask, "Xóa dữ liệu của tôi")
    await api.wait_for("sendMessage", 13, timeout=10, chat_id=STAFF)
    assert "đã xóa dữ liệu" in staff.received()[-1]
    an = Chat(api, "an444", bot.deliver)
    await an.say("/gapcanbo An hỏi 5S")
    for attempt in (f"/traloi {refs[0].split('-')[0]} Chào anh Bình", f"/traloi {refs[0]} Chào anh Bình"):
        assert (await staff.say(attempt))[0].startswith("Không tìm thấy yêu cầu")
    assert all("Bình" not in t for t in an.received())
