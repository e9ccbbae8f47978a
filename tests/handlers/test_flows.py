"""The fast tier: every conversation flow on in-memory fakes, no database and no platform (milliseconds each)."""

from __future__ import annotations

import pytest

from handlers import texts
from handlers.callbacks import CampaignReport, CampaignView, Subscribe, Unsubscribe, WriteComment, pack
from handlers.statuses import ChatEvent, SubscriberStatus
from handlers.types import Incoming
from tests.harness import build_bot


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
    assert chosen.source and chosen.text == bot.conversation.answers.answer_reply(choices[1].data[2:]).text
    none = (await lan.press(texts.NONE_OF_THESE))[0]
    assert "(liên hệ)" in none.text


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
    await lan.say("Dạ công ty TNHH Hải Phong, sđt 0912345678 ạ, cho hỏi giá vàng")
    assert bot.people.unanswered  # logged, redacted
    answer = (await lan.say("5s la gi"))[0]
    await lan.press_data(next(b.data for b in answer.flat_buttons() if b.label == texts.FEEDBACK_DOWN))
    assert await bot.state.get("comment:telegram:111") is not None  # a pending comment sits in the state store
    await lan.say("/xoadulieu")
    assert (await lan.press(texts.DELETE_YES))[0].text == texts.DELETED
    assert await bot.people.person_data("telegram", "111") == await bot.people.person_data("telegram", "none")
    assert await bot.state.get("comment:telegram:111") is None
    assert not bot.people.unanswered  # the questions they produced went with them
    assert (await lan.say("/dulieucuatoi"))[0].text == texts.NO_DATA


async def test_unanswered_questions_are_logged_without_phone_email_tax_code_or_name(bot):
    lan = bot.talk()
    await lan.say("Dạ công ty TNHH Hải Phong, sđt 0912345678, email phong@haiphong.vn, MST 5701234567 hỏi giá vàng")
    [logged] = bot.people.unanswered.values()
    for secret in ("Hải Phong", "0912345678", "phong@haiphong.vn", "5701234567", "hai phong", "0912"):
        assert secret not in logged.text and secret not in logged.normalized, secret
    assert "[số điện thoại]" in logged.text and "giá vàng" in logged.text


async def test_one_vote_per_answer_changeable_and_the_buttons_change_in_place(bot):
    lan = bot.talk()
    answer = (await lan.say("kaizen la gi"))[0]
    up = next(b.data for b in answer.flat_buttons() if b.label == texts.FEEDBACK_UP)
    down = next(b.data for b in answer.flat_buttons() if b.label == texts.FEEDBACK_DOWN)
    [thanks] = await lan.press_data(up)
    assert thanks.edit and thanks.buttons_only and thanks.text == texts.FEEDBACK_THANKS
    assert texts.FEEDBACK_CHOSEN.format(mark=texts.FEEDBACK_UP) in [b.label for b in thanks.flat_buttons()]
    await lan.press_data(up)
    ticked_down, sorry = await lan.press_data(down)
    assert texts.FEEDBACK_CHOSEN.format(mark=texts.FEEDBACK_DOWN) in [b.label for b in ticked_down.flat_buttons()]
    assert sorry.text == texts.FEEDBACK_SORRY
    [(_c, _i, vote)] = bot.people.feedback.values()  # three presses, one vote: the last one
    assert vote.helpful is False
    # The next text after 👎 is the comment, with no extra tap.
    saved = (await lan.say("Thiếu ví dụ cho xưởng nhỏ"))[0]
    assert saved.text == texts.FEEDBACK_COMMENT_SAVED
    assert bot.people.comments() == ["Thiếu ví dụ cho xưởng nhỏ"]
    # The comment window closes: the next text is a question again.
    assert (await lan.say("5s la gi"))[0].source


