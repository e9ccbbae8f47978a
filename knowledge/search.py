"""Search: lexical retrieval, rapidfuzz re-scoring, calibrated confidence and the answer/clarify/fallback call."""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from knowledge.courtesy import Courtesy
from knowledge.index import InvertedIndex, TypoIndex, word_features
from knowledge.model import Entry, KnowledgeBase
from knowledge.normalize import Analysis, Normalizer

THRESHOLDS_FILE = Path(__file__).parent / "data" / "thresholds.yaml"
FEATURE_WEIGHTS = {"u": 1.0, "b": 0.6, "a": 0.5}
ANSWER_WEIGHT = 0.3  # answer text counts, but less than the questions people ask
TYPO_WEIGHT = 0.8
MAX_DF_RATIO = 0.3  # terms in more than this share of entries add almost nothing; skip them when scoring
CANDIDATES = 12
# Postings walked per query before the commonest features are only looked up for a candidate pool:
# keeps p99 flat as the knowledge base grows, and changes nothing on a knowledge base of hundreds.
POSTINGS_BUDGET = 20_000
POOL = 200


@dataclass
class Thresholds:
    """The decision rule and confidence weights, fitted on tests/eval and written down in data."""

    answer: float = 0.62
    margin: float = 0.06
    # Second tier: a lower confidence is enough when the runner-up is far behind.
    answer_clear: float = 0.62
    margin_clear: float = 0.06
    clarify: float = 0.42
    weights: dict[str, float] = field(
        default_factory=lambda: {
            "fuzzy": 0.30,
            "cover_query": 0.35,
            "cover_answer": 0.0,
            "cover_phrasing": 0.25,
            "bm25": 0.10,
            "accent_miss": 0.35,
        }
    )

    @classmethod
    def load(cls, path: Path = THRESHOLDS_FILE) -> Thresholds:
        if not path.exists():
            return cls()
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        base = cls()
        return cls(
            answer=float(data.get("answer", base.answer)),
            margin=float(data.get("margin", base.margin)),
            answer_clear=float(data.get("answer_clear", data.get("answer", base.answer_clear))),
            margin_clear=float(data.get("margin_clear", data.get("margin", base.margin_clear))),
            clarify=float(data.get("clarify", base.clarify)),
            weights={**base.weights, **(data.get("weights") or {})},
        )


class AskStatus(StrEnum):
    """What the bot does with a question: answer it, ask back with choices, or say it does not know."""

    ANSWERED = "answered"
    CLARIFY = "clarify"
    FALLBACK = "fallback"


@dataclass
class Candidate:
    entry: Entry
    confidence: float
    features: dict[str, float]


@dataclass
class SearchResult:
    status: AskStatus
    query: str
    analysis: Analysis
    candidates: list[Candidate]

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def confidence(self) -> float:
        return self.candidates[0].confidence if self.candidates else 0.0

    def choices(self, n: int = 3) -> list[Entry]:
        return [c.entry for c in self.candidates[:n]]


def _fraction(hit: float, total: float) -> float:
    return hit / total if total > 0 else 0.0


