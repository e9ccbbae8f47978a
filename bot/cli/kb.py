"""`kb export`, `kb import` and `kb remove`: the live knowledge base (database) or a curated folder, to and from files.

Without --dir they work on the live copy in DATABASE_URL (seeded from the release if empty); an import
or a removal bumps its version, and running bots reload within seconds. With --dir they work on a YAML folder.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import live_knowledge
from bot.db.database import Database, open_database
from bot.settings import Settings
from bot.wiring import load_release
from knowledge.changes import ImportReport, KnowledgeFolder, RemoveReport, merge, remove
from knowledge.formats import export_entries, import_entries
from knowledge.loader import Problem, load_directory
from knowledge.model import Entry, KnowledgeBase, Topic
from knowledge.validator import errors, validate

Report = ImportReport | RemoveReport
R = TypeVar("R", bound=Report)  # a change's own report type, so callers see the fields of that kind
Change = Callable[[KnowledgeBase], tuple[KnowledgeBase, R]]


def read_source(source: Path, fmt: str | None, topics: list[Topic]) -> tuple[list[Entry], list[Problem]]:
    """Entries from a file, or from a knowledge folder (topics.yaml + entries/) such as a new release."""
    if source.is_dir():
        kb, problems = load_directory(source)
        return kb.entries, problems
    return import_entries(source, fmt, topics)


def print_report(report: Report, dry_run: bool) -> int:
    ok = report.applied  # an import with nothing rejected, a removal of known ids
    if dry_run:
        report.applied = False
    for line in report.lines():
        print(line)
    if dry_run:
        print("chạy thử: không ghi gì")
    return 0 if ok else 1


def print_not_in_release(kb: KnowledgeBase, incoming: list[Entry]) -> None:
    """A release import adds and changes but never deletes: name what the release no longer has."""
    shipped = {e.id for e in incoming}
    absent = [e.id for e in kb.entries if e.id not in shipped]
    if absent:
        print(f"không có trong bản phát hành này, vẫn giữ: {', '.join(absent)} (python -m bot kb remove MÃ … để gỡ)")


async def _live(settings: Settings) -> tuple[Database, AsyncSession, KnowledgeBase]:
    db = await open_database(settings.database_url)
    session = db.session()
    kb = await live_knowledge.load_or_seed(session, load_release(settings))
    return db, session, kb


def export_knowledge(settings: Settings, directory: Path | None, output: Path, fmt: str | None) -> int:
    if directory is not None:
        kb, _ = KnowledgeFolder(directory).load()
    else:

        async def live() -> KnowledgeBase:
            db, session, kb = await _live(settings)
            await session.close()
            await db.dispose()
            return kb

        kb = asyncio.run(live())
    export_entries(kb.entries, output, fmt, kb.topics)
    print(f"đã xuất {len(kb.entries)} câu hỏi ra {output}")
    return 0


def apply_change(
    settings: Settings, directory: Path | None, change: Change[R], dry_run: bool
) -> tuple[KnowledgeBase, KnowledgeBase, R]:
    """Run `change` on a folder (--dir) or the live copy; save the result when it applied and changed anything.

    Returns the knowledge base before and after the change, and the change's report."""
    if directory is not None:
        folder = KnowledgeFolder(directory)
        kb, _ = folder.load()
        result, report = change(kb)
        if report.applied and report.changes and not dry_run:
            folder.save(result)
        return kb, result, report

    async def live() -> tuple[KnowledgeBase, KnowledgeBase, R]:
        db, session, kb = await _live(settings)
        try:
            result, report = change(kb)
            if report.applied and report.changes and not dry_run:
                version = await live_knowledge.replace(session, result, expected=kb.version)
                print(f"kho tri thức đang dùng nay là phiên bản {version}; các bot đang chạy sẽ nạp lại")
            return kb, result, report
        finally:
            await session.close()
            await db.dispose()

    return asyncio.run(live())


