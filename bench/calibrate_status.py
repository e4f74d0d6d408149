"""Calibrate ``MIN_TOPIC`` (partial vs. not-found) and check the answer-type gate on the
committed question sets only (eval/*.jsonl): no question set is written for tuning.

Usage: .venv/bin/python bench/calibrate_status.py [eval/*.jsonl ...] [--write]

For each question it records what the answerer decides (answered / partial / not_found),
whether the question asks for a value (the answer-type gate applies), and the topic share
(``evidence.topic_share``: the best passage's idf-weighted coverage of the question's terms
other than the asked detail). Gold is read only to label questions answerable or not. The
report lists, per candidate threshold, how many unanswerable questions would get a partial
answer and how many answerable questions the gate declines (false non-answers, which no
threshold fixes: they come from the gate itself). With --write: bench/status_calibration.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

from askbj import engine
from askbj.answer.answer_type import VALUE_KINDS, classify
from askbj.answer.evidence import topic_share
from askbj.config import Settings
from askbj.evaluate import questions as evq

REPO = Path(__file__).resolve().parents[1]
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def rows(paths: list[Path]) -> list[tuple[str, bool, str, float]]:
    """(id, answerable, status, topic share) for every judged question."""
    answerer = engine.open_answerer(Settings.from_env())
    out = []
    for path in paths:
        questions, gold = evq.read_questions(path)
        for q in questions:
            if q.id not in gold:
                continue
            answer = answerer.ask(q.question)
            kind = classify(q.question)
            part = next((p for p in kind.parts if p.kind in VALUE_KINDS), None)
            hits = answer.hits or tuple(answerer.searcher.search(q.question, k=8))
            share = topic_share(answerer.assess(q.question, hits, kind),
                                part.focus if part else ())
            out.append((q.id, gold[q.id].answerable, answer.status, round(share, 3)))
    return out


def report(found: list[tuple[str, bool, str, float]]) -> str:
    lines = ["# Partial vs. not-found calibration", "",
             "Committed sets only. `share` = topic share of the best passage.", "",
             "| id | answerable | status | share |", "|---|---|---|---|"]
    lines += [f"| {i} | {a} | {s} | {sh} |" for i, a, s, sh in found if s != "answered" or not a]
    unans = [r for r in found if not r[1]]
    lines += ["", "| MIN_TOPIC | unanswerable partial | unanswerable not_found |", "|---|---|---|"]
    for t in THRESHOLDS:
        declined = [r for r in unans if r[2] != "answered"]
        partial = sum(r[3] >= t for r in declined)
        lines.append(f"| {t} | {partial} | {len(declined) - partial} |")
    false_non = sum(1 for r in found if r[1] and r[2] != "answered")
    lines += ["", f"Answerable questions not answered (false non-answers): {false_non} of "
              f"{sum(r[1] for r in found)}; unanswerable answered: "
              f"{sum(r[2] == 'answered' for r in unans)} of {len(unans)}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    paths = [Path(a) for a in argv if not a.startswith("--")] or sorted(REPO.glob("eval/*.jsonl"))
    text = report(rows(paths))
    print(text)
    if "--write" in argv:
        (REPO / "bench" / "status_calibration.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
