"""Shared fixtures: the shipped knowledge base and one search engine over it, built once per session."""

from __future__ import annotations

import os

import pytest

from bot.settings import load_settings
from knowledge.loader import load_directory
from knowledge.search import SearchEngine

pytest_plugins = ["tests.fakes.telegram_api", "tests.fakes.zalo_api"]

# The flows run on the lexical engine (fast, and their expectations were written for it); the hybrid
# engine is tested on its own (tests/knowledge/test_hybrid.py, the quality floors, one end-to-end run).
# Subprocesses inherit it. A test that wants embeddings passes embeddings="e5" to load_settings.
os.environ.setdefault("EMBEDDINGS", "none")


@pytest.fixture(scope="session")
def shipped_kb():
    kb, _problems = load_directory()
    return kb


@pytest.fixture(scope="session")
def engine(shipped_kb):
    return SearchEngine(shipped_kb)


@pytest.fixture
def settings(tmp_path):
    """Settings that ignore the developer's .env and environment tokens."""
    return load_settings(
        _env_file=None,
        telegram_bot_token=None,
        zalo_bot_token=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/test.db",
    )


async def reset_postgres(url: str) -> None:
    """The test database starts empty: drop everything a previous test left."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


DB_KINDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(params=DB_KINDS)
def database_url(request, tmp_path):
    """Each database test runs on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    import asyncio

    url = os.environ["TEST_DATABASE_URL"]
    asyncio.run(reset_postgres(url))
    return url


@pytest.fixture
async def db(database_url):
    """The database of `database_url`, migrated, disposed of after the test."""
    from bot.db.database import open_database

    database = await open_database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
def db_settings(database_url, tmp_path):
    return load_settings(_env_file=None, telegram_bot_token=None, zalo_bot_token=None, database_url=database_url)


@pytest.fixture(scope="session")
def hybrid_engine(shipped_kb):
    """The engine as it ships: BM25 and e5 embeddings (vectors cached under data/vectors) and the learned
    confidence."""
    from pathlib import Path

    from knowledge.embeddings import E5Embedder, VectorCache

    embedder = E5Embedder()
    cache = VectorCache(Path(__file__).resolve().parent.parent / "data" / "vectors", embedder.name, embedder.dim)
    return SearchEngine(shipped_kb, embedder=embedder, vectors=cache)
