"""Queries on `oa_account`, the Zalo OA's one row: its tokens, who is refreshing them, and what admins read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import OaAccount, stored_utc
from handlers.statuses import OaAuthState

ROW = 1


@dataclass(frozen=True)
class OaAuthView:
    """The row without its tokens: what the console, the CLI and log lines may show."""

    state: OaAuthState
    problem: str = ""
    access_expires_at: dt.datetime | None = None
    refresh_expires_at: dt.datetime | None = None
    refreshing_since: dt.datetime | None = None
    generation: int = 0


@dataclass(frozen=True)
class NewTokens:
    access_token: str
    access_expires_at: dt.datetime
    refresh_token: str
    refresh_expires_at: dt.datetime

    def __repr__(self) -> str:  # never a token, even in a traceback
        return f"NewTokens(access_expires_at={self.access_expires_at!r})"


def view(row: OaAccount | None) -> OaAuthView:
    if row is None:
        return OaAuthView(OaAuthState.NOT_AUTHORISED)
    return OaAuthView(
        OaAuthState(row.state),
        row.problem,
        stored_utc(row.access_expires_at),
        stored_utc(row.refresh_expires_at),
        stored_utc(row.refreshing_since),
        row.generation,
    )


def _postgres(session: AsyncSession) -> bool:
    assert session.bind is not None  # Database.sessions binds every session to its engine
    return session.bind.dialect.name == "postgresql"


async def read(session: AsyncSession) -> OaAccount | None:
    return (await session.exec(select(OaAccount).where(OaAccount.id == ROW))).first()


async def auth_view(session: AsyncSession) -> OaAuthView:
    """State, problem and expiry dates (the console's banner, `zalo-oa status`): never a token."""
    return view(await read(session))


async def lock(session: AsyncSession) -> OaAccount | None:
    """Take the row for this transaction, then read it as committed: one refresher at a time, across processes.

    PostgreSQL: SELECT … FOR UPDATE. SQLite has no row locks; a write as the transaction's first statement
    takes the database's write lock (what BEGIN IMMEDIATE would), so the read after it sees the newest commit
    and no other process can write until we commit. A read first would see a snapshot another writer may
    already have made stale."""
    query = select(OaAccount).where(OaAccount.id == ROW).execution_options(populate_existing=True)
    if _postgres(session):
        return (await session.exec(query.with_for_update())).first()
    await session.exec(update(OaAccount).where(col(OaAccount.id) == ROW).values(generation=OaAccount.generation))
    return (await session.exec(query)).first()


async def ensure(session: AsyncSession) -> None:
    """The row exists (it is made the first time an admin authorises); two processes may race to make it."""
    insert = pg_insert if _postgres(session) else sqlite_insert
    await session.exec(insert(OaAccount).values(**OaAccount(id=ROW).model_dump()).on_conflict_do_nothing())


async def set_refreshing(session: AsyncSession, spent: str, since: dt.datetime | None) -> None:
    """Mark (or clear) a refresh of `spent` under way; a no-op once another token has replaced it."""
    await session.exec(
        update(OaAccount)
        .where(col(OaAccount.id) == ROW, col(OaAccount.refresh_token) == spent)
        .values(refreshing_since=since)
    )


async def store(session: AsyncSession, tokens: NewTokens, now: dt.datetime, spent: str | None = None) -> int | None:
    """The new pair, CONNECTED, no refresh under way, the generation bumped. With `spent`, only if the row
    still holds that refresh token (another holder may have stored its own successor or a new authorisation);
    without it (a new authorisation) always. Returns the new generation, None when the row did not take it."""
    query = update(OaAccount).where(col(OaAccount.id) == ROW)
    if spent is not None:
        query = query.where(col(OaAccount.refresh_token) == spent)
    result = await session.exec(
        query.values(
            state=OaAuthState.CONNECTED,
            access_token=tokens.access_token,
            access_expires_at=tokens.access_expires_at,
            refresh_token=tokens.refresh_token,
            refresh_expires_at=tokens.refresh_expires_at,
            refreshing_since=None,
            generation=OaAccount.generation + 1,
            problem="",
            updated_at=now,
        )
    )
    if not result.rowcount:
        return None
    return (await session.exec(select(OaAccount.generation).where(OaAccount.id == ROW))).one()


async def lose(session: AsyncSession, spent: str, problem: str, now: dt.datetime) -> bool:
    """CONNECTED → NEEDS_REAUTH, if the row still holds the refresh token Zalo refused. Returns whether this
    call made the change (so that one process, once, alerts admins)."""
    result = await session.exec(
        update(OaAccount)
        .where(
            col(OaAccount.id) == ROW,
            col(OaAccount.refresh_token) == spent,
            col(OaAccount.state) == OaAuthState.CONNECTED,
        )
        .values(state=OaAuthState.NEEDS_REAUTH, problem=problem, refreshing_since=None, updated_at=now)
    )
    return bool(result.rowcount)
