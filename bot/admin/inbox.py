"""The review inbox's grouping: questions the bot could not answer, the same question in other words together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.db.models import UnansweredQuestion
from knowledge.search import SearchEngine

SIMILAR = 85  # token-set similarity (0–100) of two normalised questions that count as one
GUESSES = 3


@dataclass(frozen=True)
class Guess:
    entry_id: str
    label: str
    confidence: float


@dataclass
class QuestionGroup:
    """One question as people asked it, in every wording seen; `text` is the most asked one."""

    text: str
    count: int
    wordings: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # the normalised texts, to forget or dismiss them together
    guesses: list[Guess] = field(default_factory=list)


def group_questions(rows: Sequence[UnansweredQuestion]) -> list[QuestionGroup]:
    """Most asked first; a question joins the group whose first wording it is closest to, if close enough."""
    groups: list[QuestionGroup] = []
    firsts: list[str] = []
    for row in sorted(rows, key=lambda r: -r.count):
        found = process.extractOne(row.normalized, firsts, scorer=fuzz.token_set_ratio, score_cutoff=SIMILAR)
        if found is None:
            groups.append(QuestionGroup(row.text, row.count, [row.text], [row.normalized]))
            firsts.append(row.normalized)
        else:
            home = groups[found[2]]
            home.count += row.count
            home.wordings.append(row.text)
            home.keys.append(row.normalized)
    return groups


class GuessBook:
    """The entries the bot thinks closest to a question, best first; remembered per knowledge-base version,
    since the inbox shows the same questions on every visit and a search with embeddings takes a moment."""

    def __init__(self, limit: int = 5000):
        self.limit = limit
        self._seen: dict[tuple[int, str], list[Guess]] = {}

    def add_guesses(self, groups: list[QuestionGroup], engine: SearchEngine) -> None:
        for group in groups:
            key = (engine.kb.version, group.text)
            if key not in self._seen:
                if len(self._seen) >= self.limit:
                    self._seen.clear()
                result = engine.search(group.text)
                top = result.candidates[:GUESSES]
                self._seen[key] = [Guess(c.entry.id, c.entry.button_label, c.confidence) for c in top]
            group.guesses = self._seen[key]
