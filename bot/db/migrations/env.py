"""Alembic environment: runs on the connection the application hands over (async engines included)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import bot.db.models  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata


def run_on(connection) -> None:
    context.configure(
        connection=connection, target_metadata=target_metadata, render_as_batch=connection.dialect.name == "sqlite"
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    # Command-line use (`alembic -x url=… upgrade head`): open our own async engine.
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option("sqlalchemy.url")

    async def go() -> None:
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.run_sync(run_on)
        await engine.dispose()

    asyncio.run(go())


run_online()
