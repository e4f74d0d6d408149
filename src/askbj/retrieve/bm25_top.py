"""What hybrid search asks of BM25 for one question — the best ``n`` passages above zero
(and any tied with the ``n``-th), the exact scores of given passages, the score range over
every passage — three ways that give the same answers bit for bit:

``Summed`` (the local store's default) reads them from the full sum, one float32 array of
every passage: the top by a sampled bound and a partition, scores by indexing, the range
from the array. ``Scored`` reads them from the passages above zero as arrays (positions
ascending, scores), what the full sum was read as before.

``Pruned`` answers from a term-by-passage postings matrix (bm25s's column-sparse
``indptr`` / ``indices`` / ``data``, a term's passages ascending) with the most any
passage gets from each term (``bounds``), term at a time in the MaxScore manner, without
adding every posting:

1. Terms are taken by bound, largest first, each one's postings added into one array.
   Once the bounds of the terms not yet taken sum below ``floor`` — a proven lower bound of
   the ``n``-th best score (at least ``n`` passages' partial sums reach it) — no passage
   that none of the taken terms names can reach the top, and no new passage is admitted.
2. The exact scores of the ``2n`` best partial sums raise the floor to about the ``n``-th
   best score; the passages admitted whose partial sum plus the remaining bounds can still
   reach it are candidates. Each remaining term's weight of the candidates is looked up in
   its postings (a binary search) or, for many candidates, added from all of them, and
   those that fall short are dropped.
3. The survivors' exact scores are summed from the postings in the question's term order,
   the same float32 additions as a full sum, and their best ``n`` taken.

Partial sums are added in another order than the exact ones, so every comparison with a
bound leaves a relative slack (``SLACK``) far wider than float32 rounding of a few dozen
additions. The minimum of the range (0 unless every passage shares a term with the
question) is settled by a sample of passages none of whose terms name one of them, or by a
full sum when all of them are named.

On the 1M synthetic corpus (bench/RESULTS.md) pruning adds only a fifth to a half of the
postings, but looking candidates up in the long postings (~80 ns a lookup in numpy) costs
more than the adding it saves: 32 ms a question against 13 ms for ``Summed``, so it is off
by default (``LocalCandidates(prune_from=...)`` switches it on).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

SLACK = 1e-5
"""Relative slack on bounds: float32 sums of up to hundreds of terms round by less."""
_NO_IDS = np.zeros(0, dtype=np.int64)
_NO_SCORES = np.zeros(0, dtype=np.float32)


class Bm25(Protocol):
    """BM25 of one question, as hybrid search reads it."""

    def top(self, n: int, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, bool]:
        """The best ``n`` passages with a score above zero (and any tied with the ``n``-th),
        of ``rows`` (positions ascending) or of all; their scores; and whether any passage
        with a score above zero is left out."""
        ...

    def scores(self, ids: np.ndarray) -> np.ndarray:
        """Exact scores of passages ``ids`` (0 for one sharing no term)."""
        ...

    def range(self) -> tuple[np.float32, np.float32]:
        """Lowest and highest score over every passage (the lowest 0 unless every passage
        shares a term with the question)."""
        ...


def best(ids: np.ndarray, scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``n`` best (and any tied with the ``n``-th), unordered, in the order given."""
    if len(ids) <= n:
        return ids, scores
    if n >= 16 and len(scores) > 64 * n:  # a strided sample's top bounds what to partition
        sample = scores[::32]
        floor = np.partition(sample, len(sample) - n // 16)[len(sample) - n // 16]
        above = np.flatnonzero(scores >= floor)
        if len(above) >= n:  # every score of the best n is at least ``floor``: exact
            ids, scores = ids[above], scores[above]
    cut = np.partition(scores, len(scores) - n)[len(scores) - n]
    keep = scores >= cut
    return ids[keep], scores[keep]


def lookup(ids: np.ndarray, keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` of ``ids`` in sorted ``keys``; 0 for ids not among them."""
    if not len(keys):
        return np.zeros(len(ids), dtype=np.float32)
    where = np.minimum(np.searchsorted(keys, ids), len(keys) - 1)
    return np.where(keys[where] == ids, values[where], 0).astype(np.float32)


@dataclass
class Scored:
    """BM25 from every passage's score: ``ids`` ascending, the passages above zero."""

    ids: np.ndarray
    values: np.ndarray
    size: int

    def top(self, n: int, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, bool]:
        ids, values = self.ids, self.values
        if rows is not None:
            keep = np.isin(ids, rows, assume_unique=True)
            ids, values = ids[keep], values[keep]
        t_ids, t_scores = best(ids, values, n)
        return t_ids, t_scores, len(t_ids) < len(ids)

    def scores(self, ids: np.ndarray) -> np.ndarray:
        return lookup(ids, self.ids, self.values)

    def range(self) -> tuple[np.float32, np.float32]:
        high = self.values.max() if len(self.values) else np.float32(0)
        low = self.values.min() if len(self.values) == self.size else np.float32(0)
        return np.float32(low), np.float32(high)


@dataclass
class Summed:
    """BM25 from every passage's score as one float32 array (a full sum of the postings),
    read as ``Scored`` reads the passages above zero (a passage at or below zero counts as
    sharing no term) without gathering those passages into arrays first."""

    sums: np.ndarray
    _above: int | None = field(default=None, repr=False)

    @property
    def above(self) -> int:
        """How many passages score above zero."""
        if self._above is None:
            self._above = int(np.count_nonzero(self.sums > 0))
        return self._above

    def top(self, n: int, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, bool]:
        values = self.sums if rows is None else self.sums[rows]
        above = self.above if rows is None else int(np.count_nonzero(values > 0))
        # past ``n`` above zero, the n-th best is above zero: the best of all are theirs
        at = np.flatnonzero(values > 0) if above <= n else _best_at(values, n)
        ids = at if rows is None else rows[at]
        return ids.astype(np.int64, copy=False), values[at], above > len(at)

    def scores(self, ids: np.ndarray) -> np.ndarray:
        values = self.sums[ids]
        return np.where(values > 0, values, 0).astype(np.float32)

    def range(self) -> tuple[np.float32, np.float32]:
        if not self.above:
            return np.float32(0), np.float32(0)
        low = self.sums.min() if self.above == len(self.sums) else 0
        return np.float32(low), np.float32(self.sums.max())


def _best_at(values: np.ndarray, n: int) -> np.ndarray:
    """Positions (ascending) of the ``n`` best ``values`` and any tied with the ``n``-th
    (``best`` over positions, without an array of them)."""
    at: np.ndarray | None = None
    if n >= 16 and len(values) > 64 * n:  # a strided sample's top bounds what to partition
        sample = values[::32]
        floor = np.partition(sample, len(sample) - n // 16)[len(sample) - n // 16]
        above = np.flatnonzero(values >= floor)
        if len(above) >= n:  # every score of the best n is at least ``floor``: exact
            at = above
    part = values if at is None else values[at]
    cut = np.partition(part, len(part) - n)[len(part) - n]
    keep = np.flatnonzero(part >= cut)
    return keep if at is None else at[keep]


@dataclass(frozen=True)
class Postings:
    """A column-sparse term × passage matrix (bm25s's ``scores``) and each term's bound."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    bounds: np.ndarray
    size: int
    positive: bool = True  # every weight above zero: the bounds prune soundly

    @classmethod
    def of(cls, matrix: dict[str, Any], size: int) -> Postings:
        indptr, data = np.asarray(matrix["indptr"]), np.asarray(matrix["data"])
        bounds = np.zeros(len(indptr) - 1, dtype=np.float64)
        filled = np.flatnonzero(np.diff(indptr) > 0)
        if len(filled):
            bounds[filled] = np.maximum.reduceat(np.asarray(data), indptr[filled])
        positive = bool(len(data) == 0 or data.min() > 0)
        # plain arrays over the memory maps: slicing a ``numpy.memmap`` costs ~10 µs a time
        return cls(indptr, np.asarray(matrix["indices"]), data, bounds, size, positive)

    def column(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        start, end = int(self.indptr[term]), int(self.indptr[term + 1])
        return self.indices[start:end], self.data[start:end]

    def summed(self, terms: list[int]) -> Summed:
        """Every passage's score: the postings summed term by term, in the question's
        order (the same float32 additions as ``bm25s.BM25.get_scores``)."""
        sums = np.zeros(self.size, dtype=np.asarray(self.data).dtype)
        for term in terms:  # a term's postings name each passage once: a plain scatter-add
            rows, weights = self.column(term)
            # ufunc.at: the same float32 additions, a third of fancy-index ``+=``'s time
            np.add.at(sums, rows, weights)
        return Summed(sums)

    def full(self, terms: list[int]) -> Scored:
        """``summed``, as the passages above zero (positions ascending) and their scores."""
        sums = self.summed(terms).sums
        rows = np.flatnonzero(sums > 0)
        return Scored(rows.astype(np.int64, copy=False),
                      sums[rows].astype(np.float32, copy=False), self.size)

    def exact(self, terms: list[int], ids: np.ndarray) -> np.ndarray:
        """Scores of passages ``ids``: the full sum's float32 additions, for them only."""
        sums = np.zeros(len(ids), dtype=np.asarray(self.data).dtype)
        for term in terms:
            rows, weights = self.column(term)
            sums += _weights_of(rows, weights, ids)
        return sums.astype(np.float32, copy=False)


def _weights_of(rows: np.ndarray, weights: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """``weights`` of ``ids`` in ascending ``rows``; 0 where a passage is not there."""
    if not len(rows) or not len(ids):
        return np.zeros(len(ids), dtype=weights.dtype)
    ids = ids.astype(rows.dtype, copy=False)  # else searchsorted converts all of ``rows``
    at = np.minimum(np.searchsorted(rows, ids), len(rows) - 1)
    return np.where(rows[at] == ids, weights[at], weights.dtype.type(0))


def _nth(partial: np.ndarray, n: int) -> float:
    """A lower bound of the ``n``-th best score when ``partial`` holds lower bounds of
    distinct passages' scores (0 when there are fewer than ``n``)."""
    if len(partial) < n or n < 1:
        return 0.0
    return float(np.partition(partial, len(partial) - n)[len(partial) - n]) * (1 - SLACK)


def _times(weights: np.ndarray, count: int) -> np.ndarray:
    """A term asked ``count`` times adds its weight that often (float32, for bounds)."""
    return weights if count == 1 else weights * weights.dtype.type(count)


def _below(value: float) -> np.float32:
    """A float32 threshold a little under ``value``: a partial sum that could, with the
    slack for rounding, reach ``value`` compares at or above it."""
    return np.float32(value / (1 + SLACK) - SLACK * abs(value) - 1e-30)


def _floor(partial: np.ndarray, n: int, want: float) -> float:
    """A lower bound of the ``n``-th best score from ``partial``, lower bounds of every
    passage's score: a strided sample's estimate, kept when at least ``n`` values reach it;
    0 when the estimate does not exceed ``want`` (no use to the caller) or fails."""
    step = max(1, len(partial) // (32 * n))
    sample = partial[::step]
    sample = sample[sample > 0]  # mostly zeros: a partition of them is slow
    rank = max(1, (3 * n) // (2 * step))
    if len(sample) < rank:
        return 0.0
    guess = float(np.partition(sample, len(sample) - rank)[len(sample) - rank])
    if guess * (1 - SLACK) <= want or guess <= 0:
        return 0.0
    if int(np.count_nonzero(partial >= guess)) < n:
        return 0.0
    return guess * (1 - SLACK)


@dataclass(frozen=True)
class _Plan:
    """A question's distinct terms, largest bound first: how often each is asked, its
    postings' length, and ``rest[i]``, the most terms ``i`` onwards can add to a score."""

    terms: np.ndarray
    counts: np.ndarray
    lengths: np.ndarray
    rest: np.ndarray

    @classmethod
    def of(cls, postings: Postings, asked: list[int]) -> _Plan:
        terms, counts = np.unique(np.asarray(asked, dtype=np.int64), return_counts=True)
        bound = postings.bounds[terms] * counts
        order = np.argsort(-bound, kind="stable")
        rest = np.append(np.cumsum(bound[order][::-1])[::-1], 0.0) * (1 + SLACK)
        lengths = postings.indptr[terms + 1] - postings.indptr[terms]
        return cls(terms[order], counts[order], lengths[order].astype(np.int64), rest)


@dataclass
class Pruned:
    """BM25 of one question (term ids in the question's order, repeats kept) from postings;
    see the module's docstring. Below ``full_below`` postings the full sum is cheaper."""

    postings: Postings
    terms: list[int]
    full_below: int = 1 << 16
    _full: Scored | None = field(default=None, repr=False)
    _high: np.float32 | None = field(default=None, repr=False)
    _known: tuple[np.ndarray, np.ndarray] = field(default=(_NO_IDS, _NO_SCORES), repr=False)
    _plan: _Plan | None = field(default=None, repr=False)

    @property
    def plan(self) -> _Plan:
        if self._plan is None:
            self._plan = _Plan.of(self.postings, self.terms)
        return self._plan

    def _pruning(self) -> bool:
        return self._full is None and int(self.plan.lengths.sum()) >= self.full_below

    def _scored(self) -> Scored:
        if self._full is None:
            self._full = self.postings.full(self.terms)
        return self._full

    def top(self, n: int, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, bool]:
        if not self._pruning():
            return self._scored().top(n, rows)
        if rows is not None:
            return self._top_of(n, rows)
        ids, known = self._survivors(n)
        exact = self._exact(ids, known)
        nonzero = exact > 0
        t_ids, t_scores = best(ids[nonzero], exact[nonzero], n)
        if len(t_scores):
            self._high = max(self._high or np.float32(0), t_scores.max())
        order = np.argsort(t_ids)
        self._known = (t_ids[order], t_scores[order])
        return t_ids, t_scores, self._more(len(t_ids))

    def _top_of(self, n: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        """Within ``rows``: the exact score of each, when that costs less than a full sum."""
        if len(rows) * len(self.terms) * 24 > int(self.plan.lengths.sum()):
            return self._scored().top(n, rows)
        exact = self.postings.exact(self.terms, rows)
        nonzero = exact > 0
        t_ids, t_scores = best(rows[nonzero], exact[nonzero], n)
        return t_ids, t_scores, len(t_ids) < int(np.count_nonzero(nonzero))

    def _exact(self, ids: np.ndarray, known: dict[int, np.ndarray]) -> np.ndarray:
        """The full sum's float32 additions for ``ids``, the weights already looked up
        (``known``, a term's weights of ``ids``) reused."""
        sums = np.zeros(len(ids), dtype=self.postings.data.dtype)
        for term in self.terms:
            weights = known.get(term)
            if weights is None:
                weights = known[term] = _weights_of(*self.postings.column(term), ids)
            sums += weights
        return sums.astype(np.float32, copy=False)

    def _more(self, taken: int) -> bool:
        """Whether more than ``taken`` passages have a score above zero."""
        lengths = self.plan.lengths
        if int(lengths.max(initial=0)) > taken:
            return True
        if int(lengths.sum()) <= taken:
            return False
        named = np.unique(np.concatenate([self.postings.column(int(t))[0]
                                          for t in self.plan.terms]))
        return len(named) > taken

    def _survivors(self, n: int) -> tuple[np.ndarray, dict[int, np.ndarray]]:
        """Positions (ascending) holding every passage whose score can reach the best ``n``,
        and the weights of them looked up on the way (by term)."""
        acc, ids, taken, floor = self._admit(n)
        plan, p = self.plan, self.postings
        if len(ids) > 4 * n:  # the best partial sums' exact scores: a floor near the cut
            likely = ids[np.argpartition(acc[ids], len(ids) - 2 * n)[len(ids) - 2 * n:]]
            better = _nth(p.exact(self.terms, np.sort(likely)), n)
            if better > floor:
                floor = better
                ids = ids[acc[ids] >= _below(floor - plan.rest[taken])]
        known: dict[int, np.ndarray] = {}
        for j in range(taken, len(plan.terms)):
            term, count = int(plan.terms[j]), int(plan.counts[j])
            rows, weights = p.column(term)
            if len(ids) * 24 < len(rows):  # look the few up rather than add them all
                known[term] = _weights_of(rows, weights, ids)
                acc[ids] += _times(known[term], count)
            else:
                np.add.at(acc, rows, _times(weights, count))
            partial = acc[ids]
            floor = max(floor, _nth(partial, n))
            keep = partial * (1 + SLACK) + plan.rest[j + 1] >= floor
            if not keep.all():
                ids = ids[keep]
                known = {t: w[keep] for t, w in known.items()}
        return ids.astype(np.int64, copy=False), known

    def _admit(self, n: int) -> tuple[np.ndarray, np.ndarray, int, float]:
        """Terms added, largest bound first, until the rest cannot lift a passage none of
        them names to the floor: partial sums, the passages they admit (ascending), how
        many terms were taken, the floor."""
        plan, p = self.plan, self.postings
        acc = np.zeros(p.size, dtype=np.float32)
        floor, i = 0.0, 0
        while i < len(plan.terms) and plan.rest[i] >= floor:
            rows, weights = p.column(int(plan.terms[i]))
            count = int(plan.counts[i])
            np.add.at(acc, rows, _times(weights, count))
            i += 1
            if plan.rest[0] - plan.rest[i] >= plan.rest[i]:  # else no floor can stop here
                floor = max(floor, _floor(acc, n, plan.rest[i]))
        if floor <= 0:
            return acc, np.flatnonzero(acc > 0), i, floor
        return acc, np.flatnonzero(acc >= _below(floor - plan.rest[i])), i, floor

    def scores(self, ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        if self._full is not None:
            return self._full.scores(ids)
        keys, values = self._known
        out = lookup(ids, keys, values)
        if len(keys):
            at = np.minimum(np.searchsorted(keys, ids), len(keys) - 1)
            rest = keys[at] != ids
        else:
            rest = np.ones(len(ids), dtype=bool)
        out[rest] = self.postings.exact(self.terms, ids[rest])
        return out

    def range(self) -> tuple[np.float32, np.float32]:
        if not self._pruning():
            return self._scored().range()
        if self._high is None:
            self.top(1)
        high = np.float32(self._high if self._high is not None else 0)
        if int(self.plan.lengths.sum()) < self.postings.size or self._someone_unnamed():
            return np.float32(0), high
        return self._scored().range()

    def _someone_unnamed(self) -> bool:
        """Whether a strided sample of passages (256, then 4,096) holds one that none of the
        terms names (each term, longest first, tested on the sampled passages still
        unnamed)."""
        p = self.postings
        for sample in (256, 4096):
            left = np.linspace(0, p.size - 1, min(sample, p.size)).astype(p.indices.dtype)
            for j in np.argsort(-self.plan.lengths, kind="stable"):
                rows, _ = p.column(int(self.plan.terms[j]))
                if len(rows):
                    at = np.minimum(np.searchsorted(rows, left), len(rows) - 1)
                    left = left[rows[at] != left]
                if not len(left):
                    break
            if len(left):
                return True
        return False
