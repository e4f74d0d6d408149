# ruff: noqa: E501  (the patterns read best one alternation to a line)
"""Whether a sentence holds what a question part asks for: a value of its kind (a number with
the asked unit, a %, a date, a name jieba tags nr/ns/nt …), its focus in the sentence or its
immediate context, and not a narrower thing than the one asked about. General rules only."""

from __future__ import annotations

import re

from askbj.answer.answer_type import (
    ABSENT,
    AMOUNT,
    CLASSIFIERS,
    COUNT,
    DATE,
    DIFFERENCE,
    FIRST_PERSON_HOWTO,
    HOWTO,
    HOWTO_EN,
    HOWTO_ZH,
    ORG,
    PERCENT,
    PERSON,
    PLACE,
    Part,
    tagged_words,
)
from askbj.retrieve.expand import verb_senses
from askbj.text.normalize import fold, pos_tags

_NUMBER = re.compile(r"\d")
_PERCENT = re.compile(r"\d\s*%|百分之|个?百分点|\d\s*成|[一二三四五六七八九]成|percent")
_DATE = re.compile(r"(?:19|20)\d\d\s*年|\d{1,2}\s*月|\d{1,2}\s*[日号]|年[初底末中]|[上下]半年|月[初底末]"
                   r"|\d{1,2}\s*[:：]\s*\d\d|\d{1,2}\s*[点时](?![\d.])")  # or a time of day
_YEAR = re.compile(r"(?:19|20)\d\d\s*年?")
_DAY = re.compile(r"\d{1,2}\s*[日号]")
_MONEY = re.compile(r"\d[\d.,]*\s*(?:多|余)?\s*[万亿千百]*\s*(?:元|美元|欧元|块)|\$\s*\d|美元|亿元|万元")
_FOOTNOTE = re.compile(r"\[\d{1,3}\]|[①-⑳]")
# A five-year plan is named by its number ("十四五", "十三五"): a name, not an amount
_PLAN = re.compile(r"十[一二三四五六七八九]五")
_CN_NUMBER = re.compile(r"[一二两三四五六七八九][十百千万亿]|[十百千万亿][一二两三四五六七八九]")  # 二十, 三百
_CN_COUNT = re.compile(rf"(?<!第)[一二两三四五六七八九十百千万]+[{CLASSIFIERS}]")
_DATE_PART = re.compile(r"(?<!\d)(?:19|20)\d\d\s*(?:年|(?=[-–~—至到)）]))|\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|第[一二三四五六七八九十百\d]+")
_ORG_SUFFIX = re.compile(r"[\u4e00-\u9fffa-z]{1,3}(?:公司|集团|研究院|研究所|研究中心|委员会|办公室|管理局|交易所|协会|联盟|大学|学院|银行"
                         r"|部|局|厅|署|中心|实验室|基金会|平台|企业)")
_PLACE_SUFFIX = re.compile(r"[\u4e00-\u9fff]{1,3}(?:市(?!场|民|值|政)|区(?!域|块|别|间|分|位)|省(?!级)|县|镇|园区?|新城|街道|开发区|科学城)")


# Roles only a person holds (总经理是谁, who is the director): general words, no corpus names.
_ROLE_ZH = r"总?经理|董事长|董事|主任|局长|院长|所长|市长|区长|书记|主席|总裁|负责人|创始人|校长|部长|厅长|行长|总编|主编"
_ROLE = re.compile(rf"(?:{_ROLE_ZH})|\b(?:director|manager|chairman|chairwoman|chair|president|head"
                   r"|mayor|ceo|founder|secretary|governor|dean|editor|minister)s?\b")
_NO_SUFFIX = re.compile(r"(?!)")


def _procedure(clause: str) -> str:
    """The asked procedure's verbs as a pattern (Chinese words for an English verb)."""
    zh = re.findall(HOWTO_ZH, clause)
    en = [zh_words for verb, zh_words in HOWTO_EN.items() if re.search(rf"\b{verb}\b", clause)]
    mine = FIRST_PERSON_HOWTO.search(clause)
    if mine and not en:  # any other verb: its dictionary senses (cook → 烹调, 做饭 …)
        en = [re.escape(w) for w in verb_senses(mine.group(1)) if len(w) > 1]
    return "|".join([*zh, *en]) or "(?!)"


def holds(part: Part, sentence: str) -> bool:
    """``sentence`` (folded) holds something of the part's kind (a value kind); other kinds
    always hold."""
    kind = part.kind
    if kind in (AMOUNT, COUNT, DIFFERENCE):
        return _has_amount(part, sentence)
    if kind == PERCENT:
        return bool(_PERCENT.search(sentence))
    if kind == DATE:
        return _has_date(part, sentence)
    if kind == HOWTO:  # the text must do what was asked: 申请 for 怎么申请
        return bool(re.search(_procedure(part.clause), sentence))
    if kind == PERSON and _ROLE.search(part.clause):  # a manager, a mayor: a person's name
        return _names_new(sentence, part.clause, {"nr"}, _NO_SUFFIX)
    if kind == PERSON:  # 谁 is as often a company or a body as a person
        return _names_new(sentence, part.clause, {"nr", "nt"}, _ORG_SUFFIX)
    if kind == ORG:
        return _names_new(sentence, part.clause, {"nt"}, _ORG_SUFFIX)
    if kind == PLACE:
        return _names_new(sentence, part.clause, {"ns"}, _PLACE_SUFFIX)
    return True


