"""Search quality on one part of tests/eval, per variant, beside the lexical engine alone, embeddings alone
and two plain baselines, in one run.

Run:  python bench/eval.py [--part test|gaps|dev] [--misses] [--dir KNOWLEDGE_DIR]

The *test* part (the default) is written blind and only ever scored; the *dev* part is what fitting and
choosing look at. Every cut-off a baseline needs is chosen on dev, then applied to the part reported.

Figures: top-1 and recall@3 on in-scope questions; precision of `answered` replies (an out-of-scope
question answered counts as wrong); share of in-scope questions answered right; share of out-of-scope
questions that fall back. Baselines:
- rapidfuzz `process.extractOne(scorer=WRatio)` over every question and alternate (default processor);
- plain BM25 over whitespace tokens of the raw (lower-cased) text of questions and alternates.
- embeddings alone: the nearest entry by e5 cosine over every phrasing (the engine's semantic index).
A baseline has no decision rule of its own, so each gets the score cut-off that serves it best on the
dev part (the most right answers minus wrong ones).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from pathlib import Path

from rapidfuzz import fuzz, process, utils

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.evaluation import CACHE_DIR, Prediction, Report, engine_predictor, evaluate, load_part
from knowledge.embeddings import E5Embedder, VectorCache
from knowledge.loader import load_directory
from knowledge.search import SearchEngine

COLUMNS = ("n", "top1", "recall@3", "answered_precision", "answered_rate", "oos_fallback")


class WRatioBaseline:
    def __init__(self, kb):
        self.choices, self.owners = [], []
        for entry in kb.entries:
            for text in entry.phrasings:
                self.choices.append(text)
                self.owners.append(entry.id)

    def scored(self, question: str) -> tuple[list[str], float]:
        hits = process.extract(question, self.choices, scorer=fuzz.WRatio, processor=utils.default_process, limit=10)
        ranked = list(dict.fromkeys(self.owners[i] for _, _, i in hits))
        return ranked, (hits[0][1] / 100 if hits else 0.0)


class BM25Baseline:
    def __init__(self, kb, k1: float = 1.2, b: float = 0.75):
        self.ids, self.docs = [], []
        for entry in kb.entries:
            self.ids.append(entry.id)
            self.docs.append(Counter(" ".join(entry.phrasings).lower().split()))
        self.lengths = [sum(d.values()) for d in self.docs]
        self.avg = sum(self.lengths) / len(self.lengths)
        df = Counter(t for d in self.docs for t in d)
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.k1, self.b = k1, b

    def scored(self, question: str) -> tuple[list[str], float]:
        terms = question.lower().split()
        scores = []
        for i, doc in enumerate(self.docs):
            norm = self.k1 * (1 - self.b + self.b * self.lengths[i] / self.avg)
            s = sum(self.idf[t] * doc[t] * (self.k1 + 1) / (doc[t] + norm) for t in terms if t in doc)
            if s > 0:
                scores.append((s, self.ids[i]))
        scores.sort(reverse=True)
        return [i for _, i in scores[:10]], (scores[0][0] if scores else 0.0)


class EmbeddingBaseline:
    """The nearest entries by cosine alone, from the hybrid engine's semantic index."""

    def __init__(self, engine: SearchEngine):
        assert engine.semantic is not None
        self.engine = engine
        self.semantic = engine.semantic

    def scored(self, question: str) -> tuple[list[str], float]:
        analysis = self.engine.normalizer.analyze(question)
        vector = self.semantic.embed(self.engine.lexical.accents.restore(analysis.tokens))
        cosines = self.semantic.entry_scores(self.semantic.corrected(vector))  # the engine's cosines
        top = self.semantic.top(cosines, 10)
        return [self.engine.entries[i].id for i in top], (float(cosines[top[0]]) if top else 0.0)


