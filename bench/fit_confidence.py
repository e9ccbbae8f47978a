"""Fit the learned confidence (knowledge/confidence.py) and its thresholds on the *dev* part of tests/eval.

Run:  python bench/fit_confidence.py [--write] [--folds 5]

Training rows are candidates (from BM25 and from embeddings, for every way of reading a question) with a
label: is this the right entry. They come from
- the knowledge base itself: each entry's alternates split in two halves; an engine built on one half is
  asked the other half's phrasings (so a phrasing never finds itself), and the other way round;
- every dev question (tests/eval/dev.yaml and dev_blind*.yaml).
Thresholds are chosen on out-of-fold probabilities of the dev questions (k-fold by question), so they are
not fitted on the same rows that set the weights: at most 1.5% of answered replies wrong (an out-of-scope
question answered counts as wrong), then as many right answers as possible; the clarify bar keeps at
least 95% of out-of-scope questions falling back. Whether to answer is a second, small logistic model (the
answer model) over the top candidate's out-of-fold probability, its lead, the question's length and whether
a long message's asking part decided; its own probabilities are out of fold again (fitted on the other
folds' outcomes) when its bar is chosen. The two bars of earlier versions are printed beside it. A fallback
still offers its closest questions above a last bar: the lowest at which at least half of the dev fallbacks
offering them (out of fold) have a right entry among the first three.
With --adapter, question vectors are read through a learned correction (knowledge/adapter.py), fitted here
too: every phrasing and dev question is dealt into k folds and read through an adapter fitted without its fold
(stacking), and the one fitted on all ships with --write. With --labels either, a dev answer is right when the
first labeller or the second (tests/eval/dev_second_labels.yaml) says so.
The test part (tests/eval/test.yaml) is never read.
"""

from __future__ import annotations

import argparse
import dataclasses
import pickle
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.evaluation import CACHE_DIR, EvalItem, load_either, load_part
from knowledge.adapter import Phrasings, QueryAdapter, Training, fit_adapter
from knowledge.confidence import (
    ANSWER_FEATURES,
    MODEL_FEATURES,
    NEVER,
    ConfidenceModel,
    Decision,
    LogisticModel,
    answer_inputs,
    model_inputs,
)
from knowledge.embeddings import E5Embedder, VectorCache, Vectors
from knowledge.loader import load_directory
from knowledge.model import KnowledgeBase
from knowledge.search import SearchEngine, distinct_questions

MAX_WRONG = 0.015
MIN_OOS_FALLBACK = 0.95
# A fallback offers its closest questions from the lowest bar (on this grid) at which at least half of the dev
# fallbacks offering them have a right entry among the first three (out-of-scope ones never do).
SUGGEST_GRID = [round(0.05 * i, 2) for i in range(1, 20)]
MIN_USEFUL_LEADS = 0.5
STACK_SEED = 20261201  # how phrasings and dev questions are dealt into the adapter's folds
ALTERNATE_WEIGHT = 0.5  # the knowledge base's own phrasings are cleaner than what people type


@dataclass
class Query:
    """One question: for every view, its candidates' features (and whether it is a long message's asking
    part), and the right entries."""

    expected: frozenset[str]
    views: list[tuple[bool, list[tuple[str, dict[str, float], frozenset[str]]]]]
    weight: float = 1.0


def collect(engine: SearchEngine, text: str, expected: frozenset[str], weight: float = 1.0) -> Query:
    views = []
    for view in engine.views(text):
        result = engine.search_view(view)
        views.append((view.part, [(c.entry.id, c.features, frozenset(c.entry.related)) for c in result.candidates]))
    return Query(expected, views, weight)


def halves(kb: KnowledgeBase, keep: int) -> KnowledgeBase:
    entries = [dataclasses.replace(e, alternates=e.alternates[keep::2]) for e in kb.entries]
    return dataclasses.replace(kb, entries=entries)


class RememberingEmbedder:
    """The e5 embedder with every question's vector kept: the adapter learns from them, then each fold's
    engines read them again."""

    def __init__(self, embedder: E5Embedder):
        self.inner, self.name, self.dim = embedder, embedder.name, embedder.dim
        self.known: dict[str, Vectors] = {}

    def embed(self, texts: list[str]) -> Vectors:
        missing = [t for t in dict.fromkeys(texts) if t not in self.known]
        if missing:
            self.known.update(zip(missing, self.inner.embed(missing)))
        return np.array([self.known[t] for t in texts], dtype=np.float32).reshape(len(texts), self.dim)

    def embed_passages(self, texts: list[str]) -> Vectors:
        return self.inner.embed_passages(texts)