def import_knowledge(settings: Settings, directory: Path | None, source: Path, fmt: str | None, dry_run: bool) -> int:
    # A spreadsheet may name topics as the menu shows them: the topics of the folder, or of the release.
    release, _ = load_directory(directory if directory is not None else settings.knowledge_dir)
    incoming, problems = read_source(source, fmt, release.topics)
    before, _, report = apply_change(settings, directory, lambda kb: merge(kb, incoming, problems), dry_run)
    if source.is_dir():
        print_not_in_release(before, incoming)
    return print_report(report, dry_run)


def remove_knowledge(settings: Settings, directory: Path | None, ids: list[str], dry_run: bool) -> int:
    """Take entries out of the live copy (or a folder), dropping links to them; all or nothing."""
    _, _, report = apply_change(settings, directory, lambda kb: remove(kb, ids), dry_run)
    return print_report(report, dry_run)


def cmd_kb(settings: Settings, args: argparse.Namespace) -> int:
    chosen = Path(args.dir) if getattr(args, "dir", None) else None
    directory = chosen or settings.knowledge_dir
    if args.kb_command == "validate":
        kb, problems = load_directory(directory)
        problems += validate(kb)
        for problem in problems:
            print(problem)
        bad = errors(problems)
        warnings = len(problems) - len(bad)
        print(f"{len(kb.entries)} câu hỏi trong {len(kb.topics)} chủ đề: {len(bad)} lỗi, {warnings} cảnh báo")
        return 1 if bad else 0
    if args.kb_command == "export":
        return export_knowledge(settings, chosen, Path(args.output), args.format)
    if args.kb_command == "remove":
        return remove_knowledge(settings, chosen, args.ids, args.dry_run)
    if args.kb_command in ("unanswered", "alternate"):
        from bot.cli.kb_review import add_alternates, show_unanswered  # it builds on this module

        if args.kb_command == "unanswered":
            return show_unanswered(settings, args.limit)
        return add_alternates(settings, chosen, args.entry_id, args.texts, args.dry_run)
    return import_knowledge(settings, chosen, Path(args.file), args.format, args.dry_run)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    kb = sub.add_parser("kb", help="validate, export, import, remove or review knowledge-base entries")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    validate_cmd = kb_sub.add_parser("validate", help="check every entry; non-zero exit on errors")
    validate_cmd.add_argument("--dir", help="knowledge folder (default: KNOWLEDGE_DIR)")
    export = kb_sub.add_parser("export", help="write the live knowledge base (database) to a file")
    export.add_argument("output", help="file to write (.yaml, .jsonl or .xlsx)")
    export.add_argument("--format", choices=("yaml", "jsonl", "xlsx"))
    export.add_argument("--dir", help="export this knowledge folder instead of the live copy")
    imp = kb_sub.add_parser("import", help="load entries into the live knowledge base; all or nothing")
    imp.add_argument("file", help="file to read (.yaml, .jsonl, .xlsx) or a knowledge folder")
    imp.add_argument("--format", choices=("yaml", "jsonl", "xlsx"))
    imp.add_argument("--dry-run", action="store_true", help="report only, change nothing")
    imp.add_argument("--dir", help="import into this knowledge folder instead of the live copy")
    rm = kb_sub.add_parser("remove", help="take entries out of the live knowledge base; all or nothing")
    rm.add_argument("ids", nargs="+", metavar="ID", help="entry id(s) to remove")
    rm.add_argument("--dry-run", action="store_true", help="report only, change nothing")
    rm.add_argument("--dir", help="remove from this knowledge folder instead of the live copy")
    una = kb_sub.add_parser("unanswered", help="questions the bot could not answer, and answers marked 👎")
    una.add_argument("--limit", type=int, default=30, help="how many questions to list (default 30)")
    alt = kb_sub.add_parser("alternate", help="add questions to an entry's phrasings (live copy)")
    alt.add_argument("entry_id", metavar="ENTRY_ID")
    alt.add_argument("texts", nargs="+", metavar="QUESTION", help="question(s) as people typed them")
    alt.add_argument("--dry-run", action="store_true", help="report only, change nothing")
    alt.add_argument("--dir", help="change this knowledge folder instead of the live copy")
    kb.set_defaults(func=cmd_kb)
