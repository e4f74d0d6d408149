"""Whether a line is a heading, and of which level: 第一章 / 一、 / (一) / 1.2 numbering, or a
short line with no sentence punctuation."""

from __future__ import annotations

import re

_NUMBERED = [
    (1, re.compile(r"^(第[一二三四五六七八九十百]+[章节部分篇]|[一二三四五六七八九十]+[、\s])")),
    (2, re.compile(r"^[(（][一二三四五六七八九十]+[)）]")),
    (3, re.compile(r"^\d+(\.\d+)*[、.．]\s*\S")),
]
_SENTENCE_PUNCT = re.compile(r"[。，,；;：:！？!?、]")
_NOT_HEADING = re.compile(r"^\W*[图表圖]\s*\d|^\||【")
MAX_HEADING = 40


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
