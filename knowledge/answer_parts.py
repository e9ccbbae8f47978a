"""An answer's parts: the short answer people read first, the detail behind it, and the contact block."""

from __future__ import annotations

import re
from dataclasses import dataclass

CONTACT = "{contact}"
SHORT_MAX_CHARS = 300
# A paragraph break: a blank line, possibly holding spaces.
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class AnswerParts:
    """`short` answers the question alone; `detail` may be folded away; `contact` asks for the contact block."""

    short: str
    detail: str
    contact: bool


def paragraphs(answer: str) -> list[str]:
    return [p.strip() for p in _PARAGRAPH_BREAK.split(answer.strip()) if p.strip()]


def split_answer(answer: str) -> AnswerParts:
    """The first paragraph, the paragraphs between, and whether the last paragraph is `{contact}` alone."""
    parts = paragraphs(answer)
    contact = bool(parts) and parts[-1] == CONTACT
    if contact:
        parts = parts[:-1]
    if not parts:
        return AnswerParts("", "", contact)
    return AnswerParts(parts[0], "\n\n".join(parts[1:]), contact)
