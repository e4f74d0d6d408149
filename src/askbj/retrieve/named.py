"""Documents a question names by an author ("焦豪的文章", "Liu Jiajun's paper", "Hao Jiao") or
by a description of its title or venue ("the National Governance article" for a text that
appeared in 《国家治理》, "the 2023 benchmark-city report", "国家治理那篇"): the names and
titles come from the index's own document metadata, never from code.

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

from askbj.domain import Domain, load_domain
from askbj.retrieve.expand import english_terms, phrases
from askbj.text.lang import is_english
from askbj.text.normalize import fold, pos_tags


class Authored(Protocol):
    @property
    def doc_id(self) -> str: ...

    @property
    def authors(self) -> tuple[str, ...]: ...

    @property
    def title(self) -> str: ...

    @property
    def venue(self) -> str: ...


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


def named_sources(question: str, docs: Iterable[Authored],
                  domain: Domain | None = None) -> tuple[frozenset[str], ...]:
    """The sources the question names by an author or a description, each as the ids of its
    documents (documents with the same authors are one source), in the order of the
    documents. A description fitting more than one source names none."""
    docs = tuple(docs)
    by_authors: dict[tuple[str, ...], set[str]] = {}
    for doc in docs:
        if doc.authors and names_author(question, doc):
            by_authors.setdefault(tuple(doc.authors), set()).add(doc.doc_id)
    for _, fits in _described(question, docs, domain):
        for doc in fits:
            by_authors.setdefault(tuple(doc.authors) or (doc.doc_id,), set()).add(doc.doc_id)
    return tuple(frozenset(ids) for ids in by_authors.values())


# "the National Governance article", "the 2023 benchmark-city report", "the paper on typical
# cities' digital economies"; "国家治理那篇", "《发展研究》上的文章", "2023年的总报告"
_POINTER_EN = r"(?:article|report|paper|piece|study|essay)s?"
_DESCRIBED_EN = re.compile(
    rf"\b(?:the|this|that)\s+((?:[\w'’-]+\s+){{0,4}}?){_POINTER_EN}\b"
    r"(?:\s+(?:on|about)\s+((?:[\w'’-]+\s*){1,5}))?", re.I)
_DESCRIBED_ZH = re.compile(r"([\u4e00-\u9fff\d《》]{2,14}?)(?:的|上的|里的|中的)?"
                           r"(?:那篇|这篇|那份|这份|一文|文章|报告|论文)")
_GENERIC_EN = frozenset("magazine journal other same first second new latest".split())


@lru_cache(maxsize=1024)
def _described(question: str, docs: tuple[Authored, ...], domain: Domain | None
               ) -> tuple[tuple[tuple[int, int], tuple[Authored, ...]], ...]:
    """Each description in ``question`` that fits exactly one source: its span and that
    source's documents."""
    domain = domain or load_domain()
    folded = fold(question)
    english = is_english(folded)
    profiles = [(d, fold(f"{d.title} {d.venue}")) for d in docs]
    found = []
    for m in (_DESCRIBED_EN if english else _DESCRIBED_ZH).finditer(folded):
        words = " ".join(g for g in m.groups() if g) if english else m.group(1)
        needs = _english_needs(words, domain) if english else _chinese_needs(words)
        fits = tuple(d for d, profile in profiles if needs and profile.strip() and all(
            any(form in profile for form in forms) for forms in needs))
        if fits and len({tuple(d.authors) or (d.doc_id,) for d in fits}) == 1:
            found.append((m.span(), fits))
    return tuple(found)


def _chinese_needs(words: str) -> list[tuple[str, ...]]:
    """What a Chinese description needs of a title or venue: each of its nouns."""
    return [(w,) for w, flag in pos_tags(words) if len(w) >= 2
            and (flag[:1] in "nmj" or flag == "vn") and not w.startswith(("那", "这"))]


def _english_needs(words: str, domain: Domain) -> list[tuple[str, ...]]:
    """What an English description needs of a title or venue: for each content word, one of
    the dictionary senses of the phrase holding it (a number: itself); [] when a word has
    no sense at all."""
    terms = [t for t in english_terms(words) if t not in _GENERIC_EN]
    senses = {w: alts for phrase, alts in phrases(words, lambda _: True, domain, limit=12)
              for w in phrase.split()}
    needs: list[tuple[str, ...]] = []
    for t in terms:
        if t.isdigit():
            needs.append((t,))
        elif senses.get(t):
            needs.append(senses[t])
        else:
            return []
    return needs


# Words pointing at a source besides the named one ("焦豪说…, 大数据中心那篇怎么说?").
_ELSEWHERE = re.compile(r"那篇|另一篇|另一份|另外一篇|那份|另一个(?:报告|文件|材料)"
                        r"|其他(?:文章|报告|材料)|[和与跟及][\u4e00-\u9fff]{1,8}?(?:报告|文章|论文)"
                        r"|\b(?:the )?other (?:article|report|paper|piece|source|document)s?\b"
                        r"|\bthe (?:[\w-]+ ){1,3}(?:article|report|paper|piece)\b")


def points_elsewhere(question: str, docs: Iterable[Authored] = (),
                     domain: Domain | None = None) -> bool:
    """The question points at a source besides any it names ("那篇", "the other paper"); a
    description naming one of ``docs`` ("the National Governance article") points at it."""
    folded = fold(question)
    docs = tuple(docs)
    for (a, b), _ in reversed(_described(question, docs, domain) if docs else []):
        folded = folded[:a] + " " + folded[b:]
    return bool(_ELSEWHERE.search(folded))


def only_source(question: str, sources: tuple[frozenset[str], ...],
                docs: Iterable[Authored] = (), domain: Domain | None = None
                ) -> frozenset[str] | None:
    """The one source the question names, when it points at no other: its sentences are the
    answer's first choice ("刘佳骏提到了哪些手段?")."""
    if len(sources) != 1 or points_elsewhere(question, docs, domain):
        return None
    return sources[0]
