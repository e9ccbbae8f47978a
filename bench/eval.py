"""Search quality on tests/eval, per variant, against two baselines on the same set in the same run.

Run:  python bench/eval.py [--misses]

Figures: top-1 and recall@3 on in-scope questions; precision of `answered` replies (an out-of-scope
question answered counts as wrong); share of in-scope questions answered right; share of out-of-scope
questions that fall back. Baselines:
- rapidfuzz `process.extractOne(scorer=WRatio)` over every question and alternate (default processor);
- plain BM25 over whitespace tokens of the raw (lower-cased) text of questions and alternates.
A baseline has no decision rule of its own, so each gets the score cut-off that serves it best on
this set (the most right answers minus wrong ones): it is compared at its best.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from pathlib import Path

from rapidfuzz import fuzz, process, utils

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.evaluation import Prediction, Report, engine_predictor, evaluate, load_eval
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


def baseline_report(baseline, items) -> tuple[Report, float]:
    """Evaluate at the cut-off that maximises right answers minus wrong ones for this baseline."""
    raw = {item.question: baseline.scored(item.question) for item in items}
    cutoffs = sorted({score for _, score in raw.values()})
    best_cut, best_value = 0.0, None
    for cut in cutoffs:
        value = 0
        for item in items:
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
    parser.add_argument("--misses", action="store_true", help="list the questions the engine got wrong")
    args = parser.parse_args()
    kb, _ = load_directory()
    items = load_eval()
    engine = SearchEngine(kb)
    ours = evaluate(items, engine_predictor(engine))
    wratio, wratio_cut = baseline_report(WRatioBaseline(kb), items)
    bm25, bm25_cut = baseline_report(BM25Baseline(kb), items)
    print(f"{len(items)} questions ({sum(i.in_scope for i in items)} in scope), {len(kb.entries)} entries")
    print_table("Trợ lý Năng suất engine", ours)
    print_table(f"Baseline: rapidfuzz extractOne WRatio (cut-off {wratio_cut:.2f})", wratio)
    print_table(f"Baseline: BM25 on whitespace tokens (cut-off {bm25_cut:.2f})", bm25)
    print("\n### Summary\n")
    print("| ranker | " + " | ".join(COLUMNS[1:]) + " |")
    print("|---" * len(COLUMNS) + "|")
    for name, report in (("engine", ours), ("WRatio", wratio), ("BM25", bm25)):
        figures = report.overall.figures()
        print(f"| {name} | " + " | ".join(fmt(figures[c]) for c in COLUMNS[1:]) + " |")
    print("\n### Per variant: top-1 / answered precision / out-of-scope fallback\n")
    print("| variant | n | engine | WRatio | BM25 |")
    print("|---|---|---|---|---|")

    def cell(report: Report, name: str) -> str:
        f = report.variants[name].figures()
        return " / ".join(fmt(f[c]) for c in ("top1", "answered_precision", "oos_fallback"))

    for name in sorted(ours.variants):
        print(
            f"| {name} | {ours.variants[name].in_scope + ours.variants[name].out_scope} | "
            f"{cell(ours, name)} | {cell(wratio, name)} | {cell(bm25, name)} |"
        )
    if args.misses:
        print("\n### Misses\n")
        for item, pred in ours.misses:
            print(
                f"- [{item.variant}] {item.question!r}: expected {sorted(item.expected) or 'fallback'}, "
                f"got {pred.status} {list(pred.ranked[:3])}"
            )


if __name__ == "__main__":
    main()
