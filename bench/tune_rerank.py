"""Experiment: a lexical second-stage ranker ("small-to-big") over the first stage's top 30.

Features per candidate: the first stage's score (min-max over the pool), the best single
sentence's idf-weighted coverage of the question's terms (with the heading path), and the
passage's coverage. Result (bench/RESULTS.md): no weight triple beats the first stage on the
committed sets, so it is not part of askbj; this script keeps the measurement reproducible.

Takes the first stage's top candidates once per question, then scores every weight triple
of a small grid by hit@1 / MRR@10 on the dev set, and prints the best few with their figures
on the other committed sets (which have been tuned on before, so they check stability, not
generalisation: fresh sets do that). Run: .venv/bin/python bench/tune_rerank.py
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from askbj import engine
from askbj.answer.evidence import coverage
from askbj.answer.question import Question, TermStats, analyze
from askbj.config import Settings
from askbj.evaluate import metrics as evm
from askbj.evaluate import questions as evq
from askbj.records import Hit
from askbj.text.normalize import squash
from askbj.text.sentences import sentence_spans

POOL = 30


@dataclass(frozen=True)
class RerankWeights:
    """How the features mix; fitted by bench/tune_rerank.py."""

    first: float = 1.0
    sentence: float = 0.5
    passage: float = 0.0
    pool: int = 30


class Reranker:
    """Reorders a searcher's candidates; read-only, shared by all questions."""

    def __init__(self, searcher: Any, weights: RerankWeights | None = None) -> None:
        self.searcher = searcher
        self.weights = weights or RerankWeights()
        self.stats = TermStats(searcher.index)

    def search(self, question: str, k: int = 10, doc_ids: set[str] | None = None) -> list[Hit]:
        """The first stage's top ``pool`` hybrid candidates, reordered; ranks renumbered."""
        hits = self.searcher.search(question, k=max(k, self.weights.pool), mode="hybrid",
                                    doc_ids=doc_ids)
        order = self.order(self.features(question, hits), self.weights)
        return [replace(hits[i], rank=r) for r, i in enumerate(order[:k], start=1)]

    def features(self, question: str, hits: list[Hit]) -> np.ndarray:
        """One row per hit: first-stage score (min-max over the pool), best sentence's
        coverage, passage coverage."""
        q = analyze(question, self.stats, self.searcher.domain)
        rows = [(h.score, self._best_sentence(q, h), self._passage(q, h)) for h in hits]
        feats = np.array(rows, dtype=np.float64).reshape(len(hits), 3)
        if len(hits):
            col = feats[:, 0]
            span = col.max() - col.min()
            feats[:, 0] = (col - col.min()) / span if span > 0 else 1.0
        return feats

    @staticmethod
    def order(feats: np.ndarray, weights: RerankWeights) -> list[int]:
        mix = np.array([weights.first, weights.sentence, weights.passage])
        scores = feats @ mix if len(feats) else np.zeros(0)
        return [int(i) for i in np.argsort(-scores, kind="stable")]

    def _best_sentence(self, q: Question, hit: Hit) -> float:
        chunk = hit.chunk
        heading = squash(" ".join(chunk.section))
        spans = sentence_spans(chunk.text)
        return max((coverage(q, heading + squash(chunk.text[a:b])) for a, b in spans),
                   default=0.0)

    def _passage(self, q: Question, hit: Hit) -> float:
        return coverage(q, squash(" ".join((*hit.chunk.section, hit.chunk.text))))

GRID = [0.0, 0.25, 0.5, 0.75, 1.0, 1.5]


def candidates(answerer, path: Path):  # type: ignore[no-untyped-def]
    questions, gold = evq.read_questions(path)
    judged = [q for q in questions if q.id in gold and gold[q.id].answerable]
    reranker = Reranker(answerer.searcher, RerankWeights())
    rows = []
    for q in judged:
        hits = answerer.searcher.search(q.question, k=POOL)
        rows.append((q, gold[q.id], hits, reranker.features(q.question, hits)))
    return rows


def score(rows, weights: RerankWeights) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    h1, h5, mrr = [], [], []
    for _, gold, hits, feats in rows:
        order = Reranker.order(feats, weights)
        texts = [hits[i].chunk.text for i in order[:10]]
        m = evm.score_ranking(texts, gold)
        h1.append(m["hit@1"])
        h5.append(m["hit@5"])
        mrr.append(m["mrr@10"])
    return float(np.mean(h1)), float(np.mean(h5)), float(np.mean(mrr))


def main() -> None:
    answerer = engine.open_answerer(Settings.from_env())
    sets = {p.stem: candidates(answerer, p) for p in sorted(Path("eval").glob("*.jsonl"))}
    grid = [RerankWeights(first=a, sentence=b, passage=c)
            for a, b, c in itertools.product(GRID, GRID, GRID) if a > 0]
    dev = sets["questions"]
    ranked = sorted(grid, key=lambda w: score(dev, w)[::2], reverse=True)
    print("first-stage only:", {n: score(r, RerankWeights(1, 0, 0)) for n, r in sets.items()})
    for w in ranked[:8]:
        print(w, {n: tuple(round(x, 3) for x in score(r, w)) for n, r in sets.items()})


if __name__ == "__main__":
    main()
