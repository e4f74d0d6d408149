"""Scoring retrieval (and answers) on a fixed question set.

Questions are JSONL: ``id``, ``question``, optional ``lang``; gold fields (``evidence``,
``answer``, ``doc``) are optional and read into a separate ``Gold`` record that only the
scoring functions see — retrieval and answering never receive it. A passage is relevant
when, after normalisation, it contains an evidence span (see eval/README.md).
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from askbj.errors import AskbjError
from askbj.text.normalize import squash

K = 10


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    lang: str = ""


@dataclass(frozen=True)
class Gold:
    """Judging data for one question: evidence spans grouped by document (``""`` = any)."""

    groups: dict[str, tuple[str, ...]]

    @property
    def answerable(self) -> bool:
        return any(self.groups.values())


def read_questions(path: Path) -> tuple[list[Question], dict[str, Gold]]:
    """Questions for the system, and gold (possibly empty) kept apart for the judge."""
    questions, gold = [], {}
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise AskbjError(f"Cannot read questions from {path}: {exc}") from exc
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            q = Question(str(row["id"]), str(row["question"]), str(row.get("lang", "")))
        except (ValueError, KeyError, TypeError) as exc:
            raise AskbjError(f"{path}:{n}: not a question object ({exc}); "
                             "each line needs at least {\"id\", \"question\"}.") from exc
        questions.append(q)
        if "evidence" in row:
            evidence = row["evidence"]
            evidence = [evidence] if isinstance(evidence, str) else evidence
            if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
                raise AskbjError(f"{path}:{n}: \"evidence\" must be a list of strings.")
            gold[q.id] = _gold(evidence)
    return questions, gold


def _gold(evidence: Iterable[str]) -> Gold:
    groups: dict[str, list[str]] = defaultdict(list)
    for span in evidence:
        m = re.match(r"^(\d{3}):(.*)$", span, flags=re.S)
        groups[m.group(1) if m else ""].append(squash(m.group(2) if m else span))
    return Gold({k: tuple(v) for k, v in groups.items()})


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


def hit_record(hit) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """A hit in the public JSON contract (see README, "JSON output")."""
    c = hit.chunk
    return {
        "rank": hit.rank, "chunk_id": c.chunk_id, "doc_id": c.doc_id,
        "section": " / ".join(c.section), "text": c.text, "score": round(hit.score, 6),
        "start": c.start, "end": c.end, "alternates": list(hit.alternates),
    }


def run(questions: list[Question], gold: dict[str, Gold], searcher, mode: str,  # type: ignore[no-untyped-def]
        k: int = K, on_question=None) -> dict[str, object]:
    """Search every question; score against gold where there is any."""
    import time

    records, scored = [], []
    for q in questions:
        started = time.perf_counter()
        hits = searcher.search(q.question, k=k, mode=mode)
        latency = (time.perf_counter() - started) * 1000
        record: dict[str, object] = {
            "id": q.id, "question": q.question, "lang": q.lang, "mode": mode,
            "hits": [hit_record(h) for h in hits], "latency_ms": round(latency, 2),
        }
        g = gold.get(q.id)
        if g is not None and g.answerable:
            metrics = score_ranking([h.chunk.text for h in hits], g, k)
            record["metrics"] = metrics
            scored.append((q.lang, metrics))
        records.append(record)
        if on_question:
            on_question(record)
    latencies = sorted(r["latency_ms"] for r in records)  # type: ignore[type-var]
    summary: dict[str, object] = {
        "mode": mode, "questions": len(records), "judged": len(scored),
        "latency_ms_p50": latencies[len(latencies) // 2] if latencies else None,
        "metrics": summarize(scored) if scored else {},
    }
    return {"summary": summary, "questions": records}


def combine(runs: dict[str, dict[str, object]]) -> dict[str, object]:
    """One results document: the first mode's run, with the others side by side."""
    first = next(iter(runs))
    result = json.loads(json.dumps(runs[first]))
    if len(runs) > 1:
        result["summary"]["by_mode"] = {m: r["summary"] for m, r in runs.items()}  # type: ignore[index]
        for i, q in enumerate(result["questions"]):  # type: ignore[arg-type]
            q["hits_by_mode"] = {m: r["questions"][i]["hits"] for m, r in runs.items()}  # type: ignore[index]
    return result


def citation_record(c) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """A citation in the public JSON contract (see README, "JSON output")."""
    return {
        "n": c.n, "chunk_id": c.chunk_id, "doc_id": c.doc_id, "title": c.title,
        "section": " / ".join(c.section), "start": c.start, "end": c.end, "quote": c.quote,
        "text": c.text, "alternates": list(c.alternates),
    }


def answer_record(answer) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "text": answer.text, "abstained": answer.abstained,
        "status": getattr(answer, "status", "")
        or ("not_found" if answer.abstained else "answered"),
        "citations": [citation_record(c) for c in answer.citations], "notice": answer.notice,
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


def citations_valid(answer, documents: dict[str, str]) -> bool:  # type: ignore[no-untyped-def]
    """Every quote is the document's text at its span (what a citation promises)."""
    return all(bool(c.quote) and documents.get(c.doc_id, "")[c.start : c.end] == c.quote
               for c in answer.citations)


