"""Noun phrases of a conversation's text, for the follow-up rules: the runs of nouns jieba
tags (北京/国际/大/数据/交易所 → 北京国际大数据交易所), the phrase of a text holding a word,
the noun a "which X" question asks for, what an English question is about (its capitalised
name, its object, the thing a "which X has …" question describes), the measure a phrase ends
in (增加值), and a question asked about another year. General rules, no corpus words."""

from __future__ import annotations

import re
import unicodedata

from askbj.retrieve.anchors import YEAR
from askbj.text.lang import CJK
from askbj.text.normalize import pos_tags, to_simplified

PLACE_HEADS = re.compile(r"^(?:区|市|城市|省|县|地方|地区|城|国家|district|city|place|"
                         r"province|region|country|area)s?$", re.I)
NOUNISH = frozenset({"n", "nz", "nt", "nr", "nrt", "nrfg", "ns", "vn", "eng", "j", "an", "nw"})
QUESTIONISH = re.compile(r"什么|哪|谁|多少|几|怎|如何|是否|吗|呢|么")


def plain_text(text: str) -> str:
    """Width-folded, simplified text, case kept (what the rules match and rewrite); an
    English question's Chinese gloss in brackets dropped ("Chang'an Chain (长安链)")."""
    plain = to_simplified(unicodedata.normalize("NFKC", text)).strip()
    bare = re.sub(r"\s*\([^()]*[\u4e00-\u9fff][^()]*\)", "", plain)
    return bare if bare != plain and in_english(bare) else plain


def in_english(text: str) -> bool:
    return not CJK.search(text) and bool(re.search(r"[A-Za-z]", text))


def noun_runs(text: str) -> list[str]:
    """Runs of noun-like words in order (北京/国际/大/数据/交易所 → 北京国际大数据交易所); up to
    two short modifiers (大, 新设) may sit inside a run when a noun follows them."""
    tags = pos_tags(text)
    runs, current, i = [], "", 0
    while i < len(tags):
        word, flag = tags[i]
        numeral = flag == "m" and i + 1 < len(tags) and tags[i + 1][1] in NOUNISH
        bound = flag == "ng" and bool(current)  # 长安/链: a noun morpheme ends the run
        if (flag in NOUNISH or numeral or bound) and not QUESTIONISH.search(word) \
                and not (word.isdigit() and not numeral):
            current, i = current + word, i + 1
            continue
        bridge = [w for w, _ in tags[i : i + 2]]
        ahead = next((j for j in range(i, min(i + 2, len(tags)))
                      if tags[j][1] in NOUNISH), None)
        if current and ahead is not None and all(
                tags[j][1] in ("a", "b", "v") and len(tags[j][0]) <= 2 for j in range(i, ahead)):
            current += "".join(bridge[: ahead - i])
            i = ahead
            continue
        if current:
            runs.append(current)
        current, i = "", i + 1
    return [r for r in (*runs, current) if r and not re.fullmatch(r"\W+", r)]


def first_noun_run(text: str) -> str:
    runs = [r for r in noun_runs(text) if not YEAR.fullmatch(r)]
    return runs[0] if runs else ""


def phrase_with(head: str, text: str) -> str:
    """The first noun phrase of ``text`` that holds ``head`` and says more than it."""
    return next((r for r in noun_runs(plain_text(text)) if head in r and len(r) > len(head)), "")


_WHICH_ZH = re.compile(r"(?:哪个|哪家|哪一个|哪一|什么样?的?)(?=[\u4e00-\u9fff])")


def asked_head(question: str) -> str:
    """The noun a "which X" question asks for: 平台 of "推出了什么平台?", 公司 of
    "是哪家公司建成的?" (the word jieba reads after 哪家)."""
    m = _WHICH_ZH.search(question)
    if not m:
        return ""
    short = re.match(r"[\u4e00-\u9fff]{1,4}?(?=是|[?？,，]|$)", question[m.end():])
    if short:
        return short.group(0)
    words = pos_tags(question[m.end():])
    run = []  # the noun run: 工业 互联网 平台 asks for a 平台
    for w, flag in words:
        if flag not in NOUNISH:
            break
        run.append(w)
    return run[-1] if run else ""


