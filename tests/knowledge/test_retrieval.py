"""BM25 retrieval summed in numpy: the best entries first, equal scores in the order they were reached."""

from __future__ import annotations

import numpy as np

from knowledge.lexical import Retrieved
from knowledge.search import SearchEngine


def test_top_breaks_ties_by_the_order_entries_were_reached():
    scores = np.array([0.0, 2.0, 5.0, 2.0, 2.0])
    retrieved = Retrieved(scores, np.array([3, 2, 1, 4]))
    assert retrieved.top(2) == [(2, 5.0), (3, 2.0)]
    assert retrieved.top(10) == [(2, 5.0), (3, 2.0), (1, 2.0), (4, 2.0)]
    assert retrieved.get(0) == 0.0


def test_an_entry_reached_by_several_features_ranks_by_its_first_reach():
    # Entry 4 is reached first (by the rarest feature), entry 1 only later, both again afterwards.
    scores = np.array([0.0, 3.0, 0.0, 1.0, 3.0])
    retrieved = Retrieved(scores, np.array([4, 3, 1, 4, 1, 3]))
    assert retrieved.top(1) == [(4, 3.0)]
    assert retrieved.top(3) == [(4, 3.0), (1, 3.0), (3, 1.0)]


def test_an_entry_reached_with_a_zero_score_is_still_a_candidate():
    retrieved = Retrieved(np.array([0.0, 0.0, 2.0]), np.array([2, 1]))
    assert retrieved.top(5) == [(2, 2.0), (1, 0.0)]


def test_nothing_reached_gives_no_candidates():
    assert Retrieved(np.zeros(3), np.zeros(0, dtype=np.intp)).top(5) == []


def test_the_shipped_base_ranks_its_own_question_first(shipped_kb):
    engine = SearchEngine(shipped_kb)
    for entry in engine.entries[:40]:
        scores, _ = engine.lexical.retrieve(engine.normalizer.analyze(entry.question))
        assert entry.id in [engine.entries[doc].id for doc, _ in scores.top(3)], entry.id
