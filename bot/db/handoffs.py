"""Queries on requests to talk to staff and their transcripts."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import HandoffMessage, HandoffRequest, utcnow
from handlers.statuses import HandoffAuthor, HandoffStatus

MAX_TEXT = 4000
# No 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B: staff read the code off a phone and type it back.
CODE_ALPHABET = "ACDEFHJKMNPRTUVWXY3479"
LIVE = (HandoffStatus.OPEN, HandoffStatus.TAKEN)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(4))


async def open_request(
    session: AsyncSession, channel: str, chat_id: str, user_id: str, user_name: str, question: str
) -> HandoffRequest:
    row = HandoffRequest(
        code=new_code(),
        channel=channel,
        chat_id=chat_id,
        user_id=user_id,
        user_name=user_name[:256],
        question=question[:MAX_TEXT],
    )
    session.add(row)
    await session.commit()
    return row


async def live_request(session: AsyncSession, channel: str, chat_id: str) -> HandoffRequest | None:
    """The chat's request that is still open or taken, if any (the newest)."""
    result = await session.exec(
        select(HandoffRequest)
        .where(
            HandoffRequest.channel == channel,
            HandoffRequest.chat_id == chat_id,
            col(HandoffRequest.status).in_(LIVE),
        )
        .order_by(col(HandoffRequest.id).desc())
    )
    return result.first()


async def get_request(session: AsyncSession, request_id: int) -> HandoffRequest | None:
    return await session.get(HandoffRequest, request_id)


async def add_message(
    session: AsyncSession, request_id: int, author: HandoffAuthor, text: str, author_name: str = ""
) -> HandoffMessage:
    """Append to the transcript and mark the request active now."""
    row = HandoffMessage(request_id=request_id, author=author, author_name=author_name[:256], text=text[:MAX_TEXT])
    session.add(row)
    values: dict[str, object] = {"last_activity_at": utcnow()}
    if author is HandoffAuthor.STAFF:
        request = await session.get(HandoffRequest, request_id)
        if request is not None and request.first_reply_at is None:
            values["first_reply_at"] = utcnow()
    await session.exec(update(HandoffRequest).where(col(HandoffRequest.id) == request_id).values(**values))
    await session.commit()
    return row


async def mark_copied(session: AsyncSession, message_id: int, staff_message: str) -> None:
    """Remember where the staff chat shows this message, so a reply to it finds the request."""
    await session.exec(
        update(HandoffMessage).where(col(HandoffMessage.id) == message_id).values(staff_message=staff_message[:160])
    )
    await session.commit()


async def request_of_staff_message(session: AsyncSession, staff_message: str) -> HandoffRequest | None:
    found = await session.exec(
        select(HandoffRequest)
        .join(HandoffMessage, col(HandoffMessage.request_id) == col(HandoffRequest.id))
        .where(HandoffMessage.staff_message == staff_message[:160])
    )
    return found.first()


async def take(session: AsyncSession, request: HandoffRequest, staff: str, staff_name: str) -> HandoffRequest:
    request.status = HandoffStatus.TAKEN
    request.assigned_to = staff[:128]
    request.assigned_name = staff_name[:256]
    request.last_activity_at = utcnow()
    session.add(request)
    await session.commit()
    return request


async def close(session: AsyncSession, request: HandoffRequest, note: str = "") -> HandoffRequest:
    request.status = HandoffStatus.CLOSED
    request.closed_at = utcnow()
    request.close_note = note[:MAX_TEXT]
    session.add(request)
    await session.commit()
    return request


async def live_requests(session: AsyncSession, limit: int = 20) -> list[HandoffRequest]:
    """Open and taken requests, oldest activity first: the ones waiting longest on top."""
    result = await session.exec(
        select(HandoffRequest)
        .where(col(HandoffRequest.status).in_(LIVE))
        .order_by(col(HandoffRequest.last_activity_at), col(HandoffRequest.id))
        .limit(limit)
    )
    return list(result.all())


async def transcript(session: AsyncSession, request_id: int) -> list[HandoffMessage]:
    result = await session.exec(
        select(HandoffMessage).where(HandoffMessage.request_id == request_id).order_by(col(HandoffMessage.id))
    )
    return list(result.all())


async def close_idle(session: AsyncSession, idle_before: dt.datetime) -> list[HandoffRequest]:
    """Close live requests nobody wrote in since `idle_before`; returns them (to tell staff)."""
    result = await session.exec(
        select(HandoffRequest).where(
            col(HandoffRequest.status).in_(LIVE), col(HandoffRequest.last_activity_at) < idle_before
        )
    )
    rows = list(result.all())
    for row in rows:
        row.status = HandoffStatus.CLOSED
        row.closed_at = utcnow()
        row.close_note = row.close_note or "tự kết thúc vì lâu không có tin nhắn"
        session.add(row)
    await session.commit()
    return rows


async def claim(session: AsyncSession, request_id: int, staff: str, staff_name: str, seen: str) -> bool:
    """Assign a live request to `staff` only if its assignee is still `seen` ("" while open): one conditional
    UPDATE, so of two people taking it at once exactly one wins and nobody's take is silently undone."""
    result = await session.exec(
        update(HandoffRequest)
        .where(
            col(HandoffRequest.id) == request_id,
            col(HandoffRequest.status).in_(LIVE),
            col(HandoffRequest.assigned_to) == seen[:128],
        )
        .values(
            status=HandoffStatus.TAKEN,
            assigned_to=staff[:128],
            assigned_name=staff_name[:256],
            last_activity_at=utcnow(),
        )
    )
    await session.commit()
    return bool(result.rowcount)


async def close_live(session: AsyncSession, request_id: int, note: str = "") -> bool:
    """Close a request only if it is still open or taken; False when someone (or idleness) closed it first."""
    result = await session.exec(
        update(HandoffRequest)
        .where(col(HandoffRequest.id) == request_id, col(HandoffRequest.status).in_(LIVE))
        .values(status=HandoffStatus.CLOSED, closed_at=utcnow(), close_note=note[:MAX_TEXT])
    )
    await session.commit()
    return bool(result.rowcount)


async def closed_requests(session: AsyncSession, limit: int = 50) -> list[HandoffRequest]:
    """The latest closed requests, the most recently closed first."""
    result = await session.exec(
        select(HandoffRequest)
        .where(HandoffRequest.status == HandoffStatus.CLOSED)
        .order_by(col(HandoffRequest.closed_at).desc(), col(HandoffRequest.id).desc())
        .limit(limit)
    )
    return list(result.all())


async def live_requests_after(session: AsyncSession, after_id: int, limit: int = 50) -> list[HandoffRequest]:
    """Open and taken requests newer than `after_id` (ids only grow), oldest first: what a list page lacks."""
    result = await session.exec(
        select(HandoffRequest)
        .where(col(HandoffRequest.id) > after_id, col(HandoffRequest.status).in_(LIVE))
        .order_by(col(HandoffRequest.id))
        .limit(limit)
    )
    return list(result.all())


async def messages_after(session: AsyncSession, request_id: int, after_id: int) -> list[HandoffMessage]:
    """A transcript's messages newer than `after_id`, in order: what a request's page has not shown yet."""
    result = await session.exec(
        select(HandoffMessage)
        .where(HandoffMessage.request_id == request_id, col(HandoffMessage.id) > after_id)
        .order_by(col(HandoffMessage.id))
    )
    return list(result.all())
