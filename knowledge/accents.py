"""Putting the tone marks back on words typed without them, from the knowledge base's own text.

"san pham ocop duoc ho tro gi" reads to the embedding model as another language; "sản phẩm ocop được hỗ
trợ gì" does not. Each accent-free syllable takes the accented form the knowledge base uses most often
next to its neighbour (bigram), else on its own (unigram); a word the base never spells stays as typed.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict

from knowledge.normalize import Token


class AccentRestorer:
    """Counts spellings with `add` while the index is built; `freeze` keeps only the most common ones."""

    def __init__(self) -> None:
        self._unigrams: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._bigrams: defaultdict[tuple[str, str], Counter[tuple[str, str]]] = defaultdict(Counter)
        self.unigram: dict[str, str] = {}
        self.bigram: dict[tuple[str, str], tuple[str, str]] = {}

    def add(self, tokens: list[Token]) -> None:
        for token in tokens:
            if token.marked:
                self._unigrams[token.plain][token.acc] += 1
        for a, b in itertools.pairwise(tokens):
            if a.marked or b.marked:
                self._bigrams[(a.plain, b.plain)][(a.acc, b.acc)] += 1

    def freeze(self) -> None:
        self.unigram = {plain: forms.most_common(1)[0][0] for plain, forms in self._unigrams.items()}
        self.bigram = {pair: forms.most_common(1)[0][0] for pair, forms in self._bigrams.items()}
        self._unigrams.clear()
        self._bigrams.clear()

    def restore(self, tokens: list[Token]) -> str:
        """The tokens as text, each one typed without marks given the base's most likely spelling."""
        words: list[str] = []
        for i, token in enumerate(tokens):
            if token.marked:
                words.append(token.acc)
                continue
            after = tokens[i + 1] if i + 1 < len(tokens) else None
            before = tokens[i - 1] if i > 0 else None
            if after is not None and (token.plain, after.plain) in self.bigram:
                words.append(self.bigram[(token.plain, after.plain)][0])
            elif before is not None and (before.plain, token.plain) in self.bigram:
                words.append(self.bigram[(before.plain, token.plain)][1])
            else:
                words.append(self.unigram.get(token.plain, token.acc))
        return " ".join(words)
