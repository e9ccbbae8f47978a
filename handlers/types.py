"""The neutral messages between channels and handlers: `Incoming` in, `Reply` out."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from handlers.statuses import ChatEvent


@dataclass(frozen=True)
class Incoming:
    """A platform update reduced to what the conversation needs."""

    channel: str  # "telegram" | "zalo" | "console"
    chat_id: str
    user_id: str
    text: str | None = None  # typed text (commands included)
    data: str | None = None  # button data, when a button was pressed
    user_name: str = ""
    event: ChatEvent | None = None  # not a message: the user blocked or unblocked the bot
    reply_to: str | None = None  # the id of the message this one answers (Telegram's "reply"), if any
    private: bool = True  # a one-to-one chat with the bot; False in groups, where several people talk

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
    # Text copied with one tap (Telegram's copy_text button); text-only channels show it in the message instead.
    copy: str = ""


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply (a campaign's report): its name as the user will see it, and its bytes."""

    filename: str
    data: bytes


@dataclass
class Reply:
    """One message to send: text (plain, the channel escapes it), rows of buttons, an optional source line."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    source: str | None = None
    # Replace the message whose button was pressed (a progress view), where the platform can edit.
    edit: bool = False
    # With `edit`: swap only that message's buttons; where it cannot, `text` alone goes as a new message.
    buttons_only: bool = False
    # The rest of an answer: Telegram folds it under `text`; text-only channels offer `detail_button` instead.
    detail: str = ""
    detail_button: Button | None = None
    # A picture (an https URL) sent with `text` as its caption (campaigns and their test sends).
    image: str = ""
    # A file sent with `text` as its caption, where the platform takes files.
    attachment: Attachment | None = None
    notice: bool = False  # a status notice about the user's own case (Zalo OA: a transaction message)

    def with_detail_choice(self) -> Reply:
        """For a channel that cannot fold text: the detail left out and offered as the first choice."""
        if not self.detail:
            return self
        rows = [[self.detail_button], *self.buttons] if self.detail_button is not None else self.buttons
        return dataclasses.replace(self, buttons=rows, detail="", detail_button=None)

    def flat_buttons(self) -> list[Button]:
        return [b for row in self.buttons for b in row]

    def to_dict(self) -> dict[str, Any]:
        """The reply as JSON-ready data (menus kept in the shared state store)."""
        return {
            "text": self.text,
            "source": self.source,
            "buttons": [[[b.label, b.data, b.url] for b in row] for row in self.buttons],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        rows = [
            [Button(str(label), str(value), str(url)) for label, value, url in row] for row in data.get("buttons", [])
        ]
        return cls(str(data.get("text", "")), rows, data.get("source"))
