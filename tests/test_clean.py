"""Cleaning rules, the offsets guarantee citations depend on, and the real corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from askbj.ingest.clean import Cleaned, Edit, apply_edits, clean

INGEST = Path(__file__).resolve().parents[1] / "ingest"


def check_offsets(raw: str, result: Cleaned) -> None:
    assert len(result.offsets) == len(result.text)
    assert all(a < b for a, b in zip(result.offsets, result.offsets[1:], strict=False))
    assert all(0 <= o < len(raw) for o in result.offsets)
    for ch, off in zip(result.text, result.offsets, strict=True):
        assert ch.isspace() or raw[off] == ch


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # line ends and invisible characters
        ("甲\r\n乙\r丙", "甲\n乙\n丙"),
        ("\ufeff北\u200b京\x07市\u202e", "北京市"),
        # pinyin glosses go, other parentheses stay
        ("深水區(qū),創(chuàng)新", "深水區,創新"),
        ("區(qū)域", "區域"),
        ("人工智能(AI)、规划(2023年)、(一)总体", "人工智能(AI)、规划(2023年)、(一)总体"),
        ("abc(qū)", "abc(qū)"),
        # navigation and boilerplate lines
        ("社科网首页|客户端|官方微博|报刊投稿|邮箱 中国社会科学网\n正文。", "正文。"),
        ("| 批次 | 北京 | 全国 |", "| 批次 | 北京 | 全国 |"),
        ("正文。\n\n【END】\n\n为您推荐\n\n发表回复\n分享到:", "正文。"),
        ("正文。\n返回顶部", "正文。"),
        ("注釋略\n責編:吳 瑩/美編:石 玉", "注釋略"),
        # page numbers and image names
        ("甲。\n\n### 5\n\n乙。\n640-7\n丙。\n12", "甲。\n\n乙。\n丙。"),
        ("图。\nchart-01.png\n文。", "图。\n文。"),
        # markdown and PDF-converter noise
        ("## 总报告\n\n#### (一)概况", "总报告\n\n(一)概况"),
        ("**重点**内容", "重点内容"),
        ("报告\\*\n\n课题组\\*\\*", "报告*\n\n课题组**"),
        ("<sup>\\*</sup> 基金项目", "* 基金项目"),
        ("数字经济核心<br>产业存量企业", "数字经济核心产业存量企业"),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "| a | b |\n| 1 | 2 |"),
        (" $\\mathbf{B}.1$ \n\n \n# 标题", "标题"),
        ("价格 $ 上涨", "价格 上涨"),
        ("正文![图](img/a.png)继续", "正文继续"),
        # whitespace
        ("  北京 \t 市  ", "北京 市"),
        ("肩负着促 进区域经济,持续向好", "肩负着促进区域经济,持续向好"),
        ("等特性, 是数字经济“ 汇管用评” 体系", "等特性,是数字经济“汇管用评”体系"),
        ("2023 年,数字 GDP 增长", "2023 年,数字 GDP 增长"),
        ("關鍵詞:數字經濟 新質生產力", "關鍵詞:數字經濟 新質生產力"),
        ("甲\n\n\n\n乙\n丙\n\xa0\n\n丁", "甲\n\n乙\n丙\n\n丁"),
        ("\n\n  正文  \n\n", "正文"),
        ("a\u3000\u3000b", "a b"),
        # footnote markers stay
        ("需求[1],经济①大省", "需求[1],经济①大省"),
    ],
)
def test_rule(raw: str, expected: str) -> None:
    result = clean(raw)
    assert result.text == expected
    check_offsets(raw, result)


def test_offsets_point_into_raw() -> None:
    raw = "## 標題\r\n\r\n深水區(qū)  促 进,**重点**\u200b<br>[1]\n\n\n640-7\n尾"
    result = clean(raw)
    assert result.text == "標題\n\n深水區促进,重点[1]\n\n尾"
    check_offsets(raw, result)
    assert raw[result.offsets[result.text.index("[1]")] :].startswith("[1]")


def test_apply_edits_refuses_to_invent_text() -> None:
    with pytest.raises(ValueError, match="invent"):
        apply_edits("a  b", [Edit(1, 3, "x")])
    with pytest.raises(ValueError, match="invent"):
        apply_edits("a b", [Edit(1, 2, "  ")])


TOKENS = st.sampled_from(
    [
        "**",
        "__",
        "\\*",
        "<sup>",
        "</sup>",
        "<br>",
        "$",
        "$\\mathbf{x}$",
        "#",
        "### 7",
        "區",
        "(qū)",
        "(AI)",
        "|",
        "|---|",
        "640-7",
        "分享到:",
        "【END】",
        "\r\n",
        "\r",
        "\n",
        "\n\n\n",
        " ",
        "\t",
        "\xa0",
        "\u3000",
        "\u200b",
        "\u202e",
        "\u200f",
        "\ufeff",
        "🙂",
        "مرحبا",
        "Ωμέγα",
        "，",
        "。",
        ",",
        "責編:某",
        "促 进",
        "①",
        "[1]",
        "\x00",
        "\x85",
    ]
)
ANY_TEXT = st.lists(st.one_of(st.text(max_size=20), TOKENS), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(ANY_TEXT)
def test_properties_on_arbitrary_text(raw: str) -> None:
    result = clean(raw)
    check_offsets(raw, result)
    assert result.text == result.text.strip()
    assert "\n\n\n" not in result.text
    assert set(ch for ch in result.text if ch.isspace()) <= {" ", "\n"}
    assert clean(result.text).text == result.text


PLAIN = st.text(
    alphabet=st.characters(categories=("Lu", "Ll", "Nd", "Zs"), include_characters="\n\t"),
    max_size=200,
)


@settings(max_examples=300, deadline=None)
@given(PLAIN)
def test_plain_text_loses_no_visible_character(raw: str) -> None:
    # A line of bare digits is a page number by design, so every line here has a letter.
    assume(all(not ln.strip() or any(c.isalpha() for c in ln) for ln in raw.split("\n")))
    result = clean(raw)
    assert [c for c in result.text if not c.isspace()] == [c for c in raw if not c.isspace()]


def corpus(prefix: str) -> str:
    (path,) = INGEST.glob(f"{prefix}_*.txt")
    return clean(path.read_text(encoding="utf-8")).text


def test_corpus_pinyin_glosses_removed() -> None:
    text = corpus("001")
    assert "(qū)" not in text
    assert "深水區," in text


def test_corpus_web_navigation_removed() -> None:
    text = corpus("004")
    assert not text.startswith("社科网首页")
    assert not text.endswith("分享到:")
    assert "刘佳骏" in text


def test_corpus_pdf_noise_removed() -> None:
    text = corpus("002")
    assert "$\\mathbf" not in text
    assert "<sup>" not in text and "<br>" not in text
    assert "5" not in text.split("\n")
    assert "|---" not in text and "####" not in text
    assert text.startswith("总报告\n\n2023年北京全球数字经济标杆城市建设发展报告*")


def test_corpus_web_repost_tail_removed() -> None:
    text = corpus("003")
    assert "640-7" not in text
    assert text.endswith("赵刚 赛智产业研究院 院长")


BODY = "在数字产业化方面,2023年北京市人工智能产业发展取得显著优势,实施人工智能算力券补贴政策:" \
       "信创产业稳步发展,重点领域持续突破,关键技术持续攻关,软件和信息服务业营收稳步增长," \
       "数字化转型全面推进,国家信创园已快速集聚"


def test_a_sentence_cut_by_a_figure_caption_is_reattached() -> None:
    raw = f"{BODY}\n\n图 3 2023 年北京数字经济核心产业增加值占比\n\n资料来源:北京市统计局。\n\n" \
          "240 余家企业,形成完整生态。\n"
    out = clean(raw)
    assert "国家信创园已快速集聚240 余家企业" in out.text
    assert "图 3" not in out.text and "资料来源" not in out.text
    assert all(raw[o] == ch for o, ch in zip(out.offsets, out.text, strict=True))


def test_a_sentence_cut_by_a_page_break_is_reattached_even_inside_a_word() -> None:
    out = clean(BODY.replace("国家信创园已快速集聚", "海淀、朝阳、门头沟、石")
                + "\n\n景山等 5 个中心启动建设。")
    assert "门头沟、石景山等 5 个中心" in out.text


def test_finished_sentences_footnotes_and_headings_are_not_joined() -> None:
    ended = BODY + "。"
    for raw in (f"{ended}\n\n下一段从这里开始。",           # a finished sentence
                f"{ended}1\n\n1 数据来源于某白皮书。",        # a note mark, then the note
                f"{BODY}\n\n(二)数据要素市场\n\n正文。",     # a heading follows
                f"{BODY}\n\n* 基金项目:某课题。\n\n正文。",   # a footnote is never dropped
                "短标题没有句号\n\n正文从这里开始。"):           # a short line may be a title
        out = clean(raw)
        assert out.text.count("\n\n") == raw.count("\n\n"), raw