@dataclass
class Asked:
    """One training question before its features are read: its text, right entries, fold, and — for a
    phrasing of the base — the half of the base it is asked against and its own row among the phrasings."""

    text: str
    expected: frozenset[str]
    fold: int
    keep: int | None = None  # None: a dev question, asked against the whole base
    row: int = -1


def asked_questions(kb: KnowledgeBase, engine: SearchEngine, dev: list[EvalItem], k: int) -> list[Asked]:
    """Every phrasing (asked against the half of the base without it) and every dev question, dealt into k
    folds: each one's features are read through an adapter fitted without its fold (stacking), so the candidate
    model learns how far to trust cosines the adapter has not seen."""
    rng = random.Random(STACK_SEED)
    position = {entry.id: i for i, entry in enumerate(engine.entries)}
    assert engine.semantic is not None
    starts = engine.semantic.starts
    asked = []
    for entry in kb.entries:
        for index, text in enumerate(entry.alternates):
            row = int(starts[position[entry.id]]) + 1 + index if entry.id in position else -1
            asked.append(Asked(text, frozenset({entry.id}), rng.randrange(k), 1 - index % 2, row))
    asked += [Asked(item.question, item.expected, rng.randrange(k)) for item in dev]
    return asked


def adapter_training(asked: list[Asked], engine: SearchEngine) -> tuple[Training, npt.NDArray[np.int64]]:
    """The adapter's rows, and each row's fold: each phrasing against every other row, and each reading of each
    dev question (an out-of-scope one towards "none of them")."""
    assert engine.semantic is not None
    position = {entry.id: i for i, entry in enumerate(engine.entries)}
    vectors, right, own, folds_of_rows = [], [], [], []
    for question in asked:
        targets = [position[i] for i in question.expected if i in position]
        if question.expected and not targets:
            continue  # its entry is not current
        if question.keep is not None:
            texts = [question.text]
        else:
            texts = [engine.embedding_text(view) for view in engine.views(question.text) if view.analysis.tokens]
        for vector in engine.semantic.embedder.embed(texts):
            mask = np.zeros(len(engine.entries), dtype=bool)
            mask[targets] = True
            vectors.append(vector)
            right.append(mask)
            own.append(question.row if question.keep is not None else -1)
            folds_of_rows.append(question.fold)
    training = Training(np.array(vectors, dtype=np.float32), np.array(right), np.array(own, dtype=np.int64))
    return training, np.array(folds_of_rows, dtype=np.int64)


def subset(training: Training, keep: npt.NDArray[np.bool_]) -> Training:
    return Training(training.questions[keep], training.right[keep], training.own_row[keep])


def training_queries(
    kb: KnowledgeBase, make_engine, dev: list[EvalItem], k: int, adapt: bool
) -> tuple[list[Query], list[Query], QueryAdapter | None]:
    """Features for every phrasing and dev question — with `adapt`, each read through an adapter fitted on the
    other folds — and the adapter fitted on all of them (None without `adapt`)."""
    full = make_engine(kb, None)
    asked = asked_questions(kb, full, dev, k)
    assert full.semantic is not None
    phrasings = Phrasings(full.semantic.matrix, full.semantic.starts)
    name = full.semantic.embedder.name
    training, folds_of_rows = adapter_training(asked, full) if adapt else (None, None)
    adapter: QueryAdapter | None = None
    queries: list[Query | None] = [None] * len(asked)
    engines: dict[int | None, SearchEngine] = {}
    for fold in range(k):
        if training is not None and folds_of_rows is not None:
            adapter = fit_adapter(name, subset(training, folds_of_rows != fold), phrasings)
            engines = {}
        if not engines:  # without the adapter, one set of engines serves every fold
            whole = full if adapter is None else make_engine(kb, adapter)  # `full` reads e5's cosines as they are
            engines = {None: whole, 0: make_engine(halves(kb, 0), adapter)}
            engines[1] = make_engine(halves(kb, 1), adapter)
        for i, question in enumerate(asked):
            if question.fold == fold:
                weight = 1.0 if question.keep is None else ALTERNATE_WEIGHT
                queries[i] = collect(engines[question.keep], question.text, question.expected, weight)
    final = fit_adapter(name, training, phrasings) if training is not None else None
    alternates = [q for q, a in zip(queries, asked) if q is not None and a.keep is not None]
    dev_queries = [q for q, a in zip(queries, asked) if q is not None and a.keep is None]
    assert len(alternates) + len(dev_queries) == len(asked), "every question belongs to one fold"
    return alternates, dev_queries, final


