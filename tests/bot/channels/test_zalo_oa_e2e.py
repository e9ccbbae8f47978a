"""End-to-end: the real Runner with the Zalo OA channel against the fake OA: signed events in, messages out."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

import pytest
from sqlmodel import select

from bot.app import Runner
from bot.channels.zalo import CHOOSE_HINT, TEXT_ONLY
from bot.channels.zalo_oa.channel import NOT_CONNECTED, WELCOME
from bot.db import oa_recipients, people
from bot.db.case_port import DatabaseCases
from bot.db.models import OaRecipient, OaSeenEvent
from bot.settings import load_settings
from handlers.statuses import CaseStatus, SubscriberStatus, SupportNeed
from handlers.types import Reply
from handlers.views import Application
from tests.fakes.zalo_oa_api import zalo_oa_api  # noqa: F401

pytestmark = pytest.mark.slow

USER = "4512345678901234567"  # OA user ids are long digit strings, per OA


def oa_settings(fake, database_url: str, **extra):
    return load_settings(
        _env_file=None,
        telegram_bot_token=None,
        zalo_bot_token=None,
        database_url=database_url,
        web_port=0,
        quiet_hours="",
        zalo_oa_app_id=fake.app_id,
        zalo_oa_secret_key=fake.secret_key,
        zalo_oa_webhook_key=fake.oa_secret_key,
        zalo_oa_api_base_url=fake.base,
        zalo_oa_oauth_base_url=fake.base,
        database_call_timeout=10.0,  # a loaded CI machine can take over the default second on PostgreSQL
        **extra,
    )


async def until(check: Callable[[], Awaitable[bool] | bool], what: str, timeout: float = 10.0) -> None:
    """Wait for a condition the bot's background tasks bring about (events are answered 200 before handling)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


class OaUser:
    """One OA user's side: events posted by the fake (signed as Zalo signs), the bot's messages read back."""

    def __init__(self, fake, url: str, user_id: str = USER):
        self.fake, self.url, self.user_id = fake, url, user_id

    def received(self, kind: str | None = None) -> list[str]:
        return self.fake.texts(self.user_id, kind)

    async def expect(self, post: Awaitable, replies: int = 1) -> list[str]:
        before = len(self.received())
        delivery = await post
        assert delivery.status == 200, delivery.answer
        await until(lambda: len(self.received()) >= before + replies, f"{replies} message(s) to {self.user_id}")
        return self.received()[before:]

    async def say(self, text: str, replies: int = 1) -> list[str]:
        return await self.expect(self.fake.user_says(self.url, self.user_id, text), replies)


def channel_of(runner: Runner):
    return next(c for c in runner.channels if c.name == "zalo_oa")


@pytest.fixture
async def oa_bot(zalo_oa_api, database_url):  # noqa: F811 - the fixture imported above
    runner = Runner(oa_settings(zalo_oa_api, database_url))
    await runner.start()
    await channel_of(runner).keeper.authorise(zalo_oa_api.authorize())  # an admin's first authorisation
    runner.webhook_url = f"http://127.0.0.1:{runner.web.port}/zalo-oa/webhook"
    yield runner
    await runner.stop()


async def recipient(runner: Runner, user: str = USER) -> OaRecipient | None:
    async with runner.core.db.session() as session:
        return await oa_recipients.get(session, user)


async def subscriber_status(runner: Runner, user: str = USER) -> str | None:
    async with runner.core.db.session() as session:
        person = await people.get_person(session, "zalo_oa", user)
    return person.status if person is not None else None


