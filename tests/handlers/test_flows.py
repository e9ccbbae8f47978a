"""The fast tier: every conversation flow on in-memory fakes, no database and no platform (milliseconds each)."""

from __future__ import annotations

import pytest

from handlers import texts
from handlers.callbacks import CampaignView, WriteComment, pack
from handlers.statuses import ChatEvent, HandoffStatus, SubscriberStatus
from handlers.types import Incoming
from tests.harness import STAFF_CHAT, build_bot


@pytest.fixture
def bot(engine):
    return build_bot(engine)


async def test_start_menu_topic_and_answer(bot):
    lan = bot.talk()
    welcome = (await lan.say("/start"))[0]
    assert "Lan" in welcome.text and any(b.label == texts.SUBSCRIBE_OFFER for b in welcome.flat_buttons())
    topic = (await lan.press("OCOP"))[0]
    assert topic.text.startswith("OCOP")
    first_question = next(b for b in topic.flat_buttons() if b.data.startswith("e:"))
    answer = (await lan.press_data(first_question.data))[0]
    assert answer.source and {texts.FEEDBACK_UP, texts.FEEDBACK_DOWN} <= {b.label for b in answer.flat_buttons()}


async def test_question_answered_clarified_or_fallen_back(bot):
    lan = bot.talk()
    answered = (await lan.say("5s la gi"))[0]
    assert answered.source and "5S" in answered.text
    fallback = (await lan.say("giá vàng hôm nay bao nhiêu"))[0]
    assert texts.TALK_TO_HUMAN in [b.label for b in fallback.flat_buttons()]
    assert any(u.text == "giá vàng hôm nay bao nhiêu" for u in bot.people.unanswered.values())
    empty = (await lan.say("???"))[0]
    assert empty.text == texts.EMPTY_QUESTION


async def test_clarify_choice_opens_the_chosen_entry(bot, engine):
    question = next(q for q in ("iso", "tieu chuan", "ho tro") if engine.search(q).status == "clarify")
    lan = bot.talk()
    clarify = (await lan.say(question))[0]
    assert clarify.text == texts.CLARIFY
    choices = [b for b in clarify.flat_buttons() if b.data.startswith("e:")]
    assert len({b.data for b in choices}) == len(choices) >= 2
    chosen = (await lan.press_data(choices[1].data))[0]
    assert chosen.source and chosen.text == bot.conversation.answer_reply(choices[1].data[2:]).text
    none = (await lan.press(texts.NONE_OF_THESE))[0]
    assert "(liên hệ)" in none.text


async def test_handoff_reaches_staff_and_staff_reply_reaches_the_user(bot):
    lan = bot.talk()
    await lan.say("vay vốn ngân hàng thế nào")
    opened = await lan.say("/gapcanbo")
    to_staff = [r for r in opened if r.channel is not None]
    assert [(r.channel, r.chat_id) for r in to_staff] == [STAFF_CHAT]
    assert "vay vốn ngân hàng thế nào" in to_staff[0].text
    request_id = next(iter(bot.people.handoffs))
    staff = bot.talk("900", name="Cán bộ Hà")
    answer = await staff.say(f"/reply {request_id} Chào chị, em gọi lại ngay ạ")
    assert answer[0].channel == "telegram" and answer[0].chat_id == "111" and "em gọi lại" in answer[0].text
    assert answer[1].text == texts.REPLY_SENT.format(id=request_id)
    assert bot.people.handoffs[request_id].status is HandoffStatus.ANSWERED
    stranger = bot.talk("222")
    assert (await stranger.say(f"/reply {request_id} hi"))[0].text == texts.STAFF_ONLY


