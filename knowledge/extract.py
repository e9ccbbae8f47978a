"""Finding the question inside a long message: "Chào ad, nhà em làm nước mắm ở Vân Đồn, được OCOP 4 sao rồi.
Em muốn hỏi tỉnh có hỗ trợ gì không ạ?" is searched for its last sentence as well as whole."""

from __future__ import annotations

import re

from knowledge.syllables import strip_accents

# Sentence ends, and the lead-ins people put right before their question.
_SENTENCE_END = re.compile(r"(?<=[.?!;…\n])\s+|\n+")
_LEAD_IN = re.compile(
    r"(?i)\b(?:cho (?:em|mình|minh|tôi|toi|e|cháu|chau) (?:hỏi|hoi)|(?:em|mình|minh|tôi|toi|e) (?:muốn|muon|cần|can) "
    r"(?:hỏi|hoi|biết|biet)|xin (?:hỏi|hoi)|(?:hỏi|hoi) (?:chút|chut|xíu|xiu)|(?:nhờ|nho) (?:ad|anh|chị|chi) "
    r"(?:tư vấn|tu van|giải đáp|giai dap))\b"
)
# Accent-free words that mark a question in Vietnamese (and a few shorthand forms).
_QUESTION_WORDS = {
    "gi", "sao", "nao", "khong", "ko", "k", "hok", "chua", "bao", "dau", "ai", "ntn", "j", "may", "bn", "hem",
    "nhieu", "nhu", "the",
}  # fmt: skip
MIN_WORDS = 12  # shorter messages are one question already


def segments(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def asks(segment: str) -> bool:
    """True when `segment` asks: a question mark, or a question word ("gì", "bao nhiêu", "không", "ntn")."""
    if "?" in segment:
        return True
    words = set(strip_accents(segment.lower()).split())
    return bool(words & _QUESTION_WORDS)


def question_part(text: str) -> str | None:
    """The part of a long message that asks; None when the message is short or is all question."""
    if len(text.split()) < MIN_WORDS:
        return None
    leads = list(_LEAD_IN.finditer(text))
    if leads:
        lead = leads[-1]
        part = text[lead.end() :].strip(" ,:.")
        # "…, em cảm ơn" after the question stays: courtesy is taken out later, word by word.
        return part if len(part.split()) >= 2 else None
    parts = segments(text)
    if len(parts) < 2:
        return None
    asking = [p for p in parts if "?" in p] or [p for p in parts if asks(p)] or parts[-1:]
    part = " ".join(asking)
    return part if part != text.strip() else None
