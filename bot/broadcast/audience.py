"""Who a campaign reaches: `all`, or terms like `topic:ocop-tccs,channel:zalo,commune:Vân Đồn,ocop:3+`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, func, literal, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Subscriber
from bot.db.person_links import one_per_person
from handlers.statuses import SubscriberStatus, SupportNeed
from knowledge.communes import KINDS, Commune, CommuneList, bare_name
from knowledge.syllables import fold

KEYS = ("topic", "channel", "commune", "sector", "ocop", "need")
CHANNELS = ("telegram", "zalo", "zalo_oa")
KEY_WORDS = {
    "topic": "chủ đề",
    "channel": "kênh",
    "commune": "xã, phường, đặc khu",
    "sector": "ngành",
    "ocop": "hạng OCOP",
    "need": "nhu cầu hỗ trợ",
}
CHANNEL_WORDS = {"telegram": "Telegram", "zalo": "Zalo", "zalo_oa": "Zalo OA"}
MAX_LISTED = 12  # valid choices named in an error; the rest are counted
KEYS_HELP = (
    "dùng all (tất cả), topic:MÃ_CHỦ_ĐỀ, channel:telegram, channel:zalo hoặc channel:zalo_oa, commune:TÊN_XÃ_PHƯỜNG, "
    "sector:TÊN_NGÀNH, ocop:3+ (từ 3 sao) hoặc ocop:4 (đúng 4 sao), need:MÃ_NHU_CẦU (ví dụ need:iso9001), "
    "cách nhau bằng dấu phẩy"
)
DISTRICT_RETIRED = (
    "«district:» nay là «commune:»: từ 01/7/2025 Quảng Ninh không còn cấp huyện, người nhận được lọc theo xã, "
    "phường hoặc đặc khu (Nghị quyết 1679/NQ-UBTVQH15), ví dụ commune:Vân Đồn"
)
OCOP_VALUE = re.compile(r"^([1-5])\s*(\+)?\s*(sao)?$")
OCOP_HELP = (
    "hạng OCOP «{value}» chưa đúng: dùng số sao từ 1 đến 5, ví dụ ocop:3+ (từ 3 sao trở lên) hoặc ocop:4 (đúng 4 sao)"
)


class AudienceError(ValueError):
    """An audience that cannot be read or names something that does not exist (message in Vietnamese)."""


@dataclass(frozen=True)
class AudienceChoices:
    """What an audience may name now: the knowledge base's topics (id → title), the channels, the province's
    communes, and the sector values subscribers have given."""

    topics: dict[str, str]
    channels: tuple[str, ...] = CHANNELS
    sectors: tuple[str, ...] = ()
    communes: CommuneList | None = None

    def valid(self, key: str) -> dict[str, str]:
        """Accepted values of `key` (topic, channel, sector), folded to lower case → how they are shown."""
        shown: dict[str, str] = {
            "topic": {t: f"{t} ({title})" for t, title in self.topics.items()},
            "channel": {c: c for c in self.channels},
            "sector": {v: v for v in self.sectors},
        }[key]
        return {k.lower(): v for k, v in shown.items()}


def _listed(values: list[str]) -> str:
    more = len(values) - MAX_LISTED
    return ", ".join(values[:MAX_LISTED]) + (f" và {more} giá trị khác" if more > 0 else "")


def _ocop(value: str) -> str:
    """The stars as stored: "3+", "3 +", "3+ sao" → "3+"; "4" → "4"; AudienceError otherwise."""
    found = OCOP_VALUE.match(fold(value))
    if found is None:
        raise AudienceError(OCOP_HELP.format(value=value[:40]))
    return found.group(1) + ("+" if found.group(2) else "")


def _need(value: str) -> str:
    """A SupportNeed value, any case or spacing ("ISO 9001" → "iso9001"); AudienceError with the list otherwise."""
    wanted = "".join(fold(value).split())
    if wanted in {n.value for n in SupportNeed}:
        return wanted
    listed = ", ".join(f"{n.value} ({n.label})" for n in SupportNeed)
    raise AudienceError(f"không có nhu cầu hỗ trợ «{value[:40]}»; chọn một trong: {listed}")


def _all_communes(communes: CommuneList) -> str:
    """Every unit, by kind then name: "đặc khu Cô Tô, Vân Đồn; phường An Sinh, …; xã Ba Chẽ, …"."""
    groups = []
    for kind in sorted(KINDS, key=fold):
        names = sorted((c.name for c in communes.all if c.kind == kind), key=fold)
        groups.append(f"{kind} {', '.join(names)}")
    return "; ".join(groups)


def _commune(value: str, communes: CommuneList | None) -> Commune:
    if communes is None:
        raise AudienceError("chưa nạp danh sách xã, phường của tỉnh nên chưa lọc theo «commune:» được")
    found = communes.resolve(value)
    if found is not None:
        return found
    near = communes.suggest(value, limit=3)
    hint = f" (có phải {' hay '.join(c.full_name for c in near)}?)" if near else ""
    raise AudienceError(
        f"Quảng Ninh không có xã, phường hay đặc khu «{value[:60]}»{hint}; "
        f"{len(communes)} đơn vị cấp xã của tỉnh: {_all_communes(communes)}"
    )


@dataclass(frozen=True)
class Audience:
    """Values of one key are alternatives (OR); different keys must all match (AND)."""

    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> Audience:
        """Read the expression; OCOP and need values come back in one spelling, communes as typed (`check`
        resolves them against the commune list)."""
        text = (text or "all").strip()
        if text.lower() in ("all", "*", "", "tat ca", "tất cả"):
            return cls({})
        terms: dict[str, list[str]] = {}
        for part in text.split(","):
            key, sep, value = part.partition(":")
            key, value = key.strip().lower(), value.strip()
            if key == "district":
                raise AudienceError(DISTRICT_RETIRED)
            if not sep or key not in KEYS or not value:
                raise AudienceError(f"chưa hiểu «{part.strip()[:60]}» trong danh sách người nhận: {KEYS_HELP}")
            if key == "ocop":
                value = _ocop(value)
            elif key == "need":
                value = _need(value)
            terms.setdefault(key, [])
            if value not in terms[key]:
                terms[key].append(value)
        return cls({k: tuple(v) for k, v in terms.items()})

    def resolved(self, communes: CommuneList) -> Audience:
        """The same audience with every commune that resolves written as its full name ("đặc khu Vân Đồn")."""
        if "commune" not in self.terms:
            return self
        names = []
        for value in self.terms["commune"]:
            found = communes.resolve(value)
            names.append(found.full_name if found is not None else value)
        return Audience({**self.terms, "commune": tuple(dict.fromkeys(names))})

    def check(self, choices: AudienceChoices) -> Audience:
        """The audience with communes resolved; AudienceError naming a value that does not exist and the valid
        ones, so nothing goes to nobody by mistake."""
        for key, values in self.terms.items():
            if key in ("ocop", "need"):
                continue  # checked as they were read
            for value in values:
                if key == "commune":
                    _commune(value, choices.communes)
                    continue
                valid = choices.valid(key)
                if value.lower() in valid:
                    continue
                if not valid:
                    raise AudienceError(
                        f"chưa người đăng ký nào khai báo {KEY_WORDS[key]}, nên không lọc theo «{value}» được"
                    )
                raise AudienceError(
                    f"không có {KEY_WORDS[key]} «{value}»; chọn một trong: {_listed(sorted(valid.values()))}"
                )
        return self.resolved(choices.communes) if choices.communes is not None else self

    def to_json(self) -> str:
        return json.dumps({k: list(v) for k, v in self.terms.items()}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Audience:
        terms = {k: tuple(v) for k, v in (json.loads(text or "{}") or {}).items()}
        if "district" in terms:  # stored before migration 0012 renamed it
            terms["commune"] = terms.get("commune", ()) + terms.pop("district")
        return cls(terms)

    def describe(self) -> str:
        """The expression form (all, topic:5s,channel:zalo): for the CLI's JSON and the audit."""
        if not self.terms:
            return "all"
        return ",".join(f"{k}:{v}" for k, values in self.terms.items() for v in values)

    def in_words(self, topics: dict[str, str]) -> str:
        """Who it reaches, as staff read it: "Người đăng ký chủ đề «Công cụ cải tiến», trên Zalo", "Người đăng
        ký là doanh nghiệp ở đặc khu Vân Đồn, sản phẩm OCOP từ 3 sao"."""
        if not self.terms:
            return "Tất cả người đăng ký"

        def quoted(values: tuple[str, ...], names: dict[str, str] | None = None) -> str:
            return " hoặc ".join(f"«{(names or {}).get(v, v)}»" for v in values)

        parts = []
        if "topic" in self.terms:
            parts.append(f"chủ đề {quoted(self.terms['topic'], topics)}")
        profile = []
        if "commune" in self.terms:
            # A resolved commune is its full name; anything else (kept from an old district) is quoted as typed.
            places = [v if bare_name(v) != v else f"«{v}»" for v in self.terms["commune"]]
            profile.append("ở " + " hoặc ".join(places))
        if "sector" in self.terms:
            profile.append(f"ngành {quoted(self.terms['sector'])}")
        if "ocop" in self.terms:
            stars = [f"từ {v[:-1]} sao" if v.endswith("+") else f"{v} sao" for v in self.terms["ocop"]]
            profile.append("sản phẩm OCOP " + " hoặc ".join(stars))
        if "need" in self.terms:
            labels = {n.value: n.label for n in SupportNeed}
            profile.append(f"cần hỗ trợ {quoted(self.terms['need'], labels)}")
        if profile:
            parts.append("là doanh nghiệp " + ", ".join(profile))
        if "channel" in self.terms:
            parts.append("trên " + " và ".join(CHANNEL_WORDS.get(c, c) for c in self.terms["channel"]))
        return "Người đăng ký " + ", ".join(parts)

    def channels(self) -> tuple[str, ...]:
        return self.terms.get("channel", CHANNELS)

    def several_channels(self) -> bool:
        """No channel named ("every channel") or more than one: a linked business is then one person."""
        return len(self.terms.get("channel", ())) != 1


