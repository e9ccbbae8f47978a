"""Finding applications for support for the console: filters, a search, counts per status, newest first, in pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, literal, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import ApplicationCase
from bot.db.subscriber_search import name_pattern
from handlers.statuses import CaseStatus

PAGE_SIZE = 50
MAX_QUERY = 100  # characters of the search box used
MAX_CHOICES = 200  # distinct communes offered as filter values (the province has 54)
# "HS12-K7QX", "hs 12", "12-k7qx": a reference as staff copy it from a chat or a report.
REFERENCE = re.compile(r"(?P<prefix>hs)?\s*#?(?P<id>\d{1,12})(?:\s*-\s*(?P<code>[a-z0-9]{1,16}))?", re.IGNORECASE)


@dataclass(frozen=True)
class CaseQuery:
    """What the cases page asks for; empty fields do not filter."""

    text: str = ""  # a fragment of the business name, of the tax code, or a reference
    status: str = ""  # a CaseStatus value
    commune: str = ""
    need: str = ""  # a SupportNeed value

    @property
    def empty(self) -> bool:
        return not any((self.text.strip(), self.status, self.commune, self.need))

    def without_status(self) -> CaseQuery:
        return CaseQuery(self.text, "", self.commune, self.need)

    @property
    def described(self) -> str:
        """The filters as the audit log keeps them: the search text may be a name, so only that there was one."""
        parts = [
            f"{k}={v}" for k, v in (("trạng thái", self.status), ("xã", self.commune), ("nhu cầu", self.need)) if v
        ]
        parts += ["có từ khóa tìm"] if self.text.strip() else []
        return ", ".join(parts) or "không lọc"


@dataclass(frozen=True)
class CasePage:
    rows: list[ApplicationCase]
    total: int
    page: int
    pages: int


def reference(case: ApplicationCase) -> str:
    """The reference the business was given (as CaseView.reference spells it)."""
    return f"HS{case.id}-{case.code}"


def needs_of(case: ApplicationCase) -> list[str]:
    """The stored comma-separated SupportNeed values, in order."""
    return [need for need in case.needs.split(",") if need]


def _like_fragment(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _text_condition(text: str) -> ColumnElement[bool]:
    """The business name (any case, diacritics optional), a fragment of the tax code, or a reference."""
    found: list[ColumnElement[bool]] = [col(ApplicationCase.business_name).regexp_match(name_pattern(text))]
    digits = text.replace("-", "").replace(" ", "")
    if digits.isascii() and digits.isdigit():  # "5701234567" or "5701234567-001" as printed on papers
        found.append(col(ApplicationCase.tax_code).like(_like_fragment(digits), escape="\\"))
    ref = REFERENCE.fullmatch(text)
    # A bare number may be a case number or part of a tax code: up to 6 digits it is tried as both. Past 9
    # digits it is no case number ("5700111222-001" is a branch's tax code) and would overflow the column.
    if ref is not None and len(ref["id"]) <= 9 and (ref["prefix"] or ref["code"] or len(ref["id"]) <= 6):
        same = col(ApplicationCase.id) == int(ref["id"])
        if ref["code"]:
            same = same & (func.lower(col(ApplicationCase.code)) == ref["code"].lower())
        found.append(same)
    return or_(*found)


def _conditions(query: CaseQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    text = " ".join(query.text.split())[:MAX_QUERY]
    if text:
        conditions.append(_text_condition(text))
    if query.status:
        conditions.append(col(ApplicationCase.status) == query.status)
    if query.commune:
        conditions.append(col(ApplicationCase.commune) == query.commune)
    if query.need:
        wrapped = literal(",") + col(ApplicationCase.needs) + literal(",")
        conditions.append(wrapped.like(_like_fragment(f",{query.need},"), escape="\\"))
    return conditions


def _newest_first() -> tuple[Any, Any]:
    return col(ApplicationCase.created_at).desc(), col(ApplicationCase.id).desc()


async def count(session: AsyncSession, query: CaseQuery) -> int:
    found = await session.exec(select(func.count()).select_from(ApplicationCase).where(*_conditions(query)))
    return int(found.one())


async def search(session: AsyncSession, query: CaseQuery, page: int = 1) -> CasePage:
    """One page of the cases matching `query`, newest first; a page past the end shows the last one."""
    total = await count(session, query)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    ranked = select(ApplicationCase).where(*_conditions(query)).order_by(*_newest_first())
    rows = list((await session.exec(ranked.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))).all()) if total else []
    return CasePage(rows, total, page, pages)


async def status_counts(session: AsyncSession, query: CaseQuery) -> dict[CaseStatus, int]:
    """How many cases of each status match the query's other filters (every status, zeros included)."""
    status = col(ApplicationCase.status)
    grouped = select(status, func.count()).where(*_conditions(query.without_status())).group_by(status)
    counts = dict.fromkeys(CaseStatus, 0)
    known = {status.value for status in CaseStatus}
    for value, number in (await session.exec(grouped)).all():
        if value in known:  # a status no longer known is not counted under another
            counts[CaseStatus(value)] = int(number)
    return counts


async def matching(session: AsyncSession, query: CaseQuery) -> list[ApplicationCase]:
    """Every case matching `query`, in the list's order: what the export writes."""
    return list(
        (await session.exec(select(ApplicationCase).where(*_conditions(query)).order_by(*_newest_first()))).all()
    )


async def communes(session: AsyncSession) -> list[str]:
    """The communes cases came from, for the filter (only those with cases: a short list to pick from)."""
    commune = col(ApplicationCase.commune)
    found = await session.exec(select(commune).where(commune != "").group_by(commune).order_by(commune))
    return [str(value) for value in found.all()][:MAX_CHOICES]