def run_answers(questions: list[Question], gold: dict[str, Gold], answerer,  # type: ignore[no-untyped-def]
                mode: str = "hybrid", k: int = 8) -> dict[str, object]:
    """Answer every question; with gold, score evidence carried, abstentions and validity."""
    import time

    texts = {d.doc_id: d.text for d in answerer.searcher.index.documents}
    records, latencies = [], []
    for q in questions:
        started = time.perf_counter()
        answer = answerer.ask(q.question, k=k, mode=mode)
        latencies.append((time.perf_counter() - started) * 1000)
        record: dict[str, object] = {"id": q.id, "answer": answer_record(answer),
                                     "latency_ms": round(latencies[-1], 2),
                                     "citations_valid": citations_valid(answer, texts)}
        g = gold.get(q.id)
        if g is not None and g.answerable:
            record["evidence_recall"] = quotes_carry([c.quote for c in answer.citations], g)
            record["evidence_in_text"] = text_carries(answer.text, g)
        records.append(record)
    return {"summary": _answer_summary(records, gold, sorted(latencies)), "questions": records}


def _answer_summary(records: list[dict[str, object]], gold: dict[str, Gold],
                    latencies: list[float]) -> dict[str, object]:
    answerable = [r for r in records if "evidence_recall" in r]
    unanswerable = [r for r in records if r["id"] in gold and not gold[str(r["id"])].answerable]

    def abstained(r: dict[str, object]) -> bool:
        return bool(r["answer"]["abstained"])  # type: ignore[index]

    carried = sum(r["evidence_recall"] == 1.0 for r in answerable)
    return {**_strict_summary(records, answerable, unanswerable),
        "questions": len(records), "answerable": len(answerable),
        "evidence_carried": round(carried / len(answerable), 4) if answerable else None,
        "false_abstentions": sum(abstained(r) for r in answerable),
        "unanswerable": len(unanswerable),
        "unanswerable_abstained": sum(abstained(r) for r in unanswerable),
        "citation_validity": round(sum(bool(r["citations_valid"]) for r in records)
                                   / len(records), 4) if records else None,
        "latency_ms_p50": round(latencies[len(latencies) // 2], 2) if latencies else None,
        "latency_ms_p95": round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))],
                                2) if latencies else None,
    }


def _status(r: dict[str, object]) -> str:
    answer = r["answer"]
    return str(answer.get("status") or ("not_found" if answer["abstained"] else "answered"))  # type: ignore[attr-defined]


def _strict_summary(records: list[dict[str, object]], answerable: list[dict[str, object]],
                    unanswerable: list[dict[str, object]]) -> dict[str, object]:
    """Strict answer metrics: evidence in the answer text itself, answer length (answered
    only, characters without markers), questions per status, false non-answers."""
    lengths = sorted(len(answer_body(str(r["answer"]["text"]))) for r in records  # type: ignore[index]
                     if _status(r) == "answered")
    in_text = [r for r in answerable if "evidence_in_text" in r]
    statuses = {s: sum(_status(r) == s for r in records)
                for s in ("answered", "partial", "not_found")}
    return {
        "evidence_in_text": round(sum(r["evidence_in_text"] == 1.0 for r in in_text)  # type: ignore[misc]
                                  / len(in_text), 4) if in_text else None,
        "answer_chars_median": lengths[len(lengths) // 2] if lengths else None,
        "answer_chars_p90": lengths[min(len(lengths) - 1, int(0.9 * len(lengths)))]
        if lengths else None,
        "statuses": statuses,
        "false_non_answers": sum(_status(r) != "answered" for r in answerable),
        "unanswerable_declined": sum(_status(r) != "answered" for r in unanswerable),
        "unanswerable_partial": sum(_status(r) == "partial" for r in unanswerable),
    }


def merge_answers(result: dict[str, object], answers: dict[str, object]) -> dict[str, object]:
    """Add the answer run to a retrieval result: each question gains ``answer`` (and its
    scores), the summary gains ``answers``; no existing key changes."""
    by_id = {r["id"]: r for r in answers["questions"]}  # type: ignore[attr-defined]
    for q in result["questions"]:  # type: ignore[attr-defined]
        extra = by_id.get(q["id"], {})
        q.update({k: v for k, v in extra.items() if k not in ("id", "latency_ms")})
        if "latency_ms" in extra:  # "latency_ms" stays the retrieval latency
            q["answer_latency_ms"] = extra["latency_ms"]
    result["summary"]["answers"] = answers["summary"]  # type: ignore[index]
    return result


def merge_generated(result: dict[str, object], generated: dict[str, object]) -> dict[str, object]:
    """Add a generated-answer run (``run_answers`` over a ``Generator``): each question gains
    ``generated`` (the same answer record and scores as ``answer``), the summary gains
    ``generated_answers`` with how often generation fell back to the extractive answer."""
    from askbj.llm.generator import FALLBACK

    by_id = {r["id"]: r for r in generated["questions"]}  # type: ignore[attr-defined]
    for q in result["questions"]:  # type: ignore[attr-defined]
        extra = by_id.get(q["id"])
        if extra is not None:
            q["generated"] = {k: v for k, v in extra.items() if k != "id"}
    summary = dict(generated["summary"])  # type: ignore[call-overload]
    summary["fell_back"] = sum(FALLBACK in str(r["answer"]["notice"])  # type: ignore[index]
                               for r in generated["questions"])  # type: ignore[attr-defined]
    result["summary"]["generated_answers"] = summary  # type: ignore[index]
    return result


def run_generated(questions: list[Question], gold: dict[str, Gold], searcher,  # type: ignore[no-untyped-def]
                  config, mode: str = "hybrid", k: int = 8) -> dict[str, object]:
    """``run_answers`` through a model (``askbj.llm.generator``): same records and scores."""
    from askbj.answer.extractive import Answerer
    from askbj.llm.generator import Generator

    return run_answers(questions, gold, Generator(config, Answerer(searcher)), mode=mode, k=k)
