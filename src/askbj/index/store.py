"""The index on disk: plain, inspectable files plus a manifest that says how they were made.

Layout of ``index/``::

    manifest.json     model, dims, chunking, corpus hashes, package versions, file checksums
    documents.jsonl   one Document per line (canonical text, metadata, offsets to raw file)
    chunks.jsonl      one Chunk per line (span in its document, section path)
    dense.faiss       FAISS inner-product index over L2-normalised chunk embeddings
    bm25/             bm25s sparse matrices (numpy, loaded with allow_pickle=False)

A build writes into a sibling temporary folder (``.index-build-*``, manifest written last)
and swaps it in with one atomic exchange of the two folders (Linux ``renameat2``), so a
reader sees the old index or the new one, never none. Where the exchange is unavailable the
swap takes two renames; a crash between them leaves complete copies in hidden siblings, and
``load`` reads the newest complete one (``recover`` moves it back into place). Loading
verifies every file against the manifest; a manifest with wrong types, no file list or a
file list that misses a file of the folder is damaged, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from askbj.errors import IndexDamaged, IndexMissing
from askbj.index import dense, swap
from askbj.records import Chunk, Document
from askbj.text.normalize import tokenize

FORMAT_VERSION = 1
_PACKAGES = ("askbj", "faiss-cpu", "bm25s", "jieba", "opencc", "sentence-transformers", "numpy",
             "pymilvus", "milvus-lite")
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
    remote: Any = field(default=None, repr=False, compare=False)
    """The server-side store (``askbj.index.milvus.MilvusStore``) holding this index's
    vectors and BM25 postings; ``vectors`` and ``bm25`` are then empty. None for files."""
    terms: Any = field(default=None, repr=False, compare=False)
    """The BM25 term table (``askbj.index.sparse.Terms``) when there is no bm25s matrix."""

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
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


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
    """Write ``index`` to ``folder`` atomically: build aside, then swap in with one exchange.
    One writer at a time (``engine.build`` holds the ingest lock)."""
    import faiss

    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    recover(folder)
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
        swap.write_last(tmp / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        swap.swap_in(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    clean_stale(folder)


def _complete(path: Path) -> str | None:
    """The build time of the complete, verified index in ``path``; None if it is not one."""
    try:
        manifest = read_manifest(path, direct=True)
        _verify_files(path, manifest)
    except (IndexMissing, IndexDamaged, OSError):
        return None
    return manifest.built_at


def _usable(folder: Path) -> Path:
    return swap.usable(folder, _complete)


def recover(folder: Path) -> bool:
    """After a crash mid-swap, move the newest complete copy into place (hold the lock)."""
    return swap.recover(Path(folder), _complete)


def clean_stale(folder: Path) -> list[str]:
    """Remove leftover build and old folders once ``folder`` is complete (hold the lock)."""
    return swap.clean_stale(Path(folder))


def read_manifest(folder: Path, direct: bool = False) -> Manifest:
    """The manifest of ``folder`` (or of its complete copy after a crash, unless ``direct``)."""
    folder = Path(folder) if direct else _usable(Path(folder))
    path = folder / "manifest.json"
    if not path.exists():
        raise IndexMissing(f"No index found in {folder}/: run `askbj ingest` to build it.")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise IndexDamaged(f"{path} is damaged: {exc}; {REBUILD}") from exc
    return parse_manifest(text, str(path))


def parse_manifest(text: str, where: str, rebuild: str = REBUILD) -> Manifest:
    """A manifest from its JSON, checked field by field; ``where`` names it in errors."""
    try:
        raw = json.loads(text)
        _check_types(raw)
        manifest = Manifest(**raw)
    except (ValueError, TypeError) as exc:
        raise IndexDamaged(f"{where} is damaged: {exc}; {rebuild}") from exc
    if manifest.format_version != FORMAT_VERSION:
        raise IndexDamaged(
            f"{where} has index format {manifest.format_version}, this askbj reads "
            f"{FORMAT_VERSION}; {rebuild}"
        )
    return manifest


_TYPES: dict[str, type] = {"model": str, "dim": int, "chunking": dict, "corpus": dict,
                           "built_at": str, "format_version": int, "versions": dict,
                           "files": dict, "counts": dict}


def _check_types(raw: object) -> None:
    """TypeError naming the first field of the wrong type; a manifest is never trusted."""
    if not isinstance(raw, dict):
        raise TypeError(f"expected a JSON object, found {type(raw).__name__}")
    for key, kind in _TYPES.items():
        if key in raw and (not isinstance(raw[key], kind) or isinstance(raw[key], bool)):
            raise TypeError(f"{key!r} should be {kind.__name__}, found {type(raw[key]).__name__}")
    for key in ("corpus", "files"):
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.get(key, {}).items()):
            raise TypeError(f"{key!r} should map file names to checksum strings")
    if not raw.get("files"):
        raise TypeError("'files' lists no files, so nothing can be verified")
    for name in raw["files"]:
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise TypeError(f"'files' names {name!r}, outside the index folder")


def _verify_files(folder: Path, manifest: Manifest) -> None:
    for name, digest in manifest.files.items():
        path = folder / name
        if not path.is_file():
            raise IndexDamaged(f"{path} is missing; {REBUILD}")
        if _sha256(path) != digest:
            raise IndexDamaged(f"{path} is damaged: its checksum does not match; {REBUILD}")
    for path in folder.rglob("*"):
        name = str(path.relative_to(folder))
        hidden = any(part.startswith(".") for part in Path(name).parts)  # .DS_Store and kin
        if path.is_file() and name not in manifest.files and name not in _UNLISTED and not hidden:
            raise IndexDamaged(f"{path} is not listed in {folder}/manifest.json; {REBUILD}")


_UNLISTED = frozenset({"manifest.json", "README.md"})


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load(folder: Path, attempts: int = 3) -> Index:
    """Load and verify an index; any inconsistency is an ``IndexDamaged`` with a way out.
    A load that overlapped a swap (the manifest changed under it) is tried again."""
    for attempt in range(attempts):
        source = _usable(Path(folder))
        before = _stamp(source)
        try:
            return _load(source)
        except IndexDamaged:
            if attempt == attempts - 1 or _stamp(_usable(Path(folder))) == before:
                raise
    raise AssertionError("unreachable")


def _stamp(folder: Path) -> tuple[int, int] | None:
    try:
        st = (folder / "manifest.json").stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns


def _load(folder: Path) -> Index:
    import bm25s

    manifest = read_manifest(folder)
    _verify_files(folder, manifest)
    try:
        docs = tuple(_document(r) for r in _read_jsonl(folder / "documents.jsonl"))
        chunks = tuple(_chunk(r) for r in _read_jsonl(folder / "chunks.jsonl"))
        faiss_index = dense.read(folder / "dense.faiss")
        vectors = dense.vectors_of(faiss_index)
        bm25 = bm25s.BM25.load(str(folder / "bm25"))
    except (OSError, ValueError, TypeError, KeyError, RuntimeError, AttributeError) as exc:
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
