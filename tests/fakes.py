"""A fast, deterministic stand-in for the real embedding model (used through conftest).

Most tests care about what the pipeline does with vectors, not about vector quality; loading
torch and a model for each of them would make the suite slow and hide real failures in noise.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Iterator

import numpy as np

FAKE_DIM = 64


def _grams(text: str) -> list[str]:
    """Character unigrams and bigrams: overlap in these is what makes texts 'similar'."""
    norm = unicodedata.normalize("NFKC", text).lower()
    unigrams = [ch for ch in norm if not ch.isspace()]
    bigrams = [norm[i : i + 2] for i in range(len(norm) - 1) if not norm[i : i + 2].isspace()]
    return unigrams + bigrams


def _bucket(gram: str) -> tuple[int, float]:
    # hashlib, not hash(): str hashes are salted per process and tests must be reproducible.
    digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest[:4], "little") % FAKE_DIM, 1.0 if digest[4] & 1 else -1.0


class FakeEmbedder:
    """Same interface as ``askbj.index.embed.Embedder``; hashed character n-grams into 64 dims.

    ``calls`` counts texts embedded (not method calls), so tests can assert that caching or
    incremental ingest really skipped work.
    """

    name = "fake/hashed-char-ngrams-64"
    dim = FAKE_DIM

    def __init__(self) -> None:
        self.calls = 0

    def embed_documents(
        self, texts: list[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        vectors = self._embed(texts)
        if progress is not None and texts:
            progress(len(texts))
        return vectors

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)

    def _embed(self, texts: list[str]) -> np.ndarray:
        self.calls += len(texts)
        rows = np.zeros((len(texts), FAKE_DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            for gram in _grams(text):
                index, sign = _bucket(gram)
                rows[i, index] += sign
            norm = float(np.linalg.norm(rows[i]))
            if norm == 0.0:  # empty text: still a unit vector, like a real model
                rows[i, 0] = 1.0
            else:
                rows[i] /= norm
        return rows


class QueuedChatModel:
    """A ``ChatModel`` that replies from a queue: a string streams in small pieces, an
    exception is raised (as ``HttpChatModel`` raises ``LLMError``). ``requests`` keeps every
    body sent, so tests can check what the model was asked."""

    def __init__(self, *replies: str | Exception, piece: int = 3) -> None:
        self.replies = list(replies)
        self.piece = piece
        self.requests: list[dict[str, object]] = []

    def queue(self, *replies: str | Exception) -> None:
        self.replies.extend(replies)

    def chat(self, body: dict[str, object]) -> Iterator[str]:
        self.requests.append(body)
        reply = self.replies.pop(0) if self.replies else RuntimeError("no reply queued")
        return self._stream(reply)

    def _stream(self, reply: str | Exception) -> Iterator[str]:
        if isinstance(reply, Exception):
            raise reply
        for i in range(0, len(reply), self.piece):
            yield reply[i : i + self.piece]
