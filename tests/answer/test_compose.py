"""Which scored sentences an answer keeps: never the same sentence twice."""

from __future__ import annotations

from askbj.answer.compose import Pick, select
from askbj.records import Chunk

SAID = "因此,数字平台生态系统是关键力量。"
TRAD = "北京。因此,數字平臺生態系統是關鍵力量[10]。"  # the traditional copy, with a footnote
OTHER = "平台带动数字产业集聚。"


def _pick(chunk: Chunk, sentence: str, score: float) -> Pick:
    at = chunk.start + chunk.text.index(sentence)
    return Pick(chunk, at, at + len(sentence), score)


def test_the_same_sentence_in_another_copy_is_kept_once() -> None:
    simp = Chunk("s", "000", 100, 100 + len(SAID + OTHER), SAID + OTHER)
    trad = Chunk("t", "001", 40, 40 + len(TRAD), TRAD)
    picks = [_pick(trad, TRAD[3:], 1.0), _pick(simp, SAID, 0.9), _pick(simp, OTHER, 0.8)]
    chosen = select(picks, limit=3)
    assert [(p.chunk.chunk_id, p.start) for p in chosen] == [("t", 43), ("s", 100 + len(SAID))]


def test_different_sentences_of_two_copies_are_both_kept() -> None:
    one = Chunk("a", "000", 0, len(SAID), SAID)
    two = Chunk("b", "002", 0, len(OTHER), OTHER)
    chosen = select([_pick(one, SAID, 1.0), _pick(two, OTHER, 0.9)], limit=3)
    assert [p.chunk.chunk_id for p in chosen] == ["a", "b"]
