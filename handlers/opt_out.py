"""Typed words that mean "stop sending me announcements", as the campaign footer on Zalo tells people."""

from __future__ import annotations

from knowledge.syllables import fold

# Folded (no diacritics, lower case), punctuation dropped: "HỦY NHẬN TIN", "huỷ nhận tin!", "huy dang ky".
PHRASES = frozenset(
    {
        "huy nhan tin",
        "huy nhan thong bao",
        "huy dang ky",
        "huy dang ki",
        "ngung nhan tin",
        "ngung nhan thong bao",
        "dung nhan tin",
        "stop",
        "unsubscribe",
    }
)


def is_opt_out(text: str) -> bool:
    """True when the whole message is one of the opt-out phrases (a question that mentions them is not)."""
    if len(text) > 60:
        return False
    words = "".join(ch if ch.isalnum() else " " for ch in fold(text).lower()).split()
    return " ".join(words) in PHRASES
