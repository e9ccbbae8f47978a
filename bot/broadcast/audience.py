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
CHANNELS = ("telegram", "zalo")
KEY_WORDS = {"topic": "chủ đề", "channel": "kênh", "district": "địa bàn", "sector": "ngành"}
CHANNEL_WORDS = {"telegram": "Telegram", "zalo": "Zalo"}
MAX_LISTED = 12  # valid choices named in an error; the rest are counted


class AudienceError(ValueError):
    """An audience that cannot be read or names something that does not exist (message in Vietnamese)."""


@dataclass(frozen=True)
class AudienceChoices:
    """What an audience may name now: the knowledge base's topics (id → title), the channels, and the
    district and sector values subscribers have given."""

    topics: dict[str, str]
    channels: tuple[str, ...] = CHANNELS
    districts: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()

    def valid(self, key: str) -> dict[str, str]:
        """Accepted values of `key`, folded to lower case → how they are shown."""
        shown: dict[str, str] = {
            "topic": {t: f"{t} ({title})" for t, title in self.topics.items()},
            "channel": {c: c for c in self.channels},
            "district": {d: d for d in self.districts},
            "sector": {v: v for v in self.sectors},
        }[key]
        return {k.lower(): v for k, v in shown.items()}


def _listed(values: list[str]) -> str:
    more = len(values) - MAX_LISTED
    return ", ".join(values[:MAX_LISTED]) + (f" và {more} giá trị khác" if more > 0 else "")


@dataclass(frozen=True)
class Audience:
    """Values of one key are alternatives (OR); different keys must all match (AND)."""

    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> Audience:
        text = (text or "all").strip()
        if text.lower() in ("all", "*", "", "tat ca", "tất cả"):
            return cls({})
        terms: dict[str, list[str]] = {}
        for part in text.split(","):
            key, sep, value = part.partition(":")
            key, value = key.strip().lower(), value.strip()
            if not sep or key not in KEYS or not value:
                raise AudienceError(
                    f"chưa hiểu «{part.strip()}» trong danh sách người nhận: dùng all (tất cả), "
                    "topic:MÃ_CHỦ_ĐỀ, channel:telegram hoặc channel:zalo, district:TÊN_ĐỊA_BÀN, "
                    "sector:TÊN_NGÀNH, cách nhau bằng dấu phẩy"
                )
            terms.setdefault(key, []).append(value)
        return cls({k: tuple(v) for k, v in terms.items()})

    def check(self, choices: AudienceChoices) -> None:
        """AudienceError naming the value that does not exist and the valid ones, so nothing goes to nobody."""
        for key, values in self.terms.items():
            valid = choices.valid(key)
            for value in values:
                if value.lower() in valid:
                    continue
                if not valid:
                    raise AudienceError(
                        f"chưa người đăng ký nào khai báo {KEY_WORDS[key]}, nên không lọc theo «{value}» được"
                    )
                raise AudienceError(
                    f"không có {KEY_WORDS[key]} «{value}»; chọn một trong: {_listed(sorted(valid.values()))}"
                )

    def to_json(self) -> str:
        return json.dumps({k: list(v) for k, v in self.terms.items()}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Audience:
        return cls({k: tuple(v) for k, v in (json.loads(text or "{}") or {}).items()})

    def describe(self) -> str:
        """The expression form (all, topic:5s,channel:zalo): for the CLI's JSON and the audit."""
        if not self.terms:
            return "all"
        return ",".join(f"{k}:{v}" for k, values in self.terms.items() for v in values)

    def in_words(self, topics: dict[str, str]) -> str:
        """Who it reaches, as staff read it: "Người đăng ký chủ đề «Công cụ cải tiến», trên Zalo"."""
        if not self.terms:
            return "Tất cả người đăng ký"

        def quoted(values: tuple[str, ...], names: dict[str, str] | None = None) -> str:
            return " hoặc ".join(f"«{(names or {}).get(v, v)}»" for v in values)

        parts = []
        if "topic" in self.terms:
            parts.append(f"chủ đề {quoted(self.terms['topic'], topics)}")
        if "district" in self.terms:
            parts.append(f"ở {quoted(self.terms['district'])}")
        if "sector" in self.terms:
            parts.append(f"ngành {quoted(self.terms['sector'])}")
        if "channel" in self.terms:
            parts.append("trên " + " và ".join(CHANNEL_WORDS.get(c, c) for c in self.terms["channel"]))
        return "Người đăng ký " + ", ".join(parts)

    def channels(self) -> tuple[str, ...]:
        return self.terms.get("channel", CHANNELS)


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


async def profile_values(session: AsyncSession, key: str) -> tuple[str, ...]:
    """The distinct non-empty values subscribers gave for `key` ("district" or "sector")."""
    column = getattr(Subscriber, key)
    rows = (await session.exec(select(column).where(column != "").distinct().order_by(column))).all()
    return tuple(str(v) for v in rows)