def baseline_report(baseline, choose_on, items) -> tuple[Report, float]:
    """Evaluate `items` at the cut-off that maximises right answers minus wrong ones on `choose_on` (dev)."""
    raw = {item.question: baseline.scored(item.question) for item in [*choose_on, *items]}
    cutoffs = sorted({raw[item.question][1] for item in choose_on})
    best_cut, best_value = 0.0, None
    for cut in cutoffs:
        value = 0
        for item in choose_on:
            ranked, score = raw[item.question]
            if score >= cut and ranked:
                value += 1 if ranked[0] in item.expected else -1
        if best_value is None or value > best_value:
            best_cut, best_value = cut, value

    def predict(question: str) -> Prediction:
        ranked, score = raw[question]
        return Prediction(tuple(ranked), "answered" if ranked and score >= best_cut else "fallback")

    return evaluate(items, predict), best_cut


def fmt(value) -> str:
    return "—" if value is None else (f"{value:.1f}" if isinstance(value, float) else str(value))


def print_table(title: str, report: Report) -> None:
    print(f"\n### {title}\n")
    print("| variant | " + " | ".join(COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    for name, tally in sorted(report.variants.items()):
        figures = tally.figures()
        print(f"| {name} | " + " | ".join(fmt(figures[c]) for c in COLUMNS) + " |")
    figures = report.overall.figures()
    print("| **all** | " + " | ".join(f"**{fmt(figures[c])}**" for c in COLUMNS) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("test", "dev", "gaps"), default="test")
    parser.add_argument("--misses", action="store_true", help="list the questions the engine got wrong")
    parser.add_argument("--dir", type=Path, help="knowledge folder (default: the shipped one), e.g. an older release")
    args = parser.parse_args()
    kb, _ = load_directory(args.dir) if args.dir else load_directory()
    items, dev = load_part(args.part), load_part("dev")
    embedder = E5Embedder()
    hybrid = SearchEngine(kb, embedder=embedder, vectors=VectorCache(CACHE_DIR, embedder.name, embedder.dim))
    rankers: dict[str, Report] = {
        "engine (hybrid, as shipped)": evaluate(items, engine_predictor(hybrid)),
        "lexical engine alone": evaluate(items, engine_predictor(SearchEngine(kb))),
    }
    cuts = {}
    for name, baseline in (
        ("embeddings alone", EmbeddingBaseline(hybrid)),
        ("WRatio", WRatioBaseline(kb)),
        ("BM25", BM25Baseline(kb)),
    ):
        rankers[name], cuts[name] = baseline_report(baseline, dev, items)
    ours = rankers["engine (hybrid, as shipped)"]
    print(
        f"part: {args.part}; {len(items)} questions ({sum(i.in_scope for i in items)} in scope), "
        f"{len(kb.entries)} entries; baseline cut-offs chosen on dev: "
        + ", ".join(f"{name} {cut:.2f}" for name, cut in cuts.items())
    )
    print_table("Trợ lý Năng suất engine (hybrid)", ours)
    print(f"\nFallbacks offering the closest questions (hybrid): {ours.overall.leads()}")
    print("\n### Summary\n")
    print("| ranker | " + " | ".join(COLUMNS[1:]) + " |")
    print("|---" * len(COLUMNS) + "|")
    for name, report in rankers.items():
        figures = report.overall.figures()
        print(f"| {name} | " + " | ".join(fmt(figures[c]) for c in COLUMNS[1:]) + " |")
    print("\n### Per variant: answered right / top-1 / answered precision / out-of-scope fallback\n")
    print("| variant | n | " + " | ".join(rankers) + " |")
    print("|---|---|" + "---|" * len(rankers))

    def cell(report: Report, name: str) -> str:
        f = report.variants[name].figures()
        return " / ".join(fmt(f[c]) for c in ("answered_rate", "top1", "answered_precision", "oos_fallback"))

    for name in sorted(ours.variants):
        n = ours.variants[name].in_scope + ours.variants[name].out_scope
        print(f"| {name} | {n} | " + " | ".join(cell(r, name) for r in rankers.values()) + " |")
    if args.misses:
        print("\n### Misses\n")
        for item, pred in ours.misses:
            print(
                f"- [{item.variant}] {item.question!r}: expected {sorted(item.expected) or 'fallback'}, "
                f"got {pred.status} {list(pred.ranked[:3])}"
            )


if __name__ == "__main__":
    main()
