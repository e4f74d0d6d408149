"""`askbj cite`: find where a reference points in the documents and show it in context.

A reader checking a citation may hold a chunk id, a ``doc_id:start-end`` span, or just the
sentence they were shown — in simplified or traditional script, with full-width or
half-width digits, with or without the spaces a PDF left inside it. So quotes are matched
in folded, whitespace-free form, folded *character by character* with a map back to the
original offsets: whole-text folding may change lengths (NFKC, pinyin glosses), and a place
must always be exact document offsets whose text the reader can compare with the quote.
Only the index's own documents are read, by id; nothing on disk outside the index.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from askbj.errors import AskbjError
from askbj.records import Chunk, Document
from askbj.text.quotes import find_quote, folded_map
from askbj.text.sentences import sentence_spans

if TYPE_CHECKING:
    from askbj.index.store import Index
    from askbj.retrieve.searcher import Searcher

_SPAN = re.compile(r"^(?P<doc>[^\s:]+):(?P<rest>\S*)$")
_RANGE = re.compile(r"^(?P<start>\d{1,15})-(?P<end>\d{1,15})$")  # int() refuses > 4300 digits


@dataclass(frozen=True)
class CitationPlace:
    """One place a reference points to: exact offsets, its metadata, and its surroundings.

    ``passage`` is the cited text with up to ``context`` sentences either side; the cited
    part is ``passage[mark_start:mark_end]`` and equals ``quote``, which equals
    ``document.text[start:end]``.
    """

    doc_id: str
    title: str
    authors: tuple[str, ...]
    venue: str
    date: str
    section: tuple[str, ...]
    chunk_id: str
    start: int
    end: int
    quote: str
    passage: str
    passage_start: int
    mark_start: int
    mark_end: int


def lookup(index: Index, ref: str, context: int = 1,
           searcher: Searcher | None = None) -> list[CitationPlace]:
    """Every place ``ref`` (chunk id, ``doc:start-end`` span, or quote) points to."""
    ref = re.sub("[\ud800-\udfff]", "\ufffd", ref or "").strip()  # bytes from argv
    if not ref:
        raise AskbjError("The reference is empty: give a chunk id, a span such as "
                         "002:120-180, or a quoted sentence.")
    if context < 0:
        raise AskbjError(f"--context must be 0 or more, got {context}.")
    from askbj.index.store import DocumentsById

    docs = DocumentsById(index)
    chunk = index.chunk(ref)
    if chunk is not None:
        return [place(docs[chunk.doc_id], index.chunks_of(chunk.doc_id), chunk.start, chunk.end,
                      context)]
    span = _parse_span(ref, docs)
    if span is not None:
        doc_id, start, end = span
        return [place(docs[doc_id], index.chunks_of(doc_id), start, end, context)]
    if re.fullmatch(r"[0-9a-f]{16}(-\d+)?", ref):
        raise AskbjError(f"Unknown chunk id {ref!r}: no passage of the index has it "
                         "(was the index rebuilt since it was cited?).")
    found = [place(d, index.chunks_of(d.doc_id), s, e, context) for d in index.documents
             for s, e in find_quote(d.text, ref)]
    if not found:
        raise AskbjError(_not_found(ref, index, searcher))
    return found


def _parse_span(ref: str, docs: Mapping[str, Document]) -> tuple[str, int, int] | None:
    """``(doc_id, start, end)`` for a span ref; None when ``ref`` is not shaped like one."""
    m = _SPAN.match(ref)
    if m is None or (m.group("doc") not in docs and not re.fullmatch(r"[\d-]+", m["rest"])):
        return None
    doc_id, rest = m.group("doc"), m.group("rest")
    if doc_id not in docs:
        raise AskbjError(f"Unknown document id {doc_id!r} in {ref!r}: the index has "
                         f"{', '.join(sorted(docs))}.")
    r = _RANGE.match(rest)
    if r is None:
        raise AskbjError(f"Malformed span {ref!r}: write DOC:START-END, e.g. {doc_id}:120-180.")
    start, end = int(r.group("start")), int(r.group("end"))
    if end <= start:
        raise AskbjError(f"Malformed span {ref!r}: the end ({end}) must come after the "
                         f"start ({start}).")
    size = len(docs[doc_id].text)
    if end > size:
        raise AskbjError(f"Span {ref!r} runs past the end of document {doc_id}, which is "
                         f"{size} characters long.")
    return doc_id, start, end


def place(doc: Document, chunks: Sequence[Chunk], start: int, end: int,
          context: int) -> CitationPlace:
    """The place ``doc.text[start:end]`` with its section, chunk and ``context`` sentences."""
    inside = [c for c in chunks if c.doc_id == doc.doc_id and c.start <= start < c.end]
    chunk = next((c for c in inside if end <= c.end), inside[0] if inside else None)
    spans = _sentences(doc.text)
    first = next((i for i, (_, e) in enumerate(spans) if e > start), len(spans))
    last = max((i for i, (s, _) in enumerate(spans) if s < end), default=first)
    a = min(start, spans[max(0, first - context)][0]) if first < len(spans) else start
    b = max(end, spans[min(len(spans) - 1, last + context)][1]) if spans else end
    return CitationPlace(
        doc.doc_id, doc.title, doc.authors, doc.venue, doc.date,
        chunk.section if chunk else (), chunk.chunk_id if chunk else "",
        start, end, doc.text[start:end], doc.text[a:b], a, start - a, end - a,
    )


@lru_cache(maxsize=16)
def _sentences(text: str) -> list[tuple[int, int]]:
    return sentence_spans(text)


def _not_found(ref: str, index: Index, searcher: Searcher | None) -> str:
    """The error for an unfound quote, naming the passages closest to it."""
    if searcher is not None:
        nearest = [h.chunk for h in searcher.search(ref, k=3)]
    else:
        grams = _bigrams(ref)
        scored = sorted(index.chunks, key=lambda c: -len(grams & _bigrams(c.text)))
        nearest = [c for c in scored[:3] if grams & _bigrams(c.text)]
    lines = [f"The quote {ref!r} is not in any document of the index."]
    if nearest:
        lines.append("Nearest passages:")
        lines += [f"  {c.chunk_id} ({c.doc_id}:{c.start}-{c.end}) "
                  f"{c.text[:60].replace(chr(10), ' ')}…" for c in nearest]
    return "\n".join(lines)


def _bigrams(text: str) -> set[str]:
    folded, _ = folded_map(text)
    return {folded[i : i + 2] for i in range(len(folded) - 1)}
