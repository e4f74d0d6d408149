"""Calibrate the sentence-support threshold (``askbj.llm.grounding.MIN_SENTENCE_SUPPORT``).

Usage: .venv/bin/python bench/calibrate_support.py [eval/questions.jsonl] [--write]

A generated sentence is kept when ``Grounder.support`` — the idf-weighted share of its terms
found in the passages it cites, zero if a number or place of it is missing — reaches the
threshold. No model runs here (none is installed), so positives stand in for what a good
model writes, and negatives for what a bad one does:

* quotes: the extractive answer's cited sentences against their own passage (the ceiling);
* paraphrases: the sentences of each dev question's gold reference ``answer`` — written by
  a person, in the question's language (English ones too) — against the retrieved passages
  that hold its gold evidence (what a faithful model would cite);
* shuffled: the same sentences against the passages retrieved for another question, taken
  only from other documents (000 and 001, one article in two scripts, count as one);
* near misses: each paraphrase against its own question's retrieved passages that hold no
  gold evidence (same topic, wrong passage) — reported, not used to pick the threshold,
  because such a passage can still support part of the answer.

The threshold maximises TPR − FPR (positives vs shuffled) and sits mid-way across the best
interval. Gold is read only here, to build the probe pairs. --write saves the report to
bench/support_calibration.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

from askbj import engine
from askbj.answer.extractive import Answerer
from askbj.config import Settings
from askbj.evaluate import metrics as evm
from askbj.evaluate import questions as evq
from askbj.llm import grounding
from askbj.llm.generator import MAX_PASSAGES
from askbj.records import Hit

REPO = Path(__file__).resolve().parents[1]
SHIFT = 7  # question i's sentences meet question (i + SHIFT)'s passages


def pairs(answerer: Answerer, path: Path) -> dict[str, list[float]]:
    """Support scores of each probe class over the dev set (``/en`` keys: English only)."""
    g = grounding.Grounder(answerer.stats, answerer.docs)
    chunks = {c.chunk_id: c for c in answerer.searcher.index.chunks}
    questions, gold = evq.read_questions(path)
    rows = []
    for q in questions:
        if q.id not in gold or not gold[q.id].answerable:
            continue
        answer = answerer.ask(q.question)
        hits = answer.hits[:MAX_PASSAGES]
        relevant = [h for h in hits if evm.relevant_groups(h.chunk.text, gold[q.id])]
        rows.append((q, answer, hits, relevant, _reference(path, q.id)))
    scores: dict[str, list[float]] = {k: [] for k in CLASSES}
    for i, (q, answer, hits, relevant, reference) in enumerate(rows):
        own = {_group(h.chunk.doc_id) for h in relevant} or {_group(h.chunk.doc_id) for h in hits}
        foreign = _foreign(rows, i, own)
        misses = [h for h in hits if h not in relevant]
        for c in answer.citations:
            claim = g.claim(c.quote)
            scores["quotes"].append(g.support(claim, [Hit(chunks[c.chunk_id], 1, 0.0)]))
            scores["shuffled"].append(g.support(claim, foreign))
        for sentence in grounding.sentences(reference):
            claim = g.claim(sentence)
            found = [
                ("paraphrases", g.support(claim, relevant) if relevant else None),
                ("shuffled", g.support(claim, foreign)),
                ("near misses", max((g.support(claim, [h]) for h in misses), default=None)),
            ]
            for name, x in found:
                if x is not None:
                    scores[name].append(x)
                    if q.lang == "en":
                        scores[f"{name}/en"].append(x)
    return scores


CLASSES = ("quotes", "paraphrases", "shuffled", "near misses", "paraphrases/en", "shuffled/en",
           "near misses/en")


def _group(doc_id: str) -> str:
    """Documents 000 and 001 are one article in two scripts."""
    return "000" if doc_id in ("000", "001") else doc_id


def _foreign(rows: list, i: int, own: set[str]) -> list[Hit]:  # type: ignore[type-arg]
    """The retrieved passages of the next question SHIFT on that come from other documents."""
    for step in range(SHIFT, SHIFT + len(rows)):
        other = [h for h in rows[(i + step) % len(rows)][2] if _group(h.chunk.doc_id) not in own]
        if other:
            return other
    return []


def _reference(path: Path, qid: str) -> str:
    import json

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and json.loads(line)["id"] == qid:
            return str(json.loads(line).get("answer", ""))
    return ""


def choose(pos: list[float], neg: list[float]) -> tuple[float, float]:
    """(threshold, TPR − FPR): the middle of the best interval of cut points."""
    cuts = sorted({0.0, *pos, *neg, 1.01})
    best = max(_j(pos, neg, t) for t in cuts)
    good = [t for t in cuts if _j(pos, neg, t) == best]
    lo, hi = good[0], good[-1]
    below = max((x for x in [*pos, *neg] if x < lo), default=0.0)
    return round((below + lo) / 2, 2) if lo == hi else round((lo + hi) / 2, 2), best


def _j(pos: list[float], neg: list[float], t: float) -> float:
    return _rate(pos, t) - _rate(neg, t)


def _rate(xs: list[float], t: float) -> float:
    return sum(x >= t for x in xs) / len(xs) if xs else 0.0


def auc(pos: list[float], neg: list[float]) -> float:
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg)) if pos and neg else 0.0


def report(scores: dict[str, list[float]], path: Path) -> str:
    pos = scores["quotes"] + scores["paraphrases"]
    neg = scores["shuffled"]
    threshold, j = choose(pos, neg)
    lines = ["# Sentence-support calibration", "",
             "Written by `bench/calibrate_support.py --write` (see its docstring for the probe "
             "classes). A generated sentence is kept when `Grounder.support` ≥ "
             "`MIN_SENTENCE_SUPPORT` (src/askbj/grounding.py).", "",
             f"Dev set `{path.name}`; passages: the top {MAX_PASSAGES} retrieved (hybrid).", "",
             "| class | n | min | p10 | median | share ≥ threshold |", "|---|---|---|---|---|---|"]
    for name in CLASSES:
        xs = scores[name]
        s = sorted(xs)
        lines.append(f"| {name} | {len(s)} | {s[0]:.2f} | {s[len(s) // 10]:.2f} | "
                     f"{s[len(s) // 2]:.2f} | {_rate(s, threshold):.2f} |" if s else
                     f"| {name} | 0 | | | | |")
    lines += ["", "What the classes miss: some documents quote one another (003 restates 002), "
              "so a few shuffled pairs are true support; and near misses are 'no gold "
              "evidence', not 'no support'. Both make the negative rates upper bounds. English "
              "sentences reach the Chinese text only through CC-CEDICT glosses, so their "
              "positives score lower (see the /en rows).", ""]
    lines += [f"Chosen threshold **{threshold:.2f}** (TPR − FPR = {j:.2f}); "
              f"ROC AUC positives vs shuffled {auc(pos, neg):.3f}, paraphrases vs shuffled "
              f"{auc(scores['paraphrases'], neg):.3f}, paraphrases vs near misses "
              f"{auc(scores['paraphrases'], scores['near misses']):.3f}. In use: "
              f"MIN_SENTENCE_SUPPORT = {grounding.MIN_SENTENCE_SUPPORT}.", "",
              "## Sweep", "", "| threshold | quotes kept | paraphrases kept | shuffled kept | "
              "near misses kept |", "|---|---|---|---|---|"]
    for step in range(2, 19):
        t = step / 20
        lines.append(f"| {t:.2f} | " + " | ".join(f"{_rate(scores[k], t):.2f}" for k in (
            "quotes", "paraphrases", "shuffled", "near misses")) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    path = Path(args[0]) if args else REPO / "eval" / "questions.jsonl"
    text = report(pairs(engine.open_answerer(Settings()), path), path)
    if "--write" in sys.argv:
        (REPO / "bench" / "support_calibration.md").write_text(text, encoding="utf-8")
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
