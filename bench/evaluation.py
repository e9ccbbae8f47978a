"""Score a ranker on the evaluation set: top-1, recall@3, answered precision, out-of-scope fallback."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

EVAL_DIR = Path(__file__).resolve().parent.parent / "tests" / "eval"
# Where the benches keep e5 vectors between runs (the bot's default VECTOR_CACHE_DIR too).
CACHE_DIR = Path(__file__).resolve().parent.parent / "data" / "vectors"
# The dev part: anything fitted (weights, thresholds, features) may look at it. The test part: written
# blind, only ever scored; nothing is chosen by looking at it.
PARTS = {
    "dev": ("dev.yaml", "dev_blind.yaml", "dev_blind2.yaml", "dev_blind3.yaml", "dev_blind4.yaml"),
    "test": ("test.yaml",),
    "gaps": ("test_gaps.yaml",),
}
# The same questions labelled again by someone who saw neither the first labels nor the engine's output.
SECOND_LABELS = {"dev": "dev_second_labels.yaml", "test": "test_second_labels.yaml"}
EVAL_FILE = EVAL_DIR / "dev.yaml"
FALLBACK = "fallback"


@dataclass(frozen=True)
class EvalItem:
    question: str
    expected: frozenset[str]  # entry ids any of which is right; empty = out of scope
    variant: str

    @property
    def in_scope(self) -> bool:
        return bool(self.expected)


@dataclass(frozen=True)
class Prediction:
    """What a ranker said: its ranked entry ids and its decision."""

    ranked: tuple[str, ...]
    status: str  # answered | clarify | fallback
    offered: tuple[str, ...] = ()  # the choices shown as buttons: a clarify's, or those a fallback still offers


def load_part(part: str) -> list[EvalItem]:
    """Every question of one part ("dev" or "test"), from each of its files that exists."""
    return [item for name in PARTS[part] if (EVAL_DIR / name).exists() for item in load_eval(EVAL_DIR / name)]


def load_either(part: str) -> list[EvalItem]:
    """A part's questions where an entry is right when either labeller says so (out of scope when both say
    "fallback")."""
    first, second = load_part(part), load_eval(EVAL_DIR / SECOND_LABELS[part])
    assert [i.question for i in first] == [i.question for i in second], "two labellings of different questions"
    return [EvalItem(a.question, a.expected | b.expected, a.variant) for a, b in zip(first, second)]


def load_eval(path: Path = EVAL_FILE) -> list[EvalItem]:
    items = []
    for raw in yaml.safe_load(path.read_text(encoding="utf-8")):
        expect = raw["expect"]
        ids = [expect] if isinstance(expect, str) else list(expect)
        expected = frozenset(i for i in ids if i != FALLBACK)
        items.append(EvalItem(str(raw["q"]), expected, str(raw.get("variant", "other"))))
    return items


@dataclass
class Tally:
    in_scope: int = 0
    top1: int = 0
    top3: int = 0
    in_scope_answered_right: int = 0
    answered: int = 0
    answered_right: int = 0
    out_scope: int = 0
    out_scope_fallback: int = 0
    in_scope_fallback: int = 0
    in_scope_one_tap: int = 0
    in_scope_fallback_offered_right: int = 0
    out_scope_offered: int = 0

    def add(self, item: EvalItem, pred: Prediction) -> None:
        first = pred.ranked[0] if pred.ranked else None
        if pred.status == "answered":
            self.answered += 1
            if item.in_scope and first in item.expected:
                self.answered_right += 1
        if item.in_scope:
            self.in_scope += 1
            self.top1 += first in item.expected
            self.top3 += any(r in item.expected for r in pred.ranked[:3])
            answered_right = pred.status == "answered" and first in item.expected
            offered_right = bool(set(pred.offered) & item.expected)
            self.in_scope_answered_right += answered_right
            self.in_scope_fallback += pred.status == "fallback"
            self.in_scope_fallback_offered_right += pred.status == "fallback" and offered_right
            self.in_scope_one_tap += answered_right or (pred.status != "answered" and offered_right)
        else:
            self.out_scope += 1
            self.out_scope_fallback += pred.status == "fallback"
            self.out_scope_offered += pred.status == "fallback" and bool(pred.offered)

    @staticmethod
    def _pct(a: int, b: int) -> float | None:
        return round(100 * a / b, 1) if b else None

    def leads(self) -> dict[str, float | None]:
        """What fallbacks offer: in-scope fallbacks with a right entry among the choices, out-of-scope
        questions offered choices; and in-scope questions answered right or with a right choice shown (one tap
        from the answer)."""
        return {
            "within_one_tap": self._pct(self.in_scope_one_tap, self.in_scope),
            "in_scope_fallbacks": self.in_scope_fallback,
            "with_the_right_entry_offered": self._pct(self.in_scope_fallback_offered_right, self.in_scope_fallback),
            "out_of_scope_offered": self._pct(self.out_scope_offered, self.out_scope),
        }

    def figures(self) -> dict[str, float | None]:
        return {
            "n": self.in_scope + self.out_scope,
            "top1": self._pct(self.top1, self.in_scope),
            "recall@3": self._pct(self.top3, self.in_scope),
            "answered_precision": self._pct(self.answered_right, self.answered),
            "answered_rate": self._pct(self.in_scope_answered_right, self.in_scope),
            "oos_fallback": self._pct(self.out_scope_fallback, self.out_scope),
        }


@dataclass
class Report:
    overall: Tally = field(default_factory=Tally)
    variants: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    misses: list[tuple[EvalItem, Prediction]] = field(default_factory=list)


def evaluate(items: list[EvalItem], predict: Callable[[str], Prediction]) -> Report:
    report = Report()
    for item in items:
        pred = predict(item.question)
        report.overall.add(item, pred)
        report.variants[item.variant].add(item, pred)
        first = pred.ranked[0] if pred.ranked else None
        wrong_answer = pred.status == "answered" and first not in item.expected
        if (
            wrong_answer
            or (item.in_scope and first not in item.expected)
            or (not item.in_scope and pred.status != "fallback")
        ):
            report.misses.append((item, pred))
    return report


def engine_predictor(engine) -> Callable[[str], Prediction]:
    def predict(question: str) -> Prediction:
        result = engine.search(question)
        offered = tuple(e.id for e in engine.offered(result))  # what the bot shows, as AskService does
        return Prediction(tuple(c.entry.id for c in result.candidates), result.status, offered)

    return predict
