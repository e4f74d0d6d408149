"""The passages and documents of an index, parsed only when one is read.

``chunks.jsonl`` and ``documents.jsonl`` stay plain JSON lines, one record a line. Beside
them ``rows.npz`` (numpy arrays, never pickled objects) says where each line starts and holds
what search needs of *every* passage — its document, its span, its id — so opening a million
passages parses none of them: a ``Chunk`` or a ``Document`` is decoded from its line when it
is read (a few recent ones are kept).

Arrays of ``rows.npz``::

    chunk_lines  int64[N+1]  byte offset of each line of chunks.jsonl (last: the file size)
    chunk_doc    int32[N]    position in the document list of each passage's document
    chunk_start, chunk_end   int64[N]   the passage's span in its document's text
    chunk_ids    bytes[N]    chunk ids (UTF-8); ``chunk_order`` sorts them (int64[N])
    doc_lines    int64[D+1]  byte offset of each line of documents.jsonl
    doc_heads    uint8[...]  UTF-8 JSON: [[doc_id, title, [authors…], venue], …] for every document
"""

from __future__ import annotations

import json
import mmap
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

import numpy as np

from askbj.errors import IndexDamaged
from askbj.records import Chunk, Document

ROWS = "rows.npz"
REBUILD = "run `askbj ingest --rebuild`"
T = TypeVar("T")


@dataclass(frozen=True)
class Heading:
    """What search and answers read of a document without its text."""

    doc_id: str
    title: str
    authors: tuple[str, ...] = ()
    venue: str = ""  # where it appeared: a question may name a source by it


@dataclass(frozen=True, eq=False)
class Table:
    """Per-passage fields as arrays (row ``i`` is passage ``i``) and the documents' headings.
    ``doc[i]`` is the position in ``heads`` of passage ``i``'s document; documents the
    passages name but the list lacks come after the listed ones."""

    heads: tuple[Heading, ...]
    doc: np.ndarray
    start: np.ndarray
    end: np.ndarray
    ids: np.ndarray
    order: np.ndarray

    @classmethod
    def of(cls, chunks: Sequence[Chunk], documents: Sequence[Document]) -> Table:
        """The table of passages and documents held in memory (one pass over them)."""
        heads = [Heading(d.doc_id, d.title, tuple(d.authors), d.venue) for d in documents]
        codes = {h.doc_id: i for i, h in enumerate(heads)}
        for c in chunks:
            if c.doc_id not in codes:
                codes[c.doc_id] = len(heads)
                heads.append(Heading(c.doc_id, ""))
        n = len(chunks)
        ids = np.array([c.chunk_id.encode("utf-8", "surrogatepass") for c in chunks],
                       dtype=bytes)
        return cls(tuple(heads),
                   np.fromiter((codes[c.doc_id] for c in chunks), np.int32, n),
                   np.fromiter((c.start for c in chunks), np.int64, n),
                   np.fromiter((c.end for c in chunks), np.int64, n),
                   ids, np.argsort(ids, kind="stable"))

    @cached_property
    def codes(self) -> dict[str, int]:
        return {h.doc_id: i for i, h in enumerate(self.heads)}

    def position(self, chunk_id: str) -> int | None:
        """Where the passage ``chunk_id`` is (binary search of the sorted ids), or None."""
        key = chunk_id.encode("utf-8", "surrogatepass")
        i = int(np.searchsorted(self.ids, key, sorter=self.order))
        if i < len(self.order) and self.ids[self.order[i]] == key:
            return int(self.order[i])
        return None

    @cached_property
    def _by_doc(self) -> tuple[np.ndarray, np.ndarray]:
        order = np.lexsort((self.start, self.doc))
        return order, np.searchsorted(self.doc[order], np.arange(len(self.heads) + 1))

    def of_document(self, code: int) -> np.ndarray:
        """Positions of document ``code``'s passages, in text order."""
        order, bounds = self._by_doc
        return order[bounds[code]:bounds[code + 1]]


