"""Hybrid retrieval: dense (cross-lingual) and BM25 (exact terms), fused, de-duplicated.

Dense search carries English questions to Chinese passages; BM25 nails numbers, names and
rare terms. Both score lists are min-max scaled over the whole index and mixed
(``Fusion.dense_weight``); a question with no BM25 match is ranked by dense alone. A
question's numbers and places are anchors (see ``anchors``): in hybrid mode a passage
lacking them loses up to ``Fusion.anchor_penalty``, since a passage about 2023 rarely
answers a question about 2024 however alike the wording. The same article in two scripts
must not fill two top slots, so near-duplicate passages are folded into one hit that lists
the other as an alternate.

Every step works on candidates, not on all passages: the dense top from the FAISS index,
the passages sharing a term with the question from BM25's postings, fused over their
union. The fused order of the union is exact down to the best score a passage outside it
could reach (both its scores at most the last candidate's); when fewer passages than search
needs clear that bound, the candidate depth grows. The hits are therefore those of a full
scan (``tests/integration/test_same_hits.py``), at a cost that grows with the depth needed
rather than with the corpus.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Protocol

import numpy as np

from askbj.config import EVAL_MODES, MODES
from askbj.domain import Domain, load_domain
from askbj.errors import AskbjError
from askbj.index.store import Index
from askbj.records import Chunk, Hit
from askbj.retrieve.anchors import find_anchors, share_met
from askbj.retrieve.bm25_top import Bm25, lookup
from askbj.retrieve.candidates import CandidateSource, LocalCandidates
from askbj.retrieve.expand import to_chinese
from askbj.retrieve.fusion import Fusion
from askbj.retrieve.named import named_sources
from askbj.retrieve.rerank import by_sentence
from askbj.retrieve.spread import bring, compares_sources, spread
from askbj.text.lang import is_english
from askbj.text.normalize import (
    ASKING,
    fold,
    mainland_wording,
    squash,
    tokenize,
    without_surrogates,
)

MAX_QUESTION = 2000
_NO_IDS = np.zeros(0, dtype=np.int64)


class QueryEncoder(Protocol):
    @property
    def name(self) -> str: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Query:
    """A checked question: ``text`` is what is searched, ``notice`` tells the user of changes."""

    text: str
    notice: str = ""


def prepare_query(question: str, known: Callable[[str], bool] | None = None) -> Query:
    """Reject empty questions, truncate huge ones (with a notice) so they are still answered;
    with ``known`` (words the documents use), a traditional question's Taiwan wording becomes
    the documents' (``mainland_wording``)."""
    text = without_surrogates(question or "").strip()
    if not text:
        raise AskbjError(
            "The question is empty: type a question in Chinese or English.")
    if len(text) > MAX_QUESTION:
        notice = (f"The question was {len(text)} characters long; "
                  f"only the first {MAX_QUESTION} were used.")
        text = text[:MAX_QUESTION]
    else:
        notice = ""
    return Query(mainland_wording(text, known) if known else text, notice)


def anchor_text(chunks: Sequence[Chunk], i: int) -> str:
    """What passage ``i``'s anchors are looked for in: its headings, itself, and the passage
    before it in the same section, where "2023年,北京市…" often opens what it continues."""
    c, previous = chunks[i], chunks[i - 1] if i > 0 else None
    same = previous is not None and (previous.doc_id, previous.section) == (c.doc_id, c.section)
    return squash(" ".join((*c.section, previous.text if previous and same else "", c.text)))


def _anchor_context(chunks: Sequence[Chunk]) -> list[str]:
    """``anchor_text`` of every passage (for tests and tools; search computes it on demand)."""
    return [anchor_text(chunks, i) for i in range(len(chunks))]


def _shingles(text: str) -> frozenset[str]:
    squashed = re.sub(r"\W+", "", fold(text))
    return frozenset(squashed[i : i + 3] for i in range(max(0, len(squashed) - 2)))


@dataclass(frozen=True)
class _Norm:
    """The whole index's score ranges, for min-max scaling (as a full scan would see them)."""

    dmin: np.float32
    dspan: float
    bmin: np.float32
    bspan: float


@dataclass(frozen=True)
class _Ranked:
    """Positions best first, their scores, and whether the order is proven exact."""

    ids: np.ndarray
    scores: np.ndarray
    exact: bool


