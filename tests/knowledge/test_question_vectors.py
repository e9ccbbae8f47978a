"""Question vectors: remembered, and a question already being embedded on another thread is waited for
instead of embedded twice (many people send the same question right after an announcement)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from knowledge.embeddings import VectorCache
from knowledge.semantic import SemanticIndex
from tests.knowledge.test_vector_cache import CountingEmbedder


class GatedEmbedder(CountingEmbedder):
    """Holds every `embed` call until the test opens the gate; can be told to fail once."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.started = threading.Event()
        self.fail = False

    def embed(self, texts: list[str]) -> np.ndarray:
        self.started.set()
        assert self.gate.wait(10)
        if self.fail:
            self.fail = False
            raise RuntimeError("engine stopped")
        return super().embed(texts)


class Watched(dict):
    """The index's "being embedded" table, telling the test when another thread picked up a waiting text."""

    def __init__(self) -> None:
        super().__init__()
        self.looked_up = threading.Event()

    def __getitem__(self, key):
        self.looked_up.set()
        return super().__getitem__(key)


def index(embedder: GatedEmbedder) -> tuple[SemanticIndex, Watched]:
    embedder.gate.set()
    built = SemanticIndex(embedder, VectorCache(None, embedder.name, embedder.dim), [["5S là gì"]], ["Sàng lọc…"])
    embedder.questions.clear()
    embedder.gate.clear()
    embedder.started.clear()
    built._embedding = watched = Watched()  # test only: to know when the second thread is waiting
    return built, watched


def test_a_question_being_embedded_is_waited_for_not_embedded_again():
    embedder = GatedEmbedder()
    semantic, watched = index(embedder)
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(semantic.embed, "kaizen là gì")
        assert embedder.started.wait(10)
        second = pool.submit(semantic.embed_all, ["kaizen là gì", "ocop là gì"])
        assert watched.looked_up.wait(10)
        embedder.gate.set()
        one, both = first.result(10), second.result(10)
    assert sorted(embedder.questions) == ["kaizen là gì", "ocop là gì"]  # each once
    assert np.array_equal(one, both["kaizen là gì"])
    assert set(both) == {"kaizen là gì", "ocop là gì"}


def test_a_failed_embedding_reaches_whoever_waited_and_the_next_ask_tries_again():
    embedder = GatedEmbedder()
    semantic, watched = index(embedder)
    embedder.fail = True
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(semantic.embed, "kaizen là gì")
        assert embedder.started.wait(10)
        second = pool.submit(semantic.embed, "kaizen là gì")
        assert watched.looked_up.wait(10)
        embedder.gate.set()
        for future in (first, second):
            with pytest.raises(RuntimeError, match="engine stopped"):
                future.result(10)
    assert semantic.embed("kaizen là gì").shape == (embedder.dim,)
    assert embedder.questions == ["kaizen là gì"]
