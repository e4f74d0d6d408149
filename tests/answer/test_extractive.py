"""Extractive answers over a tiny hand-made corpus, with the fake embedder.

The corpus holds one article twice (simplified and traditional, as the real corpus does),
a list of measures written 一是…二是…三是, numbers, and a second city; every property the
answer promises (exact citation spans, markers that map to citations, abstention in the
right direction, the reader's script) is checked against it.
"""

from __future__ import annotations

import re

import pytest

from askbj.answer.extractive import ABSTAIN_EN, ABSTAIN_TEXT, Answerer
from askbj.config import Settings
from askbj.errors import AskbjError
from askbj.records import Answer
from askbj.text.normalize import to_traditional

pytest_plugins = ["answer_corpus"]  # the tiny corpus and its fixtures


def check_citations(answer: Answer, answerer: Answerer) -> None:
    """Every citation is exact, and the ``[n]`` markers are exactly the citations' numbers."""
    assert answer.citations
    for c in answer.citations:
        doc = answerer.docs[c.doc_id]
        assert doc.text[c.start : c.end] == c.quote
        chunk = next(ch for ch in answerer.searcher.index.chunks if ch.chunk_id == c.chunk_id)
        assert chunk.text == c.text and chunk.start <= c.start < c.end <= chunk.end
    markers = [int(n) for n in re.findall(r"\[(\d+)\]", answer.text)]
    assert sorted(set(markers)) == list(range(1, len({c.n for c in answer.citations}) + 1))
    assert len(markers) == len(answer.citations)  # one marker after each cited sentence
    assert {c.n for c in answer.citations} == set(markers)


def test_answer_cites_exact_spans(answerer: Answerer) -> None:
    answer = answerer.ask("截至2023年11月末北京累计建设了多少个5G基站?")
    assert not answer.abstained
    assert "10.6万个" in answer.text
    check_citations(answer, answerer)
    assert any("10.6万个" in c.quote for c in answer.citations)


def test_markers_follow_the_sentences_they_cite(answerer: Answerer) -> None:
    answer = answerer.ask("北京国际大数据交易所推出的数据交易平台叫什么?")
    check_citations(answer, answerer)
    pieces = re.findall(r"(.+?)\[(\d+)\]", answer.text)
    assert len(pieces) == len(answer.citations)
    for (sentence, n), c in zip(pieces, answer.citations, strict=True):
        assert int(n) == c.n
        assert sentence == c.quote or sentence == to_traditional(c.quote) or c.doc_id == "101"


def test_list_question_gathers_enumerated_items(answerer: Answerer) -> None:
    answer = answerer.ask("为推动数据要素市场化配置，北京采取了哪些措施?")
    assert not answer.abstained
    for item in ("一是完善数据产权制度", "二是建设高水平数据交易平台", "三是加强数据安全监管"):
        assert item in answer.text
    assert answer.text.index("一是") < answer.text.index("二是") < answer.text.index("三是")
    check_citations(answer, answerer)


def test_traditional_question_gets_traditional_text_and_original_quotes(
    answerer: Answerer,
) -> None:
    answer = answerer.ask("北京國際大數據交易所推出的數據交易平臺叫什麼?")
    assert not answer.abstained
    assert "數據" in answer.text and "数据" not in answer.text
    check_citations(answer, answerer)
    # Quotes stay the document's own text, whichever script the document is in.
    for c in answer.citations:
        assert answerer.docs[c.doc_id].text[c.start : c.end] == c.quote


def test_script_option_overrides_the_question(answerer: Answerer) -> None:
    answer = answerer.ask("北京國際大數據交易所推出的數據交易平臺叫什麼?", script="simplified")
    assert "数据" in answer.text and "數據" not in answer.text
    with pytest.raises(AskbjError, match="script"):
        answerer.ask("数据交易平台", script="klingon")


def test_duplicate_article_cites_one_version_with_the_other_as_alternate(
    answerer: Answerer,
) -> None:
    answer = answerer.ask("北京国际大数据交易所推出的数据交易平台叫什么?")
    cited_docs = {c.doc_id for c in answer.citations}
    assert cited_docs == {"100"}, "a simplified reader is sent to the simplified copy"
    first = answer.citations[0]
    assert first.alternates, "the other script's copy should be listed, not cited again"
    other = {c.chunk_id: c for c in answerer.searcher.index.chunks}[first.alternates[0]]
    assert other.doc_id == "101"
    traditional = answerer.ask("北京國際大數據交易所推出的數據交易平臺叫什麼?")
    assert {c.doc_id for c in traditional.citations} == {"101"}
    assert traditional.citations[0].alternates


