"""The search engine over the live knowledge base, swapped in whole when an admin changes the base."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.db import live_knowledge
from bot.db.database import Database
from knowledge.model import KnowledgeBase
from knowledge.search import SearchEngine

log = logging.getLogger(__name__)
RELOAD_EVERY = 5.0  # seconds between checks of the live knowledge base's version


class LiveSearch:
    """Holds the current SearchEngine; a reload builds a new one off the event loop and swaps it atomically,
    so a search in flight is never disturbed."""

    def __init__(self, engine: SearchEngine, db: Database, build: Callable[[KnowledgeBase], SearchEngine]):
        self.engine = engine
        self.db = db
        self.build = build
        self._task: asyncio.Task[None] | None = None

    def __call__(self) -> SearchEngine:
        return self.engine

    async def reload_if_changed(self) -> bool:
        """Swap in a new search engine when an admin changed the live knowledge base."""
        async with self.db.session() as session:
            current = await live_knowledge.version(session)
            if current == self.engine.kb.version:
                return False
            kb = await live_knowledge.load(session)
        if kb is None:
            return False
        self.engine = await asyncio.to_thread(self.build, kb)  # the build must not stall answers
        log.info("knowledge base reloaded: version %s, %s entries", kb.version, len(kb.entries))
        return True

    def start(self, every: float = RELOAD_EVERY) -> None:
        async def loop() -> None:
            while True:
                await asyncio.sleep(every)
                try:
                    await self.reload_if_changed()
                except Exception:
                    log.exception("knowledge reload failed; keeping the current version")

        self._task = asyncio.create_task(loop(), name="knowledge-reload")

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
