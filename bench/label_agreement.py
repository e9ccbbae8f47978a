"""How far two labellings of the test part agree, and the shipped engine's figures under each and both.

Run:  python bench/label_agreement.py

tests/eval/test.yaml holds the test part's labels; tests/eval/test_second_labels.yaml the same questions
labelled again by someone who saw neither those labels nor the engine's output. If the engine's wrong
answers were mostly one labeller's narrow reading, its precision would rise under "either labeller".
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.evaluation import CACHE_DIR, EVAL_DIR, Prediction, engine_predictor, evaluate, load_either, load_eval
from knowledge.embeddings import E5Embedder, VectorCache
from knowledge.loader import load_directory
from knowledge.search import SearchEngine


def main() -> None:
    first = load_eval(EVAL_DIR / "test.yaml")
    second = load_eval(EVAL_DIR / "test_second_labels.yaml")
    assert [i.question for i in first] == [i.question for i in second], "the two files must list the same questions"
    in_or_out = sum(bool(a.expected) == bool(b.expected) for a, b in zip(first, second))
    both = [(a, b) for a, b in zip(first, second) if a.expected and b.expected]
    overlap = sum(bool(a.expected & b.expected) for a, b in both)
    print(
        f"{len(first)} questions; in or out of scope: the same for {in_or_out} ({100 * in_or_out / len(first):.1f}%); "
        f"in scope for both: {len(both)}, sharing an entry {overlap} ({100 * overlap / len(both):.1f}%), "
        f"the same entries {sum(a.expected == b.expected for a, b in both)}"
    )
    kb, _ = load_directory()
    embedder = E5Embedder()
    engine = SearchEngine(kb, embedder=embedder, vectors=VectorCache(CACHE_DIR, embedder.name, embedder.dim))
    predict = engine_predictor(engine)
    seen: dict[str, Prediction] = {}

    def remembered(question: str) -> Prediction:
        if question not in seen:
            seen[question] = predict(question)
        return seen[question]

    either = load_either("test")
    for name, items in (("test.yaml", first), ("second labels", second), ("either labeller", either)):
        print(f"{name:>16}: {evaluate(items, remembered).overall.figures()}")


if __name__ == "__main__":
    main()
