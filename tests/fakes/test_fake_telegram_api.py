"""The fake Telegram Bot API, proven with the real python-telegram-bot client over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import io
import time

import aiohttp
import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut

from tests.fakes.telegram_api import FakeTelegramAPI, SentDocument

CHAT = 4242
PHOTO_URL = "https://example.vn/anh/khai-giang.jpg"

# PTB warns whenever it builds a RetryAfter (its retry_after is becoming a timedelta); not our concern here.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
async def bot(telegram_api):
    async with telegram.Bot(telegram_api.token, base_url=telegram_api.base_url) as bot:
        yield bot


def retry_after_of(error: RetryAfter) -> float:
    """RetryAfter.retry_after is an int (deprecated) or a timedelta, depending on PTB_TIMEDELTA."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else value


async def test_get_me_is_called_on_initialize_and_answers_the_bot(telegram_api, bot):
    me = await bot.get_me()
    assert me.is_bot and me.username == telegram_api.bot_user["username"]
    assert me.id == 123456 and me.can_join_groups
    assert telegram_api.calls[0].method == "getMe"


async def test_send_message_records_decoded_params(telegram_api, bot):
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Hỗ trợ OCOP", callback_data="topic:ocop")]])
    message = await bot.send_message(CHAT, "<b>Xin chào</b> &amp; chào mừng", parse_mode="HTML", reply_markup=keyboard)
    assert message.message_id == 1 and message.chat.type == "private" and message.chat.id == CHAT
    assert message.text == "Xin chào & chào mừng"
    assert message.reply_markup == keyboard
    [params] = telegram_api.sent(CHAT)
    assert params["chat_id"] == str(CHAT)
    assert params["text"] == "<b>Xin chào</b> &amp; chào mừng"
    assert params["reply_markup"] == {"inline_keyboard": [[{"text": "Hỗ trợ OCOP", "callback_data": "topic:ocop"}]]}
    second = await bot.send_message(CHAT, "Lần hai")
    assert second.message_id == 2


async def test_group_chats_have_group_types(bot):
    assert (await bot.send_message(-555, "x")).chat.type == "group"
    assert (await bot.send_message(-1001234, "x")).chat.type == "supergroup"


async def test_too_long_and_badly_marked_up_messages_are_rejected(telegram_api, bot):
    with pytest.raises(BadRequest, match="(?i)too long"):
        await bot.send_message(CHAT, "a" * 5000)
    with pytest.raises(BadRequest, match="(?i)Can't find end tag"):
        await bot.send_message(CHAT, "<b>đậm", parse_mode="HTML")
    with pytest.raises(BadRequest, match='(?i)Unsupported start tag "br"'):
        await bot.send_message(CHAT, "dòng<br>dòng", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)Unmatched end tag"):
        await bot.send_message(CHAT, "<b><i>x</b></i>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(
            CHAT, "x", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("dài", callback_data="đ" * 40)]])
        )
    accepted = (
        '<a href="https://example.vn?a=1&amp;b=2">link</a> <code>x &lt; y</code> <pre>p</pre> '
        "<blockquote expandable>q</blockquote> <tg-spoiler>s</tg-spoiler> <s>t</s> <u>u</u> "
        '<span class="tg-spoiler">v</span> &quot;w&quot; AT&T'
    )
    assert (await bot.send_message(CHAT, accepted, parse_mode="HTML")).text.endswith('"w" AT&T')
    assert telegram_api.stats.failed == 5 and telegram_api.stats.delivered == 1
    assert telegram_api.calls_of("sendMessage")[0].status == 400


async def test_injected_429_and_403_become_ptb_errors(telegram_api, bot):
    telegram_api.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    with pytest.raises(RetryAfter) as error:
        await bot.send_message(CHAT, "x")
    assert retry_after_of(error.value) == 7
    telegram_api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=CHAT)
    await bot.send_message(CHAT + 1, "another chat is not affected")
    with pytest.raises(Forbidden):
        await bot.send_message(CHAT, "x")
    await bot.send_message(CHAT, "the rule was used up")
    assert telegram_api.stats.rate_limited == 1 and telegram_api.stats.blocked == 1