class Lines(Sequence[T], Generic[T]):
    """A read-only sequence of records, each decoded from its line of a JSON-lines file
    when read (memory-mapped: the file's pages are shared and only touched ones count)."""

    def __init__(self, path: Path, starts: np.ndarray, decode: Callable[[bytes, int], T],
                 keep: int) -> None:
        self.path, self._starts, self._decode = path, starts, decode
        self._data: bytes | mmap.mmap = b""
        if int(starts[-1]) > 0:
            with path.open("rb") as f:
                self._data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        self._get = lru_cache(maxsize=keep)(self._read)

    def line(self, i: int) -> bytes:
        return self._data[int(self._starts[i]):int(self._starts[i + 1])]

    def _read(self, i: int) -> T:
        return self._decode(self.line(i), i)

    def __len__(self) -> int:
        return len(self._starts) - 1

    @overload
    def __getitem__(self, i: int) -> T: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[T, ...]: ...

    def __getitem__(self, i: int | slice) -> T | tuple[T, ...]:
        if isinstance(i, slice):
            return tuple(self._read(j) for j in range(*i.indices(len(self))))
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"{self.path.name} has {n} lines, not {i}")
        return self._get(int(i) % n)

    def __iter__(self) -> Iterator[T]:
        return (self._read(i) for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or len(other) != len(self):
            return False
        return all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"<{len(self)} records of {self.path}>"


class Passages(Lines[Chunk]):
    """The passages of a loaded index, with their ``Table``."""

    def __init__(self, path: Path, starts: np.ndarray, table: Table) -> None:
        self.table = table
        super().__init__(path, starts, self._chunk, keep=8192)

    def _chunk(self, line: bytes, i: int) -> Chunk:
        try:
            chunk = Chunk.from_json(line.decode("utf-8"))
        except (ValueError, TypeError) as exc:
            raise _damaged(self.path, i, exc) from exc
        t = self.table
        if (chunk.start, chunk.end) != (t.start[i], t.end[i]) or \
                t.heads[t.doc[i]].doc_id != chunk.doc_id:
            raise _damaged(self.path, i, f"it does not match {ROWS}")
        return chunk


def _damaged(path: Path, i: int, why: object) -> IndexDamaged:
    return IndexDamaged(f"{path} is damaged at line {i + 1}: {why}; {REBUILD}")


def document(row: dict[str, Any]) -> Document:
    """A document from its stored row; offsets as one int32 array (4 bytes a character,
    not a Python int's 36)."""
    offsets = np.asarray(row.get("offsets", ()), dtype=np.int64)
    if offsets.size and int(offsets.max()) < 2**31:
        offsets = offsets.astype(np.int32)
    return Document(**{**row, "authors": tuple(row.get("authors", ())), "offsets": offsets})


class Documents(Lines[Document]):
    """The documents of a loaded index; ``heads`` are read at load, texts when asked for."""

    def __init__(self, path: Path, starts: np.ndarray, heads: tuple[Heading, ...]) -> None:
        self.heads = heads
        super().__init__(path, starts, self._document, keep=32)

    def _document(self, line: bytes, i: int) -> Document:
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise TypeError(f"expected a JSON object, found {type(row).__name__}")
            doc = document(row)
        except (ValueError, TypeError) as exc:
            raise _damaged(self.path, i, exc) from exc
        if doc.doc_id != self.heads[i].doc_id:
            raise _damaged(self.path, i, f"it does not match {ROWS}")
        return doc


def encode_lines(rows: Sequence[Any], to_json: Callable[[Any], str]) -> Iterator[bytes]:
    for row in rows:
        yield (to_json(row) + "\n").encode("utf-8")


def save(path: Path, table: Table, chunk_lines: np.ndarray, doc_lines: np.ndarray) -> None:
    """Write ``rows.npz`` for files whose lines start at ``chunk_lines`` / ``doc_lines``."""
    heads = [[h.doc_id, h.title, list(h.authors), h.venue] for h in table.heads]
    blob = np.frombuffer(json.dumps(heads, ensure_ascii=False).encode("utf-8"), np.uint8)
    with path.open("wb") as f:
        np.savez(f, chunk_lines=chunk_lines, chunk_doc=table.doc, chunk_start=table.start,
                 chunk_end=table.end, chunk_ids=table.ids, chunk_order=table.order,
                 doc_lines=doc_lines, doc_heads=blob)


def load(folder: Path, chunks: int | None) -> tuple[Documents, Passages]:
    """The lazy documents and passages of ``folder``; every array checked against the
    files it describes (sizes, counts, order), and the first and last records decoded."""
    where = folder / ROWS
    try:
        with np.load(where, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        # an index written before venues were kept has three fields a document
        heads = tuple(Heading(str(d), str(t), tuple(str(a) for a in au), str(v[0]) if v else "")
                      for d, t, au, *v in json.loads(arrays["doc_heads"].tobytes()))
        table = Table(heads, arrays["chunk_doc"], arrays["chunk_start"], arrays["chunk_end"],
                      arrays["chunk_ids"], arrays["chunk_order"])
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise IndexDamaged(f"{where} is damaged: {exc}; {REBUILD}") from exc
    _check(folder, arrays, table, chunks)
    documents = Documents(folder / "documents.jsonl", arrays["doc_lines"], heads)
    passages = Passages(folder / "chunks.jsonl", arrays["chunk_lines"], table)
    for records in (documents, passages):  # decoding the first and last is a check
        for i in {0, len(records) - 1} if len(records) else ():
            records[i]
    return documents, passages


def _check(folder: Path, arrays: dict[str, np.ndarray], table: Table,
           chunks: int | None) -> None:
    n = len(arrays["chunk_lines"]) - 1
    problem = ""
    for name, lines in (("chunks.jsonl", arrays["chunk_lines"]),
                        ("documents.jsonl", arrays["doc_lines"])):
        size = (folder / name).stat().st_size
        if lines.ndim != 1 or len(lines) < 1 or lines[0] != 0 or lines[-1] != size \
                or bool(np.any(np.diff(lines) <= 0)):
            problem = f"its line offsets do not fit {name} ({size} bytes)"
    if len(arrays["doc_lines"]) - 1 > len(table.heads):
        problem = "it lists fewer document headings than documents.jsonl has lines"
    if any(len(a) != n for a in (table.doc, table.start, table.end, table.ids, table.order)):
        problem = "its passage arrays differ in length"
    elif n and (int(table.doc.min()) < 0 or int(table.doc.max()) >= len(table.heads)):
        problem = "a passage names a document it does not list"
    if chunks is not None and n != chunks and not problem:
        problem = f"it describes {n} passages but the manifest counts {chunks}"
    if problem:
        raise IndexDamaged(f"{folder / ROWS} does not match the index: {problem}; {REBUILD}")