async def test_skip_and_expiry_end_the_comment_window(bot):
    lan = bot.talk()
    answer = (await lan.say("kaizen la gi"))[0]
    await lan.press_data(next(b.data for b in answer.flat_buttons() if b.label == texts.FEEDBACK_DOWN))
    assert (await lan.press(texts.FEEDBACK_SKIP))[0].text == texts.FEEDBACK_SKIPPED
    assert (await lan.say("5s la gi"))[0].source
    await lan.press_data(next(b.data for b in answer.flat_buttons() if b.label == texts.FEEDBACK_DOWN))
    bot.clock.advance(601)
    assert (await lan.say("5s la gi"))[0].source  # searched, not taken as a late comment


async def test_campaign_draft_from_text_to_confirmation(bot):
    staff = bot.talk("900", name="Hà")
    assert (await staff.say("/chiendich"))[0].text == texts.CAMPAIGN_ASK_TEXT
    audience = (await staff.say("Lớp 5S ngày 5/12 cho {name}"))[0]
    assert audience.text == texts.CAMPAIGN_ASK_AUDIENCE and "(3)" in audience.flat_buttons()[0].label
    await staff.press("Tất cả")
    refused = (await staff.say("hôm qua lúc 25h"))[0].text
    assert refused.startswith("Chưa tạo được") and "cannot" not in refused  # in Vietnamese, with the forms
    intro, sample, summary = await staff.say("8h sáng 5/12/2099")
    assert intro.text == texts.CAMPAIGN_PREVIEW
    # The recipient's name filled in; on Telegram the way out is a button, so the text has no footer.
    assert sample.text == "Lớp 5S ngày 5/12 cho Hà"
    assert "Tất cả người đăng ký — 3 người" in summary.text
    assert "08:00 thứ bảy, 05/12/2099".lower() in summary.text.lower()
    labels = [b.label for b in summary.flat_buttons()]
    assert labels[:3] == [texts.CAMPAIGN_CONFIRM, texts.CAMPAIGN_TEST, texts.CAMPAIGN_ADD_IMAGE]
    note, test = await staff.press(texts.CAMPAIGN_TEST)
    assert note.text == texts.CAMPAIGN_TEST_SENT and test.text == "Lớp 5S ngày 5/12 cho Hà"
    assert [b.label for b in test.flat_buttons()] == [texts.OPT_OUT_BUTTON]
    assert (await staff.press(texts.CAMPAIGN_ADD_IMAGE))[0].text == texts.CAMPAIGN_ASK_IMAGE
    assert (await staff.say("ftp://anh.jpg"))[0].text.startswith("Chưa tạo được")
    _, with_image, summary = await staff.say("https://so.example.vn/5s.jpg")
    assert with_image.image == "https://so.example.vn/5s.jpg" and "Ảnh: https://so.example.vn/5s.jpg" in summary.text
    created = (await staff.press(texts.CAMPAIGN_CONFIRM))[0]
    assert created.text == texts.CAMPAIGN_CREATED.format(id=1)
    stored = bot.desk.campaigns[1]
    assert stored.audience == "all" and stored.created_by == "telegram:900" and stored.image.endswith("5s.jpg")
    status = (await staff.press(texts.CAMPAIGN_PROGRESS))[0]
    assert status.edit and "Chiến dịch #1 — đã lên lịch" in status.text and "- chờ gửi: 3" in status.text
    question = (await staff.press(texts.CAMPAIGN_CANCEL))[0]
    assert question.text.startswith("Hủy chiến dịch #1? 3 tin chưa gửi sẽ bị bỏ")
    assert bot.desk.campaigns[1].status == "scheduled"  # nothing happens before the confirmation
    cancelled = (await staff.press(texts.CAMPAIGN_CANCEL_YES))[0]
    assert cancelled.text == "Chiến dịch #1: đã hủy; 3 tin chưa gửi được bỏ"
    listing = (await staff.say("/campaigns"))[0]
    assert listing.text.startswith("#1 · đã hủy · đã gửi 0/0")
    report = (await staff.press_data(pack(CampaignReport(1))))[0]
    assert report.attachment is not None and report.attachment.filename.endswith(".xlsx")
    # After confirming, the draft is gone: text is a question again.
    assert (await staff.say("5s la gi"))[0].source


