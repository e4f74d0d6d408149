"""Hybrid retrieval: dense (cross-lingual) and BM25 (exact terms), fused, de-duplicated.

Dense search carries English questions to Chinese passages; BM25 nails numbers, names and
rare terms. Both score lists are min-max scaled
and mixed (0.5 dense + 0.5 BM25, chosen over reciprocal-rank fusion, which
diluted BM25's precise Chinese matches); a question with no BM25 match is ranked by dense
alone. A question's numbers and places are anchors (see ``support``): in hybrid mode a
passage lacking them loses up to ``ANCHOR_PENALTY``, since a passage about 2023 rarely
answers a question about 2024 however alike the wording. The same article in two scripts
must not fill two top slots, so near-duplicate passages are folded into one hit that lists
the other as an alternate.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from askbj.config import MODES
from askbj.domain import Domain, load_domain
from askbj.errors import AskbjError
from askbj.index.store import Index
from askbj.records import Chunk, Hit
from askbj.retrieve.anchors import find_anchors, share_met
from askbj.retrieve.expand import to_chinese
from askbj.text.lang import is_english
from askbj.text.normalize import fold, squash, tokenize

MAX_QUESTION = 2000
# Min-max fused. 0.6 was best on the dev set before the English glossary made BM25 reliable
# for English; since then 0.5 scores as well on dev and better on two later sets
# (bench/tune_fusion.py, bench/RESULTS.md).
DENSE_WEIGHT = 0.5
# Any value from 0.4 to 1.0 scored the same on the dev and check sets (bench/tune_fusion.py).
ANCHOR_PENALTY = 0.5
_ANCHOR_POOL = 100  # only the best-fused passages can be reordered by anchors
DUP_OVERLAP = 0.5
# Lone surrogates: what a terminal's non-UTF-8 bytes become in sys.argv (surrogateescape);
# every C library below (OpenCC, the model) refuses them with UnicodeEncodeError.
SURROGATES = re.compile("[\ud800-\udfff]")


class QueryEncoder(Protocol):
    @property
    def name(self) -> str: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Query:
    """A checked question: ``text`` is what is searched, ``notice`` tells the user of changes."""

    text: str
    notice: str = ""


def prepare_query(question: str) -> Query:
    """Reject empty questions, truncate huge ones (with a notice) so they are still answered."""
    text = SURROGATES.sub("\ufffd", question or "").strip()
    if not text:
        raise AskbjError(
            "The question is empty: type a question in Chinese or English.")
    if len(text) > MAX_QUESTION:
        notice = (f"The question was {len(text)} characters long; "
                  f"only the first {MAX_QUESTION} were used.")
        return Query(text[:MAX_QUESTION], notice)
    return Query(text)


def _anchor_context(chunks: list[Chunk]) -> list[str]:
    """What a passage's anchors are looked for in: its headings, itself, and the passage
    before it in the same section, where "2023年,北京市…" often opens what it continues."""
    out, previous = [], None
    for c in chunks:
        same = previous and (previous.doc_id, previous.section) == (c.doc_id, c.section)
        out.append(squash(" ".join((*c.section, previous.text if same else "", c.text))))
        previous = c
    return out


def _shingles(text: str) -> frozenset[str]:
    squashed = re.sub(r"\W+", "", fold(text))
    return frozenset(squashed[i : i + 3] for i in range(max(0, len(squashed) - 2)))


class Searcher:
    """Searches one loaded index; safe to share between threads (the encoder locks itself)."""

    def __init__(self, index: Index, encoder: QueryEncoder, domain: Domain | None = None) -> None:
        self.index = index
        self.encoder = encoder
        self.domain = domain or load_domain()
        self._shingles = [_shingles(c.text) for c in index.chunks]
        self._flat = _anchor_context(index.chunks)
        self._flat_by_id = {c.chunk_id: f for c, f in zip(index.chunks, self._flat, strict=True)}
        self._titles = {d.doc_id: squash(d.title) for d in index.documents}
        self._lock = threading.Lock()

    def search(
        self, question: str, k: int = 10, mode: str = "hybrid", doc_ids: set[str] | None = None
    ) -> list[Hit]:
        if mode not in MODES:
            raise AskbjError(f"Unknown search mode {mode!r}: use one of {', '.join(MODES)}.")
        query = prepare_query(question)
        order, scores = self.rank(query.text, mode)
        if doc_ids:
            order = [i for i in order if self.index.chunks[i].doc_id in doc_ids]
        return self._collapse(order, scores, k)

    def rank(self, text: str, mode: str) -> tuple[list[int], dict[int, float]]:
        """All chunk positions, best first, with the score each was ranked by."""
        if not self.index.chunks:
            return [], {}
        if mode == "dense":
            return _ranked(self.dense_scores(text))
        if mode == "bm25":
            return _ranked(self.bm25_scores(text), drop_zero=True)
        fused = DENSE_WEIGHT * _minmax(self.dense_scores(text)) + (1 - DENSE_WEIGHT) * _minmax(
            self.bm25_scores(text))
        return _ranked(self._anchored(text, fused))

    def anchor_context(self, chunk: Chunk) -> str:
        """Squashed text in which ``chunk`` meets a question's anchors (``_anchor_context``)."""
        return self._flat_by_id.get(chunk.chunk_id) or squash(" ".join((*chunk.section,
                                                                        chunk.text)))

    def _anchored(self, text: str, fused: np.ndarray) -> np.ndarray:
        """``fused`` lowered for passages missing the question's numbers or places."""
        numbers, places = find_anchors(text, self.domain)
        if not numbers and not places:
            return fused
        out = fused.copy()
        for i in np.argsort(-fused, kind="stable")[:_ANCHOR_POOL]:
            chunk = self.index.chunks[i]
            met = share_met(numbers, places, self._flat[i], self._titles.get(chunk.doc_id, ""))
            out[i] -= ANCHOR_PENALTY * (1.0 - met)
        return out

    def dense_scores(self, text: str) -> np.ndarray:
        vector = self.encoder.embed_queries([text])[0]
        return self.index.vectors @ vector.astype(np.float32)

    def bm25_scores(self, text: str) -> np.ndarray:
        vocab = self.index.bm25.vocab_dict
        terms = tokenize(text)
        if is_english(fold(text)):
            terms += to_chinese(text, vocab.__contains__, self.domain)
        folded = fold(text)
        terms += [t for a, alts in self.domain.abbreviations.items() if a in folded
                  for alt in alts for t in tokenize(alt)]
        terms = [t for t in terms if t in vocab]
        if not terms:
            return np.zeros(len(self.index.chunks), dtype=np.float32)
        with self._lock:
            return np.asarray(self.index.bm25.get_scores(terms), dtype=np.float32)

    def _collapse(self, order: list[int], scores: dict[int, float], k: int) -> list[Hit]:
        """Top ``k`` hits, each near-duplicate from another document folded into the first."""
        kept: list[tuple[int, list[str]]] = []
        for i in order[: max(50, 5 * k)]:
            twin = self._twin(i, [j for j, _ in kept])
            if twin is None:
                if len(kept) < k:
                    kept.append((i, []))
            else:
                kept[twin][1].append(self.index.chunks[i].chunk_id)
        chunks: tuple[Chunk, ...] = self.index.chunks
        return [
            Hit(chunks[i], rank, float(scores.get(i, 0.0)), tuple(alts))
            for rank, (i, alts) in enumerate(kept, start=1)
        ]

    def _twin(self, i: int, kept: list[int]) -> int | None:
        mine = self._shingles[i]
        doc = self.index.chunks[i].doc_id
        for pos, j in enumerate(kept):
            other = self._shingles[j]
            if self.index.chunks[j].doc_id == doc or not mine or not other:
                continue
            if len(mine & other) / min(len(mine), len(other)) >= DUP_OVERLAP:
                return pos
        return None


def _minmax(scores: np.ndarray) -> np.ndarray:
    """Rescale to [0, 1] so dense and BM25 scores can be mixed; constant scores become 0."""
    span = float(scores.max() - scores.min()) if len(scores) else 0.0
    return (scores - scores.min()) / span if span > 0 else np.zeros_like(scores)


def _ranked(scores: np.ndarray, drop_zero: bool = False) -> tuple[list[int], dict[int, float]]:
    order = [int(i) for i in np.argsort(-scores, kind="stable")]
    if drop_zero:
        order = [i for i in order if scores[i] > 0]
    return order, {i: float(scores[i]) for i in order}