def candidate_rows(queries: list[Query]) -> tuple[list[dict[str, float]], list[int], list[float]]:
    rows, labels, weights = [], [], []
    for query in queries:
        for _part, candidates in query.views:
            for entry_id, features, _related in candidates:
                rows.append(model_inputs(features))
                labels.append(int(entry_id in query.expected))
                weights.append(query.weight)
    return rows, labels, weights


def fit_candidates(queries: list[Query], l2: float) -> LogisticModel:
    return LogisticModel.fit(MODEL_FEATURES, *candidate_rows(queries), l2=l2)


@dataclass
class Outcome:
    expected: frozenset[str]
    ranked: list[str]
    top: float
    runner_up: float
    top_features: dict[str, float] = field(default_factory=dict)
    part: bool = False

    @property
    def right(self) -> bool:
        return bool(self.ranked) and self.ranked[0] in self.expected

    def answer_inputs(self) -> dict[str, float]:
        return answer_inputs(self.top, self.runner_up, self.top_features, self.part)


def best_view(fitted: LogisticModel, query: Query) -> Outcome:
    """What the engine decides from: the view whose top candidate the model trusts most."""
    model = ConfidenceModel(fitted)  # as the engine applies it (numbers the entry lacks count against it)
    best: Outcome | None = None
    for part, candidates in query.views:
        ranked = sorted(((model.probability(f), eid, rel, f) for eid, f, rel in candidates), key=lambda r: -r[0])
        if not ranked:
            continue
        top_p, top_id, top_rel, top_features = ranked[0]
        runner = next((p for p, eid, rel, _ in ranked[1:] if eid not in top_rel and top_id not in rel), 0.0)
        if best is None or top_p > best.top:
            ids = [eid for _, eid, _, _ in ranked]
            best = Outcome(query.expected, ids, top_p, runner, top_features, part)
    return best or Outcome(query.expected, [], 0.0, 0.0)


def outcome(s: Outcome, rule: Decision) -> str:
    return rule.status(s.top, s.runner_up, s.top_features, s.part)  # the engine's own rule


def fit_answer_model(scored: list[Outcome], l2: float) -> LogisticModel:
    """The answer model: is the top candidate right, from the top's confidence, lead, length and reading."""
    rows = [s for s in scored if s.ranked]
    return LogisticModel.fit(ANSWER_FEATURES, [s.answer_inputs() for s in rows], [int(s.right) for s in rows], l2=l2)


def choose_with_model(
    scored: list[Outcome], fold_sets: list[set[int]], l2: float, bars: Decision
) -> tuple[Decision, list[str]]:
    """The answer model's bar and the clarify bar, chosen on answer probabilities that are themselves out of
    fold (each question's from a model fitted on the other folds' outcomes); the rule keeps the model fitted
    on all of them, and `bars` (the two bars, which say whether one side of a two-part message stands). The
    statuses are those of the out-of-fold probabilities."""
    chance = [0.0] * len(scored)
    for held in fold_sets:
        fitted = fit_answer_model([s for i, s in enumerate(scored) if i not in held], l2)
        for i in held:
            chance[i] = fitted.probability(scored[i].answer_inputs()) if scored[i].ranked else 0.0
    best: tuple[int, float] | None = None
    for bar in [round(1 - 0.005 * i, 3) for i in range(200)]:
        answered = [s for s, p in zip(scored, chance) if p >= bar]
        right = sum(1 for s in answered if s.right)
        if answered and (len(answered) - right) / len(answered) <= MAX_WRONG and (best is None or right > best[0]):
            best = (right, bar)
    assert best is not None, "no bar keeps wrong answers under the limit"
    bar = best[1]
    out_scope = [(s, p) for s, p in zip(scored, chance) if not s.expected]
    clarify = 0.01
    for clarify in [round(0.01 * i, 2) for i in range(1, 100)]:
        falling = sum(1 for s, p in out_scope if p < bar and s.top < clarify)
        if not out_scope or falling / len(out_scope) >= MIN_OOS_FALLBACK:
            break
    statuses = [
        "answered" if p >= bar else "clarify" if s.top >= clarify else "fallback" for s, p in zip(scored, chance)
    ]
    return Decision(bars.answer, bars.margin, clarify, fit_answer_model(scored, l2), bar), statuses


