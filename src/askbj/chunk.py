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
from itertools import pairwise

from askbj.normalize import fold
from askbj.records import Chunk, Document, content_id

_CLOSERS = "”’」』）)】》\"'"
_ENDS = "。！？!?；;"
# Zero-width sentence boundary: after a terminal mark, its closing quote or footnote marker,
# unless yet another closer or marker follows.
SENTENCE_BOUNDARY = (
    rf"(?:(?<=[{_ENDS}])|(?<=[{_ENDS}][{_CLOSERS}])|(?<=[{_ENDS}]\[\d\])|(?<=[{_ENDS}]\[\d\d\])"
    rf"|(?<=[{_ENDS}][①-⑳])|(?<=[{_ENDS}][{_CLOSERS}]\[\d\])|(?<=\.)(?=[ \t]))"
    rf"(?![{_CLOSERS}{_ENDS}①-⑳\[])"
)
_BOUNDARY_RE = re.compile(SENTENCE_BOUNDARY)
_NUMBERED = [
    (1, re.compile(r"^(第[一二三四五六七八九十百]+[章节部分篇]|[一二三四五六七八九十]+[、\s])")),
    (2, re.compile(r"^[(（][一二三四五六七八九十]+[)）]")),
    (3, re.compile(r"^\d+(\.\d+)*[、.．]\s*\S")),
]
_SENTENCE_PUNCT = re.compile(r"[。，,；;：:！？!?、]")
_NOT_HEADING = re.compile(r"^\W*[图表圖]\s*\d|^\||【")
MAX_HEADING = 40
_WORD = re.compile(r"[0-9a-z\u3400-\u9fff]")
_CAPTION = re.compile(r"^\W*[图表圖]\s*\d")
# A footnote, source note, bibliography entry or author note: "① 某协会:《报告》, 2024年2月。",
# "[3] 作者.题目", "* 基金项目…", "资料来源:北京市统计局。", "【本文作者为…".
# Mis-decoded bytes: "突破?;谂e足輕重" (GBK read as something else), U+FFFD.
_DAMAGED = re.compile(r"[\u4e00-\u9fff]\?[;；]|[\u4e00-\u9fff][a-z][\u4e00-\u9fff]|\ufffd")
_REFERENCE = re.compile(
    r"^(?:[①-⑳]|\[\d{1,3}\]|\*+)\s|^(?:资料|数据)?来源\s*[:：]|^\d{1,2}\s*(?:资料|数据)?来源于|^注\s*[:：]"
    r"|^\W?本文(?:作者|系)"
    r"|《[^》]{2,60}》[^。]{0,20}\d{4}\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?\W*$"
)


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the sentences (and lines) of ``text[start:end]``, whitespace trimmed."""
    end = len(text) if end is None else end
    cuts = [start]
    for line in re.finditer(r"[^\n]+", text[start:end]):
        a, b = start + line.start(), start + line.end()
        cuts += [m.start() for m in _BOUNDARY_RE.finditer(text, a, b) if a < m.start() < b]
        cuts.append(b)
    spans = []
    cuts = sorted(set(cuts))
    for a, b in pairwise(cuts):
        piece = text[a:b]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        if b - trail > a + lead:
            spans.append((a + lead, b - trail))
    return spans


def heading_level(line: str) -> int:
    """0 when ``line`` is body text, else its heading level (1 = chapter)."""
    line = line.strip()
    if not line or len(line) > MAX_HEADING or _NOT_HEADING.search(line):
        return 0
    for level, pattern in _NUMBERED:
        if pattern.match(line) and not line.endswith(("，", ",", "；", ";")):
            body = line.rstrip("。.")
            if not _SENTENCE_PUNCT.search(body[6:]) or len(body) <= 25:
                return level
    if len(line) <= 30 and not _SENTENCE_PUNCT.search(line) and re.search(r"[\u4e00-\u9fff]", line):
        return 1
    return 0


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


def too_thin(sentence: str) -> bool:
    """Headings, captions, fragments and mojibake read badly as answers (list items come
    separately; a damaged sentence of one copy of an article is usually clean in the other)."""
    words = len(_WORD.findall(fold(sentence)))
    heading = heading_level(sentence) > 0 and words < 30
    return words < 8 or heading or bool(
        _CAPTION.match(sentence) or _REFERENCE.search(sentence) or _DAMAGED.search(sentence))
