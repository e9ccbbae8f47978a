"""The neutral messages between channels and handlers: `Incoming` in, `Reply` out."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Incoming:
    """A platform update reduced to what the conversation needs."""

    channel: str            # "telegram" | "zalo" | "console"
    chat_id: str
    user_id: str
    text: str | None = None  # typed text (commands included)
    data: str | None = None  # button data, when a button was pressed
    user_name: str = ""

    @property
    def identity(self) -> str:
        """`channel:user_id`, the form ADMIN_IDS and STAFF_IDS use."""
        return f"{self.channel}:{self.user_id}"


@dataclass(frozen=True)
class Button:
    """A choice: `data` comes back as Incoming.data when pressed; `url` buttons open a link instead."""

    label: str
    data: str = ""
    url: str = ""


@dataclass
class Reply:
    """One message to send: text (plain, the channel escapes it), rows of buttons, an optional source line."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    source: str | None = None
    # Set when the reply goes to another chat than the sender's (staff relay, staff answer to a user).
    chat_id: str | None = None
    channel: str | None = None
    # Replace the message whose button was pressed (a progress view), where the platform can edit.
    edit: bool = False

    def flat_buttons(self) -> list[Button]:
        return [b for row in self.buttons for b in row]
