"""The one module of ``askbj.serve`` that talks to the rest of askbj.

It loads the model and index once per process, answers through the same ``Answerer`` and
record functions as the CLI (so a REST response is the CLI's ``--json`` byte for byte), and
swaps in a new answerer after an upload is ingested. Everything here is blocking: the app
calls it from worker threads, never from the event loop. Module paths of askbj are imported
only here, so a restructuring of askbj touches one file of the server.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from askbj import engine
from askbj.answer.extractive import SCRIPTS
from askbj.answer.followup import Turn as Exchange
from askbj.config import MODES, Settings
from askbj.errors import AskbjError
from askbj.ingest.uploads import MAX_BYTES, save_upload
from askbj.lookup import lookup
from askbj.records import AskResult, SearchResult
from askbj.retrieve.searcher import MAX_QUESTION, prepare_query

__all__ = ["MAX_QUESTION", "MAX_UPLOAD", "MODES", "SCRIPTS", "Engine", "Reply", "Settings",
           "Turn", "UserError", "resolve_question"]
MAX_UPLOAD = MAX_BYTES


UserError = AskbjError  # a message meant for the caller (bad input, unknown id, no index)


@dataclass(frozen=True)
class Turn:
    """One chat message, reduced to what the engine reads: who said it, and its text."""

    role: str
    content: str


@dataclass(frozen=True)
class Reply:
    """A chat answer: text with ``[n]`` markers and the citations as CLI records."""

    text: str
    citations: tuple[dict[str, Any], ...]
    abstained: bool
    notice: str
    resolved_question: str = ""


def resolve_question(turns: Sequence[Turn]) -> str:
    """The question a conversation asks: its last user message (as typed; a follow-up is
    made standalone from the earlier exchanges when it is answered)."""
    return next((t.content for t in reversed(turns) if t.role == "user"), "")


def exchanges(turns: Sequence[Turn]) -> tuple[Exchange, ...]:
    """The conversation before its last user message, as earlier exchanges: each user
    message with the assistant reply that follows it (askbj's cited answer, whose
    sentences "the second one" can point at); system messages play no part."""
    last = max((i for i, t in enumerate(turns) if t.role == "user"), default=0)
    out: list[Exchange] = []
    asked: str | None = None
    for t in turns[:last]:
        if t.role == "user":
            if asked is not None:
                out.append(Exchange.of(asked))
            asked = t.content
        elif t.role == "assistant" and asked is not None:
            out.append(Exchange.of(asked, t.content))
            asked = None
    if asked is not None:
        out.append(Exchange.of(asked))
    return tuple(out)


class Engine:
    """Model + index + answerer for one process; safe to call from many threads."""

    def __init__(self, settings: Settings, embedder: Any = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._answerer: Any = None
        self._ingest = threading.Lock()

    def load(self) -> None:
        """Load the model and index (blocking, ~1.5 s for the real model)."""
        self._embedder = self._embedder or engine.make_embedder(self.settings)
        self._answerer = engine.open_answerer(self.settings, self._embedder)

    @property
    def ready(self) -> bool:
        answerer = self._answerer
        return answerer is not None and len(answerer.searcher.index.chunks) > 0

    def counts(self) -> dict[str, int]:
        index = self._index
        return {"documents": len(index.documents), "chunks": len(index.chunks)}

    def scrub(self, message: str) -> str:
        """A user-facing message without this machine's folder paths."""
        for folder, shown in ((self.settings.ingest_dir, "ingest"),
                              (self.settings.index_dir, "index")):
            for form in {str(folder.resolve()), str(folder)}:
                message = message.replace(form, shown)
        return message

    def stale(self) -> str:
        """The note that the index lags ``ingest/`` ("" when it does not), as the CLI's."""
        return self.scrub(engine.freshness(self.settings, self._index).notice())

    @property
    def _index(self) -> Any:
        if self._answerer is None:
            raise UserError("The index is not loaded yet.")
        return self._answerer.searcher.index

    def search(self, question: str, k: int, mode: str) -> dict[str, Any]:
        query = prepare_query(question)
        hits = self._answerer.searcher.search(query.text, k=k, mode=mode)
        return SearchResult(question, mode, tuple(hits), query.notice, self.stale()).to_dict()

    def ask(self, question: str, k: int, mode: str, script: str) -> dict[str, Any]:
        answer = self._answerer.ask(question, k=k, mode=mode, script=script)
        return AskResult(question, answer, self.stale()).to_dict()

    def chat(self, turns: Sequence[Turn], mode: str, script: str = "auto") -> Reply:
        answer = self._answerer.ask(resolve_question(turns), mode=mode, script=script,
                                    history=exchanges(turns))
        return Reply(answer.text, tuple(c.to_dict() for c in answer.citations),
                     answer.abstained, answer.notice, answer.resolved_question)

    def cite(self, ref: str, context: int, limit: int) -> tuple[dict[str, Any], int]:
        """The CLI's cite record with at most ``limit`` places, and how many there are."""
        places = lookup(self._index, ref, context=context)
        shown = [asdict(p) for p in places[:limit]]
        return {"ref": ref, "total": len(places), "places": shown}, len(places)

    def documents(self) -> dict[str, Any]:
        return {"documents": [_document(d) for d in self._index.documents]}

    def document(self, doc_id: str) -> dict[str, Any] | None:
        try:
            doc = self._index.document(doc_id)
        except KeyError:
            return None
        return {**_document(doc), "text": doc.text}

    def upload(self, name: str, data: bytes, overwrite: bool) -> dict[str, Any]:
        """Store an upload in ``ingest/``, ingest incrementally, then answer from the new
        index; one upload at a time (a second one waits)."""
        with self._ingest:
            saved = save_upload(self.settings.ingest_dir, name, data, overwrite=overwrite)
            report = engine.build(self.settings, embedder=self._embedder)
            self._answerer = engine.open_answerer(self.settings, self._embedder)
        ingest = {k: list(v) if isinstance(v, tuple) else v for k, v in vars(report).items()}
        return {"saved": saved.name, "ingest": ingest}


def _document(doc: Any) -> dict[str, Any]:
    return {"doc_id": doc.doc_id, "title": doc.title, "authors": list(doc.authors),
            "venue": doc.venue, "date": doc.date, "lang": doc.lang,
            "file": Path(doc.path).name, "chars": len(doc.text)}


def settings_with(base: Settings | None = None, embed_url: str | None = None,
                  embed_model: str | None = None, **changes: Any) -> Settings:
    """Settings for the server (defaults from the environment, as the CLI's); ``embed_url``
    and ``embed_model`` override the embeddings service's (None keeps the environment's)."""
    return replace(base or Settings.from_env(), **changes).with_service(embed_url, embed_model)


def preflight(settings: Settings) -> None:
    """Fail before binding a port when there is no usable index (cheap: no model)."""
    engine.open_index(settings)
