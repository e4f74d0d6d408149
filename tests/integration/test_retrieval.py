"""Retrieval quality cannot regress silently: the dev set is scored on every CI run."""

from __future__ import annotations

from pathlib import Path

from askbj.evaluate import questions as evq
from askbj.evaluate import runner as ev

QUESTIONS = Path(__file__).resolve().parents[2] / "eval" / "questions.jsonl"


def test_dev_set_hybrid_reaches_the_floor(real_searcher) -> None:  # type: ignore[no-untyped-def]
    questions, gold = evq.read_questions(QUESTIONS)
    result = ev.run(questions, gold, real_searcher, "hybrid")
    overall = result["summary"]["metrics"]["overall"]  # type: ignore[index]
    assert overall["hit@5"] >= 0.90, overall
    assert overall["mrr@10"] >= 0.80, overall
    assert result["summary"]["metrics"]["en"]["hit@5"] >= 0.80  # type: ignore[index]


def test_english_question_finds_chinese_passage(real_searcher) -> None:  # type: ignore[no-untyped-def]
    hits = real_searcher.search(
        "How many national-level smart factories has Shanghai built?", k=5)
    assert any("国家级智能工厂" in h.chunk.text for h in hits)


def test_duplicate_article_fills_one_slot(real_searcher) -> None:  # type: ignore[no-untyped-def]
    hits = real_searcher.search("北京算力资源布局里说的“一廊四极”分别是指哪些地方?", k=10)
    top = hits[0]
    assert top.chunk.doc_id in {"000", "001"}
    assert top.alternates, "the other script's copy should be folded into the top hit"
    twins = [h for h in hits[:3] if h.chunk.doc_id in {"000", "001"} and "一廊四极" in
             h.chunk.text.replace("一廊四極", "一廊四极")]
    assert len(twins) == 1


def test_traditional_question_matches_simplified_text(real_searcher) -> None:  # type: ignore[no-untyped-def]
    hits = real_searcher.search("《上海市數據條例》在數據交易定價方面確立了什麼原則?", k=5)
    assert any("自定+评估" in h.chunk.text for h in hits)
