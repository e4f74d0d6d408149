"""Candidate search gives the hits a full scan gives: every committed question set, every
mode, with and without a document filter.

The full scan is the same searcher with every passage a candidate (``Fusion(candidates=N)``
for N passages), computed here on this machine. (A frozen file of hits written on one machine
failed on another: dense scores differ in their last bits between CPUs' kernels, enough to
reorder near ties; the property is candidate search against the full scan, not one machine's
floats.)"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from askbj.retrieve.candidates import LocalCandidates
from askbj.retrieve.fusion import Fusion
from askbj.retrieve.searcher import Searcher

REPO = Path(__file__).resolve().parents[2]
FILTER = ("003", "004")
CASES: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("hybrid", 10, ()), ("dense", 10, ()), ("bm25", 10, ()), ("hybrid", 50, ()),
    ("hybrid", 10, FILTER), ("dense", 10, FILTER), ("bm25", 10, FILTER),
)
Hits = dict[str, dict[str, list[list[Any]]]]


def _questions() -> list[tuple[str, str]]:
    out = []
    for path in sorted((REPO / "eval").glob("questions*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out.append((f"{path.name}:{row['id']}", row["question"]))
    return out


def _hits_of(searcher: Searcher) -> Hits:
    found: Hits = {}
    for qid, text in _questions():
        found[qid] = {}
        for mode, k, docs in CASES:
            hits = searcher.search(text, k=k, mode=mode, doc_ids=set(docs) or None)
            name = f"{mode}/k{k}" + (f"/docs={','.join(docs)}" if docs else "")
            found[qid][name] = [[h.chunk.chunk_id, h.score, list(h.alternates)] for h in hits]
    return found


class _Memo:
    """The real encoder, each question embedded once (the comparison runs 35 searches each)."""

    def __init__(self, encoder: Any) -> None:
        self.name, self._encoder = encoder.name, encoder
        self._one = lru_cache(maxsize=None)(lambda t: encoder.embed_queries([t])[0])

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._one(t) for t in texts])


@pytest.fixture(scope="module")
def memo_searcher(real_searcher: Searcher) -> Searcher:
    return Searcher(real_searcher.index, _Memo(real_searcher.encoder), real_searcher.domain)


@pytest.fixture(scope="module")
def full_scan(memo_searcher: Searcher) -> Hits:
    every = len(memo_searcher.index.chunks)
    scan = Searcher(memo_searcher.index, memo_searcher.encoder, memo_searcher.domain,
                    Fusion(candidates=every))
    return _hits_of(scan)


@pytest.fixture(scope="module")
def shipped(memo_searcher: Searcher) -> Hits:
    return _hits_of(memo_searcher)


def _differences(found: Hits, expected: Hits) -> list[str]:
    out = []
    for qid, cases in expected.items():
        for case, hits in cases.items():
            got = found[qid][case]
            if [(h[0], h[2]) for h in got] != [(h[0], h[2]) for h in hits]:
                out.append(f"{qid} {case}")
            elif not np.allclose([h[1] for h in got], [h[1] for h in hits], atol=1e-5):
                out.append(f"{qid} {case} (scores)")
    return out


def test_the_full_scan_is_a_real_reference(memo_searcher: Searcher, full_scan: Hits) -> None:
    """Every committed set is searched in every case, and the shallow depth the tests below
    use is far below the corpus size, so they do exercise the deepening."""
    assert len(full_scan) > 150
    assert all(len(cases) == len(CASES) for cases in full_scan.values())
    assert all(len(cases["hybrid/k50"]) == 50 for cases in full_scan.values())
    assert len(memo_searcher.index.chunks) > 10 * 4


def test_candidate_search_gives_the_full_scans_hits(shipped: Hits, full_scan: Hits) -> None:
    assert _differences(shipped, full_scan) == []


def test_shallow_candidates_still_give_the_same_hits(memo_searcher: Searcher,
                                                     full_scan: Hits) -> None:
    """At a depth far below the corpus size the union must deepen itself to stay exact."""
    shallow = Searcher(memo_searcher.index, memo_searcher.encoder, memo_searcher.domain,
                       Fusion(candidates=4))
    assert _differences(_hits_of(shallow), full_scan) == []


@pytest.mark.parametrize("candidates", [512, 4])
def test_pruned_bm25_gives_the_same_hits(memo_searcher: Searcher, full_scan: Hits,
                                         shipped: Hits, candidates: int) -> None:
    """BM25's top taken from postings pruned by term bounds (which the real corpus is too
    small to switch on by itself) changes no hit and no score on any committed set, at the
    shipped depth and at one that must deepen."""
    source = LocalCandidates(memo_searcher.index, prune_from=0)
    pruned = Searcher(memo_searcher.index, memo_searcher.encoder, memo_searcher.domain,
                      Fusion(candidates=candidates), source=source)
    found = _hits_of(pruned)
    assert _differences(found, full_scan) == []
    if candidates == 512:  # and bit for bit what the full sum gives
        assert found == shipped
