"""The conversation's CaseStore over the database: applications for support as cases, and their history."""

from __future__ import annotations

from bot.db import cases
from bot.db.database import Database
from bot.db.models import ApplicationCase, CaseEvent
from handlers.statuses import CaseEventKind, CaseStatus
from handlers.views import Application, CaseEventView, CaseView


def case_view(row: ApplicationCase) -> CaseView:
    assert row.id is not None
    application = Application(
        business_name=row.business_name,
        tax_code=row.tax_code,
        commune=row.commune,
        sector=row.sector,
        ocop_product=row.ocop_product,
        ocop_stars=row.ocop_stars,
        needs=tuple(n for n in row.needs.split(",") if n),
        contact_name=row.contact_name,
        phone=row.phone,
    )
    return CaseView(
        row.id, row.code, row.channel, row.chat_id, CaseStatus(row.status), application, row.created_at, row.updated_at
    )


def event_view(row: CaseEvent) -> CaseEventView:
    status = CaseStatus(row.status) if row.status else None
    return CaseEventView(row.at, CaseEventKind(row.kind), row.actor, row.actor_name, status, row.text)


class DatabaseCases:
    """Implements handlers.ports.CaseStore; one short session per call."""

    def __init__(self, db: Database):
        self.db = db

    async def create(self, channel: str, chat_id: str, user_name: str, application: Application) -> CaseView:
        async with self.db.writing() as s:
            return case_view(await cases.create(s, channel, chat_id, user_name, application))

    async def get(self, case_id: int) -> CaseView | None:
        async with self.db.session() as s:
            row = await cases.get(s, case_id)
        return case_view(row) if row is not None else None

    async def for_chat(self, channel: str, chat_id: str) -> list[CaseView]:
        async with self.db.session() as s:
            return [case_view(r) for r in await cases.for_chat(s, channel, chat_id)]

    async def change_status(
        self, case_id: int, status: CaseStatus, actor: str, actor_name: str, note: str, expected: CaseStatus
    ) -> CaseView | None:
        async with self.db.writing() as s:
            row = await cases.change_status(s, case_id, status, actor, actor_name, note, expected)
        return case_view(row) if row is not None else None

    async def add_event(self, case_id: int, kind: CaseEventKind, actor: str, actor_name: str, text: str) -> None:
        async with self.db.writing() as s:
            await cases.add_event(s, case_id, kind, actor, actor_name, text)

    async def events(self, case_id: int) -> list[CaseEventView]:
        async with self.db.session() as s:
            return [event_view(r) for r in await cases.events(s, case_id)]

    async def listing(self, status: CaseStatus | None = None, limit: int = 50) -> list[CaseView]:
        async with self.db.session() as s:
            return [case_view(r) for r in await cases.listing(s, status, limit)]
