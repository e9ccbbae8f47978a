"""Quality floors on the project's evaluation set: just under the figures measured by bench/eval.py."""

import pytest

from bench.evaluation import engine_predictor, evaluate, load_eval

# Measured 2026-11-24 with bench/eval.py on the shipped knowledge base (see README.md).
FLOORS = {"top1": 93.0, "recall@3": 97.0, "answered_precision": 97.0, "oos_fallback": 92.0}


@pytest.fixture(scope="module")
def report(engine):
    return evaluate(load_eval(), engine_predictor(engine))


def test_eval_set_is_big_and_varied():
    items = load_eval()
    assert len(items) >= 300
    assert len({i.variant for i in items}) >= 10
    assert sum(not i.in_scope for i in items) >= 60


def test_eval_expectations_exist(shipped_kb):
    ids = {e.id for e in shipped_kb.entries}
    missing = {i for item in load_eval() for i in item.expected if i not in ids}
    assert missing == set()


@pytest.mark.parametrize("metric", sorted(FLOORS))
def test_quality_floor(report, metric):
    figures = report.overall.figures()
    assert figures[metric] >= FLOORS[metric], (metric, figures)
