"""The fast tier: the guided application for support ("Đăng ký nhận hỗ trợ") on in-memory fakes — every
step, going back, stopping, bad input, old buttons, a form left for a day, and the case it becomes."""

from __future__ import annotations

import pytest

from handlers import texts
from handlers.application_flow import FORM_TTL
from handlers.application_form import HINT_ENTRY
from handlers.callbacks import ShowEntry, pack
from handlers.sectors import apply_intent
from handlers.statuses import CaseStatus, SupportNeed
from handlers.types import Incoming
from handlers.views import Application
from tests.harness import STAFF_CHAT, build_bot

GOOD_TAX = "0100233488"  # a valid check digit (python-stdnum's example)
EXPECTED = Application(
    business_name="Công ty TNHH Nước mắm Cái Rồng",
    tax_code=GOOD_TAX,
    commune="Vân Đồn",
    sector="Chế biến thực phẩm, đồ uống",
    ocop_product="Nước mắm Cái Rồng",
    ocop_stars=4,
    needs=("iso9001", "ocop"),
    contact_name="Nguyễn Thị Lan",
    phone="0912345678",
)


@pytest.fixture
def bot(engine):
    return build_bot(engine)


def last(replies):
    return replies[-1]


async def to_summary(talk, start: str = "/dangkyhotro"):
    """Fill the whole form with EXPECTED's answers; returns the summary."""
    await talk.say(start)
    await talk.press(texts.APPLY_AGREE)
    await talk.say(EXPECTED.business_name)
    await talk.say(GOOD_TAX)
    await talk.say("van don")  # no diacritics, no "đặc khu"
    await talk.press("Chế biến thực phẩm")
    await talk.press("4★")
    await talk.say(EXPECTED.ocop_product)
    await talk.press("ISO 9001")
    await talk.press("Tiêu chuẩn cơ sở")
    await talk.press(texts.APPLY_NEEDS_DONE)
    await talk.say(EXPECTED.contact_name)
    return last(await talk.say("0912 345 678"))


async def test_a_full_application_from_the_menu_to_a_case(bot):
    lan = bot.talk()
    welcome = (await lan.say("/start"))[0]
    assert texts.APPLY_BUTTON in [b.label for b in welcome.flat_buttons()]
    assert texts.APPLY_BUTTON in [b.label for b in (await lan.say("/chude"))[0].flat_buttons()]
    [consent] = await lan.press(texts.APPLY_BUTTON)
    assert "Nghị định 13/2023" in consent.text and "/xoadulieu" in consent.text
    assert [b.label for b in consent.flat_buttons()] == [texts.APPLY_AGREE, texts.APPLY_STOP]
    [name] = await lan.press(texts.APPLY_AGREE)
    assert name.text == texts.APPLY_ASK_NAME
    assert [b.label for b in name.flat_buttons()] == [texts.APPLY_BACK, texts.APPLY_STOP]
    summary = await to_summary(lan, start="/dangkyhotro")  # the open form: continue it
    assert "Doanh nghiệp: Công ty TNHH Nước mắm Cái Rồng" in summary.text
    assert "Địa bàn: đặc khu Vân Đồn" in summary.text and "Điện thoại: 0912345678" in summary.text
    assert "Nước mắm Cái Rồng (4 sao)" in summary.text
    assert not bot.cases.cases  # nothing stored until "Gửi hồ sơ"
    [sent] = await lan.press(texts.APPLY_SUBMIT)
    case = bot.cases.cases[1]
    assert case.application == EXPECTED and case.status is CaseStatus.NEW
    assert (case.channel, case.chat_id) == ("telegram", "111")
    assert f"\n\n{case.reference}\n\n" in sent.text  # the reference on a line of its own, easy to copy
    assert bot.people.profiles[("telegram", "111")] == EXPECTED  # the profile feeds campaign audiences
    notice = bot.messenger.to(*STAFF_CHAT)[-1]
    assert notice.text.startswith(f"📝 Hồ sơ mới {case.reference}") and "0912345678" in notice.text
    assert "→ đã tiếp nhận" in [b.label for b in notice.flat_buttons()]
    assert await bot.state.count_chat("telegram", "111") == 0  # the form and its note are gone
    # A second press of "Gửi hồ sơ" (a double tap) makes no second case.
    assert (await lan.press(texts.APPLY_SUBMIT))[0].text == texts.APPLY_STALE
    assert len(bot.cases.cases) == 1


