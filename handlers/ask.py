"""Answering one question: search, fill placeholders, and package the outcome for every front end."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from handlers import texts
from handlers.contact import ContactSource, contact_block
from knowledge.answer_parts import CONTACT, split_answer
from knowledge.confidence import AskStatus
from knowledge.model import Entry
from knowledge.search import Candidate, SearchEngine, SearchResult
from knowledge.sources import SourceBook
from knowledge.syllables import strip_accents
from knowledge.two_facts import two_answers

SUGGESTION_COUNT = 3
# A live copy imported before the short-first rules may still say "liên hệ {contact}." inside a sentence:
# there the block follows the sentence's colon, as it always did.
_INLINE_CONTACT = re.compile(r"(?<=\S)[ \t]*:?[ \t]*\{contact\}\.?")
FOLLOW_UP_WORDS = 7  # a follow-up is short: "thế còn Kaizen?", "vậy bắt đầu từ đâu"
# How follow-ups start or end, accent-free: "còn …", "vậy …", "thế còn …", "cái nào …", "… thì sao".
_FOLLOW_UP = re.compile(r"^(?:con|vay|the|the con|cai nao|nhu vay|neu vay|and|what about|how about)\b|\bthi sao\W*$")


@dataclass
class Suggestion:
    entry_id: str
    question: str
    label: str = ""  # what a button offering it says (≤ 40 characters); the question when empty

    def __post_init__(self) -> None:
        self.label = self.label or self.question


@dataclass(frozen=True)
class ShownAnswer:
    """An entry as the user sees it: `text` first (the short answer, then the contact block if the entry
    asks for it), `detail` behind a fold or a "Xem chi tiết" choice."""

    text: str
    detail: str
    contact: bool

    @property
    def whole(self) -> str:
        return f"{self.text}\n\n{self.detail}" if self.detail else self.text


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
    # A message asking two things: the entry answering the second (`entry_id` answers the first); `answer`
    # then holds both, each under its label.
    also: list[Candidate] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "status": str(self.status),
            "answer": self.answer,
            "entry_id": self.entry_id,
            "score": round(self.score, 4),
            "suggestions": [{"entry_id": s.entry_id, "question": s.question} for s in self.suggestions],
            "source": self.source,
        }
        if self.also:  # additive: present only when a second fact was answered
            data["also"] = [
                {"entry_id": c.entry.id, "question": c.entry.question, "score": round(c.confidence, 4)}
                for c in self.also
            ]
        return data


def is_follow_up(question: str) -> bool:
    words = strip_accents(question.lower()).split()
    return 0 < len(words) <= FOLLOW_UP_WORDS and bool(_FOLLOW_UP.search(" ".join(words)))


class AskService:
    """Wraps a SearchEngine; `engine_provider` lets a reloaded knowledge base swap in without restart."""

    def __init__(
        self,
        engine_provider: Callable[[], SearchEngine],
        contacts: ContactSource,
        sources: SourceBook | None = None,
    ):
        self._engine = engine_provider
        self.contacts = contacts
        self.sources = sources or SourceBook([])

    def source_line(self, entry: Entry) -> str:
        """The entry's source as a user reads it: short forms, links that open."""
        return self.sources.display(entry.source)

    @property
    def contact_block(self) -> str:
        return contact_block(self.contacts.current())

    @property
    def engine(self) -> SearchEngine:
        return self._engine()

    def fallback_text(self) -> str:
        """The honest "I don't know", with the contact block (or, while unset, the offer of staff) once."""
        wording = texts.FALLBACK if self.contacts.current().reachable else texts.FALLBACK_UPDATING
        return wording.format(contact=self.contact_block)

    def shown(self, entry: Entry) -> ShownAnswer:
        """An entry's answer split for a phone: short first, the contact block (filled from settings) after it."""
        parts = split_answer(entry.answer)
        text = f"{parts.short}\n\n{self.contact_block}" if parts.contact else parts.short
        return ShownAnswer(self._inline(text), self._inline(parts.detail), parts.contact)

    def _inline(self, text: str) -> str:
        if CONTACT not in text:
            return text
        return _INLINE_CONTACT.sub(lambda _: ":\n" + self.contact_block, text).replace(CONTACT, self.contact_block)

    def render(self, entry: Entry) -> str:
        """An entry's whole answer as one text (`ask --json`, evaluation)."""
        return self.shown(entry).whole

    def both_text(self, first: Entry, second: Entry, details: bool = False) -> str:
        """Two entries answering one message's two questions: each short answer under its label (with its
        detail too when `details`, for `ask --json`), the contact block once at the end."""
        blocks = [texts.TWO_ANSWERS_INTRO]
        contact = False
        for entry in (first, second):
            parts = split_answer(entry.answer)
            body = f"{parts.short}\n\n{parts.detail}" if details and parts.detail else parts.short
            blocks.append(f"{texts.TWO_ANSWERS_HEADING.format(label=entry.button_label)}\n{body}")
            contact = contact or parts.contact
        if contact:
            blocks.append(self.contact_block)
        return self._inline("\n\n".join(blocks))

    def sources_of(self, *entries: Entry) -> str:
        """The entries' sources as a user reads them, each once."""
        return "; ".join(dict.fromkeys(self.source_line(e) for e in entries))

    def related_to_both(self, first: Entry, second: Entry) -> list[Suggestion]:
        """What to ask next after two answers: both entries' related questions, neither answer again."""
        shown = {first.id, second.id}
        unique = {s.entry_id: s for s in self.related(first) + self.related(second) if s.entry_id not in shown}
        return list(unique.values())[:SUGGESTION_COUNT]

    def entry(self, entry_id: str) -> Entry | None:
        return self.engine.kb.get(entry_id)

    def related(self, entry: Entry) -> list[Suggestion]:
        kb = self.engine.kb
        found = [kb.get(i) for i in entry.related]
        return [Suggestion(e.id, e.question, e.button_label) for e in found if e is not None]

    def ask(self, question: str, previous: str | None = None) -> AskOutcome:
        """Answer `question`; `previous` is the entry this chat was last answered with, for a short
        follow-up ("còn chi phí thì sao?") that only makes sense with it."""
        result = self.engine.search(question)
        pair = two_answers(self.engine, question, result)
        if pair is not None:
            return self._both(*pair, result)
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
        if result.status is not AskStatus.CLARIFY and not result.analysis.tokens:
            return AskOutcome(AskStatus.FALLBACK, texts.EMPTY_QUESTION, None, 0.0, [], None, result)
        # A question back, or still "I don't know" with the closest questions when they are likely to hold it.
        offered = [Suggestion(e.id, e.question, e.button_label) for e in self.engine.offered(result, SUGGESTION_COUNT)]
        if result.status is AskStatus.CLARIFY:
            return AskOutcome(AskStatus.CLARIFY, texts.CLARIFY, None, result.confidence, offered, None, result)
        answer = self.fallback_text() + (f"\n\n{texts.FALLBACK_LEADS}" if offered else "")
        return AskOutcome(AskStatus.FALLBACK, answer, None, result.confidence, offered, None, result)

    def _both(self, first: Candidate, second: Candidate, result: SearchResult) -> AskOutcome:
        """The outcome of a message asking two things that two entries answer (knowledge/two_facts.py)."""
        a, b = first.entry, second.entry
        raw_sources = "; ".join(dict.fromkeys(e.source for e in (a, b) if e.source))
        return AskOutcome(
            AskStatus.ANSWERED,
            self.both_text(a, b, details=True),
            a.id,
            first.confidence,
            self.related_to_both(a, b),
            raw_sources or None,
            result,
            [second],
        )