def _ocop_condition(value: str) -> ColumnElement[bool]:
    stars = int(value.rstrip("+")) if value.rstrip("+").isdigit() else -1
    column = col(Subscriber.ocop_stars)
    return column >= stars if value.endswith("+") else column == stars


def sql_filter(audience: Audience) -> ColumnElement[bool]:
    """The audience as a SQL condition on Subscriber: active, and every key matches one of its values.

    Topics and needs are comma lists; a subscriber with no topic chose "all topics". Communes compare by
    their canonical name, sectors case-insensitively. Both the fan-out and the size shown to staff use this
    one condition. Over several channels, chats one business linked by applying count once, on the chat
    it was seen on last (bot/db/person_links.py); over one channel nothing is merged.
    """
    conditions = [col(Subscriber.status) == SubscriberStatus.ACTIVE]
    terms = audience.terms
    if "channel" in terms:
        conditions.append(col(Subscriber.channel).in_(terms["channel"]))
    if "topic" in terms:
        wrapped = literal(",") + Subscriber.topics + literal(",")
        conditions.append(or_(col(Subscriber.topics) == "", *(wrapped.like(f"%,{t},%") for t in terms["topic"])))
    if "commune" in terms:
        conditions.append(col(Subscriber.commune).in_([bare_name(v) for v in terms["commune"]]))
    if "sector" in terms:
        conditions.append(func.lower(Subscriber.sector).in_([v.lower() for v in terms["sector"]]))
    if "ocop" in terms:
        conditions.append(or_(*(_ocop_condition(v) for v in terms["ocop"])))
    if "need" in terms:
        needs = literal(",") + Subscriber.needs + literal(",")
        conditions.append(or_(*(needs.like(f"%,{n},%") for n in terms["need"])))
    matches = and_(*conditions)
    return one_per_person(matches) if audience.several_channels() else matches


async def audience_size(session: AsyncSession, audience: Audience) -> int:
    """How many people the fan-out would reach (linked chats once): the same SQL condition, counted."""
    return (await session.exec(select(func.count()).select_from(Subscriber).where(sql_filter(audience)))).one()


async def profile_values(session: AsyncSession, key: str) -> tuple[str, ...]:
    """The distinct non-empty values subscribers gave for `key` ("commune" or "sector")."""
    column = getattr(Subscriber, key)
    rows = (await session.exec(select(column).where(column != "").distinct().order_by(column))).all()
    return tuple(str(v) for v in rows)
