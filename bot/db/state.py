"""The conversation's StateStore over the database: expiring rows, so several processes share one conversation."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select

from bot.db.database import Database
from bot.db.health import DatabaseHealth, DatabaseUnavailable
from bot.db.models import ConversationState, utcnow
from handlers.state_keys import chat_suffix

MAX_KEY = 200
T = TypeVar("T")
log = logging.getLogger(__name__)


class DatabaseStateStore:
    """Implements handlers.ports.StateStore: one short transaction per call; expired rows read as absent.

    With a `health`, get/put/delete are bounded by its timeout and, while the database is down, read as
    absent and write nothing: the conversation goes on without menus and follow-ups rather than stop."""

    def __init__(self, db: Database, health: DatabaseHealth | None = None):
        self.db = db
        self.health = health
        self._insert = sqlite_insert if db.sqlite else pg_insert

    async def get(self, key: str) -> dict[str, Any] | None:
        return await self._guarded(key, lambda: self._get(key))

    async def get_many(self, keys: list[str]) -> dict[str, dict[str, Any] | None]:
        if not keys:
            return {}
        found = await self._guarded(keys[0], lambda: self._get_many(keys)) or {}
        return {key: found.get(key[:MAX_KEY]) for key in keys}

    async def put(self, key: str, value: dict[str, Any], ttl: float) -> None:
        await self._guarded(key, lambda: self._put(key, value, ttl))

    async def delete(self, key: str) -> None:
        await self._guarded(key, lambda: self._delete(key))

    async def _guarded(self, key: str, call: Callable[[], Awaitable[T]]) -> T | None:
        """`call` through the health gate; None (absent, nothing written) while the database is down."""
        if self.health is None:
            return await call()
        try:
            return await self.health.call(call)
        except DatabaseUnavailable:
            log.debug("conversation state skipped while the database is down: %s", key.split(":", 1)[0])
            return None

    async def _get(self, key: str) -> dict[str, Any] | None:
        # A bare connection, not an ORM session: this runs a few times for every message.
        query = select(ConversationState.value).where(
            col(ConversationState.key) == key[:MAX_KEY], col(ConversationState.expires_at) > utcnow()
        )
        async with self.db.sql.connect() as connection:
            row = (await connection.execute(query)).scalar_one_or_none()
        return json.loads(row) if row is not None else None

    async def _get_many(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        wanted = {key[:MAX_KEY] for key in keys}
        query = select(ConversationState.key, ConversationState.value).where(
            col(ConversationState.key).in_(wanted), col(ConversationState.expires_at) > utcnow()
        )
        async with self.db.sql.connect() as connection:
            rows = (await connection.execute(query)).all()
        return {key: json.loads(value) for key, value in rows}

    async def _put(self, key: str, value: dict[str, Any], ttl: float) -> None:
        values = {
            "key": key[:MAX_KEY],
            "value": json.dumps(value, ensure_ascii=False),
            "expires_at": utcnow() + dt.timedelta(seconds=ttl),
        }
        statement = self._insert(ConversationState).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["key"],
            set_={"value": statement.excluded.value, "expires_at": statement.excluded.expires_at},
        )
        async with self.db.transaction() as connection:
            await connection.execute(statement)

    async def _delete(self, key: str) -> None:
        async with self.db.transaction() as connection:
            await connection.execute(delete(ConversationState).where(col(ConversationState.key) == key[:MAX_KEY]))

    async def forget_chat(self, channel: str, chat_id: str) -> int:
        suffix = chat_suffix(channel, chat_id)
        async with self.db.writing() as session:
            result = await session.exec(
                delete(ConversationState).where(col(ConversationState.key).endswith(suffix, autoescape=True))
            )
            await session.commit()
        return result.rowcount or 0

    async def count_chat(self, channel: str, chat_id: str) -> int:
        suffix = chat_suffix(channel, chat_id)
        query = select(func.count()).where(
            col(ConversationState.key).endswith(suffix, autoescape=True), col(ConversationState.expires_at) > utcnow()
        )
        async with self.db.sql.connect() as connection:
            return int((await connection.execute(query)).scalar_one())

    async def purge_expired(self) -> int:
        async with self.db.writing() as session:
            result = await session.exec(delete(ConversationState).where(col(ConversationState.expires_at) <= utcnow()))
            await session.commit()
        return result.rowcount or 0
