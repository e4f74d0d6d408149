"""Where sentences end in Chinese and English prose.

Chinese prose ends sentences with 。！？；, often followed by a closing quote or a footnote
marker ``[3]`` that belongs to the sentence before it; a sentence never crosses a line.
"""

from __future__ import annotations

import re
from itertools import pairwise

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
