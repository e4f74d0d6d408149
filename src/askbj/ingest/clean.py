"""Turn a raw document into the canonical text that chunks and citations index into.

Cleaning is expressed as edits on the raw text that may only delete a span or shrink a
whitespace run, never insert or rewrite a visible character. That is what lets a citation
promise that its quote really is in the source: every non-whitespace character of the
output is ``raw[offsets[i]]``. The rules are general (markdown from PDF converters, scraped
web pages, pinyin-glossed traditional text), not tuned to one file; each is a small
function so a bad rule can be found and dropped alone. Passes are repeated until nothing
changes, because one removal can expose another (a ``<sup>5</sup>`` line becomes a bare
page number), and a fixpoint is what makes ``clean`` idempotent.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

_MAX_ROUNDS = 12

_CJK = (
    "\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\uff01-\uff60\U00020000-\U0003134f"
)
_CJK_RE = re.compile(f"[{_CJK}\u2010-\u2027]")
_TONES = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ\u0300\u0301\u0304\u030c"
_SYLLABLE = f"[a-zü{_TONES}]+"
_LINE_BREAKS = "\x0b\x0c\x85\u2028\u2029"
_PROSE_PUNCT = frozenset(",。;!?、,;!?")
_LEFT_ASCII = frozenset(",;:!?)")
_RIGHT_ASCII = frozenset(",;:!?(")

_BOILERPLATE_RE = re.compile(
    r"(?:分享到|分享|为您推荐|為您推薦|相关推荐|相關推薦|相关阅读|相關閱讀|发表回复|發表回覆"
    r"|发表评论|發表評論|返回顶部|返回頂部|打印本页|打印本頁|关闭窗口|關閉窗口"
    r"|【END】|\[END\]|【完】|(完)|\(完\))[::]?"
    r"|[((【\[]?(?:责编|責編|美编|美編|责任编辑|責任編輯|编辑|編輯|校对|校對)[::].{0,40}"
)
_PAGE_RE = re.compile(r"#{0,6}\s*\d{1,4}|[-—–]\s*\d{1,4}\s*[-—–]")
_IMAGE_RE = re.compile(r"\d{2,4}[-_]\d{1,3}|(?i:[\w.-]+\.(?:png|jpe?g|gif|webp|bmp|svg))")
_RULE_RE = re.compile(r"[\s:|-]*-{3,}[\s:|-]*|(?:[*_=]\s*){3,}")
_BOLD_RE = re.compile(r"\*\*(?=\S)[^\n]*?(?<=\S)\*\*|(?<!\w)__(?=\S)[^\n]*?(?<=\S)__(?!\w)")
_TAGS = "sup|sub|br|hr|p|div|span|b|i|u|s|em|strong|small|big|font|center|mark|del|ins|a|img"
_INLINE_RE = re.compile(
    r"(?P<math>\$\$?[^$\n]*?\\[A-Za-z]+[^$\n]*?\$\$?)"
    rf"|(?P<tag></?(?:{_TAGS}|h[1-6]|table|thead|tbody|tr|td|th|ul|ol|li)\b[^<>\n]*>)"
    r"|(?P<image>!\[[^\]\n]*\]\([^)\n]*\))"
    r"|(?P<escape>\\++(?=[!-/:-@\[\]^_`{-~]))"
    r"|(?P<dollar>(?<!\S)\$(?!\S))"
    r"|(?P<heading>^[ \t]*#{1,6}(?=[ \t]|$))"
    rf"|(?P<pinyin>(?<=[{_CJK}])[((](?=[^))\n]*[{_TONES}]){_SYLLABLE}(?: {_SYLLABLE})*[))])",
    re.MULTILINE,
)
_SPACE_RE = re.compile(r"[^\S\n]+")
# Reattaching a sentence that a page break or a figure/table interrupted (PDF layout).
_MIN_BODY = 100  # a shorter paragraph may be a title or a run-in heading
_OPEN_END = re.compile(rf"[{_CJK}0-9a-zA-Z、，,]$")
# a sentence end, perhaps closed by a quote and followed by a note mark (。”1, 。[3], 。①)
_TERMINAL = re.compile(r"[。！？!?；;:：…][”’」』)）]?(?:\d{1,2}|\[\d{1,3}\]|[①-⑳])?$")
_CONTINUES = re.compile(rf"^[{_CJK}0-9](?![.、．)）])")
_INTERRUPTION = re.compile(
    r"^(?:[图表圖]\s*\d{1,2}\b.{0,80}|(?:资料|数据|資料|數據)來?来?源\s*[:：].{0,80}"
    r"|单位\s*[:：,，].{0,20}|單位\s*[:：,，].{0,20}|\|.*)$")
_EDGE_RE = re.compile(r"\A\s+|\s+\Z|\n{3,}")


@dataclass(frozen=True)
class Cleaned:
    """Cleaned text plus, for each of its characters, the index it came from in the raw."""

    text: str
    offsets: tuple[int, ...]


@dataclass(frozen=True)
class Edit:
    """Delete ``raw[start:end]``, or shrink that whitespace run to the whitespace ``repl``."""

    start: int
    end: int
    repl: str = ""


def clean(raw: str) -> Cleaned:
    """Apply every pass until none changes the text, composing the offset maps."""
    text, offsets = raw, list(range(len(raw)))
    for _ in range(_MAX_ROUNDS):
        before = text
        for find_edits in _PASSES:
            edits = find_edits(text)
            if edits:
                new_text, index = apply_edits(text, edits)
                if new_text != text:
                    text, offsets = new_text, [offsets[i] for i in index]
        if text == before:
            break
    return Cleaned(text, tuple(offsets))


def apply_edits(text: str, edits: list[Edit]) -> tuple[str, list[int]]:
    """Apply non-overlapping edits; return the new text and new-index -> old-index.

    An edit overlapping an earlier one is skipped rather than merged: the next round of
    ``clean`` sees the text again, so nothing is lost by being conservative here.
    """
    parts: list[str] = []
    index: list[int] = []
    pos = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < pos or edit.start >= edit.end:
            continue
        _check_edit(text, edit)
        parts.append(text[pos : edit.start])
        index.extend(range(pos, edit.start))
        parts.append(edit.repl)
        index.extend(range(edit.start, edit.start + len(edit.repl)))
        pos = edit.end
    parts.append(text[pos:])
    index.extend(range(pos, len(text)))
    return "".join(parts), index


def _check_edit(text: str, edit: Edit) -> None:
    """Refuse an edit that could invent text: the guarantee citations rely on."""
    if not edit.repl:
        return
    span = text[edit.start : edit.end]
    if not (edit.repl.isspace() and span.isspace() and len(edit.repl) <= len(span)):
        raise ValueError(f"edit would invent text: {span!r} -> {edit.repl!r}")


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """Each line with its start index, so line rules can emit raw-position edits."""
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


def _control_edits(text: str) -> list[Edit]:
    """Normalise line ends; drop invisible format/control characters (ZWSP, BOM, RTL marks)."""
    edits: list[Edit] = []
    for i, ch in enumerate(text):
        if ch == "\r":
            nxt = text[i + 1 : i + 2]
            edits.append(Edit(i, i + 1) if nxt == "\n" else Edit(i, i + 1, "\n"))
        elif ch in _LINE_BREAKS:
            edits.append(Edit(i, i + 1, "\n"))
        elif ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf"):
            edits.append(Edit(i, i + 1))
    return edits


def is_junk_line(line: str) -> bool:
    """A line that is page furniture, not content: navigation, share buttons, page numbers."""
    s = line.strip()
    if not s:
        return False
    patterns = (_BOILERPLATE_RE, _PAGE_RE, _IMAGE_RE, _RULE_RE)
    return any(p.fullmatch(s) for p in patterns) or _is_nav_line(s)


def _is_nav_line(s: str) -> bool:
    """``首页|客户端|官方微博`` menus; a markdown table row starts or ends with ``|``."""
    if s.startswith("|") or s.endswith("|"):
        return False
    parts = s.split("|")
    return len(parts) >= 3 and all(0 < len(p.strip()) <= 15 for p in parts)


def _line_edits(text: str) -> list[Edit]:
    """Drop junk lines together with their line break, so no blank gap is left behind."""
    return [
        Edit(pos, min(pos + len(line) + 1, len(text)))
        for pos, line in _lines(text)
        if is_junk_line(line)
    ]


def _bold_edits(text: str) -> list[Edit]:
    """Drop paired ``**``/``__`` markers; run before escapes so ``\\*\\*`` stays literal."""
    edits: list[Edit] = []
    for m in _BOLD_RE.finditer(text):
        edits.append(Edit(m.start(), m.start() + 2))
        edits.append(Edit(m.end() - 2, m.end()))
    return edits


def _inline_edits(text: str) -> list[Edit]:
    """Drop markup noise: LaTeX, HTML tags, image embeds, escapes, ``#``, pinyin glosses."""
    edits: list[Edit] = []
    for m in _INLINE_RE.finditer(text):
        edits.append(Edit(m.start(), m.end()))
    return edits


