"""The case store on a real database (and its in-memory fake, which must behave the same): applications stored
with their consent, their history, the one-winner status change, and anonymisation by erasure and retention."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import delete, inspect, update
from sqlmodel import col

from bot.db import retention
from bot.db.case_port import DatabaseCases
from bot.db.database import MIGRATIONS, Database
from bot.db.models import ApplicationCase, CaseEvent
from bot.db.people_port import DatabasePeople
from bot.settings import load_settings
from handlers.statuses import CaseEventKind, CaseStatus, SupportNeed
from handlers.views import Application, RetentionPolicy
from tests.fakes.memory import MemoryCases, MemoryPeople

CHAT, OTHER = "771234567", "889900112"
APPLICATION = Application(
    business_name="HTX Chè Đường Hoa",
    tax_code="5701234567",
    commune="Hải Hà",
    sector="Chế biến nông sản",
    ocop_product="Chè Đường Hoa",
    ocop_stars=4,
    needs=(SupportNeed.OCOP_STANDARDS, SupportNeed.TRACEABILITY),
    contact_name="Phạm Thị Duyên",
    phone="0912345678",
)
STAFF, STAFF_NAME = "telegram:900", "Cán bộ Hà"


@pytest.fixture(params=["database", "memory"])
async def store(request, database_url):
    """Both implementations of CaseStore, run through the same tests."""
    if request.param == "memory":
        yield MemoryCases()
        return
    db = Database(database_url)
    await db.migrate()
    yield DatabaseCases(db)
    await db.dispose()


async def test_a_case_is_stored_with_its_first_status_and_consent(store):
    before = dt.datetime.now(dt.UTC)
    case = await store.create("zalo", CHAT, "Duyên", APPLICATION)
    assert case.status is CaseStatus.NEW and case.application == APPLICATION
    assert case.reference == f"HS{case.id}-{case.code}" and case.code
    assert (case.channel, case.chat_id) == ("zalo", CHAT)
    assert case.created_at is not None and case.created_at >= before
    assert await store.get(case.id) == case
    assert await store.get(case.id + 100) is None
    [first] = await store.events(case.id)
    assert (first.kind, first.status, first.actor, first.text) == (CaseEventKind.STATUS, CaseStatus.NEW, "", "")


async def test_chats_list_their_own_cases_newest_first_and_staff_filter_by_status(store):
    first = await store.create("zalo", CHAT, "Duyên", APPLICATION)
    second = await store.create("zalo", CHAT, "Duyên", APPLICATION)
    other = await store.create("telegram", OTHER, "Bình", APPLICATION)
    assert [c.id for c in await store.for_chat("zalo", CHAT)] == [second.id, first.id]
    assert [c.id for c in await store.for_chat("telegram", CHAT)] == []
    assert [c.id for c in await store.listing()] == [other.id, second.id, first.id]
    assert [c.id for c in await store.listing(limit=2)] == [other.id, second.id]
    await store.change_status(first.id, CaseStatus.RECEIVED, STAFF, STAFF_NAME, "", CaseStatus.NEW)
    assert [c.id for c in await store.listing(CaseStatus.RECEIVED)] == [first.id]
    assert [c.id for c in await store.listing(CaseStatus.NEW)] == [other.id, second.id]


async def test_a_status_change_and_notes_make_the_history(store):
    case = await store.create("zalo", CHAT, "Duyên", APPLICATION)
    moved = await store.change_status(case.id, CaseStatus.RECEIVED, STAFF, STAFF_NAME, "Đã nhận", CaseStatus.NEW)
    assert moved is not None and moved.status is CaseStatus.RECEIVED
    assert (await store.get(case.id)).status is CaseStatus.RECEIVED
    await store.add_event(case.id, CaseEventKind.NOTE, STAFF, STAFF_NAME, "Gọi lại thứ Hai")
    await store.add_event(case.id, CaseEventKind.BUSINESS, "", "Duyên", "x" * 5000)
    await store.add_event(case.id + 100, CaseEventKind.NOTE, STAFF, STAFF_NAME, "không có hồ sơ này")
    history = await store.events(case.id)
    assert [(e.kind, e.status) for e in history] == [
        (CaseEventKind.STATUS, CaseStatus.NEW),
        (CaseEventKind.STATUS, CaseStatus.RECEIVED),
        (CaseEventKind.NOTE, None),
        (CaseEventKind.BUSINESS, None),
    ]
    assert (history[1].actor, history[1].actor_name, history[1].text) == (STAFF, STAFF_NAME, "Đã nhận")
    assert history[2].text == "Gọi lại thứ Hai" and len(history[3].text) == 4000
    assert await store.events(case.id + 100) == []
    assert await store.change_status(case.id + 100, CaseStatus.CLOSED, STAFF, STAFF_NAME, "", CaseStatus.NEW) is None


async def test_two_staff_changing_the_same_case_at_once_one_wins(store):
    case = await store.create("zalo", CHAT, "Duyên", APPLICATION)
    results = await asyncio.gather(
        store.change_status(case.id, CaseStatus.RECEIVED, STAFF, STAFF_NAME, "tôi nhận", CaseStatus.NEW),
        store.change_status(case.id, CaseStatus.NOT_ELIGIBLE, "telegram:901", "Cán bộ Lan", "", CaseStatus.NEW),
    )
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    assert (await store.get(case.id)).status is winners[0].status
    assert len(await store.events(case.id)) == 2  # the first line and the winner's; the loser wrote nothing
    # A change from a status the case no longer has changes nothing.
    assert await store.change_status(case.id, CaseStatus.CLOSED, STAFF, STAFF_NAME, "", CaseStatus.NEW) is None
    assert (await store.get(case.id)).status is winners[0].status


async def test_two_processes_changing_the_same_case_at_once_one_wins(database_url):
    """Two Database objects on one database: no in-process lock between them, only the conditional UPDATE."""
    first, second = Database(database_url), Database(database_url)
    await first.migrate()
    try:
        case = await DatabaseCases(first).create("zalo", CHAT, "Duyên", APPLICATION)
        for expected, target in ((CaseStatus.NEW, CaseStatus.RECEIVED), (CaseStatus.RECEIVED, CaseStatus.REVIEWING)):
            results = await asyncio.gather(
                DatabaseCases(first).change_status(case.id, target, STAFF, STAFF_NAME, "", expected),
                DatabaseCases(second).change_status(case.id, target, "telegram:901", "Lan", "", expected),
            )
            assert sum(r is not None for r in results) == 1
        assert (await DatabaseCases(second).get(case.id)).status is CaseStatus.REVIEWING
        assert len(await DatabaseCases(second).events(case.id)) == 3
    finally:
        await first.dispose()
        await second.dispose()


async def _lived_through(store):
    """A case with a status note, a staff note and the business's answer, and another chat's case."""
    case = await store.create("zalo", CHAT, "Duyên", APPLICATION)
    note = f"Chị {APPLICATION.contact_name} bổ sung giấy phép, gọi {APPLICATION.phone}"
    await store.change_status(case.id, CaseStatus.NEEDS_INFO, STAFF, STAFF_NAME, note, CaseStatus.NEW)
    await store.add_event(case.id, CaseEventKind.BUSINESS, "", "Duyên", f"Giấy phép số 12, MST {APPLICATION.tax_code}")
    await store.add_event(case.id, CaseEventKind.NOTE, STAFF, STAFF_NAME, f"Đã gọi {APPLICATION.phone}")
    await store.change_status(case.id, CaseStatus.ACCEPTED, STAFF, STAFF_NAME, "Đủ điều kiện", CaseStatus.NEEDS_INFO)
    other = await store.create("telegram", OTHER, "Bình", APPLICATION)
    return case, other


async def _assert_anonymous(store, case_id: int) -> None:
    case = await store.get(case_id)
    assert case.chat_id == "" and case.status is CaseStatus.ACCEPTED and case.channel == "zalo"
    assert case.application == Application(
        business_name="",
        tax_code="",
        commune="Hải Hà",
        sector="Chế biến nông sản",
        ocop_stars=4,
        needs=(SupportNeed.OCOP_STANDARDS, SupportNeed.TRACEABILITY),
    )
    history = await store.events(case_id)
    assert [(e.kind, e.status) for e in history] == [
        (CaseEventKind.STATUS, CaseStatus.NEW),
        (CaseEventKind.STATUS, CaseStatus.NEEDS_INFO),
        (CaseEventKind.NOTE, None),
        (CaseEventKind.STATUS, CaseStatus.ACCEPTED),
    ]
    assert all(e.text == "" for e in history)


async def test_erasure_keeps_only_anonymous_statistics_of_a_case(db):
    store, people = DatabaseCases(db), DatabasePeople(db)
    await people.touch("zalo", CHAT, CHAT, "Duyên")
    case, other = await _lived_through(store)
    assert (await people.person_data("zalo", CHAT)).cases == 1
    await people.delete_person("zalo", CHAT)
    await _assert_anonymous(store, case.id)
    assert await store.for_chat("zalo", CHAT) == []
    assert (await people.person_data("zalo", CHAT)).cases == 0
    assert await store.get(other.id) == other  # another chat's case is untouched
    assert len(await store.events(other.id)) == 1


async def test_memory_erasure_does_what_the_database_does():
    store = MemoryCases()
    people = MemoryPeople(cases=store)
    case, other = await _lived_through(store)
    assert (await people.person_data("zalo", CHAT)).cases == 1
    await people.delete_person("zalo", CHAT)
    await _assert_anonymous(store, case.id)
    assert (await people.person_data("zalo", CHAT)).cases == 0
    assert await store.get(other.id) == other


async def test_retention_anonymises_decided_cases_untouched_for_the_period(db):
    store = DatabaseCases(db)
    decided, _other = await _lived_through(store)
    open_case = await store.create("zalo", CHAT, "Duyên", APPLICATION)  # still new: staff have yet to act
    recent = await store.create("zalo", CHAT, "Duyên", APPLICATION)
    await store.change_status(recent.id, CaseStatus.CLOSED, STAFF, STAFF_NAME, "", CaseStatus.NEW)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=800)
    async with db.transaction() as connection:
        await connection.execute(
            update(ApplicationCase)
            .where(col(ApplicationCase.id).in_([decided.id, open_case.id]))
            .values(updated_at=old)
        )
    async with db.writing() as session:
        done = await retention.purge(session, RetentionPolicy(cases_days=730), dt.datetime.now(dt.UTC))
    assert done["cases"] == 1
    await _assert_anonymous(store, decided.id)
    assert (await store.get(open_case.id)).application == APPLICATION
    assert (await store.get(recent.id)).application == APPLICATION
    async with db.writing() as session:  # a second pass finds nothing left to do
        assert (await retention.purge(session, RetentionPolicy(cases_days=730), dt.datetime.now(dt.UTC)))["cases"] == 0


async def test_an_anonymised_or_deleted_case_number_never_names_a_new_case(db):
    store = DatabaseCases(db)
    first = await store.create("zalo", CHAT, "Duyên", APPLICATION)
    async with db.transaction() as connection:  # even a row deleted by hand does not give its number back
        await connection.execute(delete(CaseEvent))
        await connection.execute(delete(ApplicationCase))
    second = await store.create("zalo", OTHER, "Bình", APPLICATION)
    assert second.id > first.id


async def test_the_migration_goes_down_and_up_again(db):
    def tables(connection) -> set[str]:
        return set(inspect(connection).get_table_names())

    def move(connection, where: str) -> None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        (command.downgrade if where == "0010" else command.upgrade)(config, where)

    async with db.sql.begin() as connection:
        assert {"application_case", "case_event"} <= await connection.run_sync(tables)
        await connection.run_sync(move, "0010")
        assert not {"application_case", "case_event"} & await connection.run_sync(tables)
        await connection.run_sync(move, "head")
    case = await DatabaseCases(db).create("zalo", CHAT, "Duyên", APPLICATION)
    assert (await DatabaseCases(db).get(case.id)).application == APPLICATION


def test_the_retention_of_cases_is_a_setting(monkeypatch):
    monkeypatch.delenv("RETENTION_CASES_DAYS", raising=False)
    assert load_settings(_env_file=None).retention.cases_days == 730
    monkeypatch.setenv("RETENTION_CASES_DAYS", "365")
    assert load_settings(_env_file=None).retention.cases_days == 365
