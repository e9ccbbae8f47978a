"""Fixtures for the console: a core over a real database (lexical search: fast), the app, a client."""

from __future__ import annotations

import pytest

from bot.settings import load_settings
from bot.wiring import build_core
from tests.bot.admin.browser import launch_browser
from tests.bot.admin.console import start_console


@pytest.fixture
async def console(database_url):
    settings = load_settings(
        _env_file=None, telegram_bot_token=None, zalo_bot_token=None, database_url=database_url, embeddings="off"
    )
    core = await build_core(settings)
    running = await start_console(core)
    yield running
    await running.client.close()
    await core.close()


@pytest.fixture
async def browser():
    """A headless Chromium (the operating system's) for the slow browser tests."""
    async for launched in launch_browser():
        yield launched