async def test_open_form_answers_are_not_kept_as_questions(bot):
    lan = bot.talk()
    await lan.say("/dangkyhotro")
    await lan.press(texts.APPLY_AGREE)
    await lan.say("Hợp tác xã Ba Chẽ")
    await lan.say(GOOD_TAX)
    assert bot.people.people[("telegram", "111")].last_question == ""
    assert not bot.people.unanswered


async def test_consent_first_and_a_question_instead_leaves_nothing(bot):
    lan = bot.talk()
    await lan.say("/dangkyhotro")
    answer = (await lan.say("5S là gì"))[0]  # not agreeing: the empty form goes, the question is answered
    assert answer.source and "5S" in answer.text
    assert await bot.state.get("apply:telegram:111") is None
    assert (await lan.press(texts.APPLY_AGREE))[0].text == texts.APPLY_STALE


async def test_going_back_and_stopping(bot):
    lan = bot.talk()
    await lan.say("/dangkyhotro")
    await lan.press(texts.APPLY_AGREE)
    first = last(await lan.press(texts.APPLY_BACK))
    assert first.text.startswith(texts.APPLY_FIRST_STEP) and first.text.endswith(texts.APPLY_ASK_NAME)
    await lan.say("Công ty Cổ phần Than Hòn Gai")
    assert last(await lan.press(texts.APPLY_BACK)).text == texts.APPLY_ASK_NAME
    assert last(await lan.say("Công ty Cổ phần Gốm Đông Triều")).text == texts.APPLY_ASK_TAX
    await lan.say(GOOD_TAX)
    await lan.say("Hạ Long")
    await lan.press("Khác (tự gõ)")
    assert last(await lan.press(texts.APPLY_BACK)).text == texts.APPLY_ASK_SECTOR  # the sub-step goes back too
    await lan.press("Khác (tự gõ)")
    assert last(await lan.say("Sản xuất gốm sứ")).text == texts.APPLY_ASK_OCOP
    form = await bot.state.get("apply:telegram:111")
    assert form["name"] == "Công ty Cổ phần Gốm Đông Triều" and form["sector"] == "Sản xuất gốm sứ"
    [stopped] = await lan.press(texts.APPLY_STOP)
    assert stopped.text == texts.APPLY_STOPPED
    assert await bot.state.count_chat("telegram", "111") == 0 and not bot.cases.cases
    assert (await lan.say(GOOD_TAX))[0].text != texts.APPLY_ASK_COMMUNE  # a question again


async def test_bad_input_gets_a_clear_reply_and_stays_on_its_step(bot):
    lan = bot.talk()
    await lan.say("/dangkyhotro")
    await lan.press(texts.APPLY_AGREE)
    [long] = await lan.say("Công ty " + "A" * 2992)
    assert "3.000 ký tự" in long.text and "200 ký tự" in long.text and long.text.endswith(texts.APPLY_ASK_NAME)
    [emoji] = await lan.say("👍🏭👍")
    assert emoji.text.startswith(texts.APPLY_ONLY_TEXT)
    [empty] = await bot.conversation.handle(Incoming("telegram", "111", "111", text=""))
    assert empty.text.startswith(texts.APPLY_ONLY_TEXT) and empty.text.endswith(texts.APPLY_ASK_NAME)
    assert (await lan.say("A"))[0].text.startswith("Tên doanh nghiệp cần ít nhất 2 ký tự")
    await lan.say("Công ty TNHH Mỹ nghệ Móng Cái")
    [short] = await lan.say("010023348")
    assert "10 chữ số" in short.text and "9 chữ số" in short.text and short.text.endswith(texts.APPLY_ASK_TAX)
    [check] = await lan.say("0100233480")
    assert "chữ số cuối không khớp" in check.text
    await lan.say("0100233488-001")  # a branch
    [unknown] = await lan.say("Cẩm Phả Xanh")
    assert unknown.text.startswith("Tôi không tìm thấy «Cẩm Phả Xanh» trong 54 xã, phường, đặc khu")
    labels = [b.label for b in unknown.flat_buttons()]
    assert "phường Cẩm Phả" in labels and texts.APPLY_COMMUNE_LIST_BUTTON in labels
    listing, again = await lan.press(texts.APPLY_COMMUNE_LIST_BUTTON)
    assert "đặc khu Vân Đồn" not in listing.text and "Vân Đồn" in listing.text and "Cô Tô" in listing.text
    assert sum(len(line.split(": ", 1)[1].split(", ")) for line in listing.text.split("\n\n")[1:]) == 54
    assert again.text == texts.APPLY_ASK_COMMUNE
    await lan.press("phường Cẩm Phả")
    await lan.press("Du lịch")
    [two_stars] = await lan.say("2 sao")
    assert two_stars.text.startswith(texts.APPLY_OCOP_TYPED)
    await lan.say("chưa có")
    [none] = await lan.press(texts.APPLY_NEEDS_DONE)
    assert none.text.startswith(texts.APPLY_NEEDS_EMPTY)
    await lan.say("5S và chuyển đổi số")  # typed needs tick their buttons
    await lan.say("Xong")
    await lan.say("Trần Văn Minh")
    [letters] = await lan.say("09l2 345 678")
    assert "không có chữ cái" in letters.text and letters.text.endswith(texts.APPLY_ASK_PHONE)
    [summary] = await lan.say("+84 912 345 678")
    assert "Mã số thuế: 0100233488-001" in summary.text and "OCOP: chưa có" in summary.text
    assert "Áp dụng 5S, Kaizen, Lean; Công nghệ, chuyển đổi số" in summary.text
    assert not bot.cases.cases
    await lan.press(texts.APPLY_SUBMIT)
    stored = bot.cases.cases[1].application
    assert stored.tax_code == "0100233488001" and stored.commune == "Cẩm Phả" and stored.phone == "0912345678"
    assert stored.ocop_stars == 0 and stored.ocop_product == "" and stored.needs == ("lean", "digital")


