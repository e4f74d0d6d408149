"""Which scored sentences make the answer, led by the one that answers.

The first sentence must hold what was asked (a figure in the asked unit, a date, a name …)
and meet the question's focus; one or two more join only when they add a needed part: the
second half of a two-part question, the other side of a comparison or difference, or a
second source giving another figure for the same thing (then the answer says they differ).
A sentence about another level (全国, 全球, 我国 …) when a place was asked is not quoted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from askbj.answer.answer_type import (
    AMOUNT,
    COUNT,
    DEFINITION,
    PERCENT,
    VALUE_KINDS,
    AnswerType,
    Part,
)
from askbj.answer.compose import Pick
from askbj.answer.holds import holds, narrowed, part_met
from askbj.retrieve.anchors import YEAR, place_met
from askbj.text.normalize import pos_tags

LIMIT = 3
# Not a level but a superlative when one of these follows ("建成全球首个…").
_SUPERLATIVE = "(?!首|第一|领先|率先|排名|前列)"
# The sentence's subject is the level ("2023年全球5G基站…", "我国数字经济…"); not a
# superlative such as "建成全球首个…".
_DATE_LEAD = re.compile(r"^(?:(?:根据|据)[^,，。]{0,40}?(?:测算|显示|统计|数据|监测)[,，]?)?"
                        r"(?:截至|截止|到|在)?[\d.年月日底末初前后上下半季度第一二三四,，、至到]*"
                        r"(?:在[^,，。]{1,10}方面[,，])?")
_DEFINERS = 12  # "what is X": a sentence among the best 12 that starts "X是…/X强调…" leads
_NEAR = 0.6  # the lead is chosen among sentences scoring at least this share of the best
_FLOOR = 0.4  # no sentence scoring under this share of the best leads an answer
_DIFFER_SHARE = 0.65  # a second source's figure is shown when it scores this close
_FIGURE = re.compile(r"\d+(?:\.\d+)?")
_PERCENT_FIGURE = re.compile(r"\d+(?:\.\d+)?(?=\s*%)")


@dataclass(frozen=True)
class Candidate:
    """A scored sentence with its squashed text and its immediate context (the sentence
    before it in the passage, the section headings)."""

    pick: Pick
    flat: str
    context: str


@dataclass(frozen=True)
class Side:
    """What a comparison needs a sentence of its own for: a year or place it names
    (``name``), or a source it names (``docs``: that source's document ids)."""

    name: str = ""
    docs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Lead:
    """The chosen sentences; ``differ`` when two sources give different figures."""

    picks: tuple[Pick, ...]
    differ: bool = False


@lru_cache(maxsize=16)
def _level_pattern(levels: tuple[str, ...]) -> re.Pattern[str] | None:
    if not levels:
        return None
    words = "|".join(re.escape(w) for w in sorted(levels, key=len, reverse=True))
    return re.compile(f"(?:{words}){_SUPERLATIVE}")


def off_level(flat: str, places: tuple[str, ...], asked: str,
              levels: tuple[str, ...]) -> bool:
    """The sentence speaks of another level (the domain's ``levels``: 全国/全球…) than the
    place asked about."""
    level = _level_pattern(levels)
    if level is None or not places or level.search(asked):
        return False
    head = level.match(_DATE_LEAD.sub("", flat, count=1))
    return bool(head) and not any(place_met(p, flat) for p in places)


def answers(part: Part, c: Candidate, senses: dict[str, tuple[str, ...]]) -> bool:
    """``c`` holds a value of the part's kind and meets its focus, what the part names and
    the year it asks about (itself or in context)."""
    return holds(part, c.flat) and part_met(part, c.context, senses) \
        and names_what_asked(part, c.context) and _of_asked_year(part, c.context)


def _of_asked_year(part: Part, context: str) -> bool:
    """A value asked for a year ("2021年…是多少?", "in 2022") comes from a sentence whose
    context names one of the asked years: another year's figure is no answer."""
    years = YEAR.findall(part.clause)
    return not years or any(y in context for y in years)


_CODE = re.compile(r"(?<![a-z0-9.])(?:\d+[a-z]+|[a-z]+\d+)[a-z0-9]*(?![a-z0-9])")


def names_what_asked(part: Part, context: str) -> bool:
    """A figure answers only about the codes the part names (6G, SU7): 5G's count is no
    answer about 6G. Quarters and halves (Q3, H1) are dates, and 10k or 5bn a number, not codes."""
    codes = [m.group(0) for m in _CODE.finditer(part.clause)
             if not re.fullmatch(r"\d+(?:st|nd|rd|th|s|k|m|bn|mn|tn)|[qh]\d", m.group(0))]
    return all(code in context for code in codes)


def choose(cands: list[Candidate], kind: AnswerType, sides: tuple[Side, ...],
           senses: dict[str, tuple[str, ...]], sources: bool = False,
           question: str = "", places: tuple[str, ...] = ()) -> Lead | None:
    """The answer's sentences for a question asking for values; None when no candidate
    answers any part (the caller then says what is there, or that nothing is). With
    ``sources`` (the question compares sources it does not name) a second document's
    sentence answering the first part joins; a sentence whose figure is of a narrower thing
    than ``question`` asks about leads only when no other answers as much."""
    parts = [p for p in kind.parts if p.kind in VALUE_KINDS]
    asked = question or " ".join(p.clause for p in parts)
    first = _first(cands, parts, senses, asked, places)
    if first is None:
        return None
    chosen = [first]
    for part in parts:
        if not any(answers(part, c, senses) for c in chosen):
            _add(chosen, next((c for c in cands if answers(part, c, senses)), None))
    for side in sides:  # a side of a question with open parts ("什么机构") needs no value
        if not any(names_side(side, c) for c in chosen):
            of_side = [c for c in cands if names_side(side, c)]
            _add(chosen, next((c for c in of_side if answers(parts[0], c, senses)), None)
                 or next((c for c in of_side if kind.open_parts or any(
                     answers(p, c, senses) for p in parts)), None))
    if sources and all(_same_source(c, first) for c in chosen):  # "两份材料分别给出多少?"
        others = [c for c in cands if not _same_source(c, first) and answers(parts[0], c, senses)]
        _add(chosen, next((c for c in others if not narrowed(asked, c.flat)), None)
             or next(iter(others), None))
    other = _disagreeing(cands, first, parts[0], senses)
    if other is not None and len(chosen) < LIMIT:
        _add(chosen, other)
    return Lead(tuple(c.pick for c in chosen[:LIMIT]), differ=other is not None)


def about_elsewhere(c: Candidate, places: tuple[str, ...]) -> bool:
    """The sentence names a place, but none the question asks about ("海淀区…" when 朝阳区
    was asked): its figure is likely another place's."""
    if not places or any(place_met(p, c.flat) for p in places):
        return False
    return any(flag == "ns" and len(w) >= 2 for w, flag in pos_tags(c.flat))


def _same_source(c: Candidate, first: Candidate) -> bool:
    return c.pick.chunk.doc_id == first.pick.chunk.doc_id \
        or c.pick.chunk.chunk_id in first.pick.alternates


def _first(cands: list[Candidate], parts: list[Part], senses: dict[str, tuple[str, ...]],
           asked: str, places: tuple[str, ...] = ()) -> Candidate | None:
    """Of the sentences scoring near the best, the one answering most parts, then holding
    the asked compound whole (数字经济增加值, not 数字经济核心产业增加值); else the best
    sentence answering any part."""
    if not cands:
        return None
    top = cands[0].pick.score
    near = [c for c in cands if c.pick.score >= _NEAR * top]

    def rank(c: Candidate) -> tuple[int, int, bool, bool, int]:
        done = sum(answers(p, c, senses) for p in parts)
        whole = sum(bool(p.phrase) and p.phrase in c.flat for p in parts) if done else 0
        # last, a count in the very unit asked (几家: "33家", not "三类")
        unit = sum(bool(p.unit) and _in_unit(p.unit, c.flat) for p in parts) if done else 0
        return done, whole, bool(done) and not about_elsewhere(c, places), \
            bool(done) and not narrowed(asked, c.flat), unit

    best = max(near, key=rank)
    if rank(best)[0]:
        return best
    floor = _FLOOR * top  # far below the best, a sentence answering is a coincidence
    return next((c for c in cands if c.pick.score >= floor
                 and any(answers(p, c, senses) for p in parts)), None)


def _in_unit(unit: str, flat: str) -> bool:
    number = r"(?:\d|[一二两三四五六七八九十百千万])\s*(?:多|余)?\s*[万亿千百]*\s*"
    return bool(re.search(number + re.escape(unit), flat))


def defining_first(scored: list[Pick], kind: AnswerType,
                   flat: Callable[[Pick], str]) -> tuple[list[Pick], bool]:
    """For "what is X" the sentence that starts with X (X是…, X强调…) leads, when one of
    the best few does: it says what X is, where the others only mention it. True when one
    was found."""
    part = kind.parts[0] if kind.parts else None
    if part is None or part.kind != DEFINITION or not part.focus:
        return scored, False
    says = re.compile(rf"^\W{{0,2}}{re.escape(part.focus[0])}\W{{0,2}}(?:是|指|即|强调|意味|就是|"
                      rf"被定义|可以理解|可理解|主要|通过|作为)")
    at = next((i for i, p in enumerate(scored[:_DEFINERS]) if says.search(flat(p))), None)
    if at is None:
        return scored, False
    return [scored[at], *scored[:at], *scored[at + 1 :]], True


def names_side(side: Side, c: Candidate) -> bool:
    """The sentence is of the side: from its source, or naming its place or year; a sentence
    with no year of its own ("数字经济核心产业增加值增长10.8%…" after "2023年全市…;") is of
    the last year its context names."""
    if side.docs:
        return c.pick.chunk.doc_id in side.docs
    if not YEAR.fullmatch(side.name):
        return place_met(side.name, c.flat)
    if side.name in c.flat:
        return True
    at = c.context.rfind(c.flat)
    if at < 0 or YEAR.search(c.flat):
        return False
    # the last year before it, else the year its document's title is of
    years = YEAR.findall(c.context[:at]) or YEAR.findall(c.context[at + len(c.flat) :])
    return bool(years) and years[-1] == side.name


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
    figures = _PERCENT_FIGURE if part.kind == PERCENT else _FIGURE
    asked = set(YEAR.findall(part.clause))
    if not asked or not asked <= set(YEAR.findall(first.flat)):
        return None
    mine = set(figures.findall(first.flat)) - set(YEAR.findall(first.flat))
    for c in cands:
        if c.pick.score < _DIFFER_SHARE * first.pick.score:
            break
        same = c.pick.chunk.doc_id == first.pick.chunk.doc_id
        if same or c.pick.chunk.chunk_id in first.pick.alternates:
            continue
        years = set(YEAR.findall(c.flat))
        theirs = set(figures.findall(c.flat)) - years
        same_thing = not part.phrase or part.phrase in c.flat
        if answers(part, c, senses) and same_thing and asked <= years \
                and mine and theirs and not theirs & mine:
            return c
    return None
