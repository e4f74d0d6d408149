"""Milvus candidates without a server: BM25 from the passages' sparse vectors, read once and
exact (every passage sharing a term, not a top k), and the dense top's vectors kept."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from askbj.index import sparse
from askbj.records import Chunk
from askbj.retrieve.milvus_candidates import MilvusCandidates, Postings

TEXTS = [["北京", "数据"], ["上海", "数据", "数据"], ["算力"], ["北京", "上海"], []]


class FakeStore:
    """What ``MilvusCandidates`` asks of a ``MilvusStore``, counting the round trips."""

    def __init__(self, terms: sparse.Terms, vectors: np.ndarray) -> None:
        self.rows = {str(i): terms.passage(t) for i, t in enumerate(TEXTS)}
        self.rows["gone"] = {0: 1.0}  # ingested after this process loaded: left out
        self.vectors_of = {str(i): v for i, v in enumerate(vectors)}
        self.calls: list[str] = []

    def sparse_vectors(self) -> Any:
        self.calls.append("sparse")
        return iter(self.rows.items())

    def dense_with_vectors(self, query: np.ndarray, n: int, where: str = "") -> Any:
        return self.dense_many([query], n, where)[0]

    def dense_many(self, queries: list[np.ndarray], n: int, where: str = "") -> Any:
        self.calls.append("dense")
        out = []
        for query in queries:
            order = sorted(self.vectors_of, key=lambda k: -float(self.vectors_of[k] @ query))
            out.append([(k, float(self.vectors_of[k] @ query), self.vectors_of[k].tolist())
                        for k in order[:n]])
        return out

    def vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        self.calls.append("vectors")
        return {k: self.vectors_of[k] for k in ids}


def _source(first: int | None = None) -> tuple[MilvusCandidates, FakeStore, sparse.Terms]:
    terms = sparse.count(TEXTS)
    vectors = np.eye(len(TEXTS), 4, dtype=np.float32)
    vectors[4] = [-1.0, -1.0, 0.0, 0.0]  # the passage least like questions near 0 and 1
    store = FakeStore(terms, vectors)
    chunks = tuple(Chunk(str(i), f"d{i}", 0, 1, "x") for i in range(len(TEXTS)))
    index = SimpleNamespace(chunks=chunks, remote=store, terms=terms,
                            manifest=SimpleNamespace(dim=4))
    return MilvusCandidates(index, first), store, terms


def test_bm25_is_every_match_with_the_sparse_inner_product_read_once() -> None:
    source, store, terms = _source()
    ids, scores = source.bm25_nonzero(["数据", "北京"])
    assert ids.tolist() == [0, 1, 3]  # every passage with either term, positions ascending
    query = terms.query(["数据", "北京"])
    for i, score in zip(ids, scores, strict=True):
        row = store.rows[str(int(i))]
        expected = sum(w * row.get(t, 0.0) for t, w in query.items())
        assert abs(float(score) - expected) < 1e-5
    assert source.bm25_nonzero(["没有的词"])[0].size == 0
    source.bm25_nonzero(["算力"])
    assert store.calls.count("sparse") == 1  # postings kept after the first question


def test_postings_leave_out_unknown_passages_and_empty_vectors() -> None:
    postings = Postings.build([("a", {3: 0.5, 1: 0.25}), ("zzz", {1: 9.0}), ("b", {})],
                              {"a": 0, "b": 1})
    scores = postings.scores({1: 2.0, 3: 1.0, 99: 5.0}, 2)
    assert scores.tolist() == [1.0, 0.0]  # 0.25*2 + 0.5*1; "zzz" unknown, 99 no such term
    empty = Postings.build([], {})
    assert empty.scores({0: 1.0}, 3).tolist() == [0.0, 0.0, 0.0]


def test_dense_top_brings_the_vectors_dense_scores_needs() -> None:
    source, store, _ = _source()
    query = np.array([0.0, 1.0, 0.0, 0.0], dtype=np.float32)
    top = source.dense_top(query, 2, None)
    assert top[0] == 1
    scores = source.dense_scores(query, top)
    assert scores.tolist()[0] == 1.0
    assert "vectors" not in store.calls  # no second round trip for the top's vectors
    source.dense_scores(query, np.array([4], dtype=np.int64))
    assert store.calls.count("vectors") == 1


def test_the_lowest_and_the_first_dense_top_are_one_round_trip() -> None:
    source, store, _ = _source(first=2)
    query = np.array([1.0, 0.0, 0.0, 0.0], dtype=np.float32)
    assert source.dense_lowest(query) == 4
    assert source.dense_top(query, 2, None).tolist()[0] == 0  # kept from the same search
    assert store.calls == ["dense"]
    assert source.dense_top(query, 2, None).tolist()[0] == 0  # used once, then asked again
    assert source.dense_top(query, 3, None).tolist()[:1] == [0]  # another depth: asked
    assert store.calls == ["dense"] * 3
    source.dense_scores(query, np.array([0, 4], dtype=np.int64))
    assert "vectors" not in store.calls  # the lowest's vector came with it too