def test_abstention_goes_the_right_way(answerer: Answerer) -> None:
    """The classic bug is a threshold that silently drops everything: check both sides."""
    answered = answerer.ask("上海确立了什么数据交易价格原则?")
    assert not answered.abstained and "自定+评估" in answered.text
    for unrelated in ("2022年合肥市的常住人口是多少?", "红烧肉怎么做才好吃?"):
        refused = answerer.ask(unrelated)
        assert refused.abstained, unrelated
        assert refused.text == ABSTAIN_TEXT and not refused.citations
        assert refused.hits, "the closest passages are still offered as possibly related"


def test_abstention_follows_the_question_script_and_language(answerer: Answerer) -> None:
    assert answerer.ask("2022年合肥市的常住人口是多少?").text == ABSTAIN_TEXT
    assert answerer.ask("2022年合肥市的常住人口是多少?", script="traditional").text == (
        to_traditional(ABSTAIN_TEXT))
    english = answerer.ask("What was Hangzhou's population in 2019?")
    assert english.abstained and english.text == ABSTAIN_EN


def test_year_or_place_missing_from_the_passage_abstains(answerer: Answerer) -> None:
    assert answerer.ask("截至2023年11月末北京累计建设了多少个5G基站?").abstained is False
    assert answerer.ask("截至2019年11月末北京累计建设了多少个5G基站?").abstained
    assert answerer.ask("截至2023年11月末深圳累计建设了多少个5G基站?").abstained


def test_english_question_is_answered_from_chinese_text(answerer: Answerer) -> None:
    answer = answerer.ask("How many national-level smart factories has Shanghai built?")
    assert not answer.abstained
    check_citations(answer, answerer)
    assert any(c.doc_id == "102" for c in answer.citations)


@pytest.mark.parametrize("question", ["？！。", "😀😀", "…… ——", "?!"])
def test_punctuation_or_emoji_question_abstains_politely(
    answerer: Answerer, question: str
) -> None:
    answer = answerer.ask(question)
    assert answer.abstained and answer.question == question
    assert answer.notice and not answer.citations


def test_empty_question_is_an_error(answerer: Answerer) -> None:
    with pytest.raises(AskbjError, match="empty"):
        answerer.ask("   ")


def test_doc_ids_restrict_the_answer(answerer: Answerer) -> None:
    answer = answerer.ask("北京国际大数据交易所推出的数据交易平台叫什么?", doc_ids={"101"})
    assert {c.doc_id for c in answer.citations} == {"101"}


REPORT = (
    "数字经济发展报告\n\n"
    "四、发展建议\n\n"
    "为推动数字经济高质量发展，报告从制度、技术和人才三个方面提出发展建议，供有关部门参考。\n\n"
    "（一）完善数字经济制度保障\n\n"
    "健全数据产权、流通交易和收益分配制度，营造公平竞争的市场环境，稳定市场主体预期。\n\n"
    "（二）加快关键核心技术攻关\n\n"
    "围绕芯片、基础软件和人工智能算法组织联合攻关，推动创新成果尽快转化为现实生产力。\n\n"
    "（三）健全数字人才培养机制\n\n"
    "支持高校开设数据科学专业，鼓励企业与高校共建实训基地，完善人才引进和激励政策。\n"
)


def answerer_over(text: str, tmp_path, fake_embedder) -> Answerer:  # type: ignore[no-untyped-def]
    from askbj import engine

    settings = Settings(ingest_dir=tmp_path / "ingest", index_dir=tmp_path / "index")
    settings.ingest_dir.mkdir()
    (settings.ingest_dir / "r.txt").write_text(text, encoding="utf-8")
    engine.build(settings, embedder=fake_embedder)
    return Answerer(engine.open_searcher(settings, fake_embedder))


@pytest.fixture
def report_answerer(tmp_path, fake_embedder) -> Answerer:  # type: ignore[no-untyped-def]
    return answerer_over(REPORT, tmp_path, fake_embedder)


