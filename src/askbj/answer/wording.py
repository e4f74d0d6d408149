"""The sentences askbj writes itself, in the question's language and script: a partial
answer ("文档提到了X[1]，但没有给出Y。") and the note that two sources disagree.

X and Y are the question's own words (``Part.topic``/``Part.detail`` are found on the folded
question, then read back from the question as typed), so a traditional-script question sees
its own characters (跳台 stays 跳台, never a converter's 跳臺) and English its own casing."""

from __future__ import annotations

import re

from askbj.answer.answer_type import Part
from askbj.text.lang import is_english
from askbj.text.normalize import fold, looks_traditional, to_traditional


def _english(question: str) -> bool:
    return is_english(fold(question))


def partial(question: str, part: Part, marker: str, script: str) -> str:
    """The documents cover the topic (cited by ``marker``) but not the asked detail."""
    if _english(question):
        detail = _cased(part.detail, question) or "that detail"
        return f"The documents cover this topic {marker} but do not give {detail}."
    topic = _in_script(part.topic, question, script) or _in_script("相关内容", "", script)
    detail = _in_script(part.detail, question, script) or _in_script("所问的具体信息", "", script)
    template = "文档提到了{}{}，但没有给出{}。"
    if script == "traditional":
        template = to_traditional(template)
    return template.format(topic, marker, detail)


def differ_note(question: str, script: str) -> str:
    """Appended when the answer shows two sources giving different figures."""
    if _english(question):
        return " The sources give different figures."
    text = "（两处来源给出的数字不同。）"
    return to_traditional(text) if script == "traditional" else text


def _in_script(words: str, question: str, script: str) -> str:
    """``words`` (folded) as the question typed them; what the question did not type
    (的数量) is converted when the answer's script is traditional."""
    typed, rest = _as_typed(words, question)
    if script != "traditional":
        return typed + rest
    if looks_traditional(question):  # keep the question's own characters
        return typed + to_traditional(rest)
    return to_traditional(typed + rest)


def _as_typed(words: str, question: str) -> tuple[str, str]:
    """(the stretch of ``question`` whose folded form is ``words``' longest leading part, the
    rest of ``words``): 5g基地的数量 → ("5G基地", "的数量"). Fold keeps one character per
    character, so offsets carry over; when it did not, ``words`` with the question's casing."""
    folded = fold(question)
    if words and len(folded) == len(question):
        for end in range(len(words), 1, -1):
            at = folded.find(words[:end])
            if at >= 0:
                return question[at : at + end], words[end:]
    return "", _cased(words, question)


def _cased(words: str, question: str) -> str:
    """Folded words as the question wrote them (pue → PUE)."""
    def original(m: re.Match[str]) -> str:
        found = re.search(rf"(?<![a-z0-9]){re.escape(m.group(0))}(?![a-z0-9])", question,
                          flags=re.I)
        return found.group(0) if found else m.group(0)

    return re.sub(r"[a-z0-9']+", original, words)
