"""Sentence vectors ("small-to-big"): every passage's sentences embedded at ingest, so that
search can rank its first hits by their best sentence (``askbj.retrieve.rerank``), at the
cost of a dot product per sentence of those hits at query time.

On disk, in ``index/sentences/`` (plain numpy files, listed and checksummed in the
manifest, memory-mapped at load)::

    offsets.npy   int64, passages + 1: passage i's sentences are rows offsets[i]:offsets[i+1]
    spans.npy     int64, (sentences, 2): each sentence's [start, end) in its document
    vectors.npy   float16, (sentences, dim): unit-length embeddings (documents' side)

The sentences are those ``askbj.text.sentences.sentence_spans`` cuts from a passage's span
of its document: the same ones the extractive answer scores. An index without the folder
(written before it existed, or a Milvus store) works as before, without this signal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from askbj.index.embed import Encoder
from askbj.records import Chunk, Document
from askbj.text.sentences import sentence_spans

FOLDER = "sentences"
FILES = tuple(f"{FOLDER}/{name}.npy" for name in ("offsets", "spans", "vectors"))


@dataclass(frozen=True)
class SentenceVectors:
    """The sentences of every passage of an index, with their vectors."""

    offsets: np.ndarray
    spans: np.ndarray
    vectors: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.spans)
        if self.spans.ndim != 2 or self.spans.shape[1:] != (2,) or len(self.vectors) != n \
                or self.vectors.ndim != 2 or len(self.offsets) < 1 \
                or int(self.offsets[0]) != 0 or int(self.offsets[-1]) != n \
                or bool(np.any(np.diff(self.offsets) < 0)):
            raise ValueError(f"sentence arrays do not fit together ({len(self.offsets)} "
                             f"offsets, {n} spans, {len(self.vectors)} vectors)")

    @property
    def passages(self) -> int:
        return len(self.offsets) - 1

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def similarities(self, row: int, query: np.ndarray) -> dict[tuple[int, int], float]:
        """Cosine similarity of ``query`` to each sentence of passage ``row``, by span."""
        a, b = int(self.offsets[row]), int(self.offsets[row + 1])
        if a == b:
            return {}
        sims = np.asarray(self.vectors[a:b], dtype=np.float32) @ query
        return {(int(s), int(e)): float(x) for (s, e), x in zip(self.spans[a:b], sims,
                                                                 strict=True)}

    def best(self, row: int, query: np.ndarray) -> float | None:
        """The passage's best sentence similarity; None for a passage without sentences."""
        sims = self.similarities(row, query)
        return max(sims.values()) if sims else None

    def by_text(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Each sentence's vector by its text (``texts[j]`` is sentence j's): what a
        rebuild re-uses."""
        return {t: self.vectors[j] for j, t in enumerate(texts)}

    def save(self, folder: Path) -> None:
        """Write the three files into ``folder/sentences/`` (the caller swaps ``folder`` in)."""
        out = folder / FOLDER
        out.mkdir(parents=True, exist_ok=True)
        np.save(out / "offsets.npy", np.asarray(self.offsets, dtype=np.int64))
        np.save(out / "spans.npy", np.asarray(self.spans, dtype=np.int64))
        np.save(out / "vectors.npy", np.asarray(self.vectors, dtype=np.float16))

    @classmethod
    def load(cls, folder: Path, passages: int, dim: int) -> SentenceVectors:
        """Memory-mapped; ValueError when the files do not fit the index."""
        arrays = [np.load(folder / name, mmap_mode="r", allow_pickle=False) for name in FILES]
        found = cls(*arrays)
        if found.passages != passages or found.dim != dim:
            raise ValueError(f"{FOLDER}/ holds sentences of {found.passages} passages of "
                             f"{found.dim} dims, the index has {passages} of {dim}")
        return found


def cut(documents: Sequence[Document], chunks: Sequence[Chunk]
        ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Offsets, spans and texts of every passage's sentences, in passage order."""
    text_of = {d.doc_id: d.text for d in documents}
    offsets, spans, texts = [0], [], []
    for c in chunks:
        text = text_of[c.doc_id]
        for s, e in sentence_spans(text, c.start, c.end):
            spans.append((s, e))
            texts.append(text[s:e])
        offsets.append(len(spans))
    return (np.asarray(offsets, dtype=np.int64),
            np.asarray(spans, dtype=np.int64).reshape(-1, 2), texts)


def embed(documents: Sequence[Document], chunks: Sequence[Chunk], encoder: Encoder,
          reuse: dict[str, np.ndarray] | None = None,
          progress: Callable[[int, int], None] | None = None) -> tuple[SentenceVectors, int]:
    """Every passage's sentences embedded (each distinct text once; those in ``reuse``, by
    text, not at all); how many were embedded."""
    offsets, spans, texts = cut(documents, chunks)
    reuse = reuse or {}
    todo = list(dict.fromkeys(t for t in texts if t not in reuse))
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, len(todo))

    fresh = encoder.embed_documents(todo, progress=tick) if todo else \
        np.zeros((0, encoder.dim), dtype=np.float32)
    vector_of = {**reuse, **dict(zip(todo, fresh, strict=True))}
    vectors = np.zeros((len(texts), encoder.dim), dtype=np.float16)
    for j, t in enumerate(texts):
        vectors[j] = vector_of[t]
    return SentenceVectors(offsets, spans, vectors), len(todo)


def texts_of(documents: Sequence[Document], chunks: Sequence[Chunk]) -> list[str]:
    """The texts of an index's sentences, in the order of its sentence arrays."""
    return cut(documents, chunks)[2]
