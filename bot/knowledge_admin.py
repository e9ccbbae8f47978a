"""`kb export`, `kb import` and `kb remove`: the live knowledge base (database) or a curated folder, to and from files.

Without --dir they work on the live copy in DATABASE_URL (seeded from the release if empty); an import
or a removal bumps its version, and running bots reload within seconds. With --dir they work on a YAML folder.
"""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Callable

from bot.db import knowledge_store
from bot.db.engine import open_database
from bot.factory import load_knowledge
from bot.settings import Settings
from knowledge.formats import export_entries, import_entries
from knowledge.loader import load_directory
from knowledge.model import Entry, KnowledgeBase
from knowledge.store import DirectoryStore, ImportReport, RemoveReport, merge, remove

Report = ImportReport | RemoveReport
Change = Callable[[KnowledgeBase], tuple[KnowledgeBase, Report]]


def read_source(source: Path, fmt: str | None) -> tuple[list[Entry], list]:
    """Entries from a file, or from a knowledge folder (topics.yaml + entries/) such as a new release."""
    if source.is_dir():
        kb, problems = load_directory(source)
        return kb.entries, problems
    return import_entries(source, fmt)


def print_report(report: Report, dry_run: bool) -> int:
    ok = report.applied  # an import with nothing rejected, a removal of known ids
    if dry_run:
        report.applied = False
    for line in report.lines():
        print(line)
    if dry_run:
        print("dry run: nothing was written")
    return 0 if ok else 1


def print_not_in_release(kb: KnowledgeBase, incoming: list[Entry]) -> None:
    """A release import adds and changes but never deletes: name what the release no longer has."""
    shipped = {e.id for e in incoming}
    absent = [e.id for e in kb.entries if e.id not in shipped]
    if absent:
        print(f"not in this release, kept: {', '.join(absent)} "
              "(python -m bot kb remove ID … takes an entry out)")


async def _live(settings: Settings):
    db = await open_database(settings.database_url)
    session = db.session()
    kb = await knowledge_store.load_or_seed(session, load_knowledge(settings))
    return db, session, kb


def export_knowledge(settings: Settings, directory: Path | None, output: Path, fmt: str | None) -> int:
    if directory is not None:
        kb, _ = DirectoryStore(directory).load()
    else:
        async def live() -> KnowledgeBase:
            db, session, kb = await _live(settings)
            await session.close()
            await db.dispose()
            return kb
        kb = asyncio.run(live())
    export_entries(kb.entries, output, fmt)
    print(f"exported {len(kb.entries)} entries to {output}")
    return 0


def apply_change(settings: Settings, directory: Path | None, change: Change,
                 dry_run: bool) -> tuple[KnowledgeBase, KnowledgeBase, Report]:
    """Run `change` on a folder (--dir) or the live copy; save the result when it applied and changed anything.

    Returns the knowledge base before and after the change, and the change's report."""
    if directory is not None:
        store = DirectoryStore(directory)
        kb, _ = store.load()
        result, report = change(kb)
        if report.applied and report.changes and not dry_run:
            store.save(result)
        return kb, result, report

    async def live():
        db, session, kb = await _live(settings)
        try:
            result, report = change(kb)
            if report.applied and report.changes and not dry_run:
                version = await knowledge_store.replace(session, result)
                print(f"live knowledge base is now version {version}; running bots reload it")
            return kb, result, report
        finally:
            await session.close()
            await db.dispose()
    return asyncio.run(live())


def import_knowledge(settings: Settings, directory: Path | None, source: Path, fmt: str | None,
                     dry_run: bool) -> int:
    incoming, problems = read_source(source, fmt)
    before, _, report = apply_change(settings, directory, lambda kb: merge(kb, incoming, problems), dry_run)
    if source.is_dir():
        print_not_in_release(before, incoming)
    return print_report(report, dry_run)


def remove_knowledge(settings: Settings, directory: Path | None, ids: list[str], dry_run: bool) -> int:
    """Take entries out of the live copy (or a folder), dropping links to them; all or nothing."""
    _, _, report = apply_change(settings, directory, lambda kb: remove(kb, ids), dry_run)
    return print_report(report, dry_run)
