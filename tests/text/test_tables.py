"""Tables of converted documents read as sentences (askbj.text.tables)."""

from __future__ import annotations

from askbj.text.tables import header_lines, readings, tables

REPORT = (
    "北京的企业数量继续增长。\n\n"
    "表 2 京沪企业数量\n\n"
    "单位,家\n\n"
    "| 指标 | 北京 | | 上海 | |\n"
    "|----|----|----|----|----|\n"
    "| | 存量企业 | 2023 年<br>新设企业 | 存量企业 | 2023 年<br>新设企业 |\n"
    "| 核心产业 | 100417 | 12152 | 191078 | 32237 |\n"
    "| 合计 | 414485 | 39651 | 259440 | 43760 |\n\n"
    "下一段正文。\n"
)
STRAY = (
    "三路径全跑通。\n\n"
    "| 857 | |\n"
    "|---|---|\n"
    "| 路径 | 通过量 |\n"
    "| 安全评估 | 38 家(99 个事项) |\n"
    "| 标准合同备案 | 18 份 |\n\n"
    "表 3 三路径通过情况\n"
)


def test_a_row_reads_with_its_group_headings_and_unit() -> None:
    [table] = tables(REPORT)
    assert table.caption == "表 2 京沪企业数量" and table.unit == "家"
    # a group heading (北京) left empty in the cell it spans carries right
    assert table.headings[1:] == ("北京存量企业", "北京2023年新设企业", "上海存量企业",
                                  "上海2023年新设企业")
    first = table.rows[0]
    assert REPORT[first.start:first.end] == "| 核心产业 | 100417 | 12152 | 191078 | 32237 |"
    assert first.body == ("核心产业,北京存量企业100417家,北京2023年新设企业12152家,"
                          "上海存量企业191078家,上海2023年新设企业32237家。")
    assert first.cells == "|核心产业|100417|12152|191078|32237|"
    assert first.reading.startswith("表 2 京沪企业数量(单位:家):|指标|北京存量企业|")
    assert len(table.rows) == 2


def test_headings_and_separators_are_no_rows() -> None:
    rows = readings(REPORT)
    heads = header_lines(REPORT)
    assert REPORT.index("| 指标") in heads and REPORT.index("|----") in heads
    assert REPORT.index("| 核心产业") in rows and REPORT.index("| 核心产业") not in heads
    assert not readings("正文里没有表格。\n") and not header_lines("正文里没有表格。\n")


def test_a_stray_figure_in_the_header_is_dropped_and_a_caption_below_is_found() -> None:
    [table] = tables(STRAY)
    assert table.caption == "表 3 三路径通过情况" and table.unit == ""
    assert table.headings == ("路径", "通过量")
    assert [r.body for r in table.rows] == ["安全评估,通过量38家(99个事项)。",
                                           "标准合同备案,通过量18份。"]


def test_a_number_of_years_is_a_heading_not_a_value() -> None:
    text = "| 地区 | 2022 年 | 2023 年 |\n| 北京 | 1.6 | 1.8 |\n"
    [table] = tables(text)
    assert table.headings == ("地区", "2022年", "2023年")
    assert [r.body for r in table.rows] == ["北京,2022年1.6,2023年1.8。"]
