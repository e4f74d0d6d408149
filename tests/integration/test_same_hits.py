"""Candidate search gives the hits the full scan gave: every committed question set, every
mode, with and without a document filter, against ``tests/data/hits_baseline.json`` (written
by ``hits_baseline.py`` with every passage a candidate: a full scan)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import numpy as np
import pytest
from hits_baseline import BASELINE, hits_of

from askbj.retrieve.candidates import LocalCandidates
from askbj.retrieve.fusion import Fusion
from askbj.retrieve.searcher import Searcher


class _Memo:
    """The real encoder, each question embedded once (the comparison runs 7 searches each)."""

    def __init__(self, encoder: Any) -> None:
        self.name, self._encoder = encoder.name, encoder
        self._one = lru_cache(maxsize=None)(lambda t: encoder.embed_queries([t])[0])

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._one(t) for t in texts])


@pytest.fixture(scope="module")
def memo_searcher(real_searcher: Searcher) -> Searcher:
    return Searcher(real_searcher.index, _Memo(real_searcher.encoder), real_searcher.domain)


def _differences(found: dict, expected: dict) -> list[str]:  # type: ignore[type-arg]
    out = []
    for qid, cases in expected.items():
        for case, hits in cases.items():
            got = found[qid][case]
            if [(h[0], h[2]) for h in got] != [(h[0], h[2]) for h in hits]:
                out.append(f"{qid} {case}")
            elif not np.allclose([h[1] for h in got], [h[1] for h in hits], atol=1e-5):
                out.append(f"{qid} {case} (scores)")
    return out


def test_candidate_search_gives_the_full_scans_hits(memo_searcher: Searcher) -> None:
    expected = json.loads(BASELINE.read_text(encoding="utf-8"))
    assert len(expected) > 150  # every committed set
    assert _differences(hits_of(memo_searcher), expected) == []


def test_shallow_candidates_still_give_the_same_hits(memo_searcher: Searcher) -> None:
    """At a depth far below the corpus size the union must deepen itself to stay exact."""
    shallow = Searcher(memo_searcher.index, memo_searcher.encoder, memo_searcher.domain,
                       Fusion(candidates=4))
    expected = json.loads(BASELINE.read_text(encoding="utf-8"))
    assert _differences(hits_of(shallow), expected) == []


@pytest.mark.parametrize("candidates", [512, 4])
def test_pruned_bm25_gives_the_same_hits(memo_searcher: Searcher, candidates: int) -> None:
    """BM25's top taken from postings pruned by term bounds (which the real corpus is too
    small to switch on by itself) changes no hit and no score on any committed set, at the
    shipped depth and at one that must deepen."""
    source = LocalCandidates(memo_searcher.index, prune_from=0)
    pruned = Searcher(memo_searcher.index, memo_searcher.encoder, memo_searcher.domain,
                      Fusion(candidates=candidates), source=source)
    expected = json.loads(BASELINE.read_text(encoding="utf-8"))
    found = hits_of(pruned)
    assert _differences(found, expected) == []
    if candidates == 512:  # and bit for bit what the full sum gives today
        assert found == hits_of(memo_searcher)
