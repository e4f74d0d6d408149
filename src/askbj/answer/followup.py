"""Follow-up questions made standalone from the conversation so far, by rules, without a model.

"那上海呢?" after "北京数字经济核心产业新设企业有多少家?" is searched as
"上海数字经济核心产业新设企业有多少家?": the search and the answer never see the history,
only the question this module writes. The rules are general Chinese and English ellipsis
patterns — an anchor swap (place or year), a pronoun or demonstrative ("它的…", "这个平台",
"there") carried from an earlier subject, a list reference ("第二个方面", "the third one")
against the items of askbj's own earlier answer, a reach back ("最开始问的那个区"). Places
and years come from the anchor analysis with the domain; noun phrases from jieba's tags. A
question that has its own subject and none of these patterns is left alone, so a change of
topic never drags old context in. Resolution takes well under 10 ms (bench/followup.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from askbj.answer.phrases import (
    MEASURE,
    NOUNISH,
    PLACE_HEADS,
    QUESTIONISH,
    WHICH_EN,
    asked_head,
    described,
    english_subject,
    first_noun_run,
    in_english,
    measure_suffix,
    named_head,
    noun_runs,
    object_phrase,
    phrase_with,
    plain_text,
    put_year,
)
from askbj.answer.references import ORDINALS_EN, asked_count, key_phrase, ordinal_of, pick_item
from askbj.domain import Domain
from askbj.records import Answer
from askbj.retrieve.anchors import YEAR, find_anchors
from askbj.text.enumerations import ordinal
from askbj.text.lang import CJK
from askbj.text.normalize import looks_traditional, pos_tags, to_traditional

RULES = ("none", "swap", "attribute", "pronoun", "item", "back", "llm")

if TYPE_CHECKING:
    from askbj.answer.extractive import Answerer


@dataclass(frozen=True)
class Turn:
    """One earlier exchange: what the user asked, what was searched for it (``resolved``),
    askbj's answer text and its items (the answer's sentences, in order; a list answer's
    enumerated items), which list references point into."""

    question: str
    answer: str = ""
    items: tuple[str, ...] = ()
    resolved: str = ""

    @property
    def searched(self) -> str:
        return self.resolved or self.question

    @classmethod
    def of(cls, question: str, answer: str = "", resolved: str = "") -> Turn:
        """A turn whose items are read from the answer text (its ``[n]``-marked sentences)."""
        return cls(question, answer, answer_items(answer), resolved)

    @classmethod
    def from_answer(cls, answer: Answer) -> Turn:
        """The turn askbj's ``answer`` makes (an abstention has no answer text to refer to)."""
        text = "" if answer.abstained else answer.text
        return cls.of(answer.question, text, answer.resolved_question)

    def to_dict(self) -> dict[str, object]:
        return {"question": self.question, "answer": self.answer, "items": list(self.items),
                "resolved": self.resolved}


@dataclass(frozen=True)
class Resolution:
    """What was asked, what is searched instead, and which rule (``RULES``) made it."""

    original: str
    question: str
    rule: str = "none"

    @property
    def changed(self) -> bool:
        return self.question != self.original

    def to_dict(self) -> dict[str, object]:
        return {"original": self.original, "question": self.question, "rule": self.rule}


def answer_items(text: str) -> tuple[str, ...]:
    """An answer's sentences in order: the parts before each ``[n]`` marker (or, for text
    without markers, its sentences)."""
    parts = re.split(r"(?:\[\d{1,3}\])+", text) if re.search(r"\[\d{1,3}\]", text) else \
        re.split(r"(?<=[。！？!?；;])|\n", text)
    parts = [re.sub(r"^[\s。；;，,！!？?]+", "", p).strip() for p in parts]
    return tuple(p for p in parts if p)


# --- the patterns (general Chinese and English, no corpus words) ----------------------------

_ZH_LEAD = r"^(?:那么?|而|还有|再说说|再看看|换成|如果是|要是|那如果是)?\s*(?:在)?"
_ZH_TAIL = (r"(?:的情况|的话|方面|的)?\s*(?:呢|怎么样了?|如何|又如何|又怎么样|怎样|情况如何|"
            r"的情况呢|又是多少|又有多少|是多少|有多少|多少|又是怎样的?|是怎样的?|又是什么|"
            r"呢又如何)?\s*(?:呢|了|啊)?\s*[?？。!！]*$")
# What makes a short question elliptic rather than merely short: a closing 呢/又/怎么样, or
# an opening connective (那…, 换成…).
_ELLIPTIC_ZH = re.compile(r"(?:呢|又|怎么样|如何|怎样)[^\u4e00-\u9fff]*$|"
                          r"^(?:那么?|而|还有|换成|如果是|要是)")
