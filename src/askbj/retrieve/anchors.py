"""A question's anchors: the numbers (years, figures) and places an answering passage must
mention. A question about 2022 in 合肥 is not answered by a passage about 2023 in 北京, however
alike the rest of the wording. Place words come from jieba's part-of-speech tags (``ns``) for
Chinese and from the domain's gazetteer for English; which words name places, countries and
their aliases is the domain's data (``askbj.domain``), the rules here are general.
"""

from __future__ import annotations

import re
from functools import lru_cache

from askbj.domain import Domain
from askbj.text.lang import is_english
from askbj.text.normalize import fold, pos_tags

# a number of its own: not the 500 of a code such as TOP500 (the passage's code is matched whole);
# a full stop after it ends the sentence ("… in 2020 and 2023.")
_NUMBER = re.compile(r"(?<![\d.a-z])\d{2,}(?:\.\d+)?(?!\d|\.\d)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# "23年" said for 2023; not "近20年"/"过去20年" (twenty years).
_SHORT_YEAR = re.compile(
    r"(?<![\d.近去多这约几逾超前后了历共每第])([0-3]\d)年(?!代|间|来|内|后|前|的时间)")
_PLACE_SUFFIX = re.compile(r"(?<=..)[市省]$")
_NOT_A_PLACE = re.compile(  # words jieba tags as places that name none
    r"^(?:[两各多诸他本外我邻大全][国省市]|城市|城乡|地区|区域|国内|国外|海外|各地|当地|地方)$")
YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
# The year a source appeared ("2023年的总报告", "Jiao Hao's 2025 article") says which source,
# not what a passage must mention.
_DOC_NOUN = r"(?:总?报告|文章|论文|那篇|这篇|一文|材料|文件|版本)"
_PUBLISHED = re.compile(
    rf"(?<!\d)(?:19|20)\d\d\s*年?(?:[\u4e00-\u9fff]{{0,4}}?的|发表的|发布的|出的)?\s*{_DOC_NOUN}"
    r"|(?<!\d)(?:19|20)\d\d\s+(?:report|article|paper|piece|study|edition)s?\b")


def dated_source(question: str) -> bool:
    """The question names a source by the year it appeared ("2023年的报告", "the 2023 report")."""
    return bool(_PUBLISHED.search(fold(question)))


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
# A month name only as a date ("in May", "November 2023"), never the verb "may".
_MONTH_NAME = "|".join(_MONTHS)
_MONTH = re.compile(
    rf"\b(?:in|by|of|since|until|before|after|from)\s+({_MONTH_NAME})\b"
    rf"|\b({_MONTH_NAME})(?=\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?\d{{4}})"
)

_MONTH_RANGE = re.compile(rf"\b(?:{_MONTH_NAME})\s*(?:[-–—~]|to|through)\s*({_MONTH_NAME})\b")


@lru_cache(maxsize=1024)
def find_anchors(question: str, domain: Domain) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(numbers, places) of ``question``: what a passage that answers it must mention. A place
    is "form|form…": any one form met meets it (its aliases are the domain's, e.g. 中国|我国).
    Cached: search and answer both need them, and jieba's tagger is the slow part."""
    folded = _SHORT_YEAR.sub(lambda m: f"20{m.group(1)}年", _THOUSANDS.sub("", fold(question)))
    english = is_english(folded)
    numbers = _NUMBER.findall(_PUBLISHED.sub(" ", folded))
    if english:
        # "per 10,000 residents" is 每万人 in the text: a round English number is a unit.
        numbers = [n for n in numbers if YEAR.fullmatch(n) or not re.fullmatch(r"10+", n)]
        # "by the end of November 2023" is 2023年11月末 in the text
        # "January–November 2023" is 2023年1~11月: only the range's last month is a word
        dated = _MONTH_RANGE.sub(r"\1", folded)
        numbers += [f"{_MONTHS.index(m.group(1) or m.group(2)) + 1}月"
                    for m in _MONTH.finditer(dated)]
    places = _english_places(question, domain) if english else _chinese_places(folded, domain)
    with_aliases = (_with_aliases(p, domain) for p in places)
    return tuple(dict.fromkeys(numbers)), tuple(dict.fromkeys(with_aliases))


def _with_aliases(place: str, domain: Domain) -> str:
    """``place`` with the other words of its alias group, whichever of them was written
    (我国 stands for 中国 as 中国 does for 我国)."""
    forms = [a for form in place.split("|") for a in _group(form, domain)]
    return "|".join(dict.fromkeys(forms))


def _group(form: str, domain: Domain) -> tuple[str, ...]:
    if form in domain.place_aliases:
        return domain.place_aliases[form]
    return next(((key, *forms) for key, forms in domain.place_aliases.items() if form in forms),
                (form,))


def _english_places(question: str, domain: Domain) -> list[str]:
    lowered = question.lower()
    found = [zh for name, zh in domain.gazetteer.items()
             if re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", lowered)]
    found += [zh for name, zh in domain.acronyms.items()
              if re.search(rf"(?<![A-Za-z.]){re.escape(name)}(?![A-Za-z])", question)]
    return list(dict.fromkeys(found))


def _chinese_places(folded: str, domain: Domain) -> list[str]:
    """Place names jieba tags ``ns``, as a text would write them (see ``_place_forms``), and
    the domain gazetteer's names that the question holds as words of their own."""
    pairs = pos_tags(folded)
    places = [f for w, flag in pairs if flag == "ns" and len(w) >= 2
              for f in _place_forms(w, domain)]
    # a name of the gazetteer jieba tagged otherwise (合肥/n in 合肥数字经济…) or cut in two
    # (经/p 开区/ns): the whole name stands for the piece inside it
    words = {w for w, _ in pairs}
    named = [zh for zh in dict.fromkeys(domain.gazetteer.values())
             if zh in words or (len(zh) >= 3 and zh in folded)]
    places = [p for p in places if not any(p in zh and p != zh for zh in named)]
    places += [zh for zh in named if not any(zh in p or p in zh for p in places)]
    return list(dict.fromkeys(places))


def _place_forms(word: str, domain: Domain) -> list[str]:
    """What must appear for ``word`` to be met. jieba also tags 两国 (not a place: dropped),
    country pairs such as 中美 or 中日韩 (each partner but China, which the corpus calls
    我国 as often as 中国 — met by the partner's name or by the pair itself, as "美国|中美")
    and 首都北京; a trailing 市/省 is often dropped by texts."""
    prefix = next((p for p in domain.place_prefixes
                   if word.startswith(p) and len(word) >= len(p) + 2), "")
    word = word[len(prefix):]
    if _NOT_A_PLACE.match(word):
        return []
    partners = domain.country_partners
    if 2 <= len(word) <= 3 and all(ch in partners for ch in word):
        return [f"{partners[ch]}|{word}" for ch in word if ch != domain.home_partner]
    return [_PLACE_SUFFIX.sub("", word)] if len(word) >= 2 else []


def place_met(place: str, squashed: str) -> bool:
    """Some form of ``place`` ("美国|美方|中美": any of them) occurs in ``squashed``."""
    return any(form in squashed for form in place.split("|"))


def contains(haystack: str, term: str) -> bool:
    """``term`` in squashed ``haystack``; digits and latin letters must not run on."""
    if term[:1].isdigit():  # a number may follow letters ("top 500" is in "TOP500")
        return re.search(rf"(?<![0-9.]){re.escape(term)}(?![0-9a-z])", haystack) is not None
    if term[:1].isascii() and term[:1].isalpha():
        return re.search(rf"(?<![0-9a-z.]){re.escape(term)}(?![0-9a-z])", haystack) is not None
    return term in haystack


def dates_title(anchor: str, title: str) -> bool:
    """The year ``anchor`` dates the document's title ("2023年北京…发展报告"): a report on
    that year states its figures without repeating the year."""
    return bool(title) and bool(YEAR.fullmatch(anchor)) and bool(
        re.match(rf"\W*{anchor}\s*年", title))


def share_met(numbers: tuple[str, ...], places: tuple[str, ...], squashed: str,
              title: str = "", dated_by_title: bool = True) -> float:
    """``anchors_met`` for anchors from ``find_anchors``. Places compared by the question
    ("北京和广州的交易所各有什么特点?") are rarely in one passage: of two or more places,
    one is enough for a passage; the answer gathers the others from other passages."""
    if not numbers and not places:
        return 1.0
    met = sum(contains(squashed, a) or (dated_by_title and dates_title(a, title))
              for a in numbers)
    found = sum(place_met(p, squashed) or place_met(p, title) for p in places)
    met += len(places) if found and len(places) > 1 else found
    return met / (len(numbers) + len(places))
