"""Ablation: does sentence-level dense matching ("small-to-big") help retrieval?

Every passage's sentences (each with the passage's heading path) are embedded with the
shipped encoder; a passage's sentence score is the best cosine of its sentences. For every
committed single-question set it ranks passages with: e5 passage dense alone, sentence
dense alone, today's hybrid (passage dense + BM25, anchors), and hybrid whose dense part
mixes the passage and sentence scores, and prints hit@1 / hit@5 / MRR@10 overall and for
English questions. Sentence vectors are cached in /tmp.
Run: .venv/bin/python bench/ablate_sentences.py [eval/questions.X.jsonl ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from ablation import means, minmax, top_texts

from askbj import engine
from askbj.config import Settings
from askbj.evaluate import metrics as evm
from askbj.evaluate import questions as evq
from askbj.text.sentences import sentence_spans

CACHE = Path("/tmp/askbj-sentence-vectors.npz")
MIN_CHARS = 8  # shorter pieces (a lone heading number, a caption stub) join the next


def sentences(searcher) -> tuple[list[str], np.ndarray]:  # type: ignore[no-untyped-def]
    """Texts to embed and, for each, the position of its passage."""
    texts, owner = [], []
    for i, c in enumerate(searcher.index.chunks):
        heading = " / ".join(c.section)
        carry = ""
        for a, b in sentence_spans(c.text):
            piece = carry + c.text[a:b]
            if len(piece) < MIN_CHARS:
                carry = piece
                continue
            carry = ""
            texts.append(f"{heading}\n{piece}" if heading else piece)
            owner.append(i)
        if carry:
            texts.append(f"{heading}\n{carry}" if heading else carry)
            owner.append(i)
    return texts, np.array(owner, dtype=np.int64)


def sentence_vectors(searcher, texts: list[str]) -> np.ndarray:  # type: ignore[no-untyped-def]
    if CACHE.exists():
        cached = np.load(CACHE)
        if len(cached["v"]) == len(texts):
            return cached["v"]
    vectors = np.asarray(searcher.encoder.embed_documents(texts), dtype=np.float32)
    np.savez(CACHE, v=vectors)
    return vectors



def best_per_passage(scores: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, -1.0, dtype=np.float32)
    np.maximum.at(out, owner, scores.astype(np.float32))
    return out


def ranking(searcher, text: str, sent: np.ndarray, variant: str, w: float) -> list[str]:  # type: ignore[no-untyped-def]
    passage = searcher.dense_scores(text)
    if variant == "e5":
        scores = passage
    elif variant == "sent":
        scores = sent
    else:
        dense = (1 - w) * minmax(passage) + w * minmax(sent)
        scores = searcher.anchored(text, 0.5 * dense + 0.5 * minmax(searcher.bm25_scores(text)))
    return top_texts(searcher, scores)



def main() -> None:
    searcher = engine.open_searcher(Settings.from_env())
    texts, owner = sentences(searcher)
    vectors = sentence_vectors(searcher, texts)
    n = len(searcher.index.chunks)
    print(f"{n} passages, {len(texts)} sentences")
    variants = [("e5 passage", "e5", 0.0), ("e5 sentence", "sent", 0.0),
                ("hybrid", "hybrid", 0.0), ("hybrid sent .25", "hybrid", 0.25),
                ("hybrid sent .5", "hybrid", 0.5), ("hybrid sent .75", "hybrid", 0.75),
                ("hybrid sent 1", "hybrid", 1.0)]
    sets = sys.argv[1:] or sorted(str(p) for p in Path("eval").glob("*.jsonl"))
    totals: dict[str, dict[str, list[dict[str, float]]]] = {}
    for path in sets:
        questions, gold = evq.read_questions(Path(path))
        judged = [q for q in questions if q.id in gold and gold[q.id].answerable
                  and not getattr(q, "history", ())]
        if not judged:
            continue
        qv = np.asarray(searcher.encoder.embed_queries([q.question for q in judged]))
        print(f"\n{path} ({len(judged)} answerable, "
              f"{sum(q.lang == 'en' for q in judged)} English)")
        for label, variant, w in variants:
            rows: dict[str, list[dict[str, float]]] = {"all": [], "en": []}
            for q, v in zip(judged, qv, strict=True):
                sent = best_per_passage(vectors @ v, owner, n)
                m = evm.score_ranking(ranking(searcher, q.question, sent, variant, w),
                                      gold[q.id])
                rows["all"].append(m)
                if q.lang == "en":
                    rows["en"].append(m)
            for g, r in rows.items():
                totals.setdefault(label, {}).setdefault(g, []).extend(r)
            print(f"  {label:16}" + "".join(f"  {g}: {means(r)}" for g, r in rows.items() if r))
    print("\nall sets")
    for label, rows in totals.items():
        print(f"  {label:16}" + "".join(f"  {g}: {means(r)}" for g, r in rows.items() if r))


if __name__ == "__main__":
    main()
