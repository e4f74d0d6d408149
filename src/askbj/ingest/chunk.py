"""Cutting documents into sentence-aligned, heading-aware passages.

Chinese prose ends sentences with 。！？；, often followed by a closing quote or a footnote
marker ``[3]`` that belongs to the sentence before it. Passages never end inside a sentence,
and each records its heading path so that the heading's words are searchable with it.
langchain's recursive splitter does the packing; we only give it Chinese-aware separators
and map its pieces back to exact spans of the canonical text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from askbj.records import Chunk, Document, content_id
from askbj.text.headings import MAX_HEADING, heading_level
from askbj.text.sentences import SENTENCE_BOUNDARY


@dataclass(frozen=True)
class Section:
    start: int
    end: int
    path: tuple[str, ...]


def sections(text: str, min_chars: int = 40) -> list[Section]:
    """Heading-delimited spans; each starts at its heading line. Tiny ones join the next."""
    found: list[Section] = []
    stack: list[tuple[int, str]] = []
    lines = list(re.finditer(r"[^\n]+", text))
    for i, m in enumerate(lines):
        level = heading_level(m.group())
        nxt = lines[i + 1].group() if i + 1 < len(lines) else ""
        if (level and (level < 3 or len(nxt) > len(m.group())) and heading_level(nxt) != 1) or (
            level and i + 1 < len(lines) and len(nxt) > MAX_HEADING
        ):
            stack = [(lv, h) for lv, h in stack if lv < level] + [(level, m.group().strip())]
            found.append(Section(m.start(), 0, tuple(h for _, h in stack)))
    if not found or found[0].start > 0:
        found.insert(0, Section(0, 0, ()))
    bounded = [
        Section(s.start, nxt.start if nxt else len(text), s.path)
        for s, nxt in zip(found, [*found[1:], None], strict=True)
    ]
    merged: list[Section] = []
    for s in bounded:
        if merged and len(text[merged[-1].start : merged[-1].end].strip()) < min_chars:
            merged[-1] = Section(merged[-1].start, s.end, s.path)
        else:
            merged.append(s)
    return merged


class Chunker:
    """Sentence-aligned passages of about ``size`` characters, ``overlap`` shared between them."""

    def __init__(self, size: int = 300, overlap: int = 60, min_chars: int = 80) -> None:
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.size, self.overlap, self.min_chars = size, overlap, min_chars
        self._splitter = RecursiveCharacterTextSplitter(
            separators=["\n\n", "\n", SENTENCE_BOUNDARY],
            is_separator_regex=True,
            keep_separator="end",
            strip_whitespace=False,
            chunk_size=size,
            chunk_overlap=overlap,
        )

    @property
    def params(self) -> dict[str, object]:
        return {"splitter": "recursive-zh-sentence", "size": self.size, "overlap": self.overlap,
                "min_chars": self.min_chars}

    def split(self, doc: Document) -> list[Chunk]:
        chunks: list[Chunk] = []
        seen: dict[str, int] = {}
        for start, end, path in self._spans(doc.text):
            text = doc.text[start:end]
            base = content_id(doc.doc_id, text)
            seen[base] = seen.get(base, 0) + 1
            cid = base if seen[base] == 1 else f"{base}-{seen[base]}"
            chunks.append(Chunk(cid, doc.doc_id, start, end, text, path))
        return chunks

    def _spans(self, text: str) -> Iterator[tuple[int, int, tuple[str, ...]]]:
        for sec in sections(text):
            for a, b in _absorb_short(list(self._pieces(text, sec)), self.min_chars):
                yield a, b, sec.path

    def _pieces(self, text: str, sec: Section) -> list[tuple[int, int]]:
        body = text[sec.start : sec.end]
        raw: list[tuple[int, int]] = []
        for piece in self._splitter.split_text(body):
            # Each piece ends past the previous one; searching only where that holds keeps a
            # repeated run ("0000…") from matching inside the previous piece and losing text.
            last_a, last_b = raw[-1] if raw else (-1, 0)
            at = body.find(piece, max(last_a + 1, last_b - len(piece) + 1))
            if at < 0:  # never expected: pieces are exact substrings of body, in order
                raise RuntimeError("chunk not found in its section")
            # Periodic text can still place a piece a little early; never leave a gap.
            a = last_b if body[last_b:at].strip() else at
            raw.append((a, at + len(piece)))
        if raw and body[raw[-1][1] :].strip():
            raw[-1] = (raw[-1][0], len(body))
        return [
            (sec.start + a + len(body[a:b]) - len(body[a:b].lstrip()),
             sec.start + a + len(body[a:b].rstrip()))
            for a, b in raw
            if body[a:b].strip()
        ]


def _absorb_short(spans: list[tuple[int, int]], min_chars: int) -> list[tuple[int, int]]:
    """Join a too-short piece (a lone heading, a caption) to its neighbour in the section."""
    out: list[tuple[int, int]] = []
    carry: int | None = None
    for a, b in spans:
        a = min(a, carry) if carry is not None else a
        carry = None
        if b - a < min_chars:
            carry = a
            continue
        out.append((a, b))
    if carry is not None:
        if out:
            out[-1] = (out[-1][0], max(out[-1][1], spans[-1][1]))
        else:
            out.append((carry, spans[-1][1]))
    return out
