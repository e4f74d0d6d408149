"""Fit the sentence stage of hybrid search (``Fusion.sentence_weight`` / ``_temperature``).

Each passage's sentences are embedded at ingest (index/sentences/); the first
``sentence_depth`` hits gain ``w · exp((s − s_max) / T)`` by their best sentence's
similarity ``s`` (``askbj.retrieve.rerank``). This script searches every answerable
question of the given single-question sets (default: the dev set, then every committed
set for stability; those have been tuned on, so only a fresh set measures generalisation)
with a grid of (w, T) and prints hit@1 / hit@5 / MRR@10, overall and for English.
Run: .venv/bin/python bench/tune_sentence_stage.py [eval/questions.X.jsonl ...]
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from askbj import engine
from askbj.config import Settings
from askbj.evaluate import metrics as evm
from askbj.evaluate import questions as evq
from askbj.retrieve.searcher import Searcher

GRID = [(0.0, 0.05), (0.1, 0.05), (0.2, 0.02), (0.2, 0.05), (0.2, 0.1), (0.3, 0.05)]


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or [Path("eval/questions.jsonl"), *sorted(
        p for p in Path("eval").glob("questions.*.jsonl") if "followups" not in p.name)]
    base = engine.open_searcher(Settings())
    if base.index.sentences is None:
        sys.exit("This index has no sentence vectors: run `askbj ingest --rebuild`.")
    sets = [(p.name, *evq.read_questions(p)) for p in paths]
    print(f"{'w':>4} {'T':>5} | {'all: hit@1 hit@5 mrr':>22} | {'English':>22} | dev hit@1 hit@5")
    for w, t in GRID:
        searcher = Searcher(base.index, base.encoder, base.domain, replace(
            base.fusion, sentence_weight=w, sentence_temperature=t))
        rows, dev = [], []
        for name, questions, gold in sets:
            for q in questions:
                g = gold.get(q.id)
                if g is None or not g.answerable:
                    continue
                hits = searcher.search(q.question, k=10)
                row = (q.lang, evm.score_ranking([h.chunk.text for h in hits], g))
                rows.append(row)
                if name == "questions.jsonl":
                    dev.append(row)
        s, d = evm.summarize(rows), evm.summarize(dev) if dev else {}
        o, e, dv = s["overall"], s.get("en", {}), d.get("overall", {})
        print(f"{w:>4} {t:>5} | {o['hit@1']:.3f} {o['hit@5']:.3f} {o['mrr@10']:.3f}"
              f" (n{o['n']:.0f}) | {e.get('hit@1', 0):.3f} {e.get('hit@5', 0):.3f}"
              f" {e.get('mrr@10', 0):.3f} | {dv.get('hit@1', 0):.3f} {dv.get('hit@5', 0):.3f}")


if __name__ == "__main__":
    main()
