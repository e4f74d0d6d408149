"""Scoring retrieval (and answers) on a fixed question set.

Questions are JSONL: ``id``, ``question``, optional ``lang``; gold fields (``evidence``,
``answer``, ``doc``) are optional and read into a separate ``Gold`` record that only the
scoring functions see — retrieval and answering never receive it. A passage is relevant
when, after normalisation, it contains an evidence span (see eval/README.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from askbj.answer.followup import Turn
from askbj.evaluate.metrics import (
    K,
    answer_body,
    citations_valid,
    quotes_carry,
    score_ranking,
    summarize,
    text_carries,
)
from askbj.evaluate.questions import Gold, LineError, Question
from askbj.text.normalize import without_surrogates

if TYPE_CHECKING:
    from askbj.answer.extractive import Answerer
    from askbj.llm.client import LLMConfig
    from askbj.llm.generator import Generator
    from askbj.retrieve.searcher import Searcher


@dataclass(frozen=True)
class Context:
    """A question's conversation as replayed through askbj: the earlier turns, and the
    standalone question they make of it (what is searched)."""

    turns: tuple[Turn, ...]
    resolved: str

    def to_dict(self) -> dict[str, Any]:
        return {"turns": [t.to_dict() for t in self.turns], "resolved": self.resolved}


def with_errors(result: dict[str, Any], errors: tuple[LineError, ...]) -> dict[str, Any]:
    """Add the unreadable lines to a results document: ``errors`` (one record per line) and
    ``summary.errors`` (their count); nothing is added when every line was read."""
    if errors:
        result["errors"] = [e.to_dict() for e in errors]
        result["summary"]["errors"] = len(errors)
    return result


def write_results(path: Path, result: dict[str, Any]) -> None:
    """The results JSON, written aside and renamed (an existing file stays whole on failure);
    lone surrogates (from argv or a question) become U+FFFD instead of failing the write."""
    from askbj.files import write_atomically

    text = json.dumps(result, ensure_ascii=False, indent=2)
    write_atomically(path, without_surrogates(text).encode("utf-8"))


def replay_histories(questions: list[Question], answerer: Answerer,
                     mode: str = "hybrid", k: int = 8) -> dict[str, Context]:
    """Each question's conversation: its ``history`` answered by askbj in order (so its own
    earlier answers are there for "第二个方面…"), and the question resolved against it."""
    from askbj.answer.followup import replay

    contexts = {}
    for q in questions:
        turns = replay(answerer, [(h, None) for h in q.history], k=k, mode=mode)
        contexts[q.id] = Context(turns, answerer.resolver.resolve(q.question, turns).question)
    return contexts


def run(questions: list[Question], gold: dict[str, Gold], searcher: Searcher, mode: str,
        k: int = K, on_question=None, contexts: dict[str, Context] | None = None,
        ) -> dict[str, Any]:
    """Search every question (a follow-up as resolved in ``contexts``); score against gold
    where there is any."""
    import time

    records, scored = [], []
    for q in questions:
        searched = contexts[q.id].resolved if contexts and q.id in contexts else q.question
        started = time.perf_counter()
        hits = searcher.search(searched, k=k, mode=mode)
        latency = (time.perf_counter() - started) * 1000
        record: dict[str, Any] = {
            "id": q.id, "question": q.question, "lang": q.lang, "mode": mode,
            "resolved_question": searched,
            "hits": [h.to_dict() for h in hits], "latency_ms": round(latency, 2),
        }
        if q.history:
            record["history"] = list(q.history)
        g = gold.get(q.id)
        if g is not None and g.answerable:
            metrics = score_ranking([h.chunk.text for h in hits], g, k)
            record["metrics"] = metrics
            scored.append((q.lang, metrics))
        records.append(record)
        if on_question:
            on_question(record)
    latencies = sorted(r["latency_ms"] for r in records)
    summary: dict[str, Any] = {
        "mode": mode, "questions": len(records), "judged": len(scored),
        "latency_ms_p50": latencies[len(latencies) // 2] if latencies else None,
        "metrics": summarize(scored) if scored else {},
    }
    return {"summary": summary, "questions": records}


def combine(runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One results document: the first mode's run, with the others side by side."""
    first = next(iter(runs))
    result = json.loads(json.dumps(runs[first]))
    if len(runs) > 1:
        result["summary"]["by_mode"] = {m: r["summary"] for m, r in runs.items()}
        for i, q in enumerate(result["questions"]):
            q["hits_by_mode"] = {m: r["questions"][i]["hits"] for m, r in runs.items()}
    return result


