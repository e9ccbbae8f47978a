"""Fixtures of the broadcast tests."""

from __future__ import annotations

import pytest

from bot.channels.telegram_sender import TelegramSender


@pytest.fixture
async def telegram_sender(telegram_api):
    """The campaign sender that ships, with a short wait for answers so a hang turns into "unknown"."""
    sender = TelegramSender(telegram_api.token, telegram_api.base_url, send_timeout=0.5)
    await sender.start()
    yield sender
    await sender.close()
