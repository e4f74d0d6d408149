"""Chosen sentences into answer text: which of the scored sentences to keep, in what order,
and how each quote reads in the answer (one line, the reader's script, no source footnotes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from askbj.records import Chunk
from askbj.text.normalize import squash, to_simplified, to_traditional

_KEEP = 0.6  # a sentence joins the answer when it scores at least this share of the best
_MAX_PASSAGES = 3
_FOOTNOTE = re.compile(r"(?:\[\d{1,3}\])+|(?<=[。；;!?！？”])[①-⑳]")


@dataclass(frozen=True)
class Pick:
    """A sentence chosen for the answer, in document coordinates, with the chunk it cites."""

    chunk: Chunk
    start: int
    end: int
    score: float
    alternates: tuple[str, ...] = ()


def select(scored: list[Pick], limit: int) -> list[Pick]:
    """The best sentences within ``_KEEP`` of the top score, from at most a few passages."""
    top = scored[0].score
    chosen: list[Pick] = []
    passages: set[str] = set()
    said: set[str] = set()
    for p in scored:
        if len(chosen) >= limit or p.score < _KEEP * top:
            break
        if p.chunk.chunk_id not in passages and len(passages) >= _MAX_PASSAGES:
            continue
        if any(p.chunk.doc_id == c.chunk.doc_id and p.start < c.end and c.start < p.end
               for c in chosen):
            continue  # the same sentence through an overlapping chunk
        words = _words(p)
        if words and words in said:
            continue  # the same sentence in another copy (a translation, a repeated line)
        said.add(words)
        passages.add(p.chunk.chunk_id)
        chosen.append(p)
    return chosen


def _words(p: Pick) -> str:
    """What a sentence says, for telling repeats apart: folded, footnote marks and
    punctuation dropped."""
    if not p.chunk.start <= p.start < p.end <= p.chunk.end:
        return ""  # reaches outside its passage: not judged
    quote = p.chunk.text[p.start - p.chunk.start : p.end - p.chunk.start]
    return re.sub(r"[^\w]", "", squash(_FOOTNOTE.sub("", quote)))


def readable_order(picks: list[Pick]) -> list[Pick]:
    """Passages in order of their best sentence; sentences in document order within each."""
    first: dict[str, int] = {}
    for i, p in enumerate(picks):
        first.setdefault(p.chunk.chunk_id, i)
    return sorted(picks, key=lambda p: (first[p.chunk.chunk_id], p.start))


def render(quote: str, script: str) -> str:
    """The quote as answer text: one line, in the reader's script, footnote marks dropped
    (a ``[13]`` of the source next to our ``[1]`` would read as a citation), ended with 。
    when it is a heading, so that listed headings do not run together."""
    text = _FOOTNOTE.sub("", re.sub(r"\s*\n\s*", " ", quote)).strip()
    if re.search(r"[\u3400-\u9fff]$", text):  # a heading or table line: end it as a sentence
        text += "。"
    return to_traditional(text) if script == "traditional" else to_simplified(text)
