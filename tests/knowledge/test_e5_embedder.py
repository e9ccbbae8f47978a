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


def test_a_long_message_s_two_readings_side_by_side_from_many_callers_at_once():
    """Two texts (a long message whole and its asking part) go to the shared pool; callers running at once,
    as the bot's search threads do, each get their own vectors."""
    from concurrent.futures import ThreadPoolExecutor

    embedder = E5Embedder(threads=1)
    pairs = [
        (f"chào ad, xưởng {i} ở Hạ Long làm chả mực, sản phẩm OCOP 3 sao, em muốn hỏi hỗ trợ gì", f"hỗ trợ gì {i}")
        for i in range(6)
    ]
    alone = {t: embedder.embed([t])[0] for pair in pairs for t in pair}
    with ThreadPoolExecutor(4) as callers:
        results = list(callers.map(lambda pair: embedder.embed(list(pair)), pairs))
    for pair, vectors in zip(pairs, results, strict=True):
        np.testing.assert_allclose(vectors, np.vstack([alone[t] for t in pair]), atol=1e-6)
