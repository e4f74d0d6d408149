"""Compare fusion rules on the dev set without re-embedding (dev-time tuning aid).

Usage: .venv/bin/python bench/tune_fusion.py [eval/questions.jsonl]
Prints hit@1 / hit@5 / MRR@10 per rule, overall and for English questions; the "anchors p="
rules are min-max fusion (dense weight a) with passages missing the question's numbers or
places lowered by p (``Fusion(dense_weight=a, anchor_penalty=p)``, askbj.retrieve.fusion).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from askbj import engine
from askbj.config import Settings
from askbj.evaluate import metrics as evm
from askbj.evaluate import questions as evq
from askbj.retrieve.fusion import Fusion
from askbj.retrieve.searcher import Searcher


def minmax(x: np.ndarray) -> np.ndarray:
    span = float(x.max() - x.min())
    return (x - x.min()) / span if span > 0 else np.zeros_like(x)


def rules(dense: np.ndarray, bm25: np.ndarray) -> dict[str, np.ndarray]:
    def rrf(w_d: float, w_b: float, k: int = 60) -> np.ndarray:
        out = np.zeros_like(dense)
        for w, s, drop in ((w_d, dense, False), (w_b, bm25, True)):
            order = np.argsort(-s, kind="stable")
            for r, i in enumerate(order):
                if drop and s[i] <= 0:
                    break
                out[i] += w / (k + r + 1)
        return out

    found = {f"rrf k60 {wd}:{wb}": rrf(wd, wb) for wd, wb in ((1, 1), (1, 1.5), (1, 2), (1.5, 1))}
    found.update({f"rrf k10 {wd}:{wb}": rrf(wd, wb, 10) for wd, wb in ((1, 1), (1, 1.5))})
    for a in (0.4, 0.5, 0.6, 0.7, 0.8):
        found[f"minmax a={a}"] = a * minmax(dense) + (1 - a) * minmax(bm25)
    return found


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "eval/questions.jsonl")
    questions, gold = evq.read_questions(path)
    searcher = engine.open_searcher(Settings())
    table: dict[str, list[tuple[str, dict[str, float]]]] = {}
    for q in questions:
        g = gold.get(q.id)
        if not g or not g.answerable:
            continue
        dense, bm25 = searcher.dense_scores(q.question), searcher.bm25_scores(q.question)
        candidates = rules(dense, bm25)
        ranked = {}
        for name, fused in candidates.items():
            order = np.argsort(-fused, kind="stable")[:50]
            ranked[name] = searcher.collapse(order, fused[order], 10)
        for a in (0.5, 0.6):
            for penalty in (0.0, 0.2, 0.4, 0.5, 0.7, 1.0):
                tuned = Searcher(searcher.index, searcher.encoder, searcher.domain,
                                 Fusion(dense_weight=a, anchor_penalty=penalty))
                ranked[f"a={a} anchors p={penalty}"] = tuned.search(q.question, k=10)
        for name, hits in ranked.items():
            table.setdefault(name, []).append(
                (q.lang, evm.score_ranking([h.chunk.text for h in hits], g)))
    for name, rows in table.items():
        s = evm.summarize(rows)
        o, e = s["overall"], s.get("en", {})
        print(f"{name:18s} hit@1 {o['hit@1']:.3f} hit@5 {o['hit@5']:.3f} mrr {o['mrr@10']:.3f}"
              f" | en hit@5 {e.get('hit@5', 0):.3f} mrr {e.get('mrr@10', 0):.3f}")


if __name__ == "__main__":
    main()