def test_a_sentence_dated_another_year_is_not_an_answer(tmp_path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    answerer = answerer_over(
        "据测算，2023年北京市数字经济实现增加值18766.7亿元，同比增长8.5%。"
        "数字经济核心产业增加值增长10.8%，占地区生产总值的25.3%。"
        "2024年，北京市数字经济增加值达2万亿元，同比增长7.5%左右。\n",
        tmp_path, fake_embedder)
    answer = answerer.ask("2023年北京数字经济增加值是多少?")
    assert answer.text.startswith("据测算，2023年北京市数字经济实现增加值18766.7亿元")
    assert "2万亿元" not in answer.text and answer.status == "answered"
    assert "2万亿元" in answerer.ask("2024年北京数字经济增加值是多少?").text


def test_list_question_on_a_chapter_intro_lists_its_sub_headings(
    report_answerer: Answerer,
) -> None:
    answer = report_answerer.ask("报告提出了哪几个方面的发展建议?")
    heads = ["（一）完善数字经济制度保障", "（二）加快关键核心技术攻关",
             "（三）健全数字人才培养机制"]
    assert [h in answer.text for h in heads] == [True, True, True], answer.text
    assert [answer.text.index(h) for h in heads] == sorted(answer.text.index(h) for h in heads)
    assert {c.quote for c in answer.citations} >= set(heads)
    check_citations(answer, report_answerer)


def test_list_question_inside_one_sub_section_does_not_list_its_siblings(
    report_answerer: Answerer,
) -> None:
    answer = report_answerer.ask("在人才培养上,报告建议了哪些具体做法?")
    assert "鼓励企业与高校共建实训基地" in answer.text
    assert "（一）完善数字经济制度保障" not in answer.text


def test_comparison_of_two_places_draws_on_passages_of_each(answerer: Answerer) -> None:
    # No passage names both cities; each is named by its own document.
    answer = answerer.ask("北京的数据交易平台和上海的数据条例分别是什么?")
    assert not answer.abstained
    assert {"100", "102"} <= {c.doc_id for c in answer.citations}
    assert "北京" in answer.text and "上海" in answer.text


def test_comparison_with_a_place_no_passage_names_abstains(answerer: Answerer) -> None:
    assert answerer.ask("北京和兰州在数据交易方面各有什么做法?").abstained


def test_list_question_comparing_places_is_not_one_documents_list(answerer: Answerer) -> None:
    # "各有哪些" over two places asks for each place, not for the enumeration in one of them.
    answer = answerer.ask("北京和上海推动数据要素市场化配置各采取了哪些措施?")
    assert not answer.abstained
    assert {"100", "102"} <= {c.doc_id for c in answer.citations}


def test_why_questions_favour_the_sentence_that_gives_a_cause(tmp_path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    answerer = answerer_over(
        "北京高度重视新型基础设施建设，持续推进新型基础设施建设工作。"
        "这是由于新型基础设施建设前期投入多、融资体制不完善，推进难度较大。\n",
        tmp_path, fake_embedder)

    def scores(question: str) -> dict[str, float]:
        hits = tuple(answerer.searcher.search(question, k=3))
        picks = answerer._score_sentences(answerer.assess(question, hits))
        doc = answerer.docs[picks[0].chunk.doc_id].text
        return {doc[p.start : p.end][:4]: p.score for p in picks}

    why, plain = scores("北京为什么重视新型基础设施建设?"), scores("北京重视新型基础设施建设吗?")
    assert why["这是由于"] > plain["这是由于"] + 0.1  # the cause gains
    assert abs(why["北京高度"] - plain["北京高度"]) < 0.05  # the restatement does not


def test_a_comparison_fetches_a_passage_for_the_place_the_top_hits_miss(
    answerer: Answerer,
) -> None:
    # With room for one passage only, search returns one city's; the other is fetched.
    answer = answerer.ask("北京的数据交易平台和上海的数据条例分别是什么?", k=1)
    assert not answer.abstained
    assert "102" in {h.chunk.doc_id for h in answer.hits}
    assert [h.rank for h in answer.hits] == list(range(1, len(answer.hits) + 1))
    assert "上海" in answer.text and "北京" in answer.text
