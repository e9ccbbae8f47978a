"""BM25-style inverted index in a compact CSR layout, plus a character n-gram index for typo lookup."""

from __future__ import annotations

import itertools
import math
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from knowledge.normalize import Token

K1 = 1.2
# Entries gather many alternates, so length normalisation is kept gentle.
B = 0.3


def word_features(tokens: list[Token], accents: bool = True) -> list[str]:
    """Unigrams and bigrams of the accent-free form, plus accented unigrams of marked syllables."""
    feats = [f"u:{t.plain}" for t in tokens]
    feats += [f"b:{a.plain} {b.plain}" for a, b in itertools.pairwise(tokens)]
    if accents:
        feats += [f"a:{t.acc}" for t in tokens if t.marked]
    return feats


class InvertedIndex:
    """Postings of precomputed BM25 impacts (idf × saturated tf), one flat array for all terms.

    Documents must be added in increasing order, so every posting list is sorted by document and
    membership tests can bisect.
    """

    def __init__(self) -> None:
        self._term_ids: dict[str, int] = {}
        # Pending postings, kept narrow: term ids fit 16 bits until a large vocabulary widens them.
        self._flat_terms = array("H")
        self._flat_docs = array("I")
        self._flat_tfs = array("B")
        self._lengths = array("I")
        self.starts = array("I")
        self.docs = array("I")
        # Impacts quantised to 16 bits (×`_unscale` gives the BM25 impact): half the memory of floats,
        # at a resolution of 1/65535 of the largest impact, far finer than any ranking decision.
        self.impacts = array("H")
        self._unscale = 1.0
        # numpy views of docs and impacts (no copy), made at freeze: retrieval sums postings in C.
        self._doc_view: npt.NDArray[np.uint32] = np.zeros(0, dtype=np.uint32)
        self._impact_view: npt.NDArray[np.uint16] = np.zeros(0, dtype=np.uint16)
        self._idf_memo: dict[str, float] = {}
        self.size = 0

    def add(self, features: list[str]) -> int:
        """Add the next document; returns its number."""
        doc = len(self._lengths)
        self._lengths.append(len(features))
        term_ids = self._term_ids
        for feat, tf in Counter(features).items():
            tid = term_ids.setdefault(feat, len(term_ids))
            if tid > 65535 and self._flat_terms.typecode == "H":
                self._flat_terms = array("I", self._flat_terms)
            self._flat_terms.append(tid)
            self._flat_docs.append(doc)
            self._flat_tfs.append(min(tf, 255))
        return doc

    def freeze(self) -> None:
        """Sort the pending postings by term (counting sort), computing impacts on the way."""
        self.size = len(self._lengths)
        n_terms = len(self._term_ids)
        counts = array("I", bytes(4 * (n_terms + 1)))
        for tid in self._flat_terms:
            counts[tid + 1] += 1
        for i in range(n_terms):
            counts[i + 1] += counts[i]
        self.starts = array("I", counts)
        avg = (sum(self._lengths) / self.size) if self.size else 1.0
        norms = [K1 * (1 - B + B * length / avg) for length in self._lengths]
        idfs = [self._idf(self.starts[t + 1] - self.starts[t]) for t in range(n_terms)]
        total = len(self._flat_terms)
        # Impacts are scattered straight into place: no second copy of the term frequencies, which
        # keeps the build's peak memory near one set of postings.
        docs = array("I", bytes(4 * total))
        impacts = array("H", bytes(2 * total))
        # Upper bound of any impact: the largest idf times the tf saturation limit (K1 + 1).
        scale = 65535 / (max(idfs, default=1.0) * (K1 + 1) or 1.0)
        fill = counts
        for tid, doc, tf in zip(self._flat_terms, self._flat_docs, self._flat_tfs):
            pos = fill[tid]
            docs[pos] = doc
            impacts[pos] = int(idfs[tid] * tf * (K1 + 1) / (tf + norms[doc]) * scale)
            fill[tid] = pos + 1
        self._flat_terms = array("H")
        self._flat_docs = array("I")
        self._flat_tfs = array("B")
        self.docs, self.impacts, self._unscale = docs, impacts, 1 / scale
        if total:  # an empty array.array exports no buffer numpy can view
            self._doc_view = np.frombuffer(docs, dtype=f"u{docs.itemsize}")
            self._impact_view = np.frombuffer(impacts, dtype=f"u{impacts.itemsize}")

    def _idf(self, df: int) -> float:
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def doc_freq(self, feat: str) -> int:
        tid = self._term_ids.get(feat)
        return 0 if tid is None else self.starts[tid + 1] - self.starts[tid]

    def idf(self, feat: str) -> float:
        # Memoised: re-scoring asks for the same few hundred words' IDF on every query.
        value = self._idf_memo.get(feat)
        if value is None:
            if len(self._idf_memo) > 100_000:  # users' unknown words must not grow it forever
                self._idf_memo.clear()
            value = self._idf_memo[feat] = self._idf(self.doc_freq(feat))
        return value

    def contains(self, feat: str, doc: int) -> bool:
        tid = self._term_ids.get(feat)
        if tid is None:
            return False
        lo, hi = self.starts[tid], self.starts[tid + 1]
        pos = bisect_left(self.docs, doc, lo, hi)
        return pos < hi and self.docs[pos] == doc

    def weighted_postings(
        self, feat: str, weight: float
    ) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.float64]] | None:
        """The documents holding `feat` and, for each, `weight` × its BM25 impact; None when unknown."""
        tid = self._term_ids.get(feat)
        if tid is None:
            return None
        lo, hi = self.starts[tid], self.starts[tid + 1]
        # weight × unscale first, then × impact: the same float products as a scalar loop would give.
        return self._doc_view[lo:hi], np.asarray(self._impact_view[lo:hi] * (weight * self._unscale), dtype=np.float64)


def char_ngrams(word: str, n: int = 3) -> set[str]:
    padded = f"#{word}#"
    if len(padded) <= n:
        return {padded}
    return {padded[i : i + n] for i in range(len(padded) - n + 1)}


class TypoIndex:
    """Character trigrams of the vocabulary: finds the known words an unknown word was meant to be."""

    def __init__(self, vocabulary: Iterable[str]):
        self._grams: dict[str, list[str]] = defaultdict(list)
        self._sizes: dict[str, int] = {}
        for word in vocabulary:
            if len(word) < 3 or not word.isalpha():
                continue
            grams = char_ngrams(word)
            self._sizes[word] = len(grams)
            for gram in grams:
                self._grams[gram].append(word)

    def similar(self, word: str, limit: int = 3, floor: float = 0.5) -> list[tuple[str, float]]:
        """Known words by Dice similarity of character trigrams, best first, at least `floor`."""
        grams = char_ngrams(word)
        shared: Counter[str] = Counter()
        for gram in grams:
            shared.update(self._grams.get(gram, ()))
        scored = [(w, 2 * n / (len(grams) + self._sizes[w])) for w, n in shared.items()]
        scored = [(w, s) for w, s in scored if s >= floor]
        scored.sort(key=lambda ws: (-ws[1], ws[0]))
        return scored[:limit]
