"""The shared conversation state: the same contract in memory and on the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

import pytest

from bot.db.database import open_database
from bot.db.state import DatabaseStateStore
from handlers.memory_state import MemoryStateStore
from tests.harness import FakeClock


@pytest.fixture
async def db_store(database_url):
    db = await open_database(database_url)
    yield DatabaseStateStore(db)
    await db.dispose()


async def contract(store) -> None:
    assert await store.get("comment:telegram:1") is None
    await store.put("comment:telegram:1", {"feedback_id": 5}, ttl=60)
    await store.put("menus:telegram:1", {"menus": [{"text": "Chủ đề", "buttons": [], "source": None}]}, ttl=60)
    await store.put("draft:zalo:1", {"step": "text"}, ttl=60)
    assert await store.get("comment:telegram:1") == {"feedback_id": 5}
    await store.put("comment:telegram:1", {"feedback_id": 6}, ttl=60)  # a second put replaces
    assert await store.get("comment:telegram:1") == {"feedback_id": 6}
    await store.delete("comment:telegram:1")
    assert await store.get("comment:telegram:1") is None
    # Erasure drops every key of one chat and no other chat's.
    await store.put("flood:telegram:1_0", {"stamps": []}, ttl=60)  # "_" must not act as a LIKE wildcard
    assert await store.forget_chat("telegram", "1") == 1
    assert await store.get("menus:telegram:1") is None
    assert await store.get("draft:zalo:1") == {"step": "text"}
    assert await store.get("flood:telegram:1_0") == {"stamps": []}
    # Several keys in one read: absent ones as None, every asked key present once.
    many = await store.get_many(["draft:zalo:1", "comment:zalo:1", "draft:zalo:1", "x" * 300])
    assert many == {"draft:zalo:1": {"step": "text"}, "comment:zalo:1": None, "x" * 300: None}
    assert await store.get_many([]) == {}


async def test_memory_store_contract_and_expiry():
    clock = FakeClock()
    store = MemoryStateStore(clock)
    await contract(store)
    await store.put("draft:telegram:9", {"step": "time"}, ttl=10)
    clock.advance(11)
    assert await store.get("draft:telegram:9") is None


async def test_memory_store_stays_bounded_with_many_users_and_sheds_idle_ones():
    clock = FakeClock()
    store = MemoryStateStore(clock, max_keys=5_000)
    for n in range(50_000):  # a flood window for each of 50,000 users
        await store.put(f"flood:zalo:{n}", {"turns": [clock.now]}, ttl=60)
        assert len(store) <= 5_000
    clock.advance(61)
    for n in range(1_000):  # the next thousand puts sweep the idle ones out
        await store.put(f"flood:zalo:new{n}", {"turns": [clock.now]}, ttl=60)
    assert len(store) <= 1_000


async def test_database_store_contract_and_expiry(db_store):
    await contract(db_store)
    await db_store.put("draft:telegram:9", {"step": "time", "text": "Lớp 5S — {name}"}, ttl=0.2)
    assert (await db_store.get("draft:telegram:9"))["text"] == "Lớp 5S — {name}"
    await asyncio.sleep(0.4)
    assert await db_store.get("draft:telegram:9") is None
    assert await db_store.get_many(["draft:telegram:9"]) == {"draft:telegram:9": None}  # expired reads as absent
    assert await db_store.purge_expired() >= 1


async def test_database_store_is_shared_by_two_connections(database_url, db_store):
    other_db = await open_database(database_url)
    try:
        other = DatabaseStateStore(other_db)
        await db_store.put("draft:telegram:5", {"step": "audience"}, ttl=60)
        assert await other.get("draft:telegram:5") == {"step": "audience"}
        await other.delete("draft:telegram:5")
        assert await db_store.get("draft:telegram:5") is None
    finally:
        await other_db.dispose()
