"""Ablation: does pseudo-relevance feedback help English retrieval without a hand glossary?

For an English question, the Chinese terms the first ranking's best passages share (most
often, weighted by idf, not already searched) are searched by BM25 as a second query, whose
scores are mixed into the BM25 half of hybrid search with weight ``beta``. The feedback comes
from the top ``m`` passages of dense search alone ("dense") or of hybrid search ("hybrid").
Prints hit@1 / hit@5 / MRR@10 over the committed single-question sets, for English and all
questions. Run: .venv/bin/python bench/ablate_prf.py [eval/questions.X.jsonl ...]
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import numpy as np
from ablation import means, minmax, top_texts

from askbj import engine
from askbj.answer.question import TermStats
from askbj.config import Settings
from askbj.evaluate import metrics as evm
from askbj.evaluate import questions as evq
from askbj.text.lang import is_english
from askbj.text.normalize import fold, tokenize


def bm25(searcher, terms: list[str]) -> np.ndarray:  # type: ignore[no-untyped-def]
    out = np.zeros(searcher.source.size, dtype=np.float32)
    if terms:
        ids, scores = searcher.source.bm25_nonzero(terms)
        out[ids] = scores
    return out


def feedback(searcher, stats: TermStats, order: np.ndarray, searched: set[str],  # type: ignore[no-untyped-def]
             m: int, t: int) -> list[str]:
    counts: Counter[str] = Counter()
    for i in order[:m]:
        for term in set(tokenize(searcher.index.chunks[int(i)].indexed_text)):
            if len(term) >= 2 and term not in searched and searcher.source.knows(term):
                counts[term] += 1
    scored = {w: c * stats.idf(w) for w, c in counts.items() if c >= 2}
    return [w for w, _ in sorted(scored.items(), key=lambda kv: -kv[1])[:t]]


def ranking(searcher, stats: TermStats, text: str, source: str, m: int, t: int,  # type: ignore[no-untyped-def]
            beta: float) -> list[str]:
    dense = searcher.dense_scores(text)
    terms = searcher._terms(text)
    first = bm25(searcher, terms)
    fused = searcher.anchored(text, 0.5 * minmax(dense) + 0.5 * minmax(first))
    if beta > 0 and is_english(fold(text)):
        seed = np.argsort(-(dense if source == "dense" else fused), kind="stable")
        extra = feedback(searcher, stats, seed, set(terms), m, t)
        second = bm25(searcher, extra)
        mixed = (1 - beta) * minmax(first) + beta * minmax(second)
        fused = searcher.anchored(text, 0.5 * minmax(dense) + 0.5 * mixed)
    return top_texts(searcher, fused)



def main() -> None:
    searcher = engine.open_searcher(Settings.from_env())
    stats = TermStats(searcher.index)
    variants = [("hybrid", "hybrid", 0, 0, 0.0)] + [
        (f"{src} m{m} t{t} b{beta}", src, m, t, beta)
        for src in ("dense", "hybrid") for m, t in ((3, 8), (5, 12)) for beta in (0.25, 0.5)]
    sets = sys.argv[1:] or sorted(str(p) for p in Path("eval").glob("*.jsonl"))
    totals: dict[str, dict[str, list[dict[str, float]]]] = {}
    for path in sets:
        questions, gold = evq.read_questions(Path(path))
        judged = [q for q in questions if q.id in gold and gold[q.id].answerable
                  and not q.history]
        for label, src, m, t, beta in variants:
            for q in judged:
                texts = ranking(searcher, stats, q.question, src, m, t, beta)
                row = evm.score_ranking(texts, gold[q.id])
                group = totals.setdefault(label, {"all": [], "en": []})
                group["all"].append(row)
                if q.lang == "en":
                    group["en"].append(row)
    for label, rows in totals.items():
        print(f"  {label:24}" + "".join(f"  {g}: {means(r)}" for g, r in rows.items() if r))


if __name__ == "__main__":
    main()
