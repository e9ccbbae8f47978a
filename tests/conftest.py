"""Shared fixtures: the shipped knowledge base and one search engine over it, built once per session."""
from __future__ import annotations

import pytest

from bot.settings import load_settings
from knowledge.loader import load_directory
from knowledge.search import SearchEngine


@pytest.fixture(scope="session")
def shipped_kb():
    kb, problems = load_directory()
    return kb


@pytest.fixture(scope="session")
def engine(shipped_kb):
    return SearchEngine(shipped_kb)


@pytest.fixture
def settings(tmp_path):
    """Settings that ignore the developer's .env and environment tokens."""
    return load_settings(_env_file=None, telegram_bot_token=None, zalo_bot_token=None,
                         database_url=f"sqlite+aiosqlite:///{tmp_path}/test.db")
