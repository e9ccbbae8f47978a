"""Read entries and topics from YAML files and plain dicts, reporting every problem with its origin."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge.model import ENTRY_FIELDS, FIELD_NAMES, Entry, KnowledgeBase, Topic
from knowledge.safe_yaml import load_yaml

SHIPPED_DIR = Path(__file__).parent
TOPICS_FILE = "topics.yaml"
ENTRIES_DIR = "entries"


LEVEL_WORDS = {"error": "LỖI", "warning": "CẢNH BÁO"}


@dataclass(frozen=True)
class Problem:
    """Something wrong with the knowledge base, located by file and entry id."""

    origin: str
    entry_id: str
    message: str  # Vietnamese: admins read it in the CLI, in import reports and beside a field in the console
    level: str = "error"  # or "warning"
    field: str = ""  # the entry field it is about ("answer", "label", …), for the console's form

    def __str__(self) -> str:
        where = f"{self.origin}: {self.entry_id}" if self.entry_id else self.origin
        column = f" — mục «{FIELD_NAMES[self.field]}»" if self.field in FIELD_NAMES else ""
        return f"{LEVEL_WORDS.get(self.level, self.level)} {where}{column}: {self.message}"


class KnowledgeLoadError(Exception):
    """The knowledge base could not be read at all (missing folder, unparsable YAML)."""


def _as_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def _as_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        # Spreadsheet cells hold one item per line; comma lists are accepted for ids and tags.
        parts = value.splitlines() if "\n" in value else [value]
        return [p.strip() for p in parts if p.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def parse_entry(raw: Any, origin: str) -> tuple[Entry | None, list[Problem]]:
    """Build an Entry from a mapping; returns the problems that make it unusable or doubtful."""
    if not isinstance(raw, dict):
        return None, [
            Problem(origin, "", f"mỗi câu hỏi phải là một bảng trường: giá trị, không phải {type(raw).__name__}")
        ]
    entry_id = str(raw.get("id") or "").strip()
    problems: list[Problem] = []
    for key in raw:
        if key not in ENTRY_FIELDS:
            problems.append(Problem(origin, entry_id, f"trường «{key}» không dùng, bị bỏ qua", "warning", str(key)))
    if not entry_id:
        return None, [Problem(origin, "", f"câu hỏi chưa có mã (câu hỏi: {raw.get('question')!r})", field="id")]
    try:
        reviewed = _as_date(raw.get("reviewed"))
        valid_until = _as_date(raw.get("valid_until"))
        review_by = _as_date(raw.get("review_by"))
    except ValueError as exc:
        return None, [Problem(origin, entry_id, f"ngày không đọc được (viết YYYY-MM-DD): {exc}")]
    related = raw.get("related")
    tags = raw.get("tags")
    if isinstance(related, str) and "\n" not in related:
        related = related.replace(",", " ").split()
    if isinstance(tags, str) and "\n" not in tags:
        tags = tags.replace(",", " ").split()
    entry = Entry(
        id=entry_id,
        topic=str(raw.get("topic") or "").strip(),
        question=str(raw.get("question") or "").strip(),
        answer=str(raw.get("answer") or "").strip(),
        source=str(raw.get("source") or "").strip(),
        alternates=_as_list(raw.get("alternates")),
        reviewed=reviewed,
        valid_until=valid_until,
        review_by=review_by,
        label=str(raw.get("label") or "").strip(),
        related=_as_list(related),
        tags=_as_list(tags),
        origin=origin,
    )
    return entry, problems


def parse_entries(items: Iterable[Any], origin: str) -> tuple[list[Entry], list[Problem]]:
    entries: list[Entry] = []
    problems: list[Problem] = []
    for raw in items:
        entry, found = parse_entry(raw, origin)
        problems.extend(found)
        if entry is not None:
            entries.append(entry)
    return entries, problems


def read_yaml(path: Path) -> Any:
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise KnowledgeLoadError(f"{path}: not valid YAML: {exc}") from exc


def load_topics(directory: Path) -> list[Topic]:
    path = directory / TOPICS_FILE
    if not path.exists():
        raise KnowledgeLoadError(f"{path}: topics file missing")
    return [
        Topic(
            id=str(t["id"]),
            title=str(t["title"]),
            menu=bool(t.get("menu", True)),
            description=str(t.get("description", "")),
        )
        for t in read_yaml(path) or []
    ]


def load_directory(directory: Path | str = SHIPPED_DIR) -> tuple[KnowledgeBase, list[Problem]]:
    """Load topics.yaml and every entries/*.yaml (in name order) from a knowledge directory."""
    directory = Path(directory)
    entries_dir = directory / ENTRIES_DIR
    if not entries_dir.is_dir():
        raise KnowledgeLoadError(f"{entries_dir}: no entries folder")
    topics = load_topics(directory)
    entries: list[Entry] = []
    problems: list[Problem] = []
    for path in sorted(entries_dir.glob("*.yaml")):
        data = read_yaml(path) or []
        if not isinstance(data, list):
            problems.append(Problem(path.name, "", "tệp phải chứa một danh sách câu hỏi (YAML)"))
            continue
        found, found_problems = parse_entries(data, path.name)
        entries.extend(found)
        problems.extend(found_problems)
    return KnowledgeBase(topics, entries), problems
