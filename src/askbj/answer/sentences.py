"""Which sentences can stand as an answer: not headings, captions, notes or mojibake."""

from __future__ import annotations

import re
from dataclasses import dataclass

from askbj.text.headings import heading_level
from askbj.text.lang import WORD
from askbj.text.normalize import fold

_CAPTION = re.compile(r"^\W*[图表圖]\s*\d")
# A footnote, source note, bibliography entry or author note: "① 某协会:《报告》, 2024年2月。",
# "[3] 作者.题目", "* 基金项目…", "资料来源:北京市统计局。", "【本文作者为…".
# Signs of bytes decoded with the wrong codec, in any document: an undecodable byte shown
# as "?" right before punctuation inside Chinese text, a lone Latin letter between two
# ideographs (half of a multi-byte character), the replacement character U+FFFD.
_DAMAGED = re.compile(r"[\u4e00-\u9fff]\?[;；]|[\u4e00-\u9fff][a-z][\u4e00-\u9fff]|\ufffd")
_REFERENCE = re.compile(
    r"^(?:[①-⑳]|\[\d{1,3}\]|\*+)\s|^(?:资料|数据)?来源\s*[:：]|^\d{1,2}\s*(?:资料|数据)?来源于|^注\s*[:：]"
    r"|^\W?本文(?:作者|系)"
    r"|《[^》]{2,60}》[^。]{0,20}\d{4}\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?\W*$"
)


def too_thin(sentence: str) -> bool:
    """Headings, captions, fragments and mojibake read badly as answers (list items come
    separately; a damaged sentence of one copy of an article is usually clean in the other)."""
    words = len(WORD.findall(fold(sentence)))
    heading = heading_level(sentence) > 0 and words < 30
    return words < 8 or heading or bool(
        _CAPTION.match(sentence) or _REFERENCE.search(sentence) or _DAMAGED.search(sentence))


@dataclass(frozen=True)
class SentenceWeights:
    """How a candidate sentence is scored for the answer: its idf-weighted coverage of the
    question's terms, plus its passage's evidence strength, the passage's search rank, the
    question's anchors (years, places) met in the sentence, a small lead for a passage's
    first sentences, and for "why" questions a sentence that gives a cause."""

    coverage: float = 1.0
    strength: float = 0.5
    rank: float = 0.25
    rank_decay: float = 0.25  # the rank prior is 1 / (1 + rank_decay * (rank - 1))
    anchors: float = 0.3
    position: float = 0.05  # position / (1 + index of the sentence in its passage)
    reason: float = 0.2
    # a sentence saying it has as many items as the question asked for ("what four …":
    # "从A、B、C与D四方面")
    count: float = 0.3
    # a sentence of another source than the one the question names ("刘佳骏提到了哪些…")
    # keeps this share of its score
    other_source: float = 0.6

    def score(self, coverage: float, strength: float, rank: int, anchors: float,
              position: int, gives_reason: bool, states_count: bool = False) -> float:
        prior = 1.0 / (1.0 + self.rank_decay * (rank - 1))
        return (self.coverage * coverage + self.strength * strength + self.rank * prior
                + self.anchors * anchors + self.position / (1 + position)
                + (self.reason if gives_reason else 0.0)
                + (self.count if states_count else 0.0))
