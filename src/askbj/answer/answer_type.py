# ruff: noqa: E501  (the question patterns read best one alternation to a line)
"""What a question asks for (whether a sentence holds it: ``askbj.answer.holds``).

"北京人工智能算力券的补贴比例是多少?" asks for a *percentage* about a *subsidy*: a sentence
that names the voucher but gives no rate does not answer it, however many of the question's
words it shares. So each part of a question gets an answer **kind** (amount, percentage,
date, person, organization, place, count, list, reason, definition, yes/no, comparison,
difference) read from general question patterns (多少/几/何时/谁/哪家/为什么/how many/when/
who …), and a **focus**: the attribute asked about (补贴, 董事长, 揭牌), the words next to the
question word once generic measure nouns (比例, 数量, 时间 …) are set aside, since the kind
itself stands for those. A sentence answers a part when it holds something of the kind
(a number with the asked unit, a %, a date, a name jieba tags nr/ns/nt …) and meets the focus
in itself or its immediate context. Nothing here knows the corpus's entities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from askbj.answer import asked
from askbj.text.lang import is_english
from askbj.text.normalize import fold, pos_tags

AMOUNT, PERCENT, DATE, PERSON, ORG, PLACE = "amount", "percent", "date", "person", "org", "place"
COUNT, LIST, REASON, DEFINITION, YESNO = "count", "list", "reason", "definition", "yesno"
COMPARISON, DIFFERENCE, OTHER = "comparison", "difference", "other"
HOWTO = "howto"  # a procedure: 怎么申请, how do I reset …
# Kinds whose answer is a value a sentence either holds or lacks; the others (a list, a
# reason, a definition …) are judged by coverage alone.
VALUE_KINDS = frozenset({AMOUNT, PERCENT, DATE, PERSON, ORG, PLACE, COUNT, DIFFERENCE, HOWTO})
# A procedure's verbs (a user asking how to apply, open, reset …), and the Chinese words a
# text doing it would use for the English ones: general vocabulary, not a corpus's.
HOWTO_EN = {"apply": "申请", "register": "注册|登记", "open": "开通|开设|开户", "install": "安装",
             "download": "下载", "reset": "重置|恢复", "buy": "购买", "book": "预约|预订",
             "sign up": "注册|报名", "log in": "登录", "set up": "设置|开通", "pay": "缴费|支付",
             "cancel": "取消|退订", "subscribe": "订阅", "renew": "续", "activate": "激活|开通"}
HOWTO_ZH = "申请|开通|办理|注册|下载|安装|购买|报名|预约|登录|设置|重置|退订|充值|缴费|投诉|激活|续费"

YEAR_LIKE = re.compile(r"(?:19|20)\d\d")  # a year asked about is an anchor, not a focus word
_CHANGE_VERB = r"(?:increase|grow|grew|rise|rose|fall|fell|drop|decline|change)"
_COMPARATIVE = (r"(?:more|less|better|worse|higher|lower|larger|bigger|smaller|greater|faster"
                r"|slower|cheaper|longer|shorter|stronger|weaker)")
# (kind, Chinese pattern, English pattern), first match wins.
_PATTERNS: tuple[tuple[str, str, str], ...] = (
    (REASON, r"为什么|为何|何以|原因|缘何|难在哪|根源", r"\bwhy\b|\bwhat (?:makes|causes)\b|\breasons?\b"),
    (DIFFERENCE, r"(?:增加|增长|减少|下降|提高|提升|上升|降低|高|低|快|慢|差|多|少)[了出]?多少|相差|差距|差多少|快了还是慢了"
                 r"|变化了?多少|从.{1,20}到.{1,20}(?:增|减|升|降|提高)",
     rf"\bhow much {_COMPARATIVE}\b|\bdifference between\b|\bby how much\b"
     rf"|\b{_CHANGE_VERB}[ds]?(?= (?:[a-z-]+ ){{0,3}}(?:by|from \S+ to|between \S+ and)\b)"),
    (COUNT, r"多少(?:个|家|项|座|台|名|人|所|条|批|款|种|类|位|部|只|户|辆|次|篇|件|份)|(?<![哪这那])几(?:个|家|项|座|台|名|所|条|批|款|种|类|位|部|户|辆|次)",
     r"\bhow many\b"),
    (PERCENT, r"(?:比例|比重|占比|份额|增速|增长率|增幅|渗透率|覆盖率|百分之|[^\s]率)"
              r"(?:是|为|有|达到?|约|大概|大约)*(?:多少|几|多高|多大|怎样|如何)"
              r"|(?:占|增长|增速)[^，,。?？]{0,10}?(?:多少|几成|多大|多高)|百分之几|几成|多少%"
              r"|(?:比例|比重|占比|份额|渗透率|覆盖率)[^，,。?？]{0,16}?(?:多少|几成|多大|多高)"
              r"|(?:什么|多大|何种|怎样的)(?:比例|比率|比重)"
              r"|(?:比例|比重|占比|率)[^，,。?？]{0,6}(?:什么水平|如何|怎样)",
     r"\bwhat (?:share|percentage|proportion|percent|per ?cent)\b|\bwhat %|\bhow (?:fast|quickly)\b"
     r"|\b(?:growth|penetration|subsidy) rate\b|\bshare of\b|\bwhat (?:\w+ ){0,3}(?:rate|ratio)\b"),
    (DATE, r"何时|什么时候|哪(?:个|一)?(?:朝代|年代)|哪一?年|哪一?天|哪一?月|几月|几号|几日|什么时间|日期|时间是|哪个时间",
     r"\bwhen\b|\bwhat (?:year|date|month|day|time)\b|\bwhich (?:year|date|month)\b|\bsince when\b"
     r"|\bopening (?:hours|times)\b"),
    (PERSON, r"谁|哪位|什么人|哪些人|姓名|(?:经理|董事长|主任|局长|院长|所长|市长|负责人|创始人|总裁)"
             r"(?:是|叫)?什么名字",
     r"\bwho(?:m|se)?\b|\bwhat is the name of the (?:person|head|director|chairman|manager)\b"),
    (ORG, r"哪(?:家|个|些)(?:机构|部门|单位|公司|企业|组织|银行|高校|大学|平台|交易所|协会)"
          r"|什么(?:机构|部门|单位|公司|企业|组织)",
     r"\bwhich (?:company|companies|firm|organi[sz]ation|agency|institution|department|exchange)\b"),
    (PLACE, r"(?<!差在)(?<!难在)(?<!题在)(?<!足在)(?<!源在)(?<!处在)哪里|哪儿|(?<!差)(?<!难)(?<!题)(?<!足)(?<!源)在哪(?:里|儿)|何地|何处|什么地方|哪(?:个|些|片)(?:城市|地区|区域|区|省份?|县|国家|地方|海域|位置)",
     r"\bwhere\b|\bwhich (?:city|cities|district|province|country|countries|area)\b"),
    (AMOUNT, r"多少|多大|多高|多长|多远|多少钱|规模|金额",
     r"\bhow (?:much|large|big|high|long|far)\b"
     r"|\bwhat (?:[\w']+ ){0,8}(?:total|value|amount|size|scale|price|cost|investment|budget|target|figure"
     r"|salary|salaries|wages?|income|revenue|profit|turnover|volume|sales|population)\b"),
    (LIST, r"哪些|哪几|列举|有几|几方面|分别是什么|有什么(?:措施|举措|做法|特点|问题)",
     r"\bwhat are\b|\bwhich\b|\blist\b|\bname the\b|\bwhat (?:measures|steps)\b"),
    (DEFINITION, r"是什么|什么是|指什么|指的是|含义|意思|怎么理解|如何理解|是啥|如何界定|怎样界定|叫什么"
                 r"|(?:怎么|如何|怎样)定义|定义",
     r"\bwhat (?:is|does|do)\b|\bdefine\b|\bmeaning\b"),
    (YESNO, r"是否|是不是|有没有|能否|能不能|吗\W*$",
     r"^(?:is|are|does|do|did|can|has|have|was|were|will)\b"),
)
# "How do I cook …", "how can I switch my phone …": a reader's own procedure, whatever the verb
FIRST_PERSON_HOWTO = re.compile(r"\bhow (?:do|can|should|would|could|might) i\s+([a-z][a-z-]*)")
_PATTERNS = ((HOWTO, rf"(?:怎么|如何|怎样|咋)(?:才能|可以|去)?(?:{HOWTO_ZH})",
              rf"\bhow (?:do|can|should|would) (?:i|you|we|one|people)\b(?:\s+\w+)?\s+"
              rf"(?:{'|'.join(HOWTO_EN)})\b|{FIRST_PERSON_HOWTO.pattern}"), *_PATTERNS)
_COMPILED = tuple((k, re.compile(zh), re.compile(en)) for k, zh, en in _PATTERNS)
_COMPARE = re.compile(r"分别|各(?:是|为|有|自)|哪个(?:更|城市更)|相比|比较|对比"
                      r"|(?:一样|相同|一致)(?:吗|么|不)|是否(?:一样|相同|一致)"
                      r"|\brespectively\b|\bversus\b|\bvs\.?\b|\bcompared?\b|\beach\b")
# Generic measure nouns the kind stands for: "补贴比例" asks for a rate *of subsidy*, and a
# sentence giving "30%的补贴" answers it without the word 比例.
_GENERIC = frozenset("比例 比重 占比 份额 数量 数目 总数 规模 金额 总额 数额 数值 水平 时间 日期 年份 时候 "
                     "名字 名称 姓名 地方 地点 情况 多少 程度 幅度 增速 速度 大小 数字 个数 具体 目前 现在 "
                     "现任 大概 大约 一共 总共 累计 达到 主要 哪些 分别 各自 这些 其中 超过 包括 提出 认为 已经 能够 可以 "
                     "当前 全市 全国 全球 全省 平均 同比 一个 效果 作用 影响 带来 实现 情况 开始 "
                     "一年 一年内 年内 今年 去年 全年 当年 同期 期间 说法 提法 表述 口径 给出 记载 两份 材料 文件 "
                     "相比 对比 比较 相较 报告 文章 论文 年底 年初 年末 月底 月末 推算 估算 测算 换算 据此 由此 依此 "
                     "这个 那个 这种 那种 该类 此类".split())
CLASSIFIERS = "个家项座台名所条批款种类位部只户辆次篇件份"
_BODY = frozenset("部门 机构 单位 机关 组织".split())  # what "which body" asks for, unnamed
ABSENT = "\x00"  # the sense of a focus word the corpus never uses: no text meets it


@dataclass(frozen=True)
class Part:
    """One asked thing: its kind, the focus words a sentence must meet, the unit asked in."""

    kind: str
    focus: tuple[str, ...] = ()
    unit: str = ""  # 个, 家, 元 …: a count or amount must be given in it
    clause: str = ""
    topic: str = ""  # what the part is about, as the question words it (北京人工智能算力券)
    detail: str = ""  # the asked detail, as the question words it (补贴比例)
    phrase: str = ""  # the noun compound asked about (数字经济增加值), preferred when whole
    head: str = ""  # English: the asked noun itself ("who is the mayor of …" → mayor)


@dataclass(frozen=True)
class AnswerType:
    """What the whole question asks: its parts, and whether it compares two sides."""

    parts: tuple[Part, ...]
    compares: bool = False
    open_parts: int = 0  # clauses asking for no value ("设立了什么机构?"): lists, names …

    @property
    def kind(self) -> str:
        return self.parts[0].kind if self.parts else OTHER

    @property
    def checked(self) -> bool:
        """Some part asks for a value a sentence can be seen to hold or lack."""
        return any(p.kind in VALUE_KINDS for p in self.parts)

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "compares": self.compares, "open_parts": self.open_parts,
                "parts": [{"kind": p.kind, "focus": list(p.focus), "unit": p.unit}
                          for p in self.parts]}


def classify(question: str) -> AnswerType:
    """The kinds and focus of each part of ``question`` ("…多少?增速多少?" has two)."""
    folded = fold(question)
    english = is_english(folded)
    every = _borrow_focus(_sameness(_options(tuple(_part(c, english) for c in _clauses(folded)))),
                          english)
    if english and _MINE.search(folded):  # "… my phone photos?": the reader's own things
        every = (replace(every[0], kind=HOWTO), *every[1:])
    parts = tuple(p for p in every if p.kind != OTHER) or every[:1] or (Part(OTHER),)
    compares = bool(_COMPARE.search(folded)) or any(p.kind == DIFFERENCE for p in parts) \
        or _years_apart(parts)
    if compares and parts[0].kind == OTHER:  # "北京和广州分别成立了什么数据交易机构?"
        parts = (replace(parts[0], kind=COMPARISON), *parts[1:])
    return AnswerType(parts, compares, sum(p.kind not in VALUE_KINDS for p in every))


def _years_apart(parts: tuple[Part, ...]) -> bool:
    """Parts asking the same thing of different years ("2020年底有多少…, 2023年有多少?",
    "… at the end of 2020, and how many by 2023?") compare those years."""
    years = [set(re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", p.clause)) for p in parts]
    return len(parts) >= 2 and len(set().union(*years)) >= 2 and sum(bool(y) for y in years) >= 2


_SAME = re.compile(r"(?:一样|相同|一致|不同|有出入)(?:吗|么|不)?\W*$|是否(?:一样|相同|一致)")
_MEASURED = ((PERCENT, re.compile(r"比重|占比|比例|份额|[^\s]率|百分")),
             (AMOUNT, re.compile(r"额|值|规模|总量|产值|收入|营收|投资|数量|多少")))


_OPTIONS = re.compile(r"还是|\bor\b")
# The reader's own things ("my phone", "my own laptop"), not a turn of the conversation ("my
# first question"): no document of a corpus answers about them; checked as a procedure.
_MINE = re.compile(r"\bmy\s+(?:own\s+)?(?!(?:first|second|third|last|previous|earlier|original)"
                   r"\b|question\b|topic\b)[a-z]+")


def _options(parts: tuple[Part, ...]) -> tuple[Part, ...]:
    """"Which city has more …, Beijing or Shanghai?", "北京还是上海更多?": the place or body
    asked for is one the question names, so no new one is needed: a comparison of them."""
    return tuple(replace(p, kind=COMPARISON, focus=()) if p.kind in (PLACE, ORG)
                 and _OPTIONS.search(p.clause) else p for p in parts)


def _sameness(parts: tuple[Part, ...]) -> tuple[Part, ...]:
    """"2023年北京数字经济占GDP比重,两份报告给的数一样吗?" asks each source's figure: the
    yes/no about sameness takes the kind of the measure the clause before it names."""
    out = list(parts)
    for i, part in enumerate(out):
        same = _SAME.search(part.clause) if part.kind == YESNO else None
        if same is None:
            continue
        before = part.clause[: same.start()]
        if i and out[i - 1].kind == OTHER:
            before = f"{out[i - 1].clause},{before}"
        kind = next((k for k, rx in _MEASURED if rx.search(before)), None)
        if kind is not None:
            out[i] = replace(part, kind=kind, focus=())
    return tuple(out)


def _borrow_focus(parts: tuple[Part, ...], english: bool) -> tuple[Part, ...]:
    """A value part whose own words are all generic ("两份文件的说法分别是多少?") asks about
    what the clause before it named ("关于交易所的累计备案交易额,"): its last content word."""
    out = list(parts)
    for i in range(1, len(out)):
        if english or out[i].focus or out[i].kind not in VALUE_KINDS or out[i - 1].kind != OTHER \
                or _WH.search(out[i - 1].clause):  # "排第几?超过了哪个城市?": two questions
            continue
        words = [w for w in _words(out[i - 1].clause) if _content(w)]
        if words:
            out[i] = replace(out[i], focus=(words[-1],))
    return tuple(out)


def _clauses(folded: str) -> list[str]:
    """Question clauses: split at ?, ; and at a comma or "and" that opens a new question."""
    pieces = [p for p in re.split(r"[?？;；]|(?<=[a-z0-9]), and (?=(?:what|how|when|who|which)\b)"
                                  r"|[,，、](?=[^,，、]*(?:多少|多大|多高|多长|几|哪|谁|何|什么))", folded) if p.strip()]
    return pieces or [folded]


def _part(clause: str, english: bool) -> Part:
    for kind, zh, en in _COMPILED:
        m = (en if english else zh).search(clause)
        if m:
            focus = _english_focus(clause, m) if english else _chinese_focus(clause, m, kind)
            if kind == ORG:  # 哪个部门: the kind stands for the body; its name is the answer
                focus = tuple(f for f in focus if f not in _BODY)
            topic, detail = (("", asked.english(clause, m.start(), m.end(), kind, m.group(0)))
                             if english else asked.chinese(clause, m.start(), m.end(), kind))
            phrase = "" if english else _phrase(clause[: m.start()])
            head = _english_head(clause, m) if english else ""
            return Part(kind, focus, _unit(clause, m, english), clause, topic, detail, phrase,
                        head)
    return Part(OTHER, (), "", clause)


def _unit(clause: str, m: re.Match[str], english: bool) -> str:
    """The unit a value must carry: the classifier after 多少/几, or 元 for money (not for how
    much money grew: "how much did investment grow" is as often answered by a percentage)."""
    if english:
        grew = re.search(rf"\b{_CHANGE_VERB}[ds]?\b|\bgrowth\b", clause)
        return "元" if not grew and re.search(
            r"\b(?:yuan|rmb|dollars?|invest\w*|price|cost|revenue|funding)\b", clause) else ""
    after = clause[m.end() - 1 : m.end() + 1]
    if m.group(0)[-1:] in CLASSIFIERS:
        return m.group(0)[-1]
    if re.search(r"多少钱|金额|投资|售价|价格|资金|交易额|营收|收入|元", clause) \
            and not re.search(r"增长|增加|增速|提高|上升|下降|减少", clause):
        return "元"
    return after if after[-1:] in CLASSIFIERS and after[:1] in "多几" else ""


_HOW_MUCH = ("多少", "几", "多大", "多高", "多长")
_CHANGE_ZH = re.compile(r"提高|提升|增加|增长|上升|上涨|扩大|增至|下降|降低|减少|下滑|缩小|降至|变化")
# What links a subject to the asked value at the end of the text before the question word
_LINKING_TAIL = re.compile(r"(?:是|为|有|达到?|做到|实现|达成|约|大概|大约|共|一共|累计|了|的|都|能)+$")
_UNIT_WORD = re.compile(r"[十百千万亿]*(?:元|美元|欧元|日元|英镑|人民币)|平方(?:公里|千米|米)|公里|千米"
                        r"|公顷|亩|吨|公斤|千克|小时|分钟|[TGPE]B|个?百分点")


def _chinese_focus(clause: str, m: re.Match[str], kind: str) -> tuple[str, ...]:
    """Content words right after the question word (多少个**基站**, 哪家**公司**), else the
    ones right before it (补贴比例是多少 → 补贴), generic measure nouns left out."""
    quoted = re.findall(r"[“「\"『]([^”」\"』]{2,20})[”」\"』]", clause)
    if quoted:  # a quoted term is what the question is about: 哪个城市最早搞了“城市大脑”
        return (re.sub(r"\s+", "", quoted[-1]),)
    tail = re.split(r"[,，、。和及与]", clause[m.end():])[0]
    # a unit right after 多少 (多少亿元, 多少平方公里) says how the value is given, not what it
    # is of ("哪些区超过了千亿元" still asks about 千亿元)
    unit = m.group(0) in _HOW_MUCH
    # nor does the verb of a change ("从多少提高到多少"): it says how the value moved
    after = [w for w in _words(tail) if _content(w) and not _CHANGE_ZH.fullmatch(w)
             and not (unit and _UNIT_WORD.fullmatch(w))][:3]
    if after and (m.group(0)[-1:] in CLASSIFIERS or m.group(0) in _HOW_MUCH):
        return tuple(after[-1:])  # the head noun: 多少个5G**基站**, 几座国家级智慧**工厂**
    if after and kind == DATE:  # 是哪一天**揭牌**的, 何时**成立**
        return tuple(after[-1:])
    before = _LINKING_TAIL.sub("", clause[: m.start()])
    before = re.sub(r"(?:设|选|建|落|位|坐落)[在于]?$", "", before)
    # the pattern's edge may cut a word (国产|化率, 多少人|次): take it whole; not a place
    # or a date's verb (设|在哪儿)
    words = _overlapping(clause, m) if kind in (PERCENT, COUNT, AMOUNT) else _words(m.group(0))
    inner = [w for w in words if _content(w)] if kind != DIFFERENCE else []
    if inner:
        return tuple(inner[-1:])
    words = [w for w in _words(before.rsplit("的", 1)[-1]) if _content(w)]
    words = words or [w for w in _words(before) if _content(w)]
    return tuple(words[-1:]) if words else tuple(after)


def _overlapping(clause: str, m: re.Match[str]) -> list[str]:
    """The words of ``clause`` the question word's match overlaps, whole: the pattern's
    one character before 率 is part of a word (国产化率, not 化率). A word that begins inside
    the question word and runs past it is jieba's mis-cut (多大规模 as 多|大规模), not a word
    asked about."""
    out, at = [], 0
    for w in _words(clause):
        start = clause.find(w, at)
        if start < 0:
            continue
        at = start + len(w)
        if m.start() < start < m.start() + _wh_length(m.group(0)) and at > m.end():
            continue  # 多|大规模: the cut ate the question word (多少人|次 keeps its 人次)
        if at > m.start() and start < m.end():
            out.append(w)
    return out


def _wh_length(matched: str) -> int:
    """How much of a match is the question word itself (多大 of 多大, 多少 of 多少人)."""
    return next((len(w) for w in _HOW_MUCH if matched.startswith(w)), 0)


def _phrase(before: str) -> str:
    """The run of content words that ends the text before the question word."""
    before = _LINKING_TAIL.sub("", before)
    run: list[str] = []
    for word in reversed(_words(before)):
        if not (_content(word) or (word in _GENERIC and not run)):
            break
        run.insert(0, word)
    joined = "".join(run)
    return joined if len(run) >= 2 and len(joined) >= 4 else ""


def _words(text: str) -> list[str]:
    """jieba's plain cut (not search mode): 揭牌日期 → 揭牌, 日期."""
    from askbj.text.normalize import _jieba
    from askbj.text.normalize import _lock as jieba_lock

    with jieba_lock:
        cut = [w.strip() for w in _jieba().lcut(text) if w.strip()]
    # a word jieba starts with the suffix 化 continues the one before: 国产 化率 → 国产化率
    out: list[str] = []
    for w in cut:
        if out and w.startswith("化") and len(w) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", out[-1]):
            out[-1] += w
        else:
            out.append(w)
    return out


