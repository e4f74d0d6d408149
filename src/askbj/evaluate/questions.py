"""Question files for `askbj eval`: one JSON object a line (``id``, ``question``, optional
``lang`` and ``history``; gold ``evidence`` for judging only), read into records, with an
error record for each line that is not a question."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from askbj.errors import AskbjError
from askbj.text.normalize import LONE_SURROGATE, squash, without_surrogates


@dataclass(frozen=True)
class Question:
    """One line of a question set; ``history`` holds the earlier questions of its
    conversation, oldest first (replayed through askbj before this one is asked)."""

    id: str
    question: str
    lang: str = ""
    history: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gold:
    """Judging data for one question: evidence spans grouped by document (``""`` = any)."""

    groups: dict[str, tuple[str, ...]]

    @property
    def answerable(self) -> bool:
        return any(self.groups.values())


@dataclass(frozen=True)
class LineError:
    """A question line that could not be read: it is reported in the results, not fatal."""

    line: int
    id: str
    error: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "id": self.id, "error": self.error}


@dataclass(frozen=True)
class QuestionSet:
    questions: tuple[Question, ...]
    gold: dict[str, Gold]
    errors: tuple[LineError, ...] = ()


def read_questions(path: Path) -> tuple[list[Question], dict[str, Gold]]:
    """Questions for the system, and gold (possibly empty) kept apart for the judge; the
    first malformed line is an ``AskbjError`` (``read_question_set`` reports them instead)."""
    found = read_question_set(path)
    if found.errors:
        first = found.errors[0]
        raise AskbjError(f"{path}:{first.line}: {first.error}")
    return list(found.questions), found.gold


def read_question_set(path: Path) -> QuestionSet:
    """Every readable question of ``path``, and an error record for each line that is not."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise AskbjError(f"Cannot read questions from {path}: {exc}") from exc
    questions, gold, errors = [], {}, []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            q, evidence = _question(line)
        except (ValueError, KeyError, TypeError) as exc:
            errors.append(LineError(n, _line_id(line), _line_problem(exc)))
            continue
        questions.append(q)
        if evidence is not None:
            gold[q.id] = _gold(evidence)
    return QuestionSet(tuple(questions), gold, tuple(errors))




def _question(line: str) -> tuple[Question, list[str] | None]:
    row = json.loads(line)
    if not isinstance(row, dict):
        raise TypeError(f"a JSON {type(row).__name__}, not an object")
    q = Question(str(row["id"]), str(row["question"]), str(row.get("lang", "")),
                 _history(row.get("history", [])))
    if LONE_SURROGATE.search(q.id + q.question + q.lang + "".join(q.history)):
        raise ValueError("it holds a lone surrogate (\\udxxx), which is not text")
    if not q.question.strip():
        raise ValueError("the question is empty")
    if "evidence" not in row:
        return q, None
    evidence = row["evidence"]
    evidence = [evidence] if isinstance(evidence, str) else evidence
    if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
        raise TypeError('"evidence" must be a list of strings.')
    return q, evidence


def _line_problem(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return (f"not a question object (no {exc} field); each line needs at least "
                '{"id", "question"}.')
    return f"not a question object ({exc}); each line needs at least {{\"id\", \"question\"}}."


def _line_id(line: str) -> str:
    try:
        row = json.loads(line)
        return without_surrogates(str(row.get("id", ""))) if isinstance(row, dict) else ""
    except ValueError:
        return ""


def _history(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(h, str) and h.strip() for h in value):
        raise TypeError('"history" must be a list of earlier questions (strings), oldest first')
    return tuple(value)


def _gold(evidence: Iterable[str]) -> Gold:
    groups: dict[str, list[str]] = defaultdict(list)
    for span in evidence:
        m = re.match(r"^(\d{3}):(.*)$", span, flags=re.S)
        groups[m.group(1) if m else ""].append(squash(m.group(2) if m else span))
    return Gold({k: tuple(v) for k, v in groups.items()})
