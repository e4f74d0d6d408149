"""What the retrieval ablation scripts share: min-max scaling of a score per passage, the
texts of the top hits a full-array score gives (collapsed as search collapses them), and
the mean hit@1 / hit@5 / MRR@10 of scored rankings."""

from __future__ import annotations

from typing import Any

import numpy as np


def minmax(x: np.ndarray) -> np.ndarray:
    span = float(x.max() - x.min())
    return (x - x.min()) / span if span > 0 else np.zeros_like(x)


def top_texts(searcher: Any, scores: np.ndarray, k: int = 10) -> list[str]:
    order = np.argsort(-scores, kind="stable")[:50]
    return [h.chunk.text for h in searcher.collapse(order, scores[order], k)]


def means(rows: list[dict[str, float]]) -> str:
    keys = ("hit@1", "hit@5", "mrr@10")
    return " ".join(f"{k} {np.mean([r[k] for r in rows]):.3f}" for k in keys)
