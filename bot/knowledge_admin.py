"""`kb export` and `kb import`: move the live knowledge base to and from YAML, JSON lines and XLSX."""
from __future__ import annotations

from pathlib import Path

from bot.settings import Settings
from knowledge.formats import export_entries, import_entries
from knowledge.store import DirectoryStore, merge


def export_knowledge(settings: Settings, directory: Path, output: Path, fmt: str | None) -> int:
    kb, _ = DirectoryStore(directory).load()
    export_entries(kb.entries, output, fmt)
    print(f"exported {len(kb.entries)} entries to {output}")
    return 0


def import_knowledge(settings: Settings, directory: Path, source: Path, fmt: str | None,
                     dry_run: bool) -> int:
    store = DirectoryStore(directory)
    kb, _ = store.load()
    incoming, problems = import_entries(source, fmt)
    merged, report = merge(kb, incoming, problems)
    if report.applied and not dry_run and (report.added or report.changed):
        store.save(merged)
    elif dry_run:
        report.applied = False
    for line in report.lines():
        print(line)
    if dry_run:
        print("dry run: nothing was written")
    return 0 if not report.rejected else 1
