"""The index on disk: round trip, atomic builds, and clear errors for damaged folders."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from askbj.errors import IndexDamaged, IndexMissing
from askbj.index import store as index_store

from corpora import TEXTS, build_index, rehash, saved_index


@pytest.fixture
def saved(tmp_path: Path) -> tuple[index_store.Index, Path]:
    return saved_index(tmp_path / "index"), tmp_path / "index"



def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def test_round_trip(saved: tuple[index_store.Index, Path]) -> None:
    idx, folder = saved
    loaded = index_store.load(folder)
    assert len(idx.chunks) > 2  # several passages per document, so order matters
    assert loaded.chunks == idx.chunks
    assert loaded.documents == idx.documents
    # offsets do not take part in Document equality; check they survive too
    assert [tuple(d.offsets) for d in loaded.documents] == [d.offsets for d in idx.documents]
    assert loaded.vectors.dtype == np.float32
    np.testing.assert_array_equal(loaded.vectors, idx.vectors)
    assert replace(loaded.manifest, files={}) == idx.manifest
    assert loaded.manifest.counts == {"documents": 2, "chunks": len(idx.chunks)}
    assert set(loaded.manifest.files) >= {"documents.jsonl", "chunks.jsonl", "dense.faiss"}
    assert loaded.document("beta").text == TEXTS["beta"]
    with pytest.raises(KeyError):
        loaded.document("gamma")
    # the loaded BM25 model scores like the one built in memory
    terms = ["idex"]
    np.testing.assert_allclose(loaded.bm25.get_scores(terms), idx.bm25.get_scores(terms))
    assert leftovers(folder.parent) == []


def test_make_index_rejects_vector_count_mismatch() -> None:
    idx = build_index()
    with pytest.raises(ValueError, match="vectors"):
        index_store.make_index(
            list(idx.documents), list(idx.chunks), idx.vectors[:-1], idx.manifest
        )


def test_save_replaces_previous_index_and_keeps_readme(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    index_store.save(build_index(model="first"), folder)
    (folder / "README.md").write_text("hand-written notes", encoding="utf-8")
    index_store.save(build_index(model="second"), folder)
    assert index_store.load(folder).manifest.model == "second"
    assert (folder / "README.md").read_text(encoding="utf-8") == "hand-written notes"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("target", ["_sha256", "_write_jsonl"])
def test_failed_build_leaves_previous_index_intact(
    saved: tuple[index_store.Index, Path], monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    idx, folder = saved
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(index_store, target, boom)
    with pytest.raises(OSError, match="disk full"):
        index_store.save(build_index(model="other"), folder)
    monkeypatch.undo()

    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before
    loaded = index_store.load(folder)
    assert loaded.manifest.model == idx.manifest.model
    assert loaded.chunks == idx.chunks
    assert leftovers(folder.parent) == []


def test_missing_folder_is_index_missing(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing, match="askbj ingest"):
        index_store.load(tmp_path / "nowhere")


def test_missing_manifest_is_index_missing(saved: tuple[index_store.Index, Path]) -> None:
    _, folder = saved
    (folder / "manifest.json").unlink()
    with pytest.raises(IndexMissing, match="askbj ingest"):
        index_store.load(folder)


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _corrupt_jsonl(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0][: len(lines[0]) // 2]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _drop_field(path: Path) -> None:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    del rows[0]["text"]
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )


DAMAGE: dict[str, tuple[str, Callable[[Path], None]]] = {
    "truncated faiss": ("dense.faiss", _truncate),
    "corrupt chunks": ("chunks.jsonl", _corrupt_jsonl),
    "chunk row lacks a field": ("chunks.jsonl", _drop_field),
    "corrupt documents": ("documents.jsonl", _corrupt_jsonl),
}


@pytest.mark.parametrize("case", DAMAGE)
@pytest.mark.parametrize("checksums_updated", [False, True], ids=["checksum", "parse"])
def test_damaged_files_are_index_damaged(
    saved: tuple[index_store.Index, Path], case: str, checksums_updated: bool
) -> None:
    _, folder = saved
    name, damage = DAMAGE[case]
    damage(folder / name)
    if checksums_updated:
        rehash(folder)
    with pytest.raises(IndexDamaged, match="askbj ingest") as info:
        index_store.load(folder)
    assert str(folder) in str(info.value)


def test_damaged_bm25_file_is_detected(saved: tuple[index_store.Index, Path]) -> None:
    _, folder = saved
    victim = next(p for p in sorted((folder / "bm25").iterdir()) if p.is_file())
    _truncate(victim)
    with pytest.raises(IndexDamaged, match="askbj ingest"):
        index_store.load(folder)


def test_deleted_file_is_index_damaged(saved: tuple[index_store.Index, Path]) -> None:
    _, folder = saved
    (folder / "chunks.jsonl").unlink()
    with pytest.raises(IndexDamaged, match=r"missing.*askbj ingest"):
        index_store.load(folder)


def test_changed_format_version_is_index_damaged(saved: tuple[index_store.Index, Path]) -> None:
    _, folder = saved
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["format_version"] = index_store.FORMAT_VERSION + 1
    path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexDamaged, match=r"format.*askbj ingest"):
        index_store.load(folder)


@pytest.mark.parametrize("text", ["{not json", '{"model": "m"}', "[]"])
def test_unreadable_manifest_is_index_damaged(
    saved: tuple[index_store.Index, Path], text: str
) -> None:
    _, folder = saved
    (folder / "manifest.json").write_text(text, encoding="utf-8")
    with pytest.raises(IndexDamaged, match="askbj ingest"):
        index_store.load(folder)


def test_vector_count_mismatch_is_index_damaged(saved: tuple[index_store.Index, Path]) -> None:
    import faiss

    idx, folder = saved
    short = faiss.IndexFlatIP(idx.vectors.shape[1])
    short.add(idx.vectors[:-1])
    faiss.write_index(short, str(folder / "dense.faiss"))
    rehash(folder)
    with pytest.raises(IndexDamaged, match=f"{len(idx.chunks) - 1} vectors.*askbj ingest"):
        index_store.load(folder)
