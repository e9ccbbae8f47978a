"""The database layer on a real SQLite file and, when TEST_DATABASE_URL is set, on PostgreSQL."""

import asyncio
import dataclasses

from sqlmodel import select

from bot.db import conversation_log, live_knowledge, people
from bot.db.database import open_database
from bot.db.models import Subscriber
from bot.wiring import build_core
from knowledge.loader import load_directory


async def test_migrations_are_idempotent(db):
    await db.migrate()
    await db.migrate()
    async with db.session() as s:
        assert await live_knowledge.version(s) == 0


async def test_first_contact_races_create_one_row(db):
    async def touch(i):
        async with db.session() as s:
            await people.touch(s, "telegram", "42", "42", f"An {i}", question=f"câu {i}")

    await asyncio.gather(*(touch(i) for i in range(5)))
    async with db.session() as s:
        person = await people.get_person(s, "telegram", "42")
        count = len((await s.exec(select(Subscriber))).all())
    assert count == 1
    assert person.status == "unsubscribed" and person.display_name.startswith("An")
    assert person.last_question.startswith("câu ")


async def test_subscription_lifecycle(db):
    async with db.session() as s:
        await people.subscribe(s, "zalo", "z1", ["ocop-tccs"])
        person = await people.get_person(s, "zalo", "z1")
        assert person.status == "active" and person.topic_list == ["ocop-tccs"] and person.consent_at
        await people.set_blocked(s, "zalo", "z1", True)
        assert (await people.get_person(s, "zalo", "z1")).status == "blocked"
        await people.set_blocked(s, "zalo", "z1", False)
        assert (await people.get_person(s, "zalo", "z1")).status == "active"  # consent still stands
        assert await people.unsubscribe(s, "zalo", "z1") is True
        await people.set_blocked(s, "zalo", "z1", True)
        await people.set_blocked(s, "zalo", "z1", False)
        assert (await people.get_person(s, "zalo", "z1")).status == "unsubscribed"  # consent withdrawn


async def test_unanswered_questions_are_counted_once_per_text(db):
    async def log(text):
        async with db.session() as s:
            await conversation_log.log_unanswered(s, text, "gia vang hom nay", "fallback", None, 0.2)

    await asyncio.gather(*(log("giá vàng hôm nay?") for _ in range(4)))
    async with db.session() as s:
        rows = await conversation_log.unanswered(s)
    assert len(rows) == 1 and rows[0].count == 4


async def test_live_knowledge_is_seeded_once_and_versioned(db):
    release, _ = load_directory()
    async with db.session() as s:
        live = await live_knowledge.load_or_seed(s, release)
        assert live.version == 1 and len(live.entries) == len(release.entries)
        again = await live_knowledge.load_or_seed(s, release)
        assert again.version == 1 and again.entries == release.entries
        changed = dataclasses.replace(release.entries[0], answer="Câu trả lời đã sửa.")
        release.entries[0] = changed
        assert await live_knowledge.replace(s, release) == 2
        assert (await live_knowledge.load(s)).get(changed.id).answer == "Câu trả lời đã sửa."


async def test_two_changes_made_on_the_same_version_never_lose_one(database_url):
    """Two imports started together: one lands, the other is refused with a clear conflict, every time."""
    release, _ = load_directory()
    first_db, second_db = await open_database(database_url), await open_database(database_url)
    try:
        async with first_db.session() as s:
            base = await live_knowledge.load_or_seed(s, release)
        for trial in range(5):
            sessions = [first_db.session(), second_db.session()]
            loaded = [await live_knowledge.load(s) for s in sessions]
            assert loaded[0].version == loaded[1].version
            for n, kb in enumerate(loaded):
                kb.entries[0] = dataclasses.replace(kb.entries[0], answer=f"Bản sửa {trial}-{n}.")
            outcomes = await asyncio.gather(
                *(live_knowledge.replace(s, kb, expected=kb.version) for s, kb in zip(sessions, loaded, strict=True)),
                return_exceptions=True,
            )
            for s in sessions:
                await s.close()
            won = [n for n, o in enumerate(outcomes) if isinstance(o, int)]
            lost = [o for o in outcomes if isinstance(o, live_knowledge.KnowledgeConflict)]
            assert len(won) == 1 and len(lost) == 1, outcomes
            async with first_db.session() as s:
                live = await live_knowledge.load(s)
            assert live.version == loaded[0].version + 1
            assert live.get(base.entries[0].id).answer == f"Bản sửa {trial}-{won[0]}."
    finally:
        await first_db.dispose()
        await second_db.dispose()


async def test_running_bot_reloads_when_version_changes(db_settings):
    core = await build_core(db_settings)
    try:
        assert await core.search.reload_if_changed() is False
        kb = core.search().kb
        first = kb.entries[0]
        kb.entries[0] = dataclasses.replace(first, answer="Đã cập nhật lúc 5 giờ chiều.")
        async with core.db.session() as s:
            await live_knowledge.replace(s, kb)
        assert await core.search.reload_if_changed() is True
        assert core.search().kb.get(first.id).answer == "Đã cập nhật lúc 5 giờ chiều."
    finally:
        await core.close()


async def test_clarify_picks_are_counted_per_question_and_entry(db):
    async def pick(entry_id: str) -> None:
        async with db.writing() as s:
            await conversation_log.record_choice(s, "Chứng nhận ISO?", "chung nhan iso", entry_id)

    await asyncio.gather(*(pick("iso9001-chung-nhan") for _ in range(3)))
    await pick("iso-to-chuc-chung-nhan")
    async with db.session() as s:
        rows = await conversation_log.clarify_choices(s)
    assert [(r.entry_id, r.count) for r in rows] == [("iso9001-chung-nhan", 3), ("iso-to-chuc-chung-nhan", 1)]
