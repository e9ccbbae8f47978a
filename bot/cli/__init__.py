"""Command line: `python -m bot ask|chat|run|web|kb|campaign|subscribers|admin|zalo-oa …` (the contract in DESIGN.md).

One module per command group: ask.py (ask, chat, run), kb.py and kb_review.py, campaign.py, subscribers.py.
"""

from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError

from bot.cli import admin, ask, campaign, kb, subscribers, zalo_oa
from bot.db.live_knowledge import KnowledgeConflict
from bot.logs import FORMATS, SecretFilter, configure_logging
from bot.settings import load_settings
from bot.startup import StartupError
from knowledge.loader import KnowledgeLoadError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Trợ lý Năng suất — advisory chatbot")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", required=True)
    for group in (ask, kb, campaign, subscribers, admin, zalo_oa):
        group.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")
    args = build_parser().parse_args(argv)
    secrets: list[str] = []
    try:
        settings = load_settings()
        secrets = settings.secrets()
        configure_logging(
            settings.log_level,
            settings.log_format if settings.log_format in FORMATS else "text",
            args.verbose,
            secrets,
        )
        result: int = args.func(settings, args)
        return result
    except (KnowledgeLoadError, StartupError, KnowledgeConflict) as exc:
        # A platform's refusal can quote the token it refused: one clear line, without it.
        print(f"error: {SecretFilter(secrets).redact(str(exc))}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        # A mistyped setting: one line per setting, never its value (it may be a token).
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]).upper()
            print(f"error: setting {name}: {error['msg']}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