class SearchEngine:
    """Built once per knowledge-base version; `search` is read-only and safe to call concurrently."""

    def __init__(
        self,
        kb: KnowledgeBase,
        normalizer: Normalizer | None = None,
        thresholds: Thresholds | None = None,
        today: dt.date | None = None,
        courtesy: Courtesy | None = None,
    ):
        self.kb = kb
        self.normalizer = normalizer or Normalizer()
        self.thresholds = thresholds or Thresholds.load()
        self.courtesy = courtesy or Courtesy.load()
        today = today or dt.date.today()
        self.entries = [e for e in kb.entries if e.is_current(today)]
        self.questions = InvertedIndex()
        self.answers = InvertedIndex()
        # Each entry's normalised phrasings as one "\n"-joined string: far fewer objects at 50,000 entries.
        self.phrasings: list[str] = []
        vocabulary: set[str] = set()
        for entry in self.entries:
            feats: list[str] = []
            plains: list[str] = []
            for text in entry.phrasings:
                tokens = self.normalizer.analyze(text, repair=False).tokens
                feats.extend(word_features(tokens))
                plains.append(" ".join(t.plain for t in tokens))
                vocabulary.update(t.plain for t in tokens)
            self.questions.add(feats)
            self.phrasings.append("\n".join(dict.fromkeys(plains)))
            answer_tokens = self.normalizer.analyze(entry.answer, repair=False).tokens
            self.answers.add([f"u:{t.plain}" for t in answer_tokens])
            vocabulary.update(t.plain for t in answer_tokens)
        self.questions.freeze()
        self.answers.freeze()
        self.normalizer.set_vocabulary(vocabulary)
        self.typos = TypoIndex(vocabulary)

    # -- retrieval -------------------------------------------------------------------------------
    def _query_features(self, analysis: Analysis) -> tuple[list[tuple[str, float]], dict[str, list[tuple[str, float]]]]:
        feats = [(f, FEATURE_WEIGHTS[f[0]]) for f in word_features(analysis.tokens)]
        expansions: dict[str, list[tuple[str, float]]] = {}
        for word in analysis.unknown:
            similar = self.typos.similar(word)
            expansions[word] = similar
            feats += [(f"u:{w}", TYPO_WEIGHT * s) for w, s in similar]
        limit = MAX_DF_RATIO * max(self.questions.size, 1)
        feats = [(f, w) for f, w in feats if self.questions.doc_freq(f) <= max(limit, 3)]
        return feats, expansions

    def search(self, text: str) -> SearchResult:
        analysis = self.normalizer.analyze(text, repair=True)
        # A question wrapped in greetings or thanks is answered for its question. Courtesy alone, or a
        # rest that finds nothing, is searched whole, so "cảm ơn" still reaches the small-talk entries.
        content = self.courtesy.content(analysis.tokens)
        if content:
            words = {t.plain for t in content}
            inner = self._search(text, Analysis(content, analysis.unknown & words, analysis.repaired))
            if inner.status is not AskStatus.FALLBACK:
                return inner
        return self._search(text, analysis)

    def _search(self, text: str, analysis: Analysis) -> SearchResult:
        if not analysis.tokens or not self.entries:
            return SearchResult(AskStatus.FALLBACK, text, analysis, [])
        feats, expansions = self._query_features(analysis)
        answer_feats = [
            (f, ANSWER_WEIGHT * w)
            for f, w in feats
            if f.startswith("u:") and self.answers.doc_freq(f) <= MAX_DF_RATIO * self.answers.size
        ]
        scores = self._retrieve(
            [(self.questions, f, w) for f, w in feats] + [(self.answers, f, w) for f, w in answer_feats]
        )
        if not scores:
            return SearchResult(AskStatus.FALLBACK, text, analysis, [])
        top = heapq.nlargest(CANDIDATES, scores.items(), key=lambda kv: kv[1])
        best_bm25 = top[0][1]
        candidates = [self._rescore(doc, bm / best_bm25, analysis, expansions) for doc, bm in top]
        candidates.sort(key=lambda c: -c.confidence)
        return SearchResult(self._decide(candidates), text, analysis, candidates)

    @staticmethod
    def _retrieve(plan: list[tuple[InvertedIndex, str, float]]) -> dict[int, float]:
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

    # -- re-scoring ------------------------------------------------------------------------------
    def _rescore(
        self, doc: int, bm25: float, analysis: Analysis, expansions: dict[str, list[tuple[str, float]]]
    ) -> Candidate:
        query_words = list(dict.fromkeys(t.plain for t in analysis.tokens))
        query_set = set(query_words)
        query_text = " ".join(t.plain for t in analysis.tokens)
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
            cover_phrasing = max(cover_phrasing, _fraction(hit, sum(idfs)))
        marked = [t for t in analysis.tokens if t.marked]
        misses = sum(
            1
            for t in marked
            if self.questions.contains(f"u:{t.plain}", doc) and not self.questions.contains(f"a:{t.acc}", doc)
        )
        features = {
            "fuzzy": fuzzy,
            "cover_query": _fraction(covered, total),
            "cover_answer": _fraction(in_answer, total),
            "cover_phrasing": cover_phrasing,
            "bm25": bm25,
            "accent_miss": _fraction(misses, len(marked)),
        }
        weights = self.thresholds.weights
        confidence = sum(weights[k] * v for k, v in features.items() if k != "accent_miss")
        confidence -= weights["accent_miss"] * features["accent_miss"]
        return Candidate(self.entries[doc], max(0.0, min(1.0, confidence)), features)

    def _decide(self, candidates: list[Candidate]) -> AskStatus:
        t = self.thresholds
        top = candidates[0]
        best = top.confidence
        # The margin is over the best entry that is not one of the top's curated siblings: a sibling
        # is shown as an "ask next" button with the answer, so the user is one tap from it anyway.
        runner_up = next(
            (
                c.confidence
                for c in candidates[1:]
                if c.entry.id not in top.entry.related and top.entry.id not in c.entry.related
            ),
            0.0,
        )
        gap = best - runner_up
        if (best >= t.answer and gap >= t.margin) or (best >= t.answer_clear and gap >= t.margin_clear):
            return AskStatus.ANSWERED
        if best >= t.clarify:
            return AskStatus.CLARIFY
        return AskStatus.FALLBACK
