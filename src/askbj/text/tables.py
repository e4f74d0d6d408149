"""Tables of a converted document read as sentences.

PDF and Word conversion leaves a report's tables as lines of ``|``-separated cells. A data
row alone ("| 数字经济核心产业 | 100417 | 12152 | 191078 | 32237 |") says nothing a reader or
an answer check can use: which column is which place or year, what the unit is. Here each
data row is read with its table's column headings and unit (a heading spanning several columns, left
empty in the cells it spans, is carried right): "数字经济核心产业,北京数字经济核心产业存量企业
100417家,…" is what an answer scores, and a reader is shown the caption, the headings and the
row's cells. The row's own text stays what a citation quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEPARATOR = re.compile(r"^\|?[\s:|-]*-[\s:|-]*$")
_CAPTION = re.compile(r"^\s*(?:表|Table)\s*\d+[^\n]*", re.I)
_UNIT = re.compile(r"^\s*单\s*位\s*[,，:：]\s*(\S{1,8})\s*$")
# a value cell: a number not followed by 年/月/日 (a column heading such as "2023 年新设企业"
# starts with a number too)
_VALUE = re.compile(r"^[-+]?\d[\d,.]*(?!\d)\s*(?![年月日\d])")
_NEAR = 6  # lines around a table searched for its caption and unit


@dataclass(frozen=True)
class Row:
    """A data row: where its line is in the document, what it says to a scorer (``body``:
    the label, then each value after its column's heading and with the table's unit) and
    how it is shown (``head`` and ``headings`` once per table, then ``cells``)."""

    start: int
    end: int
    head: str  # the table's caption and unit: "表 2 …(单位:家)"
    headings: str  # "|指标|北京数字经济核心产业存量企业|…|"
    cells: str  # the row's cells as the document has them: "|数字经济核心产业|100417|…|"
    body: str  # "数字经济核心产业,北京数字经济核心产业存量企业100417家,…。"

    @property
    def reading(self) -> str:
        """The row for a reader meeting this table first: caption, headings, cells."""
        return f"{self.head}:{self.headings}{self.cells}" if self.head \
            else f"{self.headings}{self.cells}"


@dataclass(frozen=True)
class Table:
    caption: str
    unit: str
    headings: tuple[str, ...]  # one per column, the first (the row label's) often empty
    rows: tuple[Row, ...]
    start: int  # the first and last table line (headers included)
    end: int


def _cells(line: str) -> list[str]:
    inner = line.strip().strip("|")
    return [re.sub(r"<br\s*/?>|\s+", "", c) for c in inner.split("|")]


def _is_value(cell: str) -> bool:
    return bool(_VALUE.match(cell))


def _is_data(cells: list[str]) -> bool:
    """A row holding a value outside its label cell, with a label that is not a bare
    number (a stray figure the converter put in the header, "| 857 | |", is no row)."""
    return len(cells) > 1 and any(_is_value(c) for c in cells[1:]) and not (
        _is_value(cells[0]) and not any(c for c in cells[1:]))


def _headings(rows: list[list[str]], width: int) -> tuple[str, ...]:
    """Per column, the header rows' cells joined top-down; a cell left empty in an upper
    row continues the heading to its left (a group heading such as 北京 over two columns)."""
    out = ["" for _ in range(width)]
    for depth, cells in enumerate(rows):
        cells = (cells + [""] * width)[:width]
        upper = depth < len(rows) - 1
        carried = ""
        for j, cell in enumerate(cells):
            if cell:
                carried = cell
            elif upper and j > 0:
                cell = carried
            if cell and not out[j].endswith(cell):
                out[j] += cell
    return tuple(out)


def _around(lines: list[tuple[int, str]], first: int, last: int) -> tuple[str, str]:
    """The caption ("表 2 …") and the unit ("单位:家") within a few lines of the table."""
    near = [t for _, t in lines[max(0, first - _NEAR): first]] + \
        [t for _, t in lines[last + 1: last + 1 + _NEAR]]
    caption = next((m.group(0).strip() for t in near if (m := _CAPTION.match(t))), "")
    unit = next((m.group(1) for t in near if (m := _UNIT.match(t))), "")
    return caption, unit


def _value(cell: str, unit: str) -> str:
    """The cell with the table's unit after a bare number (100417 → 100417家)."""
    if unit and re.fullmatch(r"[-+]?\d[\d,.]*", cell):
        return cell + unit
    return cell


def _body(unit: str, headings: tuple[str, ...], cells: list[str]) -> str:
    label = cells[0]
    pairs = [f"{headings[j] if j < len(headings) else ''}{_value(c, unit)}"
             for j, c in enumerate(cells[1:], start=1) if c]
    return f"{label}{',' if label else ''}{','.join(pairs)}。"


def tables(text: str) -> list[Table]:
    """The ``|``-tables of ``text`` with a reading for each data row."""
    lines, pos = [], 0
    for line in text.splitlines(keepends=True):
        lines.append((pos, line.rstrip("\r\n")))
        pos += len(line)
    out: list[Table] = []
    i = 0
    while i < len(lines):
        if not lines[i][1].lstrip().startswith("|"):
            i += 1
            continue
        first = i
        while i < len(lines) and lines[i][1].lstrip().startswith("|"):
            i += 1
        out.extend(_table(lines, first, i - 1))
    return out


def _table(lines: list[tuple[int, str]], first: int, last: int) -> list[Table]:
    block = [(s, t) for s, t in lines[first: last + 1] if not _SEPARATOR.match(t.strip())]
    parsed = [(s, t, _cells(t)) for s, t in block]
    data_at = next((k for k, (_, _, c) in enumerate(parsed) if _is_data(c)), None)
    if data_at is None:
        return []
    header = [c for _, _, c in parsed[:data_at]
              if any(c) and not all(_is_value(x) or not x for x in c)]
    width = max(len(c) for _, _, c in parsed)
    headings = _headings(header, width)
    caption, unit = _around(lines, first, last)
    head = caption + (f"(单位:{unit})" if unit else "")
    shown = "|" + "|".join(h or "-" for h in headings) + "|"
    rows = tuple(Row(s + (len(t) - len(t.lstrip())), s + len(t.rstrip()), head, shown,
                     "|" + "|".join(c) + "|", _body(unit, headings, c))
                 for s, t, c in parsed[data_at:] if _is_data(c))
    start, end = lines[first][0], lines[last][0] + len(lines[last][1])
    return [Table(caption, unit, headings, rows, start, end)]


def layout(text: str) -> tuple[dict[int, Row], frozenset[int]]:
    """Each data row of the tables of ``text`` by the offset its line's text starts at, and
    where the header and separator lines start (no sentence to quote); one parse."""
    found = tables(text)
    rows = {r.start: r for t in found for r in t.rows}
    heads: set[int] = set()
    for t in found:
        pos = t.start
        for line in text[t.start: t.end].splitlines(keepends=True):
            at = pos + (len(line) - len(line.lstrip()))
            if at not in rows:
                heads.add(at)
            pos += len(line)
    return rows, frozenset(heads)


def readings(text: str) -> dict[int, Row]:
    """Each data row of the tables of ``text`` by the offset its line's text starts at."""
    return layout(text)[0]


def header_lines(text: str) -> frozenset[int]:
    """Where the header and separator lines of each table start."""
    return layout(text)[1]
