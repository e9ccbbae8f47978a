"""Who a campaign reaches: `all`, or terms like `topic:ocop-tccs,channel:zalo,district:Hạ Long`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, func, literal, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Subscriber
from handlers.statuses import SubscriberStatus

KEYS = ("topic", "channel", "district", "sector")
CHANNEL_TEXT_LIMITS = {"telegram": 4096, "zalo": 2000}


class AudienceError(ValueError):
    """An audience string that cannot be read."""


@dataclass(frozen=True)
class Audience:
    """Values of one key are alternatives (OR); different keys must all match (AND)."""

    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> Audience:
        text = (text or "all").strip()
        if text.lower() in ("all", "*", ""):
            return cls({})
        terms: dict[str, list[str]] = {}
        for part in text.split(","):
            key, sep, value = part.partition(":")
            key, value = key.strip().lower(), value.strip()
            if not sep or key not in KEYS or not value:
                raise AudienceError(
                    f"cannot read {part.strip()!r}: use all, topic:ID, channel:telegram|zalo, "
                    "district:NAME or sector:NAME, separated by commas"
                )
            terms.setdefault(key, []).append(value)
        return cls({k: tuple(v) for k, v in terms.items()})

    def to_json(self) -> str:
        return json.dumps({k: list(v) for k, v in self.terms.items()}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Audience:
        return cls({k: tuple(v) for k, v in (json.loads(text or "{}") or {}).items()})

    def describe(self) -> str:
        if not self.terms:
            return "all"
        return ",".join(f"{k}:{v}" for k, values in self.terms.items() for v in values)

    def channels(self) -> tuple[str, ...]:
        return self.terms.get("channel", tuple(CHANNEL_TEXT_LIMITS))


def sql_filter(audience: Audience) -> ColumnElement[bool]:
    """The audience as a SQL condition on Subscriber: active, and every key matches one of its values.

    Topics are a comma list; a subscriber with none chose "all topics". District and sector compare
    case-insensitively. Both the fan-out and the size shown to staff use this one condition.
    """
    conditions = [col(Subscriber.status) == SubscriberStatus.ACTIVE]
    if "channel" in audience.terms:
        conditions.append(col(Subscriber.channel).in_(audience.terms["channel"]))
    if "topic" in audience.terms:
        wrapped = literal(",") + Subscriber.topics + literal(",")
        conditions.append(
            or_(col(Subscriber.topics) == "", *(wrapped.like(f"%,{t},%") for t in audience.terms["topic"]))
        )
    for key in ("district", "sector"):
        if key in audience.terms:
            column = getattr(Subscriber, key)
            conditions.append(func.lower(column).in_([v.lower() for v in audience.terms[key]]))
    return and_(*conditions)


async def audience_size(session: AsyncSession, audience: Audience) -> int:
    """How many subscribers the fan-out would reach: the same SQL condition, counted."""
    return (await session.exec(select(func.count()).select_from(Subscriber).where(sql_filter(audience)))).one()


def text_problem(text: str, audience: Audience) -> str | None:
    """Why `text` cannot go to this audience (too long for one of its channels), or None."""
    if not text.strip():
        return "the text is empty"
    for channel in audience.channels():
        limit = CHANNEL_TEXT_LIMITS.get(channel)
        if limit and len(text) > limit:
            return f"the text has {len(text)} characters; {channel} allows {limit}"
    return None
