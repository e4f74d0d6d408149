from __future__ import annotations

from askbj.index.rows import Heading
from askbj.retrieve.named import named_sources, names_author, only_source, points_elsewhere

DOC = Heading("9", "某市数据要素报告", ("李四", "赵六"))
HEADS = (Heading("1", "某市报告", ("王五",)), Heading("1t", "某市報告", ("王五",)),
         Heading("2", "另一篇", ("李四",)), Heading("3", "课题报告", ()))


def test_romanised_author_names_either_way_round() -> None:
    assert names_author("What did Li Si write about?", DOC)
    assert names_author("Si Li's report", DOC)
    assert names_author("赵六的文章怎么说?", DOC)
    assert not names_author("What did Zhang San write?", DOC)
    assert not names_author("Lisi", Heading("8", "t", ("课题组",)))  # not a person's name


def test_two_editions_by_the_same_authors_are_one_source() -> None:
    named = named_sources("王五和李四的文章分别给了什么数字?", HEADS)
    assert named == (frozenset({"1", "1t"}), frozenset({"2"}))
    assert named_sources("Wang Wu's paper", HEADS) == (frozenset({"1", "1t"}),)
    assert named_sources("某市报告怎么说?", HEADS) == ()  # a title word is not an author


def test_one_named_source_is_the_answer_s_unless_another_is_pointed_at() -> None:
    one = named_sources("李四提到了哪些手段?", HEADS)
    assert only_source("李四提到了哪些手段?", one) == frozenset({"2"})
    assert only_source("李四说是全国首个,那篇文章怎么说?", one) is None
    assert only_source("What does the other paper say, beyond Li Si's?", one) is None
    assert only_source("王五和李四怎么说?", named_sources("王五和李四怎么说?", HEADS)) is None


def test_a_question_may_point_at_a_source_besides_the_named_one() -> None:
    assert points_elsewhere("2023年北京数字经济占GDP比重,李四文章和社科院报告给的数一样吗?")
    assert points_elsewhere("Compare the Big Data Center paper with Li Si's article.")
    assert not points_elsewhere("李四提到了哪些技术手段?")
