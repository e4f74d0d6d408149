"""Enumeration markers: ordinals of every style, and runs over circled numbers."""

from __future__ import annotations

from askbj.text import enumerations as listing


def test_ordinals_of_every_marker_style() -> None:
    assert listing.ordinal("7") == 7
    assert listing.ordinal("①") == 1  # "①".isdigit() is True, but int("①") raises
    assert listing.ordinal("③") == 3
    assert listing.ordinal("十二") == 12
    assert listing.ordinal("²") == 0  # a superscript is no ordinal either


def test_circled_items_form_a_run() -> None:
    text = "①推进5G网络建设。②布局6G技术研发。③建设算力中心。"
    spans = [(0, 10), (10, 20), (20, len(text))]
    found = listing.runs(text, spans)
    assert [[i.ordinal for i in r] for r in found] == [[1, 2, 3]]
    assert found[0][0].style == "circled"


def test_qi_items_are_a_run() -> None:
    from askbj.text import enumerations as listing
    from askbj.text.sentences import sentence_spans

    text = ("其一, 政策体系有待完善。细则尚未出台。\n\n其二,供需差距扩大。\n\n"
            "其三,关键技术仍有差距。\n")
    run = listing.best_run(listing.runs(text, sentence_spans(text)), 0, len(text))
    assert [i.ordinal for i in run] == [1, 2, 3] and {i.style for i in run} == {"qi"}
    assert text[run[2].start : run[2].end] == "其三,关键技术仍有差距。"


def test_a_list_question_takes_the_whole_run_only_under_a_heading_naming_it() -> None:
    from askbj.answer.extractive import _lists

    assert _lists("北京面临哪些内部难点?", ("(二)建设标杆城市的内部难点",))
    assert not _lists("文章建议用哪些数字节能技术?", ("(三)绿色低碳发展",))
    assert not _lists("北京面临哪些内部难点?", ())


def test_headings_naming_what_a_list_question_lists() -> None:
    from askbj.ingest.chunk import sections
    from askbj.text.enumerations import headings_naming

    body = "这一部分的正文说明了很多具体的做法和理由,足够长。" * 3
    text = (
        "数据要素与城市\n\n一、背景\n\n" + body + "\n\n"
        "二、主要做法\n\n(一)建立城市全域数据汇聚机制\n\n" + body + "\n\n"
        "(二)建立重点领域数据资产化机制\n\n" + body + "\n\n"
        "(三)推进数据交易平台建设\n\n" + body + "\n\n"
        "三、对城市的政策建议\n\n(一)聚焦关键技术领域\n\n" + body + "\n\n"
        "(二)依托行业龙头企业\n\n" + body + "\n"
    )
    secs = sections(text)
    said = [text[h.start:h.end] for h in headings_naming(text, secs, "机制")]
    # sibling headings ending in the noun, not the one that does not
    assert said == ["(一)建立城市全域数据汇聚机制", "(二)建立重点领域数据资产化机制"]
    # a heading ending in the noun: its sub-headings, even when the first joins its section
    said = [text[h.start:h.end] for h in headings_naming(text, secs, "建议")]
    assert said == ["(一)聚焦关键技术领域", "(二)依托行业龙头企业"]
    assert headings_naming(text, secs, "数据") == []  # no heading ends in it
