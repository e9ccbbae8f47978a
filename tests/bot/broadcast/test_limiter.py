"""The process-wide limiter: broadcast pace, the reply lane, per-chat and group windows, 429 pauses.

The limiter runs on virtual time (an injected clock and sleep), so assertions are about order and the
limiter's own clock, never about how fast the machine is; throughput is measured in bench/broadcast.py.
"""

import asyncio

from bot.broadcast.limiter import BROADCAST, REPLY, Limits, RateLimiter


class VirtualTime:
    """A clock that moves only when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        # Even a zero sleep lets a little time pass, as on a real machine; else a waiter spins forever.
        self.now += max(0.0005, seconds)
        await asyncio.sleep(0)  # let the other waiters run, as a real sleep would


def limiter_on(virtual: VirtualTime, limits: Limits) -> RateLimiter:
    return RateLimiter(limits, clock=virtual.clock, sleep=virtual.sleep)


class Recorder:
    def __init__(self, limiter: RateLimiter):
        self.limiter = limiter
        self.events: list[tuple[str, float]] = []

    async def take(self, lane: str, chat_id: str, label: str) -> None:
        await self.limiter.acquire(lane, chat_id)
        self.events.append((label, self.limiter.clock()))

    def order(self) -> list[str]:
        return [label for label, _ in self.events]


async def test_broadcasts_keep_pace_and_replies_cut_in():
    limiter = limiter_on(VirtualTime(), Limits(per_second=20))
    rec = Recorder(limiter)
    tasks = [asyncio.create_task(rec.take(BROADCAST, str(1000 + i), f"b{i}")) for i in range(40)]
    while len(rec.events) < 3:  # the broadcast is under way, with a queue behind it
        await asyncio.sleep(0)
    await rec.take(REPLY, "42", "reply")
    await asyncio.gather(*tasks)
    assert rec.order().index("reply") < 10  # not behind the 37 queued broadcasts
    stamps = [t for label, t in rec.events if label.startswith("b")]
    for start in stamps:  # no one-second window holds more than the broadcast share (20 less the reserve)
        assert sum(1 for s in stamps if start <= s < start + 1.0) <= 19


async def test_per_chat_pace_binds_broadcasts_but_not_reply_bursts():
    limiter = limiter_on(VirtualTime(), Limits(per_second=100))
    rec = Recorder(limiter)
    await rec.take(BROADCAST, "7", "first")
    second = asyncio.create_task(rec.take(BROADCAST, "7", "second"))
    await rec.take(REPLY, "8", "reply-1")
    await rec.take(REPLY, "8", "reply-2")
    await second
    assert rec.order() == ["first", "reply-1", "reply-2", "second"]
    times = dict(rec.events)
    assert times["second"] - times["first"] >= 1.0  # one per second per chat, on the limiter's clock


async def test_a_slow_group_does_not_hold_up_other_chats():
    limiter = limiter_on(VirtualTime(), Limits(per_second=100, per_group_per_minute=1))
    rec = Recorder(limiter)
    await rec.take(BROADCAST, "-100", "group-1")
    waiting = asyncio.create_task(rec.take(BROADCAST, "-100", "group-2"))  # its window frees in a minute
    await asyncio.sleep(0)
    await rec.take(BROADCAST, "5", "private")
    assert rec.order() == ["group-1", "private"]
    waiting.cancel()


async def test_pause_after_a_429_stops_everyone_on_the_channel():
    limiter = limiter_on(VirtualTime(), Limits(per_second=100))
    limiter.pause(0.3)
    resume = limiter.clock() + 0.3
    rec = Recorder(limiter)
    await rec.take(REPLY, "1", "reply")
    await rec.take(BROADCAST, "2", "broadcast")
    assert all(t >= resume for _, t in rec.events)