@dataclass(frozen=True)
class _Union:
    """One round's candidates (positions ascending) with both their scores, and the last
    (lowest) scores taken from each source: a passage outside has at most those.
    ``d_last`` is None when the candidates are every passage searched."""

    ids: np.ndarray
    dense: np.ndarray
    bm25: np.ndarray
    d_last: np.float32 | None
    b_last: np.float32


def _sorted(ids: np.ndarray, scores: np.ndarray) -> _Ranked:
    """Best first; ties by position, as a stable sort of a full scan orders them."""
    order = np.lexsort((ids, -scores))
    return _Ranked(ids[order], scores[order], True)


class Searcher:
    """Searches one loaded index; safe to share between threads (the encoder locks itself)."""

    def __init__(self, index: Index, encoder: QueryEncoder, domain: Domain | None = None,
                 fusion: Fusion | None = None, source: CandidateSource | None = None,
                 cached_queries: int = 256) -> None:
        self.index = index
        self.encoder = encoder
        self.domain = domain or load_domain()
        self.fusion = fusion or Fusion()
        self.source = source or LocalCandidates(index)
        rows = index.rows  # what search reads of every passage, as arrays
        self._codes = rows.codes
        self._docs = rows.doc
        self._titles = [squash(h.title) for h in rows.heads]
        self._shingles = lru_cache(maxsize=16384)(self._shingles_at)
        self._anchor_text = lru_cache(maxsize=65536)(partial(anchor_text, index.chunks))
        # the last questions' embeddings: the first stage and the sentence stage need the
        # same question's vector, and an answer searches again for a comparison's sides
        self._vector = lru_cache(maxsize=cached_queries)(self._embedded)

    def search(
        self, question: str, k: int = 10, mode: str = "hybrid", doc_ids: set[str] | None = None
    ) -> list[Hit]:
        if mode not in EVAL_MODES:
            raise AskbjError(f"Unknown search mode {mode!r}: use one of {', '.join(MODES)}.")
        query = prepare_query(question, self.knows_word)
        codes = None
        if doc_ids:
            codes = np.array(sorted(self._codes[d] for d in doc_ids if d in self._codes),
                             dtype=np.int64)
        if not self.index.chunks or (codes is not None and not len(codes)):
            return []
        need = max(50, 5 * k)
        ranked = self._rank(query.text, mode, codes, need)
        sources = () if doc_ids else named_sources(query.text, self.index.rows.heads, self.domain)
        # room to find a second document, or a named one further down
        wide = need if sources else max(k, self.fusion.spread_at + 5)
        hits = self.collapse(ranked.ids[:need], ranked.scores[:need], wide)
        if mode == "hybrid" and self.index.sentences is not None:
            rows = [self.index.rows.position(h.chunk.chunk_id) for h in hits]
            hits = by_sentence(hits, rows, self._vector(query.text), self.index.sentences,
                               self.fusion)
        if compares_sources(query.text, find_anchors(query.text, self.domain)[0]):
            hits = spread(hits, self.fusion.spread_at)
        return bring(hits, self.fusion.spread_at, sources)[:k]

    def _rank(self, text: str, mode: str, codes: np.ndarray | None, need: int) -> _Ranked:
        if mode == "dense":
            query = self._vector(text)
            rows = self._rows(codes)
            total = self.source.size if rows is None else len(rows)
            ids = np.sort(self.source.dense_top(query, min(need, total), rows))
            return _sorted(ids, self.source.dense_scores(query, ids))
        if mode == "bm25":
            ids, scores, _ = self.source.bm25(self._terms(text)).top(need, self._rows(codes))
            return _sorted(ids, scores)
        return self._hybrid(text, codes, need)

    def _hybrid(self, text: str, codes: np.ndarray | None, need: int) -> _Ranked:
        """Fused (and anchored) order, from candidates deepened until it is exact."""
        query = self._vector(text)
        bm25 = self.source.bm25(self._terms(text))
        anchors = find_anchors(text, self.domain)
        lowest = self.source.dense_lowest(query)
        # the passages scoring near the top grow with the corpus, and so does the depth
        # that proves the order (at 1M, 34 of 40 dev questions needed four times 512)
        depth = max(self.fusion.candidates, self.source.size // self.fusion.depth_per)
        while True:
            ranked = self._fused_round(query, bm25, lowest, anchors, codes, need, depth)
            if ranked.exact or depth >= min(self.source.size, self.fusion.max_depth):
                return ranked
            depth *= 4

    def _fused_round(self, query: np.ndarray, bm25: Bm25, lowest: int,
                     anchors: tuple[tuple[str, ...], tuple[str, ...]],
                     codes: np.ndarray | None, need: int, depth: int) -> _Ranked:
        whole = self._union(query, bm25, None, depth, lowest)
        norm = self._norm(whole, bm25)
        pool, penalties = _NO_IDS, np.zeros(0, dtype=np.float32)
        if any(anchors):
            top = _sorted(whole.ids, self._fuse(whole.dense, whole.bm25, norm))
            bound, size = self._bound(whole, norm), self.fusion.anchor_pool
            if bound > -np.inf and int(np.sum(top.scores > bound)) < size:
                return _Ranked(top.ids, top.scores, False)
            pool = top.ids[:size]
            penalties = self._penalties(pool, *anchors)
        mine = whole if codes is None else self._union(query, bm25, codes, depth, lowest)
        final = self._fuse(mine.dense, mine.bm25, norm)
        final -= lookup(mine.ids, np.sort(pool), penalties[np.argsort(pool)])
        ranked = _sorted(mine.ids, final)
        bound = self._bound(mine, norm)
        exact = bound == -np.inf or int(np.sum(ranked.scores > bound)) >= need
        return _Ranked(ranked.ids, ranked.scores, exact)

    def _union(self, query: np.ndarray, bm25: Bm25, codes: np.ndarray | None, depth: int,
               lowest: int) -> _Union:
        """The dense top ``depth`` and BM25 top ``depth`` (of the documents ``codes``); the
        unfiltered union also holds the passage least like the question (the dense minimum)."""
        rows = self._rows(codes)
        total = self.source.size if rows is None else len(rows)
        everything = depth >= total
        if everything:
            d_ids = np.arange(total, dtype=np.int64) if rows is None else rows
        else:
            d_ids = self.source.dense_top(query, depth, rows)
        t_ids, t_scores, more = bm25.top(depth, rows)
        extra = np.array([lowest] if rows is None and not everything
                         else [], dtype=np.int64)
        ids = np.union1d(np.union1d(d_ids, t_ids), extra).astype(np.int64)
        dense = self.source.dense_scores(query, ids)
        d_last = None if everything else dense[np.searchsorted(ids, d_ids)].min()
        b_last = t_scores.min() if more else np.float32(0)
        return _Union(ids, dense, bm25.scores(ids), d_last, b_last)

    def _norm(self, whole: _Union, bm25: Bm25) -> _Norm:
        """Score ranges of the whole index: the unfiltered union holds the dense maximum and
        minimum; BM25's minimum is 0 unless every passage shares a term with the question."""
        dmin, dmax = whole.dense.min(), whole.dense.max()
        bmin, bmax = bm25.range()
        return _Norm(dmin, float(dmax - dmin), bmin, float(bmax - bmin))

    def _fuse(self, dense: np.ndarray, bm25: np.ndarray, norm: _Norm) -> np.ndarray:
        """Min-max scaled and mixed, in float32 exactly as a full scan computes it."""
        w = self.fusion.dense_weight
        d = (dense - norm.dmin) / norm.dspan if norm.dspan > 0 else np.zeros_like(dense)
        b = (bm25 - norm.bmin) / norm.bspan if norm.bspan > 0 else np.zeros_like(bm25)
        return w * d + (1 - w) * b

    def _bound(self, union: _Union, norm: _Norm) -> float:
        """The best fused score a passage outside ``union`` could have."""
        if union.d_last is None:
            return -np.inf
        last = self._fuse(np.array([union.d_last], np.float32),
                          np.array([union.b_last], np.float32), norm)
        return float(last[0])

    def _penalties(self, ids: np.ndarray, numbers: tuple[str, ...],
                   places: tuple[str, ...]) -> np.ndarray:
        p = self.fusion.anchor_penalty
        met = [share_met(numbers, places, self._anchor_text(int(i)),
                         self._titles[self._docs[int(i)]]) for i in ids]
        return np.array([p * (1.0 - m) for m in met], dtype=np.float32)

    def _rows(self, codes: np.ndarray | None) -> np.ndarray | None:
        """Positions of the passages of documents ``codes`` (ascending), or None for all."""
        if codes is None:
            return None
        parts = [self.index.rows.of_document(int(c)) for c in codes]
        return np.sort(np.concatenate(parts)).astype(np.int64) if parts else _NO_IDS

    def _embedded(self, text: str) -> np.ndarray:
        vector = np.asarray(self.encoder.embed_queries([text])[0], dtype=np.float32)
        vector.setflags(write=False)  # shared through the cache
        return vector


    def knows_word(self, word: str) -> bool:
        """Every BM25 term of ``word`` is in the index (a word the documents use)."""
        terms = tokenize(word)
        return bool(terms) and all(self.source.knows(t) for t in terms)

    def _terms(self, text: str) -> list[str]:
        """The question's BM25 terms the index knows (English adds Chinese terms)."""
        folded = fold(text)
        terms = tokenize(ASKING.sub(" ", folded))
        if is_english(folded):
            terms += to_chinese(text, self.source.knows, self.domain)
        terms += [t for a, alts in self.domain.abbreviations.items() if a in folded
                  for alt in alts for t in tokenize(alt)]
        return [t for t in terms if self.source.knows(t)]

    def dense_scores(self, text: str) -> np.ndarray:
        """Cosine of every passage (a full scan: for tuning tools, not for search)."""
        every = np.arange(self.source.size, dtype=np.int64)
        return self.source.dense_scores(self._vector(text), every)

    def bm25_scores(self, text: str) -> np.ndarray:
        """BM25 score of every passage (for tuning tools, not for search)."""
        out = np.zeros(self.source.size, dtype=np.float32)
        ids, scores = self.source.bm25_nonzero(self._terms(text))
        out[ids] = scores
        return out

    def anchored(self, text: str, fused: np.ndarray) -> np.ndarray:
        """``fused`` (a score per passage) with the best ``anchor_pool`` passages lacking the
        question's anchors lowered (a full-array version of search's step, for tuning tools)."""
        anchors = find_anchors(text, self.domain)
        if not any(anchors):
            return fused
        pool = np.argsort(-fused, kind="stable")[: self.fusion.anchor_pool]
        out = fused.copy()
        out[pool] -= self._penalties(pool, *anchors)
        return out

    def anchor_context(self, chunk: Chunk) -> str:
        """Squashed text in which ``chunk`` meets a question's anchors (``anchor_text``)."""
        i = self._position(chunk)
        if i is None:
            return squash(" ".join((*chunk.section, chunk.text)))
        return self._anchor_text(i)

    def _position(self, chunk: Chunk) -> int | None:
        i = self.index.rows.position(chunk.chunk_id)
        code = self._codes.get(chunk.doc_id)
        return i if i is not None and code is not None and self._docs[i] == code else None

    def collapse(self, order: np.ndarray | list[int], scores: np.ndarray | list[float],
                 k: int) -> list[Hit]:
        """Top ``k`` hits from ``order`` (best first, with its ``scores``), each near-duplicate
        from another document folded into the first."""
        kept: list[tuple[int, float, list[str]]] = []
        for i, score in zip((int(i) for i in order), scores, strict=True):
            twin = self._twin(i, [j for j, _, _ in kept])
            if twin is None:
                if len(kept) < k:
                    kept.append((i, float(score), []))
            else:
                kept[twin][2].append(self.index.chunks[i].chunk_id)
        chunks = self.index.chunks
        return [Hit(chunks[i], rank, score, tuple(alts))
                for rank, (i, score, alts) in enumerate(kept, start=1)]

    def _shingles_at(self, i: int) -> frozenset[str]:
        return _shingles(self.index.chunks[i].text)

    def _twin(self, i: int, kept: list[int]) -> int | None:
        mine = self._shingles(i)
        for pos, j in enumerate(kept):
            other = self._shingles(j)
            if self._docs[j] == self._docs[i] or not mine or not other:
                continue
            if len(mine & other) / min(len(mine), len(other)) >= self.fusion.dup_overlap:
                return pos
        return None