async def test_blocked_chat_answers_403_until_unblocked(telegram_api, bot):
    telegram_api.block(CHAT)
    for _ in range(2):
        with pytest.raises(Forbidden, match="(?i)blocked"):
            await bot.send_message(CHAT, "x")
    telegram_api.unblock(CHAT)
    await bot.send_message(CHAT, "x")
    assert telegram_api.stats.blocked == 2 and telegram_api.stats.delivered == 1


async def test_wrong_token_is_invalid(telegram_api):
    with pytest.raises(InvalidToken):
        async with telegram.Bot("999:WRONG", base_url=telegram_api.base_url):
            pass
    assert telegram_api.calls[-1].status == 401


async def test_get_updates_returns_injected_updates_and_offset_confirms(telegram_api, bot):
    first = telegram_api.push_update(telegram_api.message_update(CHAT, "/start abc", first_name="Lan"))
    telegram_api.push_update(telegram_api.callback_update(CHAT, "topic:iso", message_id=1))
    telegram_api.push_update(telegram_api.my_chat_member_update(CHAT, "kicked"))
    updates = await bot.get_updates(timeout=0)
    assert [update.update_id for update in updates] == [first, first + 1, first + 2]
    start, press, blocked = updates
    assert start.message.text == "/start abc" and start.message.from_user.first_name == "Lan"
    assert start.message.parse_entities(["bot_command"]) != {}
    assert start.message.chat.id == CHAT and start.effective_user.id == CHAT
    assert press.callback_query.data == "topic:iso" and press.callback_query.message.message_id == 1
    assert blocked.my_chat_member.new_chat_member.status == "kicked"
    assert blocked.my_chat_member.old_chat_member.status == "member"
    assert len(await bot.get_updates(timeout=0)) == 3  # not confirmed yet
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()
    assert (await bot.get_webhook_info()).pending_update_count == 0


async def test_get_updates_limit_and_allowed_updates(telegram_api, bot):
    telegram_api.push_update(telegram_api.message_update(CHAT, "một"))
    telegram_api.push_update(telegram_api.callback_update(CHAT, "d", 1))
    telegram_api.push_update(telegram_api.message_update(CHAT, "hai"))
    assert len(await bot.get_updates(limit=2, timeout=0)) == 2
    only_callbacks = await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
    assert [update.callback_query.data for update in only_callbacks] == ["d"]
    assert telegram_api.calls_of("getUpdates")[-1].params["allowed_updates"] == ["callback_query"]


async def test_long_poll_wakes_up_when_an_update_arrives(telegram_api, bot):
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await telegram_api.wait_for("getUpdates", received=True)
    telegram_api.push_update(telegram_api.message_update(CHAT, "dn ocop 3* dc ho tro gi"))
    updates = await asyncio.wait_for(poll, 3)
    assert updates[0].message.text == "dn ocop 3* dc ho tro gi"
    assert time.monotonic() - started < 3


async def test_long_poll_returns_empty_after_its_timeout(bot):
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 3


async def test_webhook_conflicts_with_get_updates(telegram_api, bot):
    assert await bot.set_webhook("https://bot.example.vn/telegram", secret_token="s3cret-token")
    assert telegram_api.webhook["secret_token"] == "s3cret-token"
    assert (await bot.get_webhook_info()).url == "https://bot.example.vn/telegram"
    with pytest.raises(Conflict):
        await bot.get_updates(timeout=0)
    with pytest.raises(BadRequest, match="(?i)HTTPS"):
        await bot.set_webhook("http://insecure.example.vn/telegram")
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.get_updates(timeout=0) == ()


async def test_edit_message_text(telegram_api, bot):
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Tiếp", callback_data="next")]])
    sent = await bot.send_message(CHAT, "Bản nháp", reply_markup=keyboard)
    edited = await bot.edit_message_text("Bản cuối", chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard)
    assert edited.text == "Bản cuối" and edited.edit_date is not None
    with pytest.raises(BadRequest, match="(?i)not modified"):
        await bot.edit_message_text("Bản cuối", chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard)
    without_keyboard = await bot.edit_message_text("Bản cuối", chat_id=CHAT, message_id=sent.message_id)
    assert without_keyboard.reply_markup is None  # Telegram drops a keyboard an edit does not repeat
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=CHAT, message_id=99)
    assert (
        telegram_api.callback_update(CHAT, "next", sent.message_id)["callback_query"]["message"]["text"] == "Bản cuối"
    )


