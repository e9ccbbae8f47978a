"""Buttons as numbered lists for text-only channels (console, Zalo): render them, map "2" back to the button.

The menus a chat was shown live in the shared state store, so a "2" typed to another process of the bot
still means the second choice of the last list.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from handlers import texts
from handlers.ports import StateStore
from handlers.state_keys import state_key
from handlers.types import Button, Incoming, Reply
from knowledge.syllables import fold

BACK = "0"
MENUS_PER_CHAT = 10  # enough history for "0" to walk back a few menus
MENU_TTL = 24 * 3600.0  # seconds a chat's menus stay valid


@dataclass(frozen=True)
class Choice:
    """What a typed line meant: a button's data, a request to go back, or nothing (a new question)."""

    data: str | None = None
    back: bool = False
    invalid_number: int | None = None


@dataclass(frozen=True)
class ChoiceTexts:
    """What a text-only channel says around its numbered lists."""

    hint: str = texts.CONSOLE_CHOOSE
    nothing_to_go_back: str = texts.CONSOLE_NOTHING_TO_GO_BACK
    bad_number: str = texts.CONSOLE_BAD_NUMBER


def _ascii_number(text: str) -> int | None:
    # "①" and "²" pass isdigit() but not int(); only plain digits choose. No menu has a thousand choices:
    # a longer number is an answer (a tax code, a phone typed without its 0), not a pick.
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 3 else None


class NumberedChoices:
    """Per chat, the last menus with buttons; a number stays valid until the next menu."""

    def __init__(self, state: StateStore, channel: str, wording: ChoiceTexts = ChoiceTexts()):
        self.state = state
        self.channel = channel
        self.wording = wording

    def _key(self, chat_id: str) -> str:
        return state_key("menus", self.channel, chat_id)

    async def _menus(self, chat_id: str) -> list[Reply]:
        stored = await self.state.get(self._key(chat_id))
        return [Reply.from_dict(item) for item in (stored or {}).get("menus", [])]

    async def _save(self, chat_id: str, menus: list[Reply]) -> None:
        value: dict[str, Any] = {"menus": [menu.to_dict() for menu in menus[-MENUS_PER_CHAT:]]}
        await self.state.put(self._key(chat_id), value, MENU_TTL)

    async def render(self, chat_id: str, reply: Reply) -> str:
        reply = reply.with_detail_choice()
        parts = [reply.text]
        if reply.source:
            parts.append(texts.SOURCE.format(source=reply.source))
        choices = [b for b in reply.flat_buttons() if b.data]
        links = [b for b in reply.flat_buttons() if b.url]
        if choices:
            await self._save(chat_id, await self._menus(chat_id) + [reply])
            parts.append("\n".join(f"{i}. {b.label}" for i, b in enumerate(choices, 1)))
            parts.append(self.wording.hint)
        if links:
            parts.append("\n".join(f"{b.label}: {b.url}" for b in links))
        if reply.attachment is not None:
            parts.append(texts.FILE_NOT_ON_CHANNEL.format(name=reply.attachment.filename))
        return "\n\n".join(parts)

    async def current(self, chat_id: str) -> list[Button]:
        menus = await self._menus(chat_id)
        return [b for b in menus[-1].flat_buttons() if b.data] if menus else []

    async def resolve(self, chat_id: str, text: str) -> Choice:
        """Map a typed line to a choice of the current menu; anything else is a new question."""
        typed = text.strip()
        if typed == BACK:
            return Choice(back=True)
        buttons = await self.current(chat_id)
        number = _ascii_number(typed)
        if number is not None:
            if 1 <= number <= len(buttons):
                return Choice(data=buttons[number - 1].data)
            return Choice(invalid_number=number)
        folded = fold(typed)
        for button in buttons:
            if folded and folded == fold(button.label):
                return Choice(data=button.data)
        return Choice()

    async def go_back(self, chat_id: str) -> Reply | None:
        """Drop the current menu and return the one before it (to be rendered again), if any."""
        menus = await self._menus(chat_id)
        if len(menus) < 2:
            return None
        previous = menus[-2]
        await self._save(chat_id, menus[:-2])
        return previous

    async def interpret(self, incoming: Incoming, bad_number_needs_menu: bool = True) -> Incoming | Reply:
        """A typed line as the button it names, or a reply of our own (going back, a wrong number),
        or unchanged (a question or a command)."""
        choice = await self.resolve(incoming.chat_id, incoming.text or "")
        if choice.back:
            previous = await self.go_back(incoming.chat_id)
            return previous if previous is not None else Reply(self.wording.nothing_to_go_back)
        if choice.data is not None:
            return dataclasses.replace(incoming, text=None, data=choice.data)
        if choice.invalid_number is not None and (not bad_number_needs_menu or await self.current(incoming.chat_id)):
            return Reply(self.wording.bad_number.format(number=choice.invalid_number))
        return incoming
