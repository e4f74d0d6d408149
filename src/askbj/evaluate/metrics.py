"""Scoring for `askbj eval`: which passages are relevant (gold evidence, normalised as
``eval/README.md`` says), ranking metrics, and whether an answer carries its evidence."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from typing import TYPE_CHECKING

from askbj.evaluate.questions import Gold
from askbj.text.normalize import squash

if TYPE_CHECKING:
    from askbj.records import Answer


K = 10


def relevant_groups(text: str, gold: Gold) -> set[str]:
    """The evidence groups that ``text`` satisfies."""
    squashed = squash(text)
    return {g for g, spans in gold.groups.items() if any(s and s in squashed for s in spans)}


def score_ranking(texts: list[str], gold: Gold, k: int = K) -> dict[str, float]:
    """hit@1, hit@5, MRR@10, nDCG@10 of one ranked list of passage texts."""
    per_rank = [relevant_groups(t, gold) for t in texts[:k]]
    n_groups = len(gold.groups)

    def hit(n: int) -> float:
        return len(set().union(*per_rank[:n])) / n_groups if per_rank[:n] else 0.0

    first = next((r for r, g in enumerate(per_rank, start=1) if g), None)
    dcg = sum(1.0 / math.log2(r + 1) for r, g in enumerate(per_rank, start=1) if g)
    n_relevant = max(sum(1 for g in per_rank if g), n_groups, 1)
    ideal = sum(1.0 / math.log2(r + 1) for r in range(1, min(k, n_relevant) + 1))
    return {
        "hit@1": hit(1),
        "hit@5": hit(5),
        "mrr@10": 1.0 / first if first else 0.0,
        "ndcg@10": dcg / ideal if ideal else 0.0,
    }


def summarize(rows: list[tuple[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    """Mean of each metric per language and overall; ``n`` counts the questions."""
    buckets: dict[str, list[dict[str, float]]] = defaultdict(list)
    for lang, metrics in rows:
        buckets["overall"].append(metrics)
        buckets[lang or "unknown"].append(metrics)
    return {
        name: {"n": float(len(ms)),
               **{m: round(sum(x[m] for x in ms) / len(ms), 4) for m in ms[0]}}
        for name, ms in buckets.items()
    }


def quotes_carry(quotes: list[str], gold: Gold) -> float:
    """Share of evidence groups met by the cited quotes (one quote, or all of them joined:
    an evidence span may straddle two cited sentences)."""
    if not gold.groups:
        return 0.0
    joined = squash("".join(quotes))
    met = [g for g, spans in gold.groups.items() if any(s and s in joined for s in spans)]
    return len(met) / len(gold.groups)


def answer_body(text: str) -> str:
    """The answer's own words: ``[n]`` markers and askbj's notes left out."""
    return re.sub(r"\[\d+\]|（[^）]*来源[^）]*）|（[^）]*來源[^）]*）", "", text)


def text_carries(text: str, gold: Gold) -> float:
    """Share of evidence groups met by the answer text itself (strict: what the reader sees,
    not what the cited passage holds somewhere)."""
    return quotes_carry([answer_body(text)], gold)


def citations_valid(answer: Answer, documents: dict[str, str]) -> bool:
    """Every quote is the document's text at its span (what a citation promises)."""
    return all(bool(c.quote) and documents.get(c.doc_id, "")[c.start : c.end] == c.quote
               for c in answer.citations)
