"""Export and import entries as YAML, JSON lines or XLSX (one row per entry, lists one item per line)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook, load_workbook

from knowledge.import_limits import check_cell, check_rows, check_size, check_workbook
from knowledge.loader import KnowledgeLoadError, Problem, parse_entries
from knowledge.model import ENTRY_FIELDS, Entry
from knowledge.safe_yaml import load_yaml

FORMATS = ("yaml", "jsonl", "xlsx")
LIST_FIELDS = ("alternates", "related", "tags")
SHEET = "entries"


class _BlockDumper(yaml.SafeDumper):
    """Multi-line answers as | blocks, so exported files read like the curated ones."""


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str_presenter)


def format_of(path: Path, explicit: str | None = None) -> str:
    fmt = explicit or {".yaml": "yaml", ".yml": "yaml", ".jsonl": "jsonl", ".json": "jsonl", ".xlsx": "xlsx"}.get(
        path.suffix.lower()
    )
    if fmt not in FORMATS:
        raise KnowledgeLoadError(f"{path}: unknown format; use .yaml, .jsonl or .xlsx (or --format)")
    return fmt


def dump_yaml(entries: list[Entry]) -> str:
    return yaml.dump(
        [e.to_dict() for e in entries], Dumper=_BlockDumper, allow_unicode=True, sort_keys=False, width=110
    )


def export_entries(entries: list[Entry], path: Path, fmt: str | None = None) -> None:
    fmt = format_of(path, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "yaml":
        path.write_text(dump_yaml(entries), encoding="utf-8")
    elif fmt == "jsonl":
        lines = [json.dumps(e.to_dict(), ensure_ascii=False) for e in entries]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        book = Workbook()
        sheet = book.active
        sheet.title = SHEET
        sheet.append(list(ENTRY_FIELDS))
        for entry in entries:
            data = entry.to_dict()
            sheet.append(["\n".join(data.get(f, [])) if f in LIST_FIELDS else data.get(f, "") for f in ENTRY_FIELDS])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                # openpyxl takes a string starting with "=" for a formula; a question is text, always.
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
        book.save(path)


def _read_rows(path: Path, fmt: str) -> list[Any]:
    check_size(path)
    rows = _parse_rows(path, fmt)
    check_rows(path, len(rows))
    for number, row in enumerate(rows, start=2):
        for key, value in row.items() if isinstance(row, dict) else ():
            if isinstance(value, list):
                for item in value:
                    check_cell(path, f"row {number}, {key}", item)
            else:
                check_cell(path, f"row {number}, {key}", value)
    return rows


def _parse_rows(path: Path, fmt: str) -> list[Any]:
    if fmt == "yaml":
        try:
            data = load_yaml(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise KnowledgeLoadError(f"{path}: not valid YAML: {exc}") from exc
        if not isinstance(data, list):
            raise KnowledgeLoadError(f"{path}: must hold a list of entries")
        return data
    if fmt == "jsonl":
        rows: list[Any] = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            check_rows(path, len(rows))
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise KnowledgeLoadError(f"{path}:{number}: not valid JSON: {exc}") from exc
        return rows
    check_workbook(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a file that is not a workbook
        raise KnowledgeLoadError(f"{path}: not a readable XLSX workbook: {exc}") from exc
    cells: list[tuple[Any, ...]] = []
    try:
        sheet = book[SHEET] if SHEET in book.sheetnames else book.active
        for values in sheet.iter_rows(values_only=True):  # streamed: stops at the row limit
            cells.append(values)
            check_rows(path, len(cells) - 1)
    finally:
        book.close()
    rows = cells
    if not rows:
        return []
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    out = []
    for values in rows[1:]:
        if all(v in (None, "") for v in values):
            continue
        out.append({h: v for h, v in zip(header, values) if h and v not in (None, "")})
    return out


def import_entries(path: Path, fmt: str | None = None) -> tuple[list[Entry], list[Problem]]:
    """Read entries from a file; problems name the file (and row) they come from."""
    fmt = format_of(path, fmt)
    if not path.exists():
        raise KnowledgeLoadError(f"{path}: no such file")
    return parse_entries(_read_rows(path, fmt), path.name)
