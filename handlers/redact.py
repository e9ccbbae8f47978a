"""Removes what identifies a person from a question before it is logged: phone numbers, e-mail addresses, tax
codes and the names it can recognise ("tôi là Nguyễn Văn An", "anh Phong", "công ty TNHH Hải Long")."""

from __future__ import annotations

import re

PHONE = "[số điện thoại]"
EMAIL = "[email]"
TAX_CODE = "[mã số]"
NAME = "[tên]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A Vietnamese phone: +84 / 84 / 0, then 8–10 more digits, in groups split by spaces, dots or dashes.
_PHONE = re.compile(r"(?<![\w/])(?:\+?84|0)(?:[\s.-]?\d){8,10}(?![\w/])")
# Tax codes (10 digits, 10-3 for a branch) and 12-digit personal numbers; standards and plan numbers are shorter.
_LONG_NUMBER = re.compile(r"(?<![\w/])\d{10}(?:-\d{3})?(?![\w/])|(?<![\w/])\d{12,13}(?![\w/])")
# Up to four words after the cue; only the capitalised ones are taken as the name (see _name).
_NAME_WORDS = r"\w+(?:[ \t]+\w+){0,3}"
# "tôi là An", "em tên là Lan", "mình tên Hoa"
_SELF = re.compile(
    rf"(?i:\b(?:tôi|toi|em|mình|minh|tớ|cháu|chau)\s+(?:tên\s+là|ten\s+la|tên|ten|là|la)\s+)({_NAME_WORDS})"
)
# "anh Phong", "chị Nguyễn Thị Hoa", "ông Bình" — only before a capitalised word, so "anh ơi" stays.
_TITLE = re.compile(rf"(?i:\b(?:anh|chị|chi|ông|ong|bà|ba|cô|co|chú|chu)\s+)({_NAME_WORDS})")
# "công ty TNHH Hải Long", "Cty CP Minh Phát", "HTX Yên Hưng", "hộ kinh doanh Bảo An"
_BUSINESS = re.compile(
    rf"(?i:\b(?:công\s+ty|cong\s+ty|cty|doanh\s+nghiệp|doanh\s+nghiep|hộ\s+kinh\s+doanh|hkd|htx|hợp\s+tác\s+xã)"
    rf"(?:\s+(?:TNHH|CP|cổ\s+phần|co\s+phan|MTV|một\s+thành\s+viên))*\s+)({_NAME_WORDS})"
)


def redact(text: str) -> str:
    """`text` with personal details replaced by placeholders; everything else as typed."""
    text = _EMAIL.sub(EMAIL, text)
    text = _PHONE.sub(PHONE, text)
    text = _LONG_NUMBER.sub(TAX_CODE, text)
    for pattern in (_SELF, _BUSINESS, _TITLE):
        text = pattern.sub(_name, text)
    return text


def _name(match: re.Match[str]) -> str:
    """The cue kept, the capitalised words after it replaced: "anh Phong ơi" → "anh [tên] ơi"."""
    cue = match.group(0)[: match.start(1) - match.start(0)]
    words = match.group(1).split()
    taken = 0
    while taken < len(words) and words[taken][0].isupper() and not words[taken].isupper():
        taken += 1
    if taken == 0:
        return match.group(0)
    rest = match.group(1).split(None, taken)[taken:] if taken < len(words) else []
    return cue + NAME + (" " + rest[0] if rest else "")