async def test_a_campaign_to_nobody_cannot_be_confirmed(engine):
    bot = build_bot(engine)
    bot.desk.audience_size = 0
    staff = bot.talk("900", name="Hà")
    await staff.say("/chiendich")
    await staff.say("Thông báo")
    await staff.press("Tất cả")
    *_, summary = await staff.press(texts.CAMPAIGN_NOW)
    assert texts.CAMPAIGN_NOBODY in summary.text
    assert texts.CAMPAIGN_CONFIRM not in [b.label for b in summary.flat_buttons()]


async def test_a_text_too_long_for_zalo_can_still_go_to_telegram_only(bot):
    staff = bot.talk("900", name="Hà")
    await staff.say("/chiendich")
    await staff.say("Tin dài. " * 250)  # 2,250 characters: fits Telegram, not Zalo
    refused = (await staff.press("Tất cả"))[0]
    assert "Zalo" in refused.text and "2.000" in refused.text and refused.flat_buttons()
    assert (await staff.press("Chỉ Telegram"))[0].text == texts.CAMPAIGN_ASK_TIME


async def test_campaign_messages_offer_a_way_out_that_unsubscribes_at_once(bot):
    lan = bot.talk()
    await lan.press_data(pack(Subscribe("*")))
    assert bot.people.people[("telegram", lan.chat_id)].status == SubscriberStatus.ACTIVE
    stopped = (await lan.press_data(pack(Unsubscribe())))[0]
    assert stopped.text == texts.UNSUBSCRIBED
    assert bot.people.people[("telegram", lan.chat_id)].status == SubscriberStatus.UNSUBSCRIBED
    zalo = bot.talk("zalo-1", channel="zalo")
    await zalo.press_data(pack(Subscribe("*")))
    for typed in ("HỦY NHẬN TIN", "huy nhan tin", "Huỷ nhận tin!"):
        assert (await zalo.say(typed))[0].text in (texts.UNSUBSCRIBED, texts.NOT_SUBSCRIBED)
    assert bot.people.people[("zalo", "zalo-1")].status == SubscriberStatus.UNSUBSCRIBED
    # A question that merely mentions the words is still a question.
    assert (await zalo.say("làm sao để hủy nhận tin của chương trình OCOP?"))[0].text != texts.UNSUBSCRIBED


async def test_campaigns_are_for_staff_only(bot):
    lan = bot.talk()
    assert (await lan.say("/chiendich"))[0].text == texts.STAFF_ONLY
    assert (await lan.press_data(pack(CampaignView(1))))[0].text == texts.STAFF_ONLY


async def test_old_forged_and_malformed_buttons_get_the_old_message_note(bot):
    lan = bot.talk()
    for data in ("e:no-such-entry", "t:no-topic", "zz:1", "c:abc", "c:①", "f:?:5s-la-gi", "d:maybe", "", "s:nope"):
        reply = (await lan.press_data(data))[0]
        assert reply.text == texts.STALE_BUTTON, data


async def test_flood_guard_queues_instead_of_dropping(bot):
    lan = bot.talk()
    started = bot.clock.now
    for _ in range(40):  # 40 messages in 10 s
        assert (await lan.say("5s la gi"))[0].source  # every one answered, in turn
        bot.clock.advance(0.25)
    notes = [r for r in lan.pushed() if r.text.startswith(texts.FLOOD.split("(")[0])]
    assert len(notes) == 1  # told once to slow down
    assert bot.clock.now - started >= 60  # the 21st waited until the first left the minute's window
    other = bot.talk("333")
    before = bot.clock.now
    assert (await other.say("5s la gi"))[0].source and bot.clock.now == before  # nobody else waits


