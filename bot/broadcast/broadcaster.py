"""The broadcast engine: fire due campaigns, then claim → send (rate-limited) → settle, per channel.

All state is in the database: a row is leased ("inflight"), marked as attempted just before its HTTP call
and settled after it, so a crash can leave rows in flight but never sends one twice. At start-up an
expired lease whose request had gone out becomes "unknown" (shown to staff, never resent automatically);
one whose request had not goes back to pending. APScheduler only wakes `run`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import fcntl
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.broadcast.frequency_cap import FrequencyCap
from bot.broadcast.group_commit import GroupCommit
from bot.broadcast.limiter import BROADCAST, RateLimiter
from bot.broadcast.message import campaign_reply, link_buttons
from bot.broadcast.schedule import in_quiet_hours
from bot.channels.base import Sender, SendOutcome, SendStatus
from bot.db import deliveries
from bot.db.database import Database
from bot.db.models import Campaign, Delivery, utcnow
from handlers.statuses import CLAIMABLE_DELIVERIES, CampaignStatus, DeliveryStatus
from handlers.types import Reply

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


@dataclass
class BroadcastConfig:
    batch: int = 100
    lease: dt.timedelta = dt.timedelta(seconds=120)
    timezone: str = "Asia/Ho_Chi_Minh"
    quiet_start: str = "21:00"
    quiet_end: str = "07:00"
    tick_seconds: float = 1.0
    retry_base: float = 2.0  # seconds; doubled per attempt, capped at a minute
    loops_per_channel: int = 2  # two claim→send→settle loops overlap database work with sending
    cap: FrequencyCap = field(default_factory=FrequencyCap)
    # Sends marked as attempted ahead of their turn at the limiter, per channel: the commit of a mark then
    # never sits between a token and its request (which would bunch requests into a burst the platform
    # counts as over its limit), and a crash leaves at most this many marked rows that were never sent.
    marked_ahead: int = 3
    commit_linger: float = 0.0  # seconds a group of outcomes waits for company (see GroupCommit)


def backoff(attempts: int, base: float = 2.0) -> float:
    """Seconds before retrying a delivery the platform could not be reached for."""
    return min(60.0, base * 2.0 ** (attempts - 1))


class SqliteSenderLock:
    """On SQLite one process sends: an flock next to the database file (released if the process dies)."""

    def __init__(self, db_path: str):
        self.path = db_path + ".sender.lock"
        self._fd: int | None = None

    def acquire(self) -> bool:
        self._fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            os.close(self._fd)
            self._fd = None
            return False

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class Broadcaster:
    def __init__(
        self,
        db: Database,
        senders: dict[str, Sender],
        limiters: dict[str, RateLimiter],
        config: BroadcastConfig | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        wakeup: asyncio.Event | None = None,
        on_settled: Callable[[str, str], None] = lambda _channel, _status: None,
    ):
        self.db, self.senders, self.limiters = db, senders, limiters
        self.config, self.clock = config or BroadcastConfig(), clock
        # Set by whoever creates a campaign (the staff desk) so it goes out at once, not at the next tick.
        self._wake = wakeup or asyncio.Event()
        self.on_settled = on_settled  # (channel, delivery status) for each settled row: /metrics
        # One read per campaign and round, shared by every send of its batch (None: the campaign was deleted).
        self._campaigns: dict[int, asyncio.Task[Campaign | None]] = {}
        self._sqlite_lock = SqliteSenderLock(db.sqlite_path) if db.sqlite_path else None
        # "About to send" marks before each request, outcomes right after it: both committed per send.
        self.attempts: GroupCommit[int] = GroupCommit(
            db, lambda session, ids: deliveries.mark_attempted(session, ids, self.clock())
        )
        # Outcomes may wait a little for company: nothing waits for them but the crash window.
        self.outcomes: GroupCommit[dict[str, Any]] = GroupCommit(
            db,
            lambda session, results: deliveries.settle(session, results, self.clock()),
            self.config.commit_linger,
        )
        self._ahead = {channel: asyncio.Semaphore(max(1, self.config.marked_ahead)) for channel in senders}
        self.active = True

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        """Claim the right to send (SQLite), then turn leases left by a dead process into unknowns."""
        if self._sqlite_lock is not None and not self._sqlite_lock.acquire():
            self.active = False
            log.warning(
                "another process is already sending campaigns on this SQLite database; "
                "this one will not send (use PostgreSQL for several workers)"
            )
            return
        async with self.db.writing() as session:
            # Holding SQLite's sender lock proves no other sender lives: every in-flight row is an orphan.
            expired = await deliveries.expire_leases(session, self.clock(), every_lease=self._sqlite_lock is not None)
        if expired.requeued or expired.unknown:
            log.warning(
                "the last sender stopped mid-batch: %s deliveries never sent go out again, "
                "%s whose request had gone out are marked unknown",
                expired.requeued,
                expired.unknown,
            )

    def stop(self) -> None:
        if self._sqlite_lock is not None:
            self._sqlite_lock.release()

    def quiet(self, now: dt.datetime) -> bool:
        return in_quiet_hours(now, self.config.timezone, self.config.quiet_start, self.config.quiet_end)

    async def tick(self) -> int:
        """One round: fan out due campaigns, send what is due (outside quiet hours), close finished ones."""
        if not self.active:
            return 0
        now = self.clock()
        async with self.db.writing() as session:
            if self._sqlite_lock is None:  # several workers: a dead one's leases run out while others work
                await deliveries.expire_leases(session, now)
            await deliveries.fire_due(session, now)
        sent = 0
        if not self.quiet(now):
            results = await asyncio.gather(
                *(self.drain(channel) for channel in self.senders for _ in range(self.config.loops_per_channel))
            )
            sent = sum(results)
        async with self.db.writing() as session:
            await deliveries.finish_occurrences(session, self.clock())
        self._campaigns.clear()  # texts are re-read next round: a cancel or edit shows at once
        return sent

    async def drain(self, channel: str) -> int:
        """Send every due delivery of one channel, batch by batch; returns how many were attempted."""
        done = 0
        while not self.quiet(self.clock()):
            async with self.db.writing() as session:
                rows = await deliveries.claim(
                    session, channel, self.config.batch, self.clock(), self.config.lease, self.config.cap
                )
            if not rows:
                return done
            await asyncio.gather(*(self._send_and_settle(channel, row) for row in rows))
            done += len(rows)
        return done

    async def _send_and_settle(self, channel: str, row: Delivery) -> None:
        result = await self._send(channel, row)
        try:
            await self.outcomes.add(result)
        except Exception:
            # The row stays in flight; its lease runs out and, as it was attempted, it becomes unknown.
            log.exception("could not record the outcome of delivery %s", row.id)
            return
        self.on_settled(channel, result["status"])

    async def _read_campaign(self, campaign_id: int) -> Campaign | None:
        async with self.db.session() as session:
            return await session.get(Campaign, campaign_id)

    async def _campaign(self, campaign_id: int) -> Campaign | None:
        # A task, not a value: the first send of a batch starts the read and the others await the same one.
        if campaign_id not in self._campaigns:
            self._campaigns[campaign_id] = asyncio.ensure_future(self._read_campaign(campaign_id))
        try:
            return await asyncio.shield(self._campaigns[campaign_id])
        except Exception:
            self._campaigns.pop(campaign_id, None)  # read again next time
            raise

    @staticmethod
    def render(campaign: Campaign, name: str, channel: str) -> Reply:
        return campaign_reply(campaign.text, link_buttons(campaign.buttons), campaign.image_url, name, channel)

    async def _send(self, channel: str, row: Delivery) -> dict[str, Any]:
        campaign = await self._campaign(row.campaign_id)
        result: dict[str, Any] = {"id": row.id, "subscriber_id": row.subscriber_id, "attempts": row.attempts + 1}
        if campaign is None or campaign.status == CampaignStatus.CANCELLED:
            return {**result, "status": DeliveryStatus.CANCELLED, "attempts": row.attempts}
        async with self._ahead[channel]:
            try:
                await self.attempts.add(row.id or 0)
            except Exception as exc:
                # Not recorded as attempted, so not sent: a crash now must not leave it "unknown".
                log.warning("could not record a send before making it; it waits for the next round: %s", exc)
                return {**result, "status": DeliveryStatus.PENDING, "attempts": row.attempts, "error": "database busy"}
            await self.limiters[channel].acquire(BROADCAST, row.chat_id)
        outcome = await self.senders[channel].send(row.chat_id, self.render(campaign, row.name, channel))
        status = outcome.status
        if status is SendStatus.HELD:
            return self._held(row, result, outcome)
        if status is SendStatus.SENT:
            return {**result, "status": DeliveryStatus.SENT, "message_id": outcome.message_id or "", "error": ""}
        if status is SendStatus.RETRY:
            if outcome.retry_after:
                self.limiters[channel].pause(outcome.retry_after)
            if result["attempts"] >= MAX_ATTEMPTS:
                return {**result, "status": DeliveryStatus.FAILED, "error": f"gave up: {outcome.error}"[:500]}
            wait = outcome.retry_after or backoff(result["attempts"], self.config.retry_base)
            return {
                **result,
                "status": DeliveryStatus.PENDING,
                "error": outcome.error[:500],
                "next_attempt_at": self.clock() + dt.timedelta(seconds=wait),
            }
        return {**result, "status": status.value, "error": outcome.error[:500]}

    def _held(self, row: Delivery, result: dict[str, Any], outcome: SendOutcome) -> dict[str, Any]:
        """The platform's rules held it back (Zalo OA): recorded with their status and reason, not as a failed try.
        The attempted mark is cleared: nothing went out, so nothing may later read it as "maybe arrived". (A crash
        before this settle still leaves it unknown, as any send marked then: the sender cannot tell us sooner.)"""
        held = {
            **result,
            "status": outcome.held or DeliveryStatus.WAITING,
            "attempts": row.attempts,
            "attempted_at": None,
            "error": outcome.error[:500],
        }
        if held["status"] in CLAIMABLE_DELIVERIES:
            # Never due at once: a held row claimed again in the same drain would spin it.
            soonest = self.clock() + dt.timedelta(seconds=self.config.retry_base)
            held["next_attempt_at"] = max(outcome.retry_at or soonest, soonest)
        return held

    async def run(self, stop: asyncio.Event) -> None:
        """Tick whenever woken (APScheduler's interval job, a new campaign) until `stop` is set."""
        await self.start()
        try:
            while not stop.is_set():
                try:
                    await self.tick()
                except Exception:
                    log.exception("broadcast tick failed; retrying on the next one")
                self._wake.clear()
                waiter = asyncio.ensure_future(self._wake.wait())
                stopper = asyncio.ensure_future(stop.wait())
                await asyncio.wait(
                    {waiter, stopper}, timeout=self.config.tick_seconds * 5, return_when=asyncio.FIRST_COMPLETED
                )
                waiter.cancel()
                stopper.cancel()
        finally:
            self.stop()
