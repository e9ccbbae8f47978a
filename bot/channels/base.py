"""The channel base: what every platform adapter shares (repeat filter, per-chat order, reply delivery, send
with one retry), so each platform module keeps only parsing, rendering and its API calls."""

from __future__ import annotations

import abc
import asyncio
import datetime as dt
import logging
import time
from collections import OrderedDict
from collections.abc import Coroutine, Hashable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Protocol

from aiohttp import web

from bot.broadcast.limiter import REPLY, RateLimiter
from bot.channels.relay import Relay
from bot.metrics import Metrics
from handlers import texts
from handlers.conversation import Conversation
from handlers.flood import FloodVerdict
from handlers.statuses import ChatEvent, DeliveryStatus
from handlers.types import Incoming, Reply
from handlers.views import Sent

log = logging.getLogger(__name__)

SEEN_UPDATES = 10_000  # update ids remembered to answer a redelivered update once
CHAT_LOCKS = 10_000  # idle per-chat locks kept before they are dropped
MAX_RETRY_WAIT = 30.0  # seconds an answer waits after "too many requests", at most


class SendStatus(StrEnum):
    """How one send ended, in the broadcast engine's terms (DESIGN.md, "Broadcasts")."""

    SENT = "sent"  # the platform accepted it; message_id is set
    RETRY = "retry"  # rate limited (wait retry_after) or not reached (connection refused): try again
    BLOCKED = "blocked"  # the user blocked the bot / forbidden: never send again, mark inactive
    FAILED = "failed"  # rejected for good (bad request, chat not found)
    UNKNOWN = "unknown"  # the request went out and no answer came back: it may have arrived
    # The platform's rules hold it back (Zalo OA: a cap, a quota, sending hours): nothing was sent and it is
    # not a failed try; `held` is the delivery status to record, `retry_at` when to try again (None: never).
    HELD = "held"


@dataclass(frozen=True)
class SendOutcome:
    status: SendStatus
    message_id: str | None = None
    retry_after: float | None = None
    error: str = ""  # for HELD: why, as staff read it (the rules' Vietnamese label)
    held: DeliveryStatus | None = None  # HELD only: waiting, quota_used_up, outside_window, blocked, pending
    retry_at: dt.datetime | None = None  # HELD only: when the delivery is claimable again


class Sender(Protocol):
    """Sends one campaign message to one chat; knows nothing of campaigns."""

    channel: str

    async def send(self, chat_id: str, reply: Reply) -> SendOutcome: ...

    async def close(self) -> None: ...


