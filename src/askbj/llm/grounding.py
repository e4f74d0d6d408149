"""Checking a generated answer against the passages it cites, one sentence at a time.

A model's ``[n]`` is a claim about its source, not a fact: models cite passages they were
never shown, and write fluent sentences that no passage says. The extractive path can
verify by string equality; generated text cannot, so each sentence is judged by the same
lexical evidence that drives abstention (``support``): the idf-weighted share of its terms
found in the passages it cites, and whether every number and place name in it occurs
there. Numbers are compared by value, so 10.6万 in a passage supports "106,000" in an
English sentence; English words reach the Chinese text through the CC-CEDICT glosses that
already feed BM25. A sentence that fails is removed rather than repaired, and each kept
sentence gets the same ``Citation`` as an extractive answer: the cited passage's sentence
that best supports it, at its exact span.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from askbj.answer.citations import verified
from askbj.answer.question import TermStats, analyze
from askbj.answer.sentences import too_thin
from askbj.domain import Domain
from askbj.records import Citation, Document, Hit
from askbj.retrieve.anchors import contains, place_met
from askbj.retrieve.expand import english_terms, to_chinese
from askbj.text.lang import WORD
from askbj.text.normalize import fold, squash
from askbj.text.sentences import sentence_spans

# Calibrated on the dev set by bench/calibrate_support.py (bench/support_calibration.md).
MIN_SENTENCE_SUPPORT = 0.53
MARK = re.compile(r"[\[【]\s*(\d{1,2}(?:\s*[,，、]\s*\d{1,2})*)\s*[\]】]")
_PIECE = re.compile(
    rf"(?:[^。！？!?；;\n.]|\.(?!\s|$))+(?:[。！？!?；;]+|\.+)?[”’」』）)\"']*"
    rf"(?:[ \t]*{MARK.pattern})*\s*|[。！？!?；;.]+\s*|\s+"
)
_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.S)
_NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|[一二两三四五六七八九十](?=万|亿))\s*"
                     r"(万亿|亿|万|千|trillion|billion|million|thousand)?")
_DIGIT = {c: str(i) for i, c in enumerate("零一二三四五六七八九十")} | {"两": "2"}
_SCALE = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, "trillion": 1e12, "billion": 1e9,
          "million": 1e6, "thousand": 1e3}


@dataclass(frozen=True)
class Claim:
    """A generated sentence as evidence sees it: terms (each with its accepted spellings in
    the corpus) weighted by idf, and the numbers and places a source must contain."""

    text: str
    terms: tuple[tuple[tuple[str, ...], float], ...]
    numbers: tuple[float, ...]
    places: tuple[str, ...]


@dataclass(frozen=True)
class Removed:
    """A sentence taken out of the generated answer, and why."""

    sentence: str
    reason: str


@dataclass(frozen=True)
class Checked:
    """A generated answer after checking: what survives, its citations, what was removed."""

    text: str
    citations: tuple[Citation, ...]
    removed: tuple[Removed, ...]
    marked: bool


class Grounder:
    """Judges generated sentences against passages; read-only, shared by all questions."""

    def __init__(self, stats: TermStats, docs: Mapping[str, Document], domain: Domain,
                 threshold: float = MIN_SENTENCE_SUPPORT) -> None:
        self.stats, self.docs, self.domain, self.threshold = stats, docs, domain, threshold

    def claim(self, sentence: str) -> Claim:
        body = MARK.sub("", sentence)
        q = analyze(body, self.stats, self.domain)
        terms: tuple[tuple[tuple[str, ...], float], ...] = tuple(
            ((t,), w) for t, w in q.weights if not t.isdigit())
        if q.english:
            terms = self._english_terms(body)
        return Claim(body, terms, tuple(_values(body, strict=True)), q.places)

    def _english_terms(self, body: str) -> tuple[tuple[tuple[str, ...], float], ...]:
        """Each English word as the Chinese words the corpus uses for it, any one counting."""
        known = self.stats.df.__contains__
        out = []
        for word in dict.fromkeys(english_terms(body)):
            alts = tuple(to_chinese(word, known, self.domain))
            if alts and not word[:1].isdigit():
                out.append((alts, max(self.stats.idf(a) for a in alts)))
        return tuple(out)

    def support(self, claim: Claim, hits: Sequence[Hit]) -> float:
        """Term coverage of ``claim`` in the passages together; 0 when a number or place
        of the claim is in none of them (nor, for places, in their documents' titles)."""
        joined = "\n".join(" ".join((*h.chunk.section, h.chunk.text)) for h in hits)
        flat, values = squash(joined), set(_values(joined))
        titles = squash(" ".join(self._title(h) for h in hits))
        if any(v not in values for v in claim.numbers):
            return 0.0
        if any(not place_met(p, flat) and not place_met(p, titles) for p in claim.places):
            return 0.0
        total = sum(w for _, w in claim.terms)
        if total <= 0:  # nothing but numbers (and places) to check: they are the claim
            return 1.0 if claim.numbers else 0.0
        return sum(w for alts, w in claim.terms if any(contains(flat, a) for a in alts)) / total

    def check(self, text: str, hits: Sequence[Hit]) -> Checked:
        """Keep the sentences their cited passages support; ``hits[i]`` is passage i+1."""
        kept: list[str] = []
        citations: list[Citation] = []
        removed: list[Removed] = []
        text = _THINK.sub("", text).strip()
        for piece in (m.group(0) for m in _PIECE.finditer(text)):
            body = MARK.sub("", piece).strip()
            if len(WORD.findall(fold(body))) < 2:  # "1." of a list, a stray mark: no claim
                kept.append(MARK.sub("", piece))
                continue
            out, cites, reason = self._sentence(piece, body, hits)
            kept.append(out)
            citations += cites
            if reason:
                removed.append(Removed(body, reason))
        return Checked("".join(kept).strip(), tuple(citations), tuple(removed),
                       bool(MARK.search(text)))

    def _sentence(self, piece: str, body: str,
                  hits: Sequence[Hit]) -> tuple[str, list[Citation], str]:
        """The piece as kept (markers of non-supporting passages dropped), or "" and why."""
        numbers = [int(n) for m in MARK.finditer(piece) for n in re.findall(r"\d+", m.group(1))]
        if not hits:
            return "", [], "cites no passage"
        if any(not 1 <= n <= len(hits) for n in numbers):
            bad = next(n for n in numbers if not 1 <= n <= len(hits))
            return "", [], f"cites [{bad}], which is not a retrieved passage"
        claim = self.claim(body)
        cited = sorted(set(numbers)) or [self._best(claim, hits)]
        if self.support(claim, [hits[n - 1] for n in cited]) < self.threshold:
            return "", [], "not supported by its passage" if numbers else "cites no passage"
        cites = [c for n in cited if (c := self.cite(claim, n, hits[n - 1])) is not None]
        if not cites:
            return "", [], "not supported by its passage"
        keep = {c.n for c in cites}
        marks = "".join(f"[{n}]" for n in sorted(keep))
        if not numbers:
            trail = piece[len(piece.rstrip()):]
            return piece.rstrip() + marks + trail, cites, ""
        out = MARK.sub(lambda m: "".join(f"[{n}]" for n in map(int, re.findall(
            r"\d+", m.group(1))) if n in keep), piece)
        return out, cites, ""

    def _best(self, claim: Claim, hits: Sequence[Hit]) -> int:
        scores = [self.support(claim, [h]) for h in hits]
        return 1 + max(range(len(hits)), key=lambda i: scores[i]) if hits else 0

    def cite(self, claim: Claim, n: int, hit: Hit) -> Citation | None:
        """The citation for passage ``n``: its sentence that best carries ``claim``, or None
        when the passage contributes none of the claim's terms, numbers or places."""
        doc = self.docs.get(hit.chunk.doc_id)
        if doc is None or not self._contributes(claim, hit):
            return None
        spans = sentence_spans(doc.text, hit.chunk.start, hit.chunk.end)
        if not spans:
            return None

        def score(span: tuple[int, int]) -> tuple[float, bool]:
            sentence = doc.text[span[0] : span[1]]
            return self.support(claim, [_as_hit(hit, sentence)]), not too_thin(sentence)

        start, end = max(spans, key=score)
        c = hit.chunk
        citation = Citation(n, c.chunk_id, c.doc_id, doc.title, c.section, start, end,
                            doc.text[start:end], c.text, hit.alternates)
        return citation if verified(citation, doc.text, c) else None

    def _contributes(self, claim: Claim, hit: Hit) -> bool:
        joined = " ".join((*hit.chunk.section, hit.chunk.text))
        flat = squash(joined)
        return (any(contains(flat, a) for alts, _ in claim.terms for a in alts)
                or bool(set(claim.numbers) & set(_values(joined)))
                or any(place_met(p, flat) for p in claim.places))

    def _title(self, hit: Hit) -> str:
        doc = self.docs.get(hit.chunk.doc_id)
        return doc.title if doc else ""


def sentences(text: str) -> list[str]:
    """The sentences of a generated (or any) text, citation markers removed."""
    bodies = (MARK.sub("", m.group(0)).strip() for m in _PIECE.finditer(text))
    return [b for b in bodies if WORD.search(fold(b))]


def _as_hit(hit: Hit, sentence: str) -> Hit:
    """``hit`` narrowed to one of its sentences (scoring only; never cited as such)."""
    from dataclasses import replace

    return replace(hit, chunk=replace(hit.chunk, text=sentence, section=()))


def _values(text: str, strict: bool = False) -> list[float]:
    """Numbers by value (万/亿 and million/billion scaled, commas dropped); a passage also
    offers each unscaled. ``strict`` (claims) skips lone digits such as "3 measures"."""
    out: list[float] = []
    for m in _NUMBER.finditer(fold(text)):
        raw, unit = m.group(1), (m.group(2) or "").lower()
        if strict and len(raw) < 2 and not unit:
            continue
        value = float(_DIGIT.get(raw, raw).replace(",", ""))
        out.append(_round(value * _SCALE.get(unit, 1.0)))
        if unit and not strict:
            out.append(_round(value))
    return out


def _round(value: float) -> float:
    return float(f"{value:.6g}")
