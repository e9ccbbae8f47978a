"""Search: lexical and embedding retrieval, a learned confidence, and the answer/clarify/fallback call.

A question is normalised (knowledge/normalize.py), looked at whole, without its courtesy, and — when it
is long — for the part that asks (knowledge/extract.py). Each view gathers candidates from BM25
(knowledge/lexical.py) and from sentence embeddings (knowledge/semantic.py); every candidate gets bounded
features, and a logistic model (knowledge/confidence.py, fitted on the dev part of tests/eval) turns them
into the probability that it is the right entry. Without a fitted model or an embedder the engine falls
back to the hand-weighted lexical confidence of earlier versions.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from knowledge.answer_parts import split_answer
from knowledge.communes import load_communes
from knowledge.confidence import AskStatus, ConfidenceModel
from knowledge.courtesy import Courtesy
from knowledge.embeddings import Embedder, VectorCache, Vectors
from knowledge.english import EnglishGlossary
from knowledge.extract import question_part
from knowledge.lexical import Expansions, LexicalIndex, Query, Retrieved, fraction
from knowledge.model import Entry, KnowledgeBase
from knowledge.normalize import Analysis, Normalizer
from knowledge.semantic import SemanticIndex

THRESHOLDS_FILE = Path(__file__).parent / "data" / "thresholds.yaml"
CANDIDATES = 12  # from each retriever
RANK_CAP = 12  # ranks at or past this count as "not among the candidates"
SAME_CHOICE = 90  # token_set_ratio between two entries' questions above which they are one choice


@dataclass
class Thresholds:
    """The hand-weighted lexical confidence and its decision rule (the engine without a fitted model)."""

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

    def lexical(self, features: dict[str, float]) -> float:
        weights = self.weights
        score = sum(weights.get(k, 0.0) * v for k, v in features.items() if k in weights and k != "accent_miss")
        return max(0.0, min(1.0, score - weights["accent_miss"] * features.get("accent_miss", 0.0)))


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
    part: bool = False  # read from the asking part of a long message, not the whole of it

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def confidence(self) -> float:
        return self.candidates[0].confidence if self.candidates else 0.0

    def choices(self, n: int = 3) -> list[Entry]:
        """Up to n candidates that are different things: two phrasings of one question are one choice."""
        return distinct_questions((c.entry for c in self.candidates), n)


def distinct_questions(entries: Iterable[Entry], n: int) -> list[Entry]:
    """The first n entries, in order, whose questions differ: two phrasings of one question are one choice
    (the bot's choices, and what bench/fit_confidence.py scores them by)."""
    chosen: list[Entry] = []
    for entry in entries:
        question = entry.question.lower()
        if all(fuzz.token_set_ratio(question, c.question.lower()) < SAME_CHOICE for c in chosen):
            chosen.append(entry)
        if len(chosen) == n:
            break
    return chosen


def answer_passage(answer: str) -> str:
    """What an answer says, for the embedding: its short part and detail, without the contact block."""
    parts = split_answer(answer)
    return f"{parts.short}\n{parts.detail}".strip()


def _siblings(a: Entry, b: Entry) -> bool:
    return a.id in b.related or b.id in a.related


@dataclass(frozen=True)
class View:
    """One way of reading a message: its text for the embedding, its tokens, and whether it is only the
    asking part of a long message."""

    text: str
    analysis: Analysis
    part: bool = False


# e5's time grows with the words it reads (12 words 22 ms, 62 words 67 ms here), and a long message is embedded
# whole and for its asking part. People put the question last, and the lexical side still reads every word, so
# the embedding reads the last 24. Chosen on dev out of fold (mean of fold seeds 1/2/3, the shipped answer model):
# answered right 35.9% whole, 38.1% at 24 words, 35.7% at 32, 34.9% at 20 (seed 20261130), 31.3% at 16 (best
# reachable at 1.5% wrong); top-1 81.7% whole against 81.5% at 24.
EMBEDDED_WORDS = 24

# Without the learned confidence, a message whose courtesy-free rest finds nothing is searched whole again, so
# that "tks ad nhiu nha" still reaches the thanks entry. On the 1,361 dev questions (lexical engine) the whole
# message found something only for rests of two words (2 questions); for the 188 rests of five words or
# more it never did, and searching them again was half of a long message's time.
WHOLE_AGAIN_BELOW = 5


class SearchEngine:
    """Built once per knowledge-base version; `search` is read-only and safe to call concurrently."""

    def __init__(
        self,
        kb: KnowledgeBase,
        normalizer: Normalizer | None = None,
        thresholds: Thresholds | None = None,
        today: dt.date | None = None,
        courtesy: Courtesy | None = None,
        embedder: Embedder | None = None,
        vectors: VectorCache | None = None,
        model: ConfidenceModel | None = None,
        english: EnglishGlossary | None = None,
    ):
        self.kb = kb
        self.english = english or EnglishGlossary.load()
        self.normalizer = normalizer or Normalizer()
        self.thresholds = thresholds or Thresholds.load()
        self.courtesy = courtesy or Courtesy.load()
        today = today or dt.date.today()
        self.entries = [e for e in kb.entries if e.is_current(today)]
        self.lexical = LexicalIndex(self.entries, self.normalizer, load_communes().names())
        self.normalizer.set_vocabulary(self.lexical.vocabulary)
        model = model if model is not None else ConfidenceModel.load()
        self.semantic: SemanticIndex | None = None
        if embedder is not None:
            cache = vectors if vectors is not None else VectorCache(None, embedder.name, embedder.dim)
            answers = [answer_passage(e.answer) for e in self.entries]
            phrasings = [e.phrasings for e in self.entries]
            self.semantic = SemanticIndex(embedder, cache, phrasings, answers, model.adapter)
        # The learned confidence needs both signals it was fitted on; without it, candidates still get
        # every feature (bench/fit_confidence.py fits on them) and the lexical confidence decides.
        self.model = model if model.ready and self.semantic is not None else None

    @property
    def heavy(self) -> bool:
        """True when a search embeds the question (tens of milliseconds): callers run it off their loop."""
        return self.semantic is not None

    # -- the whole question -----------------------------------------------------------------------
    def views(self, text: str) -> list[View]:
        """The ways of reading one message: without its courtesy, the part that asks (long messages), whole.
        The whole message is always the last view."""
        # An English message is read in Vietnamese words; the result still quotes what the user wrote.
        read = self.english.to_vietnamese(text) or text
        analysis = self.normalizer.analyze(read, repair=True)
        views: list[View] = []
        # A question wrapped in greetings or thanks is answered for its question. Courtesy alone, or a
        # rest that finds nothing, is searched whole, so "cảm ơn" still reaches the small-talk entries.
        content = self.courtesy.content(analysis.tokens)
        if content:
            words = {t.plain for t in content}
            views.append(View(text, Analysis(content, analysis.unknown & words, analysis.repaired)))
        asking = question_part(read) if self.semantic is not None else None
        if asking is not None:
            inner = self.normalizer.analyze(asking, repair=True)
            inner_content = self.courtesy.content(inner.tokens)
            if inner_content:
                inner = Analysis(inner_content, inner.unknown & {t.plain for t in inner_content}, inner.repaired)
            views.append(View(asking, inner, part=True))
        views.append(View(text, analysis))
        return views

    def search(self, text: str) -> SearchResult:
        views = self.views(text)
        if self.model is None:
            # Without the learned confidence, scores of different views do not compare: the first view
            # that finds something wins, as in earlier versions.
            rest = views[0] if len(views) > 1 and not views[0].part else None
            for view in views:
                if view is views[-1] and rest is not None and len(rest.analysis.tokens) >= WHOLE_AGAIN_BELOW:
                    break  # a long rest that found nothing: its courtesy words will not find it either
                result = self.search_view(view)
                if result.status is not AskStatus.FALLBACK:
                    return result
            return result
        # Views that embed the same words (the whole message and its courtesy-free reading) share cosines, and
        # the different ones (a long message's asking part) are embedded together, in one call.
        cosines: dict[str, tuple[Vectors, Vectors]] = {}
        if self.semantic is not None:
            vectors = self.semantic.embed_all([self.embedding_text(view) for view in views if view.analysis.tokens])
            cosines = {words: self.semantic.scores(vector) for words, vector in vectors.items()}
        results = [self.search_view(view, cosines) for view in views]
        return max(results, key=lambda r: r.confidence)  # the first of equals: views are in order of preference

    # -- one view of it ---------------------------------------------------------------------------
    def search_view(self, view: View, cosines: dict[str, tuple[Vectors, Vectors]] | None = None) -> SearchResult:
        text, analysis = view.text, view.analysis
        if not analysis.tokens or not self.entries:
            return SearchResult(AskStatus.FALLBACK, text, analysis, [])
        scores, expansions = self.lexical.retrieve(analysis)
        lexical_top = scores.top(CANDIDATES)
        if self.semantic is None:
            if not lexical_top:
                return SearchResult(AskStatus.FALLBACK, text, analysis, [])
            best_bm25 = lexical_top[0][1]
            query = self.lexical.query(analysis, expansions)
            candidates = [self._lexical_candidate(doc, bm / best_bm25, query) for doc, bm in lexical_top]
            candidates.sort(key=lambda c: -c.confidence)
            return SearchResult(self._decide(candidates), text, analysis, candidates)
        return self._hybrid(view, scores, lexical_top, expansions, {} if cosines is None else cosines)

    def _lexical_candidate(self, doc: int, bm25: float, query: Query) -> Candidate:
        features = self.lexical.features(doc, bm25, query)
        return Candidate(self.entries[doc], self.thresholds.lexical(features), features)

    def _hybrid(
        self,
        view: View,
        scores: Retrieved,
        lexical_top: list[tuple[int, float]],
        expansions: Expansions,
        known_cosines: dict[str, tuple[Vectors, Vectors]],
    ) -> SearchResult:
        assert self.semantic is not None
        text, analysis = view.text, view.analysis
        words = self.embedding_text(view)
        known = known_cosines.get(words)
        if known is None:
            known = known_cosines[words] = self.semantic.scores(self.semantic.embed(words))
        cosines, answer_cosines = known
        semantic_top = SemanticIndex.top(cosines, CANDIDATES)
        best_bm25 = lexical_top[0][1] if lexical_top else 1.0
        lexical_rank = {doc: rank for rank, (doc, _) in enumerate(lexical_top)}
        semantic_rank = {doc: rank for rank, doc in enumerate(semantic_top)}
        best_cosine = float(cosines[semantic_top[0]]) if semantic_top else 0.0
        best_answer_cosine = float(answer_cosines.max()) if len(answer_cosines) else 0.0
        docs = list(dict.fromkeys([doc for doc, _ in lexical_top] + semantic_top))
        lexical_scores: dict[int, float] = {}
        candidates = []
        query = self.lexical.query(analysis, expansions)
        for doc in docs:
            features = self.lexical.features(doc, scores.get(doc) / best_bm25, query)
            lexical_scores[doc] = self.thresholds.lexical(features)
            features["cosine"] = float(cosines[doc])
            features["cosine_gap"] = best_cosine - float(cosines[doc])
            features["answer_cosine"] = float(answer_cosines[doc])
            features["answer_cosine_gap"] = best_answer_cosine - float(answer_cosines[doc])
            features["cosine_rank"] = min(semantic_rank.get(doc, RANK_CAP), RANK_CAP) / RANK_CAP
            features["lexical_rank"] = min(lexical_rank.get(doc, RANK_CAP), RANK_CAP) / RANK_CAP
            features["query_words"] = math.log1p(len(analysis.tokens))
            features["unknown_share"] = fraction(len(analysis.unknown), len(analysis.tokens))
            candidates.append((doc, features))
        best_lexical = max(lexical_scores.values(), default=0.0)
        ranked = []
        for doc, features in candidates:
            features["lexical"] = lexical_scores[doc]
            features["lexical_gap"] = best_lexical - lexical_scores[doc]
            confidence = self.model.probability(features) if self.model is not None else lexical_scores[doc]
            ranked.append(Candidate(self.entries[doc], confidence, features))
        ranked.sort(key=lambda c: -c.confidence)
        return SearchResult(self._decide(ranked, view.part), text, analysis, ranked, view.part)

    def embedding_text(self, view: View) -> str:
        """What the embedding reads: the words with shorthand spelt out, tone marks put back, and — for the
        whole message as for its courtesy-free reading — courtesy left out, so one vector serves both; of a long
        message, its last words only (EMBEDDED_WORDS)."""
        tokens = self.courtesy.content(view.analysis.tokens) or view.analysis.tokens
        return self.lexical.accents.restore(tokens[-EMBEDDED_WORDS:])

    def without(self, result: SearchResult, entry_id: str) -> SearchResult:
        """The same result with one entry taken out of the running, decided again."""
        rest = [c for c in result.candidates if c.entry.id != entry_id]
        return SearchResult(self._decide(rest, result.part), result.query, result.analysis, rest, result.part)

    # -- the decision -----------------------------------------------------------------------------
    def confident(self, result: SearchResult) -> bool:
        """Answered, or — with the learned confidence — a top that clears the two bars (its probability and
        its lead) that the answer model replaced: enough for one side of a two-part message, which the whole
        message must also point to (knowledge/two_facts.py)."""
        if result.status is AskStatus.ANSWERED:
            return True
        if self.model is None or result.best is None:
            return False
        return self.model.decision.clears_bars(result.best.confidence, self.runner_up(result.candidates))

    def offered(self, result: SearchResult, n: int = 3) -> list[Entry]:
        """The choices a reply shows without an answer: a question back's, or a fallback's closest questions."""
        return result.choices(n) if result.status is AskStatus.CLARIFY else self.leads(result, n)

    def leads(self, result: SearchResult, n: int = 3) -> list[Entry]:
        """What a fallback still offers: its closest different questions, when the learned confidence puts
        the top where dev questions that fell back mostly had their entry among them (bench/fit_confidence.py)."""
        if result.status is not AskStatus.FALLBACK or self.model is None or result.best is None:
            return []
        # The entries about the assistant stay among them: left out, 80.4% of the in-scope fallbacks on dev
        # had their entry offered instead of 84.4%, and out-of-scope questions were offered choices as often.
        return result.choices(n) if self.model.decision.offers_choices(result.best.confidence) else []

    @staticmethod
    def runner_up(candidates: list[Candidate]) -> float:
        """The best confidence among entries that are not the top's curated siblings: a sibling is shown as
        an "ask next" button with the answer, so the user is one tap from it anyway."""
        top = candidates[0].entry
        return next((c.confidence for c in candidates[1:] if not _siblings(top, c.entry)), 0.0)

    def _decide(self, candidates: list[Candidate], part: bool = False) -> AskStatus:
        """The learned rule when the model is in use, the earlier lexical rule otherwise."""
        if not candidates:
            return AskStatus.FALLBACK
        if self.model is not None:
            top = candidates[0]
            return self.model.decision.status(top.confidence, self.runner_up(candidates), top.features, part)
        t = self.thresholds
        best = candidates[0].confidence
        gap = best - self.runner_up(candidates)
        if (best >= t.answer and gap >= t.margin) or (best >= t.answer_clear and gap >= t.margin_clear):
            return AskStatus.ANSWERED
        if best >= t.clarify:
            return AskStatus.CLARIFY
        return AskStatus.FALLBACK
