"""Ingest end to end with the fake embedder: incremental updates, stale indexes, bad files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from askbj import engine
from askbj.config import Settings
from askbj.errors import AskbjError, IndexDamaged, IndexMissing
from askbj.index import store as index_store

from corpora import DOCS, write_ingest

# Each document has two sections of one passage each (with the default chunk settings),
# so editing one section changes exactly one passage.
EDIT_FROM, EDIT_TO = "打造数字经济创新高地", "打造全球数字经济创新高地"




@pytest.fixture
def fake_cls(fake_embedder: Any) -> type[Any]:
    """The fake embedder class, so a test can start fresh call counters."""
    return type(fake_embedder)


@pytest.fixture
def built(tmp_path: Path, fake_cls: type[Any]) -> tuple[Settings, index_store.Index]:
    settings = write_ingest(tmp_path)
    embedder = fake_cls()
    report = engine.build(settings, embedder=embedder)
    idx = index_store.load(settings.index_dir)
    # the premise of the incremental tests: two passages per document, all embedded once
    assert [c.doc_id for c in idx.chunks] == ["a", "a", "b", "b", "c", "c"]
    assert report.added == ("a", "b", "c") and report.embedded == 6
    assert embedder.calls == 6 + report.sentences_embedded and report.sentences_embedded > 0
    return settings, idx


def ids_of(idx: index_store.Index, doc_id: str) -> list[str]:
    return [c.chunk_id for c in idx.chunks if c.doc_id == doc_id]


def test_unchanged_corpus_embeds_nothing(
    built: tuple[Settings, index_store.Index], fake_cls: type[Any]
) -> None:
    settings, before = built
    embedder = fake_cls()
    report = engine.build(settings, embedder=embedder)
    assert embedder.calls == 0 and report.embedded == report.sentences_embedded == 0
    assert report.unchanged == ("a", "b", "c")
    assert report.added == report.changed == report.removed == ()
    after = index_store.load(settings.index_dir)
    assert after.chunks == before.chunks
    np.testing.assert_array_equal(after.vectors, before.vectors)


def test_edit_re_embeds_only_changed_passages(
    built: tuple[Settings, index_store.Index], fake_cls: type[Any]
) -> None:
    settings, before = built
    path = settings.ingest_dir / "b.txt"
    path.write_text(path.read_text(encoding="utf-8").replace(EDIT_FROM, EDIT_TO), encoding="utf-8")
    embedder = fake_cls()
    report = engine.build(settings, embedder=embedder)

    assert report.changed == ("b",)
    assert report.unchanged == ("a", "c")
    assert report.added == report.removed == ()
    assert report.embedded == 1 and report.chunks == 6
    # the edited passage's one new sentence; the others are re-used
    assert embedder.calls == 1 + report.sentences_embedded and report.sentences_embedded == 1

    after = index_store.load(settings.index_dir)
    assert ids_of(after, "a") == ids_of(before, "a") and ids_of(after, "c") == ids_of(before, "c")
    old_b, new_b = ids_of(before, "b"), ids_of(after, "b")
    assert old_b[0] == new_b[0] and old_b[1] != new_b[1]
    # reused vectors stay with their passages; the new passage got its own fresh vector
    old_vectors = {c.chunk_id: v for c, v in zip(before.chunks, before.vectors, strict=True)}
    for chunk, vector in zip(after.chunks, after.vectors, strict=True):
        if chunk.chunk_id in old_vectors:
            np.testing.assert_array_equal(vector, old_vectors[chunk.chunk_id])
        else:
            assert EDIT_TO in chunk.text
            expected = fake_cls().embed_documents([chunk.indexed_text])[0]
            np.testing.assert_allclose(vector, expected, rtol=1e-6)
    # and the edited text is what search now sees
    searcher = engine.open_searcher(settings, fake_cls())
    assert EDIT_TO in searcher.search("全球数字经济创新高地", k=1, mode="bm25")[0].chunk.text


def test_removed_file_is_reported_and_its_passages_are_gone(
    built: tuple[Settings, index_store.Index], fake_cls: type[Any]
) -> None:
    settings, _ = built
    (settings.ingest_dir / "c.txt").unlink()
    embedder = fake_cls()
    report = engine.build(settings, embedder=embedder)
    assert report.removed == ("c",) and report.unchanged == ("a", "b")
    assert embedder.calls == 0 and report.sentences_embedded == 0
    after = index_store.load(settings.index_dir)
    assert {c.doc_id for c in after.chunks} == {"a", "b"}
    assert [d.doc_id for d in after.documents] == ["a", "b"]
    hits = engine.open_searcher(settings, fake_cls()).search("人才培养", k=5, mode="bm25")
    assert "c" not in {h.chunk.doc_id for h in hits}


def test_added_file_is_reported_and_only_it_is_embedded(
    built: tuple[Settings, index_store.Index], fake_cls: type[Any]
) -> None:
    settings, _ = built
    (settings.ingest_dir / "d.txt").write_text(
        "新增的文档讨论了数字经济统计口径的问题，并建议尽快建立统一的核算标准和发布制度。",
        encoding="utf-8",
    )
    embedder = fake_cls()
    report = engine.build(settings, embedder=embedder)
    assert report.added == ("d",) and report.unchanged == ("a", "b", "c")
    assert report.changed == report.removed == ()
    after = index_store.load(settings.index_dir)
    assert len(ids_of(after, "d")) == 1
    assert report.embedded == 1 and report.chunks == 7
    assert embedder.calls == 1 + report.sentences_embedded and report.sentences_embedded > 0


def test_rebuild_re_embeds_everything(
    built: tuple[Settings, index_store.Index], fake_cls: type[Any]
) -> None:
    settings, before = built
    embedder = fake_cls()
    report = engine.build(settings, embedder=embedder, rebuild=True)
    assert report.embedded == len(before.chunks) == report.chunks
    assert embedder.calls == report.embedded + report.sentences_embedded
    assert report.sentences_embedded > 0
    after = index_store.load(settings.index_dir)
    assert after.chunks == before.chunks


def test_other_model_or_chunking_is_not_reused(
    built: tuple[Settings, index_store.Index], fake_cls: type[Any]
) -> None:
    settings, before = built

    class OtherEmbedder(fake_cls):
        name = "fake/other-model"

    other = OtherEmbedder()
    first = engine.build(settings, embedder=other)
    assert first.embedded == len(before.chunks) and first.sentences_embedded > 0
    assert other.calls == first.embedded + first.sentences_embedded
    assert index_store.load(settings.index_dir).manifest.model == "fake/other-model"

    resized = Settings(
        settings.ingest_dir, settings.index_dir, chunk_size=200, chunk_overlap=20
    )
    again = OtherEmbedder()
    report = engine.build(resized, embedder=again)
    assert again.calls == report.chunks + report.sentences_embedded and report.chunks > 0


def test_progress_reports_embedding(tmp_path: Path, fake_cls: type[Any]) -> None:
    settings = write_ingest(tmp_path)
    seen: list[tuple[str, int, int]] = []
    engine.build(
        settings,
        embedder=fake_cls(),
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    passages = [x for x in seen if x[0] == "embed"]
    said = [x for x in seen if x[0] == "sentences"]
    assert passages and passages[-1] == ("embed", 6, 6)
    assert said and said[-1][1] == said[-1][2] > 0  # then the sentences, to the last one
    assert seen.index(passages[-1]) < seen.index(said[0])
    assert set(engine.STAGES) >= {stage for stage, _, _ in seen}  # each stage has words


def test_load_index_with_another_model_names_both(
    built: tuple[Settings, index_store.Index], fake_cls: type[Any]
) -> None:
    settings, _ = built
    with pytest.raises(IndexDamaged, match="askbj ingest --rebuild") as info:
        engine.load_index(settings, "some/other-model")
    assert "some/other-model" in str(info.value) and fake_cls.name in str(info.value)
    assert engine.load_index(settings, fake_cls.name).chunks


@pytest.mark.parametrize(("change", "notice"), [
    ("edit", "1 document in {ingest}/ is not indexed yet — run `askbj ingest`"),
    ("add", "1 document in {ingest}/ is not indexed yet — run `askbj ingest`"),
    ("remove", "1 document removed from {ingest}/ is still in the index — run `askbj ingest`"),
])
def test_stale_index_serves_with_a_notice_until_ingest(
    built: tuple[Settings, index_store.Index], change: str, notice: str, fake_cls: type[Any]
) -> None:
    settings, before = built
    if change == "edit":
        path = settings.ingest_dir / "a.txt"
        path.write_text(path.read_text(encoding="utf-8") + "补充一句。", encoding="utf-8")
    elif change == "add":
        (settings.ingest_dir / "new.md").write_text("新的文档。", encoding="utf-8")
    else:
        (settings.ingest_dir / "a.txt").unlink()
    searcher = engine.open_searcher(settings, fake_cls())  # the last good index still serves
    assert searcher.search("北京", k=1)
    assert searcher.index.chunks == before.chunks
    fresh = engine.freshness(settings, searcher.index)
    assert fresh.stale and fresh.notice() == notice.format(ingest=settings.ingest_dir)
    engine.build(settings, embedder=fake_cls())
    searcher = engine.open_searcher(settings, fake_cls())
    assert searcher.search("北京", k=1)
    assert engine.freshness(settings, searcher.index).notice() == ""


def test_two_stale_documents_are_counted(
    built: tuple[Settings, index_store.Index], fake_cls: type[Any]
) -> None:
    settings, _ = built
    (settings.ingest_dir / "new.md").write_text("新的文档。", encoding="utf-8")
    (settings.ingest_dir / "b.txt").write_text(DOCS["b.txt"] + "又一句。", encoding="utf-8")
    idx = engine.load_index(settings, fake_cls.name)
    fresh = engine.freshness(settings, idx)
    assert (fresh.added, fresh.changed) == (("new.md",), ("b.txt",))
    assert fresh.notice().startswith(f"2 documents in {settings.ingest_dir}/ are not indexed yet")
    assert fresh.to_dict()["stale"] is True


def test_a_missing_index_still_refuses(tmp_path: Path, fake_cls: type[Any]) -> None:
    settings = write_ingest(tmp_path)
    with pytest.raises(IndexMissing, match="askbj ingest"):
        engine.open_searcher(settings, fake_cls())


def test_search_before_ingest_is_index_missing(tmp_path: Path, fake_cls: type[Any]) -> None:
    settings = write_ingest(tmp_path)
    with pytest.raises(IndexMissing, match="askbj ingest"):
        engine.open_searcher(settings, fake_cls())


def test_legacy_encoding_is_read_and_bad_files_are_warnings(
    tmp_path: Path, fake_cls: type[Any]
) -> None:
    settings = write_ingest(tmp_path, {"a.txt": DOCS["a.txt"]})
    legacy = "数字经济标杆城市建设取得了显著成效，算力基础设施日益完善。"
    (settings.ingest_dir / "legacy.txt").write_bytes(legacy.encode("gb18030"))
    (settings.ingest_dir / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (settings.ingest_dir / "garbage.md").write_bytes(bytes(range(128, 256)) * 4)
    embedder = fake_cls()
    report = engine.build(settings, embedder=embedder)

    assert report.added == ("a", "legacy")
    assert len(report.warnings) == 2
    assert any("binary.txt" in w for w in report.warnings)
    assert any("garbage.md" in w for w in report.warnings)
    idx = index_store.load(settings.index_dir)
    assert idx.document("legacy").text == legacy
    hits = engine.open_searcher(settings, embedder).search("标杆城市", k=1, mode="bm25")
    assert hits[0].chunk.doc_id == "legacy"


def test_nothing_readable_is_an_error(tmp_path: Path, fake_cls: type[Any]) -> None:
    settings = write_ingest(tmp_path, {})
    (settings.ingest_dir / "binary.txt").write_bytes(b"\x00\x01\x02")
    with pytest.raises(AskbjError, match="No readable documents"):
        engine.build(settings, embedder=fake_cls())
    assert not settings.index_dir.exists()


def test_second_concurrent_ingest_is_refused_and_index_survives(
    built: tuple[Settings, index_store.Index], fake_cls: type[Any]
) -> None:
    settings, before = built
    with (
        engine._ingest_lock(settings.index_dir),
        pytest.raises(AskbjError, match="Another `askbj ingest` is running"),
    ):
        engine.build(settings, embedder=fake_cls(), rebuild=True)
    after = index_store.load(settings.index_dir)
    assert [c.chunk_id for c in after.chunks] == [c.chunk_id for c in before.chunks]
    engine.build(settings, embedder=fake_cls())  # the lock is released afterwards
