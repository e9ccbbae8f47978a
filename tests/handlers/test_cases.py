"""The fast tier: cases after the form — staff move them from the staff chat, the business is told each
change, answers "needs more information" in the chat, and sees only its own cases (/hoso, look-ups)."""

from __future__ import annotations

import asyncio

import pytest

from handlers import texts
from handlers.callbacks import CaseMove, CaseShow, MyCase, pack
from handlers.case_changes import INFO_WINDOW
from handlers.case_desk import parse_case_reference
from handlers.statuses import CaseEventKind, CaseStatus
from handlers.types import Incoming
from handlers.views import Application
from tests.harness import STAFF, STAFF_CHAT, build_bot

APPLICATION = Application(
    "Hợp tác xã Chè Đường Hoa",
    "0100233488",
    "Đường Hoa",
    "Nông nghiệp, lâm nghiệp, thủy sản",
    "Chè Đường Hoa",
    3,
    ("ocop", "traceability"),
    "Vi Thị Mai",
    "0987654321",
)


@pytest.fixture
def bot(engine):
    return build_bot(engine)


@pytest.fixture
async def case(bot):
    """A case sent by chat 111 on Telegram, announced in the staff chat as the form does."""
    created = await bot.cases.create("telegram", "111", "Mai", APPLICATION)
    await bot.case_desk.announce(created)
    return created


def staff_talk(bot):
    return bot.talk(STAFF_CHAT[1], user_id=STAFF.split(":")[1], name="Hà")


def staff_chat(bot) -> list[str]:
    return [r.text for r in bot.messenger.to(*STAFF_CHAT)]


def button_data(reply, label_part: str) -> str:
    return next(b.data for b in reply.flat_buttons() if label_part in b.label)


async def test_staff_move_a_case_from_the_staff_chat_and_the_business_hears_each_change(bot, case):
    mai, staff = bot.talk("111", name="Mai"), staff_talk(bot)
    notice = bot.messenger.to(*STAFF_CHAT)[-1]
    [moved] = await staff.press_data(button_data(notice, CaseStatus.RECEIVED.label))
    assert moved.text == texts.STAFF_CASE_MOVED.format(ref=case.reference, label="đã tiếp nhận", name="Hà") + (
        texts.STAFF_CASE_TOLD
    )
    assert mai.pushed()[-1].text == f"📋 Hồ sơ {case.reference} (Hợp tác xã Chè Đường Hoa): đã tiếp nhận."
    [reviewing] = await staff.say(f"/hoso_doi {case.reference} xem-xet Đang đối chiếu hồ sơ OCOP")
    assert reviewing.text.startswith(f"✓ {case.reference}: đang xem xét")
    assert mai.pushed()[-1].text.endswith("Cán bộ ghi chú: Đang đối chiếu hồ sơ OCOP")
    # "Cần bổ sung" from a button: the staff member's next message is what the business is asked for.
    [ask] = await staff.press_data(button_data(reviewing, CaseStatus.NEEDS_INFO.label))
    assert ask.text == texts.STAFF_CASE_ASK_NOTE.format(ref=case.reference)
    await staff.say("Xin bản chụp giấy chứng nhận OCOP 3 sao")
    told = mai.pushed()[-1]
    assert "cần bổ sung thông tin" in told.text and "Xin bản chụp giấy chứng nhận OCOP 3 sao" in told.text
    assert texts.CASE_INFO_DONE in [b.label for b in told.flat_buttons()]
    # The business answers right in the chat: each message goes onto the case and to staff.
    [attached] = await mai.say("Dạ gửi anh chị: giấy chứng nhận số 12/QĐ")
    assert attached.text == texts.CASE_INFO_ATTACHED.format(ref=case.reference)
    await mai.say("Bản chụp em gửi qua email sau ạ")
    assert staff_chat(bot)[-1] == f"📎 {case.reference} · doanh nghiệp bổ sung:\nBản chụp em gửi qua email sau ạ"
    assert not bot.people.unanswered and bot.people.people[("telegram", "111")].last_question == ""
    [done] = await mai.press(texts.CASE_INFO_DONE)
    assert done.text == texts.CASE_INFO_CLOSED.format(ref=case.reference)
    assert (await mai.say("5s la gi"))[0].source  # a question again
    await staff.say(f"/hoso_doi {case.reference} xem-xet")
    await staff.say(f"/hoso_doi {case.reference} chap-nhan Mời dự lớp tiêu chuẩn cơ sở tháng sau")
    assert mai.pushed()[-1].text.startswith(f"📋 Hồ sơ {case.reference} (Hợp tác xã Chè Đường Hoa): được chấp nhận")
    history = await bot.cases.events(case.id)
    assert [e.status for e in history if e.kind is CaseEventKind.STATUS] == [
        CaseStatus.NEW,
        CaseStatus.RECEIVED,
        CaseStatus.REVIEWING,
        CaseStatus.NEEDS_INFO,
        CaseStatus.REVIEWING,
        CaseStatus.ACCEPTED,
    ]
    business = [e.text for e in history if e.kind is CaseEventKind.BUSINESS]
    assert business == ["Dạ gửi anh chị: giấy chứng nhận số 12/QĐ", "Bản chụp em gửi qua email sau ạ"]
    assert {e.actor for e in history if e.kind is CaseEventKind.STATUS and e.status is not CaseStatus.NEW} == {STAFF}
    [view] = await staff.say(f"/hoso_xem {case.reference}")
    assert "Doanh nghiệp bổ sung: Bản chụp em gửi qua email sau ạ" in view.text and "(Hà)" in view.text
    assert view.flat_buttons()[0].label == "→ đã đóng"  # only "close" after accepted


