"""One business on several channels: the link key its application gives, and one campaign row per person."""

from __future__ import annotations

import hashlib

from sqlalchemy import ColumnElement, and_, case, func, or_
from sqlmodel import col, select

from bot.db.models import Subscriber
from handlers.business_ids import BusinessIdError, read_mobile, read_tax_code

# The channel a linked person hears from when two of their chats were seen at the same moment: Telegram has
# buttons, the OA is the department's official face on Zalo, the Zalo bot comes last.
CHANNEL_ORDER = ("telegram", "zalo_oa", "zalo")


def link_key(tax_code: str = "", phone: str = "") -> str:
    """sha256 hex of "tax:<digits>" for a valid tax code, else of "phone:<0xxxxxxxxx>" for a valid mobile
    number, else "". The tax code wins: it names the business, while a phone may be one staff member's who
    applies for several. Only the hash is kept on the subscriber row: the case keeps the values themselves,
    the link needs none. It is a link, not a secret — ten digits are easily tried — so erasure deletes it
    with the row (bot/db/erasure.py)."""
    readers = (("tax", tax_code, read_tax_code), ("phone", phone, read_mobile))
    for prefix, typed, read in readers:
        if not (typed or "").strip():
            continue
        try:
            value = read(typed)
        except BusinessIdError:
            continue  # not a usable identifier: try the next one rather than link on a typo
        return hashlib.sha256(f"{prefix}:{value}".encode()).hexdigest()
    return ""


def channel_rank() -> ColumnElement[int]:
    """CHANNEL_ORDER as a number to sort by (an unknown channel last)."""
    return case(
        *((col(Subscriber.channel) == name, place) for place, name in enumerate(CHANNEL_ORDER)),
        else_=len(CHANNEL_ORDER),
    )


def one_per_person(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """`condition`, keeping of the matching rows that share a link key only the preferred one: the chat seen
    last (ties: CHANNEL_ORDER). Unlinked rows all stay. Only matching rows compete, so a person who left one
    channel (not active there) still gets the message on the one they are active on.

    A condition, not a query, so the fan-out's INSERT … SELECT and the size shown before confirming stay the
    same single statement: the window runs in the database over the linked rows only, never in Python."""
    ranked = (
        select(
            col(Subscriber.id).label("id"),
            func.row_number()
            .over(
                partition_by=col(Subscriber.link_key),
                order_by=(col(Subscriber.last_seen).desc(), channel_rank(), col(Subscriber.id)),
            )
            .label("place"),
        )
        .where(condition, col(Subscriber.link_key) != "")
        .subquery("linked")
    )
    preferred = select(ranked.c.id).where(ranked.c.place == 1)
    return and_(condition, or_(col(Subscriber.link_key) == "", col(Subscriber.id).in_(preferred)))