def choose_suggest(scored: list[Outcome], statuses: list[str], kb: KnowledgeBase) -> tuple[float, dict[str, float]]:
    """The bar from which a fallback offers its closest questions, and what that gives on dev (out of fold).
    A fallback's choices are scored as the bot shows them: its first three *different* questions."""
    fallbacks = [s for s, st in zip(scored, statuses) if st == "fallback"]

    def shown(s: Outcome) -> set[str]:
        ranked = (entry for entry in map(kb.get, s.ranked) if entry is not None)
        return {entry.id for entry in distinct_questions(ranked, 3)}

    for bar in SUGGEST_GRID:
        offered = [s for s in fallbacks if s.ranked and s.top >= bar]
        useful = sum(1 for s in offered if shown(s) & s.expected)
        if offered and useful / len(offered) >= MIN_USEFUL_LEADS:
            in_scope = [s for s in fallbacks if s.expected]
            out_scope = [s for s in fallbacks if not s.expected]
            return bar, {
                "fallbacks": len(fallbacks),
                "offering": len(offered),
                "with_a_right_one": round(100 * useful / len(offered), 1),
                "in_scope_fallbacks_helped": round(100 * useful / len(in_scope), 1) if in_scope else 0.0,
                "out_of_scope_offered": round(100 * sum(1 for s in offered if not s.expected) / len(out_scope), 1)
                if out_scope
                else 0.0,
            }
    return NEVER, {}


def choose(scored: list[Outcome]) -> tuple[Decision, dict[str, float]]:
    """The two bars of earlier versions (top probability and its lead), for comparison."""
    best: tuple[int, Decision] | None = None
    for answer in [round(0.30 + 0.01 * i, 2) for i in range(70)]:
        for margin in (0.0, 0.02, 0.05, 0.08, 0.12, 0.16, 0.2, 0.25, 0.3):
            candidate = Decision(answer, margin, answer)
            answered = [s for s in scored if outcome(s, candidate) == "answered"]
            right = sum(1 for s in answered if s.ranked and s.ranked[0] in s.expected)
            wrong_share = (len(answered) - right) / len(answered) if answered else 1.0
            if wrong_share <= MAX_WRONG and (best is None or right > best[0]):
                best = (right, candidate)
    assert best is not None, "no threshold keeps wrong answers under the bar"
    rule = best[1]
    out_scope = [s for s in scored if not s.expected]
    for clarify in [round(0.01 * i, 2) for i in range(1, 100)]:
        rule = Decision(rule.answer, rule.margin, min(clarify, rule.answer))
        falling = sum(1 for s in out_scope if outcome(s, rule) == "fallback")
        if not out_scope or falling / len(out_scope) >= MIN_OOS_FALLBACK:
            break
    return rule, figures(scored, rule)


def figures(scored: list[Outcome], rule: Decision) -> dict[str, float]:
    return tally(scored, [outcome(s, rule) for s in scored])


def tally(scored: list[Outcome], statuses: list[str]) -> dict[str, float]:
    in_scope = [s for s in scored if s.expected]
    out_scope = [(s, st) for s, st in zip(scored, statuses) if not s.expected]
    answered = [s for s, st in zip(scored, statuses) if st == "answered"]
    right = [s for s in answered if s.right]

    def pct(a: int, b: int) -> float:
        return round(100 * a / b, 1) if b else 0.0

    return {
        "top1": pct(sum(1 for s in in_scope if s.right), len(in_scope)),
        "recall@3": pct(sum(1 for s in in_scope if set(s.ranked[:3]) & s.expected), len(in_scope)),
        "answered_precision": pct(len(right), len(answered)),
        "answered_right": pct(len(right), len(in_scope)),
        "oos_fallback": pct(sum(1 for _, st in out_scope if st == "fallback"), len(out_scope)),
    }


