"""Sentence vectors: cut as the answer cuts sentences, saved and verified with the index,
re-used by text on a rebuild, refused when they do not fit."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from askbj import engine
from askbj.errors import IndexDamaged
from askbj.index import sentences as sv
from askbj.index import store as index_store
from askbj.text.sentences import sentence_spans

from corpora import build_index, rehash, write_ingest
from fakes import FakeEmbedder


def with_sentences(idx: index_store.Index) -> index_store.Index:
    found, _ = sv.embed(idx.documents, idx.chunks, FakeEmbedder())
    return index_store.make_index(list(idx.documents), list(idx.chunks), idx.vectors,
                                  idx.manifest, found)


def test_each_passage_has_the_sentences_the_answer_scores() -> None:
    idx = build_index()
    offsets, spans, texts = sv.cut(idx.documents, idx.chunks)
    assert len(offsets) == len(idx.chunks) + 1
    for i, c in enumerate(idx.chunks):
        text = idx.document(c.doc_id).text
        mine = [tuple(x) for x in spans[offsets[i]:offsets[i + 1]]]
        assert mine == sentence_spans(text, c.start, c.end)
        assert texts[offsets[i]:offsets[i + 1]] == [text[s:e] for s, e in mine]


def test_round_trip_and_similarities(tmp_path: Path) -> None:
    idx = with_sentences(build_index())
    # the fake model's dim differs from the passages' (16): a manifest of 64 dims fits it
    idx = index_store.make_index(list(idx.documents), list(idx.chunks),
                                 np.zeros((len(idx.chunks), 64), dtype=np.float32) + 0.125,
                                 index_store.Manifest(**{**idx.manifest.__dict__, "dim": 64}),
                                 idx.sentences)
    index_store.save(idx, tmp_path / "index")
    loaded = index_store.load(tmp_path / "index")
    assert loaded.sentences is not None and idx.sentences is not None
    assert set(sv.FILES) <= set(loaded.manifest.files)
    np.testing.assert_array_equal(loaded.sentences.spans, idx.sentences.spans)
    query = FakeEmbedder().embed_queries(["北京国际大数据交易所推出了数据交易平台IDeX系统"])[0]
    sims = loaded.sentences.similarities(0, query)
    first = idx.chunks[0]
    assert set(sims) == set(sentence_spans(idx.document(first.doc_id).text, first.start,
                                           first.end))
    best = max(sims, key=sims.__getitem__)
    assert "IDeX" in idx.document(first.doc_id).text[best[0]:best[1]]
    assert loaded.sentences.best(0, query) == pytest.approx(sims[best])


def test_an_index_without_sentences_still_loads(tmp_path: Path) -> None:
    index_store.save(build_index(), tmp_path / "index")
    assert index_store.load(tmp_path / "index").sentences is None


def test_damaged_or_mismatched_sentence_files_are_refused(tmp_path: Path) -> None:
    idx = with_sentences(build_index())
    folder = tmp_path / "index"
    idx = index_store.make_index(list(idx.documents), list(idx.chunks),
                                 np.full((len(idx.chunks), 64), 0.125, dtype=np.float32),
                                 index_store.Manifest(**{**idx.manifest.__dict__, "dim": 64}),
                                 idx.sentences)
    index_store.save(idx, folder)
    spans = folder / "sentences" / "spans.npy"
    np.save(spans, np.load(spans)[:-1])  # one sentence fewer than the vectors
    with pytest.raises(IndexDamaged, match="checksum"):
        index_store.load(folder)
    rehash(folder)  # the checksums agree now: the arrays themselves must be checked
    with pytest.raises(IndexDamaged, match="askbj ingest"):
        index_store.load(folder)


def test_make_index_rejects_sentences_of_other_passages() -> None:
    idx = with_sentences(build_index())
    assert idx.sentences is not None
    with pytest.raises(ValueError, match="sentences"):
        index_store.make_index(list(idx.documents), list(idx.chunks)[:-1], idx.vectors[:-1],
                               idx.manifest, idx.sentences)


def test_ingest_embeds_sentences_once_and_reuses_them(tmp_path: Path) -> None:
    settings = write_ingest(tmp_path)
    fake = FakeEmbedder()
    engine.build(settings, embedder=fake)
    first = index_store.load(settings.index_dir)
    assert first.sentences is not None
    _, _, texts = sv.cut(first.documents, first.chunks)
    assert fake.calls == len(first.chunks) + len(set(texts))  # each distinct text once
    fake.calls = 0
    engine.build(settings, embedder=fake)
    assert fake.calls == 0  # nothing changed: passages and sentences re-used
    again = index_store.load(settings.index_dir)
    assert again.sentences is not None
    np.testing.assert_array_equal(np.asarray(again.sentences.vectors),
                                  np.asarray(first.sentences.vectors))
    manifest = json.loads((settings.index_dir / "manifest.json").read_text(encoding="utf-8"))
    assert all(name in manifest["files"] for name in sv.FILES)


def test_an_index_from_before_sentences_gets_them_on_the_next_ingest(tmp_path: Path) -> None:
    from dataclasses import replace

    settings = write_ingest(tmp_path)
    engine.build(settings, embedder=FakeEmbedder())
    old = index_store.load(settings.index_dir)
    index_store.save(replace(old, sentences=None), settings.index_dir)  # as written before
    assert index_store.load(settings.index_dir).sentences is None
    fake = FakeEmbedder()
    report = engine.build(settings, embedder=fake)
    assert report.embedded == 0 and report.sentences_embedded > 0  # passages re-used
    assert fake.calls == report.sentences_embedded
    assert index_store.load(settings.index_dir).sentences is not None
