"""Answers users can trust: what a question asks for, partial answers, statuses, small talk,
and the strict answer metrics of `askbj eval`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from askbj.answer import answer_type as at
from askbj.answer import holds as hd
from askbj.answer import lead, smalltalk
from askbj.answer.compose import Pick
from askbj.answer.extractive import Answerer
from askbj.evaluate import metrics as evm
from askbj.evaluate import questions as evq
from askbj.evaluate import runner as ev
from askbj.records import Answer, Chunk

pytest_plugins = ["answer_corpus"]


@pytest.mark.parametrize(("question", "kind"), [
    ("北京人工智能算力券的补贴比例是多少?", at.PERCENT),
    ("北京國際大數據交易所現任董事長是誰?", at.PERSON),
    ("截至2022年10月北京有多少家人工智能核心企业?", at.COUNT),
    ("该平台是哪一年上线的?", at.DATE),
    ("为什么北京共享出来的公共数据质量不高?", at.REASON),
    ("从2020年底到2023年北京5G基站增加了多少?", at.DIFFERENCE),
    ("How many 5G base stations did Beijing have?", at.COUNT),
    ("When was the exchange founded?", at.DATE),
    ("What share of GDP did it account for?", at.PERCENT),
    ("哪家公司建了全球第一个商用海底数据中心?", at.ORG),
    ("北京和广州分别成立了什么数据交易机构?", at.COMPARISON),
    ("北京的数据交易所是否已经成立?", at.YESNO),
    ("报告提出了哪些措施?", at.LIST),
    ("什么是共生式技术?", at.DEFINITION),
    ("2023年北京数字经济占GDP比重是多少?", at.PERCENT),
    ("what % of chengdu's gdp comes from the digital economy?", at.PERCENT),
    ("What is the average salary of AI engineers in Beijing?", at.AMOUNT),
    ("What are the library's opening hours on weekends?", at.DATE),
    ("How much did Beijing's digital economy value added grow between 2020 and 2023?",
     at.DIFFERENCE),
    ("北京数字经济占GDP的比重从2020年到2023年分别是多少?", at.PERCENT),
    ("人工智能算力券具体按什么比例补贴?", at.PERCENT),
    ("交易所的总经理叫什么名字?", at.PERSON),
    ("快手直播要怎么开通?", at.HOWTO),
    ("How do I reset a Xiaomi phone?", at.HOWTO),
    ("北京如何推动数据要素市场化?", at.OTHER),
])
def test_question_kinds_come_from_general_patterns(question: str, kind: str) -> None:
    assert at.classify(question).kind == kind


def test_focus_is_the_asked_attribute_not_the_generic_measure() -> None:
    part = at.classify("北京人工智能算力券的补贴比例是多少?").parts[0]
    assert part.focus == ("补贴",) and part.topic == "北京人工智能算力券"
    assert at.classify("北京國際大數據交易所現任董事長是誰?").parts[0].focus == ("董事长",)
    two = at.classify("2023年北京数字经济增加值是多少?占GDP的比重是多少?")
    assert [p.kind for p in two.parts] == [at.AMOUNT, at.PERCENT]


def test_a_sentence_holds_the_asked_kind_or_not() -> None:
    rate = at.classify("算力券的补贴比例是多少?").parts[0]
    assert hd.holds(rate, "给予最高30%的补贴") and not hd.holds(rate, "发放算力券支持企业")
    count = at.classify("北京有多少家人工智能企业?").parts[0]
    assert hd.holds(count, "北京人工智能企业1048家") and not hd.holds(count, "增长10.8%")
    growth = at.classify("跨境电商进出口额增长多少?").parts[0]
    assert hd.holds(growth, "年均增长超过百分之二十") and not hd.holds(growth, "增长较快")
    assert hd.focus_met(("补贴",), "给予30%的补贴") and not hd.focus_met(("补贴",), "降低成本30%")
    # English: a head noun with three checkable words may miss one modifier (国家级 ≠ 国家+水平)
    factories = at.classify("How many national-level smart factories has Shanghai built?").parts[0]
    senses = {"national": ("国家",), "level": ("水平",), "smart": ("智能",), "factories": ("工厂",)}
    assert hd.part_met(factories, "建成14个国家级智能工厂", senses)
    assert not hd.part_met(factories, "建成14个国家级智能园区", senses)
    never = {**senses, "factories": (at.ABSENT,)}
    assert not hd.part_met(factories, "建成14个国家级智能工厂", never)


@pytest.mark.parametrize("text", ["你好", "谢谢!", "hi", "thanks", "2023", "\\n\\n", "\x1b[31m"])
def test_small_talk_and_noise_get_a_reply(text: str) -> None:
    assert smalltalk.reply(text)


@pytest.mark.parametrize("text", ["北京数字经济", "5G", "北京有多少5G基站?"])
def test_questions_are_not_small_talk(text: str) -> None:
    assert smalltalk.reply(text) is None


def test_greeting_gets_a_helpful_reply_not_a_quote(answerer: Answerer) -> None:
    answer = answerer.ask("你好")
    assert answer.status == "not_found" and answer.abstained and not answer.citations
    assert answer.text == smalltalk.HELP_ZH


def test_topic_without_the_asked_detail_is_a_cited_partial_answer(answerer: Answerer) -> None:
    answer = answerer.ask("北京国际大数据交易所的董事长是谁?")
    assert answer.status == "partial" and answer.abstained
    assert answer.text.startswith("文档提到了北京国际大数据交易所[1]") and "董事长" in answer.text
    assert len(answer.citations) == 1
    c = answer.citations[0]
    assert answerer.docs[c.doc_id].text[c.start : c.end] == c.quote


def test_partial_answer_follows_the_question_language(answerer: Answerer) -> None:
    answer = answerer.ask("北京國際大數據交易所的董事長是誰?")
    assert answer.status == "partial" and "文檔提到了" in answer.text


def test_a_value_question_leads_with_the_sentence_holding_the_value(answerer: Answerer) -> None:
    answer = answerer.ask("截至2023年11月末北京累计建设了多少个5G基站?")
    assert answer.status == "answered" and not answer.abstained
    assert answer.text.startswith("截至2023年11月末，北京累计建设5G基站10.6万个")


def test_status_defaults_follow_abstained() -> None:
    assert Answer("q", "t", True).status == "not_found"
    assert Answer("q", "t", False).status == "answered"
    with pytest.raises(ValueError):
        Answer("q", "t", False, status="maybe")


def test_eval_reports_strict_answer_metrics(answerer: Answerer, tmp_path: Path) -> None:
    rows = [
        {"id": "q1", "question": "截至2023年11月末北京累计建设了多少个5G基站?",
         "evidence": ["5G基站10.6万个"]},
        {"id": "u1", "question": "北京国际大数据交易所的董事长是谁?", "evidence": []},
    ]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    questions, gold = evq.read_questions(path)
    summary = ev.run_answers(questions, gold, answerer)["summary"]
    assert summary["evidence_in_text"] == 1.0 and summary["false_non_answers"] == 0
    assert summary["statuses"] == {"answered": 1, "partial": 1, "not_found": 0}
    assert summary["unanswerable_declined"] == 1 and summary["unanswerable_abstained"] == 1
    assert 0 < summary["answer_chars_median"] <= summary["answer_chars_p90"] < 100


def test_evidence_in_text_ignores_the_cited_passage() -> None:
    gold = evq.Gold({"": ("10.6万个",)})
    assert evm.text_carries("北京累计建设5G基站10.6万个。[1]", gold) == 1.0
    assert evm.text_carries("北京建设了大量5G基站。[1]", gold) == 0.0


def answerer_over_files(files: dict[str, str], tmp_path: Path, fake_embedder) -> Answerer:  # type: ignore[no-untyped-def]
    from askbj import engine
    from askbj.config import Settings

    settings = Settings(ingest_dir=tmp_path / "ingest", index_dir=tmp_path / "index")
    settings.ingest_dir.mkdir()
    for name, text in files.items():
        (settings.ingest_dir / name).write_text(text, encoding="utf-8")
    engine.build(settings, embedder=fake_embedder)
    return Answerer(engine.open_searcher(settings, fake_embedder))


def test_two_sources_giving_different_figures_are_both_shown(tmp_path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    answerer = answerer_over_files({
        "a.txt": "北京数字经济指数报告\n\n"
                 "据报告显示,2023年北京数字经济占GDP比重已超过50%,发展水平接近发达国家。\n",
        "b.txt": "北京数字经济发展报告\n\n"
                 "据测算,2023年北京数字经济增加值占GDP比重为42.9%,比上年提高1.3个百分点。\n",
    }, tmp_path, fake_embedder)
    answer = answerer.ask("2023年北京数字经济占GDP比重是多少?")
    assert answer.status == "answered"
    assert "50%" in answer.text and "42.9%" in answer.text and "数字不同" in answer.text
    assert len({c.doc_id for c in answer.citations}) == 2


def test_another_level_is_not_quoted_when_a_place_was_asked(tmp_path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    answerer = answerer_over_files({"r.txt": (
        "信息基础设施\n\n2023年全球5G基站累计部署总量超过517万个,年度新增153万个。"
        "截至2023年11月末,北京累计建设5G基站10.6万个,每万人拥有5G基站数48个。\n")},
        tmp_path, fake_embedder)
    answer = answerer.ask("2023年北京累计建设了多少个5G基站?")
    assert answer.status == "answered" and "10.6万个" in answer.text
    assert "517万" not in answer.text


def test_a_difference_gets_a_sentence_for_each_year(tmp_path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    answerer = answerer_over_files({"r.txt": (
        "北京数字经济\n\n一、规模\n\n按照国家统计局口径测算,2020年北京数字经济增加值1.45万亿元,占GDP比重达40.3%。\n\n"
        "二、进展\n\n据测算,2023年北京实现数字经济增加值18766.7亿元,同比增长8.5%。\n")},
        tmp_path, fake_embedder)
    answer = answerer.ask("北京数字经济增加值从2020年到2023年增加了多少?")
    assert answer.status == "answered" and not answer.abstained
    assert "1.45万亿元" in answer.text and "18766.7亿元" in answer.text


def test_focus_skips_time_spans_and_borrows_the_named_topic() -> None:
    rate = at.classify("超导量子芯片的样品良率一年内提高了多少个百分点?")
    assert rate.parts[0].focus == ("良率",)
    borrowed = at.classify("关于北京国际大数据交易所的累计备案交易额,两份文件的说法分别是多少?")
    assert [p.focus for p in borrowed.parts] == [("交易额",)]
    # a clause that is itself a question keeps its own focus
    two = at.classify("北京的AI企业数量在全球城市里排第几?超过了哪个城市?")
    assert all("城市" not in p.focus for p in two.parts)


def test_an_unseen_noun_weighs_as_the_topic_and_a_single_character_barely(
        answerer: Answerer) -> None:
    stats = answerer.stats
    assert stats.weight("烤鸭") == stats.rarest  # a thing no passage names
    assert stats.weight("好吃") < stats.rarest  # phrasing
    assert answerer.ask("北京烤鸭哪家最正宗?").status == "not_found"


def test_a_code_the_question_names_must_be_in_the_answer(answerer: Answerer) -> None:
    assert answerer.ask("截至2023年11月末北京累计建设了多少个5G基站?").status == "answered"
    assert answerer.ask("截至2023年11月末北京累计建设了多少个6G基站?").status != "answered"


def test_a_number_with_a_magnitude_letter_is_no_code() -> None:
    # "per 10k people" once needed "10k" in the sentence, which says 每万人
    part = at.classify("How many 5G base stations per 10k people does Beijing have?").parts[0]
    assert lead.names_what_asked(part, "每万人拥有5g基站数48个")
    assert not lead.names_what_asked(part, "每万人拥有基站数48个")  # 5G is still a code


@pytest.mark.parametrize(("question", "head"), [
    ("Who is the mayor of Hefei?", "mayor"),
    ("What is the average salary of AI engineers in Beijing?", "salary"),
    ("How many 5G base stations did Beijing build?", "stations"),
    ("Which city do the papers credit with the first city brain?", ""),  # a clause follows
])
def test_an_english_value_question_names_its_head_noun(question: str, head: str) -> None:
    assert at.classify(question).parts[0].head == head


def test_an_english_value_nobody_writes_of_is_not_answered(answerer: Answerer) -> None:
    # the same topic and a sentence with a figure; only the asked noun is foreign to the corpus
    assert answerer.ask("How many 5G base stations had Beijing built by November 2023?").status \
        == "answered"
    salary = answerer.ask("What is the salary of engineers at Beijing's 5G base stations?")
    assert salary.status != "answered" and salary.abstained


def test_whose_role_is_asked_must_be_named_too() -> None:
    # "the general manager of X": X's words join the focus; another firm's manager is no answer
    part = at.classify("Who is the general manager of the Beijing Data Exchange?").parts[0]
    assert part.focus == ("general", "manager", "beijing", "data", "exchange")
    senses = {"manager": ("经理",), "beijing": ("北京",), "data": ("数据",),
              "exchange": ("交易所",)}
    assert hd.part_met(part, "北京数据交易所总经理李四", senses)
    assert not hd.part_met(part, "北京某咨询公司总经理李伟", senses)
    either = at.classify("Who is the chairman or general manager of the Data Exchange?").parts[0]
    assert either.focus[-2:] == ("data", "exchange")
    # not for other kinds: "the yield of chip samples" is what is measured, not an owner
    assert at.classify("How much did the yield of chip samples improve?").parts[0].focus == (
        "yield",)


def test_an_english_change_asks_about_the_subject_before_its_verb() -> None:
    part = at.classify("How much did Beijing's digital economy value added grow between 2020 "
                       "and 2023?").parts[0]
    assert {"digital", "economy", "added"} <= set(part.focus)
    assert "between" not in part.focus and "2020" not in part.focus


def test_each_year_of_a_comparison_gets_its_sentence_even_one_dated_by_its_context(
        tmp_path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    answerer = answerer_over_files({"r.txt": (
        "北京数字经济\n\n一、基础\n\n截至2020年底,北京5G基站累计建设3.8万个,超前部署算力平台。\n\n"
        "二、进展\n\n据测算,2023年全市数字经济增加值18766.7亿元,占地区生产总值的42.9%;"
        "数字经济核心产业增加值增长10.8%,占GDP的25.3%,比上年提高1.3个百分点。"
        "截至2023年11月末,北京累计建设5G基站10.6万个,居全国第一。\n")},
        tmp_path, fake_embedder)
    # the 2020 side needs no "11": that month belongs to 2023
    answer = answerer.ask("北京5G基站从2020年底到2023年11月底增加了多少?")
    assert "3.8万个" in answer.text and "10.6万个" in answer.text
    # "占GDP的25.3%" names no year; the clause before it says 2023
    assert lead.names_side(lead.Side("2023"), lead.Candidate(
        None, "数字经济核心产业增加值增长10.8%,占gdp的25.3%",  # type: ignore[arg-type]
        "据测算,2023年全市数字经济增加值18766.7亿元;数字经济核心产业增加值增长10.8%,占gdp的25.3%"))
    assert not lead.names_side(lead.Side("2020"), lead.Candidate(
        None, "占gdp的25.3%", "2023年全市;占gdp的25.3%"))  # type: ignore[arg-type]


def test_a_named_source_is_answered_from(
        tmp_path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    files = {
        "a.txt": "城市治理报告\n\n运用数据分析、数据挖掘等技术手段,建设城市大脑中枢引擎。\n",
        "b.txt": "绿色转型研究\n\n在5G网络层面,利用深度休眠、站点自适应控制等节能技术。\n",
    }
    (tmp_path / "plain").mkdir()
    (tmp_path / "named").mkdir()
    plain = answerer_over_files(files, tmp_path / "plain", fake_embedder)
    named = answerer_over_files({**files, "sources.toml": (
        '[[document]]\nfile = "b.txt"\nauthors = ["刘佳骏"]\n')}, tmp_path / "named", fake_embedder)
    asked = "5G网络想省电,{}提到了哪些技术手段?"
    assert "技术手段" in plain.ask(asked.format("")).citations[0].quote  # the words match a.txt
    assert "深度休眠" in named.ask(asked.format("刘佳骏")).citations[0].quote


def test_a_figure_of_a_narrower_thing_does_not_stand_for_the_asked_one() -> None:
    asked = "2023年北京数字经济占GDP比重是多少?"
    assert hd.narrowed(asked, "数字经济核心产业增加值增长10.8%,占gdp的25.3%")
    assert not hd.narrowed(asked, "2023年全市实现数字经济增加值18766.7亿元,占地区生产总值的42.9%")
    assert not hd.narrowed(asked, "全市累计建设5g基站10.6万个")  # no asked noun at all


def test_two_unnamed_sources_each_give_their_figure(tmp_path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    answerer = answerer_over_files({
        "a.txt": "北京数字经济指数报告\n\n"
                 "据指数报告显示,2023年北京数字经济占GDP比重已超过50%,发展水平接近发达国家。\n",
        "b.txt": "北京数字经济发展报告\n\n据测算,2023年北京实现数字经济增加值18766.7亿元,"
                 "占地区生产总值的42.9%;数字经济核心产业增加值增长10.8%,占GDP的25.3%。\n",
    }, tmp_path, fake_embedder)
    answer = answerer.ask("2023年北京数字经济占GDP比重,两份材料分别给出多少?")
    assert "50%" in answer.text and "42.9%" in answer.text
    assert len({c.doc_id for c in answer.citations}) == 2


def test_a_role_is_answered_by_a_person_and_a_procedure_by_doing_it() -> None:
    manager = at.classify("交易所的总经理叫什么名字?").parts[0]
    assert not hd.holds(manager, "交易所基于国内首个数据交易平台idex系统")  # an org, no person
    assert hd.holds(manager, "总经理张伟表示,交易所将扩大业务")
    director = at.classify("Who is the director of the Big Data Center?").parts[0]
    assert not hd.holds(director, "北京市完成了国家工业互联网大数据中心的建设")
    how = at.classify("北京户口现在怎么申请?").parts[0]
    assert not hd.holds(how, "完成上户口,方便政府部门共享数据")
    assert hd.holds(how, "申请人可通过网上平台提交申请材料")
    reset = at.classify("How do I reset a Xiaomi phone?").parts[0]
    assert hd.holds(reset, "长按电源键即可重置手机") and not hd.holds(reset, "小米黑灯工厂")


def test_a_figure_for_another_year_or_of_another_level_is_no_answer() -> None:
    part = at.classify("2021年北京数字经济增加值是多少?").parts[0]
    cand = lead.Candidate(None, "数字经济增加值1.45万亿元", "北京数字经济增加值1.45万亿元")  # type: ignore[arg-type]
    dated = lead.Candidate(None, "数字经济增加值1.45万亿元", "2021年北京数字经济增加值1.45万亿元")  # type: ignore[arg-type]
    assert not lead.answers(part, cand, {}) and lead.answers(part, dated, {})
    world = "根据中国信息通信研究院测算,2022年,在总量方面,全球51个主要经济体数字经济规模为41.4万亿"
    assert lead.off_level(world, ("北京",), "2021年北京数字经济增加值是多少", ("全球", "全国"))


def test_a_date_is_not_an_amount() -> None:
    part = at.classify("2021年北京数字经济增加值是多少?").parts[0]
    assert not hd.holds(part, "2021年10月,中共中央政治局进行第三十四次集体学习")
    assert not hd.holds(part, "出台《行动方案(2021-2030年)》")
    assert hd.holds(part, "2021年数字经济增加值1.6万亿元")


def test_a_clause_goes_on_about_the_level_its_predecessor_named(
        tmp_path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    answerer = answerer_over_files({"r.txt": (
        "北京数字经济报告\n\n一、全球态势\n\n2022年,在总量方面,全球51个主要经济体数字经济规模为41.4万亿美元;"
        "在占比方面,数字经济在GDP中占比达46.1%;在增速方面,数字经济同比名义增长7.4%。\n")},
        tmp_path, fake_embedder)
    answer = answerer.ask("北京数字经济占GDP比重是多少?")
    assert "46.1%" not in answer.text and "7.4%" not in answer.text


def test_comparison_words_and_years_are_not_the_asked_attribute() -> None:
    part = at.classify("Beijing digital economy as a share of GDP: 2020 vs 2023?").parts[0]
    assert "2020" not in part.focus and "vs" not in part.focus and "gdp" in part.focus
    borrowed = at.classify("交易所的累计备案交易额,2023年报告的数字和2024年底相比差多少?").parts[0]
    assert borrowed.focus == ("交易额",)
    # 交易额 is met by 交易金额 (an amount noun with 金/总 before 额)
    assert hd.part_met(borrowed, "累计备案交易金额近100亿元", {})


def test_a_figure_naming_another_place_than_the_asked_one_is_about_elsewhere() -> None:
    def cand(text: str) -> lead.Candidate:
        return lead.Candidate(Pick(Chunk("c", "d", 0, 1, text), 0, 1, 1.0), text, text)

    haidian = cand("海淀区数字经济规模全市领先,核心产业收入超两万亿元;")
    chaoyang = cand("朝阳区、经开区打造两大新兴引擎区,核心产业收入均超过4000亿元;")
    city = cand("全市数字经济核心产业收入增长10%")
    assert lead.about_elsewhere(haidian, ("朝阳区|朝阳",))
    assert not lead.about_elsewhere(chaoyang, ("朝阳区|朝阳",))
    assert not lead.about_elsewhere(city, ("朝阳区|朝阳",))  # names no place at all
    assert not lead.about_elsewhere(haidian, ())  # no place asked


def test_a_table_cell_answers_with_its_row_caption_and_headings(tmp_path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    answerer = answerer_over_files({"r.txt": (
        "京沪数字经济企业\n\n一、企业数量\n\n上海在汽车、高端装备等领域已建成14个国家级智能工厂。\n\n"
        "表 2 京沪数字经济核心产业企业数量\n\n单位,家\n\n"
        "| 指标 | 北京 | | 上海 | |\n|---|---|---|---|---|\n"
        "| | 存量企业 | 2023 年<br>新设企业 | 存量企业 | 2023 年<br>新设企业 |\n"
        "| 数字经济核心产业 | 100417 | 12152 | 191078 | 32237 |\n")},
        tmp_path, fake_embedder)
    answer = answerer.ask("上海数字经济核心产业的存量企业有多少家?")
    assert answer.status == "answered"
    assert "191078" in answer.text and "14个" not in answer.text
    assert "|指标|北京存量企业|" in answer.text  # the reader sees which column is which
    [citation] = answer.citations  # the citation quotes the row itself
    assert citation.quote.startswith("| 数字经济核心产业 | 100417")


def test_asking_whether_two_sources_agree_asks_for_each_figure() -> None:
    same = at.classify("2023年北京数字经济占GDP比重,两份材料给的数一样吗?")
    assert same.kind == at.PERCENT and same.compares
    money = at.classify("北京国际大数据交易所的交易额,两篇文章说法一致吗?")
    assert money.kind == at.AMOUNT and money.compares
    # a yes/no that names no measure stays a yes/no
    assert at.classify("两篇文章的观点一样吗?").kind == at.YESNO


def test_a_possessor_qualifies_the_asked_thing_and_is_no_focus() -> None:
    org = at.classify("Which company built the world's first commercial subsea data center?")
    assert "world" not in org.parts[0].focus and "company" in org.parts[0].focus


def test_a_readers_own_procedure_needs_a_sentence_doing_it() -> None:
    from askbj.answer.holds import holds

    part = at.classify("How do I cook Peking duck at home?").parts[0]
    assert part.kind == at.HOWTO
    assert not holds(part, "北京烤鸭是北京的名片,北京有多家老字号餐厅。")
    assert holds(part, "在家下厨做菜时,先把鸭子腌制一晚。")
    # a verb with no dictionary sense can never be seen done
    assert not holds(at.classify("How can I fine-tune a large model?").parts[0], "大模型微调")


def test_a_list_is_answered_by_the_headings_naming_it(tmp_path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    body = "北京应加快推进相关工作,完善制度设计,形成可复制可推广的经验做法。"
    answerer = answerer_over_files({"r.txt": (
        "北京数据要素市场化研究\n\n一、背景\n\n"
        "北京大数据中心的这篇文章总结了北京的数据要素工作。" + body
        + "\n\n二、主要做法\n\n(一)建立城市全域数据汇聚机制\n\n" + body * 2
        + "\n\n(二)建立重点领域数据资产化机制\n\n" + body * 2
        + "\n\n(三)建立城市数据运营增值机制\n\n" + body * 2 + "\n")}, tmp_path, fake_embedder)
    answer = answerer.ask("这篇文章主张建立哪些数据要素相关机制?")
    assert answer.status == "answered"
    for head in ("全域数据汇聚机制", "数据资产化机制", "数据运营增值机制"):
        assert head in answer.text


def test_a_choice_between_named_options_needs_no_new_place() -> None:
    en = at.classify("Which city has more smart factories, Beijing or Shanghai?")
    zh = at.classify("哪个城市的智能工厂更多,北京还是上海?")
    assert en.parts[0].kind == at.COMPARISON and zh.parts[0].kind == at.COMPARISON
    assert at.classify("Which city has the most smart factories?").parts[0].kind == at.PLACE


def test_a_question_about_the_readers_own_things_is_checked_as_a_procedure() -> None:
    mine = at.classify("Which cloud storage app is best for backing up my phone photos?")
    assert mine.parts[0].kind == at.HOWTO
    # a turn of the conversation is no possession
    turn = at.classify("Going back to my first question — how many products were filed?")
    assert turn.parts[0].kind == at.COUNT


def test_a_change_between_two_years_is_a_difference_of_the_asked_thing() -> None:
    grow = at.classify(
        "How much did Beijing's digital economy grow in value added between 2020 and 2023?")
    assert grow.parts[0].kind == at.DIFFERENCE and grow.compares
    assert "economy" in grow.parts[0].focus
    # the years a change runs between are no head noun to find in the sentence
    change = at.classify("How did the station count change from end-2020 to November 2023?")
    assert change.parts[0].kind == at.DIFFERENCE and change.parts[0].head == ""
    # "how much better" asks for a difference; the comparative is no focus word
    better = at.classify("In the survey, how much better did companies using data do?")
    assert better.parts[0].kind == at.DIFFERENCE
    assert "better" not in better.parts[0].focus and "companies" in better.parts[0].focus
    assert at.classify("How much did the exchange grow?").parts[0].kind != at.DIFFERENCE


def test_a_footnote_marker_is_no_amount() -> None:
    part = at.classify("How much did the output rise?").parts[0]
    assert part.kind in (at.AMOUNT, at.DIFFERENCE)
    assert not hd.holds(part, "新型基础设施以计算为核心的数字基础设施体系[6]。")
    assert not hd.holds(part, "数据具有巨大价值。①")
    assert hd.holds(part, "其产出和生产率高5%-6%[6]。")


def test_a_list_question_naming_its_size_prefers_the_sentence_saying_it(  # type: ignore[no-untyped-def]
        tmp_path, fake_embedder) -> None:
    answerer = answerer_over_files({"r.txt": (
        "北京数字经济研究\n\n"
        "北京数字经济发展迅速,数字基础设施建设和平台经济不断取得新进展,成效显著。"
        "北京市完成了工业互联网平台和数字基础设施的建设工作,平台数量全国领先。\n\n"
        "北京从数字基础设施布局、数据要素配置、平台生态构建与制度供给四方面采取措施,"
        "推动数字经济发展。\n")}, tmp_path, fake_embedder)
    question = "What four fronts has Beijing worked on for its digital economy?"
    hits = tuple(answerer.searcher.search(question, k=8))
    assessed = answerer.assess(question, hits, at.classify(question))
    best = answerer._score_sentences(assessed)[0]
    assert answerer._flat(best).startswith("北京从数字基础设施布局")
    assert "四方面" in answerer.ask(question).text



def test_an_open_part_is_answered_when_the_value_part_is_not(  # type: ignore[no-untyped-def]
        tmp_path, fake_embedder) -> None:
    answerer = answerer_over_files({"r.txt": (
        "北京数据跨境研究\n\n"
        "北京市在全国率先实现数据合规跨境三路径——安全评估、标准合同备案、个人信息保护认证全跑通。"
        "北京持续优化数据跨境服务,为企业提供咨询和指导,推动数据依法有序流动。\n")},
        tmp_path, fake_embedder)
    kind = at.classify("北京的数据跨境路径有哪些?通过了多少家企业?")
    assert kind.open_parts and kind.checked
    answer = answerer.ask("北京的数据跨境路径有哪些?通过了多少家企业?")
    assert answer.status == "answered" and "安全评估" in answer.text


def test_how_a_question_asks_is_no_term_of_it(tmp_path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    from askbj.answer.question import analyze

    answerer = answerer_over_files({"r.txt": (
        "北京数据运营研究\n\n北京建立数据运营增值机制,孵化数据资产服务产业。"
        "一是要做出明确解释和具体安排,尽快出台相关法律法规。\n")}, tmp_path, fake_embedder)
    q = analyze("运营机制具体怎么做?", answerer.stats, answerer.searcher.domain)
    terms = {t for t, _ in q.weights}
    assert {"运营", "机制"} <= terms and not terms & {"具体", "做"}
    assert answerer.ask("运营机制具体怎么做?").text.startswith("北京建立数据运营增值机制")


def test_how_much_money_grew_may_be_answered_by_a_percentage() -> None:
    grew = at.classify("How much did fixed-asset investment grow in 2023?").parts[0]
    assert grew.unit == "" and hd.holds(grew, "固定资产投资额增长14.4%。")
    assert at.classify("How much was invested in the park?").parts[0].unit == "元"
    assert at.classify("固定资产投资增长了多少?").parts[0].unit == ""
    assert at.classify("总投资是多少?").parts[0].unit == "元"


def test_a_demonstrative_is_no_focus_word() -> None:
    assert at.classify("全球标杆有多少家企业达到这个水平?").parts[0].focus == ("企业",)


def test_a_count_in_the_asked_unit_leads_over_another_classifier(  # type: ignore[no-untyped-def]
        tmp_path, fake_embedder) -> None:
    answerer = answerer_over_files({"r.txt": (
        "北京标杆企业\n\n北京逐步建成三类标杆企业,包括全球标杆、全国标杆和北京标杆,标杆企业体系日益完善。"
        "据评价报告,10家达到全球标杆水平,33家达到全国标杆水平,标杆企业带动作用明显。\n")},
        tmp_path, fake_embedder)
    assert "33家" in answerer.ask("全国标杆有几家?").text.split("[1]")[0]


def test_a_rate_word_jieba_cuts_is_the_focus_whole() -> None:
    # jieba reads 国产化率 as 国产 + 化率, and the rate pattern matched from 化
    part = at.classify("北京操作系统的国产化率大概是多少?").parts[0]
    assert part.kind == at.PERCENT and part.focus == ("国产化率",)
    assert hd.part_met(part, "操作系统国产化比例不足一成", {})
    assert at.classify("渗透率是多少?").parts[0].focus == ("渗透率",)


def test_an_area_is_met_by_a_value_in_its_unit() -> None:
    part = at.classify("示范区的智能设备铺到多大面积了?").parts[0]
    assert part.focus == ("面积",)
    assert hd.part_met(part, "示范区已实现600平方公里范围内的智能化设备部署", {})
    assert not hd.part_met(part, "示范区累计形成70余项标准成果", {})


def test_what_with_a_plural_noun_asks_for_a_list(tmp_path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    from askbj.answer.question import analyze

    text = "北京研究\n\n北京面临政策和人才两方面的困难与挑战。\n"
    answerer = answerer_over_files({"r.txt": text}, tmp_path, fake_embedder)

    def wants(question: str) -> bool:
        return analyze(question, answerer.stats, answerer.searcher.domain).wants_list

    assert wants("What internal difficulties does Beijing face?")
    assert wants("What four fronts has Beijing worked on?")
    assert not wants("What progress has Beijing made?")  # -ss is no plural
    assert not wants("What does the plan say?")


def test_what_was_a_long_named_things_measure_asks_for_an_amount() -> None:
    part = at.classify(
        "What was the Guangzhou Data Exchange's trading volume in its first year?").parts[0]
    assert part.kind == at.AMOUNT


def test_the_asked_place_with_its_suffix_is_no_new_place() -> None:
    part = at.classify("国家信创园在北京哪个区?").parts[0]
    assert part.kind == at.PLACE
    assert not hd.holds(part, "北京市信创产业稳步发展,国家信创园已集聚240余家企业。")
    assert hd.holds(part, "国家信创园位于北京市海淀区,已集聚240余家企业。")


def test_a_counted_word_the_question_word_cuts_is_the_focus_whole() -> None:
    # 多少人|次: the count is of 人次, which a sentence of 3.8万个 基站 does not give
    part = at.classify("自动驾驶出租车在北京累计服务了多少人次?").parts[0]
    assert part.kind == at.COUNT and part.focus == ("人次",)
    # the verb before 在哪儿 is no part of a place question's focus
    assert "设在" not in at.classify("先行区设在哪儿?").parts[0].focus


def test_a_unit_after_how_much_is_no_focus_but_the_asked_thing_is() -> None:
    assert at.classify("园区总投资了多少亿元?").parts[0].focus == ("投资",)
    assert at.classify("示范区有多少平方公里?").parts[0].focus != ("平方公里",)
    # without a how-much word the amount is what the question is about
    assert "千亿元" in at.classify("哪些区的产值超过了千亿元?").parts[0].focus


def test_a_second_question_word_shares_the_first_ones_clause() -> None:
    part = at.classify("When and where is the digital economy conference held each year?").parts[0]
    assert part.focus == ("held",)


def test_a_lone_yi_pi_is_some_not_a_count() -> None:
    part = at.classify("北京建成了几座智能工厂?").parts[0]
    assert not hd.holds(part, "北京培育了一批智能工厂。")
    assert hd.holds(part, "北京建成了14个智能工厂。") and hd.holds(part, "建成三座智能工厂")


def test_a_yes_no_question_needs_a_sentence_saying_what_it_asks(  # type: ignore[no-untyped-def]
        tmp_path, fake_embedder) -> None:
    answerer = answerer_over_files({"r.txt": (
        "北京文化设施\n\n北京的公共文化设施包括首都图书馆、国家大剧院等,每年接待读者和观众逾千万人次。"
        "北京数据交易所已于2021年正式成立,开展数据交易业务。\n")}, tmp_path, fake_embedder)
    closed = answerer.ask("首都图书馆周一开馆吗?")
    assert closed.status != "answered" and closed.abstained
    found = answerer.ask("北京数据交易所已经成立了吗?")
    assert found.status == "answered" and "2021年正式成立" in found.text
    assert at.asks_which("有成立什么机构吗?") and not at.asks_which("已经成立了吗?")


def test_a_cut_that_eats_the_question_word_is_no_focus() -> None:
    # jieba reads 多大规模 as 多 + 大规模: the focus was 大规模, which no sentence says
    part = at.classify("上海2021年数字贸易进出口做到了多大规模?").parts[0]
    assert part.kind == at.AMOUNT and part.focus == ("进出口",)  # 做到 links, it is no topic
    assert hd.part_met(part, "2021年,上海市数字贸易进出口额达568.8亿美元", {})
    # the classifier's word stays whole: 多少人|次 asks for 人次
    assert at.classify("自动驾驶出租车累计服务了多少人次?").parts[0].focus == ("人次",)


def test_an_english_head_noun_ends_at_per() -> None:
    # "per" was taken for the asked noun, and no sentence could meet it
    part = at.classify("How many 5G base stations per 10,000 people does Beijing have?").parts[0]
    assert part.kind == at.COUNT and part.head == "stations"
    assert part.focus == ("5g", "base", "stations")


def test_how_a_definition_is_asked_is_no_term_of_it(tmp_path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    from askbj.answer.question import analyze

    answerer = answerer_over_files({"d.txt": (
        "数据研究\n\n数据是对事物的记录和描述。数据作为新型要素参与生产。"
        "北京开展软件定义存储等存储技术创新。\n")}, tmp_path, fake_embedder)
    assert at.classify("文中怎么定义数据?").parts[0].kind == at.DEFINITION
    q = analyze("文中怎么定义数据?", answerer.stats, answerer.searcher.domain)
    assert {t for t, _ in q.weights} == {"数据"}  # not 定义 (软件定义存储), not 文中
    assert answerer.ask("文中怎么定义数据?").text.startswith("数据是对事物的记录和描述")


@pytest.mark.parametrize("question", [
    "How many 5G base stations did Beijing have at the end of 2020, and how many by 2023?",
    "2020年北京5G基站有多少个,2023年有多少个?",
])
def test_parts_asking_of_two_years_compare_them(question: str) -> None:
    # each part names its own year: no one passage need hold both (they may be in two papers)
    assert at.classify(question).compares
    assert not at.classify("2023年数字经济增加值多少?占GDP比重多少?").compares


def test_a_two_character_abbreviation_is_met_by_the_compound_it_shortens() -> None:
    part = at.classify("北京信息软件业2024年营收多少?").parts[0]
    assert part.focus == ("营收",)
    assert hd.part_met(part, "其中信息软件业,2024年营业收入突破3万亿元", {})
    assert not hd.part_met(part, "其中信息软件业,2024年营业利润突破3万亿元", {})


def test_than_before_is_no_focus() -> None:
    # jieba cuts 比前一年 as 比前 + 一年: "than the year before" asks about the users
    assert at.classify("北京的千兆用户比前一年多了多少?").parts[0].focus == ("用户",)


def test_a_five_year_plan_is_named_not_counted() -> None:
    part = at.classify("How many patents were granted in 2023?").parts[0]
    assert not hd.holds(part, "《北京市“十四五”时期高精尖产业发展规划》推动专利转化收益共享机制")
    assert hd.holds(part, "2023 年专利授权量达到 20.3 万件")
    assert hd.holds(part, "建成十四个国家级智能工厂")


def test_the_verb_of_a_change_is_no_focus() -> None:
    """"从多少提高到多少" asks how the 成品率 moved; a text writing 提升 answers it."""
    part = at.classify("芯片样品的成品率一年里从多少提高到多少?").parts[0]
    assert part.focus == ("成品率",)
    assert at.classify("北京新设了多少家企业?").parts[0].focus == ("企业",)


def test_an_english_list_question_gets_the_list_under_the_heading_naming_it(
        tmp_path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    """"What internal difficulties …?": the 其一…其三 run under "…的内部难点", though the
    best-scored sentence (which only mentions 难点 in passing) is in another section."""
    answerer = answerer_over_files({"r.txt": (
        "北京数字经济报告\n\n"
        "## 一、总体情况\n\n"
        "北京数字经济发展迅速,本报告分析北京建设数字经济标杆城市面临的挑战与难点,成效显著。\n\n"
        "## (二)建设标杆城市的内部难点\n\n"
        "其一,政策体系有待完善。北京数字经济政策仍需进一步系统衔接和统筹推进。\n\n"
        "其二,基础设施供需差距扩大。北京算力供给规模持续增加但仍然不能满足需求。\n\n"
        "其三,人才队伍结构有待优化。北京数字经济人才的规模与质量仍需提升。\n")},
        tmp_path, fake_embedder)
    answer = answerer.ask("What internal difficulties does Beijing face as a digital economy "
                          "benchmark city?")
    assert not answer.abstained
    assert all(x in answer.text for x in ("其一", "其二", "其三")), answer.text


def test_which_body_asks_for_a_name_not_for_the_word_body() -> None:
    """"哪个部门牵头": a sentence naming the 管理局 answers; one saying 各部门 does not."""
    part = at.classify("公共数据开放平台是由哪个部门牵头建成的?").parts[0]
    assert part.kind == at.ORG and "部门" not in part.focus
    assert at.classify("深圳有多少家研发机构?").parts[0].focus == ("机构",)  # counted: kept


def test_which_sea_area_or_region_asks_for_a_place() -> None:
    for question in ("海底数据中心建在哪个海域?", "先行区位于哪个区域?", "该园区在哪个省份?"):
        assert at.classify(question).parts[0].kind == at.PLACE, question
    part = at.classify("海底数据中心建在哪个海域?").parts[0]
    assert not hd.holds(part, "海兰信公司正式建成全球首个商用海底数据中心。")
    assert hd.holds(part, "数据中心建在南海海域的珠海市附近。")


def test_an_english_role_question_needs_the_role_in_the_text() -> None:
    """"Who is the director of X?": a sentence about X that names no 主任 is no answer,
    though it meets X's other words."""
    part = at.classify("Who is the director of the Beijing Big Data Center?").parts[0]
    senses = {"director": ("主任", "经理"), "beijing": ("北京",), "data": ("大数据",),
              "center": ("中心",), "big": ()}
    assert part.kind == at.PERSON and part.head == "director"
    assert not hd.part_met(part, "北京市完成了国家工业互联网大数据中心的建设工作", senses)
    assert hd.part_met(part, "唐建国,北京市大数据中心副主任", senses)
