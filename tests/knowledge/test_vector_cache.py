"""The vector cache: a text is embedded once, passages are kept apart from questions, and a restart reads
what an earlier run embedded."""

from __future__ import annotations

import hashlib

import numpy as np

from knowledge.embeddings import VectorCache


class CountingEmbedder:
    """A tiny deterministic embedder that counts what it is asked to embed (a test double for e5)."""

    name = "counting"
    dim = 4

    def __init__(self) -> None:
        self.questions: list[str] = []
        self.passages: list[str] = []

    def _vector(self, text: str, salt: str) -> np.ndarray:
        digest = hashlib.sha256(f"{salt}{text}".encode()).digest()
        vector = np.frombuffer(digest[:16], dtype=np.uint32).astype(np.float32)
        return vector / np.linalg.norm(vector)

    def embed(self, texts: list[str]) -> np.ndarray:
        self.questions += texts
        return np.array([self._vector(t, "q") for t in texts], dtype=np.float32).reshape(len(texts), self.dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.passages += texts
        return np.array([self._vector(t, "p") for t in texts], dtype=np.float32).reshape(len(texts), self.dim)


def test_a_passage_and_a_question_with_the_same_text_are_two_vectors(tmp_path):
    embedder = CountingEmbedder()
    cache = VectorCache(tmp_path, embedder.name, embedder.dim)
    as_question = cache.vectors(embedder, ["5S là gì"])
    as_passage = cache.vectors(embedder, ["5S là gì"], passages=True)
    assert embedder.questions == ["5S là gì"] and embedder.passages == ["5S là gì"]
    assert not np.allclose(as_question, as_passage)
    assert len(cache) == 2


def test_each_text_is_embedded_once_and_a_restart_embeds_nothing(tmp_path):
    embedder = CountingEmbedder()
    cache = VectorCache(tmp_path, embedder.name, embedder.dim)
    first = cache.vectors(embedder, ["a", "b", "a"], batch=1, passages=True)
    assert embedder.passages == ["a", "b"]
    assert np.allclose(first[0], first[2])
    cache.save()

    again = CountingEmbedder()
    restarted = VectorCache(tmp_path, again.name, again.dim)
    assert np.allclose(restarted.vectors(again, ["a", "b"], passages=True), first[:2])
    assert again.passages == [] and again.questions == []
