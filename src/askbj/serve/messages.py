"""OpenAI Chat Completions wire shapes, as frozen records with ``to_dict``.

askbj's extra field ``citations`` (the CLI's citation records) rides on the message and on
the response; OpenAI clients ignore fields they do not know, so any of them can talk to it.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

MODELS = {"askbj": "hybrid", "askbj-dense": "dense", "askbj-bm25": "bm25"}
OWNER = "askbj"
_PIECE = re.compile(r".+?(?:[。！？!?；;](?:\[\d+\])*|\[\d+\]|\.\s|$)", re.S)


def completion_id() -> str:
    return "chatcmpl-" + uuid.uuid4().hex[:24]


@dataclass(frozen=True)
class ModelCard:
    id: str
    created: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "object": "model", "created": self.created, "owned_by": OWNER,
                "askbj_mode": MODELS[self.id]}


def model_list(created: int) -> dict[str, Any]:
    return {"object": "list", "data": [ModelCard(m, created).to_dict() for m in MODELS]}


@dataclass(frozen=True)
class Completion:
    """A whole (non-streamed) chat completion."""

    model: str
    content: str
    citations: tuple[dict[str, Any], ...] = ()
    resolved_question: str = ""  # what was searched (a follow-up made standalone)
    id: str = field(default_factory=completion_id)
    created: int = field(default_factory=lambda: int(time.time()))

    def to_dict(self) -> dict[str, Any]:
        message = {"role": "assistant", "content": self.content,
                   "citations": list(self.citations)}
        return {"id": self.id, "object": "chat.completion", "created": self.created,
                "model": self.model, "choices": [{"index": 0, "message": message,
                                                   "finish_reason": "stop", "logprobs": None}],
                "citations": list(self.citations), "resolved_question": self.resolved_question}


@dataclass(frozen=True)
class Chunk:
    """One ``chat.completion.chunk`` of a stream."""

    id: str
    created: int
    model: str
    delta: dict[str, Any]
    finish_reason: str | None = None
    citations: tuple[dict[str, Any], ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id, "object": "chat.completion.chunk", "created": self.created,
            "model": self.model, "choices": [{"index": 0, "delta": self.delta,
                                              "finish_reason": self.finish_reason,
                                              "logprobs": None}]}
        if self.citations is not None:
            body["citations"] = list(self.citations)
        return body

    def sse(self) -> str:
        return f"data: {json.dumps(self.to_dict(), ensure_ascii=False)}\n\n"


def pieces(text: str) -> list[str]:
    """The answer in stream-sized pieces: up to each ``[n]`` marker or sentence end."""
    return [m.group(0) for m in _PIECE.finditer(text) if m.group(0)] or [text]


def stream(done: Completion) -> Iterator[str]:
    """The SSE events of a finished completion: role first, the content in pieces, a final
    chunk with ``finish_reason`` and the citations, then ``[DONE]``."""
    def chunk(delta: dict[str, Any], **extra: Any) -> Chunk:
        return Chunk(done.id, done.created, done.model, delta, **extra)

    yield chunk({"role": "assistant", "content": ""}).sse()
    for piece in pieces(done.content):
        yield chunk({"content": piece}).sse()
    yield chunk({}, finish_reason="stop", citations=done.citations).sse()
    yield "data: [DONE]\n\n"