async def test_the_answer_window_closes_when_the_case_moves_on_or_after_a_week(bot, case):
    mai, staff = bot.talk("111", name="Mai"), staff_talk(bot)
    await staff.say(f"/hoso_doi {case.reference} bo-sung Thiếu số lao động")
    await staff.say(f"/hoso_doi {case.reference} dang-xem-xet")
    assert await bot.state.get("caseinfo:telegram:111") is None
    assert (await mai.say("5s la gi"))[0].source
    await staff.say(f"/hoso_doi {case.reference} can-bo-sung Thiếu số lao động")
    bot.clock.advance(INFO_WINDOW + 1)
    assert (await mai.say("5s la gi"))[0].source
    assert not [e for e in await bot.cases.events(case.id) if e.kind is CaseEventKind.BUSINESS]


async def test_refused_changes_change_nothing(bot, case):
    desk = bot.case_desk
    stale = await desk.change_status(case.id, CaseStatus.REVIEWING, STAFF, "Hà", "", CaseStatus.RECEIVED)
    assert stale.problem.startswith(f"Hồ sơ {case.reference} vừa được đổi sang «mới gửi»") and not stale.told
    skipped = await desk.change_status(case.id, CaseStatus.ACCEPTED, STAFF, "Hà", "", CaseStatus.NEW)
    assert skipped.problem == f"Không thể chuyển hồ sơ {case.reference} từ «mới gửi» sang «được chấp nhận hỗ trợ»."
    no_note = await desk.change_status(case.id, CaseStatus.NEEDS_INFO, STAFF, "Hà", "  ", CaseStatus.NEW)
    assert no_note.problem == texts.CASE_PROBLEM_NEEDS_NOTE
    assert (await desk.change_status(999, CaseStatus.CLOSED, STAFF, "Hà", "", CaseStatus.NEW)).case is None
    assert (await bot.cases.get(case.id)).status is CaseStatus.NEW
    assert bot.messenger.to("telegram", "111") == []
    # Two staff at once, from the same status: exactly one change wins, the business hears one.
    first, second = await asyncio.gather(
        desk.change_status(case.id, CaseStatus.RECEIVED, STAFF, "Hà", "", CaseStatus.NEW),
        desk.change_status(case.id, CaseStatus.CLOSED, "web:an@so.vn", "An", "", CaseStatus.NEW),
    )
    assert sorted([bool(first.problem), bool(second.problem)]) == [False, True]
    assert len(bot.messenger.to("telegram", "111")) == 1


def test_allowed_next_and_references(bot):
    desk = bot.case_desk
    assert desk.allowed_next(CaseStatus.NEW)[0] is CaseStatus.RECEIVED
    assert CaseStatus.ACCEPTED in desk.allowed_next(CaseStatus.REVIEWING)
    assert desk.allowed_next(CaseStatus.CLOSED) == []
    assert all(s is CaseStatus.CLOSED for f in CaseStatus if f.final for s in desk.allowed_next(f))
    assert parse_case_reference("tra cứu hồ sơ HS12-k7qf") == (12, "K7QF")
    assert parse_case_reference("HS12") == (12, None)
    assert parse_case_reference("HS99999999999") is None  # more digits than a case number has (32 bits)
    assert parse_case_reference("hồ sơ của tôi") is None


async def test_a_business_not_reached_is_said_plainly(bot, case):
    bot.messenger.blocked.add(("telegram", "111"))
    [moved] = await staff_talk(bot).say(f"/hoso_doi {case.reference} tiep-nhan")
    assert moved.text.endswith(texts.STAFF_CASE_NOT_TOLD)
    assert (await bot.cases.get(case.id)).status is CaseStatus.RECEIVED
    bot.cases.anonymise("telegram", "111")  # erased: nobody left to tell
    change = await bot.case_desk.change_status(case.id, CaseStatus.CLOSED, STAFF, "Hà", "", CaseStatus.RECEIVED)
    assert change.case.status is CaseStatus.CLOSED and not change.told and not change.problem


