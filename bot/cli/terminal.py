"""Text typed by users, made safe to print on an admin's terminal: no escape sequences, one line."""

from __future__ import annotations

import unicodedata


def printable(text: str, limit: int = 300) -> str:
    """Control and format characters (ESC, BEL, bidi overrides …) dropped, line breaks as spaces: a user's
    `\\x1b]0;…` cannot retitle or rewrite the terminal that `kb unanswered` prints to."""
    cleaned = "".join(
        " " if ch in "\r\n\t" else ch for ch in text if ch in "\r\n\t" or unicodedata.category(ch) not in ("Cc", "Cf")
    )
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"
