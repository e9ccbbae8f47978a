"""A readable difference between two states of an entry: per field, lines removed and added."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from knowledge.model import ENTRY_FIELDS, FIELD_NAMES

FIELD_LABELS = FIELD_NAMES


@dataclass(frozen=True)
class FieldDiff:
    label: str
    lines: list[tuple[str, str]]  # ("-" removed | "+" added | " " kept, text)


def _lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value).splitlines()


def entry_diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[FieldDiff]:
    """Changed fields only; a whole entry added or retired shows every field as added or removed."""
    old, new = before or {}, after or {}
    out = []
    for name in ENTRY_FIELDS:
        a, b = _lines(old.get(name)), _lines(new.get(name))
        if a == b:
            continue
        lines = []
        for line in difflib.ndiff(a, b):
            kind = line[:1]
            if kind in "-+ ":
                lines.append((kind, line[2:]))
        out.append(FieldDiff(FIELD_LABELS.get(name, name), lines))
    return out
