"""Every state an entry had after a console change (append-only), and which entries are retired."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import EntryVersion
from knowledge.model import Entry

BASELINE_AUTHOR = "trước khi sửa trên trang quản trị"


def as_data(entry: Entry) -> str:
    return json.dumps(entry.to_dict(), ensure_ascii=False)


def add(session: AsyncSession, entry_id: str, entry: Entry | None, author: str, note: str) -> None:
    """Record the entry's new state (None: retired) in the session's transaction."""
    session.add(EntryVersion(entry_id=entry_id, data=as_data(entry) if entry else "", author=author, note=note[:256]))


async def versions(session: AsyncSession, entry_id: str) -> list[EntryVersion]:
    """Newest first."""
    query = select(EntryVersion).where(EntryVersion.entry_id == entry_id).order_by(col(EntryVersion.id).desc())
    return list((await session.exec(query)).all())


async def ensure_baseline(session: AsyncSession, entry: Entry) -> None:
    """Before an entry's first change here, keep how it was, so that state can be restored too."""
    if not await versions(session, entry.id):
        add(session, entry.id, entry, BASELINE_AUTHOR, "trạng thái ban đầu")


async def version(session: AsyncSession, version_id: int) -> EntryVersion | None:
    return await session.get(EntryVersion, version_id)


async def retired(session: AsyncSession, live_ids: set[str]) -> list[tuple[str, dict[str, Any]]]:
    """Entries not in the live copy whose newest version is a retirement, with their last content."""
    rows = (await session.exec(select(EntryVersion).order_by(col(EntryVersion.id)))).all()
    newest: dict[str, EntryVersion] = {}
    content: dict[str, dict[str, Any]] = {}
    for row in rows:
        newest[row.entry_id] = row
        if row.data:
            content[row.entry_id] = json.loads(row.data)
    return [
        (entry_id, content[entry_id])
        for entry_id, row in newest.items()
        if not row.data and entry_id not in live_ids and entry_id in content
    ]