def run_answers(questions: list[Question], gold: dict[str, Gold],
                answerer: Answerer | Generator,
                mode: str = "hybrid", k: int = 8,
                contexts: dict[str, Context] | None = None) -> dict[str, Any]:
    """Answer every question (after its replayed history in ``contexts``); with gold, score
    evidence carried, abstentions and validity."""
    import time

    texts = {d.doc_id: d.text for d in answerer.searcher.index.documents}
    records, latencies = [], []
    for q in questions:
        turns = contexts[q.id].turns if contexts and q.id in contexts else ()
        started = time.perf_counter()
        answer = answerer.ask(q.question, k=k, mode=mode, history=turns)
        latencies.append((time.perf_counter() - started) * 1000)
        record: dict[str, Any] = {"id": q.id, "answer": answer.to_dict(),
                                     "resolved_question": answer.resolved_question or q.question,
                                     "latency_ms": round(latencies[-1], 2),
                                     "citations_valid": citations_valid(answer, texts)}
        g = gold.get(q.id)
        if g is not None and g.answerable:
            record["evidence_recall"] = quotes_carry([c.quote for c in answer.citations], g)
            record["evidence_in_text"] = text_carries(answer.text, g)
        records.append(record)
    return {"summary": _answer_summary(records, gold, sorted(latencies)), "questions": records}


def _answer_summary(records: list[dict[str, Any]], gold: dict[str, Gold],
                    latencies: list[float]) -> dict[str, Any]:
    answerable = [r for r in records if "evidence_recall" in r]
    unanswerable = [r for r in records if r["id"] in gold and not gold[str(r["id"])].answerable]

    def abstained(r: dict[str, Any]) -> bool:
        return bool(r["answer"]["abstained"])

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


def _status(r: dict[str, Any]) -> str:
    answer = r["answer"]
    return str(answer.get("status") or ("not_found" if answer["abstained"] else "answered"))


def _strict_summary(records: list[dict[str, Any]], answerable: list[dict[str, Any]],
                    unanswerable: list[dict[str, Any]]) -> dict[str, Any]:
    """Strict answer metrics: evidence in the answer text itself, answer length (answered
    only, characters without markers), questions per status, false non-answers."""
    lengths = sorted(len(answer_body(str(r["answer"]["text"]))) for r in records
                     if _status(r) == "answered")
    in_text = [r for r in answerable if "evidence_in_text" in r]
    statuses = {s: sum(_status(r) == s for r in records)
                for s in ("answered", "partial", "not_found")}
    return {
        "evidence_in_text": round(sum(r["evidence_in_text"] == 1.0 for r in in_text)
                                  / len(in_text), 4) if in_text else None,
        "answer_chars_median": lengths[len(lengths) // 2] if lengths else None,
        "answer_chars_p90": lengths[min(len(lengths) - 1, int(0.9 * len(lengths)))]
        if lengths else None,
        "statuses": statuses,
        "false_non_answers": sum(_status(r) != "answered" for r in answerable),
        "unanswerable_declined": sum(_status(r) != "answered" for r in unanswerable),
        "unanswerable_partial": sum(_status(r) == "partial" for r in unanswerable),
    }


def merge_answers(result: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """Add the answer run to a retrieval result: each question gains ``answer`` (and its
    scores), the summary gains ``answers``; no existing key changes."""
    by_id = {r["id"]: r for r in answers["questions"]}
    for q in result["questions"]:
        extra = by_id.get(q["id"], {})
        q.update({k: v for k, v in extra.items() if k not in ("id", "latency_ms")})
        if "latency_ms" in extra:  # "latency_ms" stays the retrieval latency
            q["answer_latency_ms"] = extra["latency_ms"]
    result["summary"]["answers"] = answers["summary"]
    return result


def merge_generated(result: dict[str, Any], generated: dict[str, Any]) -> dict[str, Any]:
    """Add a generated-answer run (``run_answers`` over a ``Generator``): each question gains
    ``generated`` (the same answer record and scores as ``answer``), the summary gains
    ``generated_answers`` with how often generation fell back to the extractive answer."""
    from askbj.llm.generator import FALLBACK

    by_id = {r["id"]: r for r in generated["questions"]}
    for q in result["questions"]:
        extra = by_id.get(q["id"])
        if extra is not None:
            q["generated"] = {k: v for k, v in extra.items() if k != "id"}
    summary = dict(generated["summary"])
    summary["fell_back"] = sum(FALLBACK in str(r["answer"]["notice"])
                               for r in generated["questions"])
    result["summary"]["generated_answers"] = summary
    return result


def run_generated(questions: list[Question], gold: dict[str, Gold], searcher: Searcher,
                  config: LLMConfig, mode: str = "hybrid", k: int = 8,
                  contexts: dict[str, Context] | None = None) -> dict[str, Any]:
    """``run_answers`` through a model (``askbj.llm.generator``): same records and scores."""
    from askbj.answer.extractive import Answerer
    from askbj.llm.generator import Generator

    return run_answers(questions, gold, Generator(config, Answerer(searcher)), mode=mode, k=k,
                       contexts=contexts)