async def test_subscribe_unsubscribe_and_show_data(bot):
    lan = bot.talk()
    await lan.say("/dangky")
    done = (await lan.press("OCOP"))[0]
    assert done.text.startswith("Đã đăng ký") and "OCOP" in done.text
    person = bot.people.people[("telegram", "111")]
    assert person.status is SubscriberStatus.ACTIVE and person.topics == ("ocop-tccs",)
    shown = (await lan.say("/dulieucuatoi"))[0]
    assert "Lan" in shown.text and "OCOP" in shown.text
    assert (await lan.say("/huydangky"))[0].text == texts.UNSUBSCRIBED
    assert (await lan.say("/huydangky"))[0].text == texts.NOT_SUBSCRIBED


async def test_erase_forgets_the_person_and_their_conversation_state(bot):
    lan = bot.talk()
    answer = (await lan.say("5s la gi"))[0]
    await lan.press_data(next(b.data for b in answer.flat_buttons() if b.label == texts.FEEDBACK_DOWN))
    await lan.press(texts.FEEDBACK_WRITE)  # a pending comment sits in the state store
    assert await bot.state.get("comment:telegram:111") is not None
    await lan.say("/xoadulieu")
    assert (await lan.press(texts.DELETE_YES))[0].text == texts.DELETED
    assert await bot.people.person_data("telegram", "111") == await bot.people.person_data("telegram", "none")
    assert await bot.state.get("comment:telegram:111") is None
    assert (await lan.say("/dulieucuatoi"))[0].text == texts.NO_DATA


async def test_feedback_and_comment(bot):
    lan = bot.talk()
    answer = (await lan.say("kaizen la gi"))[0]
    assert (await lan.press_data(next(b.data for b in answer.flat_buttons() if b.label == texts.FEEDBACK_UP)))[
        0
    ].text == texts.FEEDBACK_THANKS
    await lan.press_data(next(b.data for b in answer.flat_buttons() if b.label == texts.FEEDBACK_DOWN))
    await lan.press(texts.FEEDBACK_WRITE)
    saved = (await lan.say("Thiếu ví dụ cho xưởng nhỏ"))[0]
    assert saved.text == texts.FEEDBACK_COMMENT_SAVED
    comments = [f.comment for _c, _i, f in bot.people.feedback.values()]
    assert "Thiếu ví dụ cho xưởng nhỏ" in comments
    # The comment window closes: the next text is a question again.
    assert (await lan.say("5s la gi"))[0].source


async def test_comment_window_expires(bot):
    lan = bot.talk()
    answer = (await lan.say("kaizen la gi"))[0]
    await lan.press_data(next(b.data for b in answer.flat_buttons() if b.label == texts.FEEDBACK_DOWN))
    await lan.press(texts.FEEDBACK_WRITE)
    bot.clock.advance(601)
    assert (await lan.say("5s la gi"))[0].source  # searched, not taken as a late comment


async def test_campaign_draft_from_text_to_confirmation(bot):
    staff = bot.talk("900", name="Hà")
    assert (await staff.say("/chiendich"))[0].text == texts.CAMPAIGN_ASK_TEXT
    audience = (await staff.say("Lớp 5S ngày 5/12 cho {name}"))[0]
    assert audience.text == texts.CAMPAIGN_ASK_AUDIENCE and "(3)" in audience.flat_buttons()[0].label
    await staff.press("Tất cả")
    assert (await staff.say("bây giờ nhé"))[0].text.startswith("Chưa tạo được")  # the desk refuses the time
    preview = await staff.press(texts.CAMPAIGN_NOW)
    assert preview[1].text == "Lớp 5S ngày 5/12 cho Hà"
    created = (await staff.press(texts.CAMPAIGN_CONFIRM))[0]
    assert created.text == texts.CAMPAIGN_CREATED.format(id=1)
    assert bot.desk.campaigns[1].audience == "all" and bot.desk.campaigns[1].created_by == "telegram:900"
    status = (await staff.press(texts.CAMPAIGN_PROGRESS))[0]
    assert status.edit and "Chiến dịch #1" in status.text
    cancelled = (await staff.press(texts.CAMPAIGN_CANCEL))[0]
    assert "cancelled" in cancelled.text
    listing = (await staff.say("/campaigns"))[0]
    assert listing.text.startswith("#1 (cancelled)")
    # After confirming, the draft is gone: text is a question again.
    assert (await staff.say("5s la gi"))[0].source


