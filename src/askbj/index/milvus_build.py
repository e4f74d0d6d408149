"""Ingest into a Milvus store, incrementally: passages are rows keyed by their content-hash
id, so an ingest writes only the passages that are new (embedding them) or that moved in
their document (their vector re-used from the store), deletes those that are gone, and
leaves every other row as it is. A store built with another model, dimension or chunking,
or ``rebuild``, starts over (the collections are dropped and everything is embedded), as
the FAISS store does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np

from askbj.errors import IndexDamaged, IndexMissing
from askbj.index import sparse
from askbj.index.milvus import ChunkRow, MilvusStore, Order
from askbj.index.store import Manifest, versions
from askbj.records import Chunk, Document, content_id
from askbj.text.normalize import tokenize

Embed = Callable[[list[Chunk]], np.ndarray]


@dataclass(frozen=True)
class Written:
    """What an ingest into Milvus did: the documents before (doc_id → sha256), counts."""

    before: dict[str, str]
    embedded: int
    written: int
    deleted: int


def _previous(store: MilvusStore) -> Manifest | None:
    try:
        return store.read_manifest()
    except (IndexMissing, IndexDamaged):
        return None


def _starts_over(old: Manifest | None, manifest: Manifest, rebuild: bool) -> bool:
    return (rebuild or old is None or old.model != manifest.model or old.dim != manifest.dim
            or old.chunking != manifest.chunking)


def _seqs(chunks: Sequence[Chunk]) -> list[int]:
    """Each passage's place in its document."""
    seen: dict[str, int] = {}
    out = []
    for c in chunks:
        out.append(seen.get(c.doc_id, 0))
        seen[c.doc_id] = out[-1] + 1
    return out


def write(store: MilvusStore, docs: Sequence[Document], chunks: Sequence[Chunk],
          embed: Embed, manifest: Manifest, rebuild: bool = False) -> Written:
    """Bring ``store`` to ``docs``/``chunks``; the manifest is written last."""
    old = _previous(store)
    order = store.read_order()
    fresh = _starts_over(old, manifest, rebuild)
    store.create(manifest.dim, fresh)
    existing = {} if fresh else store.chunk_records()
    tokens = [tokenize(c.indexed_text) for c in chunks]
    terms = sparse.count(tokens, None if fresh else store.read_terms())
    seqs = _seqs(chunks)
    todo = [i for i, c in enumerate(chunks) if existing.get(c.chunk_id) != (c.to_json(), seqs[i])]
    new = [i for i in todo if chunks[i].chunk_id not in existing]
    vectors = dict(zip((chunks[i].chunk_id for i in new),
                       embed([chunks[i] for i in new]) if new else [], strict=True))
    vectors.update(store.vectors([chunks[i].chunk_id for i in todo
                                  if chunks[i].chunk_id in existing]))
    store.put_chunks([ChunkRow(chunks[i], seqs[i], vectors[chunks[i].chunk_id],
                               terms.passage(tokens[i])) for i in todo])
    keep = {c.chunk_id for c in chunks}
    gone = [k for k in existing if k not in keep]
    store.delete_chunks(gone)
    _write_documents(store, docs, None if fresh else order)
    store.write_texts("meta", {"terms": terms.to_json()})
    stamped = replace(manifest, counts={"documents": len(docs), "chunks": len(chunks)},
                      versions=versions(), built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                      files=dict(store.names))
    store.write_texts("meta", {"manifest": _manifest_json(stamped)})
    store.flush()
    before = {d: s for d, s, _ in order.docs} if order else {}
    return Written(before, len(new), len(todo), len(gone))


def _write_documents(store: MilvusStore, docs: Sequence[Document], order: Order | None) -> None:
    """Documents whose stored form changed, the removed ones deleted, then the corpus order
    (``write`` adds the term table and the manifest after them)."""
    texts = {d.doc_id: d.to_json() for d in docs}
    now = Order(tuple((d.doc_id, d.sha256, content_id(texts[d.doc_id])) for d in docs))
    had = {d: h for d, _, h in order.docs} if order else {}
    changed = {d: texts[d] for d, _, h in now.docs if had.get(d) != h}
    store.write_texts("documents", changed)
    store.delete_texts("documents", [d for d in had if d not in texts])
    store.write_texts("meta", {"order": now.to_json()})


def _manifest_json(manifest: Manifest) -> str:
    import json

    return json.dumps(asdict(manifest), ensure_ascii=False)
