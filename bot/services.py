"""Everything a running bot needs, built from settings in one place: database, live knowledge, conversation."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from bot.broadcast.desk import DatabaseDesk
from bot.db import knowledge_store
from bot.db.engine import Database, open_database
from bot.db.store import DatabaseStore
from bot.factory import EngineHolder, build_ask_service, load_knowledge
from bot.relay import Relay
from bot.settings import Settings
from handlers.campaign_flow import CampaignFlow
from handlers.conversation import Conversation
from handlers.flood import FloodGuard
from handlers.people import PeopleFlows
from knowledge.search import SearchEngine

log = logging.getLogger(__name__)
RELOAD_EVERY = 5.0  # seconds between checks of the live knowledge base's version


def staff_chat(settings: Settings) -> tuple[str, str] | None:
    """STAFF_CHAT_ID as (channel, chat id); a bare id is a Telegram chat."""
    raw = (settings.staff_chat_id or "").strip()
    if not raw:
        return None
    channel, sep, chat = raw.partition(":")
    return (channel, chat) if sep and not channel.lstrip("-").isdigit() else ("telegram", raw)


@dataclass
class Services:
    settings: Settings
    db: Database
    engine: EngineHolder
    store: DatabaseStore
    conversation: Conversation
    relay: Relay = field(default_factory=Relay)
    desk: DatabaseDesk | None = None
    _reloader: asyncio.Task | None = None

    async def reload_if_changed(self) -> bool:
        """Swap in a new search engine when an admin changed the live knowledge base."""
        async with self.db.session() as session:
            current = await knowledge_store.version(session)
            if current == self.engine().kb.version:
                return False
            kb = await knowledge_store.load(session)
        if kb is None:
            return False
        engine = await asyncio.to_thread(SearchEngine, kb)  # the build must not stall answers
        self.engine.engine = engine
        log.info("knowledge base reloaded: version %s, %s entries", kb.version, len(kb.entries))
        return True

    def start_reloader(self, every: float = RELOAD_EVERY) -> None:
        async def loop() -> None:
            while True:
                await asyncio.sleep(every)
                try:
                    await self.reload_if_changed()
                except Exception:
                    log.exception("knowledge reload failed; keeping the current version")
        self._reloader = asyncio.create_task(loop())

    async def close(self) -> None:
        if self._reloader is not None:
            self._reloader.cancel()
        await self.db.dispose()


async def build_services(settings: Settings) -> Services:
    db = await open_database(settings.database_url)
    async with db.session() as session:
        kb = await knowledge_store.load_or_seed(session, load_knowledge(settings))
    engine = EngineHolder(await asyncio.to_thread(SearchEngine, kb))
    store = DatabaseStore(db)
    ask = build_ask_service(settings, engine)
    people = PeopleFlows(store, lambda: engine().kb.menu_topics(), ask.contact_block, settings.staff,
                         staff_chat(settings), settings.timezone)
    desk = DatabaseDesk(db, settings.timezone, lambda: engine().kb.menu_topics())
    conversation = Conversation(ask, people, FloodGuard(), CampaignFlow(desk))
    return Services(settings, db, engine, store, conversation, desk=desk)