async def test_commands_callback_answers_and_chat_actions(telegram_api, bot):
    assert await bot.set_my_commands([("start", "Bắt đầu"), ("hoi", "Đặt câu hỏi")])
    assert telegram_api.calls_of("setMyCommands")[0].params["commands"][0] == {
        "command": "start",
        "description": "Bắt đầu",
    }
    assert [command.command for command in await bot.get_my_commands()] == ["start", "hoi"]
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("hỏi", "có dấu")])
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    assert await bot.answer_callback_query("17", text="Đã ghi nhận")
    assert await bot.send_chat_action(CHAT, "typing")
    assert await bot.log_out()  # anything else answers true and is recorded
    assert telegram_api.calls[-1].method == "logOut"


async def test_rate_limits_answer_429_with_realistic_retry_after(telegram_api, bot):
    telegram_api.set_limits(global_per_second=3, per_chat_per_second=1, per_group_per_minute=2)
    await bot.send_message(1, "a")
    with pytest.raises(RetryAfter) as per_chat:
        await bot.send_message(1, "b")
    assert retry_after_of(per_chat.value) == 1
    await bot.send_message(2, "a")
    await bot.send_message(3, "a")
    with pytest.raises(RetryAfter):
        await bot.send_message(4, "a")  # the fourth message within a second, over the global limit
    telegram_api.set_limits(global_per_second=None, per_chat_per_second=None, per_group_per_minute=2)
    await bot.send_message(-77, "g1")
    await bot.send_message(-77, "g2")
    with pytest.raises(RetryAfter) as per_group:
        await bot.send_message(-77, "g3")
    assert 55 <= retry_after_of(per_group.value) <= 60
    stats = telegram_api.stats
    assert (stats.delivered, stats.rate_limited) == (5, 3)
    assert "retry after" in telegram_api.calls_of("sendMessage")[1].description


async def test_duplicates_count_pairs_delivered_twice(telegram_api, bot):
    for chat in (1, 2, 1, 1, 3):
        await bot.send_message(chat, "Khai giảng lớp 5S")
    await bot.send_message(3, "Một thông báo khác")
    assert telegram_api.stats.duplicates == 1
    await bot.send_message(2, "Khai giảng lớp 5S")
    assert telegram_api.stats.duplicates == 2


async def test_hang_times_out_the_client_but_the_message_was_delivered(telegram_api, bot):
    telegram_api.hang_next("sendMessage", 1.0)
    with pytest.raises(TimedOut):
        await bot.send_message(CHAT, "Thông báo", read_timeout=0.2)
    [call] = telegram_api.calls_of("sendMessage")
    assert call.ok and telegram_api.sent(CHAT)[0]["text"] == "Thông báo"
    assert telegram_api.stats.delivered == 1


async def test_hang_without_delivery_delivers_nothing(telegram_api, bot):
    telegram_api.hang_next("sendMessage", 0.5, deliver=False)
    with pytest.raises(TimedOut):
        await bot.send_message(CHAT, "x", read_timeout=0.1)
    assert telegram_api.sent() == [] and telegram_api.calls_of("sendMessage")[0].status is None


async def test_refused_connections_are_network_errors(telegram_api, bot):
    await bot.send_message(CHAT, "before")
    await telegram_api.refuse_connections()
    with pytest.raises(NetworkError) as error:
        await bot.send_message(CHAT, "during")
    assert not isinstance(error.value, TimedOut)
    await telegram_api.accept_connections()
    await bot.send_message(CHAT, "after")
    assert [params["text"] for params in telegram_api.sent()] == ["before", "after"]


