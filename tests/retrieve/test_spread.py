"""A question comparing sources or years gets a second document into the top of its hits."""

from __future__ import annotations

from askbj.domain import Domain
from askbj.records import Chunk, Hit
from askbj.retrieve.anchors import find_anchors
from askbj.retrieve.spread import bring, compares_sources, spread


def _hits(*docs: str) -> list[Hit]:
    return [Hit(Chunk(f"c{i}", d, 0, 1, "x"), i, 1.0 / i) for i, d in enumerate(docs, start=1)]


def test_questions_comparing_years_or_sources() -> None:
    assert compares_sources("北京5G基站从2020年底到2023年11月末增加了多少万个?", ("2020", "2023"))
    assert compares_sources("2023年北京数字经济占GDP比重,两份材料分别给出多少?", ("2023",))
    assert compares_sources("What do both reports say about the exchange?", ())
    assert not compares_sources("2023年北京有多少个5G基站?", ("2023",))


def test_the_best_hit_of_another_document_moves_up_to_the_fifth_place() -> None:
    hits = spread(_hits("002", "002", "002", "002", "002", "002", "003", "002"), 5)
    assert [h.chunk.doc_id for h in hits] == ["002"] * 4 + ["003"] + ["002"] * 3
    assert [h.rank for h in hits] == list(range(1, 9))
    assert hits[4].chunk.chunk_id == "c7" and hits[5].chunk.chunk_id == "c5"


def test_hits_already_spread_or_with_no_other_document_stay_as_they_are() -> None:
    mixed = _hits("002", "003", "002", "002", "002", "002")
    assert spread(mixed, 5) == mixed
    alone = _hits(*["002"] * 8)
    assert spread(alone, 5) == alone


def test_a_named_source_missing_from_the_top_is_brought_to_the_fifth_place() -> None:
    hits = bring(_hits("002", "002", "003", "002", "002", "002", "000", "001"), 5,
                 (frozenset({"000", "001"}), frozenset({"003"})))
    assert [h.chunk.doc_id for h in hits] == [
        "002", "002", "003", "002", "000", "002", "002", "001"]
    assert [h.rank for h in hits] == list(range(1, 9))
    assert bring(_hits("002", "000"), 5, (frozenset({"000"}),))[1].chunk.doc_id == "000"


def test_the_year_a_source_appeared_is_not_an_anchor() -> None:
    domain = Domain(name="empty")
    assert find_anchors("2023年的总报告和2025年焦豪的文章分别给了什么数字?", domain)[0] == ()
    assert find_anchors("What does the 2023 report say about 5G in 2022?", domain)[0] == ("2022",)
    assert find_anchors("2023年北京有多少个5G基站?", domain)[0] == ("2023",)


def test_a_source_dated_by_its_year_set_beside_another_figure_compares_sources() -> None:
    asked = "北京国际大数据交易所的累计备案交易额,2023年报告的数字和2024年底相比差多少?"
    assert compares_sources(asked, find_anchors(asked, Domain(name="empty"))[0])
    assert not compares_sources("2023年的报告提到了多少个5G基站?", ())