def test_the_typed_wish_to_apply_is_told_from_questions_about_applying():
    assert apply_intent("em muốn đăng ký hỗ trợ") == ()
    assert apply_intent("dk ho tro 5s") == ("lean",)
    assert apply_intent("đăng ký hỗ trợ iso") == ()
    assert apply_intent("Cho em đăng ký nhận hỗ trợ ISO 9001 ạ") == ("iso9001",)
    for question in (
        "đăng ký hỗ trợ cần giấy tờ gì?",
        "đăng ký hỗ trợ cần giấy tờ gì",
        "làm thế nào để đăng ký nhận hỗ trợ",
        "đăng ký hỗ trợ ở đâu",
        "thủ tục đăng ký hỗ trợ",
        "đăng ký nhận thông báo",
        "hỗ trợ đăng ký nhãn hiệu",
    ):
        assert apply_intent(question) is None, question


async def test_typing_the_wish_opens_the_form_and_a_question_is_answered(bot):
    [consent] = await bot.talk("1").say("em muốn đăng ký hỗ trợ")
    assert consent.text == texts.APPLY_CONSENT
    five_s = bot.talk("2")
    await five_s.say("dk ho tro 5s")
    await five_s.press(texts.APPLY_AGREE)
    assert (await bot.state.get("apply:telegram:2"))["needs"] == ["lean"]  # ticked already at the needs step
    assert (await bot.talk("3").say("đăng ký hỗ trợ iso"))[0].text == texts.APPLY_CONSENT
    asked = bot.talk("4")
    [answer] = await asked.say("đăng ký hỗ trợ cần giấy tờ gì?")
    assert answer.source and answer.text != texts.APPLY_CONSENT
    assert await bot.state.get("apply:telegram:4") is None


async def test_answers_about_applying_offer_the_form(bot):
    lan = bot.talk()
    [how] = await lan.press_data(pack(ShowEntry("ho-tro-cach-dang-ky")))
    assert how.flat_buttons()[0].label == texts.APPLY_BUTTON
    [other] = await lan.press_data(pack(ShowEntry("5s-la-gi")))
    assert texts.APPLY_BUTTON not in [b.label for b in other.flat_buttons()]
    assert (await lan.press(texts.APPLY_BUTTON))[0].text == texts.APPLY_CONSENT
    # /dangky still subscribes to news; its menu points a business that meant to apply to the form.
    subscribe, paused = await lan.say("/dangky")  # the form just opened waits, paused
    assert paused.text == texts.APPLY_PAUSED
    assert subscribe.text == texts.SUBSCRIBE_CHOOSE
    assert texts.APPLY_BUTTON in [b.label for b in subscribe.flat_buttons()]


