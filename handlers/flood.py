"""Per-user flood guard: past N messages a minute a user is told once to slow down, then ignored briefly."""
from __future__ import annotations

import time
from collections import deque
from typing import Callable


class FloodGuard:
    """Sliding window per identity; other users are never affected."""

    def __init__(self, limit: int = 20, window: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._warned: set[str] = set()

    def check(self, identity: str) -> tuple[bool, bool, int]:
        """(allowed, warn_now, seconds_to_wait) for one incoming message."""
        now = self.clock()
        stamps = self._seen.setdefault(identity, deque())
        while stamps and now - stamps[0] > self.window:
            stamps.popleft()
        if len(stamps) < self.limit:
            stamps.append(now)
            self._warned.discard(identity)
            return True, False, 0
        wait = int(self.window - (now - stamps[0])) + 1
        first = identity not in self._warned
        self._warned.add(identity)
        if len(self._seen) > 10_000:  # forget idle users so memory stays bounded
            for key in [k for k, v in self._seen.items() if not v or now - v[-1] > self.window][:5_000]:
                self._seen.pop(key, None)
        return False, first, wait
