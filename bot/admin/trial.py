"""The test pane: what the bot would answer, with an unsaved draft of an entry applied, before anyone saves it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from bot.admin.editing import placed
from knowledge.confidence import AskStatus
from knowledge.model import Entry, KnowledgeBase
from knowledge.search import SearchEngine

TOP = 3


@dataclass(frozen=True)
class Guess:
    entry_id: str
    question: str
    confidence: float
    is_draft: bool


@dataclass(frozen=True)
class TrialResult:
    question: str
    status: AskStatus
    confidence: float
    top: list[Guess]


class TrialRunner:
    """Builds a search engine over the live copy with the draft in place (the last one is reused)."""

    def __init__(self, build: Callable[[KnowledgeBase], SearchEngine]):
        self.build = build
        self._last: tuple[object, SearchEngine] | None = None

    def _engine(self, kb: KnowledgeBase, draft: Entry | None) -> SearchEngine:
        key = (kb.version, None if draft is None else repr(draft.to_dict()))
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        if draft is not None:
            replaces = draft.id if kb.get(draft.id) is not None else None
            kb = KnowledgeBase(kb.topics, placed(kb, draft, replaces), kb.version)
        engine = self.build(kb)
        self._last = (key, engine)
        return engine

    async def run(self, kb: KnowledgeBase, draft: Entry | None, question: str) -> TrialResult:
        """Off the event loop: building the index and embedding the draft take a moment of CPU."""

        def search() -> TrialResult:
            result = self._engine(kb, draft).search(question)
            top = [
                Guess(c.entry.id, c.entry.question, c.confidence, draft is not None and c.entry.id == draft.id)
                for c in result.candidates[:TOP]
            ]
            return TrialResult(question, result.status, result.confidence, top)

        return await asyncio.to_thread(search)
