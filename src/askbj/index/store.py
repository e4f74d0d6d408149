"""The index on disk: plain, inspectable files plus a manifest that says how they were made.

Layout of ``index/``::

    manifest.json     model, dims, chunking, corpus hashes, package versions, file checksums
    documents.jsonl   one Document per line (canonical text, metadata, offsets to raw file)
    chunks.jsonl      one Chunk per line (span in its document, section path)
    rows.npz          where each line of the two starts, and per-passage arrays (``rows``)
    dense.faiss       FAISS inner-product index over L2-normalised chunk embeddings
    bm25/             bm25s sparse matrices (numpy, loaded with allow_pickle=False)
    sentences/        each passage's sentences and their vectors (``askbj.index.sentences``)

A build writes into a sibling temporary folder (``.index-build-*``, manifest written last)
and swaps it in with one atomic exchange of the two folders (Linux ``renameat2``), so a
reader sees the old index or the new one, never none. Where the exchange is unavailable the
swap takes two renames; a crash between them leaves complete copies in hidden siblings, and
``load`` reads the newest complete one (``recover`` moves it back into place). Loading
verifies every file against the manifest; a manifest with wrong types, no file list or a
file list that misses a file of the folder is damaged, never trusted.

Loading parses no passage: ``chunks`` and ``documents`` decode a line when it is read
(``askbj.index.rows``), the vectors and BM25's matrices are memory-mapped. A file's checksum
is computed while streaming it in blocks; a file whose size, times and inode are those
recorded when it last matched its checksum (``.verified.json``, written beside the files
once they have not changed for a second) is not read again. Any write to a file changes
its change time, which no program can set back, so a damaged or replaced file is still
hashed and refused; ``load(folder, full=True)`` hashes every file regardless.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from askbj.errors import IndexDamaged, IndexMissing
from askbj.index import dense, rows, swap
from askbj.index.sentences import FILES as SENTENCE_FILES
from askbj.index.sentences import SentenceVectors
from askbj.records import Chunk, Document
from askbj.text.normalize import tokenize

FORMAT_VERSION = 1
_PACKAGES = ("askbj", "faiss-cpu", "bm25s", "jieba", "opencc", "sentence-transformers", "numpy",
             "pymilvus", "milvus-lite")
REBUILD = rows.REBUILD
STAMPS = ".verified.json"
_SETTLED_NS = 1_000_000_000  # a file changed less than this before its check is hashed again


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
    """Everything search needs. ``vectors[i]`` and BM25 row ``i`` are ``chunks[i]``.
    ``documents`` and ``chunks`` are tuples when built in memory and lazy sequences
    (``rows.Lines``) when loaded from files; ``rows`` has what search reads of every passage."""

    manifest: Manifest
    documents: Sequence[Document]
    chunks: Sequence[Chunk]
    vectors: np.ndarray
    bm25: Any = field(repr=False)
    dense: Any = field(default=None, repr=False, compare=False)
    """The FAISS index ``vectors`` is a view of (one copy); search reads candidates from it."""
    remote: Any = field(default=None, repr=False, compare=False)
    """The server-side store (``askbj.index.milvus.MilvusStore``) holding this index's
    vectors and BM25 postings; ``vectors`` and ``bm25`` are then empty. None for files."""
    terms: Any = field(default=None, repr=False, compare=False)
    """The BM25 term table (``askbj.index.sparse.Terms``) when there is no bm25s matrix."""
    sentences: SentenceVectors | None = field(default=None, repr=False, compare=False)
    """Each passage's sentence vectors; None for an index written without them."""

    @cached_property
    def rows(self) -> rows.Table:
        """Per-passage arrays and document headings (stored with a loaded index)."""
        table = getattr(self.chunks, "table", None)
        return table if table is not None else rows.Table.of(self.chunks, self.documents)

    def document(self, doc_id: str) -> Document:
        code = self.rows.codes.get(doc_id)
        if code is None or code >= len(self.documents):
            raise KeyError(doc_id)
        return self.documents[code]

    def chunk(self, chunk_id: str) -> Chunk | None:
        """The passage with id ``chunk_id``, or None (a binary search, no scan)."""
        i = self.rows.position(chunk_id)
        return None if i is None else self.chunks[i]

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        """The passages of document ``doc_id``, in text order."""
        code = self.rows.codes.get(doc_id)
        return [] if code is None else [self.chunks[int(i)] for i in self.rows.of_document(code)]


