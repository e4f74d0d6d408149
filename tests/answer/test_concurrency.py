"""One loaded Answerer serves every Streamlit session at once, so it must be thread-safe.

The shared parts are the lazily loaded jieba, OpenCC and CC-CEDICT tables, the bm25s
retriever and numpy arrays. A race there would not crash; it would quietly give one user
another's terms or a half-built dictionary. So each answer given under load from 8 threads
is compared with the answer the same question gets alone: text, abstention, citations,
hits. GIL switches are made very frequent while threads run, to interleave them finely.
"""

from __future__ import annotations

import random
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

from askbj.answer.extractive import Answerer
from askbj.records import Answer
from askbj.retrieve import expand as translate
from askbj.retrieve.searcher import Searcher
from askbj.text import normalize

pytest_plugins = ["answer_corpus"]  # the tiny corpus and its fixtures

THREADS = 8
QUESTIONS = (
    "北京国际大数据交易所推出了什么数据交易平台？",
    "北京採取了哪些措施推動數據要素市場化配置？",
    "北京累计建设了多少5G基站？",
    "截至2023年11月末，每万人拥有5G基站数是多少？",
    "千兆用户数达到多少？",
    "數據元件模式是什麼？",
    "上海建成了多少个国家级智能工厂？",
    "上海市数据条例确立了什么数据交易价格原则？",
    "What data trading platform did the Beijing International Big Data Exchange launch?",
    "How many 5G base stations has Beijing built?",
    "How many national smart factories are there in Shanghai?",
    "Beijing 数据交易平台 IDeX",
    "红烧肉怎么做？",
    "合肥2022年的GDP是多少？",
    "What is the capital of France?",
    "!!!???",
)
CASES = [(q, mode, script) for q in QUESTIONS for mode in ("hybrid", "dense", "bm25")
         for script in ("auto", "traditional")]
LOAD = CASES * 3  # 288 calls
Case = tuple[str, str, str]


def outcome(answer: Answer) -> tuple[Any, ...]:
    """What a user sees of an answer, and which passages it was drawn from."""
    return (answer.text, answer.abstained, answer.citations, answer.notice,
            tuple((h.chunk.chunk_id, h.rank, h.alternates) for h in answer.hits))


def ask(answerer: Answerer, case: Case) -> tuple[Any, ...]:
    question, mode, script = case
    return outcome(answerer.ask(question, mode=mode, script=script))


@pytest.fixture
def fine_switching() -> Iterator[None]:
    """Let the interpreter switch threads every microsecond instead of every 5 ms."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def hammer(fn: Callable[[Case], tuple[Any, ...]], cases: list[Case]) -> list[tuple[Any, ...]]:
    """Run ``fn`` over ``cases`` from ``THREADS`` threads released together."""
    start = threading.Barrier(THREADS)

    def worker(batch: list[Case]) -> list[tuple[Any, ...]]:
        start.wait()
        return [fn(case) for case in batch]

    batches = [cases[i::THREADS] for i in range(THREADS)]
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(worker, batches))
    merged: list[tuple[Any, ...]] = [()] * len(cases)
    for i, batch in enumerate(results):
        merged[i::THREADS] = batch
    return merged


def test_shared_answerer_gives_every_thread_the_single_threaded_answer(
    answerer: Answerer, fine_switching: None
) -> None:
    alone = {case: ask(answerer, case) for case in CASES}
    assert sum(not a[1] for a in alone.values()) >= 20  # the load includes real answers
    assert sum(a[1] for a in alone.values()) >= 10  # and abstentions
    load = list(LOAD)
    random.Random(7).shuffle(load)
    got = hammer(lambda case: ask(answerer, case), load)
    wrong = [case for case, result in zip(load, got, strict=True) if result != alone[case]]
    assert not wrong, f"{len(wrong)} of {len(load)} answers differ under load, e.g. {wrong[0]}"


def test_cold_start_from_many_threads_at_once(
    answerer: Answerer, fine_switching: None
) -> None:
    """The first questions after start-up race to load the lazy tables: all must get them
    whole. (jieba's own dictionary stays loaded; the caches around it are reset.)"""
    for cached in (normalize._converter, normalize._jieba, translate._reverse, normalize._posseg):
        cached.cache_clear()
    first = CASES[:: len(CASES) // (2 * THREADS)][: 2 * THREADS]
    got = hammer(lambda case: ask(answerer, case), first)
    assert got == [ask(answerer, case) for case in first]


class SharedBufferEncoder:
    """A deliberately unsafe encoder: every call writes its vector into one shared buffer,
    yields, then reads the buffer back. Used to show the comparison above can see a race."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name = inner, inner.name
        self.buffer = np.zeros((1, inner.dim), dtype=np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        self.buffer[:] = self.inner.embed_queries(texts)
        time.sleep(0)
        return self.buffer.copy()


def test_the_comparison_catches_a_racy_component(
    answerer: Answerer, fine_switching: None
) -> None:
    racy = Answerer(Searcher(answerer.searcher.index,  # every question embedded anew
                             SharedBufferEncoder(answerer.searcher.encoder), cached_queries=0))
    dense = [case for case in LOAD if case[1] == "dense"]
    alone = {case: ask(racy, case) for case in set(dense)}
    got = hammer(lambda case: ask(racy, case), dense)
    assert any(result != alone[case] for case, result in zip(dense, got, strict=True))
