"""One business, one campaign message: chats an application linked (tax code, else mobile number) count as one
person when a campaign covers several channels, and get it once, on the chat seen last; one channel is as
before. The preview shows the number of persons the fan-out then makes rows for."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

from sqlmodel import col, select

from bot.broadcast.audience import Audience
from bot.broadcast.desk import DatabaseDesk
from bot.db import campaigns, deliveries
from bot.db.campaigns import Draft
from bot.db.case_port import DatabaseCases
from bot.db.database import Database
from bot.db.models import Delivery, Subscriber, utcnow
from bot.db.people_port import DatabasePeople
from bot.db.person_links import link_key
from handlers import texts
from handlers.answer_views import AnswerViews
from handlers.application_flow import ApplicationFlow
from handlers.ask import AskService
from handlers.campaign_flow import CampaignFlow
from handlers.case_desk import CaseDesk
from handlers.contact import FixedContacts
from handlers.conversation import Conversation
from handlers.flood import FloodGuard
from handlers.handoff import HandoffFlow
from handlers.memory_state import MemoryStateStore
from handlers.people import PeopleFlows
from handlers.ports import NoMetrics
from handlers.question_flow import QuestionFlow
from handlers.read_ahead import ReadAheadState
from handlers.statuses import SubscriberStatus
from handlers.types import Incoming
from handlers.views import CampaignDraft, ContactDetails, RetentionPolicy
from tests.fakes.memory import CollectingMessenger, MemoryDesk, MemoryHandoffs
from tests.handlers.test_application import EXPECTED, to_summary
from tests.harness import STAFF, STAFF_CHAT, FakeClock, Talk, communes

TAX = "0100233488"  # a valid check digit (python-stdnum's example)
PHONE = "0912345678"
T0 = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_the_key_is_the_tax_code_first_then_the_mobile_number_hashed():
    assert link_key(TAX, PHONE) == sha(f"tax:{TAX}")
    assert link_key(" 0100 233 488 ", "") == link_key("0100.233.488") == sha(f"tax:{TAX}")
    assert link_key("", "+84 912 345 678") == link_key(phone="0912.345.678") == sha(f"phone:{PHONE}")
    assert link_key("0100233480", PHONE) == sha(f"phone:{PHONE}")  # a mistyped tax code: the phone links
    assert link_key("0100233488-001") == sha("tax:0100233488001")  # a branch is a unit of its own
    assert link_key("", "") == link_key("abc", "0203 123 456") == ""  # nothing usable (a landline) links nothing
    assert TAX not in link_key(TAX) and PHONE not in link_key(phone=PHONE)


async def seed(db: Database, channel: str, chat_id: str, seen: dt.datetime, key: str = "", active: bool = True):
    async with db.writing() as s:
        status = SubscriberStatus.ACTIVE if active else SubscriberStatus.UNSUBSCRIBED
        s.add(
            Subscriber(
                channel=channel, chat_id=chat_id, display_name=chat_id, status=status, last_seen=seen, link_key=key
            )
        )
        await s.commit()


async def seed_abc(db: Database) -> None:
    """A: telegram + OA linked by tax code, OA seen last; B: Zalo bot + telegram linked by phone, telegram seen
    last; C: telegram and OA, never applied (two people as far as anyone can tell)."""
    a, b = link_key(tax_code=TAX), link_key(phone=PHONE)
    await seed(db, "telegram", "a-tg", T0, a)
    await seed(db, "zalo_oa", "a-oa", T0 + dt.timedelta(hours=1), a)
    await seed(db, "zalo", "b-zl", T0, b)
    await seed(db, "telegram", "b-tg", T0 + dt.timedelta(minutes=5), b)
    await seed(db, "telegram", "c-tg", T0 + dt.timedelta(days=1))
    await seed(db, "zalo_oa", "c-oa", T0 + dt.timedelta(days=1))


async def fan_out(db: Database, audience: str) -> set[tuple[str, str]]:
    """Create a campaign to `audience`, fire it, and return where its deliveries go."""
    now = utcnow()
    async with db.writing() as s:
        campaign = await campaigns.create(s, Draft("Hội thảo chuyển đổi số, 10/12.", Audience.parse(audience)), now)
        await deliveries.fire_due(s, now)
        rows = (await s.exec(select(Delivery).where(Delivery.campaign_id == campaign.id))).all()
    places = [(r.channel, r.chat_id) for r in rows]
    assert len(places) == len(set(places))
    return set(places)


async def test_every_channel_reaches_each_linked_business_once_on_its_latest_chat(db):
    await seed_abc(db)
    async with db.session() as s:
        assert await campaigns.audience_size(s, "all") == 4
    assert await fan_out(db, "all") == {
        ("zalo_oa", "a-oa"),
        ("telegram", "b-tg"),
        ("telegram", "c-tg"),
        ("zalo_oa", "c-oa"),
    }


async def test_one_channel_is_as_before_and_two_named_channels_merge_within_them(db):
    await seed_abc(db)
    async with db.session() as s:
        assert await campaigns.audience_size(s, "channel:telegram") == 3
        assert await campaigns.audience_size(s, "channel:zalo") == 1
    assert await fan_out(db, "channel:telegram") == {("telegram", "a-tg"), ("telegram", "b-tg"), ("telegram", "c-tg")}
    assert await fan_out(db, "channel:zalo") == {("zalo", "b-zl")}
    # A's OA chat is outside this audience, so its Telegram chat is the one that counts.
    assert await fan_out(db, "channel:telegram,channel:zalo") == {
        ("telegram", "a-tg"),
        ("telegram", "b-tg"),
        ("telegram", "c-tg"),
    }


async def test_only_active_chats_compete_and_ties_go_to_telegram_then_the_oa(db):
    left, tie, three = link_key(tax_code="0100233488-002"), link_key(phone="0387 654 321"), link_key(phone="0701234567")
    await seed(db, "zalo_oa", "d-oa", T0 + dt.timedelta(days=2), left, active=False)  # unsubscribed there
    await seed(db, "zalo", "d-zl", T0, left)
    await seed(db, "zalo", "e-zl", T0, tie)
    await seed(db, "telegram", "e-tg", T0, tie)
    await seed(db, "zalo", "f-zl", T0, three)
    await seed(db, "zalo_oa", "f-oa", T0, three)
    assert await fan_out(db, "all") == {("zalo", "d-zl"), ("telegram", "e-tg"), ("zalo_oa", "f-oa")}


async def test_the_preview_counts_the_persons_the_fan_out_then_makes(db):
    await seed_abc(db)
    desk = DatabaseDesk(db, "Asia/Ho_Chi_Minh", topics=lambda: [], wake=lambda: None, communes=communes())
    _words, size = await desk.reach("all")  # the console's preview
    sizes = {o.expression: o.size for o in await desk.audience_options()}  # the chat's audience buttons
    assert size == sizes["all"] == 4 and sizes["channel:telegram"] == 3
    campaign_id = await desk.create(CampaignDraft("Hội thảo chuyển đổi số, 10/12."), created_by=STAFF)
    async with db.writing() as s:
        await deliveries.fire_due(s, utcnow() + dt.timedelta(seconds=1))
        made = (await s.exec(select(Delivery.id).where(col(Delivery.campaign_id) == campaign_id))).all()
    assert len(made) == size


def conversation_over(db: Database, engine) -> tuple[Conversation, DatabasePeople]:
    """The conversation as tests/harness.py builds it, with the database's people and case stores."""
    clock = FakeClock()
    state = ReadAheadState(MemoryStateStore(clock))
    people_store, handoffs, messenger = DatabasePeople(db), MemoryHandoffs(), CollectingMessenger()
    contacts = FixedContacts(ContactDetails("Sở Thử nghiệm", phone="(liên hệ)"))
    ask = AskService(lambda: engine, contacts)
    staff = frozenset({STAFF})
    people = PeopleFlows(people_store, state, lambda: engine.kb.menu_topics(), staff, RetentionPolicy())
    handoff = HandoffFlow(handoffs, people_store, state, messenger, contacts, staff, STAFF_CHAT, sleep=clock.sleep)
    flood = FloodGuard(MemoryStateStore(clock), limit=20, clock=clock, sleep=clock.sleep)
    case_desk = CaseDesk(DatabaseCases(db), state, messenger, STAFF_CHAT, communes())
    applications = ApplicationFlow(state, case_desk, people_store, communes(), ask)
    answers = AnswerViews(ask, people)
    questions = QuestionFlow(ask, people, state, NoMetrics(), answers)
    flows = (ask, people, handoff, flood, CampaignFlow(MemoryDesk(), state), state, messenger)
    return Conversation(*flows, applications, case_desk, answers, questions), people_store


