"""A fallback still offers the closest questions when they likely hold the answer (the shipped hybrid engine):
the user reads "I don't know", picks one, and the pair goes to the admins' review like a pick after a clarify."""

from __future__ import annotations

import pytest

from handlers import texts
from tests.harness import build_bot


@pytest.fixture
def bot(hybrid_engine):
    return build_bot(hybrid_engine)


async def test_a_fallback_offers_the_closest_questions_and_a_pick_is_recorded(bot, hybrid_engine):
    question = "tôi bán hải sản khô muốn lên ocop"  # issue 11: a first-person question with a trade in it
    assert hybrid_engine.search(question).status == "fallback"
    lan = bot.talk()
    reply = (await lan.say(question))[0]
    assert reply.text.startswith("Xin lỗi, tôi chưa có câu trả lời chắc chắn")
    assert reply.text.endswith(texts.FALLBACK_LEADS)
    labels = [b.label for b in reply.flat_buttons()]
    leads = [b for b in reply.flat_buttons() if b.data.startswith("e:")]
    assert 1 <= len(leads) <= 3 and {"e:ocop-can-gi", "e:ocop-dang-ky"} <= {b.data for b in leads}
    assert labels.index(texts.TALK_TO_HUMAN) > labels.index(leads[-1].label)  # the choices first, then staff
    assert any(u.text == question for u in bot.people.unanswered.values())  # still logged as unanswered

    answer = (await lan.press_data("e:ocop-can-gi"))[0]
    assert answer.source
    normalized = hybrid_engine.search(question).analysis.plain
    assert bot.people.choices == [(("telegram", "111"), question, normalized, "ocop-can-gi")]


async def test_a_fallback_far_from_everything_offers_nothing(bot):
    reply = (await bot.talk().say("Kế hoạch 158/KH-UBND nói về gì?"))[0]  # no entry carries plan 158
    assert texts.FALLBACK_LEADS not in reply.text
    assert not [b for b in reply.flat_buttons() if b.data.startswith("e:")]
    assert texts.TALK_TO_HUMAN in [b.label for b in reply.flat_buttons()]
