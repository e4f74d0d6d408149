"""Which scored sentences make the answer, led by the one that answers.

The first sentence must hold what was asked (a figure in the asked unit, a date, a name …)
and meet the question's focus; one or two more join only when they add a needed part: the
second half of a two-part question, the other side of a comparison or difference, or a
second source giving another figure for the same thing (then the answer says they differ).
A sentence about another level (全国, 全球, 我国 …) when a place was asked is not quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from askbj.answer.answer_type import (
    AMOUNT,
    COUNT,
    PERCENT,
    VALUE_KINDS,
    AnswerType,
    Part,
    focus_met,
    holds,
)
from askbj.answer.compose import Pick
from askbj.retrieve.anchors import YEAR, place_met

LIMIT = 3
# Words that put a sentence at another level than a place asked about.
_LEVEL = re.compile(r"全国|全球|我国|全世界|世界|国内|中国|各国|国际上|全省|global|national|world")
_LEVEL_HEAD = 16  # a level word this early is the sentence's subject
_DIFFER_SHARE = 0.85  # a second source's figure is shown when it scores this close
_FIGURE = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Candidate:
    """A scored sentence with its squashed text and its immediate context (the sentence
    before it in the passage, the section headings)."""

    pick: Pick
    flat: str
    context: str


@dataclass(frozen=True)
class Lead:
    """The chosen sentences; ``differ`` when two sources give different figures."""

    picks: tuple[Pick, ...]
    differ: bool = False


def off_level(flat: str, places: tuple[str, ...], asked: str) -> bool:
    """The sentence speaks of another level (全国/全球…) than the place asked about."""
    if not places or _LEVEL.search(asked):
        return False
    head = _LEVEL.search(flat[:_LEVEL_HEAD])
    return bool(head) and not any(place_met(p, flat) for p in places)


def answers(part: Part, c: Candidate, senses: dict[str, tuple[str, ...]]) -> bool:
    """``c`` holds a value of the part's kind and meets its focus (itself or in context)."""
    return holds(part, c.flat) and focus_met(part.focus, c.context, senses)


def choose(cands: list[Candidate], kind: AnswerType, sides: tuple[str, ...],
           senses: dict[str, tuple[str, ...]]) -> Lead | None:
    """The answer's sentences for a question asking for values; None when no candidate
    answers any part (the caller then says what is there, or that nothing is)."""
    parts = [p for p in kind.parts if p.kind in VALUE_KINDS]
    first = next((c for c in cands if answers(parts[0], c, senses)), None)
    first = first or next((c for p in parts[1:] for c in cands if answers(p, c, senses)), None)
    if first is None:
        return None
    chosen = [first]
    for part in parts:
        if not any(answers(part, c, senses) for c in chosen):
            _add(chosen, next((c for c in cands if answers(part, c, senses)), None))
    for side in sides:
        if not any(_names(side, c.flat) for c in chosen):
            _add(chosen, next((c for c in cands if _names(side, c.flat)
                               and any(answers(p, c, senses) for p in parts)), None))
    other = _disagreeing(cands, first, parts[0], senses)
    if other is not None and len(chosen) < LIMIT:
        _add(chosen, other)
    return Lead(tuple(c.pick for c in chosen[:LIMIT]), differ=other is not None)


def _names(side: str, flat: str) -> bool:
    return side in flat if YEAR.fullmatch(side) else place_met(side, flat)


def _add(chosen: list[Candidate], c: Candidate | None) -> None:
    if c is None or len(chosen) >= LIMIT:
        return
    if any(c.pick.chunk.doc_id == o.pick.chunk.doc_id and c.pick.start < o.pick.end
           and o.pick.start < c.pick.end for o in chosen):
        return
    chosen.append(c)


def _disagreeing(cands: list[Candidate], first: Candidate, part: Part,
                 senses: dict[str, tuple[str, ...]]) -> Candidate | None:
    """Another document's sentence, nearly as good, giving a different figure for the
    same asked thing in the same year (">50%" in one report, "42.9%" in another)."""
    if part.kind not in (AMOUNT, PERCENT, COUNT):
        return None
    years = set(YEAR.findall(first.flat))
    mine = set(_FIGURE.findall(first.flat)) - years
    for c in cands:
        if c.pick.score < _DIFFER_SHARE * first.pick.score:
            break
        same = c.pick.chunk.doc_id == first.pick.chunk.doc_id
        if same or c.pick.chunk.chunk_id in first.pick.alternates:
            continue
        theirs = set(_FIGURE.findall(c.flat)) - years
        if answers(part, c, senses) and set(YEAR.findall(c.flat)) == years and not theirs & mine:
            return c
    return None
