"""Wiring: builds the knowledge base, search engine and conversation from settings (no module globals)."""
from __future__ import annotations

import logging

from bot.settings import Settings
from handlers.ask import AskService
from knowledge.loader import KnowledgeLoadError, load_directory
from knowledge.model import KnowledgeBase
from knowledge.search import SearchEngine
from knowledge.validator import errors, validate

log = logging.getLogger(__name__)


class EngineHolder:
    """The current search engine; swapping it is atomic, so a reload never disturbs a search in flight."""

    def __init__(self, engine: SearchEngine):
        self.engine = engine

    def __call__(self) -> SearchEngine:
        return self.engine


def load_knowledge(settings: Settings) -> KnowledgeBase:
    """The shipped (or KNOWLEDGE_DIR) knowledge base; refuses one with errors, logs warnings."""
    kb, problems = load_directory(settings.knowledge_dir)
    problems += validate(kb)
    bad = errors(problems)
    if bad:
        raise KnowledgeLoadError(
            f"{settings.knowledge_dir}: {len(bad)} error(s) in the knowledge base, first: {bad[0]} "
            "(run `python -m bot kb validate` for all)")
    for problem in problems:
        log.debug("%s", problem)
    return kb


def build_engine(settings: Settings, kb: KnowledgeBase | None = None) -> EngineHolder:
    return EngineHolder(SearchEngine(kb if kb is not None else load_knowledge(settings)))


def build_ask_service(settings: Settings, engine: EngineHolder) -> AskService:
    return AskService(engine, settings.contact_block())
