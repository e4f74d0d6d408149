"""`askbj cite`: chunk ids, spans and quotes in either script map to exact places."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from askbj.config import Settings
from askbj.errors import AskbjError
from askbj.index import store as index_store
from askbj.lookup import CitationPlace, lookup
from askbj.text.normalize import to_traditional
from askbj.text.quotes import find_quote, folded_map

pytest_plugins = ["answer_corpus"]  # the tiny corpus and its fixtures


@pytest.fixture
def index(settings: Settings) -> index_store.Index:
    return index_store.load(settings.index_dir)


def check(place: CitationPlace, index: index_store.Index) -> None:
    doc = index.document(place.doc_id)
    assert doc.text[place.start : place.end] == place.quote
    assert place.passage[place.mark_start : place.mark_end] == place.quote
    assert doc.text[place.passage_start : place.passage_start + len(place.passage)] == place.passage


def test_chunk_id_points_at_its_chunk(index: index_store.Index) -> None:
    chunk = next(c for c in index.chunks if "5G基站" in c.text and c.doc_id == "100")
    [place] = lookup(index, chunk.chunk_id)
    assert (place.doc_id, place.start, place.end, place.chunk_id) == (
        "100", chunk.start, chunk.end, chunk.chunk_id)
    assert place.quote == chunk.text and place.section == chunk.section
    assert (place.title, place.authors, place.venue, place.date) == (
        "北京数字经济发展观察", ("张三",), "《测试期刊》2024年第1期", "2024")
    check(place, index)


def test_span_gives_exact_text_and_context(index: index_store.Index) -> None:
    text = index.document("100").text
    start = text.index("二是建设")
    end = text.index("；", start) + 1
    [place] = lookup(index, f"100:{start}-{end}", context=1)
    check(place, index)
    assert place.quote.startswith("二是建设") and place.quote.endswith("；")
    assert "一是完善" in place.passage[: place.mark_start]
    assert "三是加强" in place.passage[place.mark_end :]
    [bare] = lookup(index, f"100:{start}-{end}", context=0)
    assert bare.passage == place.quote


@pytest.mark.parametrize("script", ["simplified", "traditional"])
def test_quote_in_either_script_finds_both_versions(
    index: index_store.Index, script: str
) -> None:
    quote = "可用不可见"
    places = lookup(index, to_traditional(quote) if script == "traditional" else quote)
    assert {p.doc_id for p in places} == {"100", "101"}
    for p in places:
        check(p, index)
    assert {p.quote for p in places} == {"可用不可见", "可用不可見"}


def test_quote_ignores_spaces_width_and_quote_marks(index: index_store.Index) -> None:
    [place] = lookup(index, "「自定 ＋ 评估」原则")
    check(place, index)
    assert place.doc_id == "102" and place.quote == "“自定+评估”原则"


def test_folded_map_points_back_to_exact_offsets() -> None:
    text = "区(qū)域 ２０２３年\n「數據」"
    folded, origin = folded_map(text)
    assert folded == '区域2023年"数据"'
    assert [text[i] for i in origin] == ["区", "域", "２", "０", "２", "３", "年", "「", "數",
                                         "據", "」"]
    [(start, end)] = find_quote(text, "区域2023")
    assert text[start:end] == "区(qū)域 ２０２３"


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("0123456789abcdef", "Unknown chunk id"),
        ("100:900-10", "end \\(10\\) must come after"),
        ("100:5-5", "must come after"),
        ("100:0-999999", "past the end"),
        ("999:1-5", "Unknown document id"),
        ("100:abc", "Malformed span"),
        ("", "empty"),
        ("   ", "empty"),
        ("“”", "too short"),
        ("这句话不在任何文档里", "not in any document"),
    ],
)
def test_bad_references_are_clear_errors(
    index: index_store.Index, ref: str, message: str
) -> None:
    with pytest.raises(AskbjError, match=message):
        lookup(index, ref)


def test_unfound_quote_names_the_nearest_passages(index: index_store.Index) -> None:
    with pytest.raises(AskbjError) as info:
        lookup(index, "北京累计建设基站二十万个")
    assert "Nearest passages" in str(info.value) and "100:" in str(info.value)


def test_cli_cite_human_and_json(run_cli: Callable[..., tuple[int, str, str]]) -> None:
    code, out, _ = run_cli("cite", "自定+评估", "--json")
    assert code == 0
    [place] = json.loads(out)["places"]
    assert place["doc_id"] == "102" and place["quote"] == "自定+评估"
    code, out, _ = run_cli("cite", "[b]自定+评估[/b]")
    assert code == 1  # markup in a ref is looked up as text, not rendered
    code, out, _ = run_cli("cite", "自定+评估", "--context", "0")
    assert code == 0 and "上海城市数字化转型" in out and "span: 102:" in out
    assert "《上海市数据条例》[b]" in out  # document text is escaped, not rendered as markup


@pytest.mark.parametrize("ref", ["100:900-10", "100:0-999999", "0123456789abcdef", ""])
def test_cli_cite_errors_exit_1(run_cli: Callable[..., tuple[int, str, str]], ref: str) -> None:
    code, out, err = run_cli("cite", ref)
    assert code == 1 and "error:" in err and not out