async def test_staff_commands_and_buttons_are_staff_only_and_checked(bot, case):
    mai, staff = bot.talk("111", name="Mai"), staff_talk(bot)
    for command in ("/hoso_ds", f"/hoso_xem {case.reference}", f"/hoso_doi {case.reference} dong"):
        assert (await mai.say(command))[0].text == texts.STAFF_ONLY
    move = pack(CaseMove(case.id, CaseStatus.CLOSED, CaseStatus.NEW))
    assert (await mai.press_data(move))[0].text == texts.STAFF_ONLY
    assert (await mai.press_data(pack(CaseShow(case.id))))[0].text == texts.STAFF_ONLY
    assert (await bot.cases.get(case.id)).status is CaseStatus.NEW
    assert (await staff.say("/hoso_xem"))[0].text == texts.STAFF_CASE_USAGE
    assert (await staff.say("/hoso_xem HS1-ZZZZ"))[0].text == texts.STAFF_CASE_NOT_FOUND.format(ref="HS1-ZZZZ")
    assert (await staff.say(f"/hoso_doi {case.reference} duyet-luon"))[0].text.startswith("Không hiểu trạng thái")
    [refused] = await staff.say(f"/hoso_doi {case.reference} chap-nhan")
    assert refused.text.startswith("Không thể chuyển hồ sơ")
    [listing] = await staff.say("/hoso_ds")
    assert f"{case.reference} · Hợp tác xã Chè Đường Hoa · xã Đường Hoa · mới gửi" in listing.text
    [shown] = await staff.press_data(pack(CaseShow(case.id)))
    assert "Mã số thuế: 0100233488" in shown.text
    # "Cần bổ sung", then /huy: nothing changes and nothing is sent.
    await staff.press_data(pack(CaseMove(case.id, CaseStatus.NEEDS_INFO, CaseStatus.NEW)))
    assert (await staff.say("/huy"))[0].text == texts.STAFF_CASE_NOTE_CANCELLED.format(ref=case.reference)
    assert (await bot.cases.get(case.id)).status is CaseStatus.NEW and mai.pushed() == []
    # A button pressed after someone else moved the case: told, not applied.
    await staff.say(f"/hoso_doi {case.reference} tiep-nhan")
    [late] = await staff.press_data(move)
    assert late.text.startswith(f"Hồ sơ {case.reference} vừa được đổi sang «đã tiếp nhận»")
    await staff.say(f"/hoso_doi {case.reference} dong")
    assert (await staff.say("/hoso_ds"))[0].text == texts.STAFF_CASES_NONE


async def test_the_business_sees_its_own_cases_only(bot, case):
    mai, other = bot.talk("111", name="Mai"), bot.talk("222", name="Tú")
    await bot.case_desk.add_note(case.id, STAFF, "Hà", "Doanh nghiệp quen, ưu tiên")
    [mine] = await mai.say("/hoso")
    assert f"{case.reference} · Hợp tác xã Chè Đường Hoa · mới gửi · gửi " in mine.text
    [shown] = await mai.press(f"Xem {case.reference}")
    assert "Địa bàn: xã Đường Hoa" in shown.text and "ưu tiên" not in shown.text  # internal notes stay inside
    for typed in (f"tra cứu hồ sơ {case.reference}", case.reference.lower(), f"mã hồ sơ {case.reference}"):
        assert (await mai.say(typed))[0].text == shown.text, typed
    assert (await mai.say("tra cứu hồ sơ"))[0].text == mine.text
    # Another chat never sees it, by code, by look-up or by an old button.
    [foreign] = await other.say(f"tra cứu hồ sơ {case.reference}")
    assert foreign.text == texts.CASE_NOT_FOUND_FOR_BUSINESS.format(ref=case.reference)
    assert (await other.press_data(pack(MyCase(case.id))))[0].text.startswith("Không tìm thấy hồ sơ")
    assert (await mai.say(f"tra cứu hồ sơ HS{case.id}-ZZZZ"))[0].text.startswith("Không tìm thấy hồ sơ")
    assert (await other.say("/hoso"))[0].text == texts.CASE_MINE_NONE
    same_id_on_zalo = Incoming("zalo", "111", "111", text=f"tra cứu hồ sơ {case.reference}")
    assert (await bot.conversation.handle(same_id_on_zalo))[0].text.startswith("Không tìm thấy hồ sơ")


async def test_notes_are_kept_and_never_sent(bot, case):
    desk = bot.case_desk
    assert await desk.add_note(case.id, STAFF, "Hà", "  ") == texts.CASE_NOTE_EMPTY
    assert await desk.add_note(case.id, STAFF, "Hà", "Gọi lại thứ Hai") == ""
    assert await desk.add_note(404, STAFF, "Hà", "x") == texts.CASE_PROBLEM_GONE
    [note] = [e for e in await bot.cases.events(case.id) if e.kind is CaseEventKind.NOTE]
    assert (note.text, note.actor, note.actor_name) == ("Gọi lại thứ Hai", STAFF, "Hà")
    assert bot.messenger.to("telegram", "111") == []


async def test_erasing_my_data_ends_the_answer_window(bot, case):
    mai = bot.talk("111", name="Mai")
    await staff_talk(bot).say(f"/hoso_doi {case.reference} bo-sung Thiếu số lao động")
    await mai.say("/xoadulieu")
    await mai.press(texts.DELETE_YES)
    assert await bot.state.count_chat("telegram", "111") == 0
    assert (await mai.say("5s la gi"))[0].source
