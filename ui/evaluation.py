"""The evaluation page's computations: runs per search mode, metric tables, the hit@k curve
and the per-question table. Plain functions over ``evaluate.run`` records."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from askbj.errors import AskbjError

METRICS = ("hit@1", "hit@5", "mrr@10", "ndcg@10")


def run_modes(questions: list[Any], gold: dict[str, Any], searcher: Any,
              modes: Iterable[str], k: int = 10,
              progress: Callable[[int, int], None] | None = None,
              answerer: Any = None) -> dict[str, dict[str, Any]]:
    """``evaluate.run`` for each mode, reporting (done, total) questions across all modes.
    With ``answerer``, questions with a ``history`` are searched as resolved after replaying
    it (as ``askbj eval`` does)."""
    from askbj.evaluate import runner as ev

    contexts = (ev.replay_histories(questions, answerer)
                if answerer is not None and any(q.history for q in questions) else None)

    modes = list(modes)
    total, done = len(questions) * len(modes), 0

    def tick(_: object) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    return {m: ev.run(questions, gold, searcher, m, k, on_question=tick, contexts=contexts)
            for m in modes}


def metrics_side_by_side(runs: dict[str, dict[str, Any]]) -> list[dict[str, object]]:
    """Rows (scope, metric) with one column per mode: overall first, then each language."""
    scopes: list[str] = []
    for r in runs.values():
        for scope in r["summary"]["metrics"]:
            if scope not in scopes:
                scopes.append(scope)
    scopes.sort(key=lambda s: (s != "overall", s))
    rows = []
    for scope in scopes:
        first = next((r["summary"]["metrics"].get(scope) for r in runs.values()), None) or {}
        for metric in METRICS:
            row: dict[str, object] = {"scope": scope, "n": int(first.get("n", 0)),
                                      "metric": metric}
            for mode, r in runs.items():
                row[mode] = r["summary"]["metrics"].get(scope, {}).get(metric)
            rows.append(row)
    return rows


def read_question_file(path: Path, name: str) -> Any:
    """The readable questions of a question file (``QuestionSet``: its bad lines are in
    ``errors``, as in `askbj eval`); a file with no readable question at all is an error."""
    from askbj.evaluate.questions import read_question_set

    found = read_question_set(path)
    if found.errors and not found.questions:
        first = found.errors[0]
        raise AskbjError(f"{name}:{first.line}: {first.error}")
    return found


def read_uploaded_questions(data: bytes, name: str = "upload.jsonl") -> Any:
    """``read_question_file`` for an uploaded file's bytes (errors name the upload)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "questions.jsonl"  # the upload's name may be too long for a file
        path.write_bytes(data)
        try:
            return read_question_file(path, Path(name).name)
        except AskbjError as exc:
            raise AskbjError(str(exc).replace(str(path), Path(name).name)) from exc


def relevant_flags(hits: list[dict[str, Any]], gold: Any) -> list[bool]:
    from askbj.evaluate.metrics import relevant_groups

    return [bool(relevant_groups(str(h["text"]), gold)) for h in hits]


def hit_curve(runs: dict[str, dict[str, Any]], gold: dict[str, Any],
              kmax: int = 10) -> list[dict[str, float]]:
    """hit@k for k = 1..kmax per mode: the share of evidence groups found in the top k."""
    from askbj.evaluate.metrics import relevant_groups

    rows = [{"k": float(k)} for k in range(1, kmax + 1)]
    for mode, r in runs.items():
        judged = [q for q in r["questions"] if q["id"] in gold and gold[q["id"]].answerable]
        sums = [0.0] * kmax
        for q in judged:
            g = gold[q["id"]]
            found: set[str] = set()
            for k in range(kmax):
                if k < len(q["hits"]):
                    found |= relevant_groups(str(q["hits"][k]["text"]), g)
                sums[k] += len(found) / len(g.groups)
        for k in range(kmax):
            rows[k][mode] = round(sums[k] / len(judged), 4) if judged else 0.0
    return rows


STATUS_STYLES = {"✗ missed": "background-color: rgba(229, 72, 77, 0.18)",
                 "△ partial": "background-color: rgba(245, 166, 35, 0.16)"}


def status_style(status: str) -> str:
    """CSS for a per-question table row, so misses stand out."""
    return STATUS_STYLES.get(status, "")


def question_rows(runs: dict[str, dict[str, Any]], gold: dict[str, Any]) -> list[dict[str, object]]:
    """Per question: the rank of the first relevant passage in each mode ("miss" if none)."""
    modes = list(runs)
    rows = []
    for i, q in enumerate(runs[modes[0]]["questions"]):
        g = gold.get(q["id"])
        row: dict[str, object] = {"id": q["id"], "lang": q["lang"], "question": q["question"]}
        misses = 0
        for m in modes:
            if g is None or not g.answerable:
                row[m] = "—"
                continue
            flags = relevant_flags(runs[m]["questions"][i]["hits"], g)
            first = next((r for r, f in enumerate(flags, start=1) if f), None)
            row[m] = str(first) if first else "miss"
            misses += first is None
        judged = g is not None and g.answerable
        row["status"] = ("unjudged" if not judged else "✗ missed" if misses == len(modes)
                         else "△ partial" if misses else "✓ found")
        rows.append(row)
    return rows

