"""Where search gets its candidates: the local store (FAISS for dense, bm25s's sparse matrix
for BM25). Every call costs in proportion to what it returns or to the query terms'
postings (BM25 adds them into one float32 array of the passages, a vectorised pass), never
a Python loop or a sort over all passages.

``LocalCandidates`` is the candidate-source protocol the ``Searcher`` speaks; another store
(a server-side one) offers the same five calls.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from askbj.index import dense


class CandidateSource(Protocol):
    size: int

    def dense_top(self, query: np.ndarray, n: int, rows: np.ndarray | None) -> np.ndarray: ...

    def dense_lowest(self, query: np.ndarray) -> int: ...

    def dense_scores(self, query: np.ndarray, ids: np.ndarray) -> np.ndarray: ...

    def bm25_nonzero(self, terms: list[str]) -> tuple[np.ndarray, np.ndarray]: ...

    def knows(self, term: str) -> bool: ...


class LocalCandidates:
    """Candidates from an in-memory ``Index`` (its FAISS index and bm25s retriever)."""

    def __init__(self, index: Any) -> None:
        self.size = len(index.chunks)
        self._dense = dense.tune(index.dense if index.dense is not None
                                 else dense.build(index.vectors))
        self._vectors = dense.vectors_of(self._dense)
        self._bm25 = index.bm25
        self._vocab = getattr(index.bm25, "vocab_dict", {}) or {}
        matrix = getattr(index.bm25, "scores", None)
        postings = [matrix[k] for k in ("indices", "data")] if isinstance(matrix, dict) else []
        for array in (self._vectors, *postings):  # memory-mapped: map every page once now
            if isinstance(array, np.ndarray):
                dense.touch(array)

    def dense_top(self, query: np.ndarray, n: int, rows: np.ndarray | None) -> np.ndarray:
        return dense.top(self._dense, query, n, rows)

    def dense_lowest(self, query: np.ndarray) -> int:
        return dense.lowest(self._dense, query)

    def dense_scores(self, query: np.ndarray, ids: np.ndarray) -> np.ndarray:
        return np.asarray(self._vectors[ids] @ query, dtype=np.float32)

    def knows(self, term: str) -> bool:
        return term in self._vocab

    def bm25_nonzero(self, terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(positions ascending, scores) of every passage with a BM25 score above zero: the
        same float32 sums as ``bm25s.BM25.get_scores`` (term by term, in query order)."""
        ids = [self._vocab[t] for t in terms if t in self._vocab]
        matrix = getattr(self._bm25, "scores", None)
        if not ids:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if not (isinstance(matrix, dict) and "indptr" in matrix):
            full = np.asarray(self._bm25.get_scores(terms), dtype=np.float32)
            rows = np.flatnonzero(full > 0)
            return rows, full[rows]
        indptr, indices, data = matrix["indptr"], matrix["indices"], matrix["data"]
        sums = np.zeros(self.size, dtype=np.asarray(data).dtype)
        for i in ids:  # a term's postings name each passage once: a plain scatter-add
            start, end = int(indptr[i]), int(indptr[i + 1])
            # ufunc.at: the same float32 additions, a third of fancy-index ``+=``'s time
            np.add.at(sums, indices[start:end], data[start:end])
        rows = np.flatnonzero(sums > 0)
        return rows.astype(np.int64, copy=False), sums[rows].astype(np.float32, copy=False)
