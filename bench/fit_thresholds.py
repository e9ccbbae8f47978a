"""Fit the confidence weights and decision thresholds on tests/eval and write knowledge/data/thresholds.yaml.

Run:  python bench/fit_thresholds.py [--write]

The rule it fits: answered when confidence ≥ `answer` and the margin over the best different entry
≥ `margin`, or confidence ≥ `answer_clear` and margin ≥ `margin_clear` (a clear winner); clarify
when confidence ≥ `clarify`; fallback otherwise. Weights are fitted first with the one-tier rule,
then all thresholds with those weights. It maximises in-scope questions
answered right (clarify with the right entry among the choices counts half) subject to answered
precision ≥ 97.5% and out-of-scope fallback ≥ 92%, i.e. with some headroom over the issue's floors.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.evaluation import EvalItem, load_eval
from knowledge.loader import load_directory
from knowledge.search import THRESHOLDS_FILE, SearchEngine, Thresholds

FEATURES = ("fuzzy", "cover_query", "cover_answer", "cover_phrasing", "bm25", "accent_miss")
MIN_PRECISION = 0.975
MIN_OOS_FALLBACK = 0.92


FACTS_FILE = Path(__file__).resolve().parent.parent / "tests" / "eval" / "source_facts.yaml"


def fact_items(kb) -> list[EvalItem]:
    """The source-article walk as eval items: right = any entry whose answer states the fact."""
    items = []
    for fact in yaml.safe_load(FACTS_FILE.read_text(encoding="utf-8")):
        needles = [n.lower() for n in fact["must_contain"]]
        holders = frozenset(e.id for e in kb.entries if all(n in e.answer.lower() for n in needles))
        items.append(EvalItem(fact["ask"], holders, "source-fact"))
    return items


def collect(engine: SearchEngine, items) -> list[tuple]:
    """Per item: expected ids and the candidates' (id, feature vector)."""
    rows = []
    for item in items:
        result = engine.search(item.question)
        cands = [
            (c.entry.id, tuple(c.features[f] for f in FEATURES), frozenset(c.entry.related)) for c in result.candidates
        ]
        rows.append((item.expected, cands, item.variant == "source-fact"))
    return rows


def score_weights(rows, weights):
    scored = []
    for expected, cands, is_fact in rows:
        confs = sorted(
            (
                (sum(w * x for w, x in zip(weights[:-1], feats[:-1])) - weights[-1] * feats[-1], cid, rel)
                for cid, feats, rel in cands
            ),
            key=lambda t: -t[0],
        )
        scored.append((expected, [(max(0.0, min(1.0, c)), cid, rel) for c, cid, rel in confs], is_fact))
    return scored


def summarise(scored):
    """Per item: best confidence, margin, best is right, right among top 3, in scope."""
    rows = []
    for expected, confs, is_fact in scored:
        best, best_id, related = confs[0] if confs else (0.0, None, frozenset())
        # Same margin rule as SearchEngine._decide: over the best entry that is not a sibling.
        second = next((c for c, cid, rel in confs[1:] if cid not in related and best_id not in rel), 0.0)
        rows.append(
            (
                best,
                best - second,
                best_id in expected,
                any(cid in expected for _, cid, _ in confs[:3]),
                bool(expected),
                is_fact,
            )
        )
    return rows


def outcome(rows, answer, margin, clarify, answer_clear=None, margin_clear=None):
    answer_clear = answer if answer_clear is None else answer_clear
    margin_clear = margin if margin_clear is None else margin_clear
    answered = right = oos = oos_fb = gain = facts = 0.0
    for best, gap, right1, right3, in_scope, is_fact in rows:
        if (best >= answer and gap >= margin) or (best >= answer_clear and gap >= margin_clear):
            answered += 1
            right += right1
            gain += right1
            facts += is_fact and right1
        elif best >= clarify:
            gain += 0.5 * right3
        elif not in_scope:
            oos_fb += 1
        oos += not in_scope
    precision = right / answered if answered else 1.0
    # Every fact of the source article must be answered (the walk), so facts rank first.
    return precision, (oos_fb / oos if oos else 1.0), (facts, gain)


def fit(rows):
    best = None
    grid = [0.1, 0.25, 0.4]
    for wf, wq, wc, wp, wb in itertools.product(grid, grid, [0.0] + grid, grid, [0.0, 0.1, 0.2]):
        for wa in (0.2, 0.4):
            weights = (wf, wq, wc, wp, wb, wa)
            scale = wf + wq + wc + wp + wb
            summary = summarise(score_weights(rows, tuple(w / scale for w in weights[:-1]) + (wa,)))
            for answer in [x / 100 for x in range(50, 92, 3)]:
                for margin in (0.0, 0.03, 0.06, 0.09):
                    for clarify in [x / 100 for x in range(40, int(answer * 100) + 1, 3)]:
                        precision, fb, gain = outcome(summary, answer, margin, clarify)
                        if precision < MIN_PRECISION or fb < MIN_OOS_FALLBACK:
                            continue
                        key = (gain, fb, precision)
                        if best is None or key > best[0]:
                            best = (
                                key,
                                tuple(round(w / scale, 3) for w in weights[:-1]) + (wa,),
                                answer,
                                margin,
                                clarify,
                            )
    return best


def fit_clear_tier(rows, weights, answer, margin, clarify):
    """With weights fixed, search the second tier (and re-search clarify) around the one-tier fit."""
    summary = summarise(score_weights(rows, weights))
    best = None
    for answer_clear in [x / 100 for x in range(50, int(answer * 100) + 1, 1)]:
        for margin_clear in (0.08, 0.1, 0.12, 0.15, 0.2):
            for clarify_t in [x / 100 for x in range(40, int(answer_clear * 100) + 1, 1)]:
                precision, fb, gain = outcome(summary, answer, margin, clarify_t, answer_clear, margin_clear)
                if precision < MIN_PRECISION or fb < MIN_OOS_FALLBACK:
                    continue
                key = (gain, fb, precision)
                if best is None or key > best[0]:
                    best = (key, answer_clear, margin_clear, clarify_t)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the fitted values to thresholds.yaml")
    args = parser.parse_args()
    kb, _ = load_directory()
    engine = SearchEngine(kb, thresholds=Thresholds())
    items = load_eval() + fact_items(kb)
    rows = collect(engine, items)
    best = fit(rows)
    if best is None:
        print("no setting meets the precision and fallback floors")
        sys.exit(1)
    _, weights, answer, margin, clarify = best
    (gain, fb, precision), answer_clear, margin_clear, clarify = fit_clear_tier(rows, weights, answer, margin, clarify)
    data = {
        "answer": answer,
        "margin": margin,
        "answer_clear": answer_clear,
        "margin_clear": margin_clear,
        "clarify": clarify,
        "weights": dict(zip(FEATURES, weights)),
        "fitted_on": f"tests/eval/questions.yaml + source_facts.yaml ({len(items)} questions)",
        "fit": {
            "answered_precision": round(precision, 4),
            "oos_fallback": round(fb, 4),
            "source_facts_answered": gain[0],
            "gain": gain[1],
        },
    }
    print(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    if args.write:
        header = "# Written by bench/fit_thresholds.py; refit when the knowledge base or eval set changes.\n"
        THRESHOLDS_FILE.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        print(f"wrote {THRESHOLDS_FILE}")


if __name__ == "__main__":
    main()
