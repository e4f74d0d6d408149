"""The Milvus store through a Milvus Lite gRPC server on loopback (``milvus-lite server``,
started and stopped here): the client path of a real Milvus deployment. The real offline
model over the small fixture corpus; search and answers must be the FAISS store's, and
re-ingest must touch only what changed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from askbj import engine
from askbj.config import Settings
from askbj.errors import IndexMissing
from askbj.index.milvus import MilvusStore

from corpora import write_ingest
from milvus_helpers import QUESTIONS, assert_same_hits, lite_server, records, without_sentences

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def embedder() -> Any:
    return engine.make_embedder(Settings())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with lite_server(tmp_path_factory.mktemp("milvus") / "data") as uri:
        yield uri


@pytest.fixture
def both(tmp_path: Path, server: str, embedder: Any) -> tuple[Settings, Settings]:
    files = write_ingest(tmp_path)
    milvus = replace(files, store=server, index_dir=tmp_path / "no-index")  # none needed
    engine.build(files, embedder=embedder)
    without_sentences(files)
    report = engine.build(milvus, embedder=embedder, rebuild=True)  # a module-wide server
    assert report.embedded == report.chunks == 6
    return files, milvus


def test_search_and_answers_are_the_faiss_stores(both: tuple[Settings, Settings],
                                                  embedder: Any) -> None:
    files, milvus = both
    assert_same_hits(engine.open_searcher(files, embedder),
                     engine.open_searcher(milvus, embedder))
    a, b = engine.open_answerer(files, embedder), engine.open_answerer(milvus, embedder)
    for question in QUESTIONS[:3]:
        answer = b.ask(question)
        assert answer.citations  # an answer with citations to compare
        assert answer.to_dict() == a.ask(question).to_dict()


def test_two_clients_serve_one_collection(both: tuple[Settings, Settings], embedder: Any) -> None:
    _, milvus = both
    one, two = engine.open_searcher(milvus, embedder), engine.open_searcher(milvus, embedder)
    assert one.index.remote is not two.index.remote  # two connections, no local files
    assert_same_hits(one, two)
    assert not milvus.index_dir.exists()


def test_reingest_changes_only_what_changed(both: tuple[Settings, Settings],
                                            embedder: Any) -> None:
    files, milvus = both
    before = records(milvus)
    path = milvus.ingest_dir / "b.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("创新高地", "全球创新高地"),
                    encoding="utf-8")
    report = engine.build(milvus, embedder=embedder)
    assert report.changed == ("b",) and report.embedded == 1
    after = records(milvus)
    assert len(set(after) - set(before)) == len(set(before) - set(after)) == 1
    assert all(after[k] == v for k, v in before.items() if k in after)
    (milvus.ingest_dir / "c.txt").unlink()
    report = engine.build(milvus, embedder=embedder)
    assert report.removed == ("c",) and report.embedded == 0
    left = records(milvus)
    assert len(left) == 4 and all('"doc_id": "c"' not in r for r, _ in left.values())
    engine.build(files, embedder=embedder)
    assert_same_hits(engine.open_searcher(files, embedder),
                     engine.open_searcher(milvus, embedder), QUESTIONS[:3], scores=False)


def test_an_empty_server_says_to_ingest(server: str) -> None:
    store = MilvusStore(server, prefix="nothing_here")
    with pytest.raises(IndexMissing, match=r"askbj --store http://127\.0\.0\.1:\d+ ingest"):
        store.read_manifest()
    store.close()
