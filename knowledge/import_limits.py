"""Limits on what an import may hold, checked before the work grows with the input: a 104 KB workbook that
unpacks to 100 MB, a YAML "billion laughs" of nested aliases, or 200,000 rows must fail fast and clearly."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from knowledge.loader import KnowledgeLoadError

MAX_FILE_BYTES = 20_000_000  # the whole knowledge base is under 1 MB; twenty times that is no real file
MAX_UNPACKED_BYTES = 50_000_000  # of everything inside an .xlsx (a zip)
MAX_ROWS = 5_000  # entries; the base has under 200
MAX_CELL_CHARS = 20_000  # an answer is a few hundred characters


def check_size(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise KnowledgeLoadError(f"{path.name}: tệp nặng {size:,} byte, quá mức một lần nhập ({MAX_FILE_BYTES:,} byte)")


def check_workbook(path: Path) -> None:
    """Refuse a workbook whose parts unpack to more than MAX_UNPACKED_BYTES, before opening it."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise KnowledgeLoadError(f"{path.name}: không đọc được tệp Excel (.xlsx): {exc}") from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise KnowledgeLoadError(
            f"{path.name}: giải nén ra {unpacked:,} byte, quá mức một lần nhập ({MAX_UNPACKED_BYTES:,} byte)"
        )


def check_rows(path: Path, count: int) -> None:
    if count > MAX_ROWS:
        raise KnowledgeLoadError(f"{path.name}: nhiều hơn {MAX_ROWS:,} dòng")


def check_cell(path: Path, where: str, value: Any) -> None:
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        raise KnowledgeLoadError(f"{path.name}: {where} có {len(value):,} ký tự, quá {MAX_CELL_CHARS:,}")
