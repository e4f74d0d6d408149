# ruff: noqa: E501  (word lists and Chinese examples read best whole)
"""What a question part is about and which detail it asks for, in the question's own words:
the X and Y of "文档提到了X[1]，但没有给出Y。" / "The documents cover X [1] but do not give Y."

The topic is the run of noun-like words before the question word (jieba part-of-speech
tags; prepositions, pronouns, adverbs and predicate verbs such as 是/有/达到 end a run). The
detail is the noun the question word asks after (多少家**企业**, 几座**基站**: "企业的数量"),
else the attribute that ends the topic (算力券的**补贴比例**, 数字经济**增加值**), else what
the kind itself asks for (具体时间, 具体人名或机构 …). General grammar only: nothing here knows
the corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from askbj.text.normalize import pos_tags

# Tags that never belong to a noun phrase: punctuation, prepositions, pronouns, adverbs,
# conjunctions, particles, modal/auxiliary words, localisers (上/中), time words (正在/目前).
_BREAK = ("x", "p", "r", "d", "c", "u", "y", "e", "o", "f", "t", "z")
# Verbs that link a subject to the asked value; other verbs (建设, 跳台 …) may sit in a name.
_PREDICATES = frozenset("是 有 为 在 达 达到 拥有 提到 认为 表示 指出 设 设在 位于 约 共 累计 搞 建 能 "
                        "能够 可以 可 会 将 要 需要 占 带来 实现 高出 增加 增长 提高 提升 截至 截止 说 "
                        "提出 显示 称 给出 给 获得 得到 达成 做到 超过 投入 用 花".split())
# Measure nouns that name the asked attribute only together with the word before them
# (补贴 + 比例, 企业 + 数量).
_MEASURES = frozenset("比例 比重 占比 份额 数量 总数 规模 金额 总额 水平 增速 速度 时间 日期 名称 范围".split())
_FILLER = frozenset("现任 目前 现在 当前 具体 大概 大约 一共 总共 累计 主要 分别 各自 其中".split())
_KIND_DETAIL = {
    "amount": "具体数字", "count": "具体数量", "percent": "具体比例", "date": "具体时间",
    "person": "具体人名或机构", "org": "具体机构", "place": "具体地点", "difference": "可比较的数字",
    "howto": "具体办理方法",
}
_KIND_DETAIL_EN = {"date": "the date", "person": "the name", "org": "the organisation",
                   "howto": "the steps",
                   "place": "the place", "difference": "figures to compare"}


@dataclass(frozen=True)
class _Word:
    text: str
    flag: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def nounish(self) -> bool:
        if self.flag.startswith(_BREAK) and not (self.flag == "t" and re.search(r"\d", self.text)):
            return False
        return not (self.flag.startswith("v") and self.flag != "vn" and self.text in _PREDICATES)


def _cut(text: str) -> list[_Word]:
    pairs = pos_tags(text)
    words: list[_Word] = []
    at = 0
    for word, flag in pairs:
        if words and re.fullmatch(r"[a-z0-9.]+", word) and re.fullmatch(r"[a-z0-9.]+", words[-1].text):
            words[-1] = _Word(words[-1].text + word, "eng", words[-1].start)  # 5 + g → 5g
        else:
            words.append(_Word(word, flag, at))
        at += len(word)
    return words


def _snap(clause: str, start: int) -> int:
    """``start`` moved back to the beginning of the word it falls in (国产|化率 → 国产化率)."""
    for w in _cut(clause):
        if w.start <= start < w.end:
            return w.start
    return start


def chinese(clause: str, start: int, end: int, kind: str) -> tuple[str, str]:
    """(topic, detail) of a folded Chinese clause whose question word spans [start, end)."""
    start = _snap(clause, start)
    before, after = clause[:start], clause[end:]
    lead = re.match(r"[\u4e00-\u9fff]{2,5}?(?=是|为|有|达|约|大|多少|几|多高|怎|如何|什么|$)",
                    clause[start:end])
    measure = lead.group(0) if lead and (lead.group(0).endswith(tuple(_MEASURES))
                                         or lead.group(0)[-1] in "率额值量") else ""
    segment, offset = _subject_segment(before)
    words = _cut(segment)
    last = max((i for i, w in enumerate(words) if w.nounish and w.flag != "m"), default=-1)
    if last < 0:
        return "", measure or _after_detail(after, kind) or _KIND_DETAIL.get(kind, "")
    first = next(i for i, w in enumerate(words) if w.nounish)
    topic_words = words[first : last + 1]
    detail = _after_detail(after, kind) if offset == len(before) - len(segment) else ""
    if detail:
        return _trim(topic_words), detail
    at = _attribute_start(topic_words, named=kind in ("person", "org", "place"))
    if measure:  # 补贴|比例是多少, 这些领域|国产化率大概多少: the measure ends the detail
        joined = at > 0 and topic_words[at - 1].text == "的"
        attribute = "".join(w.text for w in topic_words[at:]) if joined else ""
        return _trim(topic_words[:at] if joined else topic_words), attribute + measure
    if at == 0 or kind == "date":
        verb = _verb(after) if kind == "date" else ""
        return _trim(topic_words), (f"{verb}的时间" if verb else _KIND_DETAIL.get(kind, ""))
    return _trim(topic_words[:at]), "".join(w.text for w in topic_words[at:])


def _subject_segment(before: str) -> tuple[str, int]:
    """The comma-separated piece before the question word that holds its subject: the last
    one with a noun, since "报告提到的先行区,是以哪个地区…" asks about the piece before."""
    pieces = re.split(r"[,，;；]", before)
    at = len(before)
    for piece in reversed(pieces):
        at -= len(piece)
        if any(w.nounish and w.flag != "m" and len(w.text) >= 2 for w in _cut(piece)):
            return piece, at
        at -= 1
    return pieces[-1] if pieces else "", len(before) - len(pieces[-1] if pieces else "")


def _attribute_start(words: list[_Word], named: bool) -> int:
    """Where the asked attribute begins in a noun run: after a 的 (算力券的**补贴比例**), else
    at a last word that names an attribute: a measure noun (规模) or a word of three or more
    characters, with a one-character prefix (**增加值**, 总+投资), unless a name is asked
    (谁建的 asks of the whole 商用海底数据中心). 0: no attribute (the run is the entity
    itself, and the kind says what is asked)."""
    joins = [i for i, w in enumerate(words) if w.text == "的"]
    if joins and joins[-1] < len(words) - 1:
        return joins[-1] + 1
    at = len(words) - 1
    if at > 0 and len(words[at - 1].text) == 1 and words[at - 1].flag != "m":
        at -= 1
    last = "".join(w.text for w in words[at:])
    return at if words[-1].text in _MEASURES or (len(last) >= 3 and not named) else 0


def _after_detail(after: str, kind: str) -> str:
    """The noun the question word asks after: 多少家**人工智能核心企业** → 人工智能核心企业的数量."""
    if kind not in ("count", "amount"):
        return ""
    run: list[str] = []
    for w in _cut(re.split(r"[,，、。;；和及与]", after)[0]):
        if not (w.flag.startswith(("n", "vn", "eng", "j")) and not _WH.search(w.text)):
            if run or w.flag not in ("q", "m"):
                break
            continue
        run.append(w.text)
    noun = "".join(run)
    if not re.search(r"[\u4e00-\u9fff]{2}", noun) or re.fullmatch(r"[万亿千百]*(?:美?元|人)", noun):
        return ""
    return f"{noun}的数量" if kind == "count" else noun


_WH = re.compile(r"多少|多大|多高|多长|哪|什么|几|何|谁|怎")


def _verb(after: str) -> str:
    """The event a date question asks about: 是哪一天正式**挂牌**的 → 挂牌."""
    verbs = [w.text for w in _cut(after) if w.flag.startswith("v") and len(w.text) >= 2]
    return verbs[0] if verbs else ""


def _trim(words: list[_Word]) -> str:
    while words and (words[-1].text in _FILLER or words[-1].text == "的" or not words[-1].nounish):
        words = words[:-1]
    while words and (words[0].text in _FILLER or not words[0].nounish):
        words = words[1:]
    return "".join(w.text for w in words)


_EN_CUT = re.compile(r"\b(?:did|does|do|has|have|had|is|are|was|were|will|can|could|in|of|for|"
                     r"by|at|on|to|from|with|during|since|as|that|which|made|make|get|got)\b")
_AUX = re.compile(r"^(?:\s*(?:did|does|do|has|have|had|is|are|was|were|the|a|an)\b)+")


def _named_role(rest: str, asked: str) -> str:
    """The detail a "who is the mayor of …" or "opening hours" question names itself."""
    if not re.match(r"(?:what|when|who|whom|whose|where|which|how|since)\b", asked):
        return f"the {asked.strip()}"
    m = re.match(r"\s*(?:is|are|was|were)\s+the\s+(.*)", rest)
    noun = _EN_CUT.split(m.group(1), maxsplit=1)[0].strip(" ,?.") if m else ""
    return f"the {noun}" if 0 < len(noun.split()) <= 5 else ""


def english(clause: str, start: int, end: int, kind: str, asked: str) -> str:
    """The detail an English part asks for: "how many 5G base stations did…" → "the number
    of 5G base stations"; "what PUE target…" → "the PUE target"."""
    if kind in _KIND_DETAIL_EN:
        return _named_role(clause[end:], asked) or _KIND_DETAIL_EN[kind]
    inner = asked.split(maxsplit=1)
    if inner[0] == "what" and len(inner) == 2:  # "what PUE target" → the PUE target
        noun = _AUX.sub("", inner[1]).strip()
        return noun if "'s " in noun else f"the {noun}"
    rest = _AUX.sub("", clause[end:]).strip(" ?.")
    noun = _EN_CUT.split(rest, maxsplit=1)[0].strip(" ,")
    words = noun.split()
    if kind == "count" and 0 < len(words) <= 6:
        return f"the number of {noun}"
    return {"percent": "that share or rate", "count": "that number"}.get(kind, "that figure")
