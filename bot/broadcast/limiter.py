"""Process-wide send limits per channel, with a lane for replies to users that broadcasts cannot starve."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

REPLY = "reply"
BROADCAST = "broadcast"
EARLY_WAKE = 0.002  # seconds


@dataclass(frozen=True)
class Limits:
    """Telegram's published limits by default: ~30 messages/s overall, 1/s per chat, 20/min per group."""

    per_second: float = 30.0
    per_chat_per_second: float = 1.0
    per_group_per_minute: int = 20
    # Share of each second kept for replies to users (at least one message); broadcasts use the rest.
    reply_reserve: float = 0.03


class RateLimiter:
    """Sliding windows: overall (per second), per chat, per group chat; `pause` honours a 429's retry_after."""

    def __init__(
        self,
        limits: Limits = Limits(),
        clock: Callable[[], float] = time.monotonic,
        is_group: Callable[[str], bool] = lambda chat_id: chat_id.startswith("-"),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self.limits = limits
        self.clock = clock
        self.sleep = sleep  # with `clock`, injectable: the tests run the limiter on virtual time
        self.is_group = is_group
        self._sent: deque[float] = deque()
        self._chat_last: dict[str, float] = {}
        self._group_sent: dict[str, deque[float]] = {}
        self._paused_until = 0.0
        self._broadcast_queue = asyncio.Lock()
        capacity = max(1, int(limits.per_second))
        self._broadcast_capacity = max(1, capacity - max(1, int(capacity * limits.reply_reserve)))
        self._capacity = capacity
        # Broadcasts are also paced by a token bucket: a burst at the start of each second queues in
        # the HTTP client and reaches the platform bunched, which its own window counts as over the
        # limit. The bucket holds 20 ms of sends, so pacing never hangs on asyncio.sleep's granularity.
        self._rate = float(self._broadcast_capacity)
        self._burst = max(1.0, self._rate * 0.02)
        self._tokens = self._burst
        self._refilled = clock()

    def pause(self, seconds: float) -> None:
        """The platform said "too many requests": nobody on this channel sends for `seconds`."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)

    def _chat_wait(self, lane: str, chat_id: str, now: float) -> float:
        """How long this one chat must wait (per-chat pace, group window); concerns no other chat."""
        waits = [0.0]
        last = self._chat_last.get(chat_id)
        # A reply of two messages is a burst Telegram allows; the per-chat pace binds broadcasts.
        if lane == BROADCAST and last is not None and self.limits.per_chat_per_second > 0:
            waits.append(last + 1.0 / self.limits.per_chat_per_second - now)
        if self.is_group(chat_id):
            window = self._group_sent.setdefault(chat_id, deque())
            while window and now - window[0] >= 60.0:
                window.popleft()
            if len(window) >= self.limits.per_group_per_minute:
                waits.append(window[0] + 60.0 - now)
        return max(waits)

    def _global_wait(self, lane: str, now: float) -> float:
        """How long any send on this lane must wait: pause, token bucket (broadcasts), the 1-second window."""
        while self._sent and now - self._sent[0] >= 1.0:
            self._sent.popleft()
        waits = [self._paused_until - now]
        capacity = self._capacity if lane == REPLY else self._broadcast_capacity
        if lane == BROADCAST:
            self._tokens = min(self._burst, self._tokens + (now - self._refilled) * self._rate)
            self._refilled = now
            if self._tokens < 1.0:
                waits.append((1.0 - self._tokens) / self._rate)
        if len(self._sent) >= capacity:
            waits.append(self._sent[len(self._sent) - capacity] + 1.0 - now)
        return max(waits)

    def _take(self, lane: str, chat_id: str, now: float) -> None:
        self._sent.append(now)
        if lane == BROADCAST:
            self._tokens -= 1.0
        self._chat_last[chat_id] = now
        if self.is_group(chat_id):
            self._group_sent.setdefault(chat_id, deque()).append(now)
        if len(self._chat_last) > 200_000:  # forget chats not seen for a while
            cutoff = now - 60
            self._chat_last = {c: t for c, t in self._chat_last.items() if t > cutoff}

    async def acquire(self, lane: str, chat_id: str) -> None:
        """Wait until one message to `chat_id` may go out on `lane`, and count it.

        Checks and counting happen with no await in between, so they need no lock. Broadcast waiters
        queue FIFO on one lock and only the head sleeps on the global window: hundreds of waiters
        polling it would each wake for every token. A chat's own wait is slept outside that queue, so
        one slow group chat never holds up the others; replies never join the queue at all.
        """
        while (wait := self._chat_wait(lane, chat_id, self.clock())) > 0:
            await self.sleep(wait)
        queue = self._broadcast_queue if lane == BROADCAST else contextlib.nullcontext()
        async with queue:
            while True:
                now = self.clock()
                wait = max(self._global_wait(lane, now), self._chat_wait(lane, chat_id, now))
                if wait <= 0:
                    self._take(lane, chat_id, now)
                    return
                # Replies re-check often so they slip in between broadcast sends. Broadcasts sleep until
                # just before their turn and then yield: asyncio.sleep wakes ~1 ms late, which at 30/s
                # would cost 3% of the rate, and a one-token bucket cannot bank it.
                if lane == REPLY:
                    await self.sleep(min(wait, 0.05))
                else:
                    await self.sleep(wait - EARLY_WAKE if wait > 2 * EARLY_WAKE else 0)