class DbTalk(Talk):
    """Talk's helpers, over a conversation that is not the harness's Bot."""

    def __init__(self, conversation: Conversation, channel: str, chat_id: str):
        self.conversation = conversation
        super().__init__(None, channel, chat_id, chat_id, "Lan")  # type: ignore[arg-type]

    async def _send(self, incoming: Incoming):
        got = await self.conversation.handle(incoming)
        self.replies.extend(got)
        return got


async def key_of(db: Database, channel: str, chat_id: str) -> str | None:
    async with db.session() as s:
        row = (
            await s.exec(select(Subscriber).where(Subscriber.channel == channel, Subscriber.chat_id == chat_id))
        ).first()
    return row.link_key if row is not None else None


async def test_applying_in_chat_links_the_chat_and_show_my_data_says_so(db, engine):
    conversation, people = conversation_over(db, engine)
    telegram = DbTalk(conversation, "telegram", "111")
    await telegram.say("/dangky")  # subscribed on Telegram first
    assert (await people.person_data("telegram", "111")).person.linked is False
    await to_summary(telegram)
    await telegram.press(texts.APPLY_SUBMIT)
    assert await key_of(db, "telegram", "111") == link_key(TAX) == link_key(EXPECTED.tax_code)
    mine = (await telegram.say("/dulieucuatoi"))[-1].text
    assert "liên kết với các kênh khác" in mine and TAX not in mine.split("Liên kết kênh")[1]
    # The same business applies again from the OA: a chat the bot has not stored yet gets its row and the key.
    oa = DbTalk(conversation, "zalo_oa", "oa-7")
    await to_summary(oa)
    await oa.press(texts.APPLY_SUBMIT)
    assert await key_of(db, "zalo_oa", "oa-7") == link_key(TAX)
    # Erasing the OA chat takes its link with the row; the Telegram chat keeps its own.
    await oa.say("/xoadulieu")
    await oa.press(texts.DELETE_YES)
    assert await key_of(db, "zalo_oa", "oa-7") is None
    assert await key_of(db, "telegram", "111") == link_key(TAX)


async def test_a_later_application_relinks_and_one_without_usable_ids_keeps_the_link(db):
    people = DatabasePeople(db)
    await people.set_profile("zalo", "z-1", dataclasses.replace(EXPECTED, tax_code="", phone="0387 654 321"))
    assert await key_of(db, "zalo", "z-1") == link_key(phone="0387654321")
    await people.set_profile("zalo", "z-1", EXPECTED)  # now with the tax code: the business's own key
    assert await key_of(db, "zalo", "z-1") == link_key(TAX)
    await people.set_profile("zalo", "z-1", dataclasses.replace(EXPECTED, tax_code="", phone=""))
    assert await key_of(db, "zalo", "z-1") == link_key(TAX)
