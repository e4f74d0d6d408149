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


VENUED = (Heading("a", "北京推动数字经济高质量发展", ("甲",), "《国家治理》2025年第8期"),
          Heading("a2", "北京推動數字經濟高質量發展", ("甲",), "《國家治理》2025年第8期"),
          Heading("b", "2023年北京全球数字经济标杆城市建设发展报告", ("课题组",), "智库课题成果"),
          Heading("c", "我国典型城市数字经济赋能高质量发展的经验", ("乙",),
                  "《发展研究》2023年第12期"))


def test_a_source_is_named_by_its_venue_or_title() -> None:
    governance = "According to the National Governance article, what has Beijing done?"
    assert named_sources(governance, VENUED) == (frozenset({"a", "a2"}),)
    assert named_sources("What does the 2023 benchmark-city report say?", VENUED) == (
        frozenset({"b"}),)
    assert named_sources("What does the paper on typical cities say?", VENUED) == (
        frozenset({"c"}),)
    assert named_sources("国家治理那篇文章说了什么?", VENUED) == (frozenset({"a", "a2"}),)
    assert named_sources("《发展研究》上的文章提到哪些城市?", VENUED) == (frozenset({"c"}),)
    # a description fitting several sources names none; nor does one fitting none
    assert named_sources("What does the digital economy report say?", VENUED) == ()
    assert named_sources("What does the Big Data Center article say?", VENUED) == ()
    # without venues (an index written before they were kept) only titles can be fitted
    bare = tuple(Heading(h.doc_id, h.title, h.authors) for h in VENUED)
    assert named_sources(governance, bare) == ()


def test_the_description_naming_a_source_points_at_it_not_elsewhere() -> None:
    question = "According to the National Governance article, what has Beijing done?"
    assert points_elsewhere(question)  # read alone, "the … article" may be another one
    assert not points_elsewhere(question, VENUED)
    named = named_sources(question, VENUED)
    assert only_source(question, named, VENUED) == frozenset({"a", "a2"})
    both = "The Governance article and the 2023 benchmark-city report differ. What does each say?"
    assert len(named_sources(both, VENUED)) == 2
