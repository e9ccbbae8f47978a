"""The live knowledge base in the database: load, replace (bumping the version), seed from the release."""

from __future__ import annotations

import json

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import KnowledgeEntry, KnowledgeMeta, KnowledgeTopic, utcnow
from knowledge.loader import parse_entries
from knowledge.model import KnowledgeBase, Topic


async def version(session: AsyncSession) -> int:
    meta = await session.get(KnowledgeMeta, 1)
    return meta.version if meta else 0


async def load(session: AsyncSession) -> KnowledgeBase | None:
    """The live copy, or None when the database holds no entries yet."""
    rows = (await session.exec(select(KnowledgeEntry).order_by(col(KnowledgeEntry.position)))).all()
    if not rows:
        return None
    topics = (await session.exec(select(KnowledgeTopic).order_by(col(KnowledgeTopic.position)))).all()
    entries, _ = parse_entries([json.loads(r.data) for r in rows], "database")
    return KnowledgeBase([Topic(t.id, t.title, t.menu, t.description) for t in topics], entries, await version(session))


class KnowledgeConflict(Exception):
    """The live copy changed between reading it and writing a change made on it."""


async def replace(session: AsyncSession, kb: KnowledgeBase, expected: int | None = None) -> int:
    """Store `kb` as the live copy in one transaction; returns the new version.

    With `expected` (the version the change was made on), the write is a compare-and-swap: if another
    import or edit landed meanwhile, KnowledgeConflict and nothing is written, instead of one silently
    undoing the other. The version bump comes first, so it also takes the write lock for the transaction.
    """
    await session.rollback()  # a fresh transaction: the read the change was made on may be stale
    if expected is not None:
        bumped = await session.exec(
            update(KnowledgeMeta)
            .where(col(KnowledgeMeta.id) == 1, col(KnowledgeMeta.version) == expected)
            .values(version=expected + 1, updated_at=utcnow())
        )
        if not bumped.rowcount:
            await session.rollback()
            now = await version(session)
            raise KnowledgeConflict(
                f"the live knowledge base changed while this change was prepared (version {expected} → {now}); "
                "nothing was written: run it again on the current version"
            )
    await session.exec(delete(KnowledgeEntry))
    await session.exec(delete(KnowledgeTopic))
    for position, topic in enumerate(kb.topics):
        session.add(
            KnowledgeTopic(
                id=topic.id, position=position, title=topic.title, menu=topic.menu, description=topic.description
            )
        )
    for position, entry in enumerate(kb.entries):
        session.add(
            KnowledgeEntry(id=entry.id, position=position, data=json.dumps(entry.to_dict(), ensure_ascii=False))
        )
    if expected is not None:
        await session.commit()
        return expected + 1
    meta = await session.get(KnowledgeMeta, 1)
    if meta is None:
        meta = KnowledgeMeta(id=1, version=0)
    meta.version += 1
    meta.updated_at = utcnow()
    session.add(meta)
    await session.commit()
    return meta.version


async def load_or_seed(session: AsyncSession, release: KnowledgeBase) -> KnowledgeBase:
    """The live copy; a database with no entries is first seeded from the curated release."""
    live = await load(session)
    if live is not None:
        return live
    try:
        release.version = await replace(session, release)
    except IntegrityError:
        # Another process seeded it at the same moment: use theirs.
        await session.rollback()
        live = await load(session)
        assert live is not None
        return live
    return release
