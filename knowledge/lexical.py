"""The lexical side of search: BM25 over syllable unigrams and bigrams, typo expansion, and the rapidfuzz and
coverage features of one candidate entry."""

from __future__ import annotations

import heapq
import re

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
# Postings walked per query before the commonest features are only looked up for a candidate pool:
# keeps p99 flat as the knowledge base grows, and changes nothing on a knowledge base of hundreds.
POSTINGS_BUDGET = 20_000
POOL = 200
# Numbers that name something (plan 273, ISO 9001, year 2024); single digits ("3 sao", "5S") do not.
_NAMING_NUMBER = re.compile(r"^\d{2,}$")
Expansions = dict[str, list[tuple[str, float]]]


def fraction(hit: float, total: float) -> float:
    return hit / total if total > 0 else 0.0


def naming_numbers(analysis: Analysis) -> set[str]:
    return {t.plain for t in analysis.tokens if _NAMING_NUMBER.match(t.plain)}


class LexicalIndex:
    """Built once per knowledge-base version from the current entries; read-only afterwards."""

    def __init__(self, entries: list[Entry], normalizer: Normalizer):
        self.questions = InvertedIndex()
        self.answers = InvertedIndex()
        # Each entry's normalised phrasings as one "\n"-joined string: far fewer objects at 50,000 entries.
        self.phrasings: list[str] = []
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
            numbers: set[str] = set()
            for text in entry.phrasings:
                analysis = normalizer.analyze(text, repair=False)
                self.accents.add(analysis.tokens)
                feats.extend(word_features(analysis.tokens))
                plains.append(analysis.plain)
                vocabulary.update(t.plain for t in analysis.tokens)
                numbers |= naming_numbers(analysis)
            self.questions.add(feats)
            self.phrasings.append("\n".join(dict.fromkeys(plains)))
            answer = normalizer.analyze(entry.answer, repair=False)
            self.accents.add(answer.tokens)
            self.answers.add([f"u:{t.plain}" for t in answer.tokens])
            vocabulary.update(t.plain for t in answer.tokens)
            numbers |= naming_numbers(answer) | naming_numbers(normalizer.analyze(entry.source, repair=False))
            self.numbers.append(frozenset(numbers))
        self.questions.freeze()
        self.answers.freeze()
        self.accents.freeze()
        self.vocabulary = vocabulary
        self.typos = TypoIndex(vocabulary)

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

    def retrieve(self, analysis: Analysis) -> tuple[dict[int, float], Expansions]:
        """BM25 scores of the entries the question's features reach, and the typo expansions used."""
        feats, expansions = self.query_features(analysis)
        answer_feats = [
            (f, ANSWER_WEIGHT * w)
            for f, w in feats
            if f.startswith("u:") and self.answers.doc_freq(f) <= MAX_DF_RATIO * self.answers.size
        ]
        plan = [(self.questions, f, w) for f, w in feats] + [(self.answers, f, w) for f, w in answer_feats]
        return self._walk(plan), expansions

    @staticmethod
    def _walk(plan: list[tuple[InvertedIndex, str, float]]) -> dict[int, float]:
        """BM25 over both fields, rarest features first; past the budget, common ones only for a pool."""
        plan = sorted(plan, key=lambda p: p[0].doc_freq(p[1]))
        scores: dict[int, float] = {}
        deferred = []
        walked = 0
        for index, feat, weight in plan:
            df = index.doc_freq(feat)
            if df == 0:
                continue
            if walked + df > POSTINGS_BUDGET and scores:
                deferred.append((index, feat, weight))
                continue
            index.score([(feat, weight)], scores)
            walked += df
        if deferred:
            scores = dict(heapq.nlargest(POOL, scores.items(), key=lambda kv: kv[1]))
            for doc in scores:
                scores[doc] += sum(w * index.impact(f, doc) for index, f, w in deferred)
        return scores

    # -- features of one candidate ----------------------------------------------------------------
    def features(self, doc: int, bm25: float, analysis: Analysis, expansions: Expansions) -> dict[str, float]:
        """Bounded features of entry `doc` for this question; `bm25` is already relative to the best."""
        query_words = list(dict.fromkeys(t.plain for t in analysis.tokens))
        query_set = set(query_words)
        query_text = analysis.plain
        covered = in_answer = total = 0.0
        for word in query_words:
            weight = self.questions.idf(f"u:{word}")
            total += weight
            if self.questions.contains(f"u:{word}", doc):
                covered += weight
                in_answer += weight
            elif word in expansions:
                covered += weight * max(
                    (s for w, s in expansions[word] if self.questions.contains(f"u:{w}", doc)), default=0.0
                )
            elif self.answers.contains(f"u:{word}", doc):
                covered += 0.5 * weight
                in_answer += weight
        fuzzy = cover_phrasing = 0.0
        for phrasing in self.phrasings[doc].split("\n"):
            fuzzy = max(
                fuzzy,
                (
                    fuzz.ratio(query_text, phrasing, processor=None)
                    + fuzz.token_set_ratio(query_text, phrasing, processor=None)
                )
                / 200,
            )
            words = phrasing.split()
            idfs = [self.questions.idf(f"u:{w}") for w in words]
            hit = sum(wt for w, wt in zip(words, idfs) if w in query_set)
            cover_phrasing = max(cover_phrasing, fraction(hit, sum(idfs)))
        marked = [t for t in analysis.tokens if t.marked]
        misses = sum(
            1
            for t in marked
            if self.questions.contains(f"u:{t.plain}", doc) and not self.questions.contains(f"a:{t.acc}", doc)
        )
        numbers = naming_numbers(analysis)
        return {
            "fuzzy": fuzzy,
            "cover_query": fraction(covered, total),
            "cover_answer": fraction(in_answer, total),
            "cover_phrasing": cover_phrasing,
            "bm25": bm25,
            "accent_miss": fraction(misses, len(marked)),
            "number_miss": fraction(len(numbers - self.numbers[doc]), len(numbers)),
        }