async def test_campaigns_are_for_staff_only(bot):
    lan = bot.talk()
    assert (await lan.say("/chiendich"))[0].text == texts.STAFF_ONLY
    assert (await lan.press_data(pack(CampaignView(1))))[0].text == texts.STAFF_ONLY


async def test_old_forged_and_malformed_buttons_get_the_old_message_note(bot):
    lan = bot.talk()
    for data in ("e:no-such-entry", "t:no-topic", "zz:1", "c:abc", "c:①", "f:?:5s-la-gi", "d:maybe", "", "s:nope"):
        reply = (await lan.press_data(data))[0]
        assert reply.text == texts.STALE_BUTTON, data


async def test_flood_guard_warns_once_then_lets_the_user_back(bot):
    lan = bot.talk()
    for _ in range(20):
        assert (await lan.say("5s la gi"))[0].source
    slowed = await lan.say("5s la gi")
    assert slowed[0].text.startswith(texts.FLOOD.split("{")[0][:20])
    assert await lan.say("5s la gi") == []  # warned once per burst
    other = bot.talk("333")
    assert (await other.say("5s la gi"))[0].source  # nobody else is slowed
    bot.clock.advance(61)
    assert (await lan.say("5s la gi"))[0].source


async def test_blocking_and_unblocking_reach_the_core_as_events(bot):
    lan = bot.talk()
    await lan.say("/dangky")
    await lan.press(texts.SUBSCRIBE_ALL)
    conversation = bot.conversation
    assert await conversation.handle(Incoming("telegram", "111", "111", event=ChatEvent.BLOCKED)) == []
    assert bot.people.people[("telegram", "111")].status is SubscriberStatus.BLOCKED
    await conversation.handle(Incoming("telegram", "111", "111", event=ChatEvent.UNBLOCKED))
    assert bot.people.people[("telegram", "111")].status is SubscriberStatus.ACTIVE


async def test_unknown_command_and_a_comment_button_of_someone_else(bot):
    lan = bot.talk()
    assert (await lan.say("/khongco"))[0].text == texts.UNKNOWN_COMMAND.format(command="/khongco")
    assert (await lan.press_data(pack(WriteComment(12345))))[0].text == texts.FEEDBACK_ASK_COMMENT


async def test_a_short_follow_up_leans_on_the_previous_answer(bot):
    lan = bot.talk()
    first = (await lan.say("iso 9001 la gi"))[0]
    assert first.source

    def about_iso_cost(reply) -> bool:
        first = next((b.data for b in reply.flat_buttons() if b.data.startswith("e:")), "")
        answered = reply.text == bot.conversation.answer_reply("iso9001-chi-phi").text
        return answered or (reply.text == texts.CLARIFY and first == "e:iso9001-chi-phi")

    assert about_iso_cost((await lan.say("còn chi phí thì sao?"))[0])
    # Without the earlier answer the same words are not about ISO 9001.
    stranger = bot.talk("444")
    assert not about_iso_cost((await stranger.say("còn chi phí thì sao?"))[0])
    # The context expires.
    await lan.say("iso 9001 la gi")
    bot.clock.advance(601)
    assert not about_iso_cost((await lan.say("còn chi phí thì sao?"))[0])


async def test_the_entry_picked_after_a_question_back_is_recorded_for_review(bot):
    lan = bot.talk()
    clarify = (await lan.say("iso"))[0]
    assert clarify.text == texts.CLARIFY
    picked = next(b for b in clarify.flat_buttons() if b.data.startswith("e:"))
    await lan.press_data(picked.data)
    assert bot.people.choices == [("iso", "iso", picked.data[2:])]
    await lan.press_data(picked.data)  # a second press is not a second pick
    assert len(bot.people.choices) == 1
