"""The embedding side of search: every phrasing's vector, and the entries nearest to a question."""

from __future__ import annotations

import threading
from concurrent.futures import Future

import numpy as np

from knowledge.adapter import QueryAdapter
from knowledge.embeddings import Embedder, VectorCache, Vectors

RECENT = 4096  # question vectors remembered, oldest dropped first
ANSWER_BATCH = 8


class SemanticIndex:
    """One row per phrasing (question and alternates) and a map to its entry; cosine = dot product."""

    def __init__(
        self,
        embedder: Embedder,
        cache: VectorCache,
        phrasings: list[list[str]],
        answers: list[str],
        adapter: QueryAdapter | None = None,
    ):
        self.embedder = embedder
        # A correction fitted for another model's vectors would scramble these: it is left out.
        self.adapter = adapter if adapter is not None and adapter.model == embedder.name else None
        # An entry's phrasings are contiguous rows (every entry has at least its question), so the best
        # per entry is one reduceat over the row scores.
        texts = [text for entry_texts in phrasings for text in entry_texts]
        counts = np.array([len(entry_texts) for entry_texts in phrasings], dtype=np.int64)
        self.starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64) if len(counts) else counts
        self.size = len(phrasings)
        self.matrix: Vectors = cache.vectors(embedder, texts)
        # One row per entry: what its answer says, read as a passage (e5 reads "query: " against "passage: ").
        # Answers are long: small batches keep the embedder's working memory (tokens × batch) low.
        self.answers: Vectors = cache.vectors(embedder, answers, batch=ANSWER_BATCH, passages=True)
        cache.save()
        self._recent: dict[str, Vectors] = {}
        self._embedding: dict[str, Future[Vectors]] = {}  # texts being embedded now, by whichever thread
        self._lock = threading.Lock()

    def embed(self, text: str) -> Vectors:
        """The question's vector; the last few thousand are remembered (people ask the same things)."""
        return self.embed_all([text])[text]

    def embed_all(self, texts: list[str]) -> dict[str, Vectors]:
        """Several texts' vectors, remembered as `embed` does; the ones not remembered are embedded in one call
        (the same vectors, bit for bit). Small gain: the 60 longest dev questions took 50.0 ms each against
        51.9 one call per text. The lock keeps the remembered vectors whole across the search threads (two
        threads trimming at once could pop the same key). A text another thread is embedding right now is waited
        for, not embedded again; rare, as at most six searches run at once: 3 of 361 embeddings in a cold
        `bench/webhook_load.py --rate 100` run."""
        found: dict[str, Vectors] = {}
        mine: list[str] = []
        theirs: dict[str, Future[Vectors]] = {}
        with self._lock:  # searches run on several threads (asyncio.to_thread)
            for text in dict.fromkeys(texts):
                if text in self._recent:
                    found[text] = self._recent[text]
                elif text in self._embedding:
                    theirs[text] = self._embedding[text]
                else:
                    self._embedding[text] = Future()
                    mine.append(text)
        if mine:
            try:
                vectors = self.embedder.embed(mine)
            except BaseException as exc:  # whoever waits on these texts gets the same error
                with self._lock:
                    for text in mine:
                        self._embedding.pop(text).set_exception(exc)
                raise
            with self._lock:
                for text, vector in zip(mine, vectors):
                    found[text] = self._recent[text] = vector
                    self._embedding.pop(text).set_result(vector)
                while len(self._recent) > RECENT:
                    self._recent.pop(next(iter(self._recent)))
        for text, future in theirs.items():
            found[text] = future.result()
        return found

    def entry_scores(self, vector: Vectors) -> Vectors:
        """Per entry, the best cosine between the question and any of its phrasings."""
        if not len(self.matrix):
            return np.full(self.size, -1.0, dtype=np.float32)
        # einsum runs in this thread: BLAS would wake its own thread pool, which fights the embedder's
        # OpenMP threads for the two cores and tripled p99 at 5,000 entries (bench/latency.py).
        return np.maximum.reduceat(np.einsum("ij,j->i", self.matrix, vector), self.starts)

    def scores(self, vector: Vectors) -> tuple[Vectors, Vectors]:
        """Per entry, the question's best cosine to a phrasing (corrected by the adapter, which was fitted for
        that match) and its cosine to the answer."""
        return self.entry_scores(self.corrected(vector)), self.answer_scores(vector)

    def corrected(self, vector: Vectors) -> Vectors:
        """The question's vector as the adapter moves it (e5's own without one)."""
        return self.adapter.apply(vector) if self.adapter is not None else vector

    def answer_scores(self, vector: Vectors) -> Vectors:
        """Per entry, the cosine between the question and the entry's answer."""
        if not len(self.answers):
            return np.full(self.size, -1.0, dtype=np.float32)
        return np.asarray(np.einsum("ij,j->i", self.answers, vector), dtype=np.float32)

    @staticmethod
    def top(scores: Vectors, k: int) -> list[int]:
        """The k best entries, best first."""
        if k >= len(scores):
            return [int(i) for i in np.argsort(-scores)]
        part = np.argpartition(-scores, k)[:k]
        return [int(i) for i in part[np.argsort(-scores[part])]]