async def test_flood_guard_drops_only_a_script_far_behind_and_exempts_staff(engine):
    bot = build_bot(engine, flood_limit=2)
    guard = bot.conversation.flood
    # A script sending 30 at once (nothing waited yet): 2 a minute, at most 5 minutes behind.
    verdicts = [await guard.check("telegram", "111") for _ in range(30)]
    assert [v.dropped for v in verdicts] == [False] * 12 + [True] * 18
    assert [v.warn for v in verdicts if v.dropped].count(True) == 1
    assert verdicts[11].delay == 300 and [v.warn for v in verdicts[:12]].count(True) == 1
    staff = bot.talk("900")
    before = bot.clock.now
    for _ in range(10):
        assert (await staff.say("5s la gi"))[0].source
    assert bot.clock.now == before


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
    assert (await lan.press_data(pack(WriteComment(12345))))[0].text == texts.STALE_BUTTON
    # Bob's 👎 row, named by a forged old-style button from Lan's chat, stays Bob's.
    bob = bot.talk("222", name="Bob")
    answer = (await bob.say("5s la gi"))[0]
    await bob.press_data(next(b.data for b in answer.flat_buttons() if b.label == texts.FEEDBACK_DOWN))
    [bob_vote] = bot.people.feedback
    assert (await lan.press_data(pack(WriteComment(bob_vote))))[0].text == texts.STALE_BUTTON
    await lan.say("ghi đè góp ý của Bob")
    assert bot.people.comments() == []
    assert (await bob.press_data(pack(WriteComment(bob_vote))))[0].text == texts.FEEDBACK_ASK_COMMENT


async def test_a_short_follow_up_leans_on_the_previous_answer(bot):
    lan = bot.talk()
    first = (await lan.say("iso 9001 la gi"))[0]
    assert first.source

    def about_iso_cost(reply) -> bool:
        first = next((b.data for b in reply.flat_buttons() if b.data.startswith("e:")), "")
        answered = reply.text == bot.conversation.answers.answer_reply("iso9001-chi-phi").text
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
    assert bot.people.choices == [(("telegram", "111"), "iso", "iso", picked.data[2:])]
    await lan.press_data(picked.data)  # a second press is not a second pick
    assert len(bot.people.choices) == 1


async def test_in_a_group_the_bot_answers_questions_and_keeps_nothing_personal(bot):
    conversation = bot.conversation

    async def group(user: str, text: str | None = None, data: str | None = None):
        incoming = Incoming("telegram", "-200", user, text=text, data=data, user_name=user, private=False)
        return await conversation.handle(incoming)

    answer = (await group("alice", "5s la gi"))[0]
    assert answer.source
    await group("alice", "giá vàng hôm nay")
    for command in ("/dulieucuatoi", "/xoadulieu", "/dangky", "/huydangky", "/gapcanbo cần tư vấn", "/ketthuc"):
        assert (await group("bob", command))[0].text == texts.PRIVATE_ONLY, command
    vote = next(b.data for b in answer.flat_buttons() if b.label == texts.FEEDBACK_DOWN)
    for data in (vote, "h", "d:yes", "s:*"):
        assert (await group("bob", data=data))[0].text == texts.PRIVATE_ONLY, data
    assert bot.people.people == {} and bot.people.feedback == {} and bot.handoffs.requests == {}
    assert all(u.askers <= {("", "")} for u in bot.people.unanswered.values())
    # Staff still work from their group.
    staff = Incoming("telegram", "-200", "900", text="/yeucau", private=False)
    assert (await conversation.handle(staff))[0].text == texts.STAFF_NO_REQUESTS


async def test_a_bare_number_typed_where_buttons_are_pressed_gets_a_hint_and_is_not_logged(bot):
    lan = bot.talk()
    await lan.say("/chude")
    for typed in ("1", "0", "12"):
        assert (await lan.say(typed))[0].text == texts.BARE_NUMBER
    assert bot.people.unanswered == {}
    assert (await lan.say("2030"))[0].text != texts.BARE_NUMBER  # a year is a question's content


async def test_a_lone_surrogate_is_replaced_not_stored_or_crashed_on(bot):
    lan = bot.talk(name="Lan\ud800")
    answer = (await lan.say("5s la gi \ud800"))[0]
    assert answer.source
    person = bot.people.people[("telegram", "111")]
    for value in (person.last_question, person.display_name):
        value.encode("utf-8")  # storable: raises if a surrogate were left
