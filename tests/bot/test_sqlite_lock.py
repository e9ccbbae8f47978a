"""A locked SQLite file (another process holding the write lock, as a backup or a long import does) does not make
users queue: questions are answered within 2 s while the lock is held, and what they did is recorded after."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from bot.app import Runner
from bot.db import people
from tests.bot.channels.test_telegram import make_settings
from tests.bot.test_database_fault import ask

pytestmark = pytest.mark.slow


async def test_questions_are_answered_while_another_process_holds_the_write_lock(tmp_path, telegram_api):
    path = tmp_path / "bot.db"
    # The production second per database call: the answers must not wait for the lock.
    runner = Runner(make_settings(telegram_api, f"sqlite+aiosqlite:///{path}", webhook=False, call_timeout=1.0))
    await runner.start()
    api = telegram_api

    async def deliver(update: dict) -> None:
        api.push_update(update)

    holder = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        assert await ask(api, deliver, 111, "5s la gi") < 5
        assert await runner.core.writes.flush(20)
        holder.execute("BEGIN IMMEDIATE")  # the write lock: every other writer now waits on it
        questions = {222: "kaizen la gi", 333: "iso 9001 la gi", 444: "ocop la gi"}
        took = await asyncio.gather(*(ask(api, deliver, chat, text) for chat, text in questions.items()))
        assert all(t < 2 for t in took), took
        assert "Kaizen" in api.sent(222)[-1]["text"] and "ISO 9001" in api.sent(333)[-1]["text"]
        async with runner.core.db.session() as s:  # readers still read (WAL); the writes are waiting
            assert await people.get_person(s, "telegram", "222") is None
        holder.execute("ROLLBACK")
        assert await runner.core.writes.flush(20), "the activity kept while the file was locked was not written"
        async with runner.core.db.session() as s:
            for chat, question in questions.items():
                person = await people.get_person(s, "telegram", str(chat))
                assert person is not None and person.last_question == question
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
        await runner.stop()
