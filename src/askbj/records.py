"""The records passed between pipeline stages.

Every stage speaks in these frozen dataclasses so that a stage can be swapped or tested
without knowing how its neighbours store things, and so no raw dicts leak across modules.
Ids are content hashes: re-ingesting unchanged text gives the same ids.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


def content_id(*parts: str, length: int = 16) -> str:
    """A short, stable id for text content (sha256 of the parts, NUL-joined)."""
    digest = hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


def _object(text: str) -> dict[str, Any]:
    row = json.loads(text)
    if not isinstance(row, dict):
        raise TypeError(f"expected a JSON object, found {type(row).__name__}")
    return row


@dataclass(frozen=True)
class Document:
    """One source document: metadata from the sources manifest plus its canonical text.

    ``text`` is the *cleaned* text; every span (chunk, citation) indexes into it.
    ``offsets[i]`` is the position in the raw file text of ``text[i]``.
    """

    doc_id: str
    path: str
    title: str
    text: str
    sha256: str
    authors: tuple[str, ...] = ()
    venue: str = ""
    date: str = ""
    lang: str = ""
    # a tuple when made by ingest; an int32 numpy array when loaded from an index
    offsets: Sequence[int] = field(default=(), repr=False, compare=False)

    def to_json(self) -> str:
        """One JSON object (offsets as a list), as stores keep it."""
        row = {**asdict(self), "offsets": [int(i) for i in self.offsets]}
        return json.dumps(row, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Document:
        row = _object(text)
        return cls(**{**row, "authors": tuple(row.get("authors", ())),
                      "offsets": tuple(row.get("offsets", ()))})


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage: ``text == document.text[start:end]``.

    ``section`` is the heading path (outermost first); it is prepended to the text that is
    embedded and indexed, so a passage deep in a section still matches its heading's words.
    """

    chunk_id: str
    doc_id: str
    start: int
    end: int
    text: str
    section: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Chunk:
        row = _object(text)
        return cls(**{**row, "section": tuple(row.get("section", ()))})

    @property
    def indexed_text(self) -> str:
        heading = " / ".join(self.section)
        return f"{heading}\n{self.text}" if heading else self.text


@dataclass(frozen=True)
class Hit:
    """A chunk returned by search, with its rank (1-based) and the fused score.

    ``alternates`` holds chunk ids of near-duplicate passages (the same article in another
    script) that were collapsed into this hit.
    """

    chunk: Chunk
    rank: int
    score: float
    alternates: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """The public JSON of a hit (README, "JSON output")."""
        c = self.chunk
        return {
            "rank": self.rank, "chunk_id": c.chunk_id, "doc_id": c.doc_id,
            "section": " / ".join(c.section), "text": c.text, "score": round(self.score, 6),
            "start": c.start, "end": c.end, "alternates": list(self.alternates),
        }


@dataclass(frozen=True)
class Citation:
    """A verified pointer from an answer sentence to its source.

    ``document.text[start:end] == quote`` always holds; ``text`` is the whole cited passage.
    """

    n: int
    chunk_id: str
    doc_id: str
    title: str
    section: tuple[str, ...]
    start: int
    end: int
    quote: str
    text: str
    alternates: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """The public JSON of a citation (README, "JSON output")."""
        return {
            "n": self.n, "chunk_id": self.chunk_id, "doc_id": self.doc_id, "title": self.title,
            "section": " / ".join(self.section), "start": self.start, "end": self.end,
            "quote": self.quote, "text": self.text, "alternates": list(self.alternates),
        }


STATUSES = ("answered", "partial", "not_found")


@dataclass(frozen=True)
class Answer:
    """What `ask` returns: answer text with inline ``[n]`` markers, or an abstention.

    ``resolved_question`` is what was searched: the question itself, or for a follow-up the
    standalone question written from the conversation ("那上海呢?" → "上海…有多少家?").

    ``status`` says which: ``answered``; ``partial`` (the documents cover the topic but not
    the detail asked: the text says so and cites what is there); ``not_found``. Both
    non-answers are ``abstained``. Left empty, it follows ``abstained``.
    """

    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    hits: tuple[Hit, ...] = ()
    notice: str = ""
    resolved_question: str = ""
    status: str = ""

    def __post_init__(self) -> None:
        if not self.status:
            object.__setattr__(self, "status", "not_found" if self.abstained else "answered")
        if self.status not in STATUSES:
            raise ValueError(f"Answer status {self.status!r} is not one of {STATUSES}")


    def to_dict(self) -> dict[str, object]:
        """The public JSON of an answer (its hits are listed beside it, not inside)."""
        return {"text": self.text, "abstained": self.abstained, "status": self.status,
                "citations": [c.to_dict() for c in self.citations], "notice": self.notice}


@dataclass(frozen=True)
class SearchResult:
    """What `askbj search` and ``POST /v1/search`` return."""

    question: str
    mode: str
    hits: tuple[Hit, ...]
    notice: str = ""  # the question was changed (truncated, …)
    stale: str = ""  # the index lags ``ingest/``

    def to_dict(self) -> dict[str, object]:
        return {"question": self.question, "mode": self.mode, "notice": self.notice,
                "stale": self.stale, "hits": [h.to_dict() for h in self.hits]}


@dataclass(frozen=True)
class AskResult:
    """What `askbj ask` and ``POST /v1/ask`` return: the answer and the hits it came from."""

    question: str
    answer: Answer
    stale: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"question": self.question, "resolved_question": self.answer.resolved_question,
                "answer": self.answer.to_dict(), "stale": self.stale,
                "hits": [h.to_dict() for h in self.answer.hits]}
