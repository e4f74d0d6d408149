"""Folding text to one comparable form, and cutting it into BM25 terms.

Questions arrive in simplified or traditional script, full- or half-width; documents too.
Matching happens on a folded copy (NFKC, traditional → simplified, lowercase) while users
always see the original text. Heavy libraries (OpenCC, jieba) load lazily, once.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

from askbj.text.lang import WORD

PINYIN_GLOSS = re.compile(r"(?<=[\u3400-\u9fff])[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,8}[)）]")
_lock = threading.Lock()

# Function words that carry no retrieval signal in either language.
STOPWORDS = frozenset(
    "的 了 和 与 及 是 在 也 就 都 而 或 等 对 为 以 于 中 上 下 之 其 这 那 个 有 被 把 从 向 "
    "到 由 将 并 又 该 各 所 吗 呢 吧 啊 什么 哪些 怎么 如何 为什么 多少 哪 几 是否 分别 "
    "里 说 提到 文章 报告 作者 认为 哪几 方面 一个 一些 这些 那些 通过 进行 "
    "a an the of to in on for and or is are was were be by with as at from that this "
    "what which who how why when where does did do according its it their they".split()
)


@lru_cache(maxsize=4)  # t2s, s2t, tw2sp: building one takes ~20 ms
def _converter(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


# Lone surrogates: what a terminal's non-UTF-8 bytes become in sys.argv (surrogateescape).
# They are not text: OpenCC, the model and UTF-8 output all refuse them.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD."""
    return LONE_SURROGATE.sub("\ufffd", text)


def to_simplified(text: str) -> str:
    with _lock:
        return _converter("t2s").convert(text)


def to_traditional(text: str) -> str:
    with _lock:
        return _converter("s2t").convert(text)


def fold(text: str) -> str:
    """The matching form: no pinyin glosses, NFKC width, simplified script, lowercase."""
    text = PINYIN_GLOSS.sub("", text)
    return to_simplified(unicodedata.normalize("NFKC", text)).lower()


def squash(text: str) -> str:
    """``fold`` without any whitespace: the form gold evidence is judged in."""
    return re.sub(r"\s+", "", fold(text))


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


@lru_cache(maxsize=1)
def _posseg() -> Any:
    _jieba()  # the dictionary loads once, quietly
    import jieba.posseg as posseg

    return posseg


@lru_cache(maxsize=4096)
def pos_tags(text: str) -> tuple[tuple[str, str], ...]:
    """jieba's (word, part-of-speech flag) pairs for ``text``, in order, cached. Every caller
    tags through here, under the lock ``tokenize`` holds: both use jieba's one dictionary."""
    posseg = _posseg()
    with _lock:
        return tuple((p.word, p.flag) for p in posseg.cut(text))


# How a question asks, not what about: 具体 before 怎么/哪些/什么, the pro-verb after 怎么
# ("具体怎么做?" is answered by what is done, not by a sentence saying 具体 or 做出), and the
# verb of a definition request ("文中怎么定义数据?" is answered by "数据是…", not by 软件定义存储)
# and a pointer at the document itself (文中, 本文)
ASKING = re.compile(r"具体(?=.{0,4}?(?:怎么|如何|怎样|哪些|什么|是))"
                    r"|(?<=怎么|如何|怎样)(?:做|办|干|搞)的?"
                    r"|(?<=怎么|如何|怎样)(?:定义|界定)|(?:的)?定义(?=是什么|是啥|为何|[?？]?$)"
                    r"|(?:在)?(?:文中|本文中?|该文中?|文章中|此文中?)")  # where: the document asked


def tokenize(text: str) -> list[str]:
    """BM25 terms: jieba search-mode words of the folded text, minus stopwords and punctuation."""
    jb = _jieba()
    folded = fold(text)
    with _lock:
        words = jb.lcut_for_search(folded)
    return [w for w in (w.strip() for w in words) if w and WORD.search(w) and w not in STOPWORDS]


def looks_traditional(text: str) -> bool:
    """True when converting to simplified changes a noticeable share of the CJK characters."""
    cjk = [c for c in text if "\u3400" <= c <= "\u9fff"]
    if not cjk:
        return False
    simplified = to_simplified("".join(cjk))
    changed = sum(a != b for a, b in zip(cjk, simplified, strict=True))
    return changed >= max(1, len(cjk) // 20)


def mainland_wording(text: str, known: Callable[[str], bool]) -> str:
    """A traditional question in Taiwan wording (記憶體, 寬頻, 作業系統) in the mainland
    wording the documents use (內存, 寬帶, 操作系統), still in traditional characters.
    OpenCC's Taiwan phrase table (tw2sp) proposes each change; a change is taken only where
    the question's own word is unknown to the documents (``known``) and the proposed one is
    known: tw2sp also turns 核心 into 内核 and 智慧 into 智能, words these documents use as
    written. Simplified text is returned unchanged."""
    if not looks_traditional(text):
        return text
    simplified = to_simplified(text)
    with _lock:
        mainland = _converter("tw2sp").convert(text)
    if mainland == simplified:
        return text
    ops = SequenceMatcher(None, simplified, mainland, autojunk=False).get_opcodes()
    bounds = {0, len(simplified)}
    at = 0
    for word in _words_of(simplified):
        at += len(word)
        bounds.add(at)
    spans: list[list[int]] = []  # [start, end) in ``simplified``, whole words
    for tag, i1, i2, _, _ in ops:
        if tag == "equal":
            continue
        s, e = max(b for b in bounds if b <= i1), min(b for b in bounds if b >= max(i2, i1 + 1))
        if spans and s < spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], e)
        else:
            spans.append([s, e])
    out, last = [], 0
    for s, e in spans:
        old, new = simplified[s:e], _mapped(ops, mainland, s, e)
        if new != old and not known(old) and known(new):
            out += [simplified[last:s], new]
            last = e
    if not out:
        return text
    return to_traditional("".join(out) + simplified[last:])


def _words_of(text: str) -> list[str]:
    jb = _jieba()
    with _lock:
        return list(jb.cut(text))


def _mapped(ops: Sequence[tuple[str, int, int, int, int]], b: str, s: int, e: int) -> str:
    """``[s, e)`` of the aligned text as the text ``b`` has in its place (``ops`` align that
    text to ``b``)."""
    def where(p: int, end: bool) -> int:
        for tag, i1, i2, j1, j2 in ops:
            if i1 <= p <= i2 and (tag == "equal" or p in (i1, i2)):
                if tag == "equal":
                    return j1 + p - i1
                return j2 if (p == i2 and (end or i1 == i2)) else j1
        return len(b) if end else 0
    return b[where(s, False) : where(e, True)]


def target_script(question: str, script: str) -> str:
    """The script an answer is written in: ``script``, or for "auto" the question's own."""
    if script != "auto":
        return script
    return "traditional" if looks_traditional(question) else "simplified"
