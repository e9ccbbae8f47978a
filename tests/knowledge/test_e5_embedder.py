"""The e5 backend: a long batch split across the cores gives the vectors, in order, that each text gets alone."""

from __future__ import annotations

import numpy as np

from knowledge.embeddings import SPLIT_BATCH, E5Embedder


def test_a_split_batch_keeps_each_text_its_own_vector_in_order():
    embedder = E5Embedder(threads=1)
    texts = [f"doanh nghiệp số {i} hỏi về 5S và Kaizen" for i in range(SPLIT_BATCH + 3)]
    for whole, alone in (
        (embedder.embed(texts), [embedder.embed([t])[0] for t in texts]),
        (embedder.embed_passages(texts), [embedder.embed_passages([t])[0] for t in texts]),
    ):
        assert whole.shape == (len(texts), embedder.dim)
        np.testing.assert_allclose(whole, np.vstack(alone), atol=1e-6)
    assert not np.allclose(embedder.embed(texts[:1]), embedder.embed_passages(texts[:1]))
