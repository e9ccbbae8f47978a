"""The database connection: async engine and sessions, SQLite in WAL mode, migrations at start-up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel.ext.asyncio.session import AsyncSession

MIGRATIONS = Path(__file__).parent / "migrations"


def async_url(url: str) -> str:
    """Accept plain sqlite:// and postgresql:// URLs too, and pick the async drivers."""
    if url.startswith("sqlite:"):
        return "sqlite+aiosqlite:" + url[len("sqlite:") :]
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def is_sqlite(url: str) -> bool:
    return async_url(url).startswith("sqlite")


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (the bot answering) proceed while a writer (a campaign) commits.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


DISPOSE_TIMEOUT = 10.0


class Database:
    """One engine per process; `session()` gives a fresh AsyncSession per task."""

    def __init__(self, url: str):
        self.url = async_url(url)
        if is_sqlite(self.url):
            path = self.url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            # Each aiosqlite connection is a thread with its own page cache and malloc arena; writes are
            # serialised anyway, so a few connections serve and keep a big campaign's memory down.
            self.sql: AsyncEngine = create_async_engine(
                self.url, connect_args={"timeout": 30}, pool_size=3, max_overflow=3
            )
            event.listen(self.sql.sync_engine, "connect", _sqlite_pragmas)
        else:
            self.sql = create_async_engine(self.url, pool_size=10, max_overflow=10, pool_pre_ping=True)
        self.sessions = async_sessionmaker(self.sql, class_=AsyncSession, expire_on_commit=False)
        self._write_lock = asyncio.Lock() if self.sqlite else None

    @property
    def sqlite(self) -> bool:
        return is_sqlite(self.url)

    def session(self) -> AsyncSession:
        return self.sessions()

    @contextlib.asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncSession]:
        """A session for a write transaction. On SQLite all writers of this process queue on one lock:
        SQLite has one writer anyway, and a lock wait costs nothing where its busy handler sleeps."""
        async with self._write_lock or contextlib.nullcontext(), self.session() as session:
            yield session

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A bare connection in one write transaction (no ORM session): for the small, hot writes of the
        conversation state. Queued on the same lock as `writing` on SQLite."""
        async with self._write_lock or contextlib.nullcontext(), self.sql.begin() as connection:
            yield connection

    @property
    def sqlite_path(self) -> str | None:
        path = self.url.split("///", 1)[-1] if self.sqlite else None
        return path if path and path != ":memory:" else None

    async def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (idempotent)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))

        def upgrade(sync_connection: Connection) -> None:
            config.attributes["connection"] = sync_connection
            command.upgrade(config, "head")

        async with self.sql.begin() as connection:
            await connection.run_sync(upgrade)

    async def dispose(self) -> None:
        """Close the pool; a hung server cannot keep the process from stopping (10 s at most)."""
        try:
            await asyncio.wait_for(self.sql.dispose(), DISPOSE_TIMEOUT)
        except TimeoutError:
            logging.getLogger(__name__).warning("the database did not close its connections in time; leaving them")


async def open_database(url: str) -> Database:
    db = Database(url)
    await db.migrate()
    return db
