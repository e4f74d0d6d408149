"""How well a passage or sentence supports a question, without any model.

An extractive answer is only as good as the sentences it picks, and abstaining needs a
reason that survives a held-out question set. Both rest on the same lexical evidence:
which of the question's terms a text contains, weighted by how rare each term is in the
corpus (BM25's idf), and whether the question's *anchors* — numbers such as years and
place names — occur at all. A question about 2022 in 合肥 is not answered by a passage
about 2023 in 北京, however similar the rest of the wording is.

English questions share no words with the Chinese corpus, so for them only numbers and a
small gazetteer of place names (pinyin or English → Chinese) can carry lexical evidence.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from askbj.domain import Domain
from askbj.retrieve.anchors import find_anchors
from askbj.text.lang import is_english
from askbj.text.normalize import ASKING, fold, tokenize

_LIST_ZH = re.compile(
    r"哪些|哪几|有几|几个|几项|几方面|分别|各自|各有|各区|列举|哪[一二三四五六七八九十两]"
)
_LIST_EN = re.compile(r"\b(what are|which|list|name the|what measures|in what ways"
                      r"|what (?:two|three|four|five|six|seven|eight|nine|ten))\b"
                      # "what (internal) difficulties does …", "what advantages did …"
                      r"|\bwhat (?:[a-z-]+ ){0,2}[a-z-]{2,}[a-rt-z]s (?=(?:does|do|did|are|were"
                      r"|has|have|had|can|will|should|would)\b)")
UNSEEN = 1.0


@dataclass(frozen=True)
class Question:
    """A question as evidence sees it: must-match anchors, the other terms weighted by idf."""

    text: str
    weights: tuple[tuple[str, float], ...]
    anchors: tuple[str, ...]
    places: tuple[str, ...]
    english: bool
    wants_list: bool
    # English questions: each content word as the Chinese words the corpus uses for it
    # (glossary, CC-CEDICT); Chinese ones: each abbreviation with its full forms. Any one
    # alternative counts; the group weighs as the rarest.
    translations: tuple[tuple[tuple[str, ...], float], ...] = ()

    @property
    def total(self) -> float:
        return sum(w for _, w in self.weights)


class TermStats:
    """Document frequencies of BM25 terms, read from the index's own BM25 matrix."""

    def __init__(self, index: Any) -> None:
        self.df, self.n = _frequencies(index)

    def idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        return math.log(1.0 + (self.n - df + 0.5) / (df + 0.5)) if df else 0.0

    @property
    def rarest(self) -> float:
        """The idf of a term in one passage: what a term no passage has weighs as topic."""
        return math.log(1.0 + (self.n - 0.5) / 1.5) if self.n else 0.0

    def weight(self, term: str) -> float:
        """idf, at most ``UNSEEN`` for a single character (最, 建: grammar more than topic);
        a word the corpus never uses still counts: a little (``UNSEEN``) when it may be
        phrasing (名字, 理解, 好吃), as much as the rarest word when it is a noun that names
        the very thing asked about (红烧肉, 烤鸭, 销量) and no passage has."""
        if term in self.df:
            return min(self.idf(term), UNSEEN) if len(term) == 1 else self.idf(term)
        if len(term) < 2 or term.isascii():
            return 0.0
        return self.rarest if _names_a_thing(term) else UNSEEN


def _names_a_thing(term: str) -> bool:
    """A noun (jieba tags n, nz, nt …) that is not a generic measure or phrasing word."""
    from askbj.answer.answer_type import generic, noun

    return noun(term) and not generic(term)


def _frequencies(index: Any) -> tuple[dict[str, int], int]:
    """From bm25s' CSC matrix when present (free), or the store's term table (Milvus); else
    by tokenizing every chunk once."""
    terms = getattr(index, "terms", None)
    if terms is not None:
        return {t: df for t, df in terms.df.items() if df}, terms.n
    bm25 = index.bm25
    scores = getattr(bm25, "scores", None)
    if isinstance(scores, dict) and "indptr" in scores and getattr(bm25, "vocab_dict", None):
        indptr = scores["indptr"]
        df = {t: int(indptr[i + 1] - indptr[i])
              for t, i in bm25.vocab_dict.items() if t and i + 1 < len(indptr)}
        return df, int(scores.get("num_docs", len(index.chunks)))
    counts: dict[str, int] = {}
    for chunk in index.chunks:
        for term in set(tokenize(chunk.indexed_text)):
            counts[term] = counts.get(term, 0) + 1
    return counts, len(index.chunks)


def analyze(question: str, stats: TermStats, domain: Domain) -> Question:
    """Weigh the question's terms and find the anchors an answer cannot do without."""
    folded = fold(question)
    english = is_english(folded)
    numbers, places = find_anchors(question, domain)
    anchored = [*numbers, *places]
    short = [(a, alts) for a, alts in domain.abbreviations.items() if a in folded]
    terms = [t for t in dict.fromkeys(tokenize(ASKING.sub("", folded)))
             if not any(t in a or a in t for a in anchored)
             and not any(t in a for a, _ in short)]
    weights = tuple((t, stats.weight(t)) for t in terms if stats.weight(t) > 0)
    wants_list = bool((_LIST_EN if english else _LIST_ZH).search(folded))
    translations = translate(question, stats, domain) if english else tuple(
        ((a, *alts), max(_idf(x, stats) for x in alts)) for a, alts in short)
    return Question(question, weights, numbers, places, english, wants_list, translations)


def translate(question: str, stats: TermStats,
              domain: Domain) -> tuple[tuple[tuple[str, ...], float], ...]:
    """English phrases as (Chinese words the index knows, weight of the rarest), plus the
    Latin terms the corpus itself uses (GDP, 5G)."""
    from askbj.retrieve.expand import phrases

    # Coverage matches substrings, so a one-character sense (让 for "yield", 当 for
    # "during") would be found inside unrelated words; only longer senses count here.
    found = [(phrase, tuple(a for a in alts if len(a) > 1))
             for phrase, alts in phrases(question, stats.df.__contains__, domain)]
    groups = {alts: max(_idf(a, stats) for a in alts)
              for phrase, alts in found if alts and not phrase[:1].isdigit()}
    for term in dict.fromkeys(tokenize(question)):
        if term in stats.df and not term.isdigit():
            groups.setdefault((term,), stats.idf(term))
    return tuple(groups.items())


def _idf(phrase: str, stats: TermStats) -> float:
    """A glossary phrase the index splits (数字经济 → 数字 + 经济) weighs as its rarest word."""
    if phrase in stats.df:
        return stats.idf(phrase)
    return max((stats.idf(t) for t in tokenize(phrase)), default=0.0)
