# ruff: noqa: E501  (each case reads best on its line)
"""The X and Y of a partial answer come out whole, in the question's own words."""

from __future__ import annotations

import pytest

from askbj.answer import wording
from askbj.answer.answer_type import VALUE_KINDS, classify


def _partial(question: str, script: str = "simplified") -> str:
    part = next(p for p in classify(question).parts if p.kind in VALUE_KINDS)
    return wording.partial(question, part, "[1]", script)


@pytest.mark.parametrize(("question", "script", "expected"), [
    # a word is never cut in two (总投资, not 总|投资)
    ("海兰信那座海底数据中心总投资是多少?", "simplified", "文档提到了海兰信那座海底数据中心[1]，但没有给出总投资。"),
    # the measure noun stays with its attribute; the topic ends before the 的
    ("北京人工智能算力券的补贴比例是多少?", "simplified", "文档提到了北京人工智能算力券[1]，但没有给出补贴比例。"),
    # a unit after the question word is not the asked detail
    ("北京人工智能算力券对单个企业的补贴上限是多少万元?", "simplified",
     "文档提到了北京人工智能算力券对单个企业[1]，但没有给出补贴上限。"),
    # the noun after a classifier is what is counted; 5G keeps its casing
    ("截至2022年10月北京有多少家人工智能核心企业?", "simplified",
     "文档提到了2022年10月北京[1]，但没有给出人工智能核心企业的数量。"),
    ("北京一共建了多少个5G基站?", "simplified", "文档提到了北京一共建[1]，但没有给出5G基站的数量。"),
    # a traditional question sees its own characters (跳台, not a converter's 跳臺)
    ("首鋼園的滑雪大跳台有多高?", "traditional", "文檔提到了首鋼園[1]，但沒有給出滑雪大跳台。"),
    # with no attribute word, the kind says what is missing
    ("全球第一个商用海底数据中心是谁建的?", "simplified",
     "文档提到了全球第一个商用海底数据中心[1]，但没有给出具体人名或机构。"),
    ("五道口人工智能产业园是哪一天正式挂牌的?", "simplified",
     "文档提到了五道口人工智能产业园[1]，但没有给出挂牌的时间。"),
])
def test_chinese_partial_names_topic_and_detail_whole(question: str, script: str,
                                                      expected: str) -> None:
    assert _partial(question, script) == expected


@pytest.mark.parametrize(("question", "expected"), [
    ("How many 6G base stations has Beijing deployed so far?", "the number of 6G base stations"),
    ("What PUE target has Beijing set for newly built data centers?", "the PUE target"),
    ("When did the exchange open its second trading floor?", "the date"),
    # the role or the time a question names is the detail, not the kind's word
    ("Who is the chairman of the Beijing International Big Data Exchange?", "the chairman"),
    ("Who is the mayor of Hefei?", "the mayor"),
    ("What are the Capital Library's opening hours on weekends?", "the opening hours"),
    ("Who founded the exchange?", "the name"),
])
def test_english_partial_is_a_grammatical_sentence(question: str, expected: str) -> None:
    text = _partial(question)
    assert text == f"The documents cover this topic [1] but do not give {expected}."
