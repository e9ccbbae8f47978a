"""The question-vector correction: it learns a systematic shift, keeps vectors unit length, survives a save and a
load with the confidence it was fitted with, and is left out for another model's vectors."""

from __future__ import annotations

import numpy as np

from knowledge.adapter import Phrasings, QueryAdapter, Training, fit_adapter
from knowledge.confidence import ConfidenceModel, LogisticModel
from knowledge.embeddings import VectorCache
from knowledge.semantic import SemanticIndex
from tests.knowledge.test_vector_cache import CountingEmbedder


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)


def nearest_entry(vectors: np.ndarray, phrasings: Phrasings) -> np.ndarray:
    return np.maximum.reduceat(vectors @ phrasings.matrix.T, phrasings.starts, axis=1).argmax(axis=1)


def test_it_learns_that_questions_of_one_kind_belong_to_an_entry_they_do_not_look_like():
    rng = np.random.default_rng(7)
    dim = 8
    # Entry 0 has two phrasings near axis 0, entry 1 two near axis 1, entry 2 two near axis 2.
    axes = np.eye(dim, dtype=np.float32)
    rows = unit(np.array([axes[0] + 0.1 * axes[3], axes[0] + 0.1 * axes[4], axes[1], axes[1] + 0.1 * axes[5]]))
    rows = np.vstack([rows, unit(np.array([axes[2], axes[2] + 0.1 * axes[6]]))])
    phrasings = Phrasings(rows, np.array([0, 2, 4], dtype=np.int64))
    # People ask entry 0's questions in words e5 puts near entry 1 (axis 1 plus a marker on axis 7).
    questions = unit(axes[1] + 0.6 * axes[7] + 0.05 * rng.standard_normal((40, dim)).astype(np.float32))
    right = np.zeros((40, 3), dtype=bool)
    right[:, 0] = True
    assert (nearest_entry(questions, phrasings) == 1).all()
    # Entry 1's own phrasings, asked as questions, must still find entry 1.
    own = np.vstack([questions, rows[2:4]])
    right = np.vstack([right, [[False, True, False], [False, True, False]]])
    own_row = np.array([-1] * 40 + [2, 3], dtype=np.int64)
    adapter = fit_adapter("counting", Training(own, right, own_row), phrasings, epochs=60)

    fresh = unit(axes[1] + 0.6 * axes[7] + 0.05 * rng.standard_normal((10, dim)).astype(np.float32))
    moved = adapter.apply(fresh)
    assert np.allclose(np.linalg.norm(moved, axis=1), 1.0, atol=1e-5)
    assert (nearest_entry(moved, phrasings) == 0).all()
    assert nearest_entry(adapter.apply(rows[3:4]), phrasings)[0] == 1


def test_a_zero_correction_changes_nothing():
    vector = unit(np.arange(1, 5, dtype=np.float32))
    adapter = QueryAdapter("counting", np.zeros((4, 4), dtype=np.float32))
    assert np.allclose(adapter.apply(vector), vector)


def test_it_is_saved_beside_the_confidence_and_loaded_with_it(tmp_path):
    matrix = (0.01 * np.arange(16, dtype=np.float32)).reshape(4, 4)
    model = ConfidenceModel(LogisticModel({"cosine": 1.0}), adapter=QueryAdapter("counting", matrix))
    model.save(tmp_path / "confidence.yaml")
    assert (tmp_path / "confidence.adapter.npz").exists()
    loaded = ConfidenceModel.load(tmp_path / "confidence.yaml")
    assert loaded.adapter is not None and loaded.adapter.model == "counting"
    assert np.allclose(loaded.adapter.matrix, matrix, atol=1e-3)
    # Without an adapter, none is named and none is loaded.
    ConfidenceModel(LogisticModel({"cosine": 1.0})).save(tmp_path / "plain.yaml")
    assert ConfidenceModel.load(tmp_path / "plain.yaml").adapter is None
    assert QueryAdapter.load(tmp_path / "missing.npz") is None


def test_the_index_reads_questions_through_its_own_models_correction_only(tmp_path):
    embedder = CountingEmbedder()
    cache = VectorCache(tmp_path, embedder.name, embedder.dim)
    phrasings, answers = [["5S là gì"], ["Kaizen là gì"]], ["5S là …", "Kaizen là …"]
    swap = np.array([[-1, 1, 0, 0], [1, -1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], dtype=np.float32)  # x ↔ y
    mine = SemanticIndex(embedder, cache, phrasings, answers, QueryAdapter("counting", swap))
    other = SemanticIndex(embedder, cache, phrasings, answers, QueryAdapter("another-model", swap))
    vector = embedder.embed(["câu hỏi"])[0]
    assert other.adapter is None and np.allclose(other.corrected(vector), vector)
    assert np.allclose(mine.corrected(vector), vector[[1, 0, 2, 3]], atol=1e-6)
    cosines, answer_cosines = mine.scores(vector)
    assert np.allclose(cosines, mine.matrix @ vector[[1, 0, 2, 3]], atol=1e-5)
    assert np.allclose(answer_cosines, mine.answers @ vector, atol=1e-5)  # answers read the question as it is
