"""The Milvus store: the whole index held in Milvus, so query servers need no local files.

Three collections (``askbj_`` prefix):

    askbj_chunks     id = chunk_id; the passage's vector (HNSW, inner product), its BM25
                     sparse vector (``askbj.index.sparse``: askbj's own terms, so scores are
                     the FAISS store's), doc_id, seq (its place in the document), the Chunk
    askbj_documents  each Document as JSON, in pieces (a VARCHAR holds 64 KiB)
    askbj_meta       the manifest (model, dim, chunking, corpus hashes), the BM25 term
                     table, the documents in corpus order, each in pieces

A text kept in pieces is rows ``KEY#000000``, ``KEY#000001`` … and a head row ``KEY`` that
counts them, written after them. An ingest writes chunks, documents and the term table,
then the manifest last. A reader loads the documents, passages and term table at start
(``load``; a server started during an ingest may see part of it: restart it afterwards) and
asks Milvus only for the dense top (with the hits' vectors) and vectors by id; the BM25
sparse vectors are read once per process (``sparse_vectors``) and scored in memory.

``uri`` is a Milvus Lite path (``*.db``: embedded, one process at a time) or a server
(``http://host:19530``: Milvus standalone or cluster, or ``milvus-lite server``).
pymilvus is imported only when a store is opened: the FAISS default never loads it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import numpy as np

from askbj.errors import AskbjError, IndexDamaged, IndexMissing
from askbj.index.sparse import Terms
from askbj.index.store import Index, Manifest, parse_manifest
from askbj.records import Chunk, Document

PREFIX = "askbj"
PIECE = 16_000  # characters per VARCHAR piece: at most 64,000 bytes of UTF-8 (limit 65,535)
MAX_TOPK = 16_384  # Milvus's limit on one search's results
BATCH = 256  # rows per insert or get
HNSW = {"M": 32, "efConstruction": 200}
EF = 1024  # HNSW search breadth, as the FAISS store's efSearch
_PAD = 2  # Milvus wants a vector in every collection: the text collections get a tiny one
_SCHEMES = ("http://", "https://", "tcp://", "grpc://", "unix:")


def check_uri(store: str) -> str:
    """``store`` as pymilvus takes it (a local path made absolute), or a clear error."""
    if store.startswith(_SCHEMES):
        return store
    if store.endswith(".db"):
        return str(Path(store).expanduser().resolve())
    raise AskbjError(
        f"--store {store!r} is not a store: use faiss (the default), a Milvus Lite file "
        "ending in .db (e.g. ./milvus.db) or a Milvus server such as http://localhost:19530.")


@dataclass(frozen=True)
class ChunkRow:
    """One passage as the chunks collection holds it."""

    chunk: Chunk
    seq: int
    vector: np.ndarray
    sparse: dict[int, float]

    def to_entity(self) -> dict[str, Any]:
        record = self.chunk.to_json()
        if len(record.encode("utf-8")) > 65_535:
            raise AskbjError(f"Passage {self.chunk.chunk_id} is over 64 KiB as JSON, more than "
                             "Milvus keeps in one field: ingest with a smaller chunk size.")
        return {"chunk_id": self.chunk.chunk_id, "vector": self.vector.astype(np.float32),
                "sparse": self.sparse, "doc_id": self.chunk.doc_id, "seq": self.seq,
                "record": record}


@dataclass(frozen=True)
class Order:
    """The documents in corpus order: (doc_id, the file's sha256, a digest of the stored
    Document), so ingest knows which to rewrite and what changed."""

    docs: tuple[tuple[str, str, str], ...]

    @property
    def ids(self) -> list[str]:
        return [d for d, _, _ in self.docs]

    def to_json(self) -> str:
        return json.dumps([list(d) for d in self.docs], ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Order:
        raw = json.loads(text)
        if not isinstance(raw, list):
            raise TypeError(f"expected a JSON list, found {type(raw).__name__}")
        return cls(tuple((str(d), str(s), str(h)) for d, s, h in raw))


def _client(uri: str, timeout: float) -> Any:
    try:
        from pymilvus import MilvusClient
    except ImportError as exc:  # pragma: no cover - both are dependencies
        raise AskbjError("The Milvus store needs pymilvus (and milvus-lite for a local .db): "
                         "run ./run.sh to install them.") from exc
    # pymilvus logs each failed call with a traceback; askbj reports it as one line instead
    logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
    try:
        return MilvusClient(uri=uri, timeout=timeout)
    except Exception as exc:  # pymilvus raises its own, gRPC's and OS errors here
        raise AskbjError(
            f"Cannot reach the Milvus store at {uri}: {_reason(exc)}. Start the server (or "
            "check the address), or use --store faiss.") from exc


def _reason(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return " ".join(str(message).split())[:300]


def _pieces(key: str, text: str) -> list[dict[str, Any]]:
    parts = [text[i : i + PIECE] for i in range(0, len(text), PIECE)] or [""]
    rows = [{"key": f"{key}#{i:06d}", "body": p, "pad": [1.0, 0.0]} for i, p in enumerate(parts)]
    return [*rows, {"key": key, "body": str(len(parts)), "pad": [1.0, 0.0]}]


def _batches(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class MilvusStore:
    """One askbj index in a Milvus database: read by query servers, written by ingest."""

    def __init__(self, uri: str, prefix: str = PREFIX, timeout: float = 10.0) -> None:
        self.uri = check_uri(uri)
        self.names = {role: f"{prefix}_{role}" for role in ("chunks", "documents", "meta")}
        self.rebuild = f"run `askbj --store {uri} ingest --rebuild`"
        self._client = _client(self.uri, timeout)
        self._loaded = False

    def close(self) -> None:
        self._client.close()

    def _call(self, what: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """A pymilvus call whose failure is one readable AskbjError naming the store."""
        try:
            return getattr(self._client, method)(*args, **kwargs)
        except AskbjError:
            raise
        except Exception as exc:  # MilvusException, gRPC errors: the server's answer
            raise AskbjError(f"The Milvus store at {self.uri} failed to {what}: "
                             f"{_reason(exc)}") from exc

    # ---- reading -------------------------------------------------------------------------

    def exists(self) -> bool:
        """Whether all three collections are there (then loaded, for reading)."""
        have = set(self._call("list collections", "list_collections"))
        if not all(name in have for name in self.names.values()):
            return False
        if not self._loaded:
            for name in self.names.values():
                self._call("load a collection", "load_collection", name)
            self._loaded = True
        return True

    def read_manifest(self) -> Manifest:
        if not self.exists():
            raise IndexMissing(f"No askbj index in the Milvus store {self.uri}: run "
                               f"`askbj --store {self.uri} ingest` to build it.")
        text = self.read_text("meta", "manifest")
        if text is None:
            raise IndexMissing(f"The Milvus store {self.uri} holds no finished ingest: run "
                               f"`askbj --store {self.uri} ingest`.")
        return parse_manifest(text, f"The manifest in the Milvus store {self.uri}", self.rebuild)

    def read_text(self, role: str, key: str) -> str | None:
        found = self.read_texts(role, [key])
        return found.get(key)

    def read_texts(self, role: str, keys: Sequence[str]) -> dict[str, str]:
        """The texts stored under ``keys`` (those present), each joined from its pieces."""
        heads = self._get(role, list(keys), ["key", "body"])
        counts = {k: int(row["body"]) for k, row in heads.items()}
        wanted = [f"{k}#{i:06d}" for k, n in counts.items() for i in range(n)]
        pieces = self._get(role, wanted, ["key", "body"])
        if len(pieces) != len(wanted):
            raise IndexDamaged(f"The Milvus store {self.uri} misses pieces of "
                               f"{self.names[role]}: {self.rebuild}")
        return {k: "".join(pieces[f"{k}#{i:06d}"]["body"] for i in range(n))
                for k, n in counts.items()}

    def _get(self, role: str, ids: list[str], fields: list[str]) -> dict[str, dict[str, Any]]:
        key = "chunk_id" if role == "chunks" else "key"
        rows: dict[str, dict[str, Any]] = {}
        for batch in _batches(ids):
            for row in self._call("read", "get", self.names[role], ids=list(batch),
                                  output_fields=fields):
                rows[row[key]] = row
        return rows

    def chunk_records(self) -> dict[str, tuple[str, int]]:
        """chunk_id → (the Chunk's JSON, its seq), of every passage stored."""
        return {row["chunk_id"]: (row["record"], int(row["seq"]))
                for row in self._scan(["chunk_id", "record", "seq"])}

    def read_order(self) -> Order | None:
        try:
            text = self.read_text("meta", "order") if self.exists() else None
            return Order.from_json(text) if text is not None else None
        except (ValueError, TypeError, IndexDamaged):
            return None

    def read_terms(self) -> Terms | None:
        try:
            text = self.read_text("meta", "terms") if self.exists() else None
            return Terms.from_json(text) if text is not None else None
        except (ValueError, TypeError, KeyError, IndexDamaged):
            return None

    def _scan(self, fields: list[str]) -> Iterator[dict[str, Any]]:
        it = self._call("read passages", "query_iterator", self.names["chunks"],
                        batch_size=1000, output_fields=fields)
        try:
            while batch := it.next():
                yield from batch
        finally:
            it.close()

    def load(self) -> Index:
        """Everything a query server keeps in memory but the vectors and the BM25 sparse
        vectors (``MilvusCandidates`` reads those)."""
        manifest = self.read_manifest()
        try:
            terms = Terms.from_json(self.read_text("meta", "terms") or "")
            order = Order.from_json(self.read_text("meta", "order") or "")
            texts = self.read_texts("documents", order.ids)
            docs = tuple(_document(texts[d]) for d in order.ids)
            chunks = self._chunks({d: i for i, d in enumerate(order.ids)})
        except (ValueError, TypeError, KeyError) as exc:
            raise IndexDamaged(f"The Milvus store {self.uri} is damaged ({exc}): "
                               f"{self.rebuild}") from exc
        counts = {"documents": len(docs), "chunks": len(chunks)}
        if counts != manifest.counts:
            raise IndexDamaged(
                f"The Milvus store {self.uri} holds {counts} but its manifest says "
                f"{manifest.counts}: an ingest is running or was stopped; run "
                f"`askbj --store {self.uri} ingest` once it is not.")
        empty = np.zeros((0, manifest.dim), dtype=np.float32)
        return Index(manifest, docs, chunks, empty, None, None, remote=self, terms=terms)

    def _chunks(self, rank: dict[str, int]) -> tuple[Chunk, ...]:
        rows = sorted((rank[r["doc_id"]], int(r["seq"]), r["record"])
                       for r in self._scan(["doc_id", "seq", "record"]) if r["doc_id"] in rank)
        return tuple(Chunk.from_json(record) for _, _, record in rows)

    def sparse_vectors(self) -> Iterator[tuple[str, dict[int, float]]]:
        """(chunk_id, BM25 sparse vector) of every passage stored, in no order."""
        for row in self._scan(["chunk_id", "sparse"]):
            yield str(row["chunk_id"]), row["sparse"]

    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        rows = self._get("chunks", list(chunk_ids), ["chunk_id", "vector"])
        return {k: np.asarray(r["vector"], dtype=np.float32) for k, r in rows.items()}

    # ---- searching -----------------------------------------------------------------------

    def dense(self, query: np.ndarray, n: int, where: str = "") -> list[tuple[str, float]]:
        """The ``n`` passages (at most MAX_TOPK) most like ``query``, best first."""
        return [(k, d) for k, d, _ in self.dense_with_vectors(query, n, where, False)]

    def dense_with_vectors(self, query: np.ndarray, n: int, where: str = "",
                           vectors: bool = True) -> list[tuple[str, float, list[float] | None]]:
        """As ``dense``, each hit with its vector (one round trip instead of two)."""
        return self.dense_many([query], n, where, vectors)[0]

    def dense_many(self, queries: Sequence[np.ndarray], n: int, where: str = "",
                   vectors: bool = True) -> list[list[tuple[str, float, list[float] | None]]]:
        """The dense top of each of ``queries`` in one search (one round trip)."""
        limit = max(1, min(n, MAX_TOPK))
        params = {"metric_type": "IP", "params": {"ef": max(EF, limit)}}
        found = self._call("search", "search", self.names["chunks"],
                           data=[np.asarray(q, np.float32).tolist() for q in queries],
                           anns_field="vector", limit=limit, search_params=params,
                           filter=where, output_fields=["vector"] if vectors else ["doc_id"])
        return [[(str(hit["chunk_id"]), float(hit["distance"]),
                  hit["vector"] if vectors else None) for hit in hits] for hits in found]

    # ---- writing (ingest; one writer at a time) ------------------------------------------

    def create(self, dim: int, fresh: bool) -> None:
        """Make the three collections (dropped first when ``fresh``): a new dense size or
        model starts over."""
        for name in self.names.values():
            if fresh and name in self._call("list collections", "list_collections"):
                self._call("drop a collection", "drop_collection", name)
        have = set(self._call("list collections", "list_collections"))
        if self.names["chunks"] not in have:
            self._create_chunks(dim)
        for role in ("documents", "meta"):
            if self.names[role] not in have:
                self._create_texts(self.names[role])
        self._loaded = False
        self.exists()

    def _create_chunks(self, dim: int) -> None:
        from pymilvus import DataType

        schema = self._client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("chunk_id", DataType.VARCHAR, is_primary=True, max_length=512)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=1024)
        schema.add_field("seq", DataType.INT64)
        schema.add_field("record", DataType.VARCHAR, max_length=65_535)
        index = self._client.prepare_index_params()
        index.add_index("vector", index_type="HNSW", metric_type="IP", params=HNSW)
        index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
        self._call("create a collection", "create_collection", self.names["chunks"],
                   schema=schema, index_params=index)

    def _create_texts(self, name: str) -> None:
        from pymilvus import DataType

        schema = self._client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("key", DataType.VARCHAR, is_primary=True, max_length=1024)
        schema.add_field("body", DataType.VARCHAR, max_length=65_535)
        schema.add_field("pad", DataType.FLOAT_VECTOR, dim=_PAD)
        index = self._client.prepare_index_params()
        index.add_index("pad", index_type="FLAT", metric_type="IP")
        self._call("create a collection", "create_collection", name, schema=schema,
                   index_params=index)

    def put_chunks(self, rows: Sequence[ChunkRow]) -> None:
        for batch in _batches(rows):
            self._call("write passages", "upsert", self.names["chunks"],
                       data=[r.to_entity() for r in batch])

    def delete_chunks(self, chunk_ids: Sequence[str]) -> None:
        for batch in _batches(chunk_ids):
            self._call("delete passages", "delete", self.names["chunks"], ids=list(batch))

    def write_texts(self, role: str, texts: dict[str, str]) -> None:
        """Store each text in pieces (the head row last), dropping pieces it no longer has."""
        old = self._get(role, list(texts), ["key", "body"])
        rows = [row for key, text in texts.items() for row in _pieces(key, text)]
        for batch in _batches(rows):
            self._call("write", "upsert", self.names[role], data=list(batch))
        stale = [f"{k}#{i:06d}" for k, row in old.items()
                 for i in range(len(_pieces(k, texts[k])) - 1, int(row["body"]))]
        self.delete_texts(role, (), stale)

    def delete_texts(self, role: str, keys: Iterable[str], pieces: Sequence[str] = ()) -> None:
        """Remove the texts ``keys`` (head first, so none is seen half gone) and ``pieces``."""
        heads = self._get(role, list(keys), ["key", "body"])
        doomed = [*heads, *pieces, *(f"{k}#{i:06d}" for k, row in heads.items()
                                     for i in range(int(row["body"])))]
        for batch in _batches(doomed):
            self._call("delete", "delete", self.names[role], ids=list(batch))

    def flush(self) -> None:
        for name in self.names.values():
            self._call("flush", "flush", name)


def _document(text: str) -> Document:
    """Offsets as one int32 array, as the FAISS store loads them."""
    doc = Document.from_json(text)
    offsets = np.asarray(doc.offsets, dtype=np.int64)
    if offsets.size and int(offsets.max()) < 2**31:
        offsets = offsets.astype(np.int32)
    return replace(doc, offsets=cast(Sequence[int], offsets))  # an int32 array, as in store
