"""The fast tier: talking to a person, both sides, on in-memory fakes."""

from __future__ import annotations

import pytest

from handlers import texts
from handlers.callbacks import RequestClose, RequestView, pack
from handlers.handoff import parse_reference
from handlers.statuses import HandoffAuthor, HandoffStatus
from tests.harness import STAFF_CHAT, build_bot


@pytest.fixture
def bot(engine):
    return build_bot(engine)


def staff_chat(bot) -> list[str]:
    return [r.text for r in bot.messenger.to(*STAFF_CHAT)]


async def test_a_two_way_conversation_with_staff_and_a_close(bot):
    lan = bot.talk()
    opened = await lan.say("/gapcanbo Công ty Hải Long cần tư vấn ISO 22000, sđt 0988123456")
    request = bot.handoffs.requests[1]
    assert opened[0].text == texts.HANDOFF_OPENED.format(ref=request.reference)
    assert texts.HANDOFF_END in [b.label for b in opened[0].flat_buttons()]
    assert "Công ty Hải Long cần tư vấn ISO 22000" in staff_chat(bot)[0]  # not "Câu hỏi gần nhất: —"
    staff = bot.talk(STAFF_CHAT[1], user_id="900", name="Hà")  # in the staff group
    for n in range(3):
        # The user's messages go to staff, not to the search engine.
        said = await lan.say(f"tin nhắn {n} của Lan")
        assert not any(r.source for r in said)
        assert staff_chat(bot)[-1].endswith(f"tin nhắn {n} của Lan")
        # Staff answer by replying to the forwarded message in the staff chat.
        thread = bot.messenger.last_id(*STAFF_CHAT)
        sent = await staff.say(f"trả lời {n} của cán bộ", reply_to=thread)
        assert sent[0].text == texts.STAFF_REPLY_SENT.format(name="Lan", ref=request.reference)
        assert lan.pushed()[-1].text.endswith(f"trả lời {n} của cán bộ")
    transcript = await bot.handoffs.transcript(request.id)
    assert [m.author for m in transcript] == [HandoffAuthor.USER] + [HandoffAuthor.USER, HandoffAuthor.STAFF] * 3
    assert bot.handoffs.requests[request.id].status is HandoffStatus.TAKEN  # the first answer took it
    closed = await staff.say(f"/ketthuc {request.reference} đã hẹn gọi lại")
    assert closed[0].text == texts.STAFF_CLOSED.format(ref=request.reference)
    assert "đã hẹn gọi lại" in lan.pushed()[-1].text
    assert (await lan.say("5s la gi"))[0].source  # back to the bot


async def test_a_request_opened_without_text_takes_the_next_message(bot):
    lan = bot.talk()
    [asked] = await lan.say("/gapcanbo")
    assert asked.text.startswith("Bạn đang trò chuyện với cán bộ")
    assert "(người dùng đang nhập)" in staff_chat(bot)[0]
    [ack] = await lan.say("Cần hỗ trợ 5S cho xưởng may")
    assert ack.text == texts.HANDOFF_FORWARDED
    assert await lan.say("xưởng 40 công nhân") == []  # one acknowledgement per turn
    assert staff_chat(bot)[-1].endswith("xưởng 40 công nhân")


async def test_pressing_talk_to_staff_again_reuses_the_open_request(bot):
    lan = bot.talk()
    await lan.say("vay vốn ngân hàng thế nào")
    for _ in range(5):
        await lan.press_data("h")
    assert len(bot.handoffs.requests) == 1 and len(staff_chat(bot)) == 1
    assert "vay vốn ngân hàng thế nào" in staff_chat(bot)[0]  # the last question, when nothing was typed
    assert lan.replies[-1].text.startswith("Bạn đang trò chuyện với cán bộ (yêu cầu")


async def test_staff_are_told_the_truth_when_a_reply_does_not_arrive(bot):
    lan = bot.talk()
    await lan.say("/gapcanbo cần tư vấn")
    ref = bot.handoffs.requests[1].reference
    bot.messenger.blocked.add(("telegram", "111"))
    staff = bot.talk("900")
    [told] = await staff.say(f"/traloi {ref} Chào anh")
    assert told.text == texts.STAFF_REPLY_BLOCKED.format(ref=ref)
    assert bot.handoffs.requests[1].status is HandoffStatus.OPEN
    assert [m.author for m in await bot.handoffs.transcript(1)] == [HandoffAuthor.USER]


async def test_two_users_at_once_each_get_their_own_answers(bot):
    lan, binh = bot.talk("111", name="Lan"), bot.talk("222", name="Bình")
    await lan.say("/gapcanbo hỏi về OCOP")
    await binh.say("/gapcanbo hỏi về ISO")
    staff = bot.talk("900")
    lan_ref, binh_ref = bot.handoffs.requests[1].reference, bot.handoffs.requests[2].reference
    await staff.say(f"/traloi {binh_ref} cho Bình")
    await staff.say(f"/traloi {lan_ref} cho Lan")
    assert [r.text.split("\n")[-1] for r in lan.pushed()] == ["cho Lan"]
    assert [r.text.split("\n")[-1] for r in binh.pushed()] == ["cho Bình"]
    await binh.say("cảm ơn anh")
    assert staff_chat(bot)[-1].startswith(f"💬 #{binh_ref} · Bình")


