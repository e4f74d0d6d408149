"""Cited answers without an LLM: pick the sentences of the retrieved passages that carry the
question's terms, attach a verified citation to each, or abstain.

Offline and on two CPU cores, an extractive answer is the only one we can both afford and
trust: every sentence shown is a sentence of a source, so a citation can be checked by
string equality rather than believed. Sentences are scored lexically (see ``support``)
because embedding them at query time would cost about a second per question; the passage's
search rank stands in for semantic similarity. When no passage carries the question's
anchors and enough of its terms, saying so beats quoting something merely nearby.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from askbj.answer import metadata, smalltalk, wording
from askbj.answer.answer_type import (
    ABSENT,
    LIST,
    VALUE_KINDS,
    YESNO,
    AnswerType,
    asks_which,
    classify,
)
from askbj.answer.citations import verified
from askbj.answer.compose import Pick, readable_order, render, select
from askbj.answer.evidence import (
    Assessment,
    Support,
    anchor_share,
    anchors_met,
    coverage,
    other_year,
    passage_coverage,
    topic_share,
)
from askbj.answer.followup import Resolver, Turn
from askbj.answer.holds import part_met
from askbj.answer.lead import LIMIT, Candidate, Side, choose, defining_first, names_side, off_level
from askbj.answer.question import Question, TermStats, analyze
from askbj.answer.references import asked_count, states_count
from askbj.answer.sentences import SentenceWeights, too_thin
from askbj.errors import AskbjError
from askbj.index.store import DocumentsById
from askbj.ingest.chunk import Section, sections
from askbj.records import Answer, Chunk, Citation, Hit
from askbj.retrieve.anchors import YEAR, find_anchors, place_met
from askbj.retrieve.named import named_sources, names_author, only_source, points_elsewhere
from askbj.retrieve.searcher import Query, Searcher, prepare_query
from askbj.retrieve.spread import compares_sources
from askbj.text import enumerations as listing
from askbj.text import tables
from askbj.text.lang import WORD
from askbj.text.normalize import (
    fold,
    looks_traditional,
    squash,
    target_script,
    to_traditional,
)
from askbj.text.quotes import find_quote
from askbj.text.sentences import sentence_spans

ABSTAIN_TEXT = "文档中没有找到与该问题直接相关的内容。"
ABSTAIN_EN = "No passage in the documents directly answers this question."
NO_WORDS = "The question has no words to search for: ask in Chinese or English."
SCRIPTS = ("auto", "simplified", "traditional")
# Calibrated on the dev set by bench/calibrate_abstain.py (see bench/abstain_calibration.md).
MIN_SUPPORT = 0.3
# A question asking for a value no sentence holds gets "the documents mention X but do not
# give Y" when its other terms cover this share of a passage; calibrated by
# bench/calibrate_status.py (bench/status_calibration.md). Below it: a plain not-found.
MIN_TOPIC = 0.6
_CONTEXT = 120  # characters before a sentence that count as its immediate context
_OTHER_SOURCE = 2  # passages of another document a comparison of sources may answer from
_HEAD_DOCS = 3  # best sentences whose documents' headings may list what was asked
_CLAUSES_BACK = 3  # clauses before a sentence that may set its level ("全球…;在占比方面,…")
_FOCUS_SENSES = 8  # an English focus word is met by any of this many of its known senses
# "Why" is answered by the sentence that gives a cause or a difficulty, not the one that
# merely repeats the question's words.
_WHY = re.compile(r"为什么|为何|何以|原因|缘何|\bwhy\b|what (?:makes|causes)|reasons?\b")
_BECAUSE = re.compile(r"因为|由于|因此|导致|造成|使得|原因|在于|源于|受制于|制约|瓶颈|难题|不足|"
                      r"不完善|不健全|不统一|尚未|难以|不能|缺乏|滞后|挑战|风险|特征")


_LISTED_EN = re.compile(r"\b(?:what|which)\s+(?:[a-z-]+\s+){0,2}?(?:(?:kinds|types|sorts) of\s+)?"
                        r"(?:[a-z-]+\s+)?([a-z-]+?s)\s+"
                        r"(?:does|do|did|are|is|has|have|were|was|should|would|can)\b")
_LISTED = re.compile(r"(?:哪些|哪几[个条项点类种]?|有什么)([\u4e00-\u9fff]{2,8})")


def _dated(question: str, years: list[str]) -> set[str]:
    """The month and day numbers written after one of ``years`` ("2023年11月底" → 11): one
    side of a comparison of years does not need the other side's date parts."""
    folded = fold(question)
    return {n for y in years for m in re.finditer(
        rf"{y}\s*年\s*(\d{{1,2}})\s*月(?:\s*(\d{{1,2}})\s*日)?", folded) for n in m.groups() if n}


