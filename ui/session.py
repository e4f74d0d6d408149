"""What the Streamlit app needs beyond layout: configuration, cached loading, index status.

This module is the pages' entry point: besides its own pieces it re-exports the pure helpers
of ``askbj.ui_html`` (safe rendering of corpus and user text) and ``askbj.ui_eval`` (the
evaluation tables). The Streamlit rendering pieces live in ``askbj.ui_widgets``, which reads
the hooks below from this module at call time.

Configuration: ``ASKBJ_HOME`` is the folder holding ``ingest/``, ``index/`` and ``eval/``
(default: the working directory); ``ASKBJ_MODEL`` selects the embedding model (default: the
bundled one); ``ASKBJ_LLM_BASE_URL`` and ``ASKBJ_LLM_MODEL`` (see ``askbj.llm.client``) turn on
generated answers. Tests swap ``SETTINGS_FACTORY`` / ``EMBEDDER_FACTORY`` to use a tiny index.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import streamlit as st

from askbj import config, engine
from askbj.answer.followup import Turn
from askbj.config import EVAL_MODES, MODES, Settings
from askbj.domain import load_domain
from askbj.errors import AskbjError, IndexDamaged, IndexMissing, describe_os_error
from askbj.index import store as index_store
from askbj.index.store import Index
from askbj.llm.client import LLMConfig
from askbj.records import Answer, Document
from ui.evaluation import (
    METRICS,
    STATUS_STYLES,
    hit_curve,
    metrics_side_by_side,
    question_rows,
    read_question_file,
    read_uploaded_questions,
    relevant_flags,
    run_modes,
    status_style,
)
from ui.html import (
    PassageView,
    Source,
    alternate_titles,
    answer_html,
    doc_label,
    document_meta,
    html_block,
    literal,
    md_literal,
    meta_html,
    passage_html,
    passage_view,
    place_meta,
    place_view,
    shorten,
    source_item_html,
    sources_of,
    sources_of_hits,
    sources_of_records,
    stream_literal,
    table_html,
)

if TYPE_CHECKING:
    from askbj.llm.generator import Generator

__all__ = [  # own names, and the helpers of ui_html and ui_eval the pages use
    "EMBEDDER_FACTORY",
    "EVAL_MODES",
    "LLM_OFF",
    "METRICS",
    "MODES",
    "SCRIPT_CHOICES",
    "SETTINGS_FACTORY",
    "STATUS_STYLES",
    "AskOptions",
    "Engine",
    "Index",
    "IndexStatus",
    "LLMConfig",
    "PassageView",
    "Source",
    "alternate_titles",
    "answer_html",
    "default_questions",
    "display_path",
    "doc_label",
    "document_meta",
    "document_sections",
    "documents_rows",
    "examples",
    "factory_key",
    "get_embedder",
    "get_engine",
    "hit_curve",
    "home",
    "html_block",
    "index_status",
    "literal",
    "llm_config",
    "llm_label",
    "md_literal",
    "meta_html",
    "metrics_side_by_side",
    "passage_html",
    "passage_view",
    "place_meta",
    "place_view",
    "question_rows",
    "read_question_file",
    "read_uploaded_questions",
    "relevant_flags",
    "run_modes",
    "searched_caption",
    "settings_from_env",
    "shorten",
    "source_item_html",
    "sources_of",
    "sources_of_hits",
    "sources_of_records",
    "status_style",
    "stream_literal",
    "table_html",
    "turns_of",
]

SCRIPT_CHOICES = {"auto": "Follow the question", "simplified": "简体 Simplified",
                  "traditional": "繁體 Traditional"}


# --- configuration and loading --------------------------------------------------------------

def settings_from_env() -> Settings:
    """Settings from ``ASKBJ_HOME`` (ingest/, index/), ``ASKBJ_MODEL``, ``ASKBJ_DOMAIN`` and
    ``ASKBJ_EMBED_*`` (an embeddings service)."""
    return Settings.from_env()


def subject() -> str:
    """What the documents are about, as the configured domain names it."""
    return load_domain(SETTINGS_FACTORY().domain).subject


def examples() -> tuple[str, ...]:
    """The example questions of the configured domain."""
    return load_domain(SETTINGS_FACTORY().domain).example_questions


def llm_config() -> LLMConfig:
    """The model endpoint from ``ASKBJ_LLM_*``, read on every run so a changed environment
    (or a test's) is seen without restarting the server."""
    return LLMConfig.from_env()


LLM_OFF = "off — extractive answers (set ASKBJ_LLM_BASE_URL and ASKBJ_LLM_MODEL)"


def llm_label(config: LLMConfig) -> str:
    """Which model answers, for the sidebar; user:password in the URL is never shown."""
    if not config.enabled:
        return LLM_OFF
    parts = urlsplit(config.base_url)
    host = parts.netloc.rpartition("@")[2]
    return f"{config.model} at {urlunsplit(parts._replace(netloc=host))}"


SETTINGS_FACTORY: Callable[[], Settings] = settings_from_env
EMBEDDER_FACTORY: Callable[[Settings], Any] = engine.make_embedder


def factory_key() -> str:
    """Names the embedder factory in use, so a swapped factory gets its own cache entry."""
    f = EMBEDDER_FACTORY
    return f"{getattr(f, '__module__', '')}.{getattr(f, '__qualname__', repr(f))}"


def home() -> Path:
    return config.home()


def default_questions() -> Path:
    return home() / "eval" / "questions.jsonl"


def question_sets() -> list[Path]:
    """The committed question sets (``eval/*.jsonl``), the fixed dev set first."""
    found = sorted((home() / "eval").glob("*.jsonl"))
    return sorted(found, key=lambda p: p != default_questions())


def display_path(path: Path) -> str:
    """``path`` relative to ``ASKBJ_HOME`` when inside it (shorter to read)."""
    try:
        return str(Path(path).relative_to(home()))
    except ValueError:
        return str(path)


@dataclass
class Engine:
    """A loaded index with its searcher and answerer; one per process, shared by sessions."""

    settings: Settings
    searcher: Any
    answerer: Any

    @property
    def index(self) -> Index:
        return self.searcher.index  # type: ignore[no-any-return]

    def ask(self, question: str, options: AskOptions, history: Sequence[Turn] = ()) -> Answer:
        """Answer ``question`` after the conversation's earlier ``history`` (see ``turns_of``)."""
        return self.answerer.ask(  # type: ignore[no-any-return]
            question, k=options.k, mode=options.mode,
            doc_ids=set(options.doc_ids) if options.doc_ids else None, script=options.script,
            history=history)

    def generator(self, config: LLMConfig) -> Generator:
        """Generated answers over this engine's answerer: cheap to make per question, and
        unlike ``engine.open_generator`` it does not load the index a second time."""
        from askbj.llm.generator import Generator

        return Generator(config, self.answerer)


@dataclass(frozen=True)
class ChatTurn:
    """One message of the chat: the user's question, or askbj's answer (or an error line)."""

    role: str  # "user" or "assistant"
    text: str = ""  # the user's question
    answer: Answer | None = None
    caption: str = ""  # under an answer: what was searched, the options used
    error: str = ""

    @classmethod
    def asked(cls, question: str) -> ChatTurn:
        return cls("user", text=question)

    @classmethod
    def answered(cls, answer: Answer, caption: str = "") -> ChatTurn:
        return cls("assistant", answer=answer, caption=caption)

    @classmethod
    def failed(cls, error: str) -> ChatTurn:
        return cls("assistant", error=error)


def turns_of(history: Sequence[ChatTurn]) -> tuple[Turn, ...]:
    """The chat's earlier turns for follow-ups: each assistant answer with its question
    (an error turn has no answer, so it is left out)."""
    return tuple(Turn.from_answer(t.answer) for t in history
                 if t.role == "assistant" and t.answer is not None)


def searched_caption(answer: Answer) -> str:
    """"Searched: …" when a follow-up was rewritten, so the user can see and correct it."""
    resolved = answer.resolved_question
    return f"Searched: {resolved}" if resolved and resolved != answer.question else ""


@dataclass(frozen=True)
class AskOptions:
    mode: str = "hybrid"
    k: int = 8
    doc_ids: tuple[str, ...] = ()
    script: str = "auto"
    llm: str = ""  # the model that writes the answer; "" for the extractive one

    def describe(self, index: Index, answer: Answer | None = None) -> str:
        """The settings behind ``answer``; the model is named only if it wrote the answer."""
        from askbj.llm.generator import fell_back

        scope = (f"{len(self.doc_ids)} of {len(index.documents)} documents" if self.doc_ids
                 else "all documents")
        wrote = bool(self.llm and answer and not answer.abstained and not fell_back(answer))
        written = f" · written by {self.llm}, checked against the sources" if wrote else ""
        return f"{self.mode} · top {self.k} passages · {scope} · script: {self.script}{written}"


@st.cache_resource(show_spinner=False, max_entries=4)
def get_embedder(settings: Settings, factory: str) -> Any:
    """The embedding model, loaded once per process (``factory`` only keys the cache)."""
    return EMBEDDER_FACTORY(settings)


@st.cache_resource(show_spinner=False, max_entries=4)
def get_engine(settings: Settings, factory: str) -> Engine:
    """Searcher and answerer over the saved index, loaded once per process."""
    answerer = engine.open_answerer(settings, get_embedder(settings, factory))
    return Engine(settings, answerer.searcher, answerer)


@dataclass(frozen=True)
class IndexStatus:
    """What the sidebar shows about the index on disk (read without loading it)."""

    exists: bool
    model: str = ""
    documents: int = 0
    chunks: int = 0
    built_at: str = ""
    corpus_matches: bool | None = None
    problem: str = ""


def index_status(settings: Settings) -> IndexStatus:
    from askbj.ingest.sources import file_hashes

    try:
        m = index_store.read_manifest(settings.index_dir)
    except IndexMissing as exc:
        return IndexStatus(False, problem=str(exc))
    except IndexDamaged as exc:
        return IndexStatus(True, problem=str(exc))
    except OSError as exc:
        return IndexStatus(True, problem=describe_os_error(exc, shown=display_path))
    try:
        matches: bool | None = file_hashes(settings.ingest_dir) == m.corpus
    except (AskbjError, OSError):
        matches = None
    return IndexStatus(True, m.model, m.counts.get("documents", len(m.corpus)),
                       m.counts.get("chunks", 0), m.built_at, matches)


# --- documents page -------------------------------------------------------------------------

def documents_rows(index: Index) -> list[dict[str, object]]:
    rows = index.rows
    per_doc = np.bincount(rows.doc, minlength=len(rows.heads))
    counts = {h.doc_id: int(n) for h, n in zip(rows.heads, per_doc, strict=True)}
    return [{"id": d.doc_id, "title": d.title, "authors": "、".join(d.authors),
             "venue": d.venue, "date": d.date, "language": d.lang,
             "chunks": counts.get(d.doc_id, 0), "characters": len(d.text)}
            for d in index.documents]


def document_sections(doc: Document) -> list[tuple[str, int, int]]:
    """(label, start, end) for each heading-delimited section of the document, in order."""
    from askbj.ingest.chunk import sections

    out = []
    for s in sections(doc.text):
        label = " › ".join(s.path) if s.path else "(opening)"
        out.append((label, s.start, s.end))
    return out

