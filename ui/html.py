"""Corpus and user text as inert HTML/Markdown, and the passages of an answer as HTML.

Every string from the corpus or from a user reaches the browser through ``html_block`` or
``md_literal``, which escape HTML *and* Markdown, so a document or a question can never
inject markup: ``<script>`` and ``**bold**`` are shown as typed. Plain functions, tested
without a browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from askbj.index.store import Index
from askbj.records import Answer, Chunk, Document, Hit

# --- escaping -------------------------------------------------------------------------------

# Everything HTML or (Streamlit's) Markdown could read as syntax becomes a numeric character
# reference: the parser then sees a literal character and never markup.
_MARKUP = "\\`*_{}[]()<>#+-.!|~$:&\"'=^@"
_ENTITIES = {ord(c): f"&#{ord(c)};" for c in _MARKUP}


def literal(text: str) -> str:
    """``text`` as inert inline HTML/Markdown: shows exactly these characters, on one line."""
    escaped = text.replace("\r\n", "\n").translate(_ENTITIES)
    return escaped.replace("\n", "<br>")


def md_literal(text: str) -> str:
    """``text`` for Markdown-only places (alerts, labels): no HTML, hard line breaks."""
    lines = (line.strip().translate(_ENTITIES) for line in text.replace("\r\n", "\n").split("\n"))
    return "  \n".join(lines)


def stream_literal(tokens: Iterable[str]) -> Iterator[str]:
    """Model tokens as inert Markdown for ``st.write_stream``: escaping is per character, so
    the escaped tokens join to the escaped text; a model copying ``<script>`` from a passage
    shows it as typed."""
    for token in tokens:
        yield token.replace("\r", "").translate(_ENTITIES).replace("\n", "  \n")


def html_block(inner_html: str, css_class: str) -> str:
    """One line starting with ``<div>``: a single HTML block, so Markdown never parses it."""
    return f'<div class="{css_class}">{inner_html.replace(chr(10), "")}</div>'


STATUS_LABELS = {"answered": "", "partial": "Partial answer: the documents cover the topic, "
                 "not the detail asked", "not_found": "Not found in the documents"}


def status_label(answer: Answer) -> str:
    """A short line saying what kind of answer this is ("" for a full answer)."""
    return STATUS_LABELS.get(getattr(answer, "status", ""), "")


def answer_html(answer: Answer) -> str:
    """The answer text, escaped, with its own ``[n]`` citation markers styled; a partial
    answer is set apart (class ``askbj-partial``) and labelled."""
    numbers = {c.n for c in answer.citations}
    parts = re.split(r"\[(\d+)\]", answer.text)
    out = [literal(parts[0])]
    for number, rest in zip(parts[1::2], parts[2::2], strict=True):
        if int(number) in numbers:
            out.append(f'<span class="askbj-ref">[{number}]</span>')
        else:
            out.append(literal(f"[{number}]"))
        out.append(literal(rest))
    if getattr(answer, "status", "") == "partial":
        label = f'<div class="askbj-status">{literal(status_label(answer))}</div>'
        return html_block(label + "".join(out), "askbj-answer askbj-partial")
    return html_block("".join(out), "askbj-answer")


def shorten(text: str, limit: int = 90) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


# --- sources and passages -------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """One numbered source of an answer: a passage, the sentences cited in it (document
    offsets) and the near-duplicate passages folded into it."""

    n: int
    chunk: Chunk
    document: Document
    spans: tuple[tuple[int, int], ...] = ()
    alternates: tuple[str, ...] = ()

    @property
    def section(self) -> str:
        return " › ".join(self.chunk.section)

    @property
    def snippet(self) -> str:
        d = self.document.text
        return shorten(d[self.spans[0][0] : self.spans[0][1]] if self.spans else self.chunk.text)


class _ChunkMap:
    """Passages by id, looked up in the index when asked for (no map of every passage)."""

    def __init__(self, index: Index) -> None:
        self._index = index

    def get(self, chunk_id: str) -> Chunk | None:
        return self._index.chunk(chunk_id)


def _chunk_map(index: Index) -> _ChunkMap:
    return _ChunkMap(index)


def sources_of(answer: Answer, index: Index) -> list[Source]:
    """The answer's citations grouped by number (one passage may back several sentences)."""
    chunks, grouped = _chunk_map(index), {}
    for c in answer.citations:
        chunk = chunks.get(c.chunk_id)
        if chunk is None:
            continue
        prev = grouped.get(c.n)
        spans = (*(prev.spans if prev else ()), (c.start, c.end))
        grouped[c.n] = Source(c.n, chunk, index.document(c.doc_id), spans, c.alternates)
    return [grouped[n] for n in sorted(grouped)]


def sources_of_hits(hits: Iterable[Hit], index: Index) -> list[Source]:
    """Search hits as uncited sources (for "possibly related" and evaluation rows)."""
    return [Source(h.rank, h.chunk, index.document(h.chunk.doc_id), (), h.alternates)
            for h in hits]


