"""Console accounts and sign-in throttling, as functions taking a session."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.admin.passwords import DUMMY_HASH, hash_password, verify_password
from bot.admin.roles import AdminRole
from bot.db.models import AdminLoginAttempt, AdminSession, AdminUser, stored_utc, utcnow

MAX_FAILURES = 5  # failed sign-ins for one address within THROTTLE_WINDOW before it must wait
THROTTLE_WINDOW = dt.timedelta(minutes=15)


class AccountError(ValueError):
    """An account command that cannot be done (unknown address, address taken)."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def find(session: AsyncSession, email: str) -> AdminUser | None:
    return (await session.exec(select(AdminUser).where(AdminUser.email == normalize_email(email)))).first()


async def add_user(session: AsyncSession, email: str, role: AdminRole, password: str) -> AdminUser:
    address = normalize_email(email)
    if "@" not in address or len(address) > 254:
        raise AccountError(f"địa chỉ email không hợp lệ: {email!r}")
    if await find(session, address) is not None:
        raise AccountError(f"đã có tài khoản {address}")
    user = AdminUser(email=address, role=role.value, password_hash=hash_password(password))
    session.add(user)
    await session.commit()
    await session.refresh(user)
    return user


async def reset_password(session: AsyncSession, email: str, password: str) -> AdminUser:
    user = await find(session, email)
    if user is None:
        raise AccountError(f"không có tài khoản {normalize_email(email)}")
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.disabled = False
    session.add(user)
    await session.exec(delete(AdminSession).where(col(AdminSession.user_id) == user.id))  # sign out everywhere
    await session.commit()
    return user


async def disable(session: AsyncSession, email: str) -> AdminUser:
    user = await find(session, email)
    if user is None:
        raise AccountError(f"không có tài khoản {normalize_email(email)}")
    user.disabled = True
    session.add(user)
    await session.exec(delete(AdminSession).where(col(AdminSession.user_id) == user.id))
    await session.commit()
    return user


async def wait_before_next_try(session: AsyncSession, email: str, now: dt.datetime | None = None) -> dt.timedelta:
    """How long this address must wait before another try; zero when it may try now."""
    now = now or utcnow()
    since = now - THROTTLE_WINDOW
    rows = (
        await session.exec(
            select(AdminLoginAttempt.at)
            .where(
                AdminLoginAttempt.email == normalize_email(email),
                col(AdminLoginAttempt.ok).is_(False),
                col(AdminLoginAttempt.at) >= since,
            )
            .order_by(col(AdminLoginAttempt.at))
        )
    ).all()
    if len(rows) < MAX_FAILURES:
        return dt.timedelta(0)
    oldest = rows[-MAX_FAILURES]
    oldest = stored_utc(oldest)
    return max(dt.timedelta(0), oldest + THROTTLE_WINDOW - now)


async def check_sign_in(session: AsyncSession, email: str, password: str) -> AdminUser | None:
    """The account if the password is right and it is enabled; every try is recorded for throttling."""
    user = await find(session, email)
    ok = verify_password(user.password_hash if user else DUMMY_HASH, password) and user is not None
    ok = ok and user is not None and not user.disabled
    session.add(AdminLoginAttempt(email=normalize_email(email)[:254], ok=ok))
    # Old tries are of no use: keep the table small.
    await session.exec(delete(AdminLoginAttempt).where(col(AdminLoginAttempt.at) < utcnow() - 4 * THROTTLE_WINDOW))
    await session.commit()
    return user if ok else None


async def count_users(session: AsyncSession) -> int:
    return int((await session.exec(select(func.count()).select_from(AdminUser))).one())
