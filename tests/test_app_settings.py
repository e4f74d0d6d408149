"""The chat page's sidebar (AppTest): retrieval settings are honoured, and the index is
built on first run, reported and updated when stale, and rebuilt on request."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from ui import session as ui

from askbj import engine
from askbj.text.normalize import looks_traditional

from app_helpers import DOCS, QA, ask, fake_factory, settings_of, start, write_home
from fakes import FakeEmbedder

pytest_plugins = ["app_helpers"]  # the tiny_home and fake_app fixtures


def test_settings_are_honoured(fake_app: Path) -> None:
    question = "北京人工智能大模型"
    at = start()
    hybrid = ask(at, question).answer
    at.radio(key="mode").set_value("bm25").run()
    bm25_turn = ask(at, question)
    assert "bm25" in bm25_turn.caption
    # BM25 returns only passages sharing a word with the question; hybrid fills all k
    assert len(bm25_turn.answer.hits) < len(hybrid.hits)
    at.radio(key="mode").set_value("hybrid")
    at.multiselect(key="doc_filter").set_value(["c"]).run()
    filtered = ask(at, question).answer
    assert {h.chunk.doc_id for h in filtered.hits} == {"c"}
    assert {c.doc_id for c in filtered.citations} <= {"c"}
    at.slider(key="k").set_value(2)
    at.multiselect(key="doc_filter").set_value([])
    at.selectbox(key="script").set_value("traditional").run()
    trad = ask(at, "2023年北京市数字经济增加值是多少?").answer
    assert len(trad.hits) <= 2 and looks_traditional(trad.text) and "數字經濟" in trad.text


def test_first_run_builds_the_index_with_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = write_home(tmp_path)
    monkeypatch.setenv("ASKBJ_HOME", str(home))
    monkeypatch.setattr(ui, "EMBEDDER_FACTORY", fake_factory)
    at = start()
    assert "First run" in at.info[0].value
    assert any("Indexed 11 passages" in p.text for p in at.get("progress"))
    assert (home / "index" / "manifest.json").exists()
    assert ask(at, QA[3][0]).answer.citations


def test_stale_index_is_reported_and_updated_from_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = write_home(tmp_path)
    engine.build(settings_of(home), embedder=FakeEmbedder())
    (home / "ingest" / "b.txt").write_text(DOCS["b.txt"].replace("122个", "150个"),
                                           encoding="utf-8")
    monkeypatch.setenv("ASKBJ_HOME", str(home))
    monkeypatch.setattr(ui, "EMBEDDER_FACTORY", fake_factory)
    at = start()
    assert not at.error
    warning = html.unescape(at.warning[0].value)
    assert "1 document in" in warning and "is not indexed yet" in warning
    old = ask(at, "北京发布了多少个人工智能大模型?").answer  # the last index still answers
    assert any("122个" in c.quote for c in old.citations)
    at.button(key="fix_index").click().run()
    assert not at.exception and not at.error
    answer = ask(at, "北京发布了多少个人工智能大模型?").answer
    assert any("150个" in c.quote for c in answer.citations)


def test_sidebar_rebuild_button_reindexes(fake_app: Path) -> None:
    at = start()
    at.checkbox(key="rebuild_all").check()
    at.button(key="rebuild").click().run()
    assert not at.exception and not at.sidebar.error
    assert any("11 embedded" in p.text for p in at.sidebar.get("progress"))
    assert ask(at, QA[0][0]).answer.citations
