"""References to an item of an earlier answer ("第二个方面", "the third one", "最后一个"):
which position is meant, and which item of askbj's answer is at that position (by its own
markers 二是/(二)/②, an inline series "从A、B、C与D四方面", or its n-th sentence)."""

from __future__ import annotations

import re

from askbj.text.enumerations import item_of, ordinal
from askbj.text.normalize import pos_tags

_ZH_NUM = "一二三四五六七八九十两"


ORDINALS_EN = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
                "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2,
                "3rd": 3, "last": -1}


def ordinal_of(m: re.Match[str]) -> int:
    """The position a list reference names (1-based; -1 for the last)."""
    groups = [g for g in m.groups() if g]
    token = groups[0] if groups else ""
    if token in ("最后", "last") or token.lower() == "last":
        return -1
    if token.lower() in ORDINALS_EN:
        return ORDINALS_EN[token.lower()]
    if re.fullmatch(r"\d{1,2}(?:th)?", token, re.I):
        return int(re.sub(r"\D", "", token))
    return ordinal(token.replace("两", "二"))


_EN_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
              "nine": 9, "ten": 10}
_ZH_COUNT = re.compile(rf"(?<![{_ZH_NUM}第])([{_ZH_NUM}])"
                       r"(?:个|大|项|条|点|种|类|位|方面|环节|层面)")
_EN_COUNT = re.compile(rf"\b({'|'.join(_EN_COUNTS)})\s+(?:[a-z'-]+\s+){{0,3}}?[a-z'-]+s\b", re.I)


def asked_count(question: str) -> int:
    """How many items a list question asks for ("哪四个方面", "三位一体", "what five
    directions"); 0 when it names no number."""
    m = _EN_COUNT.search(question)
    if m:
        return _EN_COUNTS[m.group(1).lower()]
    m = _ZH_COUNT.search(question)
    return ordinal(m.group(1).replace("两", "二")) if m else 0


_COUNTED = r"(?:个|大|项|条|点|种|类|位|方面|环节|层面|方向|领域|部分|件|家)"


def states_count(text: str, n: int, nouns: tuple[str, ...] = ()) -> bool:
    """``text`` says it has ``n`` items ("从…四方面", "三类产业", "5个智能算力中心"), or
    puts the number right before one of the question's ``nouns`` ("三路径" for "three
    paths"): the sentence that sums up the list a question asked "what four …" of."""
    if not 0 < n <= 10:
        return False
    numeral = "一二三四五六七八九十"[n - 1] + ("两" if n == 2 else "")
    counted = "|".join([_COUNTED, *(re.escape(x) for x in nouns if len(x) >= 2)])
    return bool(re.search(rf"(?<![{_ZH_NUM}第\d])(?:[{numeral}]|{n}\s*)(?:{counted})", text))


def pick_item(items: tuple[str, ...], n: int, count: int = 0) -> str | None:
    """Item ``n`` of an answer: by its own marker (二是, (二), ②) when the answer is a marked
    list; else element ``n`` of a series one of its sentences lists ("从A、B、C与D四方面"),
    of the ``count`` items the question asked for when it named a number; else its ``n``-th
    sentence, unless the question asked for more items than the answer has sentences."""
    if not items or n == 0:
        return None
    marked: dict[int, str] = {}
    for it in items:
        found = item_of(it, 0, len(it))
        if found:
            marked.setdefault(found.ordinal, it)
    if len(marked) >= 2:
        return marked[max(marked)] if n == -1 else marked.get(n)
    series = _series(items, count)
    if len(series) >= max(n, 3):
        return series[n - 1] if n > 0 else series[-1]
    if count > len(items):  # prose about the list, not the list itself
        return None
    if n == -1:
        return items[-1]
    return items[n - 1] if n <= len(items) else None


def _series(items: tuple[str, ...], count: int) -> list[str]:
    """The series the answer lists: the one of ``count`` elements in any of its sentences
    when a count was asked, else the first sentence's."""
    if count:
        exact = next((s for it in items if len(s := inline_series(it)) == count), None)
        if exact:
            return exact
    return inline_series(items[0])