async def test_wait_for_returns_matching_calls_or_explains_the_timeout(telegram_api, bot):
    asyncio.get_running_loop().call_later(0.05, asyncio.ensure_future, bot.send_message(CHAT, "later"))
    [call] = await telegram_api.wait_for("sendMessage", chat_id=CHAT, timeout=2)
    assert call.params["text"] == "later"
    with pytest.raises(
        TimeoutError,
        match=r"1 successful sendMessage call\(s\) to chat 1, got 0.*"
        r"sendMessage\(chat 4242\)→200",
    ):
        await telegram_api.wait_for("sendMessage", chat_id=1, timeout=0.1)


async def test_raw_json_form_and_multipart_requests_are_decoded(telegram_api):
    url = f"{telegram_api.base_url}{telegram_api.token}"
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{url}/sendMessage", json={"chat_id": 7, "text": "json", "reply_markup": '{"inline_keyboard": []}'}
        ) as response:
            assert (await response.json())["result"]["chat"]["id"] == 7
        async with session.post(f"{url}/sendMessage", data={"chat_id": "7", "text": "123"}) as response:
            assert response.status == 200
        form = aiohttp.FormData()
        form.add_field("chat_id", "7")
        form.add_field("caption", "tệp")
        form.add_field("reply_markup", '{"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]}')
        form.add_field("document", b"%PDF-1.4", filename="hd.pdf", content_type="application/pdf")
        async with session.post(f"{url}/sendDocument", data=form) as response:
            assert (await response.json())["result"]["document"]["file_name"] == "hd.pdf"
        async with session.get(f"{url}/getUpdates?offset=5&timeout=0") as response:
            assert (await response.json())["result"] == []
    json_call, form_call, multipart_call, get_call = telegram_api.calls
    assert json_call.params == {"chat_id": "7", "text": "json", "reply_markup": {"inline_keyboard": []}}
    assert form_call.params == {"chat_id": "7", "text": "123"}  # a numeric text stays a string
    assert multipart_call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "b"
    assert multipart_call.params["document"] == {"filename": "hd.pdf", "content_type": "application/pdf", "size": 8}
    assert get_call.params == {"offset": 5, "timeout": 0}


async def test_context_manager_stops_a_pending_long_poll_quickly():
    async with FakeTelegramAPI() as api:
        bot = telegram.Bot(api.token, base_url=api.base_url)
        await bot.initialize()
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await api.wait_for("getUpdates", received=True)
        started = time.monotonic()
    assert time.monotonic() - started < 2
    assert await asyncio.wait_for(poll, 2) == ()
    await bot.shutdown()


async def test_send_photo_by_url_and_by_upload_with_caption_and_keyboard(telegram_api, bot):
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Đăng ký", callback_data="dang-ky")]])
    by_url = await bot.send_photo(
        CHAT, PHOTO_URL, caption="<b>Khai giảng</b> lớp 5S", parse_mode="HTML", reply_markup=keyboard
    )
    assert by_url.caption == "Khai giảng lớp 5S" and by_url.reply_markup == keyboard
    [size] = by_url.photo
    assert size.file_id and size.file_unique_id and size.width > 0 and size.height > 0 and size.file_size > 0
    image = b"\x89PNG fake image bytes"
    upload = InputFile(io.BytesIO(image), filename="lich.png")
    by_upload = await bot.send_photo(CHAT, upload, caption="Lịch học", reply_markup=keyboard)
    assert by_upload.caption == "Lịch học" and by_upload.photo[0].file_size == len(image)
    again = await bot.send_photo(CHAT + 1, by_upload.photo[0].file_id)  # resending by file_id needs no upload
    assert again.photo[0].file_unique_id == by_upload.photo[0].file_unique_id and again.caption is None
    url_params, upload_params, _ = telegram_api.photos()
    assert url_params["photo"] == PHOTO_URL and url_params["reply_markup"]["inline_keyboard"][0][0]["text"] == "Đăng ký"
    assert upload_params["photo"]["filename"] == "lich.png" and upload_params["photo"]["size"] == len(image)
    assert len(telegram_api.sent()) == 3 and telegram_api.sent(CHAT)[1]["caption"] == "Lịch học"
    assert telegram_api.stats.delivered == 3 and telegram_api.stats.duplicates == 0
    await bot.send_photo(CHAT, PHOTO_URL, caption="<b>Khai giảng</b> lớp 5S", parse_mode="HTML")
    assert telegram_api.stats.duplicates == 1  # the same photo and caption to the same chat again


