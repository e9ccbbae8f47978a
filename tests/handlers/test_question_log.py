"""The dashboard's question log: every question handled leaves one row with its outcome, and nothing about who
asked or what they typed."""

from __future__ import annotations

import dataclasses

import pytest

from knowledge.confidence import AskStatus
from tests.harness import build_bot


@pytest.fixture
def bot(engine):
    return build_bot(engine)


async def test_each_question_is_logged_once_with_outcome_entry_and_time(bot):
    lan = bot.talk(chat_id="5551234", name="Nguyễn Thị Lan")
    await lan.say("5s la gi")
    await lan.say("giá vàng hôm nay bao nhiêu, số em 0912345678")
    logged = bot.people.questions_logged
    assert [e.outcome for e in logged] == [AskStatus.ANSWERED, AskStatus.FALLBACK]
    first = logged[0]
    assert first.channel == "telegram" and first.entry_id == "5s-la-gi"
    assert 0 < first.confidence <= 1 and first.latency_ms >= 0
    # Nothing that names a person, or what they typed, goes into the log.
    for event in logged:
        stored = " ".join(str(v) for v in dataclasses.asdict(event).values())
        assert "5551234" not in stored and "Lan" not in stored and "0912345678" not in stored
        assert "vàng" not in stored


async def test_commands_buttons_and_bare_numbers_are_not_questions(bot):
    lan = bot.talk()
    await lan.say("/start")
    await lan.say("1")
    assert bot.people.questions_logged == []