class Channel(Protocol):
    """A running platform adapter, as the runner and the web server see it."""

    @property
    def name(self) -> str: ...  # read-only, so ChannelBase's class constant satisfies it

    def register_routes(self, app: web.Application) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class ChannelBase(abc.ABC):
    """Shared inbound and outbound mechanics; subclasses implement `render` and `send_part`."""

    name: ClassVar[str]

    def __init__(self, conversation: Conversation, relay: Relay, limiter: RateLimiter, metrics: Metrics):
        self.conversation = conversation
        self.relay = relay
        self.limiter = limiter
        self.metrics = metrics
        self._seen: OrderedDict[Hashable, None] = OrderedDict()
        self._chat_locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()  # updates being handled (webhook and polling channels)
        relay.register(self.name, self.send_for_relay)

    def register_routes(self, app: web.Application) -> None:  # noqa: B027 - a hook: polling channels add none
        """Webhook routes, for the channels that take webhooks."""

    @abc.abstractmethod
    async def start(self) -> None:
        """Begin taking updates (polling, or registering the webhook with the platform)."""

    @abc.abstractmethod
    async def stop(self) -> None:
        """Stop taking updates and close the platform client."""

    # -- inbound ---------------------------------------------------------------------------------
    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Handle an update in its own task (the webhook answers the platform at once), kept until it ends."""
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def finish_tasks(self, timeout: float = 5.0) -> None:
        """At stop: answers being written finish; stragglers (typing indicators…) are cancelled after `timeout`."""
        if not self._tasks:
            return
        _done, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def first_time(self, key: Hashable) -> bool:
        """False for an update seen before (platforms redeliver when an answer was slow)."""
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > SEEN_UPDATES:
            self._seen.popitem(last=False)
        return True

    async def handle(self, incoming: Incoming, context: Any = None) -> None:
        """Answer one update: one chat's messages in order, other chats concurrently; errors get a polite note."""
        chat_id = incoming.chat_id
        started = time.perf_counter()
        # The flood guard books the turn on arrival: time queued behind the chat's earlier messages counts.
        admitted = await self.conversation.admit(incoming)
        lock = self._chat_locks.setdefault(chat_id, asyncio.Lock())
        async with lock:
            try:
                for reply in await self.respond(incoming, admitted):
                    if reply.edit and await self.edit(context, reply):
                        continue
                    if reply.edit and reply.buttons_only:
                        # Could not swap the buttons in place: say it as a new message, without the buttons
                        # (they belong to the message above).
                        if reply.text:
                            await self.send_reply(chat_id, Reply(reply.text))
                        continue
                    await self.send_reply(chat_id, reply)
            except Exception:
                log.exception("%s: a message in chat %s failed", self.name, chat_id)
                await self.send_reply(chat_id, Reply(texts.INTERNAL_ERROR))
        self.metrics.reply(self.name, time.perf_counter() - started)
        if not lock.locked() and len(self._chat_locks) > CHAT_LOCKS:
            self._chat_locks.pop(chat_id, None)

    async def respond(self, incoming: Incoming, admitted: FloodVerdict | None = None) -> list[Reply]:
        """The replies to one update; text-only channels first map typed numbers to buttons."""
        return await self.conversation.handle(incoming, admitted)

    async def edit(self, context: Any, reply: Reply) -> bool:
        """Replace the pressed message in place where the platform can; False sends a new message."""
        return False

    async def report(self, chat_id: str, event: ChatEvent) -> None:
        """Tell the core about a chat event (the user blocked or unblocked the bot)."""
        await self.conversation.handle(Incoming(self.name, chat_id, chat_id, event=event))

    # -- outbound --------------------------------------------------------------------------------
    @abc.abstractmethod
    async def render(self, chat_id: str, reply: Reply) -> list[Any]:
        """The platform messages one reply becomes (split to the platform's length limit)."""

    @abc.abstractmethod
    async def send_part(self, chat_id: str, part: Any, last: bool) -> SendOutcome:
        """One platform call; never raises for a platform or network error."""

    async def send_for_relay(self, chat_id: str, reply: Reply) -> Sent:
        """send_reply in the conversation's terms (handlers.ports.Messenger, through the relay)."""
        outcome = await self.send_reply(chat_id, reply)
        return Sent(outcome.status is SendStatus.SENT, outcome.message_id, blocked=outcome.status is SendStatus.BLOCKED)

    async def send_reply(self, chat_id: str, reply: Reply) -> SendOutcome:
        """Send one reply, part by part, on the limiter's reply lane; one retry after "too many requests"."""
        outcome = SendOutcome(SendStatus.FAILED, error="nothing sent")
        parts = await self.render(chat_id, reply)
        for index, part in enumerate(parts):
            for attempt in range(2):
                await self.limiter.acquire(REPLY, chat_id)
                outcome = await self.send_part(chat_id, part, index == len(parts) - 1)
                if outcome.status is SendStatus.RETRY and attempt == 0:
                    await asyncio.sleep(min(outcome.retry_after or 1.0, MAX_RETRY_WAIT))
                    continue
                break
            if outcome.status is not SendStatus.SENT:
                if outcome.status is SendStatus.BLOCKED:
                    await self.report(chat_id, ChatEvent.BLOCKED)
                log.warning("%s: send to %s failed: %s %s", self.name, chat_id, outcome.status.value, outcome.error)
                return outcome
        return outcome
