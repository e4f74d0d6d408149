"""Calibrate the abstention threshold (``askbj.answer.extractive.MIN_SUPPORT``) on the dev set.

Usage: .venv/bin/python bench/calibrate_abstain.py [eval/questions.jsonl] [--write]

The signal is ``Assessment.best``: over the retrieved passages, the idf-weighted share of
the question's non-anchor terms that a passage (with its section path) contains, counted
only for passages that also contain every anchor (numbers such as years; place names,
which the document title may supply). It reads gold only to label questions answerable or
not. Besides the sweep it probes the signal with *counterfactual* questions — each
answerable question with its year or place swapped for one the corpus never mentions —
which no answerer could answer, so they test the rule beyond the three unanswerable dev
questions. With --write the report goes to bench/abstain_calibration.md.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from askbj import engine
from askbj.answer import extractive as answer_mod
from askbj.answer.extractive import Answerer
from askbj.config import Settings
from askbj.evaluate import questions as evq
from askbj.text.normalize import to_simplified

REPO = Path(__file__).resolve().parents[1]
ABSENT_YEAR = "2009"
ABSENT_PLACE = ("Lanzhou", "兰州")
# Questions the corpus cannot answer that carry no absent year or place: the hard case.
OFF_TOPIC = (
    "北京的房价是多少?", "如何申请北京户口?", "北京冬奥会是哪天开幕的?", "北京有多少家医院?",
    "北京的数字人民币试点取得了哪些成果?", "量子计算的原理是什么?",
    "What is the capital of France?", "How many people live in Beijing?",
)
YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def signals(answerer: Answerer, questions: list[evq.Question], k: int = 8) -> dict[str, float]:
    out = {}
    for q in questions:
        hits = tuple(answerer.searcher.search(q.question, k=k))
        out[q.id] = answerer.assess(q.question, hits).best
    return out


def sweep(scores: dict[str, float], answerable: set[str]) -> list[tuple[float, int, int]]:
    """(threshold, false abstentions, unanswerable abstained) for thresholds 0.00–0.95."""
    rows = []
    for step in range(20):
        t = step / 20
        false_abs = sum(scores[i] < t for i in scores if i in answerable)
        right_abs = sum(scores[i] < t for i in scores if i not in answerable)
        rows.append((t, false_abs, right_abs))
    return rows


def counterfactuals(answerer: Answerer, questions: list[evq.Question],
                    answerable: set[str]) -> list[tuple[str, str]]:
    """Answerable questions with a year or place swapped for one the corpus lacks."""
    corpus = "".join(d.text for d in answerer.searcher.index.documents)
    assert ABSENT_YEAR not in corpus and ABSENT_PLACE[1] not in corpus
    made = []
    for q in questions:
        if q.id not in answerable:
            continue
        if YEAR.search(q.question):
            made.append((f"{q.id}/year", YEAR.sub(ABSENT_YEAR, q.question, count=1)))
        if q.lang == "en":
            gazetteer = answerer.searcher.domain.gazetteer
            names = [n for n in gazetteer if re.search(rf"\b{n}\b", q.question, re.I)]
            made += [(f"{q.id}/place", re.sub(rf"\b{n}\b", ABSENT_PLACE[0], q.question,
                                              flags=re.I)) for n in names[:1]]
            continue
        simplified = to_simplified(q.question)
        for place in answerer.assess(q.question, ()).question.places[:1]:
            name = place.split("|")[0]  # a place is its forms, the first as written
            made.append((f"{q.id}/place", simplified.replace(name, ABSENT_PLACE[1])))
    return made


def report(answerer: Answerer, path: Path) -> str:
    questions, gold = evq.read_questions(path)
    answerable = {q.id for q in questions if gold.get(q.id) and gold[q.id].answerable}
    scores = signals(answerer, questions)
    lines = ["# Abstention calibration", "",
             "Written by `bench/calibrate_abstain.py --write`. `askbj ask` abstains when "
             "`Assessment.best` < `MIN_SUPPORT` (src/askbj/answer.py). `best` is, over the "
             "retrieved passages, the idf-weighted share of the question's non-anchor terms "
             "found in a passage and its section path, counted only for passages holding every "
             "anchor: numbers (years, counts) and place names (jieba `ns` tags; for English, a "
             "gazetteer of Chinese place names), which the document title may also supply. "
             "English questions share no terms with the corpus, so only their anchors count. "
             "The threshold sits mid-gap between the unanswerable and answerable dev questions; "
             "the counterfactual probe below checks the rule on questions the dev set lacks.", "",
             f"Dev set `{path.name}`: {len(answerable)} answerable, "
             f"{len(questions) - len(answerable)} unanswerable.", "",
             "| id | lang | answerable | best support |", "|---|---|---|---|"]
    lines += [f"| {q.id} | {q.lang} | {'yes' if q.id in answerable else '**no**'} | "
              f"{scores[q.id]:.2f} |" for q in sorted(questions, key=lambda q: scores[q.id])]
    lo = max((s for i, s in scores.items() if i not in answerable), default=0.0)
    hi = min((s for i, s in scores.items() if i in answerable), default=1.0)
    lines += ["", "## Sweep", "", "| threshold | false abstentions | unanswerable abstained |",
              "|---|---|---|"]
    lines += [f"| {t:.2f} | {fa} | {ra} |" for t, fa, ra in sweep(scores, answerable)]
    lines += ["", f"Highest unanswerable: {lo:.2f}; lowest answerable: {hi:.2f}; "
              f"midpoint {(lo + hi) / 2:.2f}. In use: MIN_SUPPORT = {answer_mod.MIN_SUPPORT}.", ""]
    lines += probe(answerer, questions, answerable)
    return "\n".join(lines) + "\n"


def probe(answerer: Answerer, questions: list[evq.Question], answerable: set[str]) -> list[str]:
    made = counterfactuals(answerer, questions, answerable)
    rows = [(cid, text, answerer.ask(text)) for cid, text in made]
    abstained = sum(a.abstained for _, _, a in rows)
    lines = ["## Counterfactual probe", "",
             f"{len(rows)} answerable questions with the year swapped for {ABSENT_YEAR} or the "
             f"first place name for {ABSENT_PLACE[1]} ({ABSENT_PLACE[0]}), which the corpus "
             "never names; "
             f"abstained on {abstained}/{len(rows)}.", "",
             "| probe | abstained | question |", "|---|---|---|"]
    lines += [f"| {cid} | {'yes' if a.abstained else '**no**'} | {text} |"
              for cid, text, a in rows]
    off = [(q, answerer.ask(q)) for q in OFF_TOPIC]
    lines += ["", "## Off-topic questions without a missing anchor", "",
              f"Abstained on {sum(a.abstained for _, a in off)}/{len(off)}; the rest show what "
              "lexical support cannot tell apart (a shared word such as 户口 or 医院 in an "
              "unrelated sentence; English questions with no anchor at all).", "",
              "| abstained | question |", "|---|---|"]
    lines += [f"| {'yes' if a.abstained else '**no**'} | {q} |" for q, a in off]
    return lines


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    path = Path(args[0]) if args else REPO / "eval" / "questions.jsonl"
    text = report(engine.open_answerer(Settings()), path)
    if "--write" in sys.argv:
        (REPO / "bench" / "abstain_calibration.md").write_text(text, encoding="utf-8")
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
