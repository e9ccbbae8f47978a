"""Applying an import or a removal to a knowledge base (all or nothing) and saving it back to its YAML folder."""

from __future__ import annotations

import os
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from knowledge.formats import dump_yaml
from knowledge.loader import ENTRIES_DIR, Problem, load_directory
from knowledge.model import Entry, KnowledgeBase
from knowledge.validator import errors, validate

NEW_ENTRIES_FILE = "90-imported.yaml"


APPLIED = "đã áp dụng"
NOT_APPLIED = "CHƯA áp dụng: không thay đổi gì"


@dataclass
class ImportReport:
    """What an import added, changed, left alone and rejected; `applied` is False when anything was rejected."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Problem] = field(default_factory=list)
    applied: bool = False

    @property
    def changes(self) -> bool:
        return bool(self.added or self.changed)

    def lines(self) -> list[str]:
        out = [
            f"thêm {len(self.added)}: {', '.join(self.added) or '-'}",
            f"sửa {len(self.changed)}: {', '.join(self.changed) or '-'}",
            f"giữ nguyên {len(self.unchanged)}",
            f"bị từ chối {len(self.rejected)}",
        ]
        out += [f"  {p}" for p in self.rejected]
        out.append(APPLIED if self.applied else NOT_APPLIED)
        return out


def merge(
    kb: KnowledgeBase, incoming: list[Entry], parse_problems: list[Problem]
) -> tuple[KnowledgeBase, ImportReport]:
    """The knowledge base with `incoming` laid over it, and the report; the caller saves only if applied."""
    report = ImportReport(rejected=[p for p in parse_problems if p.level == "error"])
    entries = list(kb.entries)
    position = {e.id: i for i, e in enumerate(entries)}
    seen: set[str] = set()
    for entry in incoming:
        if entry.id in seen:
            continue  # the validator reports the duplicate below
        seen.add(entry.id)
        if entry.id in position:
            old = entries[position[entry.id]]
            if entry == old:
                report.unchanged.append(entry.id)
                continue
            entries[position[entry.id]] = replace(entry, origin=old.origin)
            report.changed.append(entry.id)
        else:
            entries.append(entry)
            report.added.append(entry.id)
    merged = KnowledgeBase(kb.topics, entries, kb.version)
    touched = set(report.added) | set(report.changed)
    # Named where the admin typed them (file, row), not where the merged entry will be kept.
    where = {e.id: e.origin for e in incoming if e.origin}
    report.rejected += [
        replace(p, origin=where.get(p.entry_id, p.origin)) for p in errors(validate(merged)) if p.entry_id in touched
    ]
    # Duplicates inside the imported file are errors too, even though only the first was merged.
    counts = Counter(e.id for e in incoming)
    origin = incoming[0].origin if incoming else ""
    report.rejected += [
        Problem(origin, entry_id, f"mã xuất hiện {n} lần trong tệp nhập") for entry_id, n in counts.items() if n > 1
    ]
    report.applied = not report.rejected
    return merged, report


@dataclass
class RemoveReport:
    """What a removal took out, which links to it were dropped, and which ids it did not know."""

    removed: list[str] = field(default_factory=list)
    unlinked: dict[str, list[str]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def changes(self) -> bool:
        return bool(self.removed)

    def lines(self) -> list[str]:
        out = [f"gỡ {len(self.removed)}: {', '.join(self.removed) or '-'}"]
        out += [
            f"  {entry_id}: không còn gợi ý {', '.join(gone)} là câu hỏi tiếp theo"
            for entry_id, gone in self.unlinked.items()
        ]
        if self.unknown:
            out.append(f"không có {len(self.unknown)}: {', '.join(self.unknown)}")
        out.append(APPLIED if self.applied else NOT_APPLIED)
        return out


def remove(kb: KnowledgeBase, ids: list[str]) -> tuple[KnowledgeBase, RemoveReport]:
    """The knowledge base without `ids`; links to them are dropped rather than left pointing nowhere."""
    report = RemoveReport()
    gone = set(ids)
    report.unknown = [i for i in dict.fromkeys(ids) if kb.get(i) is None]
    report.removed = [e.id for e in kb.entries if e.id in gone]
    entries = []
    for entry in kb.entries:
        if entry.id in gone:
            continue
        dropped = [r for r in entry.related if r in gone]
        if dropped:
            report.unlinked[entry.id] = dropped
            entry = replace(entry, related=[r for r in entry.related if r not in gone])
        entries.append(entry)
    report.applied = not report.unknown and bool(report.removed)
    return KnowledgeBase(kb.topics, entries, kb.version), report


class KnowledgeFolder:
    """The curated YAML folder as a store: load it, and write it back file by file, atomically per file."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def load(self) -> tuple[KnowledgeBase, list[Problem]]:
        return load_directory(self.directory)

    def save(self, kb: KnowledgeBase) -> None:
        entries_dir = self.directory / ENTRIES_DIR
        existing = {p.name for p in entries_dir.glob("*.yaml")}
        topic_file: dict[str, str] = {}
        for entry in kb.entries:
            if entry.origin in existing:
                topic_file.setdefault(entry.topic, entry.origin)
        by_file: dict[str, list[Entry]] = defaultdict(list)
        for entry in kb.entries:
            name = entry.origin if entry.origin in existing else topic_file.get(entry.topic, NEW_ENTRIES_FILE)
            by_file[name].append(entry)
        # Write every file to a temporary name first, then swap them in: a failure leaves the old files.
        staged = []
        for name, items in by_file.items():
            fd, tmp = tempfile.mkstemp(dir=entries_dir, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(dump_yaml(items))
            staged.append((tmp, entries_dir / name))
        for tmp, target in staged:
            os.replace(tmp, target)
        # A file whose last entry was removed goes too; left behind, its entries would come back on load.
        for name in existing - set(by_file):
            (entries_dir / name).unlink()