async def test_hints_quote_the_knowledge_base_once_as_information(bot, engine):
    lan = bot.talk()
    await lan.say("/dangkyhotro")
    await lan.press(texts.APPLY_AGREE)
    for answer in ("Hợp tác xã Trà hoa vàng Ba Chẽ", GOOD_TAX, "Ba Chẽ"):
        await lan.say(answer)
    await lan.press("Nông nghiệp")
    hint, product = await lan.press("3★")
    entry = engine.kb.get(HINT_ENTRY)
    assert f"«{entry.question}»" in hint.text and "3 sao trở lên" in hint.text and hint.source
    assert "không phải kết quả xét hồ sơ" in hint.text and "đủ điều kiện" not in hint.text
    assert product.text == texts.APPLY_ASK_OCOP_PRODUCT.format(stars=3)
    await lan.say("Trà hoa vàng")
    [ticked] = await lan.press("Tiêu chuẩn cơ sở")  # said once per form
    assert ticked.edit and "✓ Tiêu chuẩn cơ sở cho sản phẩm OCOP" in [b.label for b in ticked.flat_buttons()]
    hai = bot.talk("222")
    await hai.say("/dangkyhotro")
    await hai.press(texts.APPLY_AGREE)
    for answer in ("Công ty Cơ khí Uông Bí", GOOD_TAX, "Uông Bí"):
        await hai.say(answer)
    await hai.press("Cơ khí")
    assert len(await hai.press(texts.APPLY_OCOP_NONE)) == 1  # no OCOP: nothing to point out
    hint, needs = await hai.press("Tiêu chuẩn cơ sở")
    assert "3 sao trở lên" in hint.text and needs.text == texts.APPLY_ASK_NEEDS


async def test_a_form_left_for_a_day_is_dropped_with_a_note(bot):
    lan = bot.talk()
    await lan.say("/dangkyhotro")
    await lan.press(texts.APPLY_AGREE)
    await lan.say("Công ty TNHH Hải sản Cô Tô")
    bot.clock.advance(FORM_TTL + 1)
    note, answer = await lan.say("5s la gi")
    assert note.text == texts.APPLY_DROPPED and answer.source
    assert len(await lan.say("5s la gi")) == 1  # said once
    assert (await lan.press(texts.APPLY_BACK))[0].text == texts.APPLY_STALE
    assert not bot.cases.cases


async def test_old_and_foreign_buttons_are_stale(bot):
    lan, hung = bot.talk("111"), bot.talk("333", name="Hùng")
    await lan.say("/dangkyhotro")
    await lan.press(texts.APPLY_AGREE)
    old_back = lan.button(texts.APPLY_BACK)
    assert (await hung.press_data(old_back))[0].text == texts.APPLY_STALE  # another chat's form
    assert (await lan.say("Công ty Lan"))[0].text == texts.APPLY_ASK_TAX  # Lan's form untouched
    [choice] = await lan.say("/dangkyhotro")
    assert choice.text == texts.APPLY_OPEN_ALREADY
    [resumed] = await lan.press(texts.APPLY_RESUME)
    assert resumed.text == texts.APPLY_ASK_TAX
    await lan.say("/dangkyhotro")
    assert (await lan.press(texts.APPLY_RESTART))[0].text == texts.APPLY_CONSENT
    assert (await lan.press_data(old_back))[0].text == texts.APPLY_STALE  # the first form's button
    assert (await bot.state.get("apply:telegram:111"))["name"] == ""


async def test_two_forms_at_once_on_two_channels(bot):
    on_telegram, on_zalo = bot.talk("555", "telegram"), bot.talk("555", "zalo")
    await on_telegram.say("/dangkyhotro")
    await on_zalo.say("/dangkyhotro")
    await on_telegram.press(texts.APPLY_AGREE)
    await on_zalo.press(texts.APPLY_AGREE)
    await on_telegram.say("Công ty Telegram")
    await on_zalo.say("Công ty Zalo")
    assert (await bot.state.get("apply:telegram:555"))["name"] == "Công ty Telegram"
    assert (await bot.state.get("apply:zalo:555"))["name"] == "Công ty Zalo"
    assert (await on_zalo.press_data(on_telegram.button(texts.APPLY_STOP)))[0].text == texts.APPLY_STALE


