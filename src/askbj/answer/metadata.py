# ruff: noqa: E501  (the facet patterns read best one alternation to a line)
"""Questions about a document itself — who wrote it, where it appeared, who edited or funded
it — and the lines of the document that answer them.

Such facts sit in a byline, a source note or a footnote ("作者:刘佳骏", "原载于《…》2025年第8期",
"责编:…", "基金项目:…"), lines an ordinary answer never quotes (they read as references,
not prose). A question that asks for one of these **facets** is answered from the lines that
show it, in the document its other words point to. The facets are general words about
documents in Chinese and English, and an author line is also one that names an author the
sources manifest gives for the document; nothing here knows the corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from askbj.records import Document
from askbj.text.normalize import fold

# (facet, what a question asking for it says, what a line showing it says)
_FACETS: tuple[tuple[str, str, str], ...] = (
    ("author", r"作者(?!认为|指出|提出|发现|建议|强调|写道|说|表示|主张|觉得|如何|怎么|对)|执笔|撰写|谁写|写的|撰文|\bwho (?:wrote|authored|is the author|are the authors)\b|\bwho\b[^?]{0,60}?\b(?:wrote|(?:co-?)?authored)\b|\bco-?authors?\b|\bwritten by\b|\bwho (?:is|are) behind\b|\bwhich authors?\b|\bname the authors?\b",
     r"作者(?!认为|指出|提出|发现|建议|强调|在)|执笔人?\s*[:：]|撰文"),
    ("venue", r"期刊|刊物|杂志|原载|登在|哪一?期|出处|\bjournal\b|\bmagazine\b|\bwhich issue\b|\bvenue\b|\boriginally (?:carried|appeared)\b",
     r"原载|(?<!资料)(?<!数据)来源\s*[:：]|《[^》]{2,30}》\s*\d{4}\s*年?\s*第?\s*\d{1,2}\s*期"),
    ("editor", r"责编|美编|编辑|责任编辑|\beditors?\b",
     r"责编|美编|责任编辑|编辑\s*[:：]"),
    ("funding", r"基金|资助|课题|项目编号|阶段性成果|有贡献|致谢|\bfund(?:ed|ing)\b|\bfunds?\b[^?]{0,30}?\b(?:article|paper|study|piece)\b|\bgrant\b|\bproject number\b|\backnowledg|\bcontributed to (?:the|this) (?:article|paper)\b",
     r"基金(?:项目)?\s*[:：]|本文系|阶段性成果|项目编号|对本文亦?有贡献"),
    ("affiliation", r"单位|任职|在哪(?:里|儿)?(?:工作|任教|教书)|哪(?:所|个)(?:大学|单位|机构)|职务|职称|\bwhere (?:does|do|did) (?:he|she|they) (?:work|teach)\b|\bposts?\b|\baffiliat|\bwhat (?:positions?|roles?)\b|\b(?:his|her|their) (?:jobs?|titles?|positions?)\b",
     r"教授|研究员|主任|院长|所长|讲师|博士|经理|大学|研究院"),
)
_COMPILED = tuple((name, re.compile(asks), re.compile(shows)) for name, asks, shows in _FACETS)
# A question is about the document only if it points at one ("这篇文章", "本文", "the
# article") or asks for a byline facet outright: "作者是谁", "who wrote".
_POINTS = re.compile(r"文章|本文|该文|此文|这篇|呢篇|那篇|报告|论文|\barticle\b|\bpaper\b|\breport\b|\bpiece\b|\bstudy\b")
_BYLINE = frozenset({"author", "venue", "editor", "funding"})
# Publishing words ask for a venue only of a document the question points at: "这篇文章发表在
#哪里" does, "Who published the TOP500 index?" asks about an index the text names.
_PUBLISHED = re.compile(r"发表|刊登|刊发|\bpublished\b")


@dataclass(frozen=True)
class Line:
    """A line of a document that shows one or more facets."""

    doc_id: str
    start: int
    end: int
    facets: frozenset[str]


def asked_facets(question: str) -> frozenset[str]:
    """The facets ``question`` asks for; empty when it is not about a document itself."""
    folded = re.sub(r"\baccording to [^,?]*|据[^,，?？]{0,20}(?:介绍|所说|所述)", "", fold(question))
    found = frozenset(name for name, asks, _ in _COMPILED if asks.search(folded))
    if _PUBLISHED.search(folded) and _POINTS.search(folded):
        found |= {"venue"}
    if not found & _BYLINE and not (found and _POINTS.search(folded)):
        return frozenset()
    return found


def is_byline(text: str) -> bool:
    """``text`` (a sentence) is a byline or source note: author, venue, editor or funding
    line, which answers only a question about the document itself."""
    folded = fold(text)
    return len(folded) < 200 and any(
        shows.search(folded) for name, _, shows in _COMPILED if name in _BYLINE)


def facet_lines(doc: Document) -> tuple[Line, ...]:
    """Every line of ``doc`` that shows a facet. An author's name counts as an author line
    (with the affiliation usually beside it), as does a line right after a bare "作者:"."""
    authors = [a for a in doc.authors if len(a) >= 2]
    lines: list[Line] = []
    after_label = False
    for m in re.finditer(r"[^\n]+", doc.text):
        text = fold(m.group(0)).strip()
        if not text:
            continue
        facets = {name for name, _, shows in _COMPILED if shows.search(text)} - {"affiliation"}
        if any(fold(a) in text for a in authors) or (after_label and len(text) < 80):
            # an author's own line; affiliations sit beside the name
            facets |= {"author", "affiliation"} if len(text) < 200 else {"author"}
        label = bool(re.fullmatch(r"\W*(?:作者|执笔人?|主要执笔人)\s*[:：]?\W*", text))
        after_label = label or (after_label and len(text) < 80)
        if len(text) < 400 and facets - {"affiliation"} and not label \
                and len(re.findall(r"\w", text)) >= 4:
            lines.append(Line(doc.doc_id, m.start(), m.end(), frozenset(facets)))
    return tuple(lines)


def answer_lines(asked: frozenset[str], lines: tuple[Line, ...], limit: int = 3) -> list[Line]:
    """The lines of one document that show the asked facets, most facets first, then in
    reading order; at most ``limit``."""
    useful = [ln for ln in lines if ln.facets & asked]
    if not useful:
        return []
    ranked = sorted(useful, key=lambda ln: (-len(ln.facets & asked), ln.start))[:limit]
    return sorted(ranked, key=lambda ln: ln.start)
