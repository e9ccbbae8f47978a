"""What every platform adapter offers the application: start/stop, web routes, and a sender for campaigns."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from handlers.types import Reply


class DeliveryStatus(str, enum.Enum):
    """How one send ended, in the broadcast engine's terms (DESIGN.md, "Broadcasts")."""

    SENT = "sent"          # the platform accepted it; message_id is set
    RETRY = "retry"        # rate limited (wait retry_after) or not reached (connection refused): try again
    BLOCKED = "blocked"    # the user blocked the bot / forbidden: never send again, mark inactive
    FAILED = "failed"      # rejected for good (bad request, chat not found)
    UNKNOWN = "unknown"    # the request went out and no answer came back: it may have arrived


@dataclass(frozen=True)
class DeliveryOutcome:
    status: DeliveryStatus
    message_id: str | None = None
    retry_after: float | None = None
    error: str = ""


class Sender(Protocol):
    """Sends one campaign message to one chat; knows nothing of campaigns."""

    channel: str

    async def send(self, chat_id: str, reply: Reply) -> DeliveryOutcome: ...


class Channel(Protocol):
    """A running platform adapter."""

    name: str

    def register_routes(self, app: web.Application) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...
