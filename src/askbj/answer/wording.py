"""The sentences askbj writes itself, in the question's language and script: a partial
answer ("文档提到了X[1]，但没有给出Y。") and the note that two sources disagree."""

from __future__ import annotations

import re

from askbj.answer.answer_type import Part
from askbj.text.lang import is_english
from askbj.text.normalize import fold, to_traditional


def _english(question: str) -> bool:
    return is_english(fold(question))


def partial(question: str, part: Part, marker: str, script: str) -> str:
    """The documents cover the topic (cited by ``marker``) but not the asked detail."""
    if _english(question):
        topic = _cased(part.topic, question) or "this topic"
        detail = _cased(part.detail, question)
        return f"The documents mention {topic} {marker} but do not give {detail}."
    topic = _cased(part.topic, question) or "相关内容"
    detail = _cased(part.detail, question) or "所问的具体信息"
    text = f"文档提到了{topic}{marker}，但没有给出{detail}。"
    return to_traditional(text) if script == "traditional" else text


def differ_note(question: str, script: str) -> str:
    """Appended when the answer shows two sources giving different figures."""
    if _english(question):
        return " The sources give different figures."
    text = "（两处来源给出的数字不同。）"
    return to_traditional(text) if script == "traditional" else text


def _cased(words: str, question: str) -> str:
    """Folded words as the question wrote them (pue → PUE)."""
    def original(m: re.Match[str]) -> str:
        found = re.search(rf"\b{re.escape(m.group(0))}\b", question, flags=re.I)
        return found.group(0) if found else m.group(0)

    return re.sub(r"[a-z0-9']+", original, words)
