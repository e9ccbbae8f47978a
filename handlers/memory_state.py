"""A StateStore in this process's memory: the console, the fast tests, and anything with one process."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from handlers.state_keys import chat_suffix

MAX_KEYS = 100_000  # past this the entries closest to expiry go first, so memory stays bounded
PURGE_EVERY = 1_000  # puts between sweeps of expired entries: idle users' state does not pile up


class MemoryStateStore:
    """Expiring key → JSON-like dict; `clock` is injectable so tests control expiry."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_keys: int = MAX_KEYS):
        self.clock = clock
        self.max_keys = max_keys
        self._items: dict[str, tuple[float, dict[str, Any]]] = {}
        self._puts = 0

    async def get(self, key: str) -> dict[str, Any] | None:
        item = self._items.get(key)
        if item is None:
            return None
        if item[0] <= self.clock():
            del self._items[key]
            return None
        return item[1]

    async def get_many(self, keys: list[str]) -> dict[str, dict[str, Any] | None]:
        return {key: await self.get(key) for key in keys}

    async def put(self, key: str, value: dict[str, Any], ttl: float) -> None:
        self._items[key] = (self.clock() + ttl, value)
        self._puts += 1
        if self._puts % PURGE_EVERY == 0 or len(self._items) > self.max_keys:
            self.purge()
        if len(self._items) > self.max_keys:
            # Still full of live entries: the tenth closest to expiry goes, so this sort is rare.
            excess = len(self._items) - self.max_keys + self.max_keys // 10
            for stale in sorted(self._items, key=lambda k: self._items[k][0])[:excess]:
                del self._items[stale]

    async def delete(self, key: str) -> None:
        self._items.pop(key, None)

    async def forget_chat(self, channel: str, chat_id: str) -> int:
        suffix = chat_suffix(channel, chat_id)
        gone = [key for key in self._items if key.endswith(suffix)]
        for key in gone:
            del self._items[key]
        return len(gone)

    async def count_chat(self, channel: str, chat_id: str) -> int:
        suffix = chat_suffix(channel, chat_id)
        now = self.clock()
        return sum(1 for key, (until, _) in self._items.items() if key.endswith(suffix) and until > now)

    def purge(self) -> int:
        now = self.clock()
        expired = [key for key, (until, _) in self._items.items() if until <= now]
        for key in expired:
            del self._items[key]
        return len(expired)

    def __len__(self) -> int:
        return len(self._items)