_WH = re.compile(r"多少|多大|多高|多长|多快|哪|什么|几|何|如何|谁|怎|啥|为啥")


def asks_which(clause: str) -> bool:
    """The clause holds a question word (有成立什么机构吗 asks what, not whether)."""
    return bool(_WH.search(clause))


def generic(word: str) -> bool:
    """A measure noun or filler the answer kind stands for (比例, 数量, 目前 …), or a
    question word."""
    return word in _GENERIC or bool(_WH.search(word)) or word in ("一天", "一年")


def noun(word: str) -> bool:
    """jieba tags ``word`` as a noun of some kind (n, nz, nt, nr, ns, vn …)."""
    return any(flag.startswith("n") or flag == "vn" for _, flag in tagged_words(word))


def _content(word: str) -> bool:
    return (len(word) >= 2 and word not in _GENERIC and not word.isdigit()
            and not _WH.search(word)
            and not re.fullmatch(r"比[上前去同往今]", word)  # jieba's 比|前一年: "than", no noun
            and not re.fullmatch(r"(?:19|20)?\d\d年?|[\d.]+", word) and "ns" not in word_tags(word)
            and bool(re.search(r"[\u3400-\u9fffa-z]", word)))


_EN_STOP = frozenset("what which who whom whose when where why how much many is are was were "
                     "the a an of in on at for to by did does do has have had and or its their "
                     "beijing's according total value amount number share percentage rate ratio target "
                     "figure price cost size scale proportion percent large big high long far "
                     "fast quickly year date month day time more less many much vs versus compare "
                     "compared comparison that this these those each every annually yearly".split())


