"""Command line: `python -m bot ask|chat|run|kb …` (the contract in DESIGN.md)."""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

from bot.factory import build_ask_service, build_engine
from bot.settings import Settings, load_settings
from handlers import texts
from bot.startup import StartupError
from knowledge.loader import KnowledgeLoadError, load_directory
from knowledge.validator import errors, validate

log = logging.getLogger("bot")


def _print_outcome(outcome) -> None:
    print(outcome.answer)
    if outcome.source:
        print("\n" + texts.SOURCE.format(source=outcome.source))
    if outcome.suggestions:
        print("\n" + (texts.ASK_NEXT if outcome.status == "answered" else ""))
        for number, s in enumerate(outcome.suggestions, 1):
            print(f"{number}. {s.question}")


def cmd_ask(settings: Settings, args) -> int:
    service = build_ask_service(settings, build_engine(settings))
    if args.question == "-":
        # Batch mode: one question per line in, one JSON object per line out, in order.
        for line in sys.stdin:
            question = line.rstrip("\n")
            outcome = service.ask(question)
            print(json.dumps(outcome.to_json(), ensure_ascii=False), flush=True)
        return 0
    outcome = service.ask(args.question)
    if args.json:
        print(json.dumps(outcome.to_json(), ensure_ascii=False))
    else:
        _print_outcome(outcome)
    return 0


def cmd_chat(settings: Settings, args) -> int:
    from bot.app import run_console
    from bot.services import build_services

    async def chat() -> None:
        services = await build_services(settings)
        try:
            await run_console(services)
        finally:
            await services.close()
    asyncio.run(chat())
    return 0


def cmd_run(settings: Settings, args) -> int:
    from bot.app import run_app

    return run_app(settings)


def cmd_kb(settings: Settings, args) -> int:
    chosen = Path(args.dir) if getattr(args, "dir", None) else None
    directory = chosen or settings.knowledge_dir
    if args.kb_command == "validate":
        kb, problems = load_directory(directory)
        problems += validate(kb)
        for problem in problems:
            print(problem)
        bad = errors(problems)
        warnings = len(problems) - len(bad)
        print(f"{len(kb.entries)} entries in {len(kb.topics)} topics: {len(bad)} error(s), {warnings} warning(s)")
        return 1 if bad else 0
    from bot.knowledge_admin import export_knowledge, import_knowledge, remove_knowledge

    if args.kb_command == "export":
        return export_knowledge(settings, chosen, Path(args.output), args.format)
    if args.kb_command == "remove":
        return remove_knowledge(settings, chosen, args.ids, args.dry_run)
    if args.kb_command in ("unanswered", "alternate"):
        from bot.knowledge_review import add_alternates, show_unanswered

        if args.kb_command == "unanswered":
            return show_unanswered(settings, args.limit)
        return add_alternates(settings, chosen, args.entry_id, args.texts, args.dry_run)
    return import_knowledge(settings, chosen, Path(args.file), args.format, args.dry_run)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Trợ lý Năng suất — advisory chatbot")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="answer one question (or '-' for one per line on stdin)")
    ask.add_argument("question", help="the question, or '-' to read questions from stdin (JSON lines out)")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", help="interactive console chat on the knowledge base")
    chat.set_defaults(func=cmd_chat)

    run = sub.add_parser("run", help="run every configured channel, the scheduler and the web server")
    run.set_defaults(func=cmd_run)

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
    from bot.campaign_cli import add_parsers

    add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings()
        return args.func(settings, args)
    except (KnowledgeLoadError, StartupError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
