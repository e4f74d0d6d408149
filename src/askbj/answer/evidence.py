"""How well a passage or sentence supports a question: idf-weighted coverage of its terms
and whether its anchors are met. The abstention decision and sentence choice both rest on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from askbj.answer.question import UNSEEN, Question
from askbj.records import Hit
from askbj.retrieve.anchors import YEAR, contains, share_met
from askbj.text.normalize import fold, squash


def coverage(q: Question, squashed: str) -> float:
    """idf-weighted share of the question's terms that occur in the (squashed) text."""
    if q.english:
        total = sum(w for _, w in q.translations)
        found = sum(w for alts, w in q.translations if any(contains(squashed, a) for a in alts))
        return found / total if total > 0 else 0.0
    total = q.total + sum(w for _, w in q.translations)  # here: abbreviations, either form
    if total <= 0:
        return 0.0
    found = sum(w for t, w in q.weights if contains(squashed, t))
    found += sum(w for alts, w in q.translations if any(a in squashed for a in alts))
    return found / total


def passage_coverage(q: Question, squashed: str) -> float:
    """``coverage`` as the abstention signal: English terms cannot match Chinese text, so an
    English question is judged by its anchors alone; so is a question of anchors only."""
    if q.english:
        return 1.0
    if q.total > 0:
        return coverage(q, squashed)
    return 1.0 if q.anchors or q.places else 0.0


def anchors_met(q: Question, squashed: str, title: str = "", dated_by_title: bool = True
                ) -> float:
    """Share of anchors present; place names may also be met by the document's title, and
    years by a title dated with them (unless ``dated_by_title`` is off)."""
    return share_met(q.anchors, q.places, squashed, title, dated_by_title)



def other_year(q: Question, flat: str) -> bool:
    """The sentence is dated, but not with a year the question asks about (2024's figure is
    no answer to a question about 2023, even when the passage holding it mentions 2023)."""
    asked = {a for a in q.anchors if YEAR.fullmatch(a)}
    said = set(YEAR.findall(flat))
    return bool(asked and said and not asked & said)


def anchor_share(q: Question, flat: str, title: str) -> float:
    """As for passages, a place the document's title names is met by all its sentences: an
    article about Beijing rarely repeats 北京 in the sentence that answers."""
    # a sentence that says the year asked leads one that leaves it to the title
    return anchors_met(q, flat, title, dated_by_title=False) if q.anchors or q.places else 0.0


@dataclass(frozen=True)
class Support:
    """One hit as evidence: idf-weighted term coverage of its passage, anchors met."""

    hit: Hit
    coverage: float
    anchors: float
    places: frozenset[str] = frozenset()  # the question's places this passage names

    @property
    def strength(self) -> float:
        """Coverage, but nothing at all when an anchor (number, place) is missing."""
        return self.coverage if self.anchors >= 1.0 else 0.0


@dataclass(frozen=True)
class Assessment:
    """What the abstention decision sees; exposed so the threshold can be calibrated."""

    question: Question
    supports: tuple[Support, ...]

    @property
    def best(self) -> float:
        """The strongest support; none when a place the question names is in no passage
        (one passage need not name every place of a comparison, but some passage must)."""
        named = set().union(*(s.places for s in self.supports))
        if not set(self.question.places) <= named:
            return 0.0
        return max((s.strength for s in self.supports), default=0.0)


def topic_share(a: Assessment, focus: tuple[str, ...], unseen: float = 0.0) -> float:
    """How much of what the question is *about* the best passage covers: its terms' idf
    share with the asked detail (the focus) and generic measure words left out. High: the
    documents discuss the topic but not the detail (a partial answer); low: the shared word
    was incidental (a plain not-found). A term the corpus never uses (a product name such
    as "SU7") weighs ``unseen`` (the rarest idf): it is the topic, and it is not there."""
    from askbj.answer.answer_type import generic

    q = a.question
    def about(term: str) -> bool:
        return not generic(term) and not any(f in term or term in f for f in focus)

    weights = tuple((t, unseen if w == UNSEEN and unseen else w) for t, w in q.weights if about(t))
    rest = replace(q, weights=weights, translations=tuple(
        (alts, w) for alts, w in q.translations if all(about(x) for x in alts)))
    missing = sum(unseen for t in _names_unseen(q) if about(t))
    best = 0.0
    for s in (s for s in a.supports if s.anchors >= 1.0):
        c = s.hit.chunk
        share = coverage(rest, squash(" ".join((*c.section, c.text))))
        total = rest.total + sum(w for _, w in rest.translations)
        best = max(best, share * total / (total + missing) if total + missing else 0.0)
    return best


def _names_unseen(q: Question) -> list[str]:
    """Latin-and-digit names in a Chinese question that carry no weight (su7, x5)."""
    if q.english:
        return []
    known = {t for t, _ in q.weights}
    return [t for t in re.findall(r"[a-z]+\d+[a-z\d]*|\d+[a-z]+[a-z\d]*", fold(q.text))
            if t not in known and not re.fullmatch(r"\d+[gk]|\d+(?:st|nd|rd|th)", t)]
