"""How hybrid search mixes and reorders its two rankings: the tunables, as one object.

Dense and BM25 scores are min-max scaled over the whole index and mixed
(``dense_weight`` dense + the rest BM25; chosen over reciprocal-rank fusion, which diluted
BM25's precise Chinese matches). The best ``anchor_pool`` fused passages that lack the
question's numbers or places lose up to ``anchor_penalty``. Passages of two documents
sharing ``dup_overlap`` of their character trigrams are one hit. Search reads
``candidates`` passages from each source first and goes deeper only when the fused top
cannot yet be proven exact (``Searcher``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Fusion:
    """Tunables of hybrid search (measured by ``bench/tune_fusion.py``, bench/RESULTS.md)."""

    # 0.6 was best on the dev set before the English glossary made BM25 reliable for
    # English; since then 0.5 scores as well on dev and better on two later sets.
    dense_weight: float = 0.5
    # Any value from 0.4 to 1.0 scored the same on the dev and check sets.
    anchor_penalty: float = 0.5
    anchor_pool: int = 100  # only the best-fused passages can be reordered by anchors
    dup_overlap: float = 0.5
    candidates: int = 512  # first depth read from each source; doubled until exact
    depth_per: int = 512  # ...and at least one passage in this many of the corpus
    max_depth: int = 1 << 16  # past this the fused top is taken as it is (approximate)
    spread_at: int = 5  # a question comparing sources has a second document by this rank
    # Second stage ("small-to-big", ``askbj.retrieve.rerank``): the first ``sentence_depth``
    # hits gain up to ``sentence_weight`` by their best sentence's similarity to the
    # question, exp((its - the best hit sentence's) / ``sentence_temperature``); fitted by
    # bench/tune_sentence_stage.py (bench/RESULTS.md). 0 turns the stage off.
    sentence_weight: float = 0.2
    sentence_temperature: float = 0.05
    sentence_depth: int = 10

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __post_init__(self) -> None:
        if not 0.0 <= self.dense_weight <= 1.0:
            raise ValueError(f"dense_weight must be in [0, 1], not {self.dense_weight}")
        if self.sentence_weight < 0 or self.sentence_temperature <= 0 or self.sentence_depth < 0:
            raise ValueError("sentence_weight and sentence_depth must be >= 0 and "
                             "sentence_temperature > 0")
        if self.candidates < 1 or self.anchor_pool < 0 or self.depth_per < 1:
            raise ValueError("candidates and depth_per must be >= 1 and anchor_pool >= 0")