def _names_new(sentence: str, clause: str, flags: set[str], suffix: re.Pattern[str]) -> bool:
    """A name of the kind that the question itself does not already say: "先行区设在哪里"
    is not answered by a sentence whose only place is 先行区."""
    words = [w for w, flag in tagged_words(sentence) if flag in flags]
    words += [m.group(0) for m in suffix.finditer(sentence)]
    # 北京市 is no new place for a question saying 北京
    return any(w not in clause and w[-3:] not in clause
               and not (len(w) > 2 and w[-1] in "市省" and w[-3:-1] in clause) for w in words)


def _has_amount(part: Part, sentence: str) -> bool:
    if part.unit == "元":
        return bool(_MONEY.search(sentence))
    if part.unit:  # any classifier: 几座工厂 is answered by "14个工厂"
        unit = f"[{CLASSIFIERS}]"
        return bool(re.search(rf"\d[\d.,]*\s*(?:多|余)?\s*[万亿千百]*\s*{unit}", sentence)
                    or any(m.group(0) != "一批" for m in re.finditer(  # 一批: some, not a count
                        rf"[一二两三四五六七八九十百千万]+{unit}", sentence)))
    # "2021年10月" is a date, a footnote marker "体系[6]" or ① no amount
    bare = _DATE_PART.sub("", _FOOTNOTE.sub("", _PLAN.sub("", sentence)))
    return bool(_NUMBER.search(bare) or _CN_COUNT.search(bare)
                or _CN_NUMBER.search(bare) or _PERCENT.search(bare))


def _has_date(part: Part, sentence: str) -> bool:
    clause = part.clause
    if re.search(r"哪一?年|what year|which year", clause):
        return bool(_YEAR.search(sentence))
    if re.search(r"哪一?天|几号|几日|日期|what date|which day", clause):
        return bool(_DAY.search(sentence))
    return bool(_DATE.search(sentence))


def narrowed(question: str, sentence: str) -> bool:
    """The sentence names the question's noun only inside a longer compound the question
    does not ask about ("数字经济**核心产业增加值**" when 数字经济 was asked): its figure is
    of a narrower thing. Two or more nouns foreign to the question right after the first
    of the question's nouns the sentence uses."""
    asked = {w for w, flag in pos_tags(fold(question)) if flag.startswith("n") and len(w) >= 2}
    tagged = pos_tags(sentence)
    at = next((i for i, (w, _) in enumerate(tagged) if w in asked), None)
    if at is None:
        return False
    while at + 1 < len(tagged) and tagged[at + 1][0] in asked:  # the asked run: 数字 经济
        at += 1
    run = 0
    for w, flag in tagged[at + 1 :]:
        if w in asked or not flag.startswith("n"):
            break
        run += 1
    return run >= 2


def focus_met(focus: tuple[str, ...], text: str,
              translations: dict[str, tuple[str, ...]] | None = None) -> bool:
    """Every focus word (or, for English, one of its Chinese senses) is in ``text``
    (squashed); a word with no known sense cannot be checked and does not count."""
    return all(_word_met(word, text, translations) for word in focus)


def part_met(part: Part, text: str, translations: dict[str, tuple[str, ...]]) -> bool:
    """The part's focus is in ``text``. An English part with a head noun may miss one of
    three or more checkable words: word-by-word senses miss compounds ("national-level" is
    国家级, not 国家 + 水平). A word the corpus never uses is never met."""
    if not part.head:
        return focus_met(part.focus, text, translations)
    words = [w for w in dict.fromkeys((*part.focus, part.head)) if translations.get(w)]
    if any(translations[w] == (ABSENT,) for w in words):
        return False
    if part.kind == PERSON and part.head in words and not _word_met(part.head, text, translations):
        return False  # "who is the director of X": a text about X naming no director
    met = sum(_word_met(w, text, translations) for w in words)
    return met >= len(words) - (len(words) >= 3)


# A measure is met by a value in its unit: 面积 by "600平方公里" (general units, no corpus words)
_MEASURED_IN = {"面积": ("平方公里", "平方千米", "平方米", "公顷", "亩"),
                "长度": ("公里", "千米"), "里程": ("公里", "千米"),
                "重量": ("公斤", "千克", "吨"), "容量": ("TB", "PB", "GB", "tb", "pb", "gb")}


def _word_met(word: str, text: str, translations: dict[str, tuple[str, ...]] | None) -> bool:
    stem = word[:-1] if len(word) > 2 and word.endswith("率") else word  # 国产化率 ≈ 国产化比例
    amounts = (f"{word[:-1]}金额", f"{word[:-1]}总额") if len(word) > 2 and word.endswith("额") \
        else ()  # 交易额 ≈ 交易金额
    senses = (translations or {}).get(word, (word, stem, *amounts))
    senses = (*senses, *(u for s in senses for u in _MEASURED_IN.get(s, ())))
    return not senses or any(s in text for s in senses) or _abbreviates(word, text)


_CJK = "[\u4e00-\u9fff]"


def _abbreviates(word: str, text: str) -> bool:
    """A two-character word met by the four-character compound it shortens, each character
    opening a word of two (营收: 营业收入, 研发: 研究开发), as Chinese abbreviations are made."""
    return bool(re.fullmatch(f"{_CJK}{{2}}", word)) and bool(
        re.search(f"{word[0]}{_CJK}{word[1]}{_CJK}", text))
