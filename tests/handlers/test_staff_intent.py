"""Typing "gặp cán bộ" opens a request as /gapcanbo does, and staff see the question asked before it."""

from __future__ import annotations

import pytest

from handlers import texts
from handlers.staff_intent import staff_wish
from handlers.types import Incoming
from tests.harness import STAFF_CHAT, build_bot


@pytest.mark.parametrize(
    "typed",
    [
        "Gặp cán bộ",
        "gap can bo",
        "cho em gặp cán bộ tư vấn ạ",
        "Cho em gặp cán bộ được không?",
        "Gặp cán bộ!!!",
        "tôi muốn nói chuyện với người thật",
        "hỏi nhân viên",
    ],
)
def test_the_wish_alone_hands_over_the_question_asked_before(typed):
    assert staff_wish(typed) == ""


def test_words_staff_need_are_kept():
    assert staff_wish("cho em gặp cán bộ tư vấn ISO 22000") == "cho em gặp cán bộ tư vấn ISO 22000"


@pytest.mark.parametrize(
    "typed",
    [
        "gặp cán bộ ở đâu",
        "làm sao để gặp cán bộ",
        "số điện thoại cán bộ",
        "gặp cán bộ có mất phí không",
        "thủ tục gặp cán bộ",
        "gặp cán bộ lúc mấy giờ",
        "chương trình hỗ trợ cán bộ",
        "cán bộ là ai",
        "5S là gì",
    ],
)
def test_questions_about_staff_are_left_to_the_search(typed):
    assert staff_wish(typed) is None


@pytest.fixture
def bot(engine):
    return build_bot(engine)


async def test_typed_gap_can_bo_after_a_fallback_sends_staff_the_question(bot):
    lan = bot.talk()
    await lan.say("vay vốn ngân hàng thế nào")
    [asked] = await lan.say("gặp cán bộ")
    request = bot.handoffs.requests[1]
    assert asked.text == texts.HANDOFF_ASK.format(ref=request.reference)
    [notice] = [r.text for r in bot.messenger.to(*STAFF_CHAT)]
    assert "Nội dung: vay vốn ngân hàng thế nào\n" in notice  # not "gặp cán bộ"
    assert bot.people.people[("telegram", "111")].last_question == "vay vốn ngân hàng thế nào"
    said = await lan.say("xưởng em ở Vân Đồn")  # the next message goes to staff, not to the search
    assert not any(r.source for r in said)
    assert [r.text for r in bot.messenger.to(*STAFF_CHAT)][-1].endswith("xưởng em ở Vân Đồn")


async def test_a_question_about_meeting_staff_is_still_answered(bot):
    lan = bot.talk()
    await lan.say("gặp cán bộ ở đâu")
    assert not bot.handoffs.requests


async def test_in_a_group_the_words_are_a_question_not_a_request(bot):
    group = Incoming("telegram", "-500", "111", text="gặp cán bộ", user_name="Lan", private=False)
    await bot.conversation.handle(group)
    assert not bot.handoffs.requests