async def test_bad_photos_are_refused(telegram_api, bot):
    with pytest.raises(BadRequest, match="(?i)message caption is too long"):
        await bot.send_photo(CHAT, PHOTO_URL, caption="a" * 1025)
    assert (await bot.send_photo(CHAT, PHOTO_URL, caption="<b>" + "a" * 1024 + "</b>", parse_mode="HTML")).caption
    with pytest.raises(BadRequest, match="(?i)there is no photo in the request"):
        await bot.send_photo(CHAT, "")
    with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
        await bot.send_photo(CHAT, "AgACAgIAAxkBAAEnot-issued-here")
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await bot.send_photo(
            CHAT, PHOTO_URL, reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="đ" * 40)]])
        )
    with pytest.raises(BadRequest, match="(?i)Can't find end tag"):
        await bot.send_photo(CHAT, PHOTO_URL, caption="<b>đậm", parse_mode="HTML")
    telegram_api.block(CHAT)
    with pytest.raises(Forbidden, match="(?i)blocked"):
        await bot.send_photo(CHAT, PHOTO_URL)
    stats = telegram_api.stats
    assert (stats.delivered, stats.failed, stats.blocked) == (1, 5, 1)


async def test_send_document_upload_is_readable_back(telegram_api, bot):
    content = "Họ tên,Điện thoại\nAn,0900000000\n".encode()
    sent = await bot.send_document(
        CHAT, InputFile(io.BytesIO(content), filename="dang-ky.csv"), caption="Danh sách đăng ký"
    )
    assert sent.document.file_name == "dang-ky.csv" and sent.document.file_size == len(content)
    assert sent.document.mime_type == "text/csv" and sent.caption == "Danh sách đăng ký"
    assert telegram_api.documents() == [SentDocument(str(CHAT), "dang-ky.csv", content)]
    [(chat_id, filename, raw)] = telegram_api.documents(CHAT)
    assert (chat_id, filename, raw) == (str(CHAT), "dang-ky.csv", content)
    [params] = telegram_api.sent(CHAT)
    assert params["document"] == {"filename": "dang-ky.csv", "content_type": "text/csv", "size": len(content)}
    assert telegram_api.calls_of("sendDocument")[0].uploads["document"] == content
    resent = await bot.send_document(CHAT + 1, sent.document.file_id)
    assert resent.document.file_unique_id == sent.document.file_unique_id
    assert telegram_api.documents(CHAT + 1)[0].content == content
    by_url = await bot.send_document(CHAT, "https://example.vn/tai-lieu/huong-dan.pdf")
    assert by_url.document.file_name == "huong-dan.pdf" and by_url.document.mime_type == "application/pdf"
    assert telegram_api.documents(CHAT)[-1] == (str(CHAT), "huong-dan.pdf", None)
    with pytest.raises(BadRequest, match="(?i)message caption is too long"):
        await bot.send_document(CHAT, sent.document.file_id, caption="a" * 1025)
    with pytest.raises(BadRequest, match="(?i)type of file mismatch"):
        await bot.send_photo(CHAT, sent.document.file_id)
    with pytest.raises(BadRequest, match="(?i)there is no document in the request"):
        await bot.send_document(CHAT, "")
    with pytest.raises(BadRequest, match="(?i)file must be non-empty"):
        await bot.send_document(CHAT, InputFile(io.BytesIO(b""), filename="rong.txt"))


async def test_photo_can_have_its_keyboard_edited_but_not_its_text(telegram_api, bot):
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Tiếp", callback_data="next")]])
    photo = await bot.send_photo(CHAT, PHOTO_URL, reply_markup=keyboard)
    edited = await bot.edit_message_reply_markup(CHAT, photo.message_id)
    assert edited.reply_markup is None and edited.photo
    with pytest.raises(BadRequest, match="(?i)there is no text in the message to edit"):
        await bot.edit_message_text("x", chat_id=CHAT, message_id=photo.message_id)


