"""The app's other pages (ui/pages/), run headless with AppTest over the tiny index:
citation lookup, documents, and evaluation."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from askbj import engine
from ui import session as ui

from app_helpers import (
    CORPUS_MARKUP,
    LLM_VARIABLES,
    assert_inert,
    fake_factory,
    markdown_of,
    settings_of,
    start,
    write_home,
)
from fakes import FakeEmbedder

pytest_plugins = ["app_helpers"]  # the tiny_home and fake_app fixtures


def test_citation_lookup_page_finds_chunk_span_and_quote(fake_app: Path) -> None:
    idx = ui.get_engine(settings_of(fake_app), ui.factory_key()).index
    chunk = next(c for c in idx.chunks if "IDeX" in c.text)
    at = start("ui/pages/citation_lookup.py")
    for ref in (chunk.chunk_id, f"a:{chunk.start}-{chunk.end}", "国内首个“可用不可见"):
        at.text_area(key="cite_ref").input(ref)
        at.button[0].click().run()
        assert not at.exception and not at.error, ref
        views = [m.value for m in at.markdown if "askbj-passage" in m.value]
        assert views and all("<mark>" in v for v in views), ref
        meta = html.unescape(" ".join(m.value for m in at.markdown if "askbj-meta" in m.value))
        assert "北京数字经济发展观察" in meta and "张三、李四" in meta
    # the traditional-script copy holds the quote too
    assert len(views) == 2
    at.text_area(key="cite_ref").input("这句话不在任何文档里出现过")
    at.button[0].click().run()
    assert at.error and "not in any document" in html.unescape(at.error[0].value)


def test_documents_page_lists_documents_and_navigates_sections(fake_app: Path) -> None:
    at = start("ui/pages/documents.py")
    table = at.dataframe[0].value
    assert list(table["id"]) == ["a", "b", "c", "d"]
    assert {"title", "authors", "venue", "date", "language", "chunks"} <= set(table.columns)
    assert table.set_index("id").loc["a", "chunks"] == 3
    doc_md = lambda: html.unescape(markdown_of(at, "askbj-doc")[0])  # noqa: E731
    assert "一、数据交易" in doc_md()
    at.button(key="next_section").click().run()
    assert "二、算力布局" in doc_md() and "IDeX" not in doc_md()
    at.selectbox(key="doc_reader").set_value("c").run()
    assert_inert(markdown_of(at, "askbj-doc")[0], CORPUS_MARKUP)


def test_evaluation_page_scores_modes_side_by_side(fake_app: Path) -> None:
    at = start("ui/pages/evaluation.py")
    at.button(key="eval_run").click().run()
    assert not at.exception and not at.error
    result = at.session_state["eval"]
    assert set(result["runs"]) == set(ui.EVAL_MODES)  # the modes and the first stage alone
    summary = at.dataframe[0].value
    assert set(ui.EVAL_MODES) <= set(summary.columns) and {"overall", "zh-Hans", "en"} <= set(
        summary["scope"])
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    per_question = at.dataframe[1].value
    assert list(per_question["id"]) == ["q1", "q2", "q3", "q4", "u1"]
    statuses = dict(zip(per_question["id"], per_question["status"], strict=True))
    assert statuses["q1"] == "✓ found" and statuses["q4"] == "✗ missed"
    assert statuses["u1"] == "unjudged"
    at.selectbox(key="eval_open").set_value("q1").run()
    labels = [e.label for e in at.expander]
    assert any(html.unescape(lbl).startswith("✓ 1.") for lbl in labels)
    at.toggle(key="misses_only").set_value(True).run()
    assert list(at.dataframe[1].value["id"]) == ["q4"] or "q4" in list(
        at.dataframe[1].value["id"])


def test_evaluation_page_accepts_an_uploaded_question_set(fake_app: Path) -> None:
    at = start("ui/pages/evaluation.py")
    upload = '{"id": "x1", "question": "杭州跨境电商", "lang": "zh-Hans", "evidence": ["跨境电商"]}'
    at.file_uploader(key="eval_upload").upload("mine.jsonl", upload.encode(), "application/json")
    at.multiselect(key="eval_modes").set_value(["bm25"])
    at.button(key="eval_run").click().run()
    assert not at.exception and not at.error
    assert at.session_state["eval"]["name"] == "mine.jsonl"
    assert list(at.session_state["eval"]["runs"]) == ["bm25"]
    at.file_uploader(key="eval_upload").set_value(("bad.jsonl", b"not json", "text/plain"))
    at.button(key="eval_run").click().run()
    assert at.error and "bad.jsonl:1" in html.unescape(at.error[0].value)
    mixed = (upload + "\nnot json\n").encode()  # a bad line among good ones: named, not fatal
    at.file_uploader(key="eval_upload").set_value(("mixed.jsonl", mixed, "text/plain"))
    at.button(key="eval_run").click().run()
    assert not at.exception and not at.error
    assert at.session_state["eval"]["name"] == "mixed.jsonl"
    assert [e.line for e in at.session_state["eval"]["errors"]] == [2]
    assert any("Line 2 skipped" in html.unescape(w.value) for w in at.warning)


def test_evaluation_page_runs_another_committed_question_set(fake_app: Path) -> None:
    other = ('{"id": "z1", "question": "上海建成了多少家智能工厂?", '
             '"evidence": ["c:市级智能工厂200家"]}')
    (fake_app / "eval" / "zz_check.jsonl").write_text(other, encoding="utf-8")
    at = start("ui/pages/evaluation.py")
    chooser = at.selectbox(key="eval_set")
    assert [Path(o).name for o in chooser.options] == ["questions.jsonl", "zz_check.jsonl"]
    chooser.set_value(fake_app / "eval" / "zz_check.jsonl")
    at.multiselect(key="eval_modes").set_value(["bm25"])
    at.button(key="eval_run").click().run()
    assert not at.exception and not at.error
    assert at.session_state["eval"]["name"] == "eval/zz_check.jsonl"
    assert list(at.dataframe[1].value["id"]) == ["z1"]


def test_citation_lookup_page_shows_places_twenty_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = write_home(tmp_path)
    (home / "ingest" / "many.txt").write_text(
        "".join(f"第{i}段提到数字经济标杆城市的建设。\n\n" for i in range(45)), encoding="utf-8")
    engine.build(settings_of(home), embedder=FakeEmbedder())
    monkeypatch.setenv("ASKBJ_HOME", str(home))
    for name in ("ASKBJ_MODEL", *LLM_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(ui, "EMBEDDER_FACTORY", fake_factory)
    at = start("ui/pages/citation_lookup.py")
    at.text_area(key="cite_ref").input("数字经济标杆城市")
    at.button[0].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Found 45 places" in at.success[0].value
    views = lambda: [m for m in at.markdown if "askbj-passage" in m.value]  # noqa: E731
    assert len(views()) == 20
    assert "25 more places" in at.caption[-1].value
    at.button(key="cite_more").click().run()
    assert len(views()) == 40
    at.button(key="cite_more").click().run()
    assert len(views()) == 45 and not [b for b in at.button if b.key == "cite_more"]
