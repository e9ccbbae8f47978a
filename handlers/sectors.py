"""The application form's choices (sectors, OCOP ratings, support needs) and how typed answers are read: names,
ratings, the needs a text mentions, and the typed wish to apply."""

from __future__ import annotations

import re

from handlers import texts
from handlers.numbers import number
from handlers.statuses import SupportNeed
from knowledge.syllables import fold

# The form's own grouping, for staff to sort applications and for campaign audiences (`sector:`); a business
# that fits none types its own. Not an official classification.
SECTORS = (
    "Nông nghiệp, lâm nghiệp, thủy sản",
    "Chế biến thực phẩm, đồ uống",
    "Dược liệu, mỹ phẩm",
    "Thủ công mỹ nghệ, đồ gỗ",
    "Cơ khí, chế tạo, điện tử",
    "Xây dựng, vật liệu xây dựng",
    "Khai khoáng, năng lượng",
    "Du lịch, dịch vụ",
    "Thương mại, phân phối",
)
OCOP_STARS = (3, 4, 5)  # the ratings that make a product OCOP (entry ocop-sao)
# "em muốn đăng ký hỗ trợ", "dk ho tro 5s": the wish, accent-free; words around it that make it a question
# ("… cần giấy tờ gì?", "làm thế nào để …", "thủ tục …") leave it to the question search.
_APPLY_CORE = re.compile(r"\b(?:dang ky|dang ki|dky|dk)\s+(?:nhan\s+)?ho\s?tro\b")
_QUESTION_TEXT = (
    "gi j nao sao dau khong ko hok hong chua bao nhieu the nhu giay to thu tuc dieu kien ai khi may muc phi tien "
    "lam huong dan chuan bi ho so cach buoc han luc"
)
_QUESTION_WORDS = frozenset(_QUESTION_TEXT.split())
MAX_INTENT_WORDS = 6  # words around the wish

# Words people type for each line of support (accent-free, lower case), as whole words.
NEED_WORDS: dict[SupportNeed, tuple[str, ...]] = {
    SupportNeed.TRAINING: ("dao tao", "tap huan", "khoa hoc"),
    SupportNeed.LEAN: ("5s", "kaizen", "lean"),
    SupportNeed.ISO9001: ("9001",),
    SupportNeed.ISO56000: ("56000", "doi moi sang tao"),
    SupportNeed.OTHER_SYSTEMS: ("14001", "22000", "haccp", "45001", "iso khac"),
    SupportNeed.OCOP_STANDARDS: ("ocop", "tieu chuan co so", "tccs"),
    SupportNeed.TRACEABILITY: ("truy xuat",),
    SupportNeed.DIGITAL: ("chuyen doi so", "cong nghe", "so hoa", "phan mem"),
    SupportNeed.PILOT: ("mo hinh diem",),
}
_NEED_PATTERNS = {
    need: re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b") for need, words in NEED_WORDS.items()
}


def match_sector(typed: str) -> str | None:
    """The listed sector a typed answer names (its label, with or without diacritics), or None."""
    folded = fold(typed)
    return next((s for s in SECTORS if fold(s) == folded), None)


def needs_in(typed: str) -> tuple[str, ...]:
    """The support needs a typed text mentions, in the order of SupportNeed ("dk ho tro 5s" → lean)."""
    folded = fold(typed)
    return tuple(need.value for need, pattern in _NEED_PATTERNS.items() if pattern.search(folded))


def read_name(text: str, name: str, limits: tuple[int, int]) -> str:
    """A name as typed, single-spaced; ValueError with the Vietnamese sentence when it cannot be one."""
    text = " ".join(text.split())
    if len(text) > limits[1]:
        raise ValueError(texts.APPLY_TOO_LONG.format(field=name, length=number(len(text)), limit=number(limits[1])))
    if len(text) < limits[0]:
        raise ValueError(texts.APPLY_TOO_SHORT.format(field=name, minimum=limits[0]))
    if not any(ch.isalpha() for ch in text):
        raise ValueError(texts.APPLY_NEEDS_NAME_LETTERS.format(field=name))
    return text


def typed_stars(text: str) -> int | None:
    """An OCOP rating as typed: "chưa có" → 0, "4 sao" → 4; None for anything else (1 or 2 stars too)."""
    folded = fold(text)
    if re.search(r"\b(?:chua|khong|ko|k co)\b", folded):
        return 0
    found = re.findall(r"\b([1-5])\b", folded)
    return int(found[0]) if len(found) == 1 and int(found[0]) in OCOP_STARS else None


def apply_intent(text: str) -> tuple[str, ...] | None:
    """The support needs named when `text` says "I want to apply" ("dk ho tro 5s" → ("lean",)); None when it
    is not that wish, or a question about applying."""
    folded = fold(text)
    core = _APPLY_CORE.search(folded)
    if core is None or "?" in folded or len(folded) > 120:
        return None
    around = (folded[: core.start()] + " " + folded[core.end() :]).split()
    if len(around) > MAX_INTENT_WORDS or _QUESTION_WORDS.intersection(w.strip(".,!") for w in around):
        return None
    return needs_in(text)
