"""A console account seeded everywhere an account can leave its address, then erased: nothing names it any more,
what it wrote stays under a pseudonym; old audit lines go after the retention period."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.admin import account_privacy, accounts, audit, history, sessions
from bot.admin.accounts import AccountError
from bot.admin.roles import AdminRole
from bot.contact_book import save as save_contacts
from bot.db import retention
from bot.db.models import AuditEvent, KnowledgeSnapshot, utcnow
from handlers.views import ContactDetails, RetentionPolicy
from tests.bot.test_erasure import everything
from tests.kb_builders import entry

EMAIL = "nguyen.van.a@sokhcn.vn"
PASSWORD = "mat-khau-du-dai-1"


async def seed_account(db) -> None:
    async with db.session() as session:
        user = await accounts.add_user(session, EMAIL, AdminRole.ADMIN, PASSWORD)
        user.test_chat = "telegram:987654321"  # the staff member's own chat, for campaign test sends
        await audit.record(session, "dòng lệnh", f"đã tạo tài khoản {EMAIL}")
        await sessions.open_session(session, user)
        await accounts.check_sign_in(session, EMAIL, "sai-mat-khau-123")
        history.add(session, "mot", entry("mot", "Câu một?"), EMAIL, "sửa câu hỏi")
        await audit.record(session, EMAIL, "sửa câu hỏi", "mot", "phiên bản kho 2")
        await save_contacts(session, ContactDetails("Sở", phone="0200 000 000"), EMAIL)
        session.add(KnowledgeSnapshot(author=EMAIL, before_version=1, after_version=2, data="{}"))
        await session.commit()


async def test_show_then_erase_leaves_no_address_anywhere(db):
    await seed_account(db)
    async with db.session() as session:
        await accounts.add_user(session, "khac@sokhcn.vn", AdminRole.STAFF, PASSWORD)
        shown = await account_privacy.account_data(session, EMAIL.upper())
    assert (shown.email, shown.sessions, shown.sign_in_tries, shown.audit_events, shown.entry_versions) == (
        EMAIL,
        1,
        1,
        1,
        1,
    )
    assert shown.test_chat == "telegram:987654321"
    assert EMAIL in await everything(db)
    async with db.session() as session:
        pseudonym = await account_privacy.erase_account(session, EMAIL)
    cells = await everything(db)
    assert EMAIL not in cells and pseudonym in cells and "987654321" not in cells
    assert "khac@sokhcn.vn" in cells  # the other account is untouched
    async with db.session() as session:
        versions = await history.versions(session, "mot")
        assert versions[0].author == pseudonym  # the work stays, signed with the pseudonym
        with pytest.raises(AccountError):
            await account_privacy.erase_account(session, EMAIL)


async def test_audit_lines_go_after_the_retention_period(db):
    async with db.session() as session:
        session.add(AuditEvent(actor="a@b.vn", action="sửa câu hỏi", at=utcnow() - dt.timedelta(days=800)))
        session.add(AuditEvent(actor="a@b.vn", action="sửa câu hỏi", at=utcnow() - dt.timedelta(days=10)))
        await session.commit()
    async with db.writing() as session:
        done = await retention.purge(session, RetentionPolicy(audit_days=730), utcnow())
    assert done["audit"] == 1
    async with db.session() as session:
        assert len(await audit.recent(session)) == 1
