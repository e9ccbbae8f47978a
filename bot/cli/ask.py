"""`ask`, `chat` and `run`: questions from the shell, the console chat, and the running bot."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from bot.settings import Settings
from handlers import texts
from handlers.ask import AskOutcome
from handlers.statuses import AskStatus


def print_outcome(outcome: AskOutcome) -> None:
    print(outcome.answer)
    if outcome.source:
        print("\n" + texts.SOURCE.format(source=outcome.source))
    if outcome.suggestions:
        if outcome.status is AskStatus.ANSWERED:
            print("\n" + texts.ASK_NEXT)
        # A question back or a fallback ends with its own lead line; its choices follow it directly.
        for number, s in enumerate(outcome.suggestions, 1):
            print(f"{number}. {s.question}")


def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    from bot.wiring import release_ask_service

    service = release_ask_service(settings)
    if args.question == "-":
        # Batch mode: one question per line in, one JSON object per line out, in order.
        for line in sys.stdin:
            outcome = service.ask(line.rstrip("\n"))
            print(json.dumps(outcome.to_json(), ensure_ascii=False), flush=True)
        return 0
    outcome = service.ask(args.question)
    if args.json:
        print(json.dumps(outcome.to_json(), ensure_ascii=False))
    else:
        print_outcome(outcome)
    return 0


def cmd_chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import run_console
    from bot.wiring import build_core

    async def chat() -> None:
        core = await build_core(settings)
        try:
            await run_console(core)
        finally:
            await core.close()

    asyncio.run(chat())
    return 0


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import run_app

    return run_app(settings)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ask = sub.add_parser("ask", help="answer one question (or '-' for one per line on stdin)")
    ask.add_argument("question", help="the question, or '-' to read questions from stdin (JSON lines out)")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", help="interactive console chat on the knowledge base")
    chat.set_defaults(func=cmd_chat)

    run = sub.add_parser("run", help="run every configured channel, the scheduler and the web server")
    run.set_defaults(func=cmd_run)
