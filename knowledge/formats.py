"""Export and import entries as YAML, JSON lines or XLSX (one row per entry, lists one item per line)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from knowledge.import_limits import check_cell, check_rows, check_size
from knowledge.loader import KnowledgeLoadError, Problem, parse_entries
from knowledge.model import Entry, Topic
from knowledge.safe_yaml import load_yaml
from knowledge.workbook import read_workbook, write_workbook

FORMATS = ("yaml", "jsonl", "xlsx")


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


def export_entries(entries: list[Entry], path: Path, fmt: str | None = None, topics: list[Topic] | None = None) -> None:
    """`topics` gives the spreadsheet its topic names and dropdown (without them it shows topic ids)."""
    fmt = format_of(path, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "yaml":
        path.write_text(dump_yaml(entries), encoding="utf-8")
    elif fmt == "jsonl":
        lines = [json.dumps(e.to_dict(), ensure_ascii=False) for e in entries]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        write_workbook(entries, topics or [], path)


def _read_rows(path: Path, fmt: str) -> list[Any]:
    check_size(path)
    rows = _parse_rows(path, fmt)
    check_rows(path, len(rows))
    for number, row in enumerate(rows, start=2):
        for key, value in row.items() if isinstance(row, dict) else ():
            if isinstance(value, list):
                for item in value:
                    check_cell(path, f"dòng {number}, {key}", item)
            else:
                check_cell(path, f"dòng {number}, {key}", value)
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
    raise AssertionError(f"{fmt} rows are not read here")  # XLSX goes through knowledge.workbook


def import_entries(
    path: Path, fmt: str | None = None, topics: list[Topic] | None = None
) -> tuple[list[Entry], list[Problem]]:
    """Read entries from a file; problems name the file (and, in a spreadsheet, the row) they come from.
    `topics` lets a spreadsheet name a topic by its title, as the menu shows it."""
    fmt = format_of(path, fmt)
    if not path.exists():
        raise KnowledgeLoadError(f"{path.name}: không có tệp này")
    if fmt == "xlsx":
        return read_workbook(path, topics or [])
    return parse_entries(_read_rows(path, fmt), path.name)
