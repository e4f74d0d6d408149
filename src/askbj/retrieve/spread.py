"""Questions that compare sources or years ("两份材料分别给出多少?", "from end-2020 to November
2023") are answered from more than one document: the top of the hit list should hold the
best passage of a second document, not five passages of one.

General patterns only (two years asked, or words naming two sources); the documents come
from the hits themselves.
"""

from __future__ import annotations

import re
from dataclasses import replace

from askbj.records import Hit
from askbj.retrieve.anchors import YEAR, dated_source
from askbj.text.normalize import fold

_SOURCES = re.compile(r"两份|两篇|两个(?:文件|报告|材料|来源)|两种(?:说法|口径)"
                      r"|不同(?:材料|报告|文件|来源)"
                      r"|\bboth (?:the )?(?:documents|reports|papers|articles|sources)\b"
                      r"|\b(?:two|different) (?:documents|reports|papers|articles|sources)\b")


# A second thing set beside the first: "2023年报告的数字和2024年底相比", "the 2023 report vs …".
_BESIDE = re.compile(r"[和与跟]|相比|对比|比较|分别|\b(?:and|vs\.?|versus|compared?)\b")


def compares_sources(question: str, anchors: tuple[str, ...]) -> bool:
    """The question asks about two years, names two sources, or sets a source dated by its
    year beside something else."""
    years = {a for a in anchors if YEAR.fullmatch(a)}
    folded = fold(question)
    return len(years) >= 2 or bool(_SOURCES.search(folded)) \
        or (dated_source(folded) and bool(_BESIDE.search(folded)))


def spread(hits: list[Hit], at: int) -> list[Hit]:
    """``hits`` with the best hit of another document moved up to position ``at`` when the
    first ``at`` all come from one document (a folded twin's document counts as present)."""
    if at < 1 or len(hits) <= at:
        return hits
    docs = {h.chunk.doc_id for h in hits[:at]}
    if len(docs) > 1 or any(h.alternates for h in hits[:at]):
        return hits
    move = next((i for i, h in enumerate(hits) if i >= at and h.chunk.doc_id not in docs), None)
    if move is None:
        return hits
    return _ranked(_moved(hits, move, at))


def bring(hits: list[Hit], at: int, sources: tuple[frozenset[str], ...]) -> list[Hit]:
    """``hits`` with the best hit of each named source (a set of document ids) that the
    first ``at`` lack moved up to position ``at``: a question naming 焦豪's article reaches
    it even when another document ranks higher on the words."""
    if at < 1:
        return hits
    for source in sources:
        if any(h.chunk.doc_id in source for h in hits[:at]):
            continue
        move = next((i for i, h in enumerate(hits) if i >= at and h.chunk.doc_id in source), None)
        if move is not None:
            hits = _moved(hits, move, at)
    return _ranked(hits)


def _moved(hits: list[Hit], move: int, at: int) -> list[Hit]:
    """``hits`` with the one at index ``move`` put at position ``at`` (1-based)."""
    return [*hits[: at - 1], hits[move], *hits[at - 1 : move], *hits[move + 1 :]]


def _ranked(hits: list[Hit]) -> list[Hit]:
    return [replace(h, rank=r) for r, h in enumerate(hits, start=1)]
