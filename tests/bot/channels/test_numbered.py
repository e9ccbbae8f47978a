"""Numbered choices (Zalo, the console): a short number picks from the last menu; a long number is an answer."""

from __future__ import annotations

from bot.channels.numbered import NumberedChoices
from handlers.memory_state import MemoryStateStore
from handlers.types import Button, Reply


async def test_short_numbers_pick_and_long_numbers_are_answers():
    choices = NumberedChoices(MemoryStateStore(), "zalo")
    await choices.render("u1", Reply("Chọn:", [[Button("Có", "c:1")], [Button("Không", "c:2")]]))
    assert (await choices.resolve("u1", "2")).data == "c:2"
    assert (await choices.resolve("u1", "99")).invalid_number == 99
    # A tax code or a phone typed without its 0 goes to the conversation (a form step), not to the menu.
    for typed in ("0100233488", "912345678", "1000"):
        picked = await choices.resolve("u1", typed)
        assert picked.data is None and picked.invalid_number is None, typed
    for odd in ("①", "10⁶"):
        assert (await choices.resolve("u1", odd)).invalid_number is None
