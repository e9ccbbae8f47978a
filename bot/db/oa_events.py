"""The Zalo OA webhook's seen-set in the database: one row per event taken, shared by every `bot run` process."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.database import Database
from bot.db.models import OaSeenEvent, utcnow

# Housekeeping removes keys older than this. The webhook refuses events older than a few minutes as stale, so a
# key outlives its usefulness within the hour; two days leave room for a clock set wrong or a long outage.
KEPT = dt.timedelta(days=2)


def event_key(key: str) -> str:
    """The stored form: a SHA-256 hex digest, so the table holds no message or user id."""
    return hashlib.sha256(key.encode()).hexdigest()


class DbSeenEvents:
    """webhook.SeenEvents over `oa_seen_event`: the first INSERT of a key wins, in whichever process it runs."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def first_time(self, key: str) -> bool:
        # ON CONFLICT DO NOTHING rather than catching an IntegrityError: PostgreSQL would log every duplicate
        # as an error, and Zalo re-sends events often enough to fill a log.
        insert = sqlite_insert if self.db.sqlite else postgresql_insert
        row = {"key": event_key(key), "seen_at": utcnow()}
        statement = insert(OaSeenEvent).values(**row).on_conflict_do_nothing(index_elements=["key"])
        async with self.db.transaction() as connection:
            result = await connection.execute(statement)
        return result.rowcount == 1


async def purge(session: AsyncSession, before: dt.datetime) -> int:
    """Remove keys seen before `before`; returns how many went."""
    result = await session.exec(delete(OaSeenEvent).where(col(OaSeenEvent.seen_at) < before))
    await session.commit()
    return result.rowcount or 0
