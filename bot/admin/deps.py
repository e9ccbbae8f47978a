"""What the console's pages use, built once in bot/wiring.py and reached from any request."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from bot.admin.editing import Editor
from bot.admin.entry_search import EntrySearch
from bot.admin.inbox import GuessBook
from bot.admin.trial import TrialRunner
from bot.contact_book import ContactBook
from bot.db.database import Database
from handlers.conversation import Conversation

DEPS = web.AppKey("admin_deps", object)


@dataclass
class AdminDeps:
    db: Database
    editor: Editor
    trial: TrialRunner
    conversation: Conversation
    contacts: ContactBook
    timezone: str = "Asia/Ho_Chi_Minh"  # the bot's TIMEZONE, for the dates pages show
    guesses: GuessBook = field(default_factory=GuessBook)
    entry_search: EntrySearch = field(default_factory=EntrySearch)


def deps(request: web.Request) -> AdminDeps:
    found = request.app[DEPS]
    assert isinstance(found, AdminDeps)
    return found
