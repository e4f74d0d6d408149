"""BM25 as sparse vectors, for a store that scores by inner product (Milvus).

A passage's vector holds, for each of its terms (askbj's own ``tokenize``, as the FAISS
store's bm25s index), BM25's saturated term frequency ``tf / (tf + k1 (1 - b + b dl/avgdl))``;
a question's holds ``idf × count`` for each of its terms. Their inner product is the score
bm25s gives (``method="lucene"``, k1 1.5, b 0.75): the same terms, the same formula.

``Terms`` is the corpus-wide table both sides need: a stable id per term (ids are never
reused, so the vectors of unchanged passages stay valid across ingests), each term's
document frequency and the passage count (the query side, exact after every ingest), and
``avgdl``, the length normalisation the passage side was written with. ``avgdl`` is fixed
when a store is built from scratch and kept by incremental ingests, so unchanged passages
need not be rewritten; passages are cut to one size, so it barely moves as documents come
and go (``drift`` says how far it has).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

K1, B = 1.5, 0.75
EMPTY = "<empty>"
"""The one term of a passage with none, as the FAISS store's bm25s index has it."""


@dataclass(frozen=True)
class Terms:
    """The BM25 term table of a store: ``ids[term]``, ``df[term]``, ``n`` passages."""

    ids: dict[str, int]
    df: dict[str, int]
    n: int
    avgdl: float
    next_id: int
    current_avgdl: float = 0.0

    def knows(self, term: str) -> bool:
        return self.df.get(term, 0) > 0

    def idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        return math.log(1.0 + (self.n - df + 0.5) / (df + 0.5))

    def query(self, terms: Sequence[str]) -> dict[int, float]:
        """The question's vector: idf × how often the term is asked (bm25s sums repeats)."""
        counts = Counter(t for t in terms if self.knows(t))
        return {self.ids[t]: self.idf(t) * c for t, c in counts.items()}

    def passage(self, tokens: Sequence[str]) -> dict[int, float]:
        """A passage's vector: BM25's term-frequency part, normalised by ``avgdl``."""
        tokens = list(tokens) or [EMPTY]
        norm = K1 * (1.0 - B + B * len(tokens) / (self.avgdl or 1.0))
        return {self.ids[t]: tf / (tf + norm) for t, tf in Counter(tokens).items()}

    @property
    def drift(self) -> float:
        """How far the corpus's average passage length is from ``avgdl`` (0.02 = 2 %)."""
        return abs(self.current_avgdl - self.avgdl) / self.avgdl if self.avgdl else 0.0

    def to_json(self) -> str:
        return json.dumps({"ids": self.ids, "df": self.df, "n": self.n, "avgdl": self.avgdl,
                           "next_id": self.next_id, "current_avgdl": self.current_avgdl},
                          ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Terms:
        raw = json.loads(text)
        if not isinstance(raw, dict):
            raise TypeError(f"expected a JSON object, found {type(raw).__name__}")
        return cls({str(k): int(v) for k, v in raw["ids"].items()},
                   {str(k): int(v) for k, v in raw["df"].items()}, int(raw["n"]),
                   float(raw["avgdl"]), int(raw["next_id"]), float(raw.get("current_avgdl", 0)))


def count(token_lists: Iterable[Sequence[str]], previous: Terms | None = None) -> Terms:
    """The table of a corpus (every passage's tokens); ids and ``avgdl`` kept from
    ``previous`` (an incremental ingest), new terms numbered after its last."""
    df: Counter[str] = Counter()
    n = total = 0
    for tokens in token_lists:
        tokens = list(tokens) or [EMPTY]
        df.update(set(tokens))
        n += 1
        total += len(tokens)
    ids = dict(previous.ids) if previous else {}
    next_id = previous.next_id if previous else 0
    for term in sorted(df):
        if term not in ids:
            ids[term] = next_id
            next_id += 1
    current = total / n if n else 0.0
    avgdl = previous.avgdl if previous and previous.avgdl else current
    return Terms(ids, dict(df), n, avgdl, next_id, current)
