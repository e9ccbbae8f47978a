"""End-to-end: applying for support through the real Runner and channels against the fake Telegram and Zalo
APIs — a full form with one "go back" and one wrong tax code, the case in the database, staff moving it from
the staff chat, the business told each change, /hoso, and "needs more information" answered in the chat."""

from __future__ import annotations

import re

import pytest

from bot.app import Runner
from handlers.case_desk import parse_case_reference
from handlers.statuses import CaseEventKind, CaseStatus
from tests.bot.channels.test_telegram import Chat as TelegramChat
from tests.bot.channels.test_telegram import buttons
from tests.bot.channels.test_telegram import make_settings as telegram_settings
from tests.bot.channels.test_zalo import Chat as ZaloChat
from tests.bot.channels.test_zalo import make_settings as zalo_settings

pytestmark = pytest.mark.slow

BAD_TAX = "0100233480"  # the check digit does not match
GOOD_TAX = "0100233488"
REFERENCE = re.compile(r"\bHS\d+-[A-Z0-9]+\b")


@pytest.fixture
async def telegram_bot(telegram_api, database_url):
    runner = Runner(telegram_settings(telegram_api, database_url, webhook=False))
    await runner.start()
    runner.deliver = lambda update: _push(telegram_api, update)
    yield runner
    await runner.stop()


@pytest.fixture
async def zalo_bot(zalo_api, database_url):
    runner = Runner(zalo_settings(zalo_api, database_url, webhook=False))
    await runner.start()
    runner.deliver = lambda update: _push(zalo_api, update)
    yield runner
    await runner.stop()


async def _push(api, update: dict) -> None:
    api.push_update(update)


async def check_case(runner, reference: str, channel: str, chat_id: str) -> None:
    """The case as stored: the form's answers, every status staff set, the business's answer attached."""
    parsed = parse_case_reference(reference)
    assert parsed is not None
    store = runner.core.cases.store
    case = await store.get(parsed[0])
    assert case is not None and case.reference == reference and (case.channel, case.chat_id) == (channel, chat_id)
    application = case.application
    assert application.business_name == "Công ty TNHH Gốm Đông Triều" and application.tax_code == GOOD_TAX
    assert application.commune == "Vân Đồn" and application.ocop_stars == 4 and application.phone == "0912345678"
    assert application.needs == ("iso9001",) and case.status is CaseStatus.ACCEPTED
    history = await store.events(case.id)
    assert [e.status for e in history if e.kind is CaseEventKind.STATUS] == [
        CaseStatus.NEW,
        CaseStatus.RECEIVED,
        CaseStatus.REVIEWING,
        CaseStatus.NEEDS_INFO,
        CaseStatus.REVIEWING,
        CaseStatus.ACCEPTED,
    ]
    assert [e.text for e in history if e.kind is CaseEventKind.BUSINESS] == ["Xưởng có 45 lao động ạ"]


async def test_applying_on_telegram(telegram_bot, telegram_api):
    api = telegram_api
    user = TelegramChat(api, 111, telegram_bot.deliver)
    staff = TelegramChat(api, 900, telegram_bot.deliver)

    async def toggle(data: str) -> None:
        """A need ticked in place: the message's text and buttons are edited, nothing new is sent."""
        before = len(api.calls_of("editMessageText"))
        last = user.received()[-1]
        await telegram_bot.deliver(api.callback_update(user.chat_id, data, int(last["message_id"]), user_id=111))
        await api.wait_for("editMessageText", before + 1, timeout=10, chat_id=111)

    [welcome] = await user.say("/start")
    [consent] = await user.press(buttons(welcome)["📝 Đăng ký nhận hỗ trợ"])
    assert "Nghị định 13/2023" in consent["text"]
    [name] = await user.press(buttons(consent)["✅ Đồng ý"])
    await user.say("Công ty Gốm Đông Triều")
    [again] = await user.press(buttons(user.received()[-1])["◀ Quay lại"])  # one "go back"
    assert again["text"].startswith("Bước 1/8") and again["text"] == name["text"]
    await user.say("Công ty TNHH Gốm Đông Triều")
    [wrong] = await user.say(BAD_TAX)  # one invalid tax code
    assert "không đúng" in wrong["text"] and wrong["text"].endswith("của chủ hộ kinh doanh:")
    [commune] = await user.say(GOOD_TAX)
    assert commune["text"].startswith("Bước 3/8")
    [sector] = await user.say("van don")
    [ocop] = await user.press(buttons(sector)["Thủ công mỹ nghệ, đồ gỗ"])
    hint, _product = await user.press(buttons(ocop)["4★"], replies=2)
    assert "3 sao trở lên" in hint["text"] and "<i>Nguồn:" in hint["text"]
    [needs] = await user.say("Gốm men rạn")
    await toggle(buttons(needs)["Hệ thống quản lý ISO 9001"])
    ticked = api.calls_of("editMessageText")[-1].params
    assert "✓ Hệ thống quản lý ISO 9001" in str(ticked["reply_markup"])
    await user.press(buttons(needs)["Xong"])
    await user.say("Phạm Văn Hùng")
    [summary] = await user.say("0912 345 678")
    assert "Địa bàn: đặc khu Vân Đồn" in summary["text"]
    before_staff = len(staff.received())
    [sent] = await user.press(buttons(summary)["📨 Gửi hồ sơ"])
    reference = REFERENCE.search(sent["text"]).group(0)
    assert f"\n\n{reference}\n\n" in sent["text"]  # on a line of its own, and one tap copies it on Telegram
    copy = sent["reply_markup"]["inline_keyboard"][0][0]
    assert copy == {"text": "📋 Sao chép mã hồ sơ", "copy_text": {"text": reference}}

    await api.wait_for("sendMessage", before_staff + 1, timeout=10, chat_id=900)
    notice = staff.received()[-1]
    assert notice["text"].startswith(f"📝 Hồ sơ mới {reference}")

    async def staff_does(action, expect_user: str) -> None:
        before = len(user.received())
        await action
        await api.wait_for("sendMessage", before + 1, timeout=10, chat_id=111)
        assert expect_user in user.received()[-1]["text"], user.received()[-1]["text"]

    await staff_does(staff.press(buttons(notice)["→ đã tiếp nhận"]), "đã tiếp nhận")
    await staff_does(staff.say(f"/hoso_doi {reference} xem-xet"), "đang xem xét")
    [ask] = await staff.press(buttons(staff.received()[-1])["→ cần bổ sung thông tin"])
    assert "gõ nội dung doanh nghiệp cần bổ sung" in ask["text"]
    await staff_does(staff.say("Cho biết số lao động của xưởng"), "Cho biết số lao động của xưởng")
    before_staff = len(staff.received())
    [ack] = await user.say("Xưởng có 45 lao động ạ")
    assert f"Đã gắn vào hồ sơ {reference}" in ack["text"]
    await api.wait_for("sendMessage", before_staff + 1, timeout=10, chat_id=900)
    assert staff.received()[-1]["text"].endswith("Xưởng có 45 lao động ạ")
    await staff_does(staff.say(f"/hoso_doi {reference} xem-xet"), "đang xem xét")
    await staff_does(staff.say(f"/hoso_doi {reference} chap-nhan Mời dự lớp ISO 9001"), "được chấp nhận hỗ trợ")
    assert "Mời dự lớp ISO 9001" in user.received()[-1]["text"]

    [mine] = await user.say("/hoso")
    assert f"{reference} · Công ty TNHH Gốm Đông Triều · được chấp nhận hỗ trợ" in mine["text"]
    await check_case(telegram_bot, reference, "telegram", "111")


