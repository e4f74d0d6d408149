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
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from askbj.glossary import ABBREVIATIONS, ACRONYMS, GAZETTEER
from askbj.normalize import fold, tokenize
from askbj.records import Hit

_NUMBER = re.compile(r"(?<![\d.])\d{2,}(?:\.\d+)?(?![\d.])")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# "23年" said for 2023; not "近20年"/"过去20年" (twenty years).
_SHORT_YEAR = re.compile(
    r"(?<![\d.近去多这约几逾超前后了历共每第])([0-3]\d)年(?!代|间|来|内|后|前|的时间)")
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[a-z]")
_LIST_ZH = re.compile(
    r"哪些|哪几|有几|几个|几项|几方面|分别|各自|各有|各区|列举|哪[一二三四五六七八九十两]"
)
_LIST_EN = re.compile(r"\b(what are|which|list|name the|what measures|in what ways)\b")
_PLACE_SUFFIX = re.compile(r"(?<=..)[市省]$")
_PLACE_PREFIX = re.compile(r"^(?:首都|中国|我国)(?=..)")
_NOT_A_PLACE = re.compile(  # words jieba tags as places that name none
    r"^(?:[两各多诸他本外我邻大全][国省市]|城市|城乡|地区|区域|国内|国外|海外|各地|当地|地方)$")
_PARTNERS = {"中": "中国", "美": "美国", "欧": "欧", "日": "日本", "韩": "韩国", "英": "英国",
             "德": "德国", "法": "法国", "俄": "俄罗斯"}
_ALIASES = {"中国": ("中国", "我国", "全国"), "美国": ("美国", "美方")}
_posseg_lock = threading.Lock()
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
UNSEEN = 1.0
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
# A month name only as a date ("in May", "November 2023"), never the verb "may".
_MONTH_NAME = "|".join(_MONTHS)
_MONTH = re.compile(
    rf"\b(?:in|by|of|since|until|before|after|from)\s+({_MONTH_NAME})\b"
    rf"|\b({_MONTH_NAME})(?=\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?\d{{4}})"
)

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

    def weight(self, term: str) -> float:
        """idf; a word the corpus never uses still counts a little (``UNSEEN``): it may be
        phrasing (名字, 理解), or the very thing asked about (红烧肉) that no passage has."""
        if term in self.df:
            return self.idf(term)
        return UNSEEN if len(term) >= 2 and not term.isascii() else 0.0


def _frequencies(index: Any) -> tuple[dict[str, int], int]:
    """From bm25s' CSC matrix when present (free); else by tokenizing every chunk once."""
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


def analyze(question: str, stats: TermStats) -> Question:
    """Weigh the question's terms and find the anchors an answer cannot do without."""
    folded = fold(question)
    english = not _CJK.search(folded) and bool(_LATIN.search(folded))
    numbers, places = find_anchors(question)
    anchored = [*numbers, *places]
    short = [(a, alts) for a, alts in ABBREVIATIONS.items() if a in folded]
    terms = [t for t in dict.fromkeys(tokenize(question))
             if not any(t in a or a in t for a in anchored)
             and not any(t in a for a, _ in short)]
    weights = tuple((t, stats.weight(t)) for t in terms if stats.weight(t) > 0)
    wants_list = bool((_LIST_EN if english else _LIST_ZH).search(folded))
    translations = translate(question, stats) if english else tuple(
        ((a, *alts), max(_idf(x, stats) for x in alts)) for a, alts in short)
    return Question(question, weights, numbers, places, english, wants_list, translations)


