"""Routes replies to the chat they are for: the sender's, or another channel's (staff relays, staff answers)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from handlers.types import Reply

log = logging.getLogger(__name__)
SendFn = Callable[[str, Reply], Awaitable[object]]


class Relay:
    """A registry of channel → send function, filled by the channels that run."""

    def __init__(self) -> None:
        self._senders: dict[str, SendFn] = {}

    def register(self, channel: str, send: SendFn) -> None:
        self._senders[channel] = send

    def channels(self) -> list[str]:
        return list(self._senders)

    async def deliver(self, reply: Reply, default: tuple[str, str]) -> bool:
        """Send `reply` to its own target, or to `default` (channel, chat_id); False if nobody can."""
        channel = reply.channel or default[0]
        chat_id = reply.chat_id or default[1]
        send = self._senders.get(channel)
        if send is None:
            log.warning("no running channel %r for a reply to %s", channel, chat_id)
            return False
        await send(chat_id, reply)
        return True