def _joins_cjk(left: str, right: str) -> bool:
    """Whether a space between these two characters is a line-wrap artefact in CJK prose."""
    left_cjk, right_cjk = bool(_CJK_RE.match(left)), bool(_CJK_RE.match(right))
    if left_cjk:
        return right_cjk or right in _RIGHT_ASCII
    return right_cjk and left in _LEFT_ASCII


def _space_edits(text: str) -> list[Edit]:
    """Trim line ends, collapse space runs, and close spaces that split CJK prose.

    Only lines with sentence punctuation count as prose: keyword lists and author lines
    (``數字經濟 新質生產力``) use spaces as separators and keep them.
    """
    edits: list[Edit] = []
    for pos, line in _lines(text):
        prose = not _PROSE_PUNCT.isdisjoint(line)
        for m in _SPACE_RE.finditer(line):
            start, end = m.span()
            at_edge = start == 0 or end == len(line)
            if at_edge or (prose and _joins_cjk(line[start - 1], line[end])):
                edits.append(Edit(pos + start, pos + end))
            elif m.group() != " ":
                edits.append(Edit(pos + start, pos + end, " "))
    return edits


def _edge_edits(text: str) -> list[Edit]:
    """No whitespace around the text; paragraphs separated by exactly one blank line."""
    return [
        Edit(m.start(), m.end(), "\n\n" if m.start() > 0 and m.end() < len(text) else "")
        for m in _EDGE_RE.finditer(text)
    ]


