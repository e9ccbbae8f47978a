"""ReadAheadState: one read when a message starts, the message's own writes seen, other tasks untouched."""

from __future__ import annotations

import asyncio
from typing import Any

from handlers.memory_state import MemoryStateStore
from handlers.read_ahead import ReadAheadState
from handlers.state_keys import StateKind, chat_keys, state_key
from tests.harness import FakeClock, build_bot


class CountingStore(MemoryStateStore):
    """A memory store that counts the reads reaching it."""

    def __init__(self) -> None:
        super().__init__(FakeClock())
        self.gets: list[str] = []
        self.reads_of_many = 0

    async def get(self, key: str) -> dict[str, Any] | None:
        self.gets.append(key)
        return await super().get(key)

    async def get_many(self, keys: list[str]) -> dict[str, dict[str, Any] | None]:
        self.reads_of_many += 1
        return {key: await super(CountingStore, self).get(key) for key in keys}


CONTEXT = state_key(StateKind.CONTEXT, "telegram", "1")
HANDOFF = state_key(StateKind.HANDOFF, "telegram", "1")


async def test_keys_read_ahead_cost_one_read_and_others_go_to_the_store():
    inner = CountingStore()
    await inner.put(CONTEXT, {"entry_id": "ocop-la-gi"}, 60)
    state = ReadAheadState(inner)
    async with state.reading(chat_keys("telegram", "1")):
        assert await state.get(CONTEXT) == {"entry_id": "ocop-la-gi"}
        assert await state.get(HANDOFF) is None
        assert await state.get("menus:telegram:1") is None  # not read ahead
    assert inner.reads_of_many == 1
    assert inner.gets == ["menus:telegram:1"]
    assert await state.get(CONTEXT) == {"entry_id": "ocop-la-gi"}  # after the message: the store again
    assert inner.gets[-1] == CONTEXT


async def test_a_message_sees_its_own_writes_and_the_store_gets_them_at_once():
    inner = CountingStore()
    state = ReadAheadState(inner)
    async with state.reading(chat_keys("telegram", "1")):
        await state.put(CONTEXT, {"entry_id": "iso-9001"}, 60)
        assert await inner.get(CONTEXT) == {"entry_id": "iso-9001"}
        assert await state.get(CONTEXT) == {"entry_id": "iso-9001"}
        await state.delete(CONTEXT)
        assert await state.get(CONTEXT) is None
        await state.put(HANDOFF, {"request": 3}, 60)
        assert await state.forget_chat("telegram", "1") == 1
        assert await state.get(HANDOFF) is None
        assert await inner.get(HANDOFF) is None


async def test_what_a_caller_changes_in_a_value_it_got_is_not_what_the_next_reader_gets():
    inner = CountingStore()
    await inner.put(CONTEXT, {"choices": ["a", "b"]}, 60)
    state = ReadAheadState(inner)
    async with state.reading([CONTEXT]):
        got = await state.get(CONTEXT)
        assert got is not None
        got["choices"].append("c")
        assert await state.get(CONTEXT) == {"choices": ["a", "b"]}


async def test_a_task_started_by_the_message_reads_the_store_not_the_snapshot():
    inner = CountingStore()
    state = ReadAheadState(inner)
    started = asyncio.Event()
    seen: list[dict[str, Any] | None] = []

    async def later() -> None:
        await started.wait()
        seen.append(await state.get(CONTEXT))

    async with state.reading([CONTEXT]):
        task = asyncio.create_task(later())  # copies the context, snapshot included
        await inner.put(CONTEXT, {"entry_id": "written-elsewhere"}, 60)  # another process, say
        started.set()
        await task
    assert seen == [{"entry_id": "written-elsewhere"}]


async def test_two_stores_do_not_answer_from_each_others_snapshot():
    first, second = CountingStore(), CountingStore()
    await second.put(CONTEXT, {"entry_id": "only-in-second"}, 60)
    state_a, state_b = ReadAheadState(first), ReadAheadState(second)
    async with state_a.reading([CONTEXT]):
        assert await state_b.get(CONTEXT) == {"entry_id": "only-in-second"}


async def test_a_typed_question_reads_the_chat_state_in_one_read(engine):
    inner = CountingStore()
    bot = build_bot(engine, state=inner)
    talk = bot.talk("111")
    await talk.say("ISO 9001 là gì?")
    await talk.say("còn chi phí thì sao?")
    assert inner.reads_of_many == 2
    # Not one key of the chat read on its own: flows asked, the read ahead answered.
    assert [key for key in inner.gets if key.split(":")[0] in set(StateKind)] == []
    # The first answer's context was written through to the store, where the second message read it.
    assert (await inner.get(state_key(StateKind.CONTEXT, "telegram", "111"))) is not None


async def test_several_keys_outside_a_message_are_still_one_read():
    inner = CountingStore()
    await inner.put(CONTEXT, {"entry_id": "5s"}, 60)
    state = ReadAheadState(inner)
    assert await state.get_many([CONTEXT, HANDOFF]) == {CONTEXT: {"entry_id": "5s"}, HANDOFF: None}
    async with state.reading([CONTEXT]):
        assert await state.get_many([HANDOFF, CONTEXT, "menus:telegram:1"]) == {
            HANDOFF: None,
            CONTEXT: {"entry_id": "5s"},
            "menus:telegram:1": None,
        }
    assert inner.reads_of_many == 3 and inner.gets == []  # two get_many calls, one read ahead; no single gets
