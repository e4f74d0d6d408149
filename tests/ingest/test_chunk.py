"""Sentence boundaries, headings, sections, and the passages the chunker cuts."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from askbj.answer.sentences import too_thin
from askbj.ingest.chunk import Chunker, sections
from askbj.ingest.clean import clean
from askbj.records import Document
from askbj.text.headings import heading_level
from askbj.text.sentences import sentence_spans


def pieces(text: str, start: int = 0, end: int | None = None) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text, start, end)]


def make_doc(text: str, doc_id: str = "d") -> Document:
    return Document(doc_id=doc_id, path=f"{doc_id}.txt", title=doc_id, text=text, sha256="0")


# --- sentence_spans -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("甲句。乙句！丙句？丁句；戊句", ["甲句。", "乙句！", "丙句？", "丁句；", "戊句"]),
        # a closing quote belongs to the sentence it closes
        ("他说：“要发展。”然后走了。", ["他说：“要发展。”", "然后走了。"]),
        ("「好嗎？」他問。", ["「好嗎？」", "他問。"]),
        # footnote markers stay with the sentence before them
        ("增长很快。[3]下一句。", ["增长很快。[3]", "下一句。"]),
        ("增长很快。[12]下一句。", ["增长很快。[12]", "下一句。"]),
        ("增长很快。①下一句。", ["增长很快。①", "下一句。"]),
        # decimals and version numbers are not sentence ends
        ("占比41.4%，版本3.5。下句", ["占比41.4%，版本3.5。", "下句"]),
        ("数据来自图1.2所示。", ["数据来自图1.2所示。"]),
        # a period followed by a space ends an English sentence
        ("First one. Second one.", ["First one.", "Second one."]),
        # newlines split even without punctuation; whitespace is trimmed
        ("第一行\n第二行\n\n  第三行  ", ["第一行", "第二行", "第三行"]),
        ("", []),
        (" \n\t\n", []),
    ],
)
def test_sentence_spans(text: str, expected: list[str]) -> None:
    assert pieces(text) == expected


def test_sentence_spans_on_later_lines_are_exact() -> None:
    # Boundaries on the second and third lines must be at their own positions, not shifted
    # by the line's offset.
    text = "标题行\n第一句。第二句！\n\n第三句？第四句；末尾"
    assert pieces(text) == ["标题行", "第一句。", "第二句！", "第三句？", "第四句；", "末尾"]


def test_sentence_spans_of_a_slice_stay_inside_it() -> None:
    text = "前文。不要。\n甲句。乙句。\n后文。"
    start = text.index("甲")
    end = text.index("\n后")
    spans = sentence_spans(text, start, end)
    assert [text[a:b] for a, b in spans] == ["甲句。", "乙句。"]
    assert all(start <= a < b <= end for a, b in spans)


# --- heading_level --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("一、总体要求", 1),
        ("第一章 总则", 1),
        ("三、保障措施", 1),
        ("（一）发展目标", 2),
        ("(二)主要任务", 2),
        ("1. 概述", 3),
        ("1.2 研究背景", 3),
        ("北京数字经济发展现状", 1),  # a short title line without sentence punctuation
        ("  一、总体要求  ", 1),
    ],
)
def test_heading_levels(line: str, level: int) -> None:
    assert heading_level(line) == level


@pytest.mark.parametrize(
    "line",
    [
        "",
        "   ",
        "北京率先建设全球数字经济标杆城市，推动数字技术与实体经济深度融合，形成新的增长动力。",
        "这是一句话，很短。",
        "图 1 北京数字经济规模",
        "图1 2020—2024年北京数字经济增加值",
        "表2 各区算力统计",
        "| 指标 | 数值 |",
        "【注释】资料来源",
        "一、坚持创新驱动，",  # a numbered clause running into the next line
    ],
)
def test_not_headings(line: str) -> None:
    assert heading_level(line) == 0


# --- sections -------------------------------------------------------------------------

BODY = "正文内容说明。" * 8

STRUCTURED = (
    "报告导言部分的文字，说明写作背景与目的。这一段篇幅足够长，不会被并入后面紧接着的第一个章节之中。\n\n"
    f"一、总体要求\n\n{BODY}\n\n"
    f"（一）发展目标\n\n{BODY}\n\n"
    f"（二）主要任务\n\n{BODY}\n\n"
    f"二、保障措施\n\n{BODY}"
)


def test_sections_nest_heading_paths_and_tile_the_text() -> None:
    found = sections(STRUCTURED)
    assert [s.path for s in found] == [
        (),
        ("一、总体要求",),
        ("一、总体要求", "（一）发展目标"),
        ("一、总体要求", "（二）主要任务"),
        ("二、保障措施",),
    ]
    assert found[0].start == 0 and found[-1].end == len(STRUCTURED)
    assert all(a.end == b.start for a, b in pairwise(found))
    for sec in found[1:]:
        assert STRUCTURED[sec.start :].startswith(sec.path[-1])


def test_tiny_section_joins_the_next() -> None:
    text = f"一、短\n\n很短。\n\n二、长章节\n\n{BODY}"
    found = sections(text)
    assert len(found) == 1
    assert found[0].start == 0 and found[0].end == len(text)


# --- Chunker.split ---------------------------------------------------------------------

LONG_SECTION = "".join(f"第{n}项任务需要按照计划稳步推进并按期完成验收。" for n in range(1, 13))
DOC_TEXT = (
    "北京数字经济发展报告\n\n"
    f"一、总体要求\n\n{LONG_SECTION}\n\n"
    "（一）发展目标\n\n到二〇二五年，数字经济增加值占地区生产总值比重达到百分之五十左右，"
    "建成全球数字经济标杆城市。“可用不可见，可控可计量”。[3]数据要素市场体系基本建立。\n\n"
    f"二、保障措施\n\n{LONG_SECTION}"
)


def sentence_ends(text: str) -> set[int]:
    return {b for _, b in sentence_spans(text)}


def sentence_starts(text: str) -> set[int]:
    return {a for a, _ in sentence_spans(text)}


def check_chunks(doc: Document, chunks: list) -> None:  # type: ignore[type-arg]
    covered: set[int] = set()
    for c in chunks:
        assert c.doc_id == doc.doc_id
        assert 0 <= c.start < c.end <= len(doc.text)
        assert c.text == doc.text[c.start : c.end]
        covered.update(range(c.start, c.end))
    missing = [i for i, ch in enumerate(doc.text) if not ch.isspace() and i not in covered]
    assert missing == []


@pytest.mark.parametrize(
    "text", ["0" * 51 + "。" + "0" * 9, "数据。" * 60, "0000。" * 40 + "尾", "ab。\n" * 50]
)
def test_repeated_text_is_never_lost(text: str) -> None:
    # Pieces are mapped back to offsets by searching for their text; in periodic text the
    # search must not land inside the previous piece.
    doc = make_doc(text)
    chunks = Chunker(size=60, overlap=15, min_chars=10).split(doc)
    check_chunks(doc, chunks)
    assert [c.end for c in chunks] == sorted({c.end for c in chunks})


def test_chunks_are_exact_sentence_aligned_spans_covering_the_document() -> None:
    doc = make_doc(DOC_TEXT)
    chunker = Chunker(size=120, overlap=30)
    chunks = chunker.split(doc)
    check_chunks(doc, chunks)
    assert {c.end for c in chunks} <= sentence_ends(doc.text)
    assert {c.start for c in chunks} <= sentence_starts(doc.text)
    # a 300-character section really is cut up, and passages stay near the target size
    assert len(chunks) >= 6
    assert max(len(c.text) for c in chunks) <= 2 * chunker.size
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_chunk_records_its_section_and_indexes_the_heading() -> None:
    chunks = Chunker(size=120, overlap=30).split(make_doc(DOC_TEXT))
    (goal,) = [c for c in chunks if "数据要素市场体系" in c.text]
    assert goal.section == ("一、总体要求", "（一）发展目标")
    assert goal.indexed_text.startswith("一、总体要求 / （一）发展目标\n")
    assert goal.indexed_text.endswith(goal.text)
    # the footnote marker stays with its sentence inside the passage
    assert "“可用不可见，可控可计量”。[3]" in goal.text
    tasks = [c for c in chunks if "第12项任务" in c.text]
    assert {c.section for c in tasks} == {("一、总体要求",), ("二、保障措施",)}


def test_text_before_any_heading_has_no_section() -> None:
    text = "没有任何标题的一段正文，只有句子。第二句话也在这里。\n\n第二段继续说明情况。"
    chunks = Chunker(size=300, overlap=60).split(make_doc(text))
    assert chunks and all(c.section == () for c in chunks)
    assert chunks[0].indexed_text == chunks[0].text


def test_chunk_ids_are_stable_and_local() -> None:
    doc = make_doc(DOC_TEXT)
    first = [c.chunk_id for c in Chunker(size=120, overlap=30).split(doc)]
    again = [c.chunk_id for c in Chunker(size=120, overlap=30).split(doc)]
    assert first == again

    # editing the last section leaves the passages of the untouched sections alone
    edited = make_doc(DOC_TEXT.replace("二、保障措施\n\n第1项", "二、保障措施\n\n第一项"))
    after = [c.chunk_id for c in Chunker(size=120, overlap=30).split(edited)]
    assert after != first
    boundary = DOC_TEXT.index("二、保障措施")
    before_edit = [
        c.chunk_id for c in Chunker(size=120, overlap=30).split(doc) if c.end <= boundary
    ]
    assert before_edit and set(before_edit) <= set(after)


def test_untouched_document_keeps_its_ids_when_another_changes() -> None:
    chunker = Chunker(size=120, overlap=30)
    a, b = make_doc(DOC_TEXT, "a"), make_doc(LONG_SECTION, "b")
    ids_a = [c.chunk_id for c in chunker.split(a)]
    chunker.split(make_doc(LONG_SECTION + "新增一句。", "b"))
    assert [c.chunk_id for c in chunker.split(a)] == ids_a
    # same text in another document gets other ids: ids include the document
    assert not {c.chunk_id for c in chunker.split(b)} & {
        c.chunk_id for c in chunker.split(make_doc(LONG_SECTION, "c"))
    }


def test_repeated_passage_gets_distinct_ids() -> None:
    para = "这一段文字在文中重复出现了两次，内容完全相同，但出现在两个不同的位置上。" * 3
    filler = "中间隔着另外一段完全不同的说明文字，用来把两次重复的段落分开，长度也足够。" * 3
    text = f"{para}\n\n{filler}\n\n{para}"
    chunks = Chunker(size=120, overlap=0).split(make_doc(text))
    texts = [c.text for c in chunks]
    assert texts.count(para) == 2  # the fixture really yields one passage twice
    assert len({c.chunk_id for c in chunks}) == len(chunks)


# --- property: arbitrary text never breaks the chunker ---------------------------------

ODD = st.sampled_from(
    [
        *"。！？；，、“”‘’「」『』（）()【】《》[]①⑳.!?;\n\n \t\r\u3000",
        *["\u200f", "\u202e", "\u200b", "\ufeff", "\x00", "\x07", "\x1b", "\u2028"],
        *[
            "🙂",
            "👍🏽",
            "👨\u200d👩\u200d👧",
            "مرحبا",
            "שלום",
            "Ελλάδα",
            "Привет",
            "ｆｕｌｌ１２３",
        ],
        *[
            "北京數字經濟",
            "数据要素",
            "一、总体要求\n",
            "（一）目标\n",
            "图 1 说明\n",
            "| a | b |\n",
        ],
        *["[3]", "41.4%", "# 标题\n", "**粗体**", "<sup>5</sup>", "区(qū)"],
    ]
)
RAW_TEXT = st.lists(st.one_of(st.text(max_size=15), ODD), max_size=60).map("".join)
PROPERTY_CHUNKER = Chunker(size=60, overlap=15)


@settings(max_examples=300, deadline=None)
@given(RAW_TEXT)
@example("0" * 51 + "。" + "0" * 9)  # found by Hypothesis: the tail matched inside the head
def test_split_never_raises_and_covers_cleaned_text(raw: str) -> None:
    text = clean(raw).text
    doc = make_doc(text)
    chunks = PROPERTY_CHUNKER.split(doc)
    check_chunks(doc, chunks)


@pytest.mark.parametrize(
    "sentence",
    [
        "二、北京数字经济发展现状",  # a heading
        "图 3 2023 年北京数字经济核心产业增加值占比",  # a caption
        "① 中国信息通信研究院:《全球数字经济白皮书》, 2024年1月。",  # a footnote
        "资料来源:北京市统计局。",
        "2 数据来源于澎湃新闻《探访上海无人工厂》。",  # a numbered source note
        "【本文作者为北京师范大学京师特聘教授;",  # an author note
        "本文系国家社会科学基金重大项目的阶段性成果。",
        "数据要素。",  # a fragment
        "谂e足輕重的經濟地位、科創能力、外資吸引水平、消費規模和基建需求。",  # mojibake
        "主動在重點領域和關鍵環節謀求突破?;經濟大省肩負著重要使命。",
    ],
)
def test_sentences_that_read_badly_as_answers_are_too_thin(sentence: str) -> None:
    assert too_thin(sentence)


def test_a_plain_sentence_is_not_too_thin() -> None:
    assert not too_thin("2023年北京市数字经济增加值占地区生产总值的比重达到42.9%。")


def test_a_sentence_about_data_sources_is_not_a_source_note() -> None:
    assert not too_thin("数据来源于政府部门、企业和科研机构,需要统一标准才能共享。")
