"""Queries on applications for support (cases) and their history; anonymising them for erasure and retention."""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.handoffs import new_code
from bot.db.models import ApplicationCase, CaseEvent, utcnow
from handlers.statuses import CaseEventKind, CaseStatus
from handlers.views import Application

MAX_TEXT = 4000


async def create(
    session: AsyncSession, channel: str, chat_id: str, user_name: str, application: Application
) -> ApplicationCase:
    """The case (status new, consent now) and its first history line, in one transaction."""
    now = utcnow()
    row = ApplicationCase(
        code=new_code(),
        channel=channel,
        chat_id=chat_id,
        user_name=user_name[:256],
        business_name=application.business_name[:200],
        tax_code=application.tax_code[:16],
        commune=application.commune[:64],
        sector=application.sector[:128],
        ocop_product=application.ocop_product[:200],
        ocop_stars=application.ocop_stars,
        needs=",".join(application.needs)[:256],
        contact_name=application.contact_name[:128],
        phone=application.phone[:16],
        status=CaseStatus.NEW,
        consent_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()  # the id, for the first event
    assert row.id is not None
    session.add(CaseEvent(case_id=row.id, at=now, kind=CaseEventKind.STATUS, status=CaseStatus.NEW))
    await session.commit()
    return row


async def get(session: AsyncSession, case_id: int) -> ApplicationCase | None:
    return await session.get(ApplicationCase, case_id)


async def for_chat(session: AsyncSession, channel: str, chat_id: str) -> list[ApplicationCase]:
    """The chat's cases, newest first."""
    result = await session.exec(
        select(ApplicationCase)
        .where(ApplicationCase.channel == channel, ApplicationCase.chat_id == chat_id)
        .order_by(col(ApplicationCase.id).desc())
    )
    return list(result.all())


async def listing(session: AsyncSession, status: CaseStatus | None = None, limit: int = 50) -> list[ApplicationCase]:
    """Cases newest first, optionally of one status (read off the (status, created_at) index)."""
    query = select(ApplicationCase)
    if status is not None:
        query = query.where(ApplicationCase.status == status)
    query = query.order_by(col(ApplicationCase.created_at).desc(), col(ApplicationCase.id).desc()).limit(limit)
    return list((await session.exec(query)).all())


async def change_status(
    session: AsyncSession,
    case_id: int,
    status: CaseStatus,
    actor: str,
    actor_name: str,
    note: str,
    expected: CaseStatus,
) -> ApplicationCase | None:
    """One conditional UPDATE: of two changes from the same `expected` (two staff, two processes) the
    database lets exactly one match; the loser gets None and writes nothing. The winner's history line
    commits with it."""
    now = utcnow()
    result = await session.exec(
        update(ApplicationCase)
        .where(col(ApplicationCase.id) == case_id, col(ApplicationCase.status) == expected)
        .values(status=status, updated_at=now)
    )
    if (result.rowcount or 0) != 1:
        await session.rollback()
        return None
    session.add(
        CaseEvent(
            case_id=case_id,
            at=now,
            kind=CaseEventKind.STATUS,
            actor=actor[:128],
            actor_name=actor_name[:256],
            status=status,
            text=note[:MAX_TEXT],
        )
    )
    await session.commit()
    return await session.get(ApplicationCase, case_id, populate_existing=True)


async def add_event(
    session: AsyncSession, case_id: int, kind: CaseEventKind, actor: str, actor_name: str, text: str
) -> bool:
    """Append to the case's history and mark it updated; False (nothing written) when there is no such case."""
    now = utcnow()
    touched = await session.exec(
        update(ApplicationCase).where(col(ApplicationCase.id) == case_id).values(updated_at=now)
    )
    if (touched.rowcount or 0) != 1:
        await session.rollback()
        return False
    session.add(
        CaseEvent(
            case_id=case_id, at=now, kind=kind, actor=actor[:128], actor_name=actor_name[:256], text=text[:MAX_TEXT]
        )
    )
    await session.commit()
    return True


async def events(session: AsyncSession, case_id: int) -> list[CaseEvent]:
    """The case's history, oldest first."""
    result = await session.exec(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(col(CaseEvent.at), col(CaseEvent.id))
    )
    return list(result.all())


async def anonymise(session: AsyncSession, *where: ColumnElement[bool]) -> int:
    """Leave the matching cases only anonymous statistics: status, commune, sector, OCOP stars, needs and
    dates stay; who applied, for which business and how to reach them go, with what the business wrote
    and the text of every other history line. Not committed (the caller's transaction). Returns how many
    cases. The case rows are updated last: `where` may select on what the update clears."""
    cases = select(ApplicationCase.id).where(*where)
    await session.exec(
        delete(CaseEvent).where(col(CaseEvent.case_id).in_(cases), col(CaseEvent.kind) == CaseEventKind.BUSINESS)
    )
    await session.exec(
        update(CaseEvent).where(col(CaseEvent.case_id).in_(cases), col(CaseEvent.text) != "").values(text="")
    )
    result = await session.exec(
        update(ApplicationCase)
        .where(*where)
        .values(chat_id="", user_name="", business_name="", tax_code="", ocop_product="", contact_name="", phone="")
    )
    return result.rowcount or 0
