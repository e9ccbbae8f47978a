"""Finding subscribers for the console: a name or chat-id search, filters, newest activity first, in pages."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Subscriber
from handlers.statuses import SubscriberStatus

PAGE_SIZE = 50
MAX_QUERY = 100  # characters of the search box used
MAX_CHOICES = 500  # distinct communes (or sectors) offered as filter values
# Every Vietnamese letter a plain Latin letter stands for when typed without diacritics.
VARIANTS = {
    "a": "aàáảãạăằắẳẵặâầấẩẫậ",
    "e": "eèéẻẽẹêềếểễệ",
    "i": "iìíỉĩị",
    "o": "oòóỏõọôồốổỗộơờớởỡợ",
    "u": "uùúủũụưừứửữự",
    "y": "yỳýỷỹỵ",
    "d": "dđ",
}


@dataclass(frozen=True)
class SubscriberQuery:
    """What the list page asks for; empty fields do not filter."""

    text: str = ""  # a fragment of the name, chat id or user id
    channel: str = ""
    topic: str = ""  # a topic id: people who chose it, and active people who take every topic
    status: str = ""
    commune: str = ""  # a commune's canonical name
    sector: str = ""

    @property
    def empty(self) -> bool:
        return not any((self.text.strip(), self.channel, self.topic, self.status, self.commune, self.sector))


@dataclass(frozen=True)
class SubscriberPage:
    rows: list[Subscriber]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class FilterChoices:
    """The commune and sector values people have given, for the list's filters."""

    communes: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)


def _letter_class(ch: str) -> str:
    """A regex character class matching `ch` in either case; a plain letter also matches its accented forms."""
    forms = VARIANTS.get(ch, ch)
    return "[" + forms + forms.upper() + "]"


def name_pattern(text: str) -> str:
    """A regular expression, valid for both PostgreSQL and Python's `re` (SQLite's REGEXP), that finds `text`
    in a name ignoring case and, where typed without them, diacritics: "nguyen" finds "Nguyễn", while
    "Nguyễn" finds only "Nguyễn". Everything but letters and digits is written as \\uXXXX, so nothing the
    user types is read as regex syntax."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", " ".join(text.split())).lower():
        if ch == " ":
            out.append("\\s+")
        elif ch.isalpha() and ch.upper() != ch:
            out.append(_letter_class(ch))
        elif ch.isascii() and ch.isdigit():
            out.append(ch)
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return "".join(out)


def _like_fragment(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(query: SubscriberQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    text = " ".join(query.text.split())[:MAX_QUERY]
    if text:
        found: list[ColumnElement[bool]] = [col(Subscriber.display_name).regexp_match(name_pattern(text))]
        # Chat and user ids are ASCII without spaces: "nguyen van" or "Hương" is looked for in names only,
        # which on PostgreSQL halves the scan (lower() on two more columns of every row).
        if text.isascii() and not any(ch.isspace() for ch in text):
            fragment = _like_fragment(text.lower())
            for column in (col(Subscriber.chat_id), col(Subscriber.user_id)):
                # Digits need no case folding, and lower() on every row is a good part of the scan.
                folded = func.lower(column) if any(ch.isalpha() for ch in text) else column
                found.append(folded.like(fragment, escape="\\"))
        conditions.append(or_(*found))
    if query.channel:
        conditions.append(col(Subscriber.channel) == query.channel)
    if query.status:
        conditions.append(col(Subscriber.status) == query.status)
    if query.commune:
        conditions.append(col(Subscriber.commune) == query.commune)
    if query.sector:
        conditions.append(col(Subscriber.sector) == query.sector)
    if query.topic:
        wrapped = literal(",") + col(Subscriber.topics) + literal(",")
        every_topic = and_(col(Subscriber.topics) == "", col(Subscriber.status) == SubscriberStatus.ACTIVE)
        conditions.append(or_(wrapped.like(_like_fragment(f",{query.topic},"), escape="\\"), every_topic))
    return conditions


def _newest_first() -> tuple[Any, Any]:
    return col(Subscriber.last_seen).desc(), col(Subscriber.id).desc()


async def count(session: AsyncSession, query: SubscriberQuery) -> int:
    found = await session.exec(select(func.count()).select_from(Subscriber).where(*_conditions(query)))
    return int(found.one())


async def _page_ids(session: AsyncSession, query: SubscriberQuery, page: int) -> tuple[list[int], int]:
    """The page's ids and the total. A name search counts in the same pass (a window count): every name is
    matched once, not twice. Without one, a plain count and the page are cheaper than the window's buffer."""
    offset = (page - 1) * PAGE_SIZE
    if not query.text.strip():
        total = await count(session, query)
        ranked = select(col(Subscriber.id)).where(*_conditions(query)).order_by(*_newest_first())
        ids = (await session.exec(ranked.offset(offset).limit(PAGE_SIZE))).all() if total else []
        return [i for i in ids if i is not None], total
    counted = select(col(Subscriber.id), func.count().over()).where(*_conditions(query)).order_by(*_newest_first())
    found = (await session.exec(counted.offset(offset).limit(PAGE_SIZE))).all()
    return [row[0] for row in found if row[0] is not None], int(found[0][1]) if found else 0


async def search(session: AsyncSession, query: SubscriberQuery, page: int = 1) -> SubscriberPage:
    """One page of the people matching `query`, newest activity first; a page past the end shows the last."""
    page = max(1, page)
    ids, total = await _page_ids(session, query, page)
    if not ids and page > 1:  # past the end (or the list shrank): count, then show the last page
        total = await count(session, query)
        page = max(1, -(-total // PAGE_SIZE))
        ids, total = await _page_ids(session, query, page)
    rows: list[Subscriber] = []
    if ids:
        found = await session.exec(select(Subscriber).where(col(Subscriber.id).in_(ids)).order_by(*_newest_first()))
        rows = list(found.all())
    return SubscriberPage(rows, total, page, max(1, -(-total // PAGE_SIZE)))


async def matching(session: AsyncSession, query: SubscriberQuery) -> list[Subscriber]:
    """Everyone matching `query`, in the list's order: what an export writes."""
    found = await session.exec(select(Subscriber).where(*_conditions(query)).order_by(*_newest_first()))
    return list(found.all())


async def by_id(session: AsyncSession, subscriber_id: int) -> Subscriber | None:
    return await session.get(Subscriber, subscriber_id)


async def _distinct(session: AsyncSession, column: Any) -> list[str]:
    found = await session.exec(select(column).where(column != "").group_by(column).order_by(column).limit(MAX_CHOICES))
    return [str(value) for value in found.all()]


async def filter_choices(session: AsyncSession) -> FilterChoices:
    return FilterChoices(
        await _distinct(session, col(Subscriber.commune)), await _distinct(session, col(Subscriber.sector))
    )
