"""Candidates from a Milvus store: the same six calls as ``LocalCandidates``, so the
``Searcher`` (fusion, anchors, duplicate folding) runs unchanged on top.

Positions are those of ``index.chunks`` (the passages loaded at start, in corpus order);
Milvus answers with chunk ids, which map back to them (an id this process did not load, from
an ingest since it started, is left out). Where Milvus cannot give what the local store
gives exactly, the nearest it can:

- ``dense_top`` is Milvus's HNSW top (ef at least 1024, as the FAISS store's HNSW), at most
  16,384 passages; a document filter is a ``doc_id in [...]`` expression. The hits come
  with their vectors, kept for ``dense_scores``.
- ``dense_lowest`` is the top of the negated query: the passage least like the question,
  exact on a flat index, HNSW's approximation otherwise. It is asked in the same search as
  the dense top the searcher asks next (``first`` passages, its first depth), which is kept
  for that call: one round trip instead of two (each costs 0.1 s on Milvus Lite at 100k).
- ``dense_scores`` multiplies the question by the passages' vectors: those the dense top
  brought, the others fetched by id once; all kept (a float32 matrix the size of the index,
  filled as passages are met: memory only for the vectors read).
- ``bm25_nonzero`` is exact, every passage sharing a term with the question, as the FAISS
  store's: the passages' BM25 sparse vectors (``askbj.index.sparse``) are read from Milvus
  once, when the first question is asked, and kept as postings per term (8 bytes a
  term occurrence). Asking Milvus instead, for a top ``k`` of its sparse index, cost a
  round trip whose time grows with ``k`` (Milvus Lite: 0.7 s for the best 4,096 of 10k
  passages) and left the searcher's bound unproven past ``k``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from askbj.retrieve.bm25_top import Bm25, Summed
from askbj.retrieve.fusion import Fusion

_NONE = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class Postings:
    """BM25 sparse vectors by term: term ``t``'s passages are ``rows[start[t]:start[t+1]]``
    (positions ascending) with weights ``weights[...]`` (float32, as Milvus keeps them)."""

    start: np.ndarray
    rows: np.ndarray
    weights: np.ndarray

    @classmethod
    def build(cls, vectors: Iterable[tuple[str, dict[int, float]]],
              pos: dict[str, int]) -> Postings:
        terms, rows, weights = [], [], []
        for chunk_id, vector in vectors:
            at = pos.get(chunk_id)
            if at is None or not vector:
                continue
            terms.append(np.fromiter(vector.keys(), np.int64, len(vector)))
            weights.append(np.fromiter(vector.values(), np.float32, len(vector)))
            rows.append(np.full(len(vector), at, dtype=np.int32))
        if not terms:
            return cls(np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32))
        t, r, w = np.concatenate(terms), np.concatenate(rows), np.concatenate(weights)
        order = np.lexsort((r, t))
        start = np.searchsorted(t[order], np.arange(int(t.max()) + 2))
        return cls(start.astype(np.int64), r[order], w[order])

    def scores(self, query: dict[int, float], size: int) -> np.ndarray:
        """The inner product with every passage, summed term by term in the query's order
        (float64 sums of float32 products, as Milvus Lite's sparse search, then float32)."""
        sums = np.zeros(size, dtype=np.float64)
        top = len(self.start) - 1
        for term, weight in query.items():
            if 0 <= term < top:
                a, b = int(self.start[term]), int(self.start[term + 1])
                sums[self.rows[a:b]] += np.float64(np.float32(weight)) * self.weights[a:b]
        return sums.astype(np.float32)


class MilvusCandidates:
    """Candidates from the Milvus store an ``Index`` was loaded from (``index.remote``)."""

    def __init__(self, index: Any, first: int | None = None) -> None:
        self.size = len(index.chunks)
        fusion = Fusion()
        self._first = first or max(fusion.candidates, self.size // fusion.depth_per)
        self._next: tuple[bytes, np.ndarray] | None = None  # the dense top asked ahead
        self._store = index.remote
        self._terms = index.terms
        self._ids = [c.chunk_id for c in index.chunks]
        self._pos = {cid: i for i, cid in enumerate(self._ids)}
        self._doc = [c.doc_id for c in index.chunks]
        self._per_doc = Counter(self._doc)
        self._vectors = np.zeros((self.size, index.manifest.dim), dtype=np.float32)
        self._have = np.zeros(self.size, dtype=bool)
        self._postings: Postings | None = None

    @property
    def postings(self) -> Postings:
        """The BM25 postings, read from Milvus on first use."""
        if self._postings is None:
            self._postings = Postings.build(self._store.sparse_vectors(), self._pos)
        return self._postings

    def _where(self, rows: np.ndarray | None) -> str:
        """The filter expression for positions ``rows`` (all passages of some documents, as
        the searcher asks; any other set is named passage by passage)."""
        if rows is None:
            return ""
        docs = sorted({self._doc[int(i)] for i in rows})
        if sum(self._per_doc[d] for d in docs) == len(rows):
            return f"doc_id in {json.dumps(docs, ensure_ascii=False)}"
        ids = [self._ids[int(i)] for i in rows]
        return f"chunk_id in {json.dumps(ids, ensure_ascii=False)}"

    def dense_top(self, query: np.ndarray, n: int, rows: np.ndarray | None) -> np.ndarray:
        if n <= 0 or (rows is not None and not len(rows)):
            return _NONE
        ahead, self._next = self._next, None
        key = np.asarray(query, np.float32).tobytes()
        if rows is None and ahead is not None and ahead[0] == key and n == self._first:
            return ahead[1]
        return self._keep(self._store.dense_with_vectors(query, n, self._where(rows)))

    def _keep(self, hits: list[tuple[str, float, Any]]) -> np.ndarray:
        """Positions of ``hits`` (best first), their vectors kept for ``dense_scores``."""
        found = [(self._pos[k], v) for k, _, v in hits if k in self._pos]
        ids = np.fromiter((i for i, _ in found), np.int64, len(found))
        fresh = [(i, v) for i, v in found if not self._have[i] and v is not None]
        if fresh:
            at = np.fromiter((i for i, _ in fresh), np.int64, len(fresh))
            self._vectors[at] = np.asarray([v for _, v in fresh], dtype=np.float32)
            self._have[at] = True
        return ids

    def dense_lowest(self, query: np.ndarray) -> int:
        query = np.asarray(query, np.float32)
        top, low = self._store.dense_many([query, -query], min(self._first, self.size))
        self._next = (query.tobytes(), self._keep(top))
        known = self._keep(low[:1])
        return int(known[0]) if len(known) else 0

    def dense_scores(self, query: np.ndarray, ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        missing = ids[~self._have[ids]]
        if len(missing):
            found = self._store.vectors([self._ids[int(i)] for i in missing])
            for i in missing:
                vector = found.get(self._ids[int(i)])
                if vector is not None:  # a passage deleted since this process loaded: 0
                    self._vectors[int(i)] = vector
            self._have[missing] = True
        return np.asarray(self._vectors[ids] @ query, dtype=np.float32)

    def knows(self, term: str) -> bool:
        return bool(self._terms.knows(term))

    def bm25_nonzero(self, terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(positions ascending, scores) of every passage with a BM25 score above zero:
        bm25s's scores (the sparse vectors' inner product, ``askbj.index.sparse``)."""
        query = self._terms.query(terms)
        if not query:
            return _NONE, np.zeros(0, dtype=np.float32)
        scores = self.postings.scores(query, self.size)
        rows = np.flatnonzero(scores > 0)
        return rows.astype(np.int64), scores[rows]

    def bm25(self, terms: list[str]) -> Bm25:
        """BM25 of a question for search: every passage's score in one float32 array (the
        scores ``bm25_nonzero`` reads)."""
        query = self._terms.query(terms)
        if not query:
            return Summed(np.zeros(self.size, dtype=np.float32))
        return Summed(self.postings.scores(query, self.size))
