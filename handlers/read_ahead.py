"""A StateStore that reads a message's chat state in one query when the message starts, not one per key."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from handlers.ports import StateStore
from handlers.state_keys import chat_suffix


@dataclass
class _Snapshot:
    """What one message read ahead: key → value (None for absent), valid only in the task that read it."""

    store: ReadAheadState
    task: asyncio.Task[Any] | None
    values: dict[str, dict[str, Any] | None] = field(default_factory=dict)


# One variable for every store: a ContextVar is never freed, so one per store instance would pile up in tests.
_SNAPSHOT: ContextVar[_Snapshot | None] = ContextVar("state_read_ahead", default=None)


class ReadAheadState:
    """Wraps any StateStore. Inside `reading(keys)`, a `get` of one of those keys is answered from the one read
    made on entry; puts and deletes go to the store at once and update what was read, so the message sees its
    own writes. Everything else, and every other task (a background job started by the message included),
    goes straight to the store.

    Why: a question on Telegram read six keys (form, dropped form, case info, talking to staff, comment,
    context), six queries of about a millisecond of CPU each on the event loop, before any answer."""

    def __init__(self, inner: StateStore):
        self.inner = inner

    @asynccontextmanager
    async def reading(self, keys: list[str]) -> AsyncIterator[None]:
        snapshot = _Snapshot(self, asyncio.current_task(), await self.inner.get_many(keys))
        token = _SNAPSHOT.set(snapshot)
        try:
            yield
        finally:
            _SNAPSHOT.reset(token)
            snapshot.values.clear()  # a task that copied this context must not see stale values

    def _snapshot(self) -> _Snapshot | None:
        snapshot = _SNAPSHOT.get()
        if snapshot is None or snapshot.store is not self or snapshot.task is not asyncio.current_task():
            return None
        return snapshot

    async def get(self, key: str) -> dict[str, Any] | None:
        return (await self.get_many([key]))[key]

    async def get_many(self, keys: list[str]) -> dict[str, dict[str, Any] | None]:
        snapshot = self._snapshot()
        read = snapshot.values if snapshot is not None else {}
        # Copies, as the database gives: a caller changing what it got must not change the next reader's.
        found = {key: copy.deepcopy(read[key]) for key in keys if key in read}
        missing = [key for key in keys if key not in found]
        if len(missing) == 1:
            found[missing[0]] = await self.inner.get(missing[0])
        elif missing:
            found.update(await self.inner.get_many(missing))  # still one read for what was not read ahead
        return {key: found[key] for key in keys}

    async def put(self, key: str, value: dict[str, Any], ttl: float) -> None:
        await self.inner.put(key, value, ttl)
        snapshot = self._snapshot()
        if snapshot is not None and key in snapshot.values:
            snapshot.values[key] = copy.deepcopy(value)

    async def delete(self, key: str) -> None:
        await self.inner.delete(key)
        snapshot = self._snapshot()
        if snapshot is not None and key in snapshot.values:
            snapshot.values[key] = None

    async def forget_chat(self, channel: str, chat_id: str) -> int:
        gone = await self.inner.forget_chat(channel, chat_id)
        snapshot = self._snapshot()
        if snapshot is not None:
            suffix = chat_suffix(channel, chat_id)
            for key in snapshot.values:
                if key.endswith(suffix):
                    snapshot.values[key] = None
        return gone

    async def count_chat(self, channel: str, chat_id: str) -> int:
        return await self.inner.count_chat(channel, chat_id)
