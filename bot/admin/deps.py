"""What the console's pages use, built once in bot/wiring.py and reached from any request."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from bot.admin.editing import Editor
from bot.admin.entry_search import EntrySearch
from bot.admin.inbox import GuessBook
from bot.admin.trial import TrialRunner
from bot.broadcast.desk import DatabaseDesk
from bot.broadcast.image_check import ImageCheck
from bot.channels.relay import Relay
from bot.contact_book import ContactBook
from bot.db.database import Database
from bot.db.people_port import DatabasePeople
from handlers.case_desk import CaseDesk
from handlers.conversation import Conversation
from handlers.handoff import HandoffFlow

DEPS = web.AppKey("admin_deps", object)


@dataclass
class AdminDeps:
    db: Database
    editor: Editor
    trial: TrialRunner
    conversation: Conversation
    contacts: ContactBook
    desk: DatabaseDesk  # campaigns: the same desk as the staff's chat commands
    handoff: HandoffFlow  # requests to staff: the same flow as the staff chat
    people: DatabasePeople  # one person's data and its erasure, as /dulieucuatoi and /xoadulieu
    messenger: Relay  # sends to users on the channels this process runs (replies, test sends)
    images: ImageCheck  # a campaign picture fetched once before it is confirmed
    cases: CaseDesk  # applications for support: status changes told to the business, as from the staff chat
    timezone: str = "Asia/Ho_Chi_Minh"  # the bot's TIMEZONE, for the dates pages show
    guesses: GuessBook = field(default_factory=GuessBook)
    entry_search: EntrySearch = field(default_factory=EntrySearch)
    oa_enabled: bool = False  # the Zalo OA channel is configured: pages warn when it needs authorising


def deps(request: web.Request) -> AdminDeps:
    found = request.app[DEPS]
    assert isinstance(found, AdminDeps)
    return found