def sources_of_records(records: Iterable[dict[str, Any]], index: Index) -> list[Source]:
    """Hits in the JSON form ``Hit.to_dict`` writes, as sources (unknown ids skipped)."""
    chunks, out = _chunk_map(index), []
    for r in records:
        chunk = chunks.get(str(r["chunk_id"]))
        if chunk is not None:
            out.append(Source(int(r["rank"]), chunk, index.document(chunk.doc_id), (),
                              tuple(r.get("alternates", ()))))
    return out


def alternate_titles(source: Source, index: Index) -> list[str]:
    """Titles of the other documents holding the same passage (e.g. the other script)."""
    chunks, titles = _chunk_map(index), []
    for chunk_id in source.alternates:
        chunk = chunks.get(chunk_id)
        if chunk is not None:
            title = index.document(chunk.doc_id).title
            if title not in titles and chunk.doc_id != source.document.doc_id:
                titles.append(title)
    return titles


def source_item_html(source: Source, also_in: list[str]) -> str:
    """One line of the numbered source list: title · section · snippet · also in."""
    parts = [f'<span class="n">[{source.n}]</span> <b>{literal(source.document.title)}</b>']
    if source.section:
        parts.append(f' <span class="meta">· {literal(source.section)}</span>')
    parts.append(f'<br><span class="snip">“{literal(source.snippet)}”</span>')
    if also_in:
        parts.append(f'<br><span class="alt">also in: {literal("; ".join(also_in))}</span>')
    return html_block("".join(parts), "askbj-src")


@dataclass(frozen=True)
class PassageView:
    """A passage in its document: context before/after and the passage cut into
    (text, highlighted) segments."""

    before: str
    segments: tuple[tuple[str, bool], ...]
    after: str


def passage_view(source: Source, context: int = 240) -> PassageView:
    text, chunk = source.document.text, source.chunk
    lo, hi = max(0, chunk.start - context), min(len(text), chunk.end + context)
    cuts = sorted((max(s, chunk.start), min(e, chunk.end)) for s, e in source.spans
                  if s < chunk.end and e > chunk.start)
    segments: list[tuple[str, bool]] = []
    pos = chunk.start
    for s, e in cuts:
        if s > pos:
            segments.append((text[pos:s], False))
        if e > max(s, pos):
            segments.append((text[max(s, pos) : e], True))
        pos = max(pos, e)
    if pos < chunk.end:
        segments.append((text[pos : chunk.end], False))
    before = ("…" if lo > 0 else "") + text[lo : chunk.start]
    after = text[chunk.end : hi] + ("…" if hi < len(text) else "")
    return PassageView(before, tuple(segments), after)


def _display(text: str) -> str:
    """Escaped for display, runs of blank lines shown as one line break."""
    return literal(re.sub(r"\n[ \t\u3000]*(?:\n[ \t\u3000]*)+", "\n", text))


def passage_html(view: PassageView) -> str:
    body = "".join(f"<mark>{_display(t)}</mark>" if marked else _display(t)
                   for t, marked in view.segments)
    return html_block(f'<span class="ctx">{_display(view.before)}</span>'
                      f'<span class="psg">{body}</span>'
                      f'<span class="ctx">{_display(view.after)}</span>', "askbj-passage")


def document_meta(doc: Document) -> list[tuple[str, str]]:
    rows = [("Title", doc.title), ("Authors", "、".join(doc.authors)), ("Venue", doc.venue),
            ("Date", doc.date), ("Language", doc.lang), ("Document id", doc.doc_id),
            ("File", doc.path)]
    return [(k, v) for k, v in rows if v]


def table_html(rows: Iterable[tuple[str, str]]) -> str:
    """A two-column (label, value) table, every cell escaped."""
    body = "".join(f"<tr><th>{literal(k)}</th><td>{literal(v)}</td></tr>" for k, v in rows)
    return html_block(f"<table>{body}</table>", "askbj-meta")


def meta_html(doc: Document, extra: Iterable[tuple[str, str]] = ()) -> str:
    return table_html([*document_meta(doc), *extra])


def doc_label(doc: Document) -> str:
    return f"{doc.doc_id} · {shorten(doc.title, 36)}" + (f" ({doc.lang})" if doc.lang else "")


def place_view(place: Any) -> PassageView:
    """A ``cite.CitationPlace`` as context / marked quote / context."""
    p = place.passage
    return PassageView(p[: place.mark_start], ((p[place.mark_start : place.mark_end], True),),
                       p[place.mark_end :])


def place_meta(place: Any) -> list[tuple[str, str]]:
    rows = [("Title", place.title), ("Authors", "、".join(place.authors)),
            ("Venue", place.venue), ("Date", place.date),
            ("Section", " › ".join(place.section)),
            ("Span", f"{place.doc_id}:{place.start}-{place.end}"), ("Passage", place.chunk_id)]
    return [(k, v) for k, v in rows if v]

