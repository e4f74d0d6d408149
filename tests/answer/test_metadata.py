"""Questions about a document itself are answered from its byline and source-note lines."""

from __future__ import annotations

import pytest

from askbj.answer import metadata
from askbj.answer.extractive import Answerer
from askbj.records import Document

pytest_plugins = ["answer_corpus"]  # the tiny corpus and its fixtures

DOC = Document(
    doc_id="9", path="x.txt", title="某市数据要素报告", sha256="0",
    text=("某市数据要素报告\n"
          "2024年01月17日来源:《发展研究》2023年12期 作者:李四\n"
          "作者认为,数据要素市场建设需要完善产权制度。图1资料来源:某市统计局。\n"
          "作者:\n"
          "赵六 某市大数据中心 副主任\n"
          "基金项目:某市社会科学基金重点课题(项目编号:AB2023-01)的阶段性成果。\n"),
    authors=("李四", "赵六"))


@pytest.mark.parametrize(("question", "facets"), [
    ("这篇文章的作者是谁?发表在哪本期刊?", {"author", "venue"}),
    ("本文是哪个基金项目的阶段性成果?", {"funding"}),
    ("Who wrote the report, and where do they work?", {"author", "affiliation"}),
    ("Which journal originally carried Li Si's article?", {"venue"}),
    ("作者认为数据要素市场应如何建设?", set()),  # what the author thinks: an ordinary question
    ("According to the authors, why is the market small?", set()),
    ("Which science city is the corridor of the layout?", set()),
    # publishing words ask for a venue only of a document pointed at
    ("Where was this article published?", {"venue"}),
    ("这篇文章发表在哪里?", {"venue"}),
    ("Who published the 'TOP500 digital economy enterprises' index?", set()),
    ("哪位学者对本文亦有贡献?", {"funding"}),  # the acknowledgement sits with the funding note
])
def test_facets_asked(question: str, facets: set[str]) -> None:
    assert metadata.asked_facets(question) == facets


def test_facet_lines_are_bylines_notes_and_author_lines_not_prose() -> None:
    lines = {DOC.text[ln.start : ln.end]: ln.facets for ln in metadata.facet_lines(DOC)}
    assert lines["2024年01月17日来源:《发展研究》2023年12期 作者:李四"] >= {"venue", "author"}
    assert "author" in lines["赵六 某市大数据中心 副主任"]  # named in the manifest, after "作者:"
    assert "funding" in lines["基金项目:某市社会科学基金重点课题(项目编号:AB2023-01)的阶段性成果。"]
    assert not any("作者认为" in text or text == "作者:" for text in lines)  # prose; a bare label


def test_byline_question_is_answered_from_the_byline(answerer: Answerer) -> None:
    answer = answerer.ask("上海城市数字化转型这篇文章的作者是谁?原载于哪本期刊?")
    assert answer.status == "answered" and len(answer.citations) == 1
    c = answer.citations[0]
    assert "作者王小明" in c.quote and "《城市观察》2024年第3期" in c.quote
    assert answerer.docs[c.doc_id].text[c.start : c.end] == c.quote


def test_english_question_naming_the_author_in_pinyin_finds_their_document(
        answerer: Answerer) -> None:
    answer = answerer.ask("Which journal first published Wang Xiaoming's article?")
    assert answer.status == "answered" and answer.citations[0].doc_id == "102"
    assert "《城市观察》" in answer.citations[0].quote


def test_a_byline_or_credit_line_is_no_answer_sentence() -> None:
    assert metadata.is_byline("本文系某市社科基金课题的阶段性成果,某大学讲师王五对本文亦有贡献")
    assert metadata.is_byline("(原载于《城市观察》2024年第3期,作者王小明,系某大学经济学院教授)")
    assert not metadata.is_byline("作者认为,数据要素市场建设需要完善产权制度。")
    assert not metadata.is_byline("上海在汽车等重点领域已建成14个国家级智能工厂。")


@pytest.mark.parametrize(("question", "facets"), [
    ("Who from the data centre co-authored the article, and what is his job there?",
     {"author", "affiliation"}),
    ("Who among the authors wrote the piece on data elements?", {"author"}),
    # a fund the text is about is no funding of the article
    ("How many yuan is in Beijing's fund for cutting-edge industries?", set()),
    ("Which fund supported this article?", {"funding"}),
    ("Who funded the study?", {"funding"}),
])
def test_authorship_asked_around_other_words(question: str, facets: set[str]) -> None:
    assert metadata.asked_facets(question) == facets