class DocumentsById(Mapping[str, Document]):
    """The documents of ``index`` by id, each read when asked for (no document is parsed
    to build it; iterating gives the ids)."""

    def __init__(self, index: Index) -> None:
        self._index = index

    def __getitem__(self, doc_id: str) -> Document:
        return self._index.document(doc_id)

    def __contains__(self, doc_id: object) -> bool:
        code = self._index.rows.codes.get(doc_id) if isinstance(doc_id, str) else None
        return code is not None and code < len(self._index.documents)

    def __iter__(self) -> Iterator[str]:
        heads = self._index.rows.heads
        return iter(dict.fromkeys(h.doc_id for h in heads[:len(self._index.documents)]))

    def __len__(self) -> int:
        return sum(1 for _ in self)


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
    documents: list[Document], chunks: list[Chunk], vectors: np.ndarray, manifest: Manifest,
    sentences: SentenceVectors | None = None,
) -> Index:
    if len(chunks) != len(vectors):
        raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors")
    if sentences is not None and sentences.passages != len(chunks):
        raise ValueError(f"{len(chunks)} chunks but sentences of {sentences.passages}")
    counts = {"documents": len(documents), "chunks": len(chunks)}
    stamped = Manifest(**{**asdict(manifest), "counts": counts, "versions": versions(),
                          "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
    faiss_index = dense.build(vectors)
    return Index(stamped, tuple(documents), tuple(chunks), dense.vectors_of(faiss_index),
                 build_bm25(chunks), faiss_index, sentences=sentences)


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _write_jsonl(path: Path, lines: Iterable[bytes]) -> np.ndarray:
    """Write the (newline-ended, UTF-8) lines; where each starts, and the file's size."""
    sizes = [0]
    with path.open("wb") as f:
        for line in lines:
            f.write(line)
            sizes.append(len(line))
    return np.cumsum(np.array(sizes, dtype=np.int64))


def _document_json(doc: Document) -> str:
    return json.dumps(asdict(doc), ensure_ascii=False, default=_plain)


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
        doc_lines = _write_jsonl(tmp / "documents.jsonl",
                                 rows.encode_lines(index.documents, _document_json))
        chunk_lines = _write_jsonl(tmp / "chunks.jsonl",
                                   rows.encode_lines(index.chunks, Chunk.to_json))
        rows.save(tmp / rows.ROWS, index.rows, chunk_lines, doc_lines)
        faiss.write_index(_dense_of(index), str(tmp / "dense.faiss"))
        index.bm25.save(str(tmp / "bm25"))
        if index.sentences is not None:
            index.sentences.save(tmp)
        checked = {str(p.relative_to(tmp)): _checked(p) for p in sorted(tmp.rglob("*"))
                   if p.is_file()}
        files = {name: digest for name, (digest, _) in checked.items()}
        _write_stamps(tmp, {name: stamp for name, (_, stamp) in checked.items() if stamp})
        manifest = {**asdict(index.manifest), "files": files}
        swap.write_last(tmp / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        swap.swap_in(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    clean_stale(folder)


def _stat(path: Path) -> tuple[list[int], int]:
    """(size, mtime, ctime, inode, device) of ``path`` and the time it was taken (ns)."""
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev], time.time_ns()


def _checked(path: Path) -> tuple[str, list[Any] | None]:
    """``path``'s checksum, and the stamp that lets a later load trust it unread: None
    when the file changed too recently for its times to tell a later change apart."""
    stat, now = _stat(path)
    digest = _sha256(path)
    return digest, ([digest, *stat] if now - stat[2] > _SETTLED_NS else None)


def _read_stamps(folder: Path) -> dict[str, Any]:
    try:
        found = json.loads((folder / STAMPS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _write_stamps(folder: Path, stamps: dict[str, Any]) -> None:
    """Best effort (a read-only index is hashed on every load instead)."""
    part = folder / f"{STAMPS}.{os.getpid()}-{threading.get_ident()}"
    try:
        part.write_text(json.dumps(stamps), encoding="utf-8")
        os.replace(part, folder / STAMPS)
    except OSError:
        part.unlink(missing_ok=True)


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


def _verify_files(folder: Path, manifest: Manifest, full: bool = False) -> None:
    """Every listed file present and matching its checksum (hashed unless its stamp says
    it is unchanged since it last matched), and no unlisted file."""
    known = {} if full else _read_stamps(folder)
    stamps = {}
    for name, digest in manifest.files.items():
        path = folder / name
        if not path.is_file():
            raise IndexDamaged(f"{path} is missing; {REBUILD}")
        stat, now = _stat(path)
        if known.get(name) != [digest, *stat] and _sha256(path) != digest:
            raise IndexDamaged(f"{path} is damaged: its checksum does not match; {REBUILD}")
        if now - stat[2] > _SETTLED_NS:
            stamps[name] = [digest, *stat]
    if stamps != known:
        _write_stamps(folder, stamps)
    for path in folder.rglob("*"):
        name = str(path.relative_to(folder))
        hidden = any(part.startswith(".") for part in Path(name).parts)  # .DS_Store and kin
        if path.is_file() and name not in manifest.files and name not in _UNLISTED and not hidden:
            raise IndexDamaged(f"{path} is not listed in {folder}/manifest.json; {REBUILD}")


_UNLISTED = frozenset({"manifest.json", "README.md"})


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load(folder: Path, attempts: int = 3, full: bool = False) -> Index:
    """Load and verify an index; any inconsistency is an ``IndexDamaged`` with a way out.
    A load that overlapped a swap (the manifest changed under it) is tried again. ``full``
    hashes every file even when its stamp says it is unchanged."""
    for attempt in range(attempts):
        source = _usable(Path(folder))
        before = _stamp(source)
        try:
            if full:  # hash every file now; the load below then trusts the fresh stamps
                _verify_files(source, read_manifest(source), full=True)
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
    docs: Sequence[Document]
    chunks: Sequence[Chunk]
    try:
        if rows.ROWS in manifest.files:
            docs, chunks = rows.load(folder, manifest.counts.get("chunks"))
        else:  # written before rows.npz existed: parse every line
            docs = tuple(rows.document(r) for r in _read_jsonl(folder / "documents.jsonl"))
            chunks = tuple(_chunk(r) for r in _read_jsonl(folder / "chunks.jsonl"))
        faiss_index = dense.read(folder / "dense.faiss")
        vectors = dense.vectors_of(faiss_index)
        bm25 = bm25s.BM25.load(str(folder / "bm25"), mmap=True)
        sentences = SentenceVectors.load(folder, len(chunks), manifest.dim) \
            if all(f in manifest.files for f in SENTENCE_FILES) else None
    except (OSError, ValueError, TypeError, KeyError, RuntimeError, AttributeError) as exc:
        raise IndexDamaged(f"{folder}/ is damaged: {exc}; {REBUILD}") from exc
    if len(vectors) != len(chunks) or vectors.shape[1] != manifest.dim:
        raise IndexDamaged(
            f"{folder}/dense.faiss holds {len(vectors)} vectors of {vectors.shape[1]} dims but "
            f"there are {len(chunks)} chunks of {manifest.dim} dims; {REBUILD}"
        )
    return Index(manifest, docs, chunks, vectors, bm25, faiss_index, sentences=sentences)


def _chunk(row: dict[str, Any]) -> Chunk:
    return Chunk(**{**row, "section": tuple(row.get("section", ()))})
