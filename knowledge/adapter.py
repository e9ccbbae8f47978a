"""A learned linear correction of question vectors for this domain: q → normalise(q + A·q).

e5 was trained on general text; it places "tem truy xuất mua ở đâu" and "where to buy a traceability stamp"
closer to unrelated questions than this base's own phrasings would like. One square matrix, fitted so that
a question's corrected vector lands nearest the phrasings of its right entry, moves e5's top-1 alone on the
dev questions from 66.6% to about 81% (out of fold, bench/fit_confidence.py). It reads only the question, never
an entry id, so entries added or edited after the fit are served by it as well. Phrasing and answer vectors
stay e5's own, and so does the vector cache.

Not shipped (2026-12-01): with it the whole engine's top-1 on dev rose from 81.5% to 84.5% and its recall@3
from 93.5% to 95.3%, but its wrong answers grew more confident too, so fewer questions could be answered at
1.5% wrong (28.5% against 36.4%, best reachable, mean of fold seeds 1/2/3), though more at 5% (62.6% against
53.6%). `python bench/fit_confidence.py --adapter --write` ships it: the fitted model then names its file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from knowledge.embeddings import Vectors

Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class QueryAdapter:
    """The correction for one embedding model (`model` is the embedder's name: another model's vectors are
    left alone)."""

    model: str
    matrix: Vectors  # dim × dim, added to the identity

    def apply(self, vectors: Vectors) -> Vectors:
        """Corrected, L2-normalised vectors (one vector or a row per vector)."""
        # einsum runs in this thread, like the cosines (knowledge/semantic.py): BLAS would start its own pool.
        moved = vectors + np.einsum("ij,...j->...i", self.matrix, vectors)
        norms = np.linalg.norm(moved, axis=-1, keepdims=True)
        return np.asarray(moved / np.where(norms == 0, 1.0, norms), dtype=np.float32)

    def save(self, path: Path) -> None:
        # float16 halves the file; the weights are small corrections and lose nothing that shows in rankings.
        with path.open("wb") as out:
            np.savez_compressed(out, model=np.array(self.model), matrix=self.matrix.astype(np.float16))

    @classmethod
    def load(cls, path: Path) -> QueryAdapter | None:
        if not path.exists():
            return None
        with np.load(path) as data:
            return cls(str(data["model"]), data["matrix"].astype(np.float32))


@dataclass(frozen=True)
class Training:
    """What the correction learns from: question vectors, and for each the entries that answer it."""

    questions: Vectors  # n × dim
    right: Mask  # n × entries
    own_row: npt.NDArray[np.int64]  # a phrasing asked as a question: its own row, which it must not find; else -1


@dataclass(frozen=True)
class Phrasings:
    """The knowledge base's phrasing vectors, an entry's rows contiguous from `starts[e]`."""

    matrix: Vectors
    starts: npt.NDArray[np.int64]

    @property
    def entry_of_row(self) -> npt.NDArray[np.int64]:
        counts = np.diff(np.append(self.starts, len(self.matrix)))
        return np.repeat(np.arange(len(self.starts)), counts)


def fit_adapter(
    model: str,
    training: Training,
    phrasings: Phrasings,
    epochs: int = 20,
    weight_decay: float = 1e-4,
    scale: float = 30.0,
    seed: int = 0,
) -> QueryAdapter:
    """Softmax over entries (an entry scores its best phrasing's cosine, times `scale`), cross-entropy on the
    right ones, Adam on minibatches. The settings were chosen on dev out of fold (e5's top-1 alone): 20
    epochs at weight decay 1e-4 gave 80.8%; 1e-3, 78.4%; 1e-2, 71.1%; 80 epochs, 81.5%."""
    rows = phrasings.matrix.astype(np.float64)
    entry_of_row = phrasings.entry_of_row
    dim = rows.shape[1]
    a = np.zeros((dim, dim))
    first, second = np.zeros_like(a), np.zeros_like(a)
    rng = np.random.default_rng(seed)
    step = 0
    none = 0.9  # where "none of them" starts: between in-scope (median 0.93) and out-of-scope (0.89) best cosines
    for _ in range(epochs):
        order = rng.permutation(len(training.questions))
        for start in range(0, len(order), 128):
            batch = order[start : start + 128]
            q = training.questions[batch].astype(np.float64)
            moved = q + q @ a.T
            norms = np.linalg.norm(moved, axis=1, keepdims=True)
            unit = moved / norms
            cosines = unit @ rows.T
            own = training.own_row[batch]
            asked = np.flatnonzero(own >= 0)
            cosines[asked, own[asked]] = -2.0  # a phrasing does not find itself
            best = np.maximum.reduceat(cosines, phrasings.starts, axis=1)
            # One more class, "none of them", at a learned cosine: out-of-scope questions are trained towards
            # it, so the correction does not pull every question onto some entry.
            logits = scale * np.hstack([best, np.full((len(batch), 1), none)])
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            right = training.right[batch]
            right = np.hstack([right, ~right.any(axis=1, keepdims=True)])
            p_right = np.maximum((p * right).sum(axis=1, keepdims=True), 1e-12)
            grad_logits = scale * (p - p * right / p_right)
            grad_best = grad_logits[:, :-1]
            grad_none = float(grad_logits[:, -1].mean())
            # The gradient reaches the rows that gave their entry its best cosine.
            at_best = cosines == best[:, entry_of_row]
            grad_unit = (at_best * grad_best[:, entry_of_row]) @ rows
            grad_moved = (grad_unit - unit * (grad_unit * unit).sum(axis=1, keepdims=True)) / norms
            grad = grad_moved.T @ q / len(batch) + weight_decay * a
            step += 1
            first = 0.9 * first + 0.1 * grad
            second = 0.999 * second + 0.001 * grad * grad
            a -= 0.01 * (first / (1 - 0.9**step)) / (np.sqrt(second / (1 - 0.999**step)) + 1e-8)
            none -= 0.001 * grad_none
    return QueryAdapter(model, a.astype(np.float32))
