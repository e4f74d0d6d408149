"""Evidence without a model: which words of a question a passage must carry.

Places are anchors (a question about 上海 is not answered by a passage about 北京), so a
word wrongly taken for a place, or a place the text writes differently, makes askbj
abstain on a question it can answer.
"""

from __future__ import annotations

import pytest

from askbj.answer.evidence import anchors_met, coverage
from askbj.answer.question import analyze
from askbj.domain import load_domain
from askbj.retrieve.anchors import find_anchors, place_met, share_met
from askbj.text.normalize import squash

BJ = load_domain("beijing")


class EveryTermWeighsOne:
    """TermStats' interface without an index."""

    def __init__(self) -> None:
        self.df: dict[str, int] = {}

    def weight(self, term: str) -> float:
        return 1.0

    def idf(self, term: str) -> float:
        return 1.0


def places(question: str) -> tuple[str, ...]:
    return analyze(question, EveryTermWeighsOne(), BJ).places  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("北京市数字经济增加值是多少?", ("北京",)),
        ("首都北京的算力布局如何?", ("北京",)),
        ("中美两国人工智能企业数量差多少?", ("美国|美方|中美",)),
        ("中日韩数据合作有哪些?", ("日本|中日韩", "韩国|中日韩")),
        ("上海和深圳的做法有何不同?", ("上海", "深圳")),
        ("报告对北京建设标杆城市提了哪些建议?", ("北京",)),  # 城市 is tagged ns
    ],
)
def test_place_anchors(question: str, expected: tuple[str, ...]) -> None:
    assert places(question) == expected


def test_a_country_pair_is_met_by_its_partner_and_china_by_its_aliases() -> None:
    q = analyze("中美两国人工智能企业数量差多少?", EveryTermWeighsOne(), BJ)  # type: ignore[arg-type]
    passage = squash("截至2023年第三季度,美国企业数量达9914家,中国企业数量为4469家。")
    assert anchors_met(q, passage) == 1.0
    assert anchors_met(q, squash("全球人工智能企业接近30000家。")) == 0.0
    china = find_anchors("中国数字经济规模多大?", BJ)[1][0]
    assert place_met(china, "我国数字经济规模")
    assert not place_met(china, "美国数字经济规模")
    assert place_met("美国|美欧", squash("接近美歐等發達國家水平"))  # the pair, as written


def test_place_named_by_the_title_is_met_in_every_passage() -> None:
    q = analyze("北京的数据交易所叫什么?", EveryTermWeighsOne(), BJ)  # type: ignore[arg-type]
    assert anchors_met(q, squash("交易所基于IDeX系统。")) == 0.0
    assert anchors_met(q, squash("交易所基于IDeX系统。"), title="北京数字经济发展报告") == 1.0


def test_numbers_are_anchors_and_must_not_run_on() -> None:
    q = analyze("2023年增长了多少?", EveryTermWeighsOne(), BJ)  # type: ignore[arg-type]
    assert q.anchors == ("2023",)
    assert anchors_met(q, squash("2023年增长8.5%")) == 1.0
    assert anchors_met(q, squash("20230年")) == 0.0


@pytest.mark.parametrize(
    ("question", "numbers"),
    [
        ("How many 5G base stations did Beijing have by the end of November 2023?",
         ("2023", "11月")),
        ("What was announced in May?", ("5月",)),
        ("What may Beijing do in 2024?", ("2024",)),  # the verb, not the month
        ("Which plan was issued on March 3, 2022?", ("2022", "3月")),
    ],
)
def test_english_dates_become_anchors_as_the_text_writes_them(
    question: str, numbers: tuple[str, ...]
) -> None:
    assert find_anchors(question, BJ)[0] == numbers


def test_month_anchor_needs_the_month_not_any_number() -> None:
    numbers, places = find_anchors("What happened by the end of November 2023?", BJ)
    assert share_met(numbers, places, squash("截至 2023 年 11 月末,建设 5G 基站 10.6 万个")) == 1
    assert share_met(numbers, places, squash("2023 年共有 11 个项目落地")) == 0.5


@pytest.mark.parametrize(
    ("question", "numbers"),
    [
        ("23年北京数字经济增加值多少?", ("2023",)),  # a year said short
        ("北京20年数字经济占GDP多少?", ("2020",)),
        ("近20年北京经济增长了多少?", ("20",)),  # twenty years, not 2020
        ("过去10年间有何变化?", ("10",)),
        ("How many 5G base stations per 10,000 residents did Beijing have in 2023?", ("2023",)),
        ("Does Beijing have 1,048 core AI firms?", ("1048",)),
    ],
)
def test_number_anchors_are_written_the_way_the_corpus_writes_them(
    question: str, numbers: tuple[str, ...]
) -> None:
    assert find_anchors(question, BJ)[0] == numbers


def test_an_abbreviation_is_met_by_its_full_form_and_the_other_way_round() -> None:
    q = analyze("新基建为什么难推进?", EveryTermWeighsOne(), BJ)  # type: ignore[arg-type]
    full = squash("新型基础设施建设具有前期投入多、技术迭代快等特征,推进较难。")
    short = squash("新基建推进较难。")
    unrelated = squash("数据交易所推进较难。")
    assert coverage(q, full) == coverage(q, short) > coverage(q, unrelated)


def test_sentence_weights_are_a_tunable_object() -> None:
    from askbj.answer.sentences import SentenceWeights

    default = SentenceWeights()
    # coverage + ½ strength + ¼ rank prior + 0.3 anchors + 0.05 lead (+ 0.2 for a cause)
    assert default.score(0.5, 1.0, 1, 1.0, 0, False) == 0.5 + 0.5 + 0.25 + 0.3 + 0.05
    assert default.score(0.5, 1.0, 1, 1.0, 0, True) == default.score(0.5, 1.0, 1, 1.0, 0,
                                                                      False) + 0.2
    assert default.score(0.0, 0.0, 5, 0.0, 9, False) < default.score(0.0, 0.0, 1, 0.0, 0, False)
    only_lead = SentenceWeights(coverage=0, strength=0, rank=0, anchors=0, reason=0)
    assert only_lead.score(1.0, 1.0, 1, 1.0, 3, True) == 0.05 / 4
