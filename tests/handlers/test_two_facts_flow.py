"""A message asking two things, through the conversation: one reply carrying both answers."""

from __future__ import annotations

import pytest

from handlers import texts
from handlers.callbacks import ShowDetail, pack
from knowledge.answer_parts import split_answer
from tests.harness import build_bot

# The two facts, as the fast tier's lexical engine reads them surely (tests/knowledge/test_two_facts.py).
PRODUCTS = "Quảng Ninh có bao nhiêu sản phẩm chủ lực và bao nhiêu sản phẩm được truy xuất nguồn gốc?"
FIRST, SECOND = "kh273-san-pham-chu-luc", "kh273-truy-xuat-250"


@pytest.fixture
def bot(engine):
    return build_bot(engine)


async def test_one_reply_carries_both_answers_in_the_order_asked(bot, engine):
    lan = bot.talk()
    replies = await lan.say(PRODUCTS)
    assert len(replies) == 1
    reply = replies[0]
    first, second = engine.kb.get(FIRST), engine.kb.get(SECOND)
    assert reply.text.startswith(texts.TWO_ANSWERS_INTRO)
    for e in (first, second):
        assert texts.TWO_ANSWERS_HEADING.format(label=e.button_label) in reply.text
        assert split_answer(e.answer).short in reply.text
    assert reply.text.index(first.button_label) < reply.text.index(second.button_label)
    assert reply.source and first.source in reply.source
    # Each entry's detail is one choice away; neither answered entry is offered again as a next question.
    details = {b.data for b in reply.flat_buttons() if b.label.startswith(texts.SHOW_DETAIL)}
    assert details == {pack(ShowDetail(FIRST)), pack(ShowDetail(SECOND))}
    offered = {b.label for b in reply.flat_buttons()} - {b.label for b in reply.flat_buttons() if b.data in details}
    assert not offered & {first.button_label, second.button_label}
    # Both count as answered, for the admins' "most asked" figures.
    assert bot.people.answered == {FIRST: 1, SECOND: 1}


async def test_the_second_answers_detail_opens_from_its_choice(bot, engine):
    lan = bot.talk(channel="zalo")
    await lan.say(PRODUCTS)
    label = texts.SHOW_DETAIL_OF.format(label=engine.kb.get(SECOND).button_label)
    detail = (await lan.press_data(lan.button(label)))[0]
    assert detail.text == split_answer(engine.kb.get(SECOND).answer).detail


async def test_a_follow_up_leans_on_the_first_answer(bot):
    lan = bot.talk()
    await lan.say(PRODUCTS)
    assert (await bot.state.get(f"context:{lan.channel}:{lan.chat_id}")) == {"entry_id": FIRST}


async def test_a_single_fact_with_a_conjunction_is_one_answer(bot):
    reply = (await bot.talk().say("Năng suất và chất lượng là gì?"))[0]
    assert texts.TWO_ANSWERS_INTRO not in reply.text
