"""Cells of CSV files people open in a spreadsheet: a value starting with = + - @ (or tab, CR) would run as a
formula there (`=HYPERLINK("http://evil…")`), so it is written with a leading apostrophe and read back without."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def restore(value: str) -> str:
    """The value `neutralise` wrote, as it was."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value
