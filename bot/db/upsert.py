"""Update a row, or insert it when there is none yet, safely when two writers race to create it."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.dml import Update
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


async def update_or_insert(session: AsyncSession, bump: Update, first: Callable[[], SQLModel]) -> None:
    """Run `bump` (an UPDATE), or insert `first()` when it touched no row; commits. Atomic under concurrency:
    a row inserted meanwhile by another writer makes the insert fail, and the second UPDATE then applies."""
    for _ in range(2):
        if (await session.exec(bump)).rowcount:
            await session.commit()
            return
        session.add(first())
        try:
            await session.commit()
            return
        except IntegrityError:
            await session.rollback()
