"""Console accounts are people too (Decree 13/2023): what is kept about one, and erasing it — the account, its
sessions and sign-in tries go; what it wrote stays, signed with a pseudonym instead of the address."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, update
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.admin.accounts import AccountError, find, normalize_email
from bot.db.models import (
    AdminLoginAttempt,
    AdminSession,
    AppSetting,
    AuditEvent,
    EntryVersion,
    KnowledgeSnapshot,
)


@dataclass(frozen=True)
class AccountData:
    email: str
    role: str
    disabled: bool
    created: str
    sessions: int
    sign_in_tries: int
    audit_events: int
    entry_versions: int
    test_chat: str = ""  # where the account's campaign test sends go


async def account_data(session: AsyncSession, email: str) -> AccountData:
    user = await find(session, email)
    if user is None:
        raise AccountError(f"không có tài khoản {normalize_email(email)}")

    async def count(query: object) -> int:
        return int((await session.exec(query)).one())  # type: ignore[call-overload]

    address = user.email
    return AccountData(
        address,
        user.role,
        user.disabled,
        f"{user.created_at:%d/%m/%Y %H:%M} UTC",
        await count(select(func.count()).where(col(AdminSession.user_id) == user.id)),
        await count(select(func.count()).where(col(AdminLoginAttempt.email) == address)),
        await count(select(func.count()).where(col(AuditEvent.actor) == address)),
        await count(select(func.count()).where(col(EntryVersion.author) == address)),
        user.test_chat,
    )


async def erase_account(session: AsyncSession, email: str) -> str:
    """Delete the account and everything that is only about it; returns the pseudonym its work now carries."""
    user = await find(session, email)
    if user is None:
        raise AccountError(f"không có tài khoản {normalize_email(email)}")
    address, pseudonym = user.email, f"(tài khoản đã xóa #{user.id})"
    await session.exec(delete(AdminSession).where(col(AdminSession.user_id) == user.id))
    await session.exec(delete(AdminLoginAttempt).where(col(AdminLoginAttempt.email) == address))
    signed: list[tuple[type[SQLModel], str]] = [
        (AuditEvent, "actor"),
        (EntryVersion, "author"),
        (AppSetting, "updated_by"),
        (KnowledgeSnapshot, "author"),
    ]
    for table, name in signed:
        await session.exec(update(table).where(col(getattr(table, name)) == address).values({name: pseudonym}))
    # Audit lines written about the account ("đã tạo tài khoản …") name it in their text.
    for name in ("action", "target", "detail"):
        column = getattr(AuditEvent, name)
        await session.exec(
            update(AuditEvent)
            .where(col(column).contains(address))
            .values({name: func.replace(column, address, pseudonym)})
        )
    await session.delete(user)
    await session.commit()
    return pseudonym
