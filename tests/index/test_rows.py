"""A loaded index parses no passage until one is read, finds passages by id without a scan,
refuses a rows.npz that does not describe its files, and hashes a file again only when it
may have changed since it last matched its checksum."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from askbj.errors import IndexDamaged
from askbj.index import rows
from askbj.index import store as index_store
from askbj.records import Chunk

from corpora import build_index, rehash, saved_index


@pytest.fixture
def saved(tmp_path: Path) -> tuple[index_store.Index, Path]:
    return saved_index(tmp_path / "index"), tmp_path / "index"



def test_loaded_passages_are_decoded_only_when_read(
    saved: tuple[index_store.Index, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    idx, folder = saved
    decoded: list[str] = []
    real = Chunk.from_json

    def counting(text: str) -> Chunk:
        decoded.append(text)
        return real(text)

    monkeypatch.setattr(Chunk, "from_json", staticmethod(counting))
    loaded = index_store.load(folder)
    assert isinstance(loaded.chunks, rows.Passages)
    assert len(idx.chunks) >= 3 and len(decoded) == 2  # the first and last, as a check
    assert loaded.chunks[1] == idx.chunks[1]
    assert len(decoded) == 3
    assert rows.ROWS in loaded.manifest.files


def test_lookups_by_id_and_document_agree_with_a_scan(
    saved: tuple[index_store.Index, Path]
) -> None:
    idx, folder = saved
    for index in (idx, index_store.load(folder)):
        for i, c in enumerate(idx.chunks):
            assert index.rows.position(c.chunk_id) == i
            assert index.chunk(c.chunk_id) == c
        assert index.chunk("no-such-id") is None
        for d in idx.documents:
            assert index.chunks_of(d.doc_id) == [c for c in idx.chunks if c.doc_id == d.doc_id]
            assert index.document(d.doc_id).text == d.text
        assert [h.title for h in index.rows.heads] == [d.title for d in idx.documents]
        by_id = index_store.DocumentsById(index)
        assert list(by_id) == ["alpha", "beta"] and "beta" in by_id and "gamma" not in by_id


def test_rows_of_another_index_are_refused(saved: tuple[index_store.Index, Path],
                                           tmp_path: Path) -> None:
    _, folder = saved
    other = build_index()
    short = index_store.make_index(list(other.documents), list(other.chunks[:-1]),
                                   other.vectors[:-1], other.manifest)
    index_store.save(short, tmp_path / "other")
    (folder / rows.ROWS).write_bytes((tmp_path / "other" / rows.ROWS).read_bytes())
    rehash(folder)
    with pytest.raises(IndexDamaged, match=r"rows\.npz does not match.*askbj ingest"):
        index_store.load(folder)


def test_a_damaged_line_of_the_same_length_is_refused_when_read(
    saved: tuple[index_store.Index, Path]
) -> None:
    _, folder = saved
    path = folder / "chunks.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    assert len(lines) >= 3
    lines[1] = b"{" + b"x" * (len(lines[1]) - 2) + b"\n"  # same size, not JSON
    path.write_bytes(b"".join(lines))
    rehash(folder)
    loaded = index_store.load(folder)
    with pytest.raises(IndexDamaged, match=r"chunks\.jsonl is damaged at line 2.*askbj ingest"):
        loaded.chunks[1]


def test_an_index_without_rows_loads_by_parsing(saved: tuple[index_store.Index, Path]) -> None:
    idx, folder = saved
    (folder / rows.ROWS).unlink()
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    del manifest["files"][rows.ROWS]
    path.write_text(json.dumps(manifest), encoding="utf-8")
    loaded = index_store.load(folder)
    assert loaded.chunks == idx.chunks and loaded.documents == idx.documents
    assert loaded.chunk(idx.chunks[1].chunk_id) == idx.chunks[1]


def _counting_hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    hashed: list[str] = []
    real = index_store._sha256

    def counting(path: Path) -> str:
        hashed.append(path.name)
        return real(path)

    monkeypatch.setattr(index_store, "_sha256", counting)
    return hashed


def test_unchanged_files_are_not_hashed_again(
    saved: tuple[index_store.Index, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, folder = saved
    monkeypatch.setattr(index_store, "_SETTLED_NS", 0)
    time.sleep(0.05)  # past the file system's clock tick
    index_store.load(folder)  # hashes and stamps every file
    hashed = _counting_hashes(monkeypatch)
    index_store.load(folder)
    assert hashed == []
    index_store.load(folder, full=True)
    assert len(hashed) == len(index_store.read_manifest(folder).files)


def test_a_changed_file_is_hashed_and_refused_even_with_its_times_set_back(
    saved: tuple[index_store.Index, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    _, folder = saved
    monkeypatch.setattr(index_store, "_SETTLED_NS", 0)
    time.sleep(0.05)
    index_store.load(folder)
    path = folder / "dense.faiss"
    before = path.stat()
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF  # same size, one byte changed
    time.sleep(0.05)
    path.write_bytes(bytes(data))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    hashed = _counting_hashes(monkeypatch)
    with pytest.raises(IndexDamaged, match=r"dense\.faiss is damaged.*askbj ingest"):
        index_store.load(folder)
    assert "dense.faiss" in hashed


def test_files_just_written_are_not_trusted_unread(
    saved: tuple[index_store.Index, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change within the clock tick of the last check could keep every time the same."""
    _, folder = saved
    hashed = _counting_hashes(monkeypatch)
    index_store.load(folder)  # saved a moment ago: nothing has settled yet
    assert len(hashed) == len(index_store.read_manifest(folder).files)


def test_table_of_passages_in_memory() -> None:
    chunks = [Chunk("b", "d2", 0, 5, "xxxxx"), Chunk("a", "d1", 5, 9, "yyyy"),
              Chunk("c", "d1", 0, 5, "zzzzz")]
    table = rows.Table.of(chunks, [])
    assert [h.doc_id for h in table.heads] == ["d2", "d1"]
    assert table.doc.tolist() == [0, 1, 1]
    assert [table.position(i) for i in "abcd"] == [1, 0, 2, None]
    assert table.of_document(1).tolist() == [2, 1]  # in text order
    assert np.array_equal(table.of_document(0), [0])


def _rewrite_heads(folder: Path, heads: list[list[object]]) -> None:
    with np.load(folder / rows.ROWS, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    blob = json.dumps(heads, ensure_ascii=False).encode("utf-8")
    arrays["doc_heads"] = np.frombuffer(blob, np.uint8)
    with (folder / rows.ROWS).open("wb") as f:
        np.savez(f, **arrays)
    rehash(folder)


def test_document_venues_are_kept_and_an_older_rows_file_still_loads(
        saved: tuple[index_store.Index, Path]) -> None:
    idx, folder = saved
    heads = [[d.doc_id, d.title, list(d.authors), f"《刊{i}》"]
             for i, d in enumerate(idx.documents)]
    _rewrite_heads(folder, heads)
    assert [h.venue for h in index_store.load(folder).rows.heads] == ["《刊0》", "《刊1》"]
    _rewrite_heads(folder, [h[:3] for h in heads])  # written before venues were kept
    loaded = index_store.load(folder)
    assert [h.venue for h in loaded.rows.heads] == ["", ""]
    assert [h.title for h in loaded.rows.heads] == [d.title for d in idx.documents]
    table = rows.Table.of(idx.chunks, [replace(d, venue="V") for d in idx.documents])
    assert {h.venue for h in table.heads[: len(idx.documents)]} == {"V"}
