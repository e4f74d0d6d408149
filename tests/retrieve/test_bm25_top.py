"""BM25's top read from the full sum's array, and from pruned postings, is the top of the
passages above zero: the same passages, ties and all, the same float32 scores bit for bit,
the same score range; and pruning does prune."""

from __future__ import annotations

import numpy as np
import pytest

from askbj.retrieve.bm25_top import Postings, Pruned, Scored, Summed


def _corpus(rng: np.random.Generator, passages: int, vocab: int, ties: bool = False,
            everyone: bool = False) -> Postings:
    """A bm25s-shaped term × passage matrix: Zipf-like term frequencies (a few terms in most
    passages, most terms in few), positive float32 weights (coarse ones when ``ties``);
    ``everyone``: term 0 is in every passage."""
    df = np.maximum(1, (passages * 0.9 / np.arange(1, vocab + 1) ** 0.8).astype(int))
    if everyone:
        df[0] = passages
    columns = [np.sort(rng.choice(passages, int(d), replace=False)) for d in df]
    idf = np.log(1 + (passages - df + 0.5) / (df + 0.5))
    weights = []
    for d, w in zip(df, idf, strict=True):
        tf = rng.random(int(d))
        weights.append(np.round(tf * 4) / 4 * w + w / 4 if ties else (0.3 + 0.7 * tf) * w)
    indptr = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
    matrix = {"indptr": indptr, "indices": np.concatenate(columns).astype(np.int32),
              "data": np.concatenate(weights).astype(np.float32)}
    return Postings.of(matrix, passages)


def _query(rng: np.random.Generator, vocab: int) -> list[int]:
    """Some common terms, some rare ones, a repeat, in no particular order."""
    terms = list(rng.choice(min(vocab, 12), rng.integers(1, 5), replace=False))
    terms += list(rng.choice(vocab, rng.integers(0, 6), replace=False))
    if rng.random() < 0.5:
        terms.append(terms[0])
    rng.shuffle(terms)
    return [int(t) for t in terms]


def _same_top(a: tuple[np.ndarray, np.ndarray, bool],
              b: tuple[np.ndarray, np.ndarray, bool]) -> None:
    oa, ob = np.argsort(a[0]), np.argsort(b[0])
    np.testing.assert_array_equal(a[0][oa], b[0][ob])
    assert a[1][oa].tobytes() == b[1][ob].tobytes()  # bit for bit
    assert a[2] == b[2]


@pytest.mark.parametrize("seed", range(6))
def test_pruned_top_is_the_full_sums_top(seed: int) -> None:
    rng = np.random.default_rng(seed)
    postings = _corpus(rng, passages=int(rng.integers(3000, 12000)), vocab=300,
                       ties=seed % 2 == 1, everyone=seed == 4)
    for _ in range(8):
        terms = _query(rng, 300)
        full = postings.full(terms)
        for n in (1, 7, 50, 400, 5000):
            pruned = Pruned(postings, terms, full_below=0)
            _same_top(pruned.top(n), full.top(n))
            assert pruned.range() == full.range()
            assert pruned._full is None or seed == 4  # the full sum was never needed
            ids = rng.choice(postings.size, 300, replace=False)
            assert pruned.scores(ids).tobytes() == full.scores(ids).tobytes()