async def test_after_erasure_a_reply_never_reaches_the_next_user(bot):
    lan = bot.talk("111", name="Phong")
    await lan.say("/gapcanbo cần tư vấn")
    old = bot.handoffs.requests[1]
    old_copy = bot.messenger.last_id(*STAFF_CHAT)
    await lan.say("/xoadulieu")
    await lan.press(texts.DELETE_YES)
    assert staff_chat(bot)[-1] == texts.STAFF_USER_ERASED.format(ref=old.reference)
    stranger = bot.talk("222", name="Mai")
    await stranger.say("/gapcanbo chào")
    assert bot.handoffs.requests.keys() == {2}
    staff = bot.talk("900")
    for attempt in (f"/traloi {old.id} Chào anh Phong, em gọi số 0912", f"/traloi {old.reference} Chào anh"):
        assert (await staff.say(attempt))[0].text.startswith("Không tìm thấy yêu cầu")
    in_group = bot.talk(STAFF_CHAT[1], user_id="900")
    [told] = await in_group.say("Chào anh Phong", reply_to=old_copy)
    assert told.text == texts.STAFF_NO_THREAD
    assert stranger.pushed() == [] and lan.pushed() == []
    assert (await staff.say("/traloi 2-WRONG Chào"))[0].text.startswith("Không tìm thấy")


async def test_staff_list_read_take_and_close_and_others_cannot(bot):
    lan = bot.talk()
    await lan.say("/gapcanbo cần tư vấn ISO 9001")
    request = bot.handoffs.requests[1]
    staff = bot.talk("900", name="Hà")
    [listing] = await staff.say("/yeucau")
    assert request.reference in listing.text and "đang chờ" in listing.text
    [transcript] = await staff.press_data(pack(RequestView(request.id)))
    assert "cần tư vấn ISO 9001" in transcript.text
    [taken] = await staff.press(texts.STAFF_TAKE)
    assert taken.text.startswith("Bạn đã nhận yêu cầu")
    assert "Hà" in lan.pushed()[-1].text
    stranger = bot.talk("333")
    for forged in (pack(RequestView(1)), pack(RequestClose(1))):
        assert (await stranger.press_data(forged))[0].text == texts.STAFF_ONLY
    for command in ("/yeucau", "/traloi 1 hi", "/nhan 1", "/xemyeucau 1"):
        assert (await stranger.say(command))[0].text == texts.STAFF_ONLY
    await staff.press(texts.STAFF_CLOSE)
    assert bot.handoffs.requests[1].status is HandoffStatus.CLOSED
    assert (await staff.say("/yeucau"))[0].text == texts.STAFF_NO_REQUESTS


async def test_the_user_ends_the_conversation(bot):
    lan = bot.talk()
    await lan.say("/gapcanbo cần tư vấn")
    [ended] = await lan.press(texts.HANDOFF_END)
    assert ended.text.startswith("Đã kết thúc trò chuyện với cán bộ")
    assert staff_chat(bot)[-1].endswith("người dùng đã kết thúc cuộc trò chuyện.")
    assert (await lan.say("/ketthuc"))[0].text == texts.HANDOFF_NOTHING_TO_END
    assert (await lan.say("5s la gi"))[0].source


async def test_without_a_staff_chat_the_request_is_kept_and_the_user_given_contacts(engine):
    bot = build_bot(engine, staff_chat=None)
    lan = bot.talk()
    [reply] = await lan.say("/gapcanbo cần tư vấn")
    assert reply.text.startswith("Hiện chưa có cán bộ trực tuyến") and "(liên hệ)" in reply.text
    assert (await lan.say("5s la gi"))[0].source  # not stuck in staff mode with nobody there
    [again] = await lan.say("/gapcanbo thêm: cần gấp")  # the same request, the same honest answer
    assert again.text == reply.text
    assert len(bot.handoffs.requests) == 1
    assert [m.text for m in await bot.handoffs.transcript(1)] == ["cần tư vấn", "thêm: cần gấp"]


async def test_without_a_staff_chat_an_answer_from_the_web_console_opens_the_conversation(engine):
    bot = build_bot(engine, staff_chat=None)
    lan = bot.talk()
    await lan.say("/gapcanbo cần tư vấn ISO")
    request = await bot.handoffs.get(1)
    assert request is not None
    sent = await bot.conversation.handoff.answer(request, "web:ha@so.vn", "Hà", "Chào anh, anh cần ISO nào?")
    assert sent is not None and sent.ok
    # The user's answer is kept on the request for the console, and they are told it went to staff.
    [ack] = await lan.say("ISO 9001 ạ")
    assert ack.text == texts.HANDOFF_FORWARDED
    assert [m.text for m in await bot.handoffs.transcript(1)][-1] == "ISO 9001 ạ"


@pytest.mark.parametrize(
    ("word", "parsed"),
    [
        ("12-K7QF", (12, "K7QF")),
        ("#12-k7qf", (12, "K7QF")),
        ("12", (12, None)),
        ("①", None),
        ("-3", None),
        ("", None),
        ("99999999999", None),
    ],
)
def test_request_references_are_parsed_strictly(word, parsed):
    assert parse_reference(word) == parsed
