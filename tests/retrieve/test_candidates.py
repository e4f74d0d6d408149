"""Candidate sources: FAISS flat/HNSW by size, one copy of the vectors, BM25 from postings."""

from __future__ import annotations

import numpy as np

from askbj.config import thread_policy
from askbj.index import dense


def _unit(rows: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(rows, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_flat_below_the_threshold_hnsw_above_and_one_copy_of_the_vectors() -> None:
    vectors = _unit(300)
    flat = dense.build(vectors, dense.DenseTuning(flat_below=1000))
    graph = dense.build(vectors, dense.DenseTuning(flat_below=100, ef_search=64))
    assert dense.is_exact(flat) and not dense.is_exact(graph)
    for index in (flat, graph):
        view = dense.vectors_of(index)
        np.testing.assert_array_equal(view, vectors)
        assert np.shares_memory(view, dense.vectors_of(index))  # a view, not a copy
        assert not view.flags.writeable


def test_top_finds_the_best_rows_and_respects_a_row_filter() -> None:
    vectors = _unit(500, seed=1)
    query = vectors[7]
    exact = np.argsort(-(vectors @ query))
    for tuning in (dense.DenseTuning(), dense.DenseTuning(flat_below=10, ef_search=200)):
        index = dense.build(vectors, tuning)
        assert set(dense.top(index, query, 10)) == set(exact[:10])
        rows = np.arange(0, 500, 2, dtype=np.int64)
        within = dense.top(index, query, 5, rows)
        assert set(within) <= set(rows.tolist())
        assert set(within) == set([i for i in exact if i % 2 == 0][:5])
        if dense.is_exact(index):
            assert dense.lowest(index, query) == exact[-1]


def test_bm25_candidates_are_bm25s_scores_exactly() -> None:
    from askbj.index.store import build_bm25
    from askbj.records import Chunk
    from askbj.retrieve.candidates import LocalCandidates

    texts = ["北京数字经济增加值", "上海数据交易所", "北京数据交易所与上海", "算力中心建设",
             "数字北京"]
    chunks = tuple(Chunk(str(i), "d", i, i + 1, t) for i, t in enumerate(texts))
    bm25 = build_bm25(chunks)

    class _Index:
        pass

    index = _Index()
    index.chunks, index.bm25, index.dense = chunks, bm25, None  # type: ignore[attr-defined]
    index.vectors = _unit(len(chunks))  # type: ignore[attr-defined]
    source = LocalCandidates(index)
    terms = ["北京", "数据", "交易所", "北京"]
    ids, scores = source.bm25_nonzero(terms)
    full = np.asarray(bm25.get_scores(terms), dtype=np.float32)
    np.testing.assert_array_equal(ids, np.flatnonzero(full > 0))
    assert scores.tobytes() == full[full > 0].tobytes()  # bit for bit
    assert source.bm25_nonzero(["没有的词"])[0].size == 0


def test_thread_policy_keeps_the_users_choice() -> None:
    env: dict[str, str] = {}
    thread_policy(env)
    assert env["OMP_WAIT_POLICY"] == "PASSIVE"
    mine = {"OMP_WAIT_POLICY": "ACTIVE"}
    thread_policy(mine)
    assert mine["OMP_WAIT_POLICY"] == "ACTIVE"
