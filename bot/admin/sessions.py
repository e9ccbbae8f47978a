"""Server-side console sessions: a random cookie token, stored only as its SHA-256, with its CSRF token."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.admin.roles import AdminRole
from bot.db.models import AdminSession, AdminUser, stored_utc, utcnow

LIFETIME = dt.timedelta(hours=8)  # a working day; then sign in again


@dataclass(frozen=True)
class SignedIn:
    """Who is behind a request, and the token their forms must carry."""

    user_id: int
    email: str
    role: AdminRole
    csrf: str

    @property
    def is_admin(self) -> bool:
        return self.role is AdminRole.ADMIN


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(session: AsyncSession, user: AdminUser, now: dt.datetime | None = None) -> str:
    """A new session for `user`; returns the cookie token (never stored as such)."""
    assert user.id is not None
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    session.add(
        AdminSession(
            token_hash=token_hash(token),
            user_id=user.id,
            csrf=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + LIFETIME,
        )
    )
    await session.exec(delete(AdminSession).where(col(AdminSession.expires_at) < now))
    await session.commit()
    return token


async def signed_in(session: AsyncSession, token: str, now: dt.datetime | None = None) -> SignedIn | None:
    """The person a cookie stands for, if the session is live and the account enabled."""
    if not token or len(token) > 100:
        return None
    now = now or utcnow()
    row = (
        await session.exec(
            select(AdminSession, AdminUser)
            .join(AdminUser, col(AdminUser.id) == col(AdminSession.user_id))
            .where(AdminSession.token_hash == token_hash(token))
        )
    ).first()
    if row is None:
        return None
    stored, user = row
    expires = stored_utc(stored.expires_at)
    if expires < now or user.disabled or user.id is None:
        return None
    return SignedIn(user.id, user.email, AdminRole(user.role), stored.csrf)


async def close_session(session: AsyncSession, token: str) -> None:
    await session.exec(delete(AdminSession).where(col(AdminSession.token_hash) == token_hash(token)))
    await session.commit()