async def test_another_command_pauses_the_form_until_it_resumes(bot):
    lan = bot.talk()
    await lan.say("/dangkyhotro")
    await lan.press(texts.APPLY_AGREE)
    await lan.say("Công ty TNHH Du lịch Hạ Long")
    menu, paused = await lan.say("/chude")
    assert menu.text == texts.MENU and paused.text == texts.APPLY_PAUSED
    answer = (await lan.say("5s la gi"))[0]
    assert answer.source  # a question again, not the tax code
    [back_in] = await lan.press(texts.APPLY_BACK)  # the form's own button takes it up again
    assert back_in.text == texts.APPLY_ASK_NAME
    assert (await lan.say("Công ty TNHH Du lịch Bãi Cháy"))[0].text == texts.APPLY_ASK_TAX


async def test_editing_from_the_summary(bot):
    lan = bot.talk()
    await to_summary(lan)
    [which] = await lan.press(texts.APPLY_EDIT)
    assert texts.APPLY_FIELD_PHONE in [b.label for b in which.flat_buttons()]
    await lan.press(texts.APPLY_FIELD_PHONE)
    [summary] = await lan.say("0388 123 456")
    assert "Điện thoại: 0388123456" in summary.text
    await lan.press(texts.APPLY_EDIT)
    await lan.press(texts.APPLY_FIELD_OCOP)
    await lan.press("5★")
    [summary] = await lan.say("Nước mắm Vân Đồn")
    assert "Nước mắm Vân Đồn (5 sao)" in summary.text
    await lan.press(texts.APPLY_EDIT)
    await lan.press(texts.APPLY_FIELD_NAME)
    assert (await lan.press(texts.APPLY_BACK))[0].text == summary.text  # leaving the edit changes nothing
    assert (await lan.press(texts.APPLY_BACK))[0].text == texts.APPLY_ASK_PHONE
    [summary] = await lan.say("0912345678")
    await lan.press(texts.APPLY_SUBMIT)
    stored = bot.cases.cases[1].application
    assert (stored.ocop_stars, stored.ocop_product, stored.phone) == (5, "Nước mắm Vân Đồn", "0912345678")


async def test_needs_toggle_and_typed_sector(bot):
    lan = bot.talk()
    await lan.say("/dangkyhotro")
    await lan.press(texts.APPLY_AGREE)
    for answer in ("Công ty Gỗ Tiên Yên", GOOD_TAX, "tien yen"):
        await lan.say(answer)
    await lan.press(texts.APPLY_SECTOR_OTHER)
    await lan.say("Đồ gỗ mỹ nghệ xuất khẩu")
    await lan.press(texts.APPLY_OCOP_NONE)
    [on] = await lan.press("Đào tạo")
    [off] = await lan.press("Đào tạo")
    assert "✓ " + SupportNeed.TRAINING.label in [b.label for b in on.flat_buttons()]
    assert SupportNeed.TRAINING.label in [b.label for b in off.flat_buttons()]
    assert (await bot.state.get("apply:telegram:111"))["needs"] == []
    assert (await lan.say("nấu cơm"))[0].text.startswith(texts.APPLY_USE_BUTTONS)


async def test_erasing_my_data_drops_the_open_form(bot):
    lan = bot.talk()
    await lan.say("/dangkyhotro")
    await lan.press(texts.APPLY_AGREE)
    await lan.say("Công ty TNHH Hạ Long Xanh")
    await lan.say("/xoadulieu")
    await lan.press(texts.DELETE_YES)
    assert await bot.state.count_chat("telegram", "111") == 0
    assert (await lan.say(GOOD_TAX))[0].text != texts.APPLY_ASK_COMMUNE
    assert (await lan.say("/huy"))[0].text == texts.APPLY_NOTHING_TO_CANCEL


async def test_slash_huy_stops_the_form_and_groups_cannot_apply(bot):
    lan = bot.talk()
    await lan.say("/dangkyhotro")
    assert (await lan.say("/huy"))[0].text == texts.APPLY_STOPPED
    group = Incoming("telegram", "-500", "111", text="/dangkyhotro", user_name="Lan", private=False)
    assert (await bot.conversation.handle(group))[0].text == texts.PRIVATE_ONLY


async def test_show_my_data_lists_the_business_profile_and_the_cases(bot):
    lan = bot.talk()
    await to_summary(lan)
    [_sent] = await lan.press(texts.APPLY_SUBMIT)
    [shown] = await lan.say("/dulieucuatoi")
    assert "Hồ sơ doanh nghiệp" in shown.text and "địa bàn Vân Đồn" in shown.text and "OCOP 4 sao" in shown.text
    assert "Hệ thống quản lý ISO 9001" in shown.text
    assert "Hồ sơ đăng ký nhận hỗ trợ bạn đã gửi: 1" in shown.text
