"""The audit log: every console action, who and when, readable by admins."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import AuditEvent


async def record(session: AsyncSession, actor: str, action: str, target: str = "", detail: str = "") -> None:
    """Add one event to the session's transaction (the caller commits it with the change it describes)."""
    session.add(AuditEvent(actor=actor, action=action, target=target[:256], detail=detail))


async def recent(session: AsyncSession, limit: int = 200) -> list[AuditEvent]:
    return list((await session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit))).all())
