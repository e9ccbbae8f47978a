"""Erasure and retention on a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set): one person
seeded in every table that can hold them, then nothing left anywhere that names or reaches them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, text, update
from sqlmodel import select

from bot import housekeeping
from bot.broadcast.audience import Audience
from bot.db import campaigns, conversation_log, deliveries, oa_recipients, people
from bot.db.campaigns import Draft
from bot.db.case_port import DatabaseCases
from bot.db.handoff_port import DatabaseHandoffs
from bot.db.models import ApplicationCase, HandoffRequest, Subscriber, UnansweredQuestion
from bot.db.people_port import DatabasePeople
from bot.db.state import DatabaseStateStore
from handlers.statuses import AskStatus, CaseEventKind, CaseStatus, HandoffAuthor, HandoffStatus, SupportNeed
from handlers.views import Application, RetentionPolicy

CHAT = "771234567"  # distinctive enough to grep every cell of every table for
NAME = "Phạm Thị Duyên"
PHONE = "0912345678"
OTHER = "889900112"
BUSINESS = "HTX Chè Duyên Hải"
TAX_CODE = "5701234567"


def application(name: str, phone: str, business: str, tax_code: str) -> Application:
    return Application(
        business_name=business,
        tax_code=tax_code,
        commune="Vân Đồn",
        sector="Chế biến nông sản",
        ocop_product=f"Chè {business}",
        ocop_stars=4,
        needs=(SupportNeed.OCOP_STANDARDS,),
        contact_name=name,
        phone=phone,
    )


async def seed_case(
    db, chat: str, name: str, phone: str, business: str, tax_code: str, channel: str = "telegram"
) -> int:
    """An application with a history: staff asking for more, the business answering, a staff note."""
    cases = DatabaseCases(db)
    case = await cases.create(channel, chat, name, application(name, phone, business, tax_code))
    note = f"Chị {name} ({business}) gửi thêm giấy phép"
    await cases.change_status(case.id, CaseStatus.NEEDS_INFO, "telegram:900", "Cán bộ Hà", note, CaseStatus.NEW)
    await cases.add_event(case.id, CaseEventKind.BUSINESS, "", name, f"{name}, MST {tax_code}, gọi {phone}")
    await cases.add_event(case.id, CaseEventKind.NOTE, "telegram:900", "Cán bộ Hà", f"Đã gọi {name} {phone}")
    return case.id


async def seed_everywhere(
    db,
    chat: str,
    name: str,
    phone: str = PHONE,
    business: str = BUSINESS,
    tax_code: str = TAX_CODE,
    channel: str = "telegram",
) -> None:
    """One person in every table a conversation can leave them in (on the Zalo OA, its follower row too)."""
    store, requests, state = DatabasePeople(db), DatabaseHandoffs(db), DatabaseStateStore(db)
    await store.touch(channel, chat, chat, name, question=f"{name} hỏi, sđt {phone}")
    await store.subscribe(channel, chat, ["ocop-tccs"])
    await store.vote(channel, chat, "5s-la-gi", False)
    await store.set_feedback_comment(channel, chat, "5s-la-gi", f"Tôi là {name}, gọi {phone}")
    await store.log_unanswered((channel, chat), f"giá vàng {chat}", f"gia vang {chat}", AskStatus.FALLBACK, None, 0.1)
    await store.record_choice((channel, chat), f"iso {chat}", f"iso {chat}", "iso9001-la-gi")
    request = await requests.open(channel, chat, chat, name, f"{name} cần tư vấn, {phone}")
    line = await requests.add_message(request.id, HandoffAuthor.USER, f"{name}: {phone}", name)
    await requests.mark_copied(line, f"telegram:-100:{chat}")
    await requests.add_message(request.id, HandoffAuthor.STAFF, f"Chào chị {name}", "Cán bộ Hà")
    await state.put(f"context:{channel}:{chat}", {"entry_id": "5s-la-gi"}, 600)
    await state.put(f"handoff:{channel}:{chat}", {"id": request.id, "name": name}, 600)
    if channel == oa_recipients.CHANNEL:
        async with db.writing() as s:
            await oa_recipients.set_following(s, chat, True, dt.datetime.now(dt.UTC))
    async with db.writing() as s:
        await campaigns.create(s, Draft("Chào {name}", Audience.parse("all")))
        await deliveries.fire_due(s, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    await seed_case(db, chat, name, phone, business, tax_code, channel)


async def everything(db) -> str:
    """Every cell of every table, as one string to search."""
    async with db.sql.connect() as connection:
        names = await connection.run_sync(lambda c: inspect(c).get_table_names())
        cells = []
        for table in names:
            for row in (await connection.execute(text(f'SELECT * FROM "{table}"'))).all():
                cells.extend(str(value) for value in row)
    return "\n".join(cells)


@pytest.mark.parametrize("channel", ["telegram", "zalo_oa"])
async def test_erasure_leaves_nothing_that_names_or_reaches_the_person(db, channel):
    await seed_everywhere(db, CHAT, NAME, channel=channel)
    await seed_everywhere(db, OTHER, "Trần Văn Bình", "0987654321", "Công ty Bình An", "5709876543", channel)
    before = await everything(db)
    for trace in (CHAT, NAME, PHONE, BUSINESS, TAX_CODE):
        assert trace in before, trace
    store = DatabasePeople(db)
    data = await store.person_data(channel, CHAT)
    assert data.person is not None and len(data.feedback) == 1 and len(data.handoffs) == 1
    assert (data.handoff_messages, data.questions, data.deliveries) == (2, 2, 2)  # two campaigns reached them
    assert data.cases == 1
    assert (data.oa is not None and data.oa.follows) if channel == "zalo_oa" else data.oa is None

    await store.delete_person(channel, CHAT)
    await DatabaseStateStore(db).forget_chat(channel, CHAT)

    after = await everything(db)
    for trace in (CHAT, NAME, "Duyên", PHONE, BUSINESS, TAX_CODE):
        assert trace not in after, trace
    assert (await store.person_data(channel, CHAT)).empty
    # The other person is untouched, and the campaign still counts two deliveries.
    assert OTHER in after and "Trần Văn Bình" in after
    kept = await store.person_data(channel, OTHER)
    assert kept.person is not None and kept.questions == 2 and kept.handoff_messages == 2 and kept.cases == 1
    assert "Công ty Bình An" in after and "5709876543" in after
    # The erased person's case stays as anonymous statistics: counted, with its commune, rating and status.
    async with db.session() as s:
        rows = (await s.exec(select(ApplicationCase).where(ApplicationCase.chat_id == ""))).all()
    assert [(r.status, r.commune, r.ocop_stars, r.needs) for r in rows] == [("needs_info", "Vân Đồn", 4, "ocop")]
    async with db.session() as s:
        assert sum((await campaigns.counts(s, 2)).values()) == 2


async def test_an_erased_request_number_never_names_a_new_request(db):
    requests = DatabaseHandoffs(db)
    first = await requests.open("telegram", CHAT, CHAT, NAME, "cần tư vấn")
    await DatabasePeople(db).delete_person("telegram", CHAT)
    second = await requests.open("telegram", OTHER, OTHER, "Bình", "hỏi")
    assert second.id != first.id  # SQLite would reuse the id of a deleted last row without AUTOINCREMENT
    assert await requests.get(first.id) is None


async def test_retention_removes_what_is_older_than_its_period(db):
    await seed_everywhere(db, CHAT, NAME)
    requests = DatabaseHandoffs(db)
    [request] = await requests.live()
    await requests.close(request.id, "xong")
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    async with db.transaction() as connection:
        await connection.execute(update(Subscriber).values(last_seen=old, status="unsubscribed"))
        await connection.execute(update(HandoffRequest).values(closed_at=old))
        await connection.execute(update(UnansweredQuestion).values(last_asked=old))
    done = await housekeeping.run_once(db, RetentionPolicy(questions_days=180, requests_days=365), 24)
    assert done["requests"] >= 3 and done["chats"] == 1 and done["questions"] >= 1
    async with db.session() as s:
        assert (await s.exec(select(UnansweredQuestion))).all() == []
        assert await people.get_person(s, "telegram", CHAT) is None
        assert await conversation_log.unanswered(s) == []


async def test_retention_anonymises_decided_cases_after_their_period(db):
    cases = DatabaseCases(db)
    decided = await seed_case(db, CHAT, NAME, PHONE, BUSINESS, TAX_CODE)
    await cases.change_status(decided, CaseStatus.ACCEPTED, "telegram:900", "Cán bộ Hà", "", CaseStatus.NEEDS_INFO)
    waiting = await seed_case(db, OTHER, "Trần Văn Bình", "0987654321", "Công ty Bình An", "5709876543")
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=731)
    async with db.transaction() as connection:
        await connection.execute(update(ApplicationCase).values(updated_at=old))
    done = await housekeeping.run_once(db, RetentionPolicy(cases_days=730), 24)
    assert done["cases"] == 1
    after = await everything(db)
    for trace in (CHAT, NAME, PHONE, BUSINESS, TAX_CODE):
        assert trace not in after, trace
    # A case still waiting on the business is not decided: it keeps everything, however old.
    assert "Công ty Bình An" in after and (await cases.get(waiting)).chat_id == OTHER
    kept = await cases.get(decided)
    assert (kept.status, kept.application.commune, kept.application.ocop_stars) == (CaseStatus.ACCEPTED, "Vân Đồn", 4)


async def test_requests_left_idle_are_closed(db):
    requests = DatabaseHandoffs(db)
    request = await requests.open("telegram", CHAT, CHAT, NAME, "cần tư vấn")
    idle_since = dt.datetime.now(dt.UTC) - dt.timedelta(hours=30)
    async with db.transaction() as connection:
        await connection.execute(update(HandoffRequest).values(last_activity_at=idle_since))
    done = await housekeeping.run_once(db, RetentionPolicy(), 24)
    assert done["idle requests closed"] == 1
    assert (await requests.get(request.id)).status is HandoffStatus.CLOSED