async def test_applying_on_zalo(zalo_bot, zalo_api):
    user = ZaloChat(zalo_api, "7a1f0c9e2b", zalo_bot.deliver)
    staff = ZaloChat(zalo_api, "staff900", zalo_bot.deliver)

    [consent] = await user.say("/dangkyhotro")
    assert "Nghị định 13/2023" in consent and "1. ✅ Đồng ý" in consent
    [name] = await user.choose(consent, "✅ Đồng ý")
    [tax] = await user.say("Công ty Gốm Đông Triều")
    [again] = await user.choose(tax, "◀ Quay lại")  # one "go back", by its number
    assert again == name
    await user.say("Công ty TNHH Gốm Đông Triều")
    [wrong] = await user.say(BAD_TAX)
    assert "không đúng" in wrong and "Bước 2/8" in wrong
    await user.say(GOOD_TAX)
    [sector] = await user.say("van don")
    [ocop] = await user.choose(sector, "Thủ công mỹ nghệ, đồ gỗ")
    hint, _product = await user.choose(ocop, "4★", replies=2)
    assert "3 sao trở lên" in hint and "Nguồn: " in hint
    [needs] = await user.say("Gốm men rạn")
    [ticked] = await user.choose(needs, "Hệ thống quản lý ISO 9001")  # no editing on Zalo: the list again
    assert "✓ Hệ thống quản lý ISO 9001" in ticked
    await user.say("Xong")  # a choice typed as its label
    await user.say("Phạm Văn Hùng")
    [summary] = await user.say("0912345678")
    before_staff = len(staff.received())
    [sent] = await user.choose(summary, "📨 Gửi hồ sơ")
    reference = REFERENCE.search(sent).group(0)

    await zalo_api.wait_for("sendMessage", before_staff + 1, timeout=10, chat_id="staff900")
    notice = staff.received()[-1]
    assert notice.startswith(f"📝 Hồ sơ mới {reference}")

    async def staff_does(action, expect_user: str) -> None:
        before = len(user.received())
        await action
        await zalo_api.wait_for("sendMessage", before + 1, timeout=10, chat_id=user.chat_id)
        assert expect_user in user.received()[-1], user.received()[-1]

    await staff_does(staff.choose(notice, "→ đã tiếp nhận"), "đã tiếp nhận")
    await staff_does(staff.say(f"/hoso_doi {reference} xem-xet"), "đang xem xét")
    [ask] = await staff.choose(staff.received()[-1], "→ cần bổ sung thông tin")
    assert "gõ nội dung doanh nghiệp cần bổ sung" in ask
    await staff_does(staff.say("Cho biết số lao động của xưởng"), "Cho biết số lao động của xưởng")
    before_staff = len(staff.received())
    [ack] = await user.say("Xưởng có 45 lao động ạ")
    assert f"Đã gắn vào hồ sơ {reference}" in ack
    await zalo_api.wait_for("sendMessage", before_staff + 1, timeout=10, chat_id="staff900")
    await staff_does(staff.say(f"/hoso_doi {reference} dang-xem-xet"), "đang xem xét")
    await staff_does(staff.say(f"/hoso_doi {reference} chap-nhan"), "được chấp nhận hỗ trợ")

    [mine] = await user.say("/hoso")
    assert f"{reference} · Công ty TNHH Gốm Đông Triều · được chấp nhận hỗ trợ" in mine
    [shown] = await user.say(f"tra cứu hồ sơ {reference.lower()}")
    assert "Doanh nghiệp bổ sung: Xưởng có 45 lao động ạ" in shown
    await check_case(zalo_bot, reference, "zalo", user.chat_id)
