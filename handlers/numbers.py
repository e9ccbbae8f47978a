"""Numbers as Vietnamese writes them: 10.000 (a dot between thousands), so sentences keep their commas."""

from __future__ import annotations


def number(value: int) -> str:
    """10000 → "10.000"."""
    return f"{value:,}".replace(",", ".")
