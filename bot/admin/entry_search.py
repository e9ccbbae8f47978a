"""The entry list's search: every word of the query, with or without diacritics, in an entry's texts."""

from __future__ import annotations

from knowledge.model import KnowledgeBase
from knowledge.syllables import fold


class EntrySearch:
    """Each entry's texts folded once per live knowledge base (5,000 answers take a moment to fold)."""

    def __init__(self) -> None:
        self._kb: KnowledgeBase | None = None
        self._texts: dict[str, str] = {}

    def matching(self, kb: KnowledgeBase, query: str) -> set[str]:
        """The ids of the entries holding every word of `query`."""
        if kb is not self._kb:
            self._texts = {
                e.id: fold(" ".join([e.id, e.question, e.label, e.answer, *e.alternates])) for e in kb.entries
            }
            self._kb = kb
        words = fold(query).split()
        return {entry_id for entry_id, text in self._texts.items() if all(word in text for word in words)}
