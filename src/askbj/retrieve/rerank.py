"""The second stage of hybrid search: the first hits re-ordered by their best sentence.

A passage of 300 characters is embedded as a whole, so a passage whose one sentence answers
the question can score below one that is about the topic throughout. Each passage's
sentences are embedded at ingest (``askbj.index.sentences``); here the first
``Fusion.sentence_depth`` hits each gain ``sentence_weight · exp((s − s_max) / T)``, where
``s`` is the best similarity of one of its sentences to the question and ``s_max`` the best
among those hits: only the passages whose sentence comes close to the best one move.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from askbj.index.sentences import SentenceVectors
from askbj.records import Hit
from askbj.retrieve.fusion import Fusion


def by_sentence(hits: Sequence[Hit], rows: Sequence[int | None], query: np.ndarray,
                sentences: SentenceVectors, fusion: Fusion) -> list[Hit]:
    """``hits`` (``rows[i]`` is hit i's passage row) with the first ``sentence_depth``
    re-scored and re-ordered; the rest keep their order below them."""
    depth = min(fusion.sentence_depth, len(hits))
    if fusion.sentence_weight <= 0 or depth < 2:
        return list(hits)
    head, tail = list(hits[:depth]), list(hits[depth:])
    best = [sentences.best(r, query) if r is not None else None for r in rows[:depth]]
    known = [b for b in best if b is not None]
    if not known:
        return list(hits)
    top = max(known)
    scored = [replace(h, score=h.score + (0.0 if b is None else fusion.sentence_weight
                                          * math.exp((b - top) / fusion.sentence_temperature)))
              for h, b in zip(head, best, strict=True)]
    order = sorted(scored, key=lambda h: (-h.score, h.rank))
    return [replace(h, rank=i + 1) for i, h in enumerate([*order, *tail])]
