"""Answers on a phone: short part first, detail folded or offered, contacts as one block, no 👍/👎 on small talk."""

from __future__ import annotations

import pytest

from handlers import texts
from handlers.callbacks import ShowDetail, pack
from handlers.views import ContactDetails
from knowledge.search import SearchEngine
from tests.harness import build_bot
from tests.kb_builders import entry, kb_of

SHORT = "Chứng chỉ ISO 9001 do tổ chức chứng nhận cấp, không phải cơ quan nhà nước."
DETAIL = "Chi tiết:\n- Đánh giá chứng nhận.\n- Đánh giá giám sát."
UNSET = ContactDetails("Sở Thử nghiệm")


def engine_of(*entries):
    return SearchEngine(kb_of(*entries))


ISO = entry(
    "iso-cap",
    "Ai cấp chứng chỉ ISO 9001 cho doanh nghiệp vậy?",
    f"{SHORT}\n\n{DETAIL}",
    label="Ai cấp chứng chỉ ISO 9001?",
    related=["lien-he"],
)
CONTACT = entry("lien-he", "Liên hệ ở đâu", "Đầu mối hỗ trợ là Sở Thử nghiệm.\n\n{contact}", label="Liên hệ")
HELLO = entry("chao", "Xin chào", "Xin chào! Tôi là Trợ lý Năng suất.", tags=["small-talk"])


@pytest.fixture
def bot():
    return build_bot(engine_of(ISO, CONTACT, HELLO), contact=UNSET)


async def test_answer_shows_the_short_part_and_carries_the_detail(bot):
    reply = bot.conversation.answers.answer_reply("iso-cap")
    assert reply.text == SHORT and reply.detail == DETAIL
    assert reply.detail_button is not None and reply.detail_button.data == pack(ShowDetail("iso-cap"))
    # The related entry is offered by its short label, not its long question.
    assert reply.buttons[0][0].label == "Liên hệ"


async def test_xem_chi_tiet_shows_the_detail_with_the_same_choices(bot):
    lan = bot.talk(channel="zalo")
    detail = (await lan.press_data(pack(ShowDetail("iso-cap"))))[0]
    assert detail.text == DETAIL and detail.detail == ""
    assert {texts.FEEDBACK_UP, texts.FEEDBACK_DOWN} <= {b.label for b in detail.flat_buttons()}


async def test_detail_of_a_retired_entry_is_the_old_message_note(bot):
    lan = bot.talk()
    old = (await lan.press_data(pack(ShowDetail("khong-con"))))[0]
    assert old.text == texts.STALE_BUTTON


async def test_text_only_channels_get_the_detail_as_the_first_choice(bot):
    unfolded = bot.conversation.answers.answer_reply("iso-cap").with_detail_choice()
    assert unfolded.detail == "" and unfolded.buttons[0][0].label == texts.SHOW_DETAIL


async def test_unset_contacts_read_as_being_updated_and_offer_staff(bot):
    reply = bot.conversation.answers.answer_reply("lien-he")
    assert reply.text.startswith("Đầu mối hỗ trợ là Sở Thử nghiệm.\n\n")
    assert reply.text.endswith(texts.CONTACT_UPDATING.format(org="Sở Thử nghiệm"))
    assert reply.flat_buttons()[0].label == texts.TALK_TO_HUMAN
    fallback = (await bot.talk().say("giá vàng hôm nay bao nhiêu"))[0]
    for shown in (reply.text, fallback.text):
        assert ".env" not in shown and "SUPPORT_CONTACT" not in shown and "đang được cập nhật" in shown


async def test_set_contacts_are_one_block_at_the_end():
    details = ContactDetails("Sở Thử nghiệm", phone="0200 000 000", email="hotro@example.vn")
    bot = build_bot(engine_of(ISO, CONTACT, HELLO), contact=details)
    text = bot.conversation.answers.answer_reply("lien-he").text
    assert text.endswith(
        "Liên hệ trực tiếp:\n- Đơn vị: Sở Thử nghiệm\n- Điện thoại: 0200 000 000\n- Email: hotro@example.vn"
    )
    assert "Địa chỉ" not in text  # an unset line is left out, not filled with a placeholder


async def test_small_talk_has_no_feedback_and_no_source(bot):
    reply = bot.conversation.answers.answer_reply("chao")
    assert reply.source is None
    assert not {texts.FEEDBACK_UP, texts.FEEDBACK_DOWN} & {b.label for b in reply.flat_buttons()}
    assert bot.conversation.answers.answer_reply("iso-cap").source == "Nguồn thử nghiệm"


async def test_a_live_copy_from_before_the_rules_still_fills_an_inline_contact():
    old = entry("cu", "Hỏi cũ", "Bạn hãy liên hệ {contact}. Cán bộ sẽ hướng dẫn.", label="Hỏi cũ")
    bot = build_bot(engine_of(old), contact=UNSET)
    text = bot.conversation.answers.answer_reply("cu").text
    assert "{contact}" not in text and text.startswith("Bạn hãy liên hệ:\nThông tin liên hệ của Sở Thử nghiệm")
