"""The Messenger the conversation sends through when a message is for another chat (staff chat, a staff
answer to a user): a registry of channel → send function, filled by the channels that run."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from handlers.types import Reply
from handlers.views import Sent

log = logging.getLogger(__name__)
SendFn = Callable[[str, Reply], Awaitable[Sent]]


class Relay:
    """Implements handlers.ports.Messenger over the running channels."""

    def __init__(self) -> None:
        self._senders: dict[str, SendFn] = {}

    def register(self, channel: str, send: SendFn) -> None:
        self._senders[channel] = send

    def channels(self) -> list[str]:
        return list(self._senders)

    async def send(self, channel: str, chat_id: str, reply: Reply) -> Sent:
        """Send `reply` to `chat_id` on `channel`; Sent(ok=False) when no such channel runs or it failed."""
        send = self._senders.get(channel)
        if send is None:
            log.warning("no running channel %r for a message to %s", channel, chat_id)
            return Sent(False)
        return await send(chat_id, reply)
