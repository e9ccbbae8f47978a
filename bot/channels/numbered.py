"""Buttons as numbered lists for text-only channels (console, Zalo): render them, map "2" back to data."""
from __future__ import annotations

from dataclasses import dataclass

from handlers import texts
from handlers.types import Button, Reply
from knowledge.syllables import strip_accents

BACK = "0"
# Enough history for "0" to walk back a few menus; old chats are forgotten so memory stays flat.
MENUS_PER_CHAT = 10
CHATS_WITH_MENUS = 10_000


@dataclass(frozen=True)
class Choice:
    """What a typed line meant: a button's data, a request to go back, or nothing (a new question)."""

    data: str | None = None
    back: bool = False
    invalid_number: int | None = None


def _fold(text: str) -> str:
    return " ".join(strip_accents(text).lower().split())


class NumberedChoices:
    """Per chat, the choices of the last message with buttons; the numbers stay valid until the next menu."""

    def __init__(self, hint: str = texts.CONSOLE_CHOOSE):
        self.hint = hint
        self._menus: dict[str, list[Reply]] = {}

    def render(self, chat_id: str, reply: Reply) -> str:
        parts = [reply.text]
        if reply.source:
            parts.append(texts.SOURCE.format(source=reply.source))
        choices = [b for b in reply.flat_buttons() if b.data]
        links = [b for b in reply.flat_buttons() if b.url]
        if choices:
            menus = self._menus.pop(chat_id, [])  # re-inserted below: the dict's order is recency
            self._menus[chat_id] = (menus + [reply])[-MENUS_PER_CHAT:]
            while len(self._menus) > CHATS_WITH_MENUS:
                self._menus.pop(next(iter(self._menus)))
            parts.append("\n".join(f"{i}. {b.label}" for i, b in enumerate(choices, 1)))
            parts.append(self.hint)
        if links:
            parts.append("\n".join(f"{b.label}: {b.url}" for b in links))
        return "\n\n".join(parts)

    def current(self, chat_id: str) -> list[Button]:
        menus = self._menus.get(chat_id)
        return [b for b in menus[-1].flat_buttons() if b.data] if menus else []

    def resolve(self, chat_id: str, text: str) -> Choice:
        """Map a typed line to a choice of the current menu; anything else is a new question."""
        typed = text.strip()
        if typed == BACK:
            return Choice(back=True)
        buttons = self.current(chat_id)
        if typed.isdigit():
            number = int(typed)
            if 1 <= number <= len(buttons):
                return Choice(data=buttons[number - 1].data)
            return Choice(invalid_number=number)
        folded = _fold(typed)
        for button in buttons:
            if folded and folded == _fold(button.label):
                return Choice(data=button.data)
        return Choice()

    def go_back(self, chat_id: str) -> Reply | None:
        """Drop the current menu and return the one before it (to be rendered again), if any."""
        menus = self._menus.get(chat_id, [])
        if len(menus) < 2:
            return None
        menus.pop()
        return menus.pop()
