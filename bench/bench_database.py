"""A bench's own database: created and emptied before seeding (never CI's `test`), bulk loads, and the
statistics autovacuum would gather after them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from bot.db.database import Database, open_database

CHUNK = 50_000


async def ensure_database(url: str) -> None:
    """Create the PostgreSQL database when missing, from the server's `postgres` database."""
    import asyncpg

    parsed = make_url(url)
    if parsed.database in (None, "", "test", "postgres"):
        raise SystemExit(f"refusing to use the database {parsed.database!r}: name one of the bench's own")
    server = await asyncpg.connect(
        host=parsed.host, port=parsed.port or 5432, user=parsed.username, password=parsed.password, database="postgres"
    )
    try:
        if not await server.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", parsed.database):
            await server.execute(f'CREATE DATABASE "{parsed.database}"')
    finally:
        await server.close()


async def fresh_database(url: str) -> Database:
    """The bench's database, empty and migrated as the app does it (a PostgreSQL one created if missing)."""
    if url.startswith("postgresql"):
        await ensure_database(url)
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
    return await open_database(url)


async def bulk(db: Database, model: type, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert many rows: COPY on PostgreSQL (asyncpg), multi-row INSERTs on SQLite."""
    if not rows:
        return
    table = model.__table__.name  # type: ignore[attr-defined]
    columns = list(rows[0])
    if db.sqlite:
        async with db.transaction() as conn:
            for start in range(0, len(rows), CHUNK):
                await conn.execute(insert(model), list(rows[start : start + CHUNK]))
        return
    async with db.sql.connect() as conn:
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection  # asyncpg's own connection, for copy_records_to_table
        assert driver is not None
        await driver.copy_records_to_table(table, records=[tuple(r[c] for c in columns) for r in rows], columns=columns)
        await conn.commit()


async def analyze(db: Database) -> None:
    """What autovacuum does soon after a bulk load on PostgreSQL: statistics and the visibility map."""
    if db.sqlite:
        return
    async with db.sql.connect() as conn:
        await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(text("VACUUM ANALYZE"))
