"""The Milvus store on Milvus Lite embedded (a tmp ``*.db``) with the fake embedder: the
same hits as the FAISS store, incremental ingest by content-hash id, clear errors."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import pytest

from askbj import engine
from askbj.config import Settings
from askbj.errors import AskbjError, IndexDamaged, IndexMissing
from askbj.index import sparse
from askbj.index.milvus import PIECE, MilvusStore, check_uri
from askbj.text.normalize import tokenize

from corpora import DOCS, write_ingest
from milvus_helpers import assert_same_hits, free_port, hits_of, records, without_sentences

EDIT_FROM, EDIT_TO = "打造数字经济创新高地", "打造全球数字经济创新高地"


@pytest.fixture
def fake_cls(fake_embedder: Any) -> type[Any]:
    return type(fake_embedder)


@pytest.fixture
def both(tmp_path: Path, fake_cls: type[Any]) -> tuple[Settings, Settings]:
    """The fixture corpus ingested into FAISS files (without sentence vectors, as the Milvus
    store has none) and into a Milvus Lite file."""
    files = write_ingest(tmp_path)
    milvus = replace(files, store=str(tmp_path / "milvus.db"))
    engine.build(files, embedder=fake_cls())
    without_sentences(files)
    embedder = fake_cls()
    report = engine.build(milvus, embedder=embedder)
    assert report.added == ("a", "b", "c") and report.embedded == embedder.calls == 6
    return files, milvus


def test_sparse_vectors_score_as_bm25s() -> None:
    texts = [*DOCS.values(), "数据 数据 数据", ""]
    tokens = [tokenize(t) for t in texts]
    terms = sparse.count(tokens)
    retriever = bm25s.BM25()
    retriever.index([t or [sparse.EMPTY] for t in tokens], show_progress=False)
    passages = [terms.passage(t) for t in tokens]
    for question in (["数据", "交易"], ["数据", "数据"], ["算力"], ["没有的词"]):
        query = terms.query(question)
        ours = [sum(w * p.get(i, 0.0) for i, w in query.items()) for p in passages]
        known = [q for q in question if q in retriever.vocab_dict]
        expected = retriever.get_scores(known) if known else np.zeros(len(texts))
        np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-7)


def test_term_ids_stay_and_avgdl_is_kept_by_an_incremental_count() -> None:
    first = sparse.count([["a", "b"], ["b", "c", "d"]])
    again = sparse.count([["b", "c", "d", "e", "f", "g"]], first)
    assert {t: again.ids[t] for t in first.ids} == first.ids  # old ids unchanged
    assert again.ids["e"] >= first.next_id and again.df == {t: 1 for t in "bcdefg"}
    assert again.avgdl == first.avgdl == 2.5 and again.current_avgdl == 6.0
    assert again.drift == pytest.approx(1.4)
    assert sparse.Terms.from_json(again.to_json()) == again


def test_search_is_the_faiss_stores(both: tuple[Settings, Settings], fake_cls: type[Any]) -> None:
    files, milvus = both
    assert_same_hits(engine.open_searcher(files, fake_cls()),
                     engine.open_searcher(milvus, fake_cls()))


def test_filtered_search_is_the_faiss_stores(
    both: tuple[Settings, Settings], fake_cls: type[Any]
) -> None:
    files, milvus = both
    a, b = engine.open_searcher(files, fake_cls()), engine.open_searcher(milvus, fake_cls())
    for mode in ("hybrid", "dense", "bm25"):
        hits = b.search("数字经济", k=5, mode=mode, doc_ids={"b"})
        assert hits and {h.chunk.doc_id for h in hits} == {"b"}
        assert hits_of(b, "数字经济", mode, doc_ids={"b"}) == hits_of(a, "数字经济", mode,
                                                                  doc_ids={"b"})


def test_loaded_index_equals_the_files(both: tuple[Settings, Settings]) -> None:
    files, milvus = both
    local, remote = engine.open_index(files), engine.open_index(milvus)
    assert remote.chunks == local.chunks and remote.documents == local.documents
    assert [list(d.offsets) for d in remote.documents] == [list(d.offsets)
                                                           for d in local.documents]
    assert remote.manifest.corpus == local.manifest.corpus
    assert remote.manifest.model == local.manifest.model and remote.manifest.counts == {
        "documents": 3, "chunks": 6}
    assert set(remote.manifest.files) == {"chunks", "documents", "meta"}
    assert remote.vectors.shape == (0, local.manifest.dim)  # vectors stay in Milvus


def test_answers_are_the_faiss_stores(both: tuple[Settings, Settings], fake_cls: type[Any]) -> None:
    files, milvus = both
    a = engine.open_answerer(files, fake_cls())
    b = engine.open_answerer(milvus, fake_cls())
    for question in ("北京国际大数据交易所推出了什么平台?", "2023年北京数字经济增加值是多少?"):
        assert b.ask(question).to_dict() == a.ask(question).to_dict()
    assert b.stats.df == a.stats.df and b.stats.n == a.stats.n


def test_unchanged_corpus_writes_nothing(both: tuple[Settings, Settings],
                                         fake_cls: type[Any]) -> None:
    _, milvus = both
    before = records(milvus)
    embedder = fake_cls()
    report = engine.build(milvus, embedder=embedder)
    assert embedder.calls == report.embedded == 0 and report.unchanged == ("a", "b", "c")
    assert records(milvus) == before


def test_edit_rewrites_only_that_documents_passages(
    both: tuple[Settings, Settings], fake_cls: type[Any]
) -> None:
    files, milvus = both
    before = records(milvus)
    path = milvus.ingest_dir / "b.txt"
    path.write_text(path.read_text(encoding="utf-8").replace(EDIT_FROM, EDIT_TO), encoding="utf-8")
    embedder = fake_cls()
    report = engine.build(milvus, embedder=embedder)
    assert report.changed == ("b",) and report.unchanged == ("a", "c")
    assert embedder.calls == report.embedded == 1
    after = records(milvus)
    gone, new = set(before) - set(after), set(after) - set(before)
    assert len(gone) == len(new) == 1 and EDIT_TO in after[new.pop()][0]
    assert {k: v for k, v in after.items() if k in before} == {
        k: v for k, v in before.items() if k not in gone}
    engine.build(files, embedder=fake_cls())  # the same edit in the FAISS store
    # the same order; BM25's scores move by BM25's length normalisation, which an
    # incremental ingest keeps (askbj.index.sparse)
    assert_same_hits(engine.open_searcher(files, fake_cls()),
                     engine.open_searcher(milvus, fake_cls()), ("全球数字经济创新高地",),
                     scores=False)


def test_removed_document_and_its_passages_are_gone(
    both: tuple[Settings, Settings], fake_cls: type[Any]
) -> None:
    _, milvus = both
    (milvus.ingest_dir / "c.txt").unlink()
    report = engine.build(milvus, embedder=fake_cls())
    assert report.removed == ("c",) and report.embedded == 0
    assert {c for c, _ in records(milvus).values()} and all(
        '"doc_id": "c"' not in record for record, _ in records(milvus).values())
    idx = engine.open_index(milvus)
    assert [d.doc_id for d in idx.documents] == ["a", "b"]
    hits = engine.open_searcher(milvus, fake_cls()).search("数字经济", k=10, mode="bm25")
    assert hits and "c" not in {h.chunk.doc_id for h in hits}


def test_other_model_starts_over(both: tuple[Settings, Settings], fake_cls: type[Any]) -> None:
    _, milvus = both

    class OtherEmbedder(fake_cls):
        name = "fake/other-model"

    other = OtherEmbedder()
    report = engine.build(milvus, embedder=other)
    assert other.calls == report.embedded == report.chunks == 6
    with pytest.raises(IndexDamaged, match=r"fake/other-model.*--store .*ingest --rebuild"):
        engine.open_searcher(milvus, fake_cls())


def test_rebuild_re_embeds_everything(both: tuple[Settings, Settings],
                                      fake_cls: type[Any]) -> None:
    _, milvus = both
    embedder = fake_cls()
    assert engine.build(milvus, embedder=embedder, rebuild=True).embedded == embedder.calls == 6


def test_missing_collections_say_to_ingest(tmp_path: Path, fake_cls: type[Any]) -> None:
    settings = replace(write_ingest(tmp_path), store=str(tmp_path / "empty.db"))
    with pytest.raises(IndexMissing, match=r"askbj --store .*empty\.db ingest"):
        engine.open_searcher(settings, fake_cls())
    checks = {c.name: c for c in engine.diagnose(settings)}
    assert not checks["model/index"].ok and "ingest" in checks["model/index"].detail


def test_doctor_names_the_store(both: tuple[Settings, Settings]) -> None:
    _, milvus = both
    checks = {c.name: c for c in engine.diagnose(milvus)}  # the real model: not the fake's
    assert checks["package pymilvus"].ok and not checks["model/index"].ok
    assert f"Milvus store {milvus.store}" in checks["model/index"].detail
    assert "ingest --rebuild" in checks["model/index"].detail
    detail = engine._index_detail(milvus, engine.open_index(milvus))
    assert detail == f"Milvus store {milvus.store}: 3 documents, 6 passages"


def test_a_text_of_many_pieces_round_trips_and_shrinks(tmp_path: Path) -> None:
    store = MilvusStore(str(tmp_path / "t.db"))
    store.create(4, fresh=True)
    long = "数据交易" * (PIECE // 2) + "。"  # two and a bit pieces
    store.write_texts("documents", {"x": long, "y": "short"})
    assert store.read_texts("documents", ["x", "y", "z"]) == {"x": long, "y": "short"}
    store.write_texts("documents", {"x": "now short"})
    assert store.read_text("documents", "x") == "now short"
    assert set(store._get("documents", [f"x#{i:06d}" for i in range(3)], ["key"])) == {
        "x#000000"}  # the pieces it no longer has are gone
    store.delete_texts("documents", ["x"])
    assert store.read_text("documents", "x") is None
    store.close()


def test_store_setting_is_read_from_the_environment() -> None:
    assert Settings.from_env({}).store == "faiss" and not Settings.from_env({}).milvus
    assert Settings.from_env({"ASKBJ_STORE": "http://h:19530"}).milvus


def test_bad_store_uri_says_what_to_use() -> None:
    with pytest.raises(AskbjError, match=r"faiss.*\.db.*http://"):
        check_uri("milvus-somewhere")
    assert check_uri("http://h:19530") == "http://h:19530"
    assert check_uri("rel.db").endswith("/rel.db") and check_uri("rel.db").startswith("/")


def test_unreachable_server_is_one_clear_error() -> None:
    started = time.monotonic()
    with pytest.raises(AskbjError, match=r"Cannot reach the Milvus store at http://127\.0\.0\.1"):
        MilvusStore(f"http://127.0.0.1:{free_port()}", timeout=3)
    assert time.monotonic() - started < 30


def test_the_faiss_default_never_imports_pymilvus(tmp_path: Path) -> None:
    code = ("import sys; import askbj.cli, askbj.engine, askbj.retrieve.searcher; "
            "assert 'pymilvus' not in sys.modules, 'pymilvus imported'; "
            "assert 'milvus_lite' not in sys.modules")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
