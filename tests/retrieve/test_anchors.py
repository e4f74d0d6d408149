"""A question's anchors: the numbers and places a passage answering it must share."""

from __future__ import annotations

from types import MappingProxyType

from askbj.domain import Domain
from askbj.retrieve.anchors import find_anchors

EMPTY = Domain(name="empty")


def test_a_full_stop_after_a_year_ends_the_sentence_not_the_number() -> None:
    assert find_anchors("Compare the value added in 2020 and 2023.", EMPTY)[0] == (
        "2020", "2023")
    assert find_anchors("增长了12.5%。", EMPTY)[0] == ("12.5",)
    # a version or a decimal is still one number, not two
    assert find_anchors("v2.0.1 版本", EMPTY)[0] == ()
    assert find_anchors("达到1.45万亿元", EMPTY)[0] == ()


def test_a_gazetteer_name_jieba_cuts_in_two_is_one_place() -> None:
    # jieba reads 经开区 as 经/p + 开区/ns: only the domain's name makes it whole
    assert "经开区" not in find_anchors("那经开区呢?", EMPTY)[1]
    zones = Domain(name="zones", gazetteer=MappingProxyType({"yizhuang": "经开区"}))
    assert find_anchors("那经开区呢?", zones)[1] == ("经开区",)
    assert find_anchors("朝阳区、经开区打造两大引擎区", zones)[1] == ("朝阳区", "经开区")
    assert find_anchors("How big is the Yizhuang zone?", zones)[1] == ("经开区",)


def test_an_english_month_range_anchors_its_last_month() -> None:
    # the text writes "January–November 2023" as 2023年1~11月: no 1月 of its own
    for question in ("Revenue in January–November 2023?", "from January to November 2023"):
        assert find_anchors(question, EMPTY)[0] == ("2023", "11月")
    assert find_anchors("What happened in May 2023?", EMPTY)[0] == ("2023", "5月")


def test_any_word_of_an_alias_group_stands_for_the_group() -> None:
    zones = Domain(name="zones", gazetteer=MappingProxyType({"yizhuang": "亦庄"}),
                   place_aliases=MappingProxyType({"经开区": ("经开区", "亦庄")}))
    assert find_anchors("亦莊的示範區有多大?", zones)[1] == ("经开区|亦庄",)
    assert find_anchors("How big is the Yizhuang zone?", zones)[1] == ("经开区|亦庄",)


def test_a_year_is_met_by_a_title_dated_with_it() -> None:
    from askbj.retrieve.anchors import dates_title, share_met

    title = "2023年北京全球数字经济标杆城市建设发展报告"
    assert dates_title("2023", title) and not dates_title("2024", title)
    assert not dates_title("2023", "北京数字经济研究(2023)")  # a year elsewhere dates nothing
    assert not dates_title("18766", "18766年")  # only years
    undated = "累计备案数据交易额超过15亿元"
    assert share_met(("2023",), (), undated, title) == 1.0
    assert share_met(("2023", "2024"), (), undated, title) == 0.5
    assert share_met(("2023",), (), undated, title, dated_by_title=False) == 0.0


def test_a_number_may_follow_letters_but_not_digits_or_a_point() -> None:
    from askbj.retrieve.anchors import contains

    assert contains("数字经济企业top500发展指数", "500")  # "Top 500" is in "TOP500"
    assert not contains("共2500家", "500") and not contains("增长1.500", "500")
    assert not contains("5000家", "500")
    assert not contains("xgdp", "gdp") and contains("占gdp比重", "gdp")
