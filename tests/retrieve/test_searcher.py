"""Hybrid search over a tiny index built by the real pipeline (with the fake embedder)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from askbj import engine
from askbj.config import Settings
from askbj.errors import AskbjError
from askbj.retrieve.candidates import LocalCandidates
from askbj.retrieve.searcher import MAX_QUESTION, MODES, Searcher, prepare_query
from askbj.text.normalize import to_traditional

SHARED = (
    "北京国际大数据交易所推出了国内首个“可用不可见，可控可计量”的数据交易平台IDeX系统，"
    "为数据要素市场化配置提供了新的路径。该平台已经服务数百家机构。"
)
DOCS = {
    # alpha and beta carry the same paragraph, in simplified and in traditional script
    "alpha.txt": f"一、数据交易\n\n{SHARED}\n\n二、算力布局\n\n"
    "北京以中关村科学城为核心算力走廊，协同怀柔科学城、未来科学城、北京经济技术开发区和"
    "首钢园四极联动，形成一廊四极的算力格局。",
    "beta.txt": f"一、數據交易\n\n{to_traditional(SHARED)}\n\n二、其他\n\n"
    "本文還討論了人才培養與國際合作的若干問題，並提出政策建議。",
    "gamma.txt": "2023年北京市数字经济实现增加值18766.7亿元，占地区生产总值比重达到42.9%。\n\n"
    "北京率先建设全球数字经济标杆城市，推动智慧城市建设，完善数字政府服务体系。",
}


@pytest.fixture
def searcher(tmp_path: Path, fake_embedder: Any) -> Searcher:
    root = tmp_path
    ingest = root / "ingest"
    ingest.mkdir()
    for name, text in DOCS.items():
        (ingest / name).write_text(text, encoding="utf-8")
    settings = Settings(ingest_dir=ingest, index_dir=root / "index")
    engine.build(settings, embedder=fake_embedder)
    return engine.open_searcher(settings, fake_embedder)


def doc_ids(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [h.chunk.doc_id for h in hits]


def test_fixture_has_the_passages_the_tests_rely_on(searcher: Searcher) -> None:
    assert {c.doc_id for c in searcher.index.chunks} == {"alpha", "beta", "gamma"}
    assert sum("怀柔科学城" in c.text for c in searcher.index.chunks) == 1
    assert not any("懷柔" in c.text or "１" in c.text for c in searcher.index.chunks)


def test_bm25_finds_exact_rare_term(searcher: Searcher) -> None:
    hits = searcher.search("怀柔科学城", k=5, mode="bm25")
    assert hits and "怀柔科学城" in hits[0].chunk.text
    # bm25 returns only passages sharing a term with the question
    assert len(hits) == 1
    assert [h.rank for h in hits] == [1] and hits[0].score > 0


def test_traditional_question_finds_simplified_passage(searcher: Searcher) -> None:
    hits = searcher.search("懷柔科學城", k=5, mode="bm25")
    assert hits and "怀柔科学城" in hits[0].chunk.text
    assert hits[0].chunk.doc_id == "alpha"


def test_full_width_digits_match_half_width(searcher: Searcher) -> None:
    hits = searcher.search("１８７６６．７", k=5, mode="bm25")
    assert hits and "18766.7" in hits[0].chunk.text
    assert hits[0].chunk.doc_id == "gamma"


def test_latin_term_is_case_insensitive(searcher: Searcher) -> None:
    hits = searcher.search("idex", k=5, mode="bm25")
    assert hits and "IDeX" in hits[0].chunk.text


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_ranks_the_matching_passage_first(searcher: Searcher, mode: str) -> None:
    hits = searcher.search("怀柔科学城和首钢园四极联动", k=3, mode=mode)
    assert "四极联动" in hits[0].chunk.text
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert len(hits) <= 3
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("mode", ["", "semantic", "BM25", "hybrid "])
def test_unknown_mode_is_rejected(searcher: Searcher, mode: str) -> None:
    with pytest.raises(AskbjError, match="mode"):
        searcher.search("数据交易", mode=mode)


@pytest.mark.parametrize("question", ["", "   ", "\n\t\u3000"])
def test_empty_question_is_rejected(searcher: Searcher, question: str) -> None:
    with pytest.raises(AskbjError, match="empty"):
        searcher.search(question)
    with pytest.raises(AskbjError):
        prepare_query(question)


def test_prepare_query_keeps_normal_questions() -> None:
    query = prepare_query("  北京数字经济占比是多少？ ")
    assert query.text == "北京数字经济占比是多少？" and query.notice == ""


def test_huge_question_is_truncated_with_notice_and_still_answered(searcher: Searcher) -> None:
    question = "怀柔科学城" * 2000
    assert len(question) == 10_000
    query = prepare_query(question)
    assert len(query.text) == MAX_QUESTION
    assert "10000" in query.notice and str(MAX_QUESTION) in query.notice
    hits = searcher.search(question, k=3, mode="hybrid")
    assert hits and "怀柔科学城" in hits[0].chunk.text


def test_doc_filter_is_honoured(searcher: Searcher) -> None:
    unfiltered = searcher.search("北京数字经济", k=10, mode="hybrid")
    assert len(set(doc_ids(unfiltered))) > 1
    only = searcher.search("北京数字经济", k=10, mode="hybrid", doc_ids={"gamma"})
    assert only and set(doc_ids(only)) == {"gamma"}
    assert [h.rank for h in only] == list(range(1, len(only) + 1))
    both = searcher.search("怀柔科学城", k=10, mode="bm25", doc_ids={"beta", "gamma"})
    assert "alpha" not in doc_ids(both)


@pytest.mark.parametrize("mode", MODES)
def test_same_paragraph_in_two_scripts_is_one_hit(searcher: Searcher, mode: str) -> None:
    hits = searcher.search("可用不可见的数据交易平台IDeX系统", k=5, mode=mode)
    with_shared = [h for h in hits if "IDeX" in h.chunk.text]
    assert len(with_shared) == 1
    (top,) = with_shared
    assert top.rank == 1
    twin = next(
        c for c in searcher.index.chunks if "IDeX" in c.text and c.doc_id != top.chunk.doc_id
    )
    assert top.alternates == (twin.chunk_id,)
    # other hits carry no alternates: nothing else is duplicated
    assert all(h.alternates == () for h in hits if h is not top)


def test_duplicates_within_one_document_are_not_collapsed(
    tmp_path: Path, fake_embedder: Any
) -> None:
    ingest = tmp_path / "ingest"
    ingest.mkdir()
    para = "这一段关于数据交易平台的说明在同一篇文档里出现了两次，内容完全一样，位置不同。" * 3
    filler = "中间隔着另一段毫不相干的文字，讲述人才培养与国际合作的若干问题和建议。" * 3
    (ingest / "one.txt").write_text(f"{para}\n\n{filler}\n\n{para}", encoding="utf-8")
    settings = Settings(
        ingest_dir=ingest, index_dir=tmp_path / "index", chunk_size=130, chunk_overlap=0
    )
    engine.build(settings, embedder=fake_embedder)
    hits = engine.open_searcher(settings, fake_embedder).search("数据交易平台", k=5, mode="bm25")
    assert sum(h.chunk.text == para for h in hits) == 2
    assert all(h.alternates == () for h in hits)


def test_hybrid_prefers_the_passage_with_the_questions_year(
    tmp_path: Path, fake_embedder: Any
) -> None:
    # Two reports sharing the question's words; the question's year is an anchor that only
    # one of them meets, and that one must come first whichever the wording favours.
    ingest = tmp_path / "ingest"
    ingest.mkdir()
    (ingest / "a.txt").write_text(
        "2023年，北京市数字经济增加值达到18766.7亿元，同比增长8.5%。", encoding="utf-8")
    (ingest / "b.txt").write_text(
        "据统计局测算，本市数字经济增加值达到两万亿元，其中2024年核心产业增长较快，"
        "北京市在全国保持领先。", encoding="utf-8")
    settings = Settings(ingest_dir=ingest, index_dir=tmp_path / "index")
    engine.build(settings, embedder=fake_embedder)
    searcher = engine.open_searcher(settings, fake_embedder)
    for year, doc in (("2023", "a"), ("2024", "b")):
        hits = searcher.search(f"{year}年北京市数字经济增加值达到多少?", k=2)
        assert doc_ids(hits)[0] == doc
        assert hits[0].score > hits[1].score

    # The fixture is a real test of the anchors: fusion alone gets one of the years wrong.
    from askbj.retrieve.fusion import Fusion

    plain = Searcher(searcher.index, searcher.encoder, searcher.domain, Fusion(anchor_penalty=0.0))
    firsts = {doc_ids(plain.search(f"{y}年北京市数字经济增加值达到多少?", k=2))[0]
              for y in ("2023", "2024")}
    assert len(firsts) == 1


def test_anchor_context_carries_the_previous_passage_of_the_same_section() -> None:
    from askbj.records import Chunk
    from askbj.retrieve.searcher import _anchor_context

    sec, other = ("二、进展",), ("三、挑战",)
    chunks = [
        Chunk("a", "d", 0, 20, "2023年，北京市组织企业开展技术攻关。", sec),
        Chunk("b", "d", 20, 40, "超导量子芯片样品成品率提升至95%。", sec),
        Chunk("c", "d", 40, 60, "人才流失的风险有所增加。", other),
        Chunk("e", "x", 0, 20, "另一份文件的开头。", other),
    ]
    flat = _anchor_context(chunks)
    assert "2023" in flat[1] and "成品率" in flat[1]  # its section opened with the year
    assert "2023" not in flat[2] and "成品率" not in flat[2]  # another section
    assert "人才" not in flat[3]  # another document, even with the same heading
    assert flat[0].startswith("二、进展")


def test_shallow_candidates_give_the_hits_of_every_passage(tmp_path: Path,
                                                            fake_embedder: Any) -> None:
    """Depth 1 must deepen until exact: the same hits as a union of every passage."""
    from askbj.retrieve.fusion import Fusion

    ingest = tmp_path / "ingest"
    ingest.mkdir()
    for n in range(80):
        body = "\n\n".join(f"{2015 + (n + j) % 10}年北京市第{j}项数字经济指标增长{n * j}%，"
                           f"上海与广州的数据交易所各有特点，算力中心{j}期建成。" for j in range(6))
        (ingest / f"d{n:02d}.txt").write_text(f"一、概况\n\n{body}", encoding="utf-8")
    settings = Settings(ingest_dir=ingest, index_dir=tmp_path / "index")
    engine.build(settings, embedder=fake_embedder)
    whole = engine.open_searcher(settings, fake_embedder)
    assert len(whole.index.chunks) > 100
    everything = Searcher(whole.index, fake_embedder, whole.domain, Fusion(candidates=10**6))
    shallow = Searcher(whole.index, fake_embedder, whole.domain, Fusion(candidates=1))
    pruned = Searcher(whole.index, fake_embedder, whole.domain, Fusion(candidates=1),
                      source=LocalCandidates(whole.index, prune_from=0))
    for question in ("2019年北京市数字经济指标增长多少?", "上海数据交易所有什么特点?", "算力中心"):
        for mode in MODES:
            for docs in (None, {"d03", "d07"}):
                a = everything.search(question, k=3, mode=mode, doc_ids=docs)
                b = shallow.search(question, k=3, mode=mode, doc_ids=docs)
                assert [(h.chunk.chunk_id, h.alternates) for h in a] == [
                    (h.chunk.chunk_id, h.alternates) for h in b], (question, mode, docs)
                assert [h.score for h in a] == pytest.approx([h.score for h in b], abs=1e-6)
                # BM25 from pruned postings: the same hits and scores, bit for bit
                assert pruned.search(question, k=3, mode=mode, doc_ids=docs) == b


@pytest.mark.parametrize("n", [5, 16, 50, 512])
def test_best_keeps_exactly_the_top_and_its_ties(n: int) -> None:
    """The sampled shortcut for many scores gives what one partition of all of them gives."""
    import numpy as np

    from askbj.retrieve.bm25_top import best as _best

    rng = np.random.default_rng(n)
    for scores in (rng.random(200 * n).astype(np.float32),
                   np.round(rng.random(200 * n) * 4).astype(np.float32),  # many ties
                   np.ones(200 * n, dtype=np.float32)):
        ids = np.sort(rng.choice(10 * len(scores), len(scores), replace=False))
        cut = np.sort(scores)[-n]
        got_ids, got_scores = _best(ids, scores, n)
        assert np.array_equal(got_ids, ids[scores >= cut])
        assert np.array_equal(got_scores, scores[scores >= cut])


def test_hybrid_search_has_the_sentence_stage(searcher: Searcher) -> None:
    """The first hits gain up to ``sentence_weight`` by their best sentence: the closest
    sentence's passage exactly that, the others less; dense and BM25 modes are untouched."""
    from dataclasses import replace

    assert searcher.index.sentences is not None  # engine.build embeds them
    first = Searcher(searcher.index, searcher.encoder, searcher.domain,
                     replace(searcher.fusion, sentence_weight=0.0))
    question = "北京国际大数据交易所推出了什么平台?"
    plain = {h.chunk.chunk_id: h.score for h in first.search(question, k=10)}
    staged = searcher.search(question, k=10)
    w = searcher.fusion.sentence_weight
    gains = [h.score - plain[h.chunk.chunk_id] for h in staged if h.chunk.chunk_id in plain]
    assert len(gains) >= 2 and max(gains) == pytest.approx(w)
    assert all(0.0 < g <= w + 1e-9 for g in gains) and min(gains) < w
    assert [h.rank for h in staged] == list(range(1, len(staged) + 1))
    assert [h.score for h in staged] == sorted((h.score for h in staged), reverse=True)
    for mode in ("dense", "bm25"):
        assert [h.score for h in searcher.search(question, k=5, mode=mode)] == \
            [h.score for h in first.search(question, k=5, mode=mode)]
    # the first-stage mode (for eval side by side) is hybrid without the stage
    assert [(h.chunk.chunk_id, h.score) for h in searcher.search(question, k=10,
                                                                  mode="first-stage")] == \
        [(h.chunk.chunk_id, h.score) for h in first.search(question, k=10)]
