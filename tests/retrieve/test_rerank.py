"""The sentence stage: the first hits re-ordered by their best sentence, the rest kept."""

from __future__ import annotations

import numpy as np
import pytest

from askbj.index.sentences import SentenceVectors
from askbj.records import Chunk, Hit
from askbj.retrieve.fusion import Fusion
from askbj.retrieve.rerank import by_sentence


def hits(n: int) -> list[Hit]:
    return [Hit(Chunk(f"c{i}", "d", i * 10, i * 10 + 9, f"text {i}"), i + 1, 1.0 - 0.01 * i)
            for i in range(n)]


def vectors(best: list[float]) -> SentenceVectors:
    """Passage i has two sentences: one at similarity ``best[i]`` to e0, one orthogonal."""
    rows = []
    for b in best:
        rows += [[b, float(np.sqrt(1 - b * b)), 0.0], [0.0, 0.0, 1.0]]
    spans = np.array([[j * 5, j * 5 + 4] for j in range(len(rows))], dtype=np.int64)
    offsets = np.arange(0, len(rows) + 1, 2, dtype=np.int64)
    return SentenceVectors(offsets, spans, np.array(rows, dtype=np.float16))


QUERY = np.array([1.0, 0.0, 0.0], dtype=np.float32)


def test_a_passage_whose_sentence_matches_best_moves_up() -> None:
    found = by_sentence(hits(4), [0, 1, 2, 3], QUERY, vectors([0.5, 0.6, 0.95, 0.4]),
                        Fusion(sentence_weight=0.2, sentence_temperature=0.05, sentence_depth=4))
    assert [h.chunk.chunk_id for h in found] == ["c2", "c0", "c1", "c3"]
    assert [h.rank for h in found] == [1, 2, 3, 4]


def test_only_the_first_depth_hits_move_and_weight_zero_is_off() -> None:
    sv = vectors([0.5, 0.6, 0.95, 0.99])
    found = by_sentence(hits(4), [0, 1, 2, 3], QUERY, sv, Fusion(sentence_depth=3))
    assert [h.chunk.chunk_id for h in found] == ["c2", "c0", "c1", "c3"]  # c3 is past depth
    off = by_sentence(hits(4), [0, 1, 2, 3], QUERY, sv, Fusion(sentence_weight=0.0))
    assert [h.chunk.chunk_id for h in off] == ["c0", "c1", "c2", "c3"]


def test_a_passage_without_known_sentences_keeps_its_score() -> None:
    found = by_sentence(hits(3), [None, 1, 2], QUERY, vectors([0.1, 0.2, 0.9]), Fusion())
    assert found[0].chunk.chunk_id == "c2"
    assert next(h for h in found if h.chunk.chunk_id == "c0").score == pytest.approx(1.0)


def test_bad_tunables_are_refused() -> None:
    with pytest.raises(ValueError):
        Fusion(sentence_temperature=0.0)
    with pytest.raises(ValueError):
        Fusion(sentence_weight=-1.0)