async def test_follow_welcomes_with_consent_and_subscribes(oa_bot, zalo_oa_api, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    user = OaUser(zalo_oa_api, oa_bot.webhook_url)
    [welcome] = await user.expect(zalo_oa_api.user_follows(oa_bot.webhook_url, USER))
    assert welcome == WELCOME and zalo_oa_api.texts(USER, "consultation") == [WELCOME]
    for command in ("/dangky", "/huydangky", "/dulieucuatoi", "/xoadulieu", "/chude"):
        assert command in welcome, command
    assert "nhận thông báo" in welcome and "lưu mã người dùng Zalo" in welcome
    async with oa_bot.core.db.session() as session:
        person = await people.get_person(session, "zalo_oa", USER)
    assert person is not None and person.status == SubscriberStatus.ACTIVE and person.consent_at is not None
    row = await recipient(oa_bot)
    assert row is not None and row.follows and row.followed_at is not None
    assert row.replies_since_interaction == 1  # the welcome counted against the free replies

    # Show my data lists what the OA channel keeps; the welcome promised it.
    [mine] = await user.say("/dulieucuatoi")
    assert "Official Account Zalo: quan tâm (theo dõi) OA: có, từ " in mine and "lần nhắn tin gần nhất" in mine

    await user.expect(zalo_oa_api.user_unfollows(oa_bot.webhook_url, USER), replies=0)
    await until(_status_is(oa_bot, SubscriberStatus.UNSUBSCRIBED), "the unfollow to unsubscribe")
    row = await recipient(oa_bot)
    assert row is not None and not row.follows
    assert len(user.received()) == 2  # no goodbye: Zalo would refuse it, and they chose to leave
    # Nothing secret in any log line: the app secret, the OA secret key, any token the fake issued.
    for secret in (zalo_oa_api.secret_key, zalo_oa_api.oa_secret_key, *zalo_oa_api.tokens_issued()):
        assert secret not in caplog.text


def _status_is(runner: Runner, wanted: str) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await subscriber_status(runner) == wanted

    return check


async def test_questions_numbered_choices_and_pictures(oa_bot, zalo_oa_api):  # noqa: F811
    user = OaUser(zalo_oa_api, oa_bot.webhook_url)
    [answer] = await user.say("5S là gì")
    assert "Sàng lọc" in answer and "Nguồn: " in answer and CHOOSE_HINT in answer
    assert "1. Xem chi tiết" in answer and len(answer) <= 2000
    [detail] = await user.say("1")  # the typed number picks the detail, as on the Zalo bot
    assert detail.startswith("- Sàng lọc (Seiri)")
    [note] = await user.expect(zalo_oa_api.user_sends_image(oa_bot.webhook_url, USER))
    assert note == TEXT_ONLY
    assert set(m.kind for m in zalo_oa_api.sent) == {"consultation"}
    row = await recipient(oa_bot)
    # Each message reopened the window and reset the count; the reply after it counted.
    assert row is not None and row.last_interaction is not None and row.replies_since_interaction == 1


async def test_a_case_status_notice_goes_as_a_transaction_message(oa_bot, zalo_oa_api):  # noqa: F811
    user = OaUser(zalo_oa_api, oa_bot.webhook_url)
    await user.say("xin chào")
    application = Application(
        business_name="HTX Chè Đông Triều",
        tax_code="5701234567",
        commune="Đông Triều",
        sector="Chế biến nông sản",
        ocop_product="Chè",
        ocop_stars=3,
        needs=(SupportNeed.OCOP_STANDARDS,),
        contact_name="Lê Văn An",
        phone="0912345678",
    )
    case = await DatabaseCases(oa_bot.core.db).create("zalo_oa", USER, "Lê Văn An", application)
    before = len(user.received())
    change = await oa_bot.core.cases.change_status(
        case.id, CaseStatus.NEEDS_INFO, "telegram:900", "Cán bộ Hà", "Gửi thêm giấy phép", CaseStatus.NEW
    )
    assert change.told
    notices = zalo_oa_api.texts(USER, "transaction")
    assert notices and len(user.received()) == before + len(notices)
    assert case.reference in notices[0] and "Gửi thêm giấy phép" in "\n".join(notices)
    # An ordinary message to the same user, through the same relay, stays a consultation message.
    sent = await oa_bot.core.relay.send("zalo_oa", USER, Reply("Cán bộ Hà: chào anh An"))
    assert sent.ok and zalo_oa_api.texts(USER, "consultation")[-1] == "Cán bộ Hà: chào anh An"


async def test_forged_replayed_and_stale_events_are_refused(oa_bot, zalo_oa_api):  # noqa: F811
    url = oa_bot.webhook_url
    user = OaUser(zalo_oa_api, url)
    forged = await zalo_oa_api.post_event(
        url, zalo_oa_api.event("user_send_text", USER, text="5S là gì"), signature="mac=" + "0" * 64
    )
    unsigned = await zalo_oa_api.post_event(url, zalo_oa_api.event("user_send_text", USER, text="5S"), signature="")
    old = zalo_oa_api.now() - dt.timedelta(minutes=10)
    stale = await zalo_oa_api.post_event(url, zalo_oa_api.event("user_send_text", USER, at=old, text="5S là gì"))
    assert (forged.status, unsigned.status, stale.status) == (403, 403, 403)
    assert (forged.answer, unsigned.answer, stale.answer) == ("forged", "unsigned", "stale")
    # Refused events start nothing: the channel has no task, and the fake no message.
    assert not channel_of(oa_bot)._tasks and zalo_oa_api.sent == []

    first = await zalo_oa_api.user_says(url, USER, "5S là gì")
    await until(lambda: len(user.received()) == 1, "the answer")
    replayed = await zalo_oa_api.replay(first)
    # A duplicate is answered 200 (so Zalo stops re-sending) and handled no second time.
    assert (replayed.status, replayed.answer) == (200, "replayed")
    assert not channel_of(oa_bot)._tasks and len(user.received()) == 1
    async with oa_bot.core.db.session() as session:
        keys = (await session.exec(select(OaSeenEvent.key))).all()
    assert len(keys) == 1 and all(len(k) == 64 and USER not in k for k in keys)  # a hash, naming nobody


async def test_an_oa_not_authorised_logs_once_and_sends_nothing(zalo_oa_api, database_url, caplog):  # noqa: F811
    caplog.set_level(logging.INFO)
    runner = Runner(oa_settings(zalo_oa_api, database_url))
    await runner.start()
    try:
        lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and "zalo_oa" in r.name]
        assert len(lines) == 1 and "Zalo OA chưa được cấp quyền" in lines[0] and "zalo-oa authorise" in lines[0]
        url = f"http://127.0.0.1:{runner.web.port}/zalo-oa/webhook"
        delivery = await zalo_oa_api.user_says(url, USER, "5S là gì")
        assert delivery.status == 200

        def failed() -> bool:
            return any(NOT_CONNECTED in r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)

        await until(failed, "the failed reply to be logged")
        await until(lambda: not channel_of(runner)._tasks, "the event's task to end")
        assert zalo_oa_api.sent == [] and not [path for path, _ in zalo_oa_api.calls if "/message/" in path]
        assert not any(r.levelno >= logging.ERROR for r in caplog.records)  # no crash, no traceback
    finally:
        await runner.stop()