async def test_above_the_free_limit_without_the_flag_answers_429(telegram_api, bot):
    telegram_api.set_limits(global_per_second=5, per_chat_per_second=1, per_group_per_minute=20)
    for chat in range(1, 4):
        await bot.send_message(chat, "Thông báo")
    await bot.send_photo(4, PHOTO_URL)  # photos count towards the same limit
    await bot.send_message(5, "Thông báo")
    with pytest.raises(RetryAfter) as error:
        await bot.send_message(6, "Thông báo")
    assert retry_after_of(error.value) == 1
    last = telegram_api.calls[-1]
    assert last.status == 429 and "retry after 1" in last.description
    assert telegram_api.stats.rate_limited == 1 and telegram_api.stats.paid == 0


async def test_with_the_flag_a_burst_passes_up_to_the_paid_limit(telegram_api, bot):
    telegram_api.set_limits(global_per_second=5, per_chat_per_second=1, per_group_per_minute=20, paid_per_second=8)
    for chat in range(1, 8):
        await bot.send_message(chat, "Thông báo", allow_paid_broadcast=True)
    await bot.send_photo(8, PHOTO_URL, allow_paid_broadcast=True)
    with pytest.raises(RetryAfter):
        await bot.send_message(9, "Thông báo", allow_paid_broadcast=True)  # the ninth in a second: over 8
    with pytest.raises(RetryAfter):
        await bot.send_message(10, "Thông báo")  # paid messages fill the free window too
    with pytest.raises(RetryAfter):
        await bot.send_message(1, "Lần hai", allow_paid_broadcast=True)  # the per-chat limit still applies
    stats = telegram_api.stats
    assert (stats.delivered, stats.paid, stats.rate_limited) == (8, 8, 3)


async def test_the_flag_is_parsed_from_json_and_from_forms(telegram_api):
    telegram_api.set_limits(global_per_second=1, per_chat_per_second=None, per_group_per_minute=None)
    url = f"{telegram_api.base_url}{telegram_api.token}/sendMessage"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"chat_id": 1, "text": "a", "allow_paid_broadcast": True}) as response:
            assert response.status == 200
        async with session.post(url, data={"chat_id": "2", "text": "b", "allow_paid_broadcast": "true"}) as response:
            assert response.status == 200
        async with session.post(url, data={"chat_id": "3", "text": "c", "allow_paid_broadcast": "false"}) as response:
            assert response.status == 429
        async with session.post(url, json={"chat_id": 4, "text": "d"}) as response:
            body = await response.json()
    assert body["error_code"] == 429 and body["parameters"]["retry_after"] == 1
    assert telegram_api.stats.paid == 2


async def test_old_high_free_limit_still_applies_without_the_flag(telegram_api, bot):
    # Callers that simulate a high-rate bot set only global_per_second; it stays the limit, above the paid one.
    telegram_api.set_limits(global_per_second=12, per_chat_per_second=1, per_group_per_minute=20, paid_per_second=3)
    for chat in range(1, 13):
        await bot.send_message(chat, "x", allow_paid_broadcast=chat % 2 == 0)
    with pytest.raises(RetryAfter):
        await bot.send_message(13, "x")
    assert telegram_api.stats.paid == 6


async def test_the_flag_is_refused_when_the_bot_may_not_pay(telegram_api, bot):
    telegram_api.set_limits(paid_per_second=None)
    with pytest.raises(BadRequest, match="(?i)paid broadcasts are not allowed for the bot"):
        await bot.send_message(CHAT, "x", allow_paid_broadcast=True)
    with pytest.raises(BadRequest, match="(?i)paid broadcasts are not allowed"):
        await bot.send_photo(CHAT, PHOTO_URL, allow_paid_broadcast=True)
    await bot.send_message(CHAT, "without the flag", allow_paid_broadcast=False)
    stats = telegram_api.stats
    assert (stats.delivered, stats.failed, stats.paid) == (1, 2, 0)