def _paragraphs(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text)]


def _is_open_body(paragraph: str) -> bool:
    """A body paragraph that stops mid-sentence (no terminal mark), not a heading."""
    p = paragraph.strip()
    return (len(p) >= _MIN_BODY and not p.startswith(("#", "|", "<"))
            and bool(_OPEN_END.search(p)) and not _TERMINAL.search(p))


def _reattach_edits(text: str) -> list[Edit]:
    """Join a sentence cut by a page break, or by a figure/table caption, source or unit
    line or table rows that the converter put inside it: the break (and the interruption,
    which is layout noise there) is deleted. Footnotes and headings are never removed."""
    paras, edits = _paragraphs(text), []
    for i, (_, end) in enumerate(paras):
        if not _is_open_body(text[paras[i][0]:end]):
            continue
        j = i + 1
        while j < len(paras) and all(_INTERRUPTION.match(line.strip()) for line in
                                     text[paras[j][0]:paras[j][1]].split("\n")):
            j += 1
        if j < len(paras) and _CONTINUES.match(text[paras[j][0]:paras[j][1]]) and j - i <= 6:
            edits.append(Edit(end, paras[j][0]))
    return edits


_PASSES: tuple[Callable[[str], list[Edit]], ...] = (
    _control_edits,
    _line_edits,
    _bold_edits,
    _inline_edits,
    _space_edits,
    _edge_edits,
    _reattach_edits,
)
