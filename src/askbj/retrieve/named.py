"""Documents a question names by an author ("焦豪的文章", "Liu Jiajun's paper", "Hao Jiao"):
the names come from the index's own document metadata, never from code.

A question that names two sources ("焦豪和刘佳骏各怎么说?") is answered from both; one that
names a source and asks about another ("焦豪说是全国首个, 另一篇怎么说?") still reaches the
named one. Copies of one text by the same authors (a simplified and a traditional edition)
count as one source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Protocol

from askbj.text.normalize import fold


class Authored(Protocol):
    @property
    def doc_id(self) -> str: ...

    @property
    def authors(self) -> tuple[str, ...]: ...


def names_author(question: str, doc: Authored) -> bool:
    """The question names one of ``doc``'s authors, in Chinese or romanised either way round
    ("Jiao Hao", "Hao Jiao" for 焦豪)."""
    folded = fold(question)
    for author in (a for a in doc.authors if len(a) >= 2):
        if fold(author) in folded:
            return True
        if any(re.search(rf"\b{re.escape(form)}\b", folded) for form in _romanised(author)):
            return True
    return False


@lru_cache(maxsize=4096)
def _romanised(name: str) -> tuple[str, ...]:
    if not re.fullmatch(r"[\u4e00-\u9fff]{2,4}", name):
        return ()
    from pypinyin import lazy_pinyin

    syllables = lazy_pinyin(name)
    surname, given = syllables[0], "".join(syllables[1:])
    return (f"{surname} {given}", f"{given} {surname}", f"{surname}{given}")


def named_sources(question: str, docs: Iterable[Authored]) -> tuple[frozenset[str], ...]:
    """The sources the question names, each as the ids of its documents (documents with the
    same authors are one source), in the order of the documents."""
    by_authors: dict[tuple[str, ...], set[str]] = {}
    for doc in docs:
        if doc.authors and names_author(question, doc):
            by_authors.setdefault(tuple(doc.authors), set()).add(doc.doc_id)
    return tuple(frozenset(ids) for ids in by_authors.values())


# Words pointing at a source besides the named one ("焦豪说…, 大数据中心那篇怎么说?").
_ELSEWHERE = re.compile(r"那篇|另一篇|另一份|另外一篇|那份|另一个(?:报告|文件|材料)"
                        r"|其他(?:文章|报告|材料)|[和与跟及][\u4e00-\u9fff]{1,8}?(?:报告|文章|论文)"
                        r"|\b(?:the )?other (?:article|report|paper|piece|source|document)s?\b"
                        r"|\bthe (?:[\w-]+ ){1,3}(?:article|report|paper|piece)\b")


def points_elsewhere(question: str) -> bool:
    """The question points at a source besides any it names ("那篇", "the other paper")."""
    return bool(_ELSEWHERE.search(fold(question)))


def only_source(question: str, sources: tuple[frozenset[str], ...]) -> frozenset[str] | None:
    """The one source the question names, when it points at no other: its sentences are the
    answer's first choice ("刘佳骏提到了哪些手段?")."""
    if len(sources) != 1 or points_elsewhere(question):
        return None
    return sources[0]
