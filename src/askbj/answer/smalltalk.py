"""Messages that are not questions: greetings, thanks, a bare number, punctuation or
escape-sequence noise. They get a short helpful reply, never a quote from the documents."""

from __future__ import annotations

import re

from askbj.text.lang import is_english
from askbj.text.normalize import fold

_GREETING = re.compile(r"^(?:你好|您好|嗨|哈喽|早上好|晚上好|下午好|在吗|在不在|hello|hi|hey|"
                       r"good (?:morning|afternoon|evening))(?:呀|啊|!|！|\W)*$")
_THANKS = re.compile(r"^(?:谢谢|多谢|感谢|谢了|好的|好|ok|okay|thanks?(?: you)?|thx|bye|再见|拜拜)"
                     r"(?:你|您|啦|了|呀|!|！|\W)*$")
_ESCAPES = re.compile(r"\\(?:x[0-9a-f]{2}|u[0-9a-f]{4}|[ntr0e])|\x1b\[[0-9;]*[a-z]?|\[[0-9;]+m",
                      re.I)
_NUMBER_ONLY = re.compile(r"^[\W_]*[\d.,，。%％]+[\W_]*$")

HELP_ZH = "你好！请用一句话提问文档里的内容，例如某项政策的措施、某个指标的数值或某个机构的情况。"
HELP_EN = ("Hello! Ask a question about what the documents say, for example a policy's "
           "measures, a figure for a given year, or what an institution does.")
THANKS_ZH = "不客气。还有其他想从文档中了解的问题吗？"
THANKS_EN = "You're welcome. Is there anything else you would like to find in the documents?"
NOISE_ZH = "这条输入里没有可以检索的问题。请用中文或英文写出想问的内容。"
NOISE_EN = ("That input holds no question to look up: please write what you want to know "
            "in Chinese or English.")


def reply(text: str) -> str | None:
    """A short reply for a message that is not a question; None for a real question."""
    folded = fold(text).strip()
    english = is_english(folded) or not re.search(r"[\u3400-\u9fff]", folded)
    if _GREETING.match(folded):
        return HELP_EN if english else HELP_ZH
    if _THANKS.match(folded):
        return THANKS_EN if english else THANKS_ZH
    cleaned = _ESCAPES.sub("", folded).strip()
    if _NUMBER_ONLY.match(folded) or not re.search(r"[\u3400-\u9fff]|[a-z]{2,}|\d[a-z]", cleaned):
        return NOISE_EN if english else NOISE_ZH
    return None
