"""The lexical side of search: BM25 over syllable unigrams and bigrams, typo expansion, and the rapidfuzz and
coverage features of one candidate entry."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz

from knowledge.accents import AccentRestorer
from knowledge.index import InvertedIndex, TypoIndex, word_features
from knowledge.model import Entry
from knowledge.normalize import Analysis, Normalizer

FEATURE_WEIGHTS = {"u": 1.0, "b": 0.6, "a": 0.5}
ANSWER_WEIGHT = 0.3  # answer text counts, but less than the questions people ask
TYPO_WEIGHT = 0.8
# A term in more than this share of entries adds almost nothing to BM25; it is skipped when retrieving.
MAX_DF_RATIO = 0.3
PROFILES_KEPT = 20_000  # entries whose phrasing words stay worked out (all of them below this size)
# Numbers that name something (plan 273, ISO 9001, year 2024); single digits ("3 sao", "5S") do not.
_NAMING_NUMBER = re.compile(r"^\d{2,}$")
Expansions = dict[str, list[tuple[str, float]]]


def fraction(hit: float, total: float) -> float:
    return hit / total if total > 0 else 0.0


def naming_numbers(analysis: Analysis) -> set[str]:
    return {t.plain for t in analysis.tokens if _NAMING_NUMBER.match(t.plain)}


@dataclass(frozen=True)
class Retrieved:
    """BM25 scores of one question: per entry (0 where no feature reached it), and every posting's entry in
    the order the features were walked (rarest feature first); the first time an entry appears there breaks
    ties between equal scores."""

    scores: npt.NDArray[np.float64]
    walked: npt.NDArray[np.intp]

    def get(self, doc: int) -> float:
        return float(self.scores[doc])

    def top(self, k: int) -> list[tuple[int, float]]:
        """The k best (entry, score) pairs, best first; equal scores keep the order they were reached in."""
        reached = np.flatnonzero(np.bincount(self.walked, minlength=len(self.scores)))
        values = self.scores[reached]
        if k < len(values):
            # Only entries at or above the k-th best score can be among the k; ties at the edge included.
            edge = np.partition(values, len(values) - k)[len(values) - k]
            keep = np.flatnonzero(values >= edge)
        else:
            keep = np.arange(len(values))
        docs, kept = reached[keep], values[keep]
        # Where each kept entry first appears in the walk: worked out for these few entries only, since
        # ordering every reached entry (np.unique over all postings) was a third of a long question's time.
        where = np.flatnonzero(np.isin(self.walked, docs))
        seen, first = np.unique(self.walked[where], return_index=True)
        first_seen = where[first][np.searchsorted(seen, docs)]
        order = np.lexsort((first_seen, -kept))[:k]
        return [(int(docs[i]), float(kept[i])) for i in order]


@dataclass(frozen=True)
class Query:
    """One reading of a question as the candidate features see it."""

    words: list[tuple[str, float]]  # distinct plain words in order, each with its IDF in the questions
    word_set: frozenset[str]
    text: str
    marked: list[tuple[str, str]]  # (plain word, accented feature) of each syllable typed with marks
    numbers: set[str]
    expansions: Expansions


@dataclass(frozen=True)
class EntryWords:
    """An entry's normalised phrasings: every plain word, and each phrasing with its words' IDF."""

    words: frozenset[str]
    phrasings: list[tuple[str, list[str], list[float], float]]  # text, words, their IDF, the IDF sum
    marked: frozenset[str]  # the accented features ("a:…") of the syllables its phrasings type with marks


class LexicalIndex:
    """Built once per knowledge-base version from the current entries; read-only afterwards."""

    def __init__(self, entries: list[Entry], normalizer: Normalizer, spellings: Sequence[str] = ()):
        self.questions = InvertedIndex()
        self.answers = InvertedIndex()
        # Each entry's normalised phrasings as one "\n"-joined string: far fewer objects at 50,000 entries.
        self.phrasings: list[str] = []
        # Each entry's syllables typed with marks, space-joined: a set lookup per candidate instead of a
        # bisect of the accent postings per question word (a long question has dozens).
        self.marks: list[str] = []
        # The numbers each entry mentions anywhere (phrasings, answer, source): a question naming another
        # plan, standard or year than the entry's is not about that entry.
        self.numbers: list[frozenset[str]] = []
        # How the base spells each accent-free syllable: embeddings read a question typed without marks
        # much better with them put back.
        self.accents = AccentRestorer()
        vocabulary: set[str] = set()
        for entry in entries:
            feats: list[str] = []
            plains: list[str] = []
            marks: set[str] = set()
            numbers: set[str] = set()
            for text in entry.phrasings:
                analysis = normalizer.analyze(text, repair=False)
                self.accents.add(analysis.tokens)
                feats.extend(word_features(analysis.tokens))
                plains.append(analysis.plain)
                marks.update(t.acc for t in analysis.tokens if t.marked)
                vocabulary.update(t.plain for t in analysis.tokens)
                numbers |= naming_numbers(analysis)
            self.questions.add(feats)
            self.phrasings.append("\n".join(dict.fromkeys(plains)))
            self.marks.append(" ".join(sorted(marks)))
            answer = normalizer.analyze(entry.answer, repair=False)
            self.accents.add(answer.tokens)
            self.answers.add([f"u:{t.plain}" for t in answer.tokens])
            vocabulary.update(t.plain for t in answer.tokens)
            numbers |= naming_numbers(answer) | naming_numbers(normalizer.analyze(entry.source, repair=False))
            self.numbers.append(frozenset(numbers))
        for text in spellings:  # names the base never writes ("ha long" is Hạ Long, not "hà lòng")
            self.accents.add(normalizer.analyze(text, repair=False).tokens)
        self.questions.freeze()
        self.answers.freeze()
        self.accents.freeze()
        self.vocabulary = vocabulary
        self.typos = TypoIndex(vocabulary)
        self._profiles: dict[int, EntryWords] = {}

    # -- retrieval -------------------------------------------------------------------------------
    def query_features(self, analysis: Analysis) -> tuple[list[tuple[str, float]], Expansions]:
        feats = [(f, FEATURE_WEIGHTS[f[0]]) for f in word_features(analysis.tokens)]
        expansions: Expansions = {}
        for word in analysis.unknown:
            similar = self.typos.similar(word)
            expansions[word] = similar
            feats += [(f"u:{w}", TYPO_WEIGHT * s) for w, s in similar]
        limit = max(MAX_DF_RATIO * max(self.questions.size, 1), 3)
        return [(f, w) for f, w in feats if self.questions.doc_freq(f) <= limit], expansions

    def retrieve(self, analysis: Analysis) -> tuple[Retrieved, Expansions]:
        """BM25 scores of the entries the question's features reach, and the typo expansions used."""
        feats, expansions = self.query_features(analysis)
        answer_feats = [
            (f, ANSWER_WEIGHT * w)
            for f, w in feats
            if f.startswith("u:") and self.answers.doc_freq(f) <= MAX_DF_RATIO * self.answers.size
        ]
        plan = [(self.questions, f, w) for f, w in feats] + [(self.answers, f, w) for f, w in answer_feats]
        return self._walk(plan, self.questions.size), expansions

    @staticmethod
    def _walk(plan: list[tuple[InvertedIndex, str, float]], size: int) -> Retrieved:
        """BM25 over both fields: every posting of every feature, summed in C (one bincount), rarest first."""
        plan = sorted(plan, key=lambda p: p[0].doc_freq(p[1]))
        docs, weights = [], []
        for index, feat, weight in plan:
            found = index.weighted_postings(feat, weight)
            if found is not None:
                docs.append(found[0])
                weights.append(found[1])
        if not docs:
            return Retrieved(np.zeros(size, dtype=np.float64), np.zeros(0, dtype=np.intp))
        all_docs = np.concatenate(docs).astype(np.intp)
        # bincount adds in input order, as a loop over the plan would: the same sums, bit for bit.
        scores = np.bincount(all_docs, weights=np.concatenate(weights), minlength=size)
        return Retrieved(np.asarray(scores, dtype=np.float64), all_docs)

    # -- features of one candidate ----------------------------------------------------------------
    def query(self, analysis: Analysis, expansions: Expansions) -> Query:
        """What the features need from one reading of a question, worked out once for all its candidates."""
        words = list(dict.fromkeys(t.plain for t in analysis.tokens))
        return Query(
            words=[(w, self.questions.idf(f"u:{w}")) for w in words],
            word_set=frozenset(words),
            text=analysis.plain,
            marked=[(t.plain, f"a:{t.acc}") for t in analysis.tokens if t.marked],
            numbers=naming_numbers(analysis),
            expansions=expansions,
        )

    def _profile(self, doc: int) -> EntryWords:
        """An entry's phrasing words with their IDF, remembered for the entries questions keep reaching."""
        profile = self._profiles.get(doc)
        if profile is None:
            if len(self._profiles) > PROFILES_KEPT:  # a very large base must not keep them all
                self._profiles.clear()
            phrasings = []
            for phrasing in self.phrasings[doc].split("\n"):
                words = phrasing.split()
                idfs = [self.questions.idf(f"u:{w}") for w in words]
                phrasings.append((phrasing, words, idfs, sum(idfs)))
            every = frozenset(w for _, ws, _, _ in phrasings for w in ws)
            # Interned: the same few thousand syllables recur across entries.
            marked = frozenset(sys.intern(f"a:{syllable}") for syllable in self.marks[doc].split())
            profile = self._profiles[doc] = EntryWords(every, phrasings, marked)
        return profile

    def features(self, doc: int, bm25: float, query: Query) -> dict[str, float]:
        """Bounded features of entry `doc` for this question; `bm25` is already relative to the best."""
        profile = self._profile(doc)
        in_questions = profile.words  # the same as the question index holding "u:word" for this entry
        covered = in_answer = total = 0.0
        for word, weight in query.words:
            total += weight
            if word in in_questions:
                covered += weight
                in_answer += weight
            elif word in query.expansions:
                covered += weight * max((s for w, s in query.expansions[word] if w in in_questions), default=0.0)
            elif self.answers.contains(f"u:{word}", doc):
                covered += 0.5 * weight
                in_answer += weight
        fuzzy = cover_phrasing = 0.0
        query_set = query.word_set
        for phrasing, words, idfs, idf_sum in profile.phrasings:
            fuzzy = max(
                fuzzy,
                (
                    fuzz.ratio(query.text, phrasing, processor=None)
                    + fuzz.token_set_ratio(query.text, phrasing, processor=None)
                )
                / 200,
            )
            hit = sum(compress(idfs, map(query_set.__contains__, words)))  # in order: the same sum as a loop
            cover_phrasing = max(cover_phrasing, fraction(hit, idf_sum))
        marked = profile.marked
        misses = sum(1 for plain, accented in query.marked if plain in in_questions and accented not in marked)
        numbers = query.numbers
        return {
            "fuzzy": fuzzy,
            "cover_query": fraction(covered, total),
            "cover_answer": fraction(in_answer, total),
            "cover_phrasing": cover_phrasing,
            "bm25": bm25,
            "accent_miss": fraction(misses, len(query.marked)),
            "number_miss": fraction(len(numbers - self.numbers[doc]), len(numbers)),
        }
