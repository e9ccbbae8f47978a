"""What both fake platform APIs report about the messages they received."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stats:
    """Outcomes of sendMessage calls; ``duplicates`` counts (chat_id, text) pairs delivered more than once."""

    delivered: int = 0
    rate_limited: int = 0
    blocked: int = 0
    failed: int = 0
    duplicates: int = 0
