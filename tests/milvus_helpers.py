"""Shared by the Milvus store's tests: a Milvus Lite gRPC server on loopback, and the check
that two searchers (FAISS and Milvus) give the same hits."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from askbj import engine
from askbj.config import Settings

QUESTIONS = ("北京国际大数据交易所推出了什么平台?", "2023年北京数字经济增加值是多少?",
             "算力走廊", "What did the data exchange launch?", "人才培养")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _accepts(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def lite_server(data_dir: Path, start_timeout: float = 60.0) -> Iterator[str]:
    """``milvus-lite server`` on 127.0.0.1 at a free port; yields its URI, stops it after."""
    exe = shutil.which("milvus-lite") or str(Path(sys.executable).parent / "milvus-lite")
    if not Path(exe).exists():
        pytest.skip("milvus-lite is not installed")
    port = free_port()
    log = (data_dir.parent / f"milvus-lite-{port}.log").open("w")
    proc = subprocess.Popen([exe, "server", "--data-dir", str(data_dir), "--host", "127.0.0.1",
                             "--port", str(port), "--max-workers", "4"],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + start_timeout
        while not _accepts(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"milvus-lite server did not start (exit {proc.poll()}); "
                                   f"see {log.name}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.close()


def hits_of(searcher: Any, question: str, mode: str, k: int = 5,
            doc_ids: set[str] | None = None) -> list[tuple[str, float, tuple[str, ...]]]:
    """Chunk ids, scores (to 4 places: float32 sums in another order) and alternates."""
    return [(h.chunk.chunk_id, round(h.score, 4), h.alternates)
            for h in searcher.search(question, k=k, mode=mode, doc_ids=doc_ids)]


def assert_same_hits(faiss: Any, milvus: Any, questions: tuple[str, ...] = QUESTIONS,
                     scores: bool = True) -> None:
    for question in questions:
        for mode in ("hybrid", "dense", "bm25"):
            expected = hits_of(faiss, question, mode)
            found = hits_of(milvus, question, mode)
            assert expected, (question, mode)  # something to compare
            if not scores:
                expected = [(c, 0.0, alts) for c, _, alts in expected]
                found = [(c, 0.0, alts) for c, _, alts in found]
            assert found == expected, (question, mode)


def records(settings: Settings) -> dict[str, tuple[str, int]]:
    """chunk_id → (the stored Chunk JSON, its seq) of every passage; the store is closed after."""
    store = engine.open_store(settings)
    try:
        return store.chunk_records()
    finally:
        store.close()


def without_sentences(files: Any) -> None:
    """Write the FAISS index of ``files`` (Settings) again without sentence vectors: the
    Milvus store keeps none, so its search has no sentence stage, and the two stores are
    compared on the stages they share."""
    from dataclasses import replace

    from askbj.index import store as index_store

    index_store.save(replace(index_store.load(files.index_dir), sentences=None), files.index_dir)
