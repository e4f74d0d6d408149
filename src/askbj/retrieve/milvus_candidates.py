"""Candidates from a Milvus store: the same five calls as ``LocalCandidates``, so the
``Searcher`` (fusion, anchors, duplicate folding) runs unchanged on top.

Positions are those of ``index.chunks`` (the passages loaded at start, in corpus order);
Milvus answers with chunk ids, which map back to them (an id this process did not load, from
an ingest since it started, is left out). Where Milvus cannot give what the local store
gives exactly, the nearest it can:

- ``dense_top`` is Milvus's HNSW top (ef at least 1024, as the FAISS store's HNSW), at most
  16,384 passages; a document filter is a ``doc_id in [...]`` expression.
- ``dense_lowest`` is the top of the negated query: the passage least like the question,
  exact on a flat index, HNSW's approximation otherwise.
- ``dense_scores`` multiplies the question by the passages' vectors, fetched by id once and
  kept (a float32 matrix the size of the index, filled as passages are met: memory only for
  the vectors read).
- ``bm25_nonzero`` returns the ``bm25_limit`` best BM25 matches (default 4,096), not every
  passage sharing a term: exact whenever fewer match. The searcher's bound for passages
  outside its BM25 candidates is then still right as long as its depth stays below the limit;
  past it (only when the fused order cannot be proven at depth 4,096) the bound may be low.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import numpy as np

from askbj.index.milvus import MAX_TOPK

_NONE = np.zeros(0, dtype=np.int64)


class MilvusCandidates:
    """Candidates from the Milvus store an ``Index`` was loaded from (``index.remote``)."""

    def __init__(self, index: Any, bm25_limit: int = 4096) -> None:
        self.size = len(index.chunks)
        self._store = index.remote
        self._terms = index.terms
        self._bm25_limit = min(bm25_limit, MAX_TOPK)
        self._ids = [c.chunk_id for c in index.chunks]
        self._pos = {cid: i for i, cid in enumerate(self._ids)}
        self._doc = [c.doc_id for c in index.chunks]
        self._per_doc = Counter(self._doc)
        self._vectors = np.zeros((self.size, index.manifest.dim), dtype=np.float32)
        self._have = np.zeros(self.size, dtype=bool)

    def _positions(self, hits: list[tuple[str, float]]) -> tuple[np.ndarray, np.ndarray]:
        known = [(self._pos[k], s) for k, s in hits if k in self._pos]
        ids = np.fromiter((i for i, _ in known), np.int64, len(known))
        return ids, np.fromiter((s for _, s in known), np.float32, len(known))

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
        return self._positions(self._store.dense(query, n, self._where(rows)))[0]

    def dense_lowest(self, query: np.ndarray) -> int:
        ids, _ = self._positions(self._store.dense(-np.asarray(query, np.float32), 1))
        return int(ids[0]) if len(ids) else 0

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
        """(positions ascending, scores) of the best BM25 matches: bm25s's scores (the
        sparse vectors' inner product, ``askbj.index.sparse``)."""
        query = self._terms.query(terms)
        if not query:
            return _NONE, np.zeros(0, dtype=np.float32)
        ids, scores = self._positions(self._store.bm25(query, min(self.size,
                                                                  self._bm25_limit)))
        keep = scores > 0
        order = np.argsort(ids[keep], kind="stable")
        return ids[keep][order], scores[keep][order]