@pytest.mark.parametrize("seed", range(3))
def test_pruned_top_within_rows_is_the_full_sums(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    postings = _corpus(rng, passages=8000, vocab=200, ties=seed == 1)
    for width in (5, 300, 4000):
        terms = _query(rng, 200)
        rows = np.sort(rng.choice(postings.size, width, replace=False)).astype(np.int64)
        full = postings.full(terms)
        for n in (1, 20, 500):
            _same_top(Pruned(postings, terms, full_below=0).top(n, rows), full.top(n, rows))


def test_pruning_scores_far_fewer_passages_than_share_a_term() -> None:
    rng = np.random.default_rng(7)
    postings = _corpus(rng, passages=20000, vocab=400)
    terms = [0, 1, 2, 150, 230, 310]  # three terms in most passages, three rare ones
    full = postings.full(terms)
    pruned = Pruned(postings, terms, full_below=0)
    survivors, _ = pruned._survivors(20)
    assert len(full.ids) > 15000
    assert len(survivors) < len(full.ids) / 20
    _same_top(pruned.top(20), full.top(20))


def test_every_passage_named_keeps_the_true_minimum() -> None:
    rng = np.random.default_rng(3)
    postings = _corpus(rng, passages=5000, vocab=100, everyone=True)
    for terms in ([0, 40], [0], [0, 0, 7]):
        full = postings.full(terms)
        low, high = Pruned(postings, terms, full_below=0).range()
        assert len(full.ids) == postings.size and low > 0
        assert (low, high) == full.range()
    low, _ = Pruned(postings, [1, 2, 3], full_below=0).range()
    assert low == 0


def test_no_term_and_no_passage() -> None:
    postings = _corpus(np.random.default_rng(1), passages=500, vocab=50)
    ids, scores, more = Pruned(postings, [], full_below=0).top(10)
    assert len(ids) == len(scores) == 0 and not more
    assert Pruned(postings, [], full_below=0).range() == (0, 0)
    empty = Scored(np.zeros(0, np.int64), np.zeros(0, np.float32), 500)
    assert empty.range() == (0, 0) and not empty.top(5)[2]


def test_below_the_threshold_it_sums_everything() -> None:
    postings = _corpus(np.random.default_rng(2), passages=2000, vocab=100)
    pruned = Pruned(postings, [0, 5, 9], full_below=10**9)
    _same_top(pruned.top(30), postings.full([0, 5, 9]).top(30))
    assert pruned._full is not None


def test_weights_not_all_positive_are_not_pruned() -> None:
    matrix = {"indptr": np.array([0, 2, 3]), "indices": np.array([0, 1, 1], np.int32),
              "data": np.array([0.5, -0.2, 1.0], np.float32)}
    assert not Postings.of(matrix, 2).positive
    assert Postings.of({**matrix, "data": np.abs(matrix["data"])}, 2).positive


@pytest.mark.parametrize("seed", range(4))
def test_the_summed_array_reads_as_the_passages_above_zero(seed: int) -> None:
    """``Summed`` (the array) answers as ``Scored`` (the passages above zero) does: with
    scores at or below zero, many ties, all passages above zero, or none."""
    rng = np.random.default_rng(200 + seed)
    size = int(rng.integers(2000, 9000))
    sums = (np.round(rng.random(size) * 6) / 2 if seed % 2 else rng.random(size)).astype(
        np.float32)
    sums[rng.random(size) < [0.5, 0.05, 0.0, 0.999][seed]] = 0
    sums[rng.random(size) < 0.01] = -0.5 if seed != 2 else 0.25
    summed = Summed(sums)
    above = np.flatnonzero(sums > 0)
    scored = Scored(above.astype(np.int64), sums[above], size)
    for n in (1, 3, 40, 700, 10**6):
        _same_top(summed.top(n), scored.top(n))
        rows = np.sort(rng.choice(size, int(rng.integers(1, size)), replace=False))
        _same_top(summed.top(n, rows), scored.top(n, rows))
    assert summed.range() == scored.range()
    ids = rng.choice(size, 500)
    assert summed.scores(ids).tobytes() == scored.scores(ids).tobytes()
    assert summed.scores(ids).dtype == np.float32


def test_the_summed_array_is_the_full_sum() -> None:
    postings = _corpus(np.random.default_rng(5), passages=3000, vocab=80)
    terms = [3, 0, 17, 3]
    full, summed = postings.full(terms), postings.summed(terms)
    _same_top(summed.top(25), full.top(25))
    assert summed.range() == full.range()
    np.testing.assert_array_equal(np.flatnonzero(summed.sums > 0), full.ids)
