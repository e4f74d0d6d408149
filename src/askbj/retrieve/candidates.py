"""Where search gets its candidates: the local store (FAISS for dense, bm25s's sparse matrix
for BM25). Every call costs in proportion to what it returns or to the query terms'
postings, never a Python loop or a sort over all passages. BM25 adds a question's postings
into one float32 array of the passages (``askbj.retrieve.bm25_top.Summed``: its top, the
scores of given passages and the range are read from that array); a top from postings
pruned by each term's bound (``Pruned``) gives the same passages and scores and can be
switched on (``prune_from``).

``LocalCandidates`` is the candidate-source protocol the ``Searcher`` speaks; another store
(a server-side one) offers the same six calls.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from askbj.index import dense
from askbj.retrieve.bm25_top import Bm25, Postings, Pruned, Scored


class CandidateSource(Protocol):
    size: int

    def dense_top(self, query: np.ndarray, n: int, rows: np.ndarray | None) -> np.ndarray: ...

    def dense_lowest(self, query: np.ndarray) -> int: ...

    def dense_scores(self, query: np.ndarray, ids: np.ndarray) -> np.ndarray: ...

    def bm25_nonzero(self, terms: list[str]) -> tuple[np.ndarray, np.ndarray]: ...

    def bm25(self, terms: list[str]) -> Bm25: ...

    def knows(self, term: str) -> bool: ...


class LocalCandidates:
    """Candidates from an in-memory ``Index`` (its FAISS index and bm25s retriever)."""

    def __init__(self, index: Any, prune_from: int | None = None) -> None:
        """``prune_from``: BM25's top is taken from postings pruned by term bounds for a
        question whose terms have at least this many postings (None: never; adding every
        posting into one array was faster on every corpus measured, bench/RESULTS.md)."""
        self.size = len(index.chunks)
        self.prune_from = prune_from
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
        self._postings = None
        if isinstance(matrix, dict) and "indptr" in matrix:
            self._postings = Postings.of(matrix, self.size)

    def dense_top(self, query: np.ndarray, n: int, rows: np.ndarray | None) -> np.ndarray:
        return dense.top(self._dense, query, n, rows)

    def dense_lowest(self, query: np.ndarray) -> int:
        return dense.lowest(self._dense, query)

    def dense_scores(self, query: np.ndarray, ids: np.ndarray) -> np.ndarray:
        return np.asarray(self._vectors[ids] @ query, dtype=np.float32)

    def knows(self, term: str) -> bool:
        return term in self._vocab

    def _ids(self, terms: list[str]) -> list[int]:
        return [self._vocab[t] for t in terms if t in self._vocab]

    def bm25_nonzero(self, terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(positions ascending, scores) of every passage with a BM25 score above zero: the
        same float32 sums as ``bm25s.BM25.get_scores`` (term by term, in query order)."""
        scored = self._all(terms)
        return scored.ids, scored.values

    def _all(self, terms: list[str]) -> Scored:
        ids = self._ids(terms)
        if not ids:
            return Scored(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), self.size)
        if self._postings is None:
            full = np.asarray(self._bm25.get_scores(terms), dtype=np.float32)
            rows = np.flatnonzero(full > 0)
            return Scored(rows.astype(np.int64), full[rows], self.size)
        return self._postings.full(ids)

    def bm25(self, terms: list[str]) -> Bm25:
        """BM25 of a question for search: every passage's sum in one float32 array (or, from
        ``prune_from`` postings, pruned postings when all weights are positive)."""
        ids = self._ids(terms)
        postings = self._postings
        if postings is None or not ids:
            return self._all(terms)
        if self.prune_from is not None and postings.positive:
            return Pruned(postings, ids, self.prune_from)
        if postings.data.dtype == np.float32:
            return postings.summed(ids)
        return self._all(terms)