_SERIES = re.compile(r"[^，,；;。：:、“”]{2,24}(?:、[^，,；;。：:、“”]{2,24}){1,}"
                     r"(?:[和与及][^，,；;。：:、“”]{2,24})?")


_SERIES_OPEN = re.compile(r"从|包括|包含|涵盖|围绕|聚焦|通过")
_SERIES_LEAD = re.compile(r"^.*(?:从|在|包括|包含|涵盖|即|有|是|为|对|围绕|聚焦|通过)")


_SERIES_TAIL = re.compile(rf"(?:等)?[{_ZH_NUM}\d]+(?:个|大|项)?(?:方面|领域|点|项|类|种|个|环节|"
                          rf"位一体|任务|措施|重点)[^、]*$|等[^、]{{0,6}}$")


# "“汇聚–登记–运营–交易–治理”五位一体": short steps joined by dashes
_DASHED = re.compile(r"[\u4e00-\u9fff]{1,8}(?:\s*[–—－-]\s*[\u4e00-\u9fff]{1,8}){2,}")


def inline_series(sentence: str) -> list[str]:
    """The elements of the longest inline series in ``sentence`` ("从A、B、C与D四方面采取措施"
    → [A, B, C, D]; "“汇聚–登记–运营”三位一体" → [汇聚, 登记, 运营]); [] when there is none
    of three or more."""
    runs = sorted(_SERIES.findall(sentence), key=lambda r: r.count("、"), reverse=True)
    dashed = max(_DASHED.finditer(sentence), key=lambda m: len(m.group(0)), default=None)
    steps = [p.strip() for p in re.split(r"[–—－-]", dashed.group(0))] if dashed else []
    if dashed and len(steps) >= 3 and (not runs or len(steps) > runs[0].count("、") + 1):
        head = _head_noun(sentence[dashed.end():])  # "…”五位一体的…机制": 运营 → 运营机制
        return [p if not head or p.endswith(head) else p + head for p in steps]
    if not runs:
        return []
    parts = runs[0].split("、")
    last = re.split(r"以及|[和与及]", parts[-1], maxsplit=1)
    parts = [*parts[:-1], *last]
    # "基于A、B著力从C、D与E四方面": the series the sentence announces starts at 从
    opens = [i for i, p in enumerate(parts[:-2]) if _SERIES_OPEN.search(p)]
    parts = parts[opens[-1]:] if opens else parts
    parts[0] = _SERIES_LEAD.sub("", parts[0])
    parts[-1] = _SERIES_TAIL.sub("", parts[-1])
    return [p.strip() for p in parts if len(p.strip()) >= 2] if len(parts) >= 3 else []


def _head_noun(tail: str) -> str:
    """The noun a run of steps names, in the words after it up to the first conjunction or
    comma ("”五位一体的数据要素市场化机制和手段" → 机制, "”三个主要环节" → 环节)."""
    phrase = re.split(r"[和与及,，;；。:：]", tail, maxsplit=1)[0]
    nouns = [w for w, flag in pos_tags(phrase) if flag.startswith("n") and len(w) >= 2]
    return nouns[-1] if nouns else ""


_MARKER = re.compile(r"^.{0,6}?(?:[一二三四五六七八九十]{1,2}是|第[一二三四五六七八九十]{1,2}"
                     r"(?=[,，、:：])|[(（][^)）]{1,3}[)）]|[①-⑳]|\d{1,2}[、.．])\s*[,，、:：]?")


def key_phrase(item: str, limit: int) -> str:
    """An item by its opening clause, marker dropped: "二是建设高水平数据交易平台，…" →
    "建设高水平数据交易平台"; a gloss in brackets too: "全国标杆(细分领域全国领先)" →
    "全国标杆"."""
    text = _MARKER.sub("", item, count=1) if item_of(item, 0, len(item)) else item
    text = re.sub(r"[(（][^()（）]{2,30}[)）]", "", text).strip() or text
    parts = [p for p in re.split(r"[，,；;：:。！？!?]", text) if p.strip()]
    key = ""
    for p in parts:
        key = f"{key}，{p}" if key else p
        if len(key) >= 4:
            break
    return key.strip()[:limit]