_ZH_CONNECTIVE = re.compile(r"^(?:那么?|而|还有|换成|如果是|要是)")
_EN_SWAP = re.compile(
    r"^(?:and|but|so|then|ok(?:ay)?,?)?\s*(?:what|how)\s+about\s+(.+?)\s*[?.!]*$"
    r"|^(?:and|same\s+(?:question\s+|thing\s+)?for|likewise\s+for)\s+(?:in|for|of|at)?\s*"
    r"(.+?)\s*[?.!]*$", re.I)
_LIST_NOUN_EN = (r"(?:one|item|point|aspect|measure|step|part|area|thing|task|priority|"
                 r"option|example|reason|goal|principle|feature|element)s?")
_ITEM_EN = re.compile(
    rf"\b(?:the\s+)?({'|'.join(ORDINALS_EN)}|\d{{1,2}}th)(?:\s+{_LIST_NOUN_EN}\b|"
    rf"(?=\s*one\b))"
    rf"(?:\s+(?:you\s+)?(?:mentioned|listed|above))?"
    # "And the third?" (not "… moved in first?": a bare ordinal needs its article)
    rf"|\bthe\s+({'|'.join(ORDINALS_EN)}|\d{{1,2}}th)(?=\s*[?.!]*$)"
    rf"|\b(?:item|point|number|no\.)\s*#?(\d{{1,2}})\b", re.I)
_ZH_NUM = "一二三四五六七八九十两"
_ITEM_ZH = re.compile(
    rf"(?:你说的|上面的?|刚才的?|前面的?)?(?:第([{_ZH_NUM}]{{1,3}}|\d{{1,2}})|(最后))"
    rf"(?:一)?(?:(?:个|個|条|條|项|項|点|點|种|種|类|類|部分)?([\u4e00-\u9fff]{{0,3}}?)"
    rf"(?=的|里|裡|裏|中|是|具体|具體|怎么|怎麼|如何|呢|能|可以|有|指|包括|讲|講|说|說|从|從|在|要"
    rf"|应|應|需|主要|涉及|展开|展開|详细|詳細|现在|現在|目前|一共|总共|總共|[?？,，]|$)"
    rf"|(?:条|條|项|項|点|點|种|種|类|類)(?=[\u4e00-\u9fff]))")  # "第二条通过了多少?": any verb
_BACK_ZH = re.compile(
    r"(最开始|一开始|最初|最早|开头|刚开始|第一个问题|刚才|前面|之前|上面|上一个问题"
    r"|第一[个次](?=(?:我们?)?(?:问|提|说|讲|聊)))"  # "第一个问的那个": the first turn
    r"(?:(?:我们?)?(?:问|提|说|讲|聊)(?:到|过|起)?的?|[里中]的)(?:那个|那|这个)?"
    r"([\u4e00-\u9fff]{0,4}?)"
    r"(?=的|是|有|在|呢|怎么|如何|[?？,，]|$)")
_BACK_EN = re.compile(
    r"\bthe\s+(\w+)\s+(?:that\s+)?(?:i|we)\s+(?:first\s+)?asked\s+about"
    r"(?:\s+(first|earlier|before|at\s+the\s+start))?", re.I)
# "回到第一个问题，…", "Back to the first one — …": the rest is about that earlier turn
_TURN_ZH = re.compile(r"^(?:我们?)?再?(?:回到|返回|说回|回头看|回过头来?看?)\s*"
                      r"(?:(最开始|一开始|最初|开头)|第([一二三四五])个|(上一个|上个))(?:问题|话题)?(?:里|中|的|问的|说的)?[,，:：、\s]*")
_TURN_EN = re.compile(r"^(?:(?:ok(?:ay)?|so|and|now),?\s+)?"
                      r"(?:(?:(?:going|go|coming|come|getting|get)\s+)?back\s+to|for|regarding|as\s+for)"
                      r"\s+(?:the|my|our|that)\s+(first|second|third|previous|earlier|original|last)"
                      r"\s+(one|question|topic|thing|[a-z]+)"
                      r"(?:\s+(?:that\s+)?(?:i|we)\s+(?:first\s+)?(?:asked|mentioned)(?:\s+about)?)?"
                      r"\s*[-—–,:;.]+\s*"
                      r"|^(?:(?:ok(?:ay)?|so|and|now),?\s+)?(?:(?:going|go|coming|come)\s+)?back\s+to"
                      r"\s+(?:that|the)\s+((?:[a-z]+\s+){0,2}[a-z]+)\s*[-—–,:;.]+\s*", re.I)
