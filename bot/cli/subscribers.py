"""`python -m bot subscribers import|export FILE.csv`: moving a subscriber list in and out."""

from __future__ import annotations

import argparse
import asyncio

from bot.db import live_knowledge
from bot.db.database import open_database
from bot.db.subscribers_csv import export_csv, import_csv
from bot.settings import Settings


def cmd_subscribers(settings: Settings, args: argparse.Namespace) -> int:
    async def go() -> int:
        db = await open_database(settings.database_url)
        try:
            async with db.writing() as session:
                if args.subscribers_command == "export":
                    count = await export_csv(session, args.file)
                    print(f"exported {count} subscribers to {args.file}")
                    return 0
                kb = await live_knowledge.load(session)
                topics = {t.id for t in kb.topics} if kb is not None else None
                report = await import_csv(session, args.file, topics)
            for line in report.lines():
                print(line)
            return 1 if report.rejected else 0
        finally:
            await db.dispose()

    return asyncio.run(go())


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    subscribers = sub.add_parser("subscribers", help="import or export subscribers as CSV")
    ssub = subscribers.add_subparsers(dest="subscribers_command", required=True)
    for name, text in (("import", "read subscribers from a CSV file"), ("export", "write subscribers to CSV")):
        p = ssub.add_parser(name, help=text)
        p.add_argument("file", help="CSV with columns channel, chat_id, name, topics (commune, sector optional)")
    subscribers.set_defaults(func=cmd_subscribers)