@lru_cache(maxsize=1024)
def find_anchors(question: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(numbers, places) of ``question``: what a passage that answers it must mention.
    Cached: search and answer both need them, and jieba's tagger is the slow part."""
    folded = _SHORT_YEAR.sub(lambda m: f"20{m.group(1)}年", _THOUSANDS.sub("", fold(question)))
    english = not _CJK.search(folded) and bool(_LATIN.search(folded))
    numbers = _NUMBER.findall(folded)
    if english:
        # "per 10,000 residents" is 每万人 in the text: a round English number is a unit.
        numbers = [n for n in numbers if _YEAR.fullmatch(n) or not re.fullmatch(r"10+", n)]
        # "by the end of November 2023" is 2023年11月末 in the text
        numbers += [f"{_MONTHS.index(m.group(1) or m.group(2)) + 1}月"
                    for m in _MONTH.finditer(folded)]
    places = _english_places(question) if english else _chinese_places(folded)
    return tuple(dict.fromkeys(numbers)), tuple(places)


def translate(question: str, stats: TermStats) -> tuple[tuple[tuple[str, ...], float], ...]:
    """English phrases as (Chinese words the index knows, weight of the rarest), plus the
    Latin terms the corpus itself uses (GDP, 5G)."""
    from askbj.translate import phrases

    # Coverage matches substrings, so a one-character sense (让 for "yield", 当 for
    # "during") would be found inside unrelated words; only longer senses count here.
    found = [(phrase, tuple(a for a in alts if len(a) > 1))
             for phrase, alts in phrases(question, stats.df.__contains__)]
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


def _english_places(question: str) -> list[str]:
    lowered = question.lower()
    found = [zh for name, zh in GAZETTEER.items()
             if re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", lowered)]
    found += [zh for name, zh in ACRONYMS.items()
              if re.search(rf"(?<![A-Za-z.]){re.escape(name)}(?![A-Za-z])", question)]
    return list(dict.fromkeys(found))


@lru_cache(maxsize=1)
def _posseg():  # type: ignore[no-untyped-def]
    import jieba.posseg as posseg

    tokenize("初始化")  # jieba's dictionary loads once, quietly, through normalize
    return posseg


def _chinese_places(folded: str) -> list[str]:
    """Place names jieba tags ``ns``, as a text would write them (see ``_place_forms``)."""
    posseg = _posseg()
    with _posseg_lock:
        pairs = [(p.word, p.flag) for p in posseg.cut(folded)]
    places = [f for w, flag in pairs if flag == "ns" and len(w) >= 2 for f in _place_forms(w)]
    return list(dict.fromkeys(places))


def _place_forms(word: str) -> list[str]:
    """What must appear for ``word`` to be met. jieba also tags 两国 (not a place: dropped),
    country pairs such as 中美 or 中日韩 (each partner but China, which the corpus calls
    我国 as often as 中国 — met by the partner's name or by the pair itself, as "美国|中美")
    and 首都北京; a trailing 市/省 is often dropped by texts."""
    word = _PLACE_PREFIX.sub("", word)
    if _NOT_A_PLACE.match(word):
        return []
    if 2 <= len(word) <= 3 and all(ch in _PARTNERS for ch in word):
        return [f"{_PARTNERS[ch]}|{word}" for ch in word if ch != "中"]
    return [_PLACE_SUFFIX.sub("", word)] if len(word) >= 2 else []


def place_met(place: str, squashed: str) -> bool:
    """``place`` (or, for "美国|中美", either form) or one of its usual aliases (中国: 我国,
    全国) occurs in ``squashed``."""
    return any(alias in squashed
               for form in place.split("|") for alias in _ALIASES.get(form, (form,)))


def contains(haystack: str, term: str) -> bool:
    """``term`` in squashed ``haystack``; digits and latin letters must not run on."""
    if term[:1].isdigit() or (term[:1].isascii() and term[:1].isalpha()):
        return re.search(rf"(?<![0-9a-z.]){re.escape(term)}(?![0-9a-z])", haystack) is not None
    return term in haystack


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


def anchors_met(q: Question, squashed: str, title: str = "") -> float:
    """Share of anchors present; place names may also be met by the document's title."""
    return share_met(q.anchors, q.places, squashed, title)


def share_met(numbers: tuple[str, ...], places: tuple[str, ...], squashed: str,
              title: str = "") -> float:
    """``anchors_met`` for anchors from ``find_anchors``. Places compared by the question
    ("北京和广州的交易所各有什么特点?") are rarely in one passage: of two or more places,
    one is enough for a passage; the answer gathers the others from other passages."""
    if not numbers and not places:
        return 1.0
    met = sum(contains(squashed, a) for a in numbers)
    found = sum(place_met(p, squashed) or place_met(p, title) for p in places)
    met += len(places) if found and len(places) > 1 else found
    return met / (len(numbers) + len(places))


def other_year(q: Question, flat: str) -> bool:
    """The sentence is dated, but not with a year the question asks about (2024's figure is
    no answer to a question about 2023, even when the passage holding it mentions 2023)."""
    asked = {a for a in q.anchors if _YEAR.fullmatch(a)}
    said = set(_YEAR.findall(flat))
    return bool(asked and said and not asked & said)


def anchor_share(q: Question, flat: str, title: str) -> float:
    """As for passages, a place the document's title names is met by all its sentences: an
    article about Beijing rarely repeats 北京 in the sentence that answers."""
    return anchors_met(q, flat, title) if q.anchors or q.places else 0.0


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