def folds(n: int, k: int, seed: int = 20261130) -> list[set[int]]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [set(order[f::k]) for f in range(k)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write knowledge/data/confidence.yaml")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20261130, help="how dev questions are dealt into folds")
    parser.add_argument("--reuse", action="store_true", help="reuse the candidates collected by the last run")
    parser.add_argument(
        "--labels", choices=("first", "either"), default="first", help="dev labels: the first labeller's, or either's"
    )
    parser.add_argument("--adapter", action="store_true", help="fit the question-vector correction as well")
    args = parser.parse_args()

    started = time.perf_counter()
    kb, _ = load_directory()
    embedder = RememberingEmbedder(E5Embedder())
    cache = VectorCache(CACHE_DIR, embedder.name, embedder.dim)

    def make_engine(base: KnowledgeBase, adapter: QueryAdapter | None) -> SearchEngine:
        return SearchEngine(base, embedder=embedder, vectors=cache, model=ConfidenceModel(adapter=adapter))

    dev = load_either("dev") if args.labels == "either" else load_part("dev")
    snapshot = ROOT / "data" / "fit-queries.pickle"
    if args.reuse and snapshot.exists():  # iterate on the model alone: the engine's features are unchanged
        alternates, dev_queries, adapter = pickle.loads(snapshot.read_bytes())
    else:
        alternates, dev_queries, adapter = training_queries(kb, make_engine, dev, args.folds, args.adapter)
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_bytes(pickle.dumps((alternates, dev_queries, adapter)))
    print(
        f"{len(alternates)} alternate phrasings, {len(dev_queries)} dev questions "
        f"({time.perf_counter() - started:.0f} s to collect)"
    )

    # Out of fold: every dev question scored by a model that never saw it; the thresholds are chosen on these.
    oof: list[Outcome] = [Outcome(frozenset(), [], 0.0, 0.0)] * len(dev_queries)
    fold_sets = folds(len(dev_queries), args.folds, args.seed)
    for held in fold_sets:
        model = fit_candidates(alternates + [q for i, q in enumerate(dev_queries) if i not in held], args.l2)
        for i in held:
            oof[i] = best_view(model, dev_queries[i])
    bars, bars_figures = choose(oof)
    print(f"the two bars of earlier versions: answer ≥ {bars.answer}, lead ≥ {bars.margin}, clarify ≥ {bars.clarify}")
    print("  dev, out of fold:", bars_figures)
    rule, statuses = choose_with_model(oof, fold_sets, args.l2, bars)
    dev_figures = tally(oof, statuses)
    print(f"the answer model (shipped): its probability ≥ {rule.model_bar}, clarify ≥ {rule.clarify}")
    print("  dev, out of fold:", dev_figures)
    suggest, leads = choose_suggest(oof, statuses, kb)
    rule = dataclasses.replace(rule, suggest=suggest)
    print(f"a fallback offers its closest questions from {suggest}; dev, out of fold:", leads)
    by_variant: dict[str, list[tuple[Outcome, str]]] = {}
    for item, result, status in zip(dev, oof, statuses):
        by_variant.setdefault(item.variant, []).append((result, status))
    for variant, pairs in sorted(by_variant.items()):
        print(f"  {variant:>14} n={len(pairs):3} {tally([r for r, _ in pairs], [st for _, st in pairs])}")

    final = ConfidenceModel(
        fit_candidates(alternates + dev_queries, args.l2),
        rule,
        f"{len(alternates)} alternate phrasings (two halves) + {len(dev_queries)} dev questions; thresholds from "
        f"{args.folds}-fold out-of-fold probabilities; dev figures {dev_figures}",
        adapter,
    )
    for name, weight in sorted(final.candidate.weights.items(), key=lambda kv: -abs(kv[1])):
        print(f"  {name:>15} {weight:+.3f}")
    print("answer model:", {name: round(w, 3) for name, w in rule.model.weights.items()})
    if args.write:
        final.save()
        print("written: knowledge/data/confidence.yaml")


if __name__ == "__main__":
    main()
