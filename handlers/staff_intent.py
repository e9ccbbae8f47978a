"""The typed wish to talk to a person ("cho em gặp cán bộ", "gap nguoi that"): read like /gapcanbo, so what the
user asked before reaches staff instead of the words "gặp cán bộ"."""

from __future__ import annotations

import re

from knowledge.syllables import fold

# Folded (accent-free, lower case). The fallback reply itself tells people to press «Gặp cán bộ»; on Zalo and the
# console many type the words instead.
_WISH = re.compile(
    r"\b(?:gap|noi chuyen(?: voi)?|trao doi(?: voi)?|chat(?: voi)?|ket noi(?: voi)?|hoi)\s+"
    r"(?:can bo|nguoi that|nhan vien|tu van vien|chuyen vien)\b"
)
# Words that make it a question about meeting staff ("gặp cán bộ ở đâu", "làm sao để gặp cán bộ", "số điện
# thoại cán bộ"): those are left to the search, which has entries for them.
_QUESTION_TEXT = (
    "gi j nao sao dau bao nhieu the nhu thu tuc dieu kien ai khi may luc cach phi tien mat so dien thoai email "
    "dia chi sdt gio"
)
_QUESTION_WORDS = frozenset(_QUESTION_TEXT.split())
# Words around the wish that add nothing for staff: the request then carries the question asked before.
_FILLER_TEXT = (
    "cho em toi minh anh chi tui muon xin duoc dc a ad admin bot oi voi nhe nha nhen ah vui long lam on can "
    "tu van phu trach that ngay luon giup khong ko k"
)
_FILLER = frozenset(_FILLER_TEXT.split())
MAX_AROUND_WORDS = 8
MAX_LENGTH = 160


def staff_wish(text: str) -> str | None:
    """None when `text` is not the wish to talk to a person; else what to hand to staff with it: "" when the
    words around the wish add nothing (the request then takes the question asked before), else the text."""
    folded = fold(text)
    wish = _WISH.search(folded)
    if wish is None or len(folded) > MAX_LENGTH:
        return None
    around = [w.strip(".,!?…") for w in (folded[: wish.start()] + " " + folded[wish.end() :]).split()]
    around = [w for w in around if w]
    if len(around) > MAX_AROUND_WORDS or _QUESTION_WORDS.intersection(around):
        return None
    return "" if all(w in _FILLER for w in around) else text.strip()