def _english_focus(clause: str, m: re.Match[str]) -> tuple[str, ...]:
    """English content words after the question word, up to a preposition: "how many 5G
    base stations did…" → 5g, base, stations (matched through translation by the caller)."""
    if re.match(_CHANGE_VERB, m.group(0)):  # "how much did X grow between …" → X
        before = re.sub(r"^.*?\b(?:did|does|do|has|have|had|is|are|was|were|will)\s+", "",
                        clause[: m.start()])
        words = [w for w in re.findall(r"[a-z0-9]+", before) if w not in _EN_STOP and len(w) > 1]
        return tuple(words[-4:])
    rest = clause[m.end():].strip(" ?.")
    # "when and where is … held": the second question word shares the first one's clause
    rest = re.sub(r"^(?:and|or|&)\s+(?:when|where|who|how|what|which)\b\s*", "", rest)
    aux = re.match(r"(?:did|does|do|has|have|had|is|are|was|were|will|can)\b\s*", rest)
    if aux and re.match(r"when|where", m.group(0)):  # "when was the exchange founded" → founded
        last = [w for w in re.findall(r"[a-z]+", rest) if w not in _EN_STOP and len(w) > 2]
        return tuple(last[-1:])
    rest = re.sub(r"^(?:(?:did|does|do|has|have|had|is|are|was|were|the|a|an)\s+)+", "", rest)
    tail = re.split(r"\b(?:did|does|do|has|have|had|in|of|for|by|at|on|is|are|was|were|per"
                    r"|among|across|within|between|under|than|as)\b",
                    rest, maxsplit=1)[0]
    # a possessor ("the world's first", "the economy's share") qualifies the asked thing
    owners = set(re.findall(r"([a-z0-9]+)['’]s\b", clause))
    words = [w for w in re.findall(r"[a-z0-9]+", f"{m.group(0)} {tail}")
             if w not in _EN_STOP and len(w) > 1 and not YEAR_LIKE.fullmatch(w)
             and w not in owners and not re.fullmatch(_COMPARATIVE, w)]
    return (*words[:3], *(_owner(rest) if m.group(0).startswith("who") else ()))


