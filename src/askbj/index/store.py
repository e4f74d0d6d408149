"""The index on disk: plain, inspectable files plus a manifest that says how they were made.

Layout of ``index/``::

    manifest.json     model, dims, chunking, corpus hashes, package versions, file checksums
    documents.jsonl   one Document per line (canonical text, metadata, offsets to raw file)
    chunks.jsonl      one Chunk per line (span in its document, section path)
    dense.faiss       FAISS inner-product index over L2-normalised chunk embeddings
    bm25/             bm25s sparse matrices (numpy, loaded with allow_pickle=False)

A build writes into a sibling temporary folder and renames it into place, so a crash never
leaves a half-written index; loading verifies every file against the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from askbj.errors import IndexDamaged, IndexMissing
from askbj.index import dense
from askbj.records import Chunk, Document
from askbj.text.normalize import tokenize

FORMAT_VERSION = 1
_PACKAGES = ("askbj", "faiss-cpu", "bm25s", "jieba", "opencc", "sentence-transformers", "numpy")
REBUILD = "run `askbj ingest --rebuild`"


@dataclass(frozen=True)
class Manifest:
    """What an index was built from; compared at load time to catch stale or foreign indexes."""

    model: str
    dim: int
    chunking: dict[str, Any]
    corpus: dict[str, str]
    built_at: str = ""
    format_version: int = FORMAT_VERSION
    versions: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Index:
    """Everything search needs, in memory. ``vectors[i]`` and BM25 row ``i`` are ``chunks[i]``."""

    manifest: Manifest
    documents: tuple[Document, ...]
    chunks: tuple[Chunk, ...]
    vectors: np.ndarray
    bm25: Any = field(repr=False)
    dense: Any = field(default=None, repr=False, compare=False)
    """The FAISS index ``vectors`` is a view of (one copy); search reads candidates from it."""

    def document(self, doc_id: str) -> Document:
        for doc in self.documents:
            if doc.doc_id == doc_id:
                return doc
        raise KeyError(doc_id)


def versions() -> dict[str, str]:
    found = {}
    for name in _PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "missing"
    return found


def build_bm25(chunks: list[Chunk] | tuple[Chunk, ...]) -> Any:
    import bm25s

    retriever = bm25s.BM25()
    corpus = [tokenize(c.indexed_text) or ["<empty>"] for c in chunks]
    retriever.index(corpus, show_progress=False)
    return retriever


def make_index(
    documents: list[Document], chunks: list[Chunk], vectors: np.ndarray, manifest: Manifest
) -> Index:
    if len(chunks) != len(vectors):
        raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors")
    counts = {"documents": len(documents), "chunks": len(chunks)}
    stamped = Manifest(**{**asdict(manifest), "counts": counts, "versions": versions(),
                          "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
    faiss_index = dense.build(vectors)
    return Index(stamped, tuple(documents), tuple(chunks), dense.vectors_of(faiss_index),
                 build_bm25(chunks), faiss_index)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, default=_plain) + "\n")


def _plain(value: Any) -> Any:
    """numpy arrays (a loaded document's offsets) as JSON lists."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _dense_of(index: Index) -> Any:
    return index.dense if index.dense is not None else dense.build(index.vectors)


def save(index: Index, folder: Path) -> None:
    """Write ``index`` to ``folder`` atomically: build aside, then swap in with a rename."""
    import faiss

    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-build-", dir=folder.parent))
    try:
        _write_jsonl(tmp / "documents.jsonl", [asdict(d) for d in index.documents])
        _write_jsonl(tmp / "chunks.jsonl", [asdict(c) for c in index.chunks])
        faiss.write_index(_dense_of(index), str(tmp / "dense.faiss"))
        index.bm25.save(str(tmp / "bm25"))
        files = {
            str(p.relative_to(tmp)): _sha256(p) for p in sorted(tmp.rglob("*")) if p.is_file()
        }
        manifest = {**asdict(index.manifest), "files": files}
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        _swap_in(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _swap_in(tmp: Path, folder: Path) -> None:
    """Replace ``folder`` by ``tmp``; a README kept in ``folder`` survives the swap."""
    readme = folder / "README.md"
    if readme.exists():
        shutil.copy2(readme, tmp / "README.md")
    old = folder.with_name(f".{folder.name}-old-{os.getpid()}")
    if folder.exists():
        os.replace(folder, old)
    try:
        os.replace(tmp, folder)
    except OSError:
        if old.exists():
            os.replace(old, folder)  # put the previous index back
        raise
    shutil.rmtree(old, ignore_errors=True)
    for stale in folder.parent.glob(f".{folder.name}-old-*"):
        shutil.rmtree(stale, ignore_errors=True)


def read_manifest(folder: Path) -> Manifest:
    path = Path(folder) / "manifest.json"
    if not path.exists():
        raise IndexMissing(f"No index found in {folder}/: run `askbj ingest` to build it.")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        manifest = Manifest(**raw)
    except (ValueError, TypeError) as exc:
        raise IndexDamaged(f"{path} is damaged: {exc}; {REBUILD}") from exc
    if manifest.format_version != FORMAT_VERSION:
        raise IndexDamaged(
            f"{path} has index format {manifest.format_version}, this askbj reads "
            f"{FORMAT_VERSION}; {REBUILD}"
        )
    return manifest


def _verify_files(folder: Path, manifest: Manifest) -> None:
    for name, digest in manifest.files.items():
        path = folder / name
        if not path.exists():
            raise IndexDamaged(f"{path} is missing; {REBUILD}")
        if _sha256(path) != digest:
            raise IndexDamaged(f"{path} is damaged: its checksum does not match; {REBUILD}")


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load(folder: Path) -> Index:
    """Load and verify an index; any inconsistency is an ``IndexDamaged`` with a way out."""
    import bm25s

    folder = Path(folder)
    manifest = read_manifest(folder)
    _verify_files(folder, manifest)
    try:
        docs = tuple(_document(r) for r in _read_jsonl(folder / "documents.jsonl"))
        chunks = tuple(_chunk(r) for r in _read_jsonl(folder / "chunks.jsonl"))
        faiss_index = dense.read(folder / "dense.faiss")
        vectors = dense.vectors_of(faiss_index)
        bm25 = bm25s.BM25.load(str(folder / "bm25"))
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as exc:
        raise IndexDamaged(f"{folder}/ is damaged: {exc}; {REBUILD}") from exc
    if len(vectors) != len(chunks) or vectors.shape[1] != manifest.dim:
        raise IndexDamaged(
            f"{folder}/dense.faiss holds {len(vectors)} vectors of {vectors.shape[1]} dims but "
            f"there are {len(chunks)} chunks of {manifest.dim} dims; {REBUILD}"
        )
    return Index(manifest, docs, chunks, vectors, bm25, faiss_index)


def _document(row: dict[str, Any]) -> Document:
    """Offsets as one int32 array (4 bytes a character, not a Python int's 36)."""
    offsets = np.asarray(row.get("offsets", ()), dtype=np.int64)
    if offsets.size and int(offsets.max()) < 2**31:
        offsets = offsets.astype(np.int32)
    return Document(**{**row, "authors": tuple(row.get("authors", ())), "offsets": offsets})


def _chunk(row: dict[str, Any]) -> Chunk:
    return Chunk(**{**row, "section": tuple(row.get("section", ()))})
