"""Answering one question: search, fill placeholders, and package the outcome for every front end."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from handlers import texts
from knowledge.confidence import AskStatus
from knowledge.model import Entry
from knowledge.search import SearchEngine, SearchResult
from knowledge.syllables import strip_accents

SUGGESTION_COUNT = 3
FOLLOW_UP_WORDS = 7  # a follow-up is short: "thế còn Kaizen?", "vậy bắt đầu từ đâu"
# How follow-ups start or end, accent-free: "còn …", "vậy …", "thế còn …", "cái nào …", "… thì sao".
_FOLLOW_UP = re.compile(r"^(?:con|vay|the|the con|cai nao|nhu vay|neu vay|and|what about|how about)\b|\bthi sao\W*$")
# "{contact}" inside a sentence ("hãy liên hệ {contact}.") becomes "hãy liên hệ:" + the contact lines.
_INLINE_CONTACT = re.compile(r"(?<=\S)[ \t]*:?[ \t]*\{contact\}\.?")


@dataclass
class Suggestion:
    entry_id: str
    question: str


@dataclass
class AskOutcome:
    """The contract of `ask --json` (DESIGN.md) plus the search result for handlers that need more."""

    status: AskStatus
    answer: str
    entry_id: str | None
    score: float
    suggestions: list[Suggestion] = field(default_factory=list)
    source: str | None = None
    result: SearchResult | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "status": str(self.status),
            "answer": self.answer,
            "entry_id": self.entry_id,
            "score": round(self.score, 4),
            "suggestions": [{"entry_id": s.entry_id, "question": s.question} for s in self.suggestions],
            "source": self.source,
        }


def is_follow_up(question: str) -> bool:
    words = strip_accents(question.lower()).split()
    return 0 < len(words) <= FOLLOW_UP_WORDS and bool(_FOLLOW_UP.search(" ".join(words)))


class AskService:
    """Wraps a SearchEngine; `engine_provider` lets a reloaded knowledge base swap in without restart."""

    def __init__(self, engine_provider: Callable[[], SearchEngine], contact_block: str):
        self._engine = engine_provider
        self.contact_block = contact_block

    @property
    def engine(self) -> SearchEngine:
        return self._engine()

    def render(self, entry: Entry) -> str:
        """An entry's answer with {contact} filled from settings."""
        text = _INLINE_CONTACT.sub(lambda _: ":\n" + self.contact_block, entry.answer)
        return text.replace("{contact}", self.contact_block)

    def entry(self, entry_id: str) -> Entry | None:
        return self.engine.kb.get(entry_id)

    def related(self, entry: Entry) -> list[Suggestion]:
        kb = self.engine.kb
        found = [kb.get(i) for i in entry.related]
        return [Suggestion(e.id, e.question) for e in found if e is not None]

    def ask(self, question: str, previous: str | None = None) -> AskOutcome:
        """Answer `question`; `previous` is the entry this chat was last answered with, for a short
        follow-up ("còn chi phí thì sao?") that only makes sense with it."""
        result = self.engine.search(question)
        before = self.entry(previous) if previous else None
        if before is not None and result.status is not AskStatus.ANSWERED and is_follow_up(question):
            # Read with the previous question beside it, for another side of the same subject: the
            # previous entry itself is what the user has already read. The reading trusted more wins.
            joined = self.engine.without(self.engine.search(f"{question} {before.question}"), before.id)
            if joined.confidence > result.confidence:
                result = joined
        best = result.best
        if result.status is AskStatus.ANSWERED and best is not None:
            return AskOutcome(
                AskStatus.ANSWERED,
                self.render(best.entry),
                best.entry.id,
                best.confidence,
                self.related(best.entry),
                best.entry.source,
                result,
            )
        if result.status is AskStatus.CLARIFY:
            choices = [Suggestion(e.id, e.question) for e in result.choices(SUGGESTION_COUNT)]
            return AskOutcome(AskStatus.CLARIFY, texts.CLARIFY, None, result.confidence, choices, None, result)
        if not result.analysis.tokens:
            return AskOutcome(AskStatus.FALLBACK, texts.EMPTY_QUESTION, None, 0.0, [], None, result)
        answer = texts.FALLBACK.format(contact=self.contact_block)
        return AskOutcome(AskStatus.FALLBACK, answer, None, result.confidence, [], None, result)