def _owner(rest: str) -> tuple[str, ...]:
    """Whose role a "who is the manager of X" question asks: X's words, which the answer's
    context must name too (a manager of another company is no answer)."""
    m = re.match(r"(?:is|was|are|were)?\s*(?:the\s+)?(?:[\w'-]+\s+){1,5}?(?:of|at)\s+(?:the\s+)?"
                 r"([\w' -]+?)\s*$", rest)
    if not m:
        return ()
    return tuple(w for w in re.findall(r"[a-z0-9]+", m.group(1))
                 if w not in _EN_STOP and len(w) > 1)[:5]


def _english_head(clause: str, m: re.Match[str]) -> str:
    """The noun a value question asks for when a noun phrase follows the question word and
    ends at a preposition or a verb: "who is the mayor of …" → mayor, "how many robotaxis
    are …" → robotaxis; "" when a clause follows ("which city do the papers credit …")."""
    named = re.findall(r"[a-z]+", m.group(0))[-1:]  # "what is the average salary"
    if named and named[0] not in _EN_STOP and m.group(0).startswith("what"):
        return named[0]
    rest = clause[m.end():].strip(" ?.")
    rest = re.sub(r"^(?:(?:is|are|was|were)\s+)?(?:(?:the|a|an)\s+)?", "", rest)
    if re.match(r"(?:did|does|do|has|have|had|will|can)\b", rest):
        return ""
    phrase = re.split(r"\b(?:did|does|do|has|have|had|in|of|for|by|at|on|is|are|was|were|with"
                      r"|will|can|that|which|from|to|per|among|across|within|between|under|than"
                      r"|as|\w{3,}ed)\b|[,;:]", rest, maxsplit=1)[0]
    words = re.findall(r"[a-z][a-z-]*", phrase)
    return words[-1] if words and words[-1] not in _EN_STOP and len(words) <= 4 else ""


def word_tags(sentence: str) -> frozenset[str]:
    """jieba part-of-speech tags of words of two characters or more."""
    return frozenset(flag for _, flag in tagged_words(sentence))


@lru_cache(maxsize=4096)
def tagged_words(sentence: str) -> frozenset[tuple[str, str]]:
    """(word, jieba part-of-speech tag) for words of two characters or more."""
    return frozenset((word, flag) for word, flag in pos_tags(sentence) if len(word) >= 2)
