"""Enumerations in policy prose: 一是…二是…, 第一,…第二,…, 其一,…其二,…, (一)…(二)…, ①②, 1、2、.

A "which measures…" question is answered by the list, not by the one sentence that shares
most words with the question; and the list often starts in the passage before the one that
matched, or runs on into the next. So items are found over a whole section of the document,
as numbered *runs* (一, 二, 三 … in one marker style), and the run that touches the best
passage is the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_NUMERALS = "一二三四五六七八九十"
# (style, pattern) — the pattern's group 1 is the item's ordinal. A short lead-in such as
# "其中," may precede the marker; "第一位" (first place) and "第一批" are not items.
_STYLES = (
    ("shi", re.compile(rf"^.{{0,6}}?(?<![{_NUMERALS}第])([{_NUMERALS}]{{1,2}})是[,，、:：]?")),
    ("di", re.compile(rf"^.{{0,6}}?第([{_NUMERALS}]{{1,2}})[,，、:：]")),
    ("qi", re.compile(rf"^.{{0,6}}?其([{_NUMERALS}]{{1,2}})[,，、:：]")),
    ("paren", re.compile(rf"^\s*[(（]([{_NUMERALS}]{{1,2}}|\d{{1,2}})[)）]")),
    ("circled", re.compile(r"^\s*([①-⑳])")),
    ("arabic", re.compile(r"^\s*(\d{1,2})[、.．](?!\d)")),
)


@dataclass(frozen=True)
class Item:
    """One enumerated sentence, in document coordinates."""

    start: int
    end: int
    style: str
    ordinal: int


def ordinal(token: str) -> int:
    """一 → 1, 十二 → 12, ③ → 3, "7" → 7; 0 when it is not a number."""
    if token.isascii() and token.isdecimal():  # not "①": its isdigit() is True too
        return int(token)
    if "①" <= token <= "⑳":
        return ord(token) - ord("①") + 1
    if token == "十":
        return 10
    if len(token) == 2 and token[0] == "十":
        return 10 + _NUMERALS.index(token[1]) + 1
    if len(token) == 2 and token[1] == "十":
        return (_NUMERALS.index(token[0]) + 1) * 10
    return _NUMERALS.index(token) + 1 if len(token) == 1 and token in _NUMERALS else 0


def item_of(text: str, start: int, end: int) -> Item | None:
    """The enumeration marker ``text[start:end]`` opens with, if any."""
    sentence = text[start:end]
    for style, pattern in _STYLES:
        m = pattern.match(sentence)
        if m and ordinal(m.group(1)):
            return Item(start, end, style, ordinal(m.group(1)))
    return None


def runs(text: str, spans: list[tuple[int, int]]) -> list[list[Item]]:
    """Numbered runs (1, 2, 3 … in one style) among the sentences ``spans`` of ``text``."""
    found: list[list[Item]] = []
    open_runs: dict[str, list[Item]] = {}
    for start, end in spans:
        item = item_of(text, start, end)
        if item is None:
            continue
        current = open_runs.get(item.style)
        if current and item.ordinal == current[-1].ordinal + 1:
            current.append(item)
        elif item.ordinal == 1:
            open_runs[item.style] = [item]
            found.append(open_runs[item.style])
    return [r for r in found if len(r) >= 2]


def best_run(runs_found: list[list[Item]], start: int, end: int) -> list[Item]:
    """The run with most items inside ``[start, end)`` (ties: the earlier run); [] if none."""
    def inside(run: list[Item]) -> int:
        return sum(start <= i.start < end for i in run)

    scored = [(inside(r), -r[0].start, r) for r in runs_found if inside(r)]
    return max(scored, key=lambda t: (t[0], t[1]))[2] if scored else []


def child_headings(text: str, sections: list[Any], start: int) -> list[Item]:
    """The numbered sub-headings under the section whose introduction holds ``start``.

    "报告提了哪几方面的建议?" is answered by the headings (一)…(五) of the chapter whose
    opening paragraph matched, not by any sentence inside one of them. Only from an
    introduction: a sentence inside (四) asks about (四), not about its siblings.
    """
    here = next((s for s in sections if s.start <= start < s.end), None)
    if here is None:
        return []
    depth = len(here.path)
    children = [s for s in sections if len(s.path) == depth + 1 and s.path[:depth] == here.path
                and s.start >= here.end]
    heads = []
    for s in children:
        line_end = text.find("\n", s.start)
        line_end = s.end if line_end < 0 or line_end > s.end else line_end
        item = item_of(text, s.start, line_end)
        if item is None or text[s.start : line_end].strip() != s.path[-1]:
            return []
        heads.append(item)
    run = runs(text, [(i.start, i.end) for i in heads])
    return run[0] if len(run) == 1 and len(run[0]) == len(heads) else []


def _ends_with(heading: str, noun: str) -> bool:
    """The heading is about ``noun`` (its last word): "…的政策建议", "(一)建立…机制"."""
    return heading.rstrip("。.:：").endswith(noun)


def headings_naming(text: str, sections: list[Any], noun: str) -> list[Item]:
    """The numbered headings that answer "哪些<noun>" in a document: the sub-headings of a
    heading ending in ``noun`` ("三、…的政策建议" → its (一)…(五)), else a run of sibling
    headings that each end in it ("(一)建立…机制", "(二)建立…机制"); [] when neither."""
    if not noun:
        return []

    def heading(s: Any) -> Item | None:  # a section joined to its parent's heading starts there
        at = text.find(s.path[-1], s.start, s.end)
        if at < 0 or (at > 0 and text[at - 1] != "\n"):
            return None
        return item_of(text, at, at + len(s.path[-1]))

    def children(parent: tuple[str, ...]) -> list[Any]:
        return [s for s in sections if len(s.path) == len(parent) + 1
                and s.path[: len(parent)] == parent]

    parents = list(dict.fromkeys(s.path[:-1] for s in sections if s.path))
    for parent in parents:  # a heading naming the noun, over numbered sub-headings
        if parent and _ends_with(parent[-1], noun) \
                and (heads := [heading(c) for c in children(parent)]) \
                and len(heads) >= 2 and all(heads):
            return [h for h in heads if h is not None]
    best: list[Item] = []
    for parent in parents:
        named = [h for c in children(parent) if _ends_with(c.path[-1], noun) and (h := heading(c))]
        run = runs(text, [(h.start, h.end) for h in named])
        longest = max(run, key=len, default=[])
        if len(longest) >= 2 and len(longest) > len(best):
            best = longest
    return best
