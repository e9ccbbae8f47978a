"""The contact details the bot gives: the environment's, overridden by what an admin saved in the console."""

from __future__ import annotations

import dataclasses

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.database import Database
from bot.db.models import AppSetting, utcnow
from handlers.views import ContactDetails

# Setting key → ContactDetails field; saved values win over the environment's, "" included (an admin may clear).
KEYS = {"contact_org": "org", "contact_phone": "phone", "contact_email": "email", "contact_address": "address"}


class ContactBook:
    """The current contact details, refreshed from the database every few seconds by the running bot."""

    def __init__(self, defaults: ContactDetails):
        self.defaults = defaults
        self._current = defaults

    def current(self) -> ContactDetails:
        return self._current

    async def refresh(self, db: Database) -> ContactDetails:
        async with db.session() as session:
            self._current = await read(session, self.defaults)
        return self._current


async def read(session: AsyncSession, defaults: ContactDetails) -> ContactDetails:
    rows = (await session.exec(select(AppSetting).where(col(AppSetting.key).in_(list(KEYS))))).all()
    saved = {KEYS[row.key]: row.value for row in rows}
    return dataclasses.replace(defaults, **saved)


async def save(session: AsyncSession, details: ContactDetails, author: str) -> None:
    """Store every field (the caller commits, with its audit event)."""
    for key, name in KEYS.items():
        row = await session.get(AppSetting, key) or AppSetting(key=key)
        row.value = str(getattr(details, name)).strip()
        row.updated_by = author
        row.updated_at = utcnow()
        session.add(row)
