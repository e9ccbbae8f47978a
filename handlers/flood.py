"""Per-user flood guard: past N messages a minute a user is told once to slow down, then ignored briefly.

The window lives in the shared state store, so it holds across processes and expires with the user's
activity: an idle user costs nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from handlers.ports import StateStore


@dataclass(frozen=True)
class FloodVerdict:
    allowed: bool
    warn: bool = False  # tell the user to slow down (once per burst)
    wait: int = 0  # seconds until the oldest message leaves the window


class FloodGuard:
    """Sliding window per (channel, user); other users are never affected."""

    def __init__(
        self, state: StateStore, limit: int = 20, window: float = 60.0, clock: Callable[[], float] = time.time
    ):
        self.state = state
        self.limit = limit
        self.window = window
        self.clock = clock  # wall-clock: several processes compare each other's stamps

    async def check(self, channel: str, user_id: str) -> FloodVerdict:
        key = f"flood:{channel}:{user_id}"
        now = self.clock()
        stored = await self.state.get(key) or {}
        stamps = [float(s) for s in stored.get("stamps", []) if now - float(s) <= self.window]
        warned = bool(stored.get("warned"))
        if len(stamps) < self.limit:
            stamps.append(now)
            await self.state.put(key, {"stamps": stamps, "warned": False}, self.window)
            return FloodVerdict(True)
        wait = int(self.window - (now - stamps[0])) + 1
        if not warned:
            await self.state.put(key, {"stamps": stamps, "warned": True}, self.window)
        return FloodVerdict(False, warn=not warned, wait=wait)
