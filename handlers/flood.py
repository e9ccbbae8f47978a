"""Per-user flood guard that queues instead of dropping: past N messages a window, each further message waits
for its turn (the chat's messages stay in order) and the user is told once to slow down.

A message is only dropped when its turn is more than `max_wait` seconds away (a script, not a person): that
bounds what one user can hold. The window lives in a state store and expires with the user's activity.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from handlers.ports import StateStore
from handlers.state_keys import state_key


@dataclass(frozen=True)
class FloodVerdict:
    delay: float = 0.0  # seconds this message waits for its turn, from when it arrived
    turn: float = 0.0  # the clock time of its turn
    warn: bool = False  # tell the user to slow down (once per burst)
    dropped: bool = False  # too far behind: not answered


class FloodGuard:
    """Sliding window per (channel, user): the k-th message goes at least `window` after the (k-limit)-th."""

    def __init__(
        self,
        state: StateStore,
        limit: int = 20,
        window: float = 60.0,
        max_wait: float | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self.state = state
        self.limit = limit
        self.window = window
        self.max_wait = 5 * window if max_wait is None else max_wait
        self.clock = clock  # wall-clock: several processes compare each other's stamps
        self.sleep = sleep

    async def check(self, channel: str, user_id: str) -> FloodVerdict:
        """Book this message's turn; the caller waits `delay` (with `wait`) before answering it."""
        key = state_key("flood", channel, user_id)
        now = self.clock()
        stored = await self.state.get(key) or {}
        # Turns already booked (some may lie in the future); only the last `limit` matter.
        turns = [float(t) for t in stored.get("turns", []) if float(t) > now - self.window][-self.limit :]
        queued = bool(turns) and turns[-1] > now  # a burst is still waiting its turns
        warned = queued and bool(stored.get("warned"))
        dropped = queued and bool(stored.get("dropped"))
        turn = now if len(turns) < self.limit else max(now, turns[0] + self.window)
        delay = turn - now
        if delay > self.max_wait:
            await self.state.put(key, {"turns": turns, "warned": True, "dropped": True}, self.window + turns[-1] - now)
            return FloodVerdict(delay, turn, warn=not dropped, dropped=True)
        turns.append(turn)
        warn = delay > 0 and not warned
        await self.state.put(key, {"turns": turns, "warned": warned or warn, "dropped": dropped}, self.window + delay)
        return FloodVerdict(delay, turn, warn=warn)

    async def wait(self, verdict: FloodVerdict) -> None:
        """Until the message's turn (booked on arrival, so time spent queued behind the chat counts)."""
        left = verdict.turn - self.clock()
        if left > 0:
            await self.sleep(left)