_TURN_NOUNS = frozenset({"one", "question", "topic", "thing"})
# A marker that the question starts a new topic: the rest is asked alone.
_NEW_TOPIC = re.compile(
    r"^\s*(?:(?:换|換)(?:个|個)(?:话题|話題|问题|問題)|另外(?:想)?(?:问|問)(?:一下|个|個)?(?:问题|問題)?"
    r"|(?:说|說)(?:点|點)?别的|(?:顺便|順便)(?:问|問)(?:一下|一句)?|(?:对|對)了"
    r"|separately|on (?:an)?other (?:topic|note)|by the way|(?:a )?different (?:question|topic)"
    r"|another (?:question|topic)|changing (?:the )?(?:subject|topic)|new (?:question|topic)"
    r"|unrelated(?: question)?"
    r")\s*[,，:：;；.。!！、—–-]+\s*", re.I)
# An English date phrase: "by the end of Nov 2023", "in 2022", "as of late 2023"
_MONTH_EN = (r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?")
_WHEN_EN = re.compile(
    rf"\b(?:(?:by|in|at|as\s+of|until|through|during|for)\s+)?(?:the\s+)?"
    rf"(?:(?:end|start|beginning|middle|close)\s+of\s+(?:the\s+year\s+)?)?"
    rf"(?:(?:late|early|mid-?)\s*)?(?:{_MONTH_EN}\s+)?(?:19|20)\d\d\b", re.I)
_FIRST = re.compile(r"最开始|一开始|最初|最早|开头|刚开始|第一[个次]|\bfirst\b|at the start", re.I)
_PRONOUN_ZH = re.compile(r"它们|它|其(?![中他次实余])|他们|该(?=[的是在有]|$)"
                         # a bare 这 as the subject: "这主要帮到哪类企业?", "这是谁推出的?"
                         r"|这(?=主要|是|有|能|会|对|帮|让|给|将|可以|具体|又|到底|究竟)")
_HERE_ZH = re.compile(r"这里|那里|当地|此地|那边|这边")
_INSIDE_ZH = re.compile(r"里面|里边|里头")  # "里面入驻了多少家?": in the subject
_DEMONSTRATIVE_ZH = re.compile(
    r"(?:这个|那个|这些|那些|这家|那家|这项|那项|这一|那一|这种|那种|该|此|上述|这|那)"
    r"([\u4e00-\u9fff]{1,4}?)(?=的|是|有|在|为|由|呢|能|可|怎么|如何|主要|具体|目前|叫|[?？,，]|$)")
_PRONOUN_EN = re.compile(r"\b(its|it|their|they|them)\b|\b(?:this|that)\b(?=\s*[?.!]*$)", re.I)
# "what's that per 10k people?", "and what is that in dollars?": the same figure, measured anew
_THAT_EN = re.compile(r"^\s*(?:and\s+|so\s+)?what(?:'s|\s+is|\s+was)\s+that\s+(.+?)[?.!]*$", re.I)
_THERE_EN = re.compile(r"(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )\bthere\b(?!\s+(?:is|are|"
                       r"was|were|be|been|has|have)\b)", re.I)
_DEMONSTRATIVE_EN = re.compile(r"\b(?:this|these|those)\s+([a-z]+)\b", re.I)
_AREA = re.compile(r"(?:区|园|港|基地|中心|小镇|城)$")  # a place within a place
_STRICT_NOUNS = NOUNISH - {"vn", "an"}
# verbs that end a possessed phrase ("Beijing's public data open platform provide?")
_EN_VERBS = (r"(?:provide|provides|cover|covers|serve|serves|have|has|had|do|does|did|offer|"
             r"offers|show|shows|include|includes|reach|reached|make|makes|get|got|is|are|was|"
             r"were|in|of|for|with|by|on|at|to|and|or)")


_RESTATING = frozenset("例子 案例 情况 东西 内容 事情 example examples case cases".split())


def _restates(rest: str) -> bool:
    """The words after an elliptic "X呢?" only ask again ("有什么例子?", "又出了什么?"), not
    for something new ("有成立什么数据交易机构吗?")."""
    if in_english(rest):
        words = [w for w in re.findall(r"[a-z]+", rest.lower()) if len(w) > 3]
        return all(w in _RESTATING or w in ("there", "what", "which", "about") for w in words)
    nouns = [w for w, flag in pos_tags(rest) if len(w) >= 2 and (flag[:1] in "nv" or flag == "vn")
             and w not in _RESTATING and not re.fullmatch(r"什么|怎么|多少|哪些|是否|有没有", w)]
    return not nouns


_THAT_ZH = re.compile(r"(?:那个|这个|那家|这家|那项|这项|该)(?=[\u4e00-\u9fff])")


def _named_again(text: str, turn: Turn) -> str | None:
    """"那个先行区的承载范围" after a turn naming 北京数据基础制度先行区: the demonstrative and
    the word after it become the turn's phrase holding that word."""
    m = _THAT_ZH.search(text)
    words = pos_tags(text[m.end() :]) if m else []
    if not m or not words or len(words[0][0]) < 2 or words[0][1] not in NOUNISH:
        return None
    head = words[0][0]
    found = phrase_with(head, turn.searched) or phrase_with(head, turn.answer)
    return text[: m.start()] + found + text[m.end() + len(head) :] if found else None


def _has_own_subject(before: str) -> bool:
    """The question names something before its pronoun ("北京…，其…"): self-contained."""
    if in_english(before):  # a name or an acronym (AI, 5G), or a question of its own first
        return any(re.match(r"[A-Z][a-zA-Z0-9]|\d+[A-Z]", w) for w in before.split()[1:]) \
            or bool(re.search(r"\b(?:what|how|which|who|when)\b[^,]{8,},\s*(?:and|but)\b",
                              before, re.I))
    return bool(noun_runs(before)) if before.strip() else False


@dataclass(frozen=True)
class FollowupRules:
    """Tunables of the resolver."""

    max_turns: int = 6  # earlier turns looked at
    max_item_chars: int = 30  # a list item is referred to by its opening clause, at most this
    max_elliptic_chars: int = 16  # "那上海呢?"-style questions are short


class Resolver:
    """Rewrites a follow-up into a standalone question from earlier ``Turn``s (rules only)."""

    def __init__(self, domain: Domain, rules: FollowupRules | None = None) -> None:
        self.domain, self.rules = domain, rules or FollowupRules()
        self._english_names: dict[str, str] = {}
        for name, zh in domain.gazetteer.items():
            self._english_names.setdefault(zh, name)

    def resolve(self, question: str, history: Sequence[Turn] = ()) -> Resolution:
        """The question to search for ``question`` after ``history`` (oldest first)."""
        turns = [t for t in history if t.searched.strip()][-self.rules.max_turns:]
        own = _NEW_TOPIC.sub("", question, count=1)
        if own != question and own.strip():  # "换个话题:…", "Separately, …": a question alone
            return Resolution(question, own.strip(), "topic")
        if not turns or not question.strip():
            return Resolution(question, question)
        plain = plain_text(question)
        steps = (("back", self._turn), ("back", self._back), ("item", self._item),
                 ("swap", self._swap),
                 ("attribute", self._derived),
                 ("pronoun", self._pronoun), ("attribute", self._attribute))
        for rule, step in steps:
            text = step(plain, turns)
            if text and text != plain:
                return Resolution(question, self._in_script(text, question), rule)
        return Resolution(question, question)

    @staticmethod
    def _in_script(text: str, question: str) -> str:
        return to_traditional(text) if looks_traditional(question) else text

    # --- anchor swap: "那上海呢?", "2022年呢?", "And Hangzhou?" -----------------------------

    def _swap(self, plain: str, turns: list[Turn]) -> str | None:
        first = re.match(r"^(.{1,40}?[?？])\s*(?=\S)", plain)
        if first and _restates(plain[first.end():]):
            # "上海呢?有什么例子?", "2023年呢?又出了什么?": the swap says it all
            return self._swap(first.group(1), turns)
        core, connective = self._elliptic_core(plain)
        if core is None:
            return None
        numbers, places = find_anchors(core, self.domain)
        years = [n for n in numbers if YEAR.fullmatch(n)]
        rest = self._without_anchors(core, years, places)
        if years and not places and in_english(core) and _WHEN_EN.fullmatch(core.strip()):
            # "And by the end of 2020?": the earlier question's date phrase replaced whole
            text = plain_text(turns[-1].searched)
            said = _WHEN_EN.search(text)
            return text[: said.start()] + core.strip() + text[said.end():] if said \
                else put_year(text, years[0])
        if rest:  # "那千兆用户呢?", "那上海的企业呢?": another topic (or attribute)
            if not connective if in_english(plain) else not _ELLIPTIC_ZH.search(plain):
                return None  # "北京的数字经济规模有多少?" is a question of its own
            return self._topic_swap(core, years, places, plain, turns)
        if not years and not places:
            return None
        text = plain_text(turns[-1].searched)
        if years:
            text = put_year(text, years[0])
        if places:
            text = self._put_place(text, places, core)
        return text

    def _topic_swap(self, core: str, years: list[str], places: tuple[str, ...], plain: str,
                    turns: list[Turn]) -> str | None:
        """The earlier question about another thing: its subject phrase's topic replaced,
        its place, year and measured attribute (增加值, 增速) kept unless the follow-up names
        its own. An attribute alone ("那增速呢?") replaces the earlier attribute, or, when the
        earlier subject had none ("成交额呢?" after "…交易所是什么时候成立的?"), asks for it."""
        previous = plain_text(turns[-1].searched)
        if in_english(core) or in_english(previous):
            return self._entity_swap_en(core, plain, turns)
        run = first_noun_run(previous)
        lead = self._place_surface(run)
        lead = lead if lead and run.startswith(lead) else ""
        body = run[len(lead):]
        attr = measure_suffix(body)
        topic = body[: len(body) - len(attr)]
        new_place = self._place_surface(core) if places else ""
        new_body = re.sub(r"^的", "", core.replace(new_place, "", 1) if new_place else core)
        for y in years:
            new_body = re.sub(rf"^(?:{y}|{y[2:]})年的?", "", new_body)
        measure = bool(MEASURE.search(new_body)) and len(pos_tags(new_body)) == 1
        if not run or not new_body or not (measure or noun_runs(new_body) == [new_body]):
            return None  # not a bare noun phrase: a pronoun, a verb, a question of its own
        if measure or measure_suffix(new_body) == new_body:
            if not attr:
                if _DERIVED.match(plain.strip()):
                    return None  # a measure of the whole earlier quantity: ``_derived``
                subject = self._subject(turns)
                return f"{subject}的{plain}" if subject and not places and not years else None
            new_run = (new_place or lead) + topic + new_body
        else:
            new_run = (new_place or lead) + new_body + attr
        if new_run == run:
            return None
        text = previous.replace(run, new_run, 1)
        return put_year(text, years[0]) if years else text

    def _elliptic_core(self, plain: str) -> tuple[str | None, bool]:
        """The swapped-in words of a short elliptic question, and whether it opened with a
        connective (那/and/what about)."""
        if in_english(plain):
            m = _EN_SWAP.match(plain)
            if not m:  # "Shanghai?", "In 2022?": only anchors, checked by the caller
                bare = re.sub(r"^(?:and\s+)?(?:in|for|of|at)\s+|[?.!\s]+$", "", plain, flags=re.I)
                short = len(bare.split()) <= 3 and plain.rstrip().endswith("?")
                return (bare, False) if short else (None, False)
            core = re.sub(r"^(?:in|for|of|at|the)\s+", "", (m.group(1) or m.group(2)).strip(),
                          flags=re.I)
            return core, True
        if len(plain) > self.rules.max_elliptic_chars:
            return None, False
        m = re.fullmatch(_ZH_LEAD + r"(.+?)" + _ZH_TAIL, plain)
        if not m or m.group(1) == plain.rstrip("?？。!！ "):
            return None, False  # no lead and no tail: not elliptic
        return m.group(1).strip(), bool(_ZH_CONNECTIVE.match(plain))

    def _without_anchors(self, core: str, years: list[str], places: tuple[str, ...]) -> str:
        rest = core
        for y in years:
            rest = re.sub(rf"{y}年?|{y[2:]}年", "", rest)
        for place in places:
            for form in place.split("|"):
                rest = rest.replace(form, "")
        if in_english(core):
            names = [n for n, zh in self.domain.gazetteer.items()
                     if any(zh in p.split("|") for p in places)]
            for name in names:
                rest = re.sub(rf"\b{re.escape(name)}\b", "", rest, flags=re.I)
            return re.sub(r"\b(?:and|in|the|of|for|year|city)\b|[\W_]", "", rest, flags=re.I)
        rest = re.sub(r"的?(?:时候|时期|那时|那年)", "", rest)  # "那2023年的时候呢?"
        return re.sub(r"[市省区县的和与及、在年\W_]", "", rest)

    def _put_place(self, text: str, places: tuple[str, ...], core: str) -> str:
        new = [self._place_name(p, core, in_english(text)) for p in places]
        joined = (" and " if in_english(text) else "和").join(new)
        old = find_anchors(text, self.domain)[1]
        span = self._place_span(text, old[0]) if old else None
        if span:
            return text[: span[0]] + joined + text[span[1] :]
        if in_english(text):
            return re.sub(r"\s*[?.]*$", f" in {joined}?", text, count=1)
        return joined + text

    def _place_name(self, place: str, core: str, english: bool) -> str:
        """The new place as the earlier question's language writes it."""
        forms = place.split("|")
        if not english:
            return forms[0]
        for name, zh in self.domain.gazetteer.items():
            found = re.search(rf"\b{re.escape(name)}\b", core, re.I) if zh in forms else None
            if found:
                return found.group(0)
        english_name = self._english_names.get(forms[0])
        return english_name.title() if english_name else forms[0]

    def _place_span(self, text: str, place: str) -> tuple[int, int] | None:
        forms = place.split("|")
        if in_english(text):
            names = [n for n, zh in self.domain.gazetteer.items() if zh in forms]
            for name in sorted(names, key=len, reverse=True):
                m = re.search(rf"\b{re.escape(name)}\b", text, re.I)
                if m:
                    return m.span()
            return None
        found = [(text.find(f), f) for f in forms if f in text]
        if not found:
            return None
        at, form = min(found)
        return at, at + len(form)

    def _entity_swap_en(self, core: str, plain: str, turns: list[Turn]) -> str | None:
        """"What about the Shanghai Data Exchange?": the earlier question about that named
        thing; "What about the growth rate?": that attribute of the earlier subject."""
        previous = plain_text(turns[-1].searched)
        subject = self._subject(turns)
        if not subject or not in_english(core):
            return None
        if re.match(r"[A-Z]", core) and subject in previous:
            return previous.replace(subject, core, 1)
        if re.match(r"(?:the\s+)?[a-z]", core) and not _PRONOUN_EN.search(core):
            return plain.replace(core, f"{core} of {subject}", 1)
        return None

    # --- list references: "第二个方面具体怎么做?", "the third one" --------------------------

    def _item(self, plain: str, turns: list[Turn]) -> str | None:
        m = (_ITEM_EN if in_english(plain) else _ITEM_ZH).search(plain)
        if not m:
            return None
        n = ordinal_of(m)
        item = next((it for t in reversed(turns) if (it := pick_item(
            tuple(plain_text(i) for i in t.items), n, asked_count(plain_text(t.searched))))), None)
        if item is None:
            return None
        key = key_phrase(plain_text(item), self.rules.max_item_chars)
        return plain[: m.start()] + key + plain[m.end() :]

    # --- reach back: "最开始问的那个区…", "the district I asked about first" ---------------

    def _back(self, plain: str, turns: list[Turn]) -> str | None:
        m = (_BACK_EN if in_english(plain) else _BACK_ZH).search(plain)
        if not m:
            return None
        head = (m.group(1) if in_english(plain) else m.group(2)) or ""
        order = turns if _FIRST.search(m.group(0)) else list(reversed(turns))
        referents = [r for t in order if (r := self._referent(head, t))]
        # "那个区": the first place written with that very word (海淀区), if one is
        referent = next((r for r in referents if head and len(head) == 1 and r.endswith(head)),
                        referents[0] if referents else "")
        return plain[: m.start()] + referent + plain[m.end() :] if referent else None

    def _turn(self, plain: str, turns: list[Turn]) -> str | None:
        """"回到第一个问题，那个先行区…": the rest resolved against that turn alone, or led by
        its subject when nothing in the rest refers to it."""
        english = in_english(plain)
        m = (_TURN_EN if english else _TURN_ZH).match(plain.strip())
        if not m or len(turns) < 2:
            return None
        rest = plain.strip()[m.end():]
        which = (m.group(1) or "").lower() if english else ""
        head = (m.group(2) or m.group(3) or "").lower() if english else ""
        if english:
            at = {"first": 0, "original": 0, "earlier": 0, "second": 1, "third": 2}.get(which, -1)
            if not which:  # "Back to that society, …": the turn that spoke of one
                at = next((i for i, t in enumerate(turns)
                           if re.search(rf"\b{re.escape(head)}\b", t.searched, re.I)), -2)
                if at == -2:
                    return None
        else:
            at = 0 if m.group(1) else -1 if m.group(3) else ordinal(m.group(2)) - 1
        turn = turns[min(at, len(turns) - 1)] if at >= 0 else turns[-1]
        named = named_head(head, turn.searched) if head not in _TURN_NOUNS else ""
        that = re.search(r"\b(?:that|this)\s+([a-z]+)\b", rest, re.I) if english else None
        if not named and that:  # "… strengthened that structure": the turn's structure
            head, named = that.group(1), named_head(that.group(1), turn.searched)
        if named:  # "that first platform" is the phrase of that turn naming a platform
            said = re.search(rf"\b(?:that|this|the)\s+{re.escape(head)}\b", rest, re.I) \
                or _PRONOUN_EN.search(rest)
            if said is None:
                return f"{named} {rest}"
            owner = said.group(0).lower() in ("its", "their")
            return rest[: said.start()] + named + ("'s" if owner else "") + rest[said.end():]
        for step in (self._swap, self._derived, self._pronoun, self._attribute):
            text = step(rest, [turn])
            if text and text != rest:
                return text
        again = None if english else _named_again(rest, turn)
        if again:
            return again
        subject = self._subject([turn])
        return f"{subject}{' ' if english else ''}{rest}".strip()

    def _referent(self, head: str, turn: Turn) -> str:
        """What ``head`` (区, 平台, district; "" for none) names in ``turn``: its place for a
        place word, else a noun phrase holding the word, else the turn's subject."""
        question = plain_text(turn.searched)
        if not head or PLACE_HEADS.match(head):
            place = self._place_surface(question)
            run = first_noun_run(question) if not head else ""
            if place and run.startswith(place) and 0 < len(run) - len(place) <= 2:
                return run  # 长安链, not the place 长安 inside the name
            if place:
                return place
        if head and not in_english(head):
            found = phrase_with(head, question) or phrase_with(head, turn.answer)
            if found:
                return found
        return self._subject([turn])

    def _place_surface(self, text: str) -> str:
        """The first place of ``text`` as written there (海淀区, Shanghai)."""
        places = find_anchors(text, self.domain)[1]
        if not places:
            return ""
        span = self._place_span(text, places[0])
        if span is None:
            return places[0].split("|")[0]
        if not in_english(text):  # the whole word jieba tagged (海淀区, not 海淀)
            at = 0
            for word, flag in pos_tags(text):
                if flag == "ns" and at <= span[0] < at + len(word):
                    return word
                at += len(word)
        return text[span[0] : span[1]]

    # --- pronouns and demonstratives: "它的成交额呢?", "这个平台…", "listed there" -----------

    def _pronoun(self, plain: str, turns: list[Turn]) -> str | None:
        if in_english(plain):
            return self._pronoun_en(plain, turns)
        m = _DEMONSTRATIVE_ZH.search(plain)
        if m and not _has_own_subject(plain[: m.start()]) and not QUESTIONISH.search(m.group(1)):
            head = m.group(1)
            referent = next((r for t in reversed(turns) if (r := self._demonstrated(head, t))),
                            "")
            if referent:
                return plain[: m.start()] + referent + plain[m.end() :]
        m = _HERE_ZH.search(plain) or _INSIDE_ZH.search(plain) or _PRONOUN_ZH.search(plain)
        if not m or _has_own_subject(plain[: m.start()]) or not self._is_token(plain, m):
            return None
        here = bool(_HERE_ZH.fullmatch(m.group(0)))
        subject = self._subject(turns)
        place = self._place_surface(plain_text(turns[-1].searched)) if here else ""
        # "那里" after a question about a place's park or zone (北京数据基础制度先行区) is it
        if place and subject.startswith(place) and _AREA.search(subject):
            place = subject
        referent = place or subject
        if not referent:
            return None
        joint = "的" if m.group(0) == "其" else ""
        return plain[: m.start()] + referent + joint + plain[m.end() :]

    def _demonstrated(self, head: str, turn: Turn) -> str:
        """"这个平台" in ``turn``: a longer phrase ending in or holding 平台, in its question
        (unless it asks "什么平台") or its answer; a place word means the turn's place."""
        question = plain_text(turn.searched)
        if PLACE_HEADS.match(head):
            return self._place_surface(question)
        # 用的是什么交易系统: the question asked which one, so the answer names it
        asked = re.search(rf"(?:什么样?的?|哪个|哪家|哪些|哪一)\s*[\u4e00-\u9fff]{{0,4}}?"
                          rf"{re.escape(head)}", question)
        found = "" if asked else phrase_with(head, question)
        return found or phrase_with(head, turn.answer)

    @staticmethod
    def _is_token(plain: str, m: re.Match[str]) -> bool:
        """The pronoun is a word of its own (not the 其 of 其中, the 该 of 应该)."""
        at = 0
        for word, _ in pos_tags(plain):
            if at == m.start() and word.startswith(m.group(0)):
                return True
            at += len(word)
        return False

    def _pronoun_en(self, plain: str, turns: list[Turn]) -> str | None:
        that = _THAT_EN.match(plain)
        if that:
            return f"{plain_text(turns[-1].searched).rstrip('?？.!。 ')} {that.group(1)}?"
        subject = self._subject(turns)
        m = _DEMONSTRATIVE_EN.search(plain)
        if m and subject and not _has_own_subject(plain[: m.start()]):
            head = m.group(1)
            referent = subject if head.lower() in subject.lower() else f"{subject} {head}"
            return plain[: m.start()] + f"the {referent}" + plain[m.end() :]
        m = _PRONOUN_EN.search(plain) or _THERE_EN.search(plain)
        if not m or not subject or _has_own_subject(plain[: m.start()]):
            return None
        word = m.group(0).lower()
        if word == "there":
            place = find_anchors(subject, self.domain)[1] if in_english(subject) else ()
            repl = f"in {subject}" if place or CJK.search(subject) else f"at the {subject}"
        elif word in ("its", "their"):
            repl = f"{subject}'s" if in_english(subject) else f"{subject} "
        else:
            repl = subject
        return plain[: m.start()] + repl + plain[m.end() :]

    # --- elliptic attribute: "成交额呢?", "是谁推出的?" -------------------------------------

    def _derived(self, plain: str, turns: list[Turn]) -> str | None:
        """A measure of the quantity just asked about ("增速是多少?", "那占比呢?" after
        "上海2021年数字贸易进出口额多少?"): the earlier question whole, with the measure."""
        m = _DERIVED.match(plain.strip())
        if not m or in_english(plain):
            return None
        core = _ASK_TAIL.sub("", plain_text(turns[-1].searched))
        if not core or not MEASURE.search(core) or _DERIVED.match(core):
            return None
        return f"{core}{m.group(1)}是多少?"

    def _attribute(self, plain: str, turns: list[Turn]) -> str | None:
        if in_english(plain) or len(plain) > self.rules.max_elliptic_chars:
            return None
        numbers, places = find_anchors(plain, self.domain)
        if numbers or places:
            return None
        subject = self._subject(turns)
        if not subject:
            return None
        tags = pos_tags(plain)
        if not any(f in _STRICT_NOUNS for _, f in tags):
            return subject + plain  # "是谁推出的?", "有多少家?"
        verb = next((f for w, f in tags if f not in ("d", "b", "c")), "")
        return subject + plain if verb in ("v", "p") else None  # "用了哪些技术?": no subject

    def _english_thing(self, question: str) -> str:
        """The capitalised name the question is about, unless that is only a place and the
        question asks about a thing of it: "it" after "…does Beijing's public data open
        platform provide?" is the platform, after "What is the first undersea data center
        mentioned in the Beijing report?" the data center, not Beijing."""
        name, thing = english_subject(question), object_phrase(question)
        a_place = len(find_anchors(name, self.domain)[1]) == 1 and len(name.split()) <= 2
        if not name or not a_place:
            return name or thing
        words = rf"((?:(?!{_EN_VERBS}\b)[a-z][\w-]*\s*){{1,5}})"
        owned = re.search(rf"\b{re.escape(name)}['’]s\s+{words}", question)
        if owned:
            return f"{name}'s {owned.group(1).strip()}"
        return thing or name

    def _subject(self, turns: list[Turn]) -> str:
        """What the latest turn was about: the first noun phrase of its question, or — when
        it asked "which X" — the phrase of askbj's answer naming that X."""
        turn = turns[-1]
        question = plain_text(turn.searched)
        if in_english(question):
            named = WHICH_EN.search(question) and turn.items and first_noun_run(turn.items[0])
            return named or described(question) or self._english_thing(question)
        head = asked_head(question)
        if head and turn.answer:  # the answer's 交易所 for 哪个交易所 (not 部门数据标准 for 部门)
            found = phrase_with(head, turn.answer)
            if found.endswith(head):
                return found
        return first_noun_run(question)


# A measure of a quantity rather than a thing (增速 of 进出口额), asked elliptically.
_DERIVED = re.compile(r"^(?:那么?|而|还有)?\s*(?:它的|其)?\s*(增速|增长率|增幅|同比增长|同比增速|"
                      r"年均增速|占比|比重|排名|份额|占GDP比重|占全国比重)\s*(?:呢|是多少|有多少|多少|为多少|"
                      r"怎么样|如何|是多少呢)?\s*[?？]?$", re.I)
_ASK_TAIL = re.compile(r"(?:是|有|为|达到?|约)?(?:多少|几|多大|多高|什么|哪些)[^\u4e00-\u9fff]*$")
def replay(answerer: Answerer, entries: Sequence[tuple[str, str | None]],
           k: int = 8, mode: str = "hybrid") -> tuple[Turn, ...]:
    """The earlier turns of a conversation, oldest first: each ``(question, answer)`` as
    given, or — answer None — answered by ``answerer`` now, so that a later "第二个方面…"
    can point into askbj's own answer. Each question is resolved against the turns before it."""
    turns: list[Turn] = []
    for question, answer in entries:
        if answer is None:
            turns.append(Turn.from_answer(answerer.ask(question, k=k, mode=mode, history=turns)))
        else:
            resolved = answerer.resolver.resolve(question, turns).question
            turns.append(Turn.of(question, answer, resolved))
    return tuple(turns)