WHICH_EN = re.compile(r"\b(?:which|what)\s+(?:company|companies|firm|organi[sz]ation|agency|body"
                       r"|institution|enterprise)\b", re.I)
_OBJECT_EN = re.compile(r"\b(?:the|a|an)\s+((?:[\w'-]+\s+){0,6}?[\w'-]+?)(?=\s+(?:in|of|for|at|on|"
                        r"by|with|that|which|did|does|was|were|is|are)\b|\s*[?.!]*$)", re.I)


def object_phrase(question: str) -> str:
    """The noun phrase a lower-case question is about: "which company built the world's first
    commercial undersea data center?" → world's first commercial undersea data center."""
    found = [m.group(1) for m in _OBJECT_EN.finditer(question)]
    return max(found, key=len) if found else ""


_WHICH_THING = re.compile(r"^(?:which|what)\s+((?:[\w'’-]+\s+){0,6}?[\w'’-]+)\s+"
                         r"(has|have|had|is|are|was|were|will|can)\s+(.+?)[?.!\s]*$", re.I)


def described(question: str) -> str:
    """"Which industrial internet platform in Beijing has served 20,000 firms?" asks for a
    thing by what it did: later it is "the industrial internet platform in Beijing that has
    served 20,000 firms"."""
    m = _WHICH_THING.match(question.strip())
    if not m or PLACE_HEADS.match(m.group(1).split()[-1]):
        return ""
    return f"the {m.group(1)} that {m.group(2)} {m.group(3)}"


def named_head(head: str, question: str) -> str:
    """The phrase of an English ``question`` ending in ``head`` ("the academic organization
    'Qingyuan Society'" for society; "autonomous driving platform" for platform)."""
    if not head:
        return ""
    quoted = re.search(rf"['‘\"“]([^'’\"”]*\b{re.escape(head)})['’\"”]", question, re.I)
    if quoted:
        return quoted.group(1)
    m = re.search(rf"((?:[\w'’-]+\s+){{0,3}}{re.escape(head)})\b", question, re.I)
    if not m:
        return ""
    phrase = re.sub(r"^.*\b\w+['’]s\s+", "", m.group(1))  # "company's platform": the platform
    return re.sub(r"^(?:the|a|an|which|what|whose)\s+", "", phrase, flags=re.I)


def english_subject(question: str) -> str:
    """The longest run of capitalised words, the question's first word aside."""
    words = question.split()
    runs, current = [], []
    for i, w in enumerate(words):
        clean = re.sub(r"(?:'s|’s)?[^\w'-]*$", "", w)
        if i > 0 and re.match(r"[A-Z0-9]", clean) and clean:
            current.append(clean)
            if clean != w:
                runs.append(current)
                current = []
        else:
            if current:
                runs.append(current)
            current = []
    runs.append(current)
    best = max(runs, key=len)
    return " ".join(best)


_SHORT_YEAR = re.compile(r"(?<![\d.])([0-3]\d)年")
# Words that name a measured attribute rather than a thing (增加值, 成交额, 增长率, 规模).
MEASURE = re.compile(r"(?:值|额|率|量|比重|占比|比例|规模|收入|增速|价格|成本|数量|人数|总量|产值|"
                      r"份额|排名|时间|面积|速度|水平|金额|数目|个数|家数)$")


def measure_suffix(phrase: str) -> str:
    """The trailing words of ``phrase`` that name a measure (北京数字经济增加值 → 增加值)."""
    words = [w for w, _ in pos_tags(phrase)]
    suffix = ""
    while words and MEASURE.search(words[-1]):
        suffix = words.pop() + suffix
    return suffix


def put_year(text: str, year: str) -> str:
    """``text`` asked about ``year`` instead of its own (or with it added)."""
    m = re.search(r"(?<!\d)(?:19|20)\d\d(?!\d)", text)
    if m:
        return text[: m.start()] + year + text[m.end() :]
    m = _SHORT_YEAR.search(text)
    if m:
        return text[: m.start()] + f"{year}年" + text[m.end() :]
    if in_english(text):
        return re.sub(r"\s*[?.]*$", f" in {year}?", text, count=1)
    return f"{year}年{text}"