def _lists(asked: str, path: tuple[str, ...]) -> bool:
    """The heading ``path[-1]`` names the thing ``asked`` lists: 哪些内部**难点** and
    "(二)建设…的内部难点"."""
    m = _LISTED.search(asked)
    return m is not None and bool(path) and m.group(1)[-2:] in fold(path[-1])


class Answerer:
    """Answers questions from one Searcher's index; holds only read-only lookups."""

    def __init__(self, searcher: Searcher, max_sentences: int = 4, max_items: int = 8,
                 min_support: float = MIN_SUPPORT, min_topic: float = MIN_TOPIC,
                 weights: SentenceWeights | None = None) -> None:
        self.searcher = searcher
        self.weights = weights or SentenceWeights()
        self.max_sentences, self.max_items, self.min_support = max_sentences, max_items, min_support
        self.min_topic = min_topic
        index = searcher.index
        self.stats = TermStats(index)
        self.resolver = Resolver(searcher.domain)
        self.index = index
        # lookups made when a question needs them: nothing here reads every passage
        self.docs = DocumentsById(index)
        self._titles = {h.doc_id: squash(h.title) for h in index.rows.heads}
        self._sections = lru_cache(maxsize=256)(self._sections_of)
        self._sources = lru_cache(maxsize=256)(self._sources_of)  # asked by several steps
        self._tables = lru_cache(maxsize=256)(self._tables_of)
        self._facets: dict[str, tuple[metadata.Line, ...]] = {}

    def _sections_of(self, doc_id: str) -> list[Section]:
        return sections(self.docs[doc_id].text)

    def _tables_of(self, doc_id: str) -> tuple[dict[int, tables.Row], frozenset[int]]:
        return tables.layout(self.docs[doc_id].text)

    def _sentence(self, doc_id: str, start: int, end: int) -> str:
        """The sentence at ``start:end`` as it is scored: a table's data row is read with its
        column headings and unit (the citation still quotes the row)."""
        row = self._row(doc_id, start, end)
        return self.docs[doc_id].text[start:end] if row is None else row.body

    def _row(self, doc_id: str, start: int, end: int) -> tables.Row | None:
        row = self._tables(doc_id)[0].get(start)
        return row if row is not None and row.end == end else None

    def ask(self, question: str, k: int = 8, mode: str = "hybrid",
            doc_ids: set[str] | None = None, script: str = "auto",
            history: Sequence[Turn] = ()) -> Answer:
        """Search, then answer from the hits, say what is there (partial), or abstain; never
        raises for a question that merely has no answer (only for a bad ``mode``/``script``).
        With ``history`` (earlier turns, oldest first) a follow-up is first made standalone."""
        searched = self.resolver.resolve(question, history).question
        answer = self._answer(searched, k, mode, doc_ids, script)
        return replace(answer, question=question, resolved_question=searched)

    def _answer(self, question: str, k: int, mode: str, doc_ids: set[str] | None,
                script: str) -> Answer:
        if script not in SCRIPTS:
            raise AskbjError(f"Unknown script {script!r}: use one of {', '.join(SCRIPTS)}.")
        query = prepare_query(question, self.searcher.knows_word)
        if not WORD.search(fold(query.text)):
            return self._abstain(question, query, (), script, NO_WORDS)
        chat = smalltalk.reply(query.text)
        if chat is not None:
            return self._abstain(question, query, (), script, text=chat)
        hits = tuple(self.searcher.search(query.text, k=k, mode=mode, doc_ids=doc_ids))
        facets = metadata.asked_facets(query.text)
        if facets and hits:
            byline = self._about_document(question, query, facets, hits, script) \
                or self._about_document(question, query, facets, tuple(self.searcher.search(
                    query.text, k=50, mode=mode, doc_ids=doc_ids)), script)
            if byline is not None:
                return replace(byline, hits=hits)
        hits = self._every_place(query.text, hits, mode, doc_ids)
        kind = classify(query.text)
        assessment = self.assess(query.text, hits, kind)
        if not hits or assessment.best < self.min_support:
            return self._abstain(question, query, hits[:3], script)
        target = target_script(query.text, script)
        picks, differ = self._picks(assessment, kind)
        if picks is None:
            return self._partial(question, query, assessment, kind, hits, target) \
                or self._abstain(question, query, hits[:3], script)
        citations, text = self._compose(picks, target)
        if not citations:
            return self._abstain(question, query, hits[:3], script)
        if differ:
            text += wording.differ_note(query.text, target)
        return Answer(question, text, False, citations, hits, query.notice, status="answered")

    def assess(self, question: str, hits: tuple[Hit, ...],
               kind: AnswerType | None = None) -> Assessment:
        """Score each hit as evidence for ``question`` (no search; hits come from outside).
        A comparison or difference of years ("从2020年到2023年…") needs one of its years in
        a passage, as a comparison of places needs one of its places."""
        q = analyze(question, self.stats, self.searcher.domain)
        years = [a for a in q.anchors if YEAR.fullmatch(a)]
        sides = len(years) >= 2 and (kind or classify(question)).compares
        variants = [replace(q, anchors=tuple(a for a in q.anchors if a == y or a not in {
            *years, *_dated(q.text, [x for x in years if x != y])})) for y in years] \
            if sides else [q]
        supports = []
        for h in hits:
            context = squash(" ".join((*h.chunk.section, h.chunk.text)))
            title = self._titles.get(h.chunk.doc_id, "")
            anchored = self.searcher.anchor_context(h.chunk)
            cov = passage_coverage(q, context)
            met = max(anchors_met(v, anchored, title) for v in variants)
            places = frozenset(p for p in q.places if self._names(h, p))
            supports.append(Support(h, cov, met, places))
        return Assessment(q, tuple(supports))

    def _names(self, h: Hit, place: str) -> bool:
        """The passage (with its anchor context) or its document's title names ``place``."""
        title = self._titles.get(h.chunk.doc_id, "")
        return place_met(place, self.searcher.anchor_context(h.chunk)) or place_met(place, title)

    def _about_document(self, question: str, query: Query, facets: frozenset[str],
                        hits: tuple[Hit, ...], script: str) -> Answer | None:
        """"作者是谁?发表在哪本期刊?": the byline, source-note or footnote lines showing the
        asked facets, from the retrieved document that shows most of them (the better
        ranked on a tie); None when no retrieved document shows any."""
        ranks = self._document_ranks(hits)
        named = {h.doc_id for h in self.index.rows.heads
                 if names_author(query.text, h)}
        best: tuple[bool, int, int, list[metadata.Line]] | None = None
        for doc_id in [*ranks, *(d for d in named if d not in ranks)]:
            if doc_id not in self._facets:
                self._facets[doc_id] = metadata.facet_lines(self.docs[doc_id])
            lines = metadata.answer_lines(facets, self._facets[doc_id])
            shown = len(facets & frozenset().union(*(ln.facets for ln in lines)))
            key = (doc_id in named, shown, -ranks.get(doc_id, len(hits) + 1))
            if lines and (best is None or key > best[:3]):
                best = (*key, lines)
        if best is None:
            return None
        first = self.index.chunks_of(best[3][0].doc_id)[0]
        picks = [Pick(chunk, ln.start, ln.end, 1.0) for ln in best[3]
                 if (chunk := self._chunk_for(ln.doc_id, ln.start, ln.end, first)) is not None]
        citations, text = self._compose(picks, target_script(query.text, script))
        if not citations:
            return None
        return Answer(question, text, False, citations, hits, query.notice, status="answered")

    def _document_ranks(self, hits: tuple[Hit, ...]) -> dict[str, int]:
        """Each document of the hits, and of their alternates (the other script's copy),
        with the rank of the best hit it holds."""
        ranks: dict[str, int] = {}
        for h in hits:
            alternates = (self.index.chunk(a) for a in h.alternates)
            for doc_id in (h.chunk.doc_id, *(a.doc_id for a in alternates if a is not None)):
                ranks.setdefault(doc_id, h.rank)
        return ranks

    def _every_place(self, text: str, hits: tuple[Hit, ...], mode: str,
                     doc_ids: set[str] | None) -> tuple[Hit, ...]:
        """For a comparison ("北京和上海…"), the best further passage for each place that no
        hit names: one side of a comparison often ranks well below the other."""
        places = find_anchors(text, self.searcher.domain)[1]
        if len(places) < 2:
            return hits
        missing = [p for p in places if not any(self._names(h, p) for h in hits)]
        if not missing:
            return hits
        seen = {h.chunk.chunk_id for h in hits}
        extra: list[Hit] = []
        more = self.searcher.search(text, k=50, mode=mode, doc_ids=doc_ids)
        for place in missing:
            found = next((h for h in more
                          if h.chunk.chunk_id not in seen and self._names(h, place)), None)
            if found is not None:
                seen.add(found.chunk.chunk_id)
                extra.append(replace(found, rank=len(hits) + len(extra) + 1))
        return (*hits, *extra)

    def _abstain(self, question: str, query: Query, hits: tuple[Hit, ...], script: str,
                 notice: str = "", text: str = "") -> Answer:
        text = text or ABSTAIN_TEXT
        if target_script(query.text, script) == "traditional":
            text = to_traditional(text)
        if text == ABSTAIN_TEXT and not re.search(r"[\u3400-\u9fff]", query.text) \
                and re.search(r"[A-Za-z]", query.text):
            text = ABSTAIN_EN  # an English question is told in English only
        notice = " ".join(n for n in (query.notice, notice) if n)
        return Answer(question, text, True, (), hits, notice, status="not_found")

    def _partial(self, question: str, query: Query, a: Assessment, kind: AnswerType,
                 hits: tuple[Hit, ...], script: str) -> Answer | None:
        """"文档提到了X[1]，但没有给出Y。" when the passages are about the question's topic
        but no sentence holds the asked detail; None when the topic itself is not there
        (the shared word was incidental): then a plain not-found."""
        part = next(p for p in kind.parts if p.kind in VALUE_KINDS)
        if topic_share(a, part.focus, self.stats.rarest) < self.min_topic:
            return None
        best = next(iter(self._candidates(a)), None)
        if best is None:
            return None
        citations, _ = self._compose([best.pick], script)
        if not citations:
            return None
        text = wording.partial(query.text, part, f"[{citations[0].n}]", script)
        return Answer(question, text, True, citations, hits, query.notice, status="partial")

    def _picks(self, a: Assessment, kind: AnswerType) -> tuple[list[Pick] | None, bool]:
        """The answer's sentences (a numbered list for list questions, else led by the one
        that answers) and whether two sources differ; None when a value was asked for and
        no sentence holds it."""
        q = a.question
        scored = [p for p in self._score_sentences(a) if not self._off_level(q, p)]
        if not scored:
            return [], False
        if a.question.wants_list and len(a.question.places) < 2 and not kind.checked:
            items = self._list_items(scored[0], fold(q.text)) or self._heading_items(scored[0]) \
                or self._named_headings(a, scored) or self._section_list(a, scored)
            if items:
                return items, False
        elif q.english and _LISTED_EN.search(q.text.lower()) and not kind.checked:
            # "what mechanisms does … propose?"
            items = self._named_headings(a, scored) or self._section_list(a, scored)
            if items:
                return items, False
        if kind.checked:
            lead = choose(self._candidates(a, scored), kind, self._sides(a, kind),
                          self._senses(a, kind), self._compares_sources(a), q.text, q.places)
            if lead is not None:
                return list(lead.picks), lead.differ
            lists = sum(p.kind == LIST for p in kind.parts)
            if not lists:
                return None, False
            # "What are the three routes …, and how many approvals …?": no sentence gives
            # the count, the routes still are an answer (a list part has passages to hold
            # it by; an open "what is …" part would take any sentence)
            return select(scored, lists), False
        if not q.english and self._unmet_yes_no(a, kind, scored):
            return [], False
        limit = min(self.max_sentences, LIMIT if len(kind.parts) > 1 or kind.compares else 2)
        scored, defined = defining_first(scored, kind, self._flat)
        limit = 1 if defined and len(kind.parts) == 1 else limit
        base = select(scored, limit)
        covers = self._cover_sides(a, scored, list(base))[len(base):]
        # the sentence for another place stays; the weakest of the others goes
        return [*base[: max(1, LIMIT - len(covers))], *covers], False

    def _unmet_yes_no(self, a: Assessment, kind: AnswerType, scored: list[Pick]) -> bool:
        """"首都图书馆周一开馆吗?" asks whether X does Y: a sentence naming X but saying
        nothing of Y (开馆) in itself or its immediate context is no answer either way."""
        if not kind.parts or any(p.kind != YESNO or asks_which(p.clause) for p in kind.parts):
            return False
        asked = [p for p in kind.parts if p.focus]
        senses = self._senses(a, kind)
        return bool(asked) and not any(all(part_met(p, c.context, senses) for p in asked)
                                       for c in self._candidates(a, scored))

    def _off_level(self, q: Question, p: Pick) -> bool:
        """The sentence is about another level than the place asked, or goes on about the
        level the clause before it named ("全球…规模为41.4万亿美元;在占比方面,…占比达46.1%")."""
        text, levels = self.docs[p.chunk.doc_id].text, self.searcher.domain.levels
        flat, asked = squash(self._sentence(p.chunk.doc_id, p.start, p.end)), fold(q.text)
        if off_level(flat, q.places, asked, levels):
            return True
        if not q.places or any(place_met(x, flat) for x in q.places):
            return False
        before = re.split(r"[。;；!?！？\n]", text[p.chunk.start : p.start])
        for clause in [squash(c) for c in reversed(before) if c.strip()][:_CLAUSES_BACK]:
            if any(place_met(x, clause) for x in q.places):
                return False
            if off_level(clause, q.places, asked, levels):
                return True
        return False

    def _flat(self, p: Pick) -> str:
        return squash(self._sentence(p.chunk.doc_id, p.start, p.end))

    def _candidates(self, a: Assessment, scored: list[Pick] | None = None) -> list[Candidate]:
        """Scored sentences as candidates (``scored``, already filtered, or all of them minus
        those about another level: 全国…)."""
        q, out = a.question, []
        if scored is None:  # given scored sentences are already on the asked level
            scored = [p for p in self._score_sentences(a) if not self._off_level(q, p)]
        for p in scored:
            doc = self.docs[p.chunk.doc_id]
            flat = squash(self._sentence(doc.doc_id, p.start, p.end))
            before = doc.text[max(p.chunk.start, p.start - _CONTEXT) : p.start]
            context = squash(" ".join((*p.chunk.section, before, flat)))
            out.append(Candidate(p, flat, context + self._titles.get(doc.doc_id, "")))
        return out

    def _sides(self, a: Assessment, kind: AnswerType) -> tuple[Side, ...]:
        """What each needs a sentence of its own: the sources a question names (two named
        sources are compared, with or without a word saying so), else the years or places
        a comparison names."""
        sources = self._named(a)
        if len(sources) >= 2:
            return tuple(Side(docs=s) for s in sources)
        if not kind.compares:
            return ()
        if sources and self._elsewhere(a.question.text):  # the named one, then another
            return (Side(docs=sources[0]),)
        years = tuple(x for x in a.question.anchors if YEAR.fullmatch(x))
        places = a.question.places
        named = years if len(years) >= 2 else places if len(places) >= 2 else ()
        return tuple(Side(x) for x in named)

    def _named(self, a: Assessment) -> tuple[frozenset[str], ...]:
        return self._sources(a.question.text)

    def _sources_of(self, question: str) -> tuple[frozenset[str], ...]:
        return named_sources(question, self.index.rows.heads, self.searcher.domain)

    def _elsewhere(self, question: str) -> bool:
        return points_elsewhere(question, self.index.rows.heads, self.searcher.domain)

    def _compares_sources(self, a: Assessment) -> bool:
        """The answer needs two documents: the question compares sources ("两份材料"), or
        names one and points at another ("焦豪文章和社科院报告给的数一样吗?")."""
        q = a.question
        return compares_sources(q.text, q.anchors) or (
            len(self._named(a)) == 1 and self._elsewhere(q.text))

    def _senses(self, a: Assessment, kind: AnswerType) -> dict[str, tuple[str, ...]]:
        """English focus words as the Chinese words the index knows for them."""
        if not a.question.english:
            return dict(self.searcher.domain.synonyms)
        from askbj.retrieve.expand import absent, english_terms, phrases

        domain, text = self.searcher.domain, a.question.text
        found = phrases(text, self.stats.df.__contains__, domain, limit=_FOCUS_SENSES,
                        irregular=True)
        words = {w for p in kind.parts for w in (*p.focus, p.head) if w}
        stems = {w: set(english_terms(w)) or {w} for w in words}
        senses: dict[str, tuple[str, ...]] = {w: () for w in words}
        for phrase, alts in found:
            for w in [w for w in words if stems[w] & set(phrase.split())]:
                senses[w] = (*senses[w], *alts, w)
        synonyms = dict(self.searcher.domain.synonyms)
        senses = {w: tuple(dict.fromkeys(x for s in found_senses for x in synonyms.get(s, (s,))))
                  or tuple(synonyms.get(w.lower(), ())) for w, found_senses in senses.items()}
        for w, found_senses in senses.items():  # an acronym the question writes (PUE, 5G)
            if not found_senses and re.search(rf"\b{re.escape(w)}\b", a.question.text, re.I) \
                    and re.search(rf"\b{re.escape(w.upper())}\b", a.question.text):
                senses[w] = (w,)
        for part in kind.parts:  # the asked noun, in no sense anywhere in the corpus
            if part.head and part.kind in VALUE_KINDS and not senses.get(part.head) \
                    and absent(part.head, self.stats.df.__contains__):
                senses[part.head] = (ABSENT,)
        return senses

    def _cover_sides(self, a: Assessment, scored: list[Pick], chosen: list[Pick]) -> list[Pick]:
        """A comparison ("北京和广州的交易所各有什么特点?", "焦豪和刘佳骏各怎么说?") gets, for
        each place or named source the chosen sentences leave out, its best sentence."""
        places = a.question.places if len(a.question.places) > 1 else ()
        sources = self._named(a)
        sides = [*(Side(p) for p in places), *(Side(docs=s) for s in sources if len(sources) > 1)]
        if len(sources) == 1 and self._elsewhere(a.question.text):
            sides.append(Side(docs=sources[0]))
        for side in sides:
            def of(p: Pick, side: Side = side) -> bool:
                flat = self._flat(p)
                return names_side(side, Candidate(p, flat, flat))
            if not any(of(p) for p in chosen):
                chosen += [p for p in scored if of(p)][:1]
        if chosen and self._compares_sources(a) and len({p.chunk.doc_id for p in chosen}) < 2:
            chosen += [p for p in scored if p.chunk.doc_id != chosen[0].chunk.doc_id
                       and p.chunk.chunk_id not in chosen[0].alternates][:1]
        return chosen

    def _score_sentences(self, a: Assessment) -> list[Pick]:
        """Every sentence of the usable passages, best first, each once."""
        q = a.question
        usable = [s for s in a.supports if s.anchors >= 1.0] or list(a.supports)
        if self._compares_sources(a):  # the other source need not share this one's year
            docs = {s.hit.chunk.doc_id for s in usable}
            usable += [s for s in a.supports if s.hit.chunk.doc_id not in docs][:_OTHER_SOURCE]
        why = bool(_WHY.search(fold(q.text)))
        count = asked_count(q.text) if q.wants_list else 0
        nouns = (*(t for t, _ in q.weights), *(x for alts, _ in q.translations for x in alts)) \
            if count else ()  # only a list question naming its count reads them
        only = only_source(q.text, self._named(a), self.index.rows.heads, self.searcher.domain)
        picks: dict[str, Pick] = {}
        for s in usable:
            doc = self.docs[s.hit.chunk.doc_id]
            share = self.weights.other_source if only and doc.doc_id not in only else 1.0
            title = self._titles.get(doc.doc_id, "")
            spans = sentence_spans(doc.text, s.hit.chunk.start, s.hit.chunk.end)
            headers = self._tables(doc.doc_id)[1]
            for pos, (start, end) in enumerate(spans):
                if start in headers:  # a table's headings: no value of its own
                    continue
                raw = doc.text[start:end]  # a table row is judged as written, scored as read
                if too_thin(raw) or metadata.is_byline(raw):
                    continue
                sentence = self._sentence(doc.doc_id, start, end)
                flat = squash(sentence)
                if other_year(q, flat):
                    continue
                score = share * self.weights.score(
                    coverage(q, flat), s.strength, s.hit.rank, anchor_share(q, flat, title), pos,
                    why and bool(_BECAUSE.search(flat)), states_count(flat, count, nouns))
                pick = Pick(s.hit.chunk, start, end, score, s.hit.alternates)
                if flat not in picks or picks[flat].score < score:
                    picks[flat] = pick
        return sorted(picks.values(), key=lambda p: -p.score)

    def _list_items(self, best: Pick, asked: str = "") -> list[Pick]:
        """The enumerated list the best sentence opens or belongs to; [] when it has none.

        Only that list: a question with 哪些 is often answered inside one item (an inline
        series such as "利用A、B等技术"), and the items around it would bury the answer. A
        sentence deeper inside an item's paragraph stands for the whole list only when the
        section's heading names what the question lists ("哪些内部难点" under "(二)…内部难点").
        """
        doc = self.docs[best.chunk.doc_id]
        section = next((s for s in self._sections(doc.doc_id)
                        if s.start <= best.start < s.end), None)
        if section is None:
            return []
        spans = sentence_spans(doc.text, section.start, section.end)
        run = listing.best_run(listing.runs(doc.text, spans), best.chunk.start, best.chunk.end)
        at = [i for i, sp in enumerate(spans) if sp[0] == best.start]
        intro = bool(run and at and at[0] + 1 < len(spans) and spans[at[0] + 1][0] == run[0].start)
        if not run or not (intro or any(i.start == best.start for i in run) or (
                self._in_items(doc.text, run, best.start) and _lists(asked, section.path))):
            return []
        picks = [best] if intro else []
        for item in run[: self.max_items]:
            chunk = self._chunk_for(doc.doc_id, item.start, item.end, best.chunk)
            if chunk is not None:
                alts = best.alternates if chunk == best.chunk else ()
                picks.append(Pick(chunk, item.start, item.end, best.score, alts))
        return picks

    @staticmethod
    def _in_items(text: str, run: list[listing.Item], at: int) -> bool:
        """``at`` lies inside the paragraphs of a run of items ("其五,人才队伍结构有待优化。
        北京市数字经济人才规模…" : a sentence of item 五's paragraph), where the question
        asked for the list, not for that item's words."""
        end = text.find("\n", run[-1].end)
        return run[0].start <= at < (len(text) if end < 0 else end) and at not in {
            i.start for i in run}

    def _heading_items(self, best: Pick) -> list[Pick]:
        """The best sentence, then the numbered sub-headings of the chapter it introduces."""
        doc = self.docs[best.chunk.doc_id]
        heads = listing.child_headings(doc.text, self._sections(doc.doc_id), best.start)
        picks = [best, *self._item_picks(heads, best)]
        return picks if len(picks) > 2 else []

    def _item_picks(self, items: Sequence[listing.Item], like: Pick) -> list[Pick]:
        """The first ``max_items`` items (of ``like``'s document) as picks in the passages
        holding them, scored as ``like``."""
        doc_id = like.chunk.doc_id
        return [Pick(chunk, i.start, i.end, like.score) for i in items[: self.max_items]
                if (chunk := self._chunk_for(doc_id, i.start, i.end, like.chunk))]

    def _named_headings(self, a: Assessment, scored: list[Pick]) -> list[Pick]:
        """"主张建立哪些机制?": the numbered headings naming 机制 (or under a heading naming
        it) in the document of one of the best few sentences."""
        nouns = self._listed_nouns(a.question)
        for best in list(dict.fromkeys(p.chunk.doc_id for p in scored[:_HEAD_DOCS])):
            text = self.docs[best].text
            heads = next((h for n in nouns
                          if (h := listing.headings_naming(text, self._sections(best), n))), [])
            first = next((c for c in scored if c.chunk.doc_id == best), None)
            if heads and first is not None:
                picks = self._item_picks(heads, first)
                if len(picks) >= 2:
                    return picks
        return []

    def _section_list(self, a: Assessment, scored: list[Pick]) -> list[Pick]:
        """"What internal difficulties does … face?": the numbered run of a section whose
        heading names what the question lists, qualifier and noun ("(二)…的内部难点": 其一…
        其五), in the document of one of the best few sentences. English only: a Chinese
        question's own words find that list from its best sentence (``_list_items``)."""
        senses = self._listed_senses(a.question)
        if len(senses) < 2:  # a bare noun ("what measures") names too many headings
            return []
        for doc_id in list(dict.fromkeys(p.chunk.doc_id for p in scored[:_HEAD_DOCS])):
            text = self.docs[doc_id].text
            first = next(c for c in scored if c.chunk.doc_id == doc_id)
            for sec in self._sections(doc_id):
                heading = fold(sec.path[-1]) if sec.path else ""
                if not heading or not all(any(x in heading for x in alts) for alts in senses):
                    continue
                found = listing.runs(text, sentence_spans(text, sec.start, sec.end))
                run = next((r for r in found if len(r) >= 2), [])
                picks = self._item_picks(run, first)
                if len(picks) >= 2:
                    return picks
        return []

    def _listed_senses(self, q: Question) -> list[tuple[str, ...]]:
        """The Chinese words for each word of the thing an English list question lists, its
        qualifier too ("internal difficulties": 内部, 难点)."""
        m = _LISTED_EN.search(q.text.lower()) if q.english else None
        if not m:
            return []
        from askbj.retrieve.expand import phrases

        listed = " ".join(m.group(0).split()[1:-1])  # without "what" and the verb
        found = phrases(listed, self.stats.df.__contains__, self.searcher.domain,
                        limit=_FOCUS_SENSES)
        return [tuple(x for x in alts if len(x) >= 2) for _, alts in found
                if any(len(x) >= 2 for x in alts)]

    def _listed_nouns(self, q: Question) -> list[str]:
        """What a list question lists, as headings would word it: 机制 for 哪些…相关机制; for
        "what mechanisms does …" the Chinese the index knows for mechanism."""
        if not q.english:
            m = _LISTED.search(fold(q.text))
            return [m.group(1)[-2:]] if m else []
        m = _LISTED_EN.search(q.text.lower())
        if not m:
            return []
        from askbj.retrieve.expand import phrases

        found = phrases(m.group(1), self.stats.df.__contains__, self.searcher.domain)
        return [x for _, alts in found[-1:] for x in alts if len(x) >= 2]

    def _chunk_for(self, doc_id: str, start: int, end: int, prefer: Chunk) -> Chunk | None:
        if prefer.start <= start and end <= prefer.end:
            return prefer
        return next((c for c in self.index.chunks_of(doc_id)
                     if c.start <= start and end <= c.end), None)

    def _compose(self, picks: list[Pick], script: str) -> tuple[tuple[Citation, ...], str]:
        """Answer text with ``[n]`` after each sentence; only verified citations survive."""
        numbers: dict[str, int] = {}
        citations, parts = [], []
        shown = ""  # the headings of the table the last part showed a row of
        for p in readable_order([self._in_script(p, script) for p in picks]):
            doc = self.docs[p.chunk.doc_id]
            n = numbers.get(p.chunk.chunk_id, len(numbers) + 1)
            quote = doc.text[p.start : p.end]
            citation = Citation(n, p.chunk.chunk_id, doc.doc_id, doc.title, p.chunk.section,
                                p.start, p.end, quote, p.chunk.text, p.alternates)
            if not verified(citation, doc.text, p.chunk):
                continue
            numbers[p.chunk.chunk_id] = n
            citations.append(citation)
            row = self._row(doc.doc_id, p.start, p.end)
            said = quote if row is None else row.cells if row.headings == shown \
                else row.reading
            shown = row.headings if row is not None else ""
            parts.append(f"{render(said, script)}[{n}]")
        return tuple(citations), "".join(parts)

    def _in_script(self, p: Pick, script: str) -> Pick:
        """The same sentence in an alternate copy written in the reader's script, if there is
        one: a reader checking a citation should land on text in the script they read."""
        quote = self.docs[p.chunk.doc_id].text[p.start : p.end]
        if looks_traditional(quote) == (script == "traditional"):
            return p
        for alt_id in p.alternates:
            alt = self.index.chunk(alt_id)
            if alt is None:
                continue
            places = [(s, e) for s, e in find_quote(self.docs[alt.doc_id].text, quote)
                      if alt.start <= s and e <= alt.end]
            if len(places) == 1:
                others = tuple(a for a in p.alternates if a != alt_id)
                return Pick(alt, *places[0], p.score, (p.chunk.chunk_id, *others))
        return p
