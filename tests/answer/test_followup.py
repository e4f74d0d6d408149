"""Follow-up questions made standalone (``askbj.answer.followup``), in both Chinese scripts and
English, on small hand-written turns; then through the Answerer, the CLI and the eval."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from askbj.answer.extractive import Answerer
from askbj.answer.followup import Resolution, Resolver, Turn, answer_items
from askbj.domain import Domain
from askbj.text.normalize import to_traditional

pytest_plugins = ["answer_corpus"]  # the tiny corpus and its fixtures

DOMAIN = Domain(name="test", gazetteer={"beijing": "北京", "shanghai": "上海",
                                        "hangzhou": "杭州"})
COUNT = "北京数字经济核心产业新设企业有多少家?"
EXCHANGE = "北京国际大数据交易所推出了国内首个“可用不可见”的数据交易平台IDeX系统。[1]"
MEASURES = ("为推动数据要素市场化配置，北京主要采取了三方面措施。[1]"
            "一是完善数据产权制度，明确数据资源持有权和加工使用权；[1]"
            "二是建设高水平数据交易平台，扩大场内交易规模；[1]"
            "三是加强数据安全监管，建立分类分级保护制度。[1]")


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver(DOMAIN)


def resolved(resolver: Resolver, question: str, *turns: Turn) -> Resolution:
    return resolver.resolve(question, turns)


@pytest.mark.parametrize(("earlier", "follow_up", "expected"), [
    (COUNT, "那上海呢?", "上海数字经济核心产业新设企业有多少家?"),
    (COUNT, "那上海呢？", "上海数字经济核心产业新设企业有多少家?"),
    ("北京數字經濟核心產業新設企業有多少家?", "那上海呢?", "上海数字经济核心产业新设企业有多少家?"),
    (COUNT, "And Hangzhou?", "杭州数字经济核心产业新设企业有多少家?"),
    ("How many new digital-economy firms were set up in Beijing in 2023?", "And Hangzhou?",
     "How many new digital-economy firms were set up in Hangzhou in 2023?"),
    ("How many new digital-economy firms were set up in Beijing?", "那上海呢?",
     "How many new digital-economy firms were set up in Shanghai?"),
])
def test_place_swap_keeps_the_attribute(resolver: Resolver, earlier: str, follow_up: str,
                                        expected: str) -> None:
    r = resolved(resolver, follow_up, Turn.of(earlier))
    assert (r.question, r.rule, r.original) == (expected, "swap", follow_up)


@pytest.mark.parametrize(("earlier", "follow_up", "expected"), [
    ("2023年北京数字经济增加值是多少?", "2022年呢?", "2022年北京数字经济增加值是多少?"),
    ("23年北京数字经济增加值是多少?", "那2022年的呢?", "2022年北京数字经济增加值是多少?"),
    ("北京数字经济增加值是多少?", "2022年呢?", "2022年北京数字经济增加值是多少?"),
    ("What was Beijing's digital economy value added in 2023?", "What about 2022?",
     "What was Beijing's digital economy value added in 2022?"),
    ("What was Beijing's digital economy value added?", "And in 2021?",
     "What was Beijing's digital economy value added in 2021?"),
])
def test_year_swap(resolver: Resolver, earlier: str, follow_up: str, expected: str) -> None:
    assert resolved(resolver, follow_up, Turn.of(earlier)).question == expected


@pytest.mark.parametrize(("earlier", "follow_up", "expected"), [
    # another topic: the place and the measured attribute stay
    ("北京5G基站有多少个?", "那千兆用户呢?", "北京千兆用户有多少个?"),
    ("北京数字经济增加值是多少?", "那人工智能呢?", "北京人工智能增加值是多少?"),
    ("北京国际大数据交易所是什么时候成立的?", "那上海数据交易所呢?",
     "上海数据交易所是什么时候成立的?"),
    # another attribute: it replaces the earlier one, or is asked of the earlier subject
    ("北京数字经济增加值是多少?", "那增速呢?", "北京数字经济增速是多少?"),
    ("2023年北京数字经济增加值是多少?", "那2022年的增速呢?", "2022年北京数字经济增速是多少?"),
    ("北京国际大数据交易所是什么时候成立的?", "成交额呢?", "北京国际大数据交易所的成交额呢?"),
    # a measure of the quantity just asked about keeps the whole earlier question
    ("上海2021年数字贸易进出口额多少?", "增速是多少?", "上海2021年数字贸易进出口额增速是多少?"),
    ("上海2021年数字贸易进出口额多少?", "那增速呢?", "上海2021年数字贸易进出口额增速是多少?"),
    ("北京数字经济核心产业新设企业有多少家?", "上海又是多少?", COUNT.replace("北京", "上海")),
    ("How many firms were set up in Beijing in 2023?", "Shanghai?",
     "How many firms were set up in Shanghai in 2023?"),
    ("How many firms were set up in Beijing in 2023?", "Same question for Shanghai",
     "How many firms were set up in Shanghai in 2023?"),
    ("What is the Beijing International Data Exchange?", "What about the Shanghai Data Exchange?",
     "What is the Shanghai Data Exchange?"),
    ("What is the Beijing International Data Exchange?", "What about the trading volume?",
     "What about the trading volume of Beijing International Data Exchange?"),
    ("What did the Beijing International Data Exchange launch?", "Tell me more about that",
     "Tell me more about Beijing International Data Exchange"),
])
def test_topic_and_attribute_swaps(resolver: Resolver, earlier: str, follow_up: str,
                                   expected: str) -> None:
    assert resolved(resolver, follow_up, Turn.of(earlier)).question == expected


def test_traditional_follow_up_is_answered_in_traditional(resolver: Resolver) -> None:
    r = resolved(resolver, "這個平台是誰推出的?", Turn.of("北京推出了什么平台?", EXCHANGE))
    assert r.question == "數據交易平臺IDeX系統是誰推出的?" and r.rule == "pronoun"
    # an answer written in traditional script (the reader's) is read as well
    r = resolved(resolver, "這個平台有什麼特點?",
                 Turn.of("北京國際大數據交易所推出了什麼?", to_traditional(EXCHANGE)))
    assert r.question == "數據交易平臺IDeX系統有什麼特點?"
    listed = Turn.of("北京採取了哪些措施?", to_traditional(MEASURES))
    r = resolved(resolver, "第二個方面呢?", listed)
    assert r.question == "建設高水平數據交易平臺呢?"


@pytest.mark.parametrize(("turn", "follow_up", "expected"), [
    (Turn.of("北京国际大数据交易所是什么时候成立的?"), "它的成交额呢?",
     "北京国际大数据交易所的成交额呢?"),
    (Turn.of("北京国际大数据交易所是什么时候成立的?"), "其成交额是多少?",
     "北京国际大数据交易所的成交额是多少?"),
    # the subject comes from askbj's own answer when the question asked "什么平台"
    (Turn.of("北京推出了什么平台?", EXCHANGE), "这个平台是谁推出的?",
     "数据交易平台IDeX系统是谁推出的?"),
    (Turn.of("北京推出了什么平台?", EXCHANGE), "该平台由谁运营?", "数据交易平台IDeX系统由谁运营?"),
    (Turn.of("北京国际大数据交易所是什么时候成立的?"), "是谁运营的?",
     "北京国际大数据交易所是谁运营的?"),
    (Turn.of("北京数字经济增加值是多少?"), "当地有哪些措施?", "北京有哪些措施?"),
    # "里面" is inside the subject; "那里" after a question about a place's zone is the zone
    (Turn.of("五道口人工智能产业园在哪个区?"), "里面入驻了多少家企业?",
     "五道口人工智能产业园入驻了多少家企业?"),
    (Turn.of("北京数据基础制度先行区以哪里为中心?"), "率先进驻那里的市场主体有几家?",
     "率先进驻北京数据基础制度先行区的市场主体有几家?"),
    # "哪个部门": an answer naming no 部门 leaves the question's subject as the referent
    (Turn.of("北京市公共数据开放平台是由哪个部门牵头建成的?",
             "公共数据领域由于存在各部门数据标准不统一等问题,导致共享的公共数据质量不高。[1]"),
     "它提供了多少类数据?", "北京市公共数据开放平台提供了多少类数据?"),
    (Turn.of("What did the Beijing International Data Exchange launch?"),
     "How many products are listed there?",
     "How many products are listed in Beijing International Data Exchange?"),
    (Turn.of("What did the Beijing International Data Exchange launch?"), "When was it founded?",
     "When was Beijing International Data Exchange founded?"),
])
def test_subject_is_carried_into_pronouns(resolver: Resolver, turn: Turn, follow_up: str,
                                          expected: str) -> None:
    r = resolved(resolver, follow_up, turn)
    assert r.question == expected and r.rule in ("pronoun", "attribute")


@pytest.mark.parametrize(("follow_up", "expected"), [
    ("第二个方面具体怎么做?", "建设高水平数据交易平台具体怎么做?"),
    ("第二個方面具體怎麼做?", "建設高水平數據交易平臺具體怎麼做?"),
    ("第3点是什么意思?", "加强数据安全监管是什么意思?"),
    ("最后一个是什么意思?", "加强数据安全监管是什么意思?"),
    ("Tell me more about the third one", "Tell me more about 加强数据安全监管"),
    ("What does the first measure involve?", "What does 完善数据产权制度 involve?"),
    ("What about the second?", "What about 建设高水平数据交易平台?"),
])
def test_list_references_point_into_the_previous_answer(resolver: Resolver, follow_up: str,
                                                        expected: str) -> None:
    r = resolved(resolver, follow_up, Turn.of("北京采取了哪些措施?", MEASURES))
    assert (r.question, r.rule) == (expected, "item")


def test_list_reference_counts_sentences_when_unmarked(resolver: Resolver) -> None:
    answer = "甲城市建成了数据中心[1]。乙城市开通了算力网络[2]。"
    r = resolved(resolver, "第二个具体指什么?", Turn.of("有哪些进展?", answer))
    assert r.question == "乙城市开通了算力网络具体指什么?"


def test_list_reference_into_an_inline_series(resolver: Resolver) -> None:
    answer = ("北京着力从数字基础设施布局、数据要素市场化配置、平台生态系统构建与高效制度供给"
              "四方面采取措施。[1]北京拥有数字经济核心产业企业10.04万家。[2]")
    turn = Turn.of("北京采取了哪些措施?", answer)
    second = resolver.resolve("第二个方面具体怎么做?", [turn])
    assert second.question == "数据要素市场化配置具体怎么做?"
    assert resolver.resolve("最后一个呢?", [turn]).question == "高效制度供给呢?"
    # a series of the sentence's subject before the announced one is not the list
    lead = ("北京基于雄厚的科技基础、丰富的数据资源著力从数字基础设施布局、数据要素市场化配置、"
            "平台生态系统构建与高效制度供给四方面采取措施。[1]")
    first = resolver.resolve("第一个方面具体怎么做?", [Turn.of("北京采取了哪些措施?", lead)])
    assert first.question == "数字基础设施布局具体怎么做?"


def test_list_reference_with_a_classifier_then_any_verb(resolver: Resolver) -> None:
    routes = Turn.of("北京数据合规跨境有哪三条路径?",
                     "北京市在全国率先实现数据合规跨境三路径——安全评估、标准合同备案、"
                     "个人信息保护认证全跑通。[1]")
    assert resolver.resolve("第二条通过了多少?", [routes]).question == "标准合同备案通过了多少?"


def test_list_reference_takes_the_series_of_the_asked_count(resolver: Resolver) -> None:
    # the first sentence lists four traits; the three-part answer asked for is in the second
    answer = ("新型基础设施建设具有前期投入多、技术迭代快、融资体制不完善、"
              "商业闭环不完整等特征。[1]北京通过算力网络化、空间数字化、终端智能化三位一体的新型基础设施建设破解难题。[1]")
    turn = Turn.of("北京新型基础设施建设的三位一体指哪三个方面?", answer)
    assert resolver.resolve("第二点具体怎么做?", [turn]).question == "空间数字化具体怎么做?"
    assert resolver.resolve("第一个从哪几方面推进?", [turn]).question == "算力网络化从哪几方面推进?"


def test_list_reference_takes_a_step_of_a_dashed_run_with_its_noun(resolver: Resolver) -> None:
    answer = "北京应通过实施“汇聚–登记–运营–交易–治理”五位一体的数据要素市场化机制和手段。[1]"
    turn = Turn.of("北京应通过哪“五位一体”的机制释放数据价值?", answer)
    assert resolver.resolve("第三个具体怎么做?", [turn]).question == "运营机制具体怎么做?"
    assert resolver.resolve("最后一个呢?", [turn]).question == "治理机制呢?"


def test_list_reference_into_prose_about_a_longer_list_is_left_alone(resolver: Resolver) -> None:
    # five directions were asked; the answer's two sentences are not they
    answer = "本报告总结了新进展。[1]北京积极引进高端技术人才。[2]"
    turn = Turn.of("What five directions does the report propose?", answer)
    r = resolver.resolve("Tell me more about the second one.", [turn])
    assert r.question == "Tell me more about the second one."
    unmarked = Turn.of("有哪些进展?", answer)  # no count asked: the n-th sentence
    second = resolver.resolve("第二个具体指什么?", [unmarked]).question
    assert second == "北京积极引进高端技术人才具体指什么?"


def test_back_to_an_earlier_turn_resolves_against_that_turn(resolver: Resolver) -> None:
    turns = (Turn.of("北京数据基础制度先行区以哪里为中心?"), Turn.of(COUNT))
    r = resolver.resolve("回到第一个问题，那个先行区的承载范围多大?", turns)
    assert (r.question, r.rule) == ("北京数据基础制度先行区的承载范围多大?", "back")
    english = (Turn.of("What is Baidu AI Cloud's industrial internet platform called?"),
               Turn.of("What does ByteDance open to its partners?"))
    r = resolver.resolve("Back to the first one — how many manufacturers does it serve?", english)
    assert "Baidu AI Cloud" in r.question and "ByteDance" not in r.question
    assert r.question.startswith("how many manufacturers does")
    # "Back to that first platform", "Back to that society": the phrase that turn named
    platform = (Turn.of("Which company's autonomous driving platform gathered 150 firms?"),
                Turn.of("What does ByteDance's Volcano Engine open to its partners?"))
    r = resolver.resolve("Back to that first platform: how many kilometres did it help test?",
                         platform)
    assert r.question == "how many kilometres did autonomous driving platform help test?"
    society = (Turn.of("Which institute launched the academic organization 'Qingyuan Society'?"),
               Turn.of("How many patents were granted in Beijing in 2023?"))
    r = resolver.resolve("Back to that society, how many young scholars does it reach?", society)
    assert r.question == "how many young scholars does Qingyuan Society reach?"
    r = resolver.resolve("For the first question, how many were filed nationwide?", society)
    assert r.rule == "back" and "patents" not in r.question


SUBSEA = "海兰信公司创新应用数据单元分组、海水无动力散热等技术，建成全球首个商用海底数据中心。[1]"


def test_a_follow_up_opening_with_its_verb_takes_the_subject(resolver: Resolver) -> None:
    # "用了哪些技术?" has a noun (技术) but no subject: it is about the company just named
    turn = Turn.of("全国首个商用海底数据中心是哪家公司建成的?", SUBSEA)
    r = resolver.resolve("用了哪些技术?", [turn])
    assert (r.question, r.rule) == ("海兰信公司用了哪些技术?", "attribute")
    assert resolver.resolve("北京用了哪些技术?", [turn]).question == "北京用了哪些技术?"


def test_english_pronoun_after_which_company_is_the_answers_company(resolver: Resolver) -> None:
    turn = Turn.of("Which company built the world's first commercial undersea data center?",
                   SUBSEA)
    r = resolver.resolve("What technologies did they use for it?", [turn])
    assert r.question == "What technologies did 海兰信公司 use for it?"
    # no capitalised name and no "which company": the question's own noun phrase
    plain = Turn.of("what is the public data open platform?", "北京市公共数据开放平台…[1]")
    assert resolver.resolve("Who runs it?", [plain]).question == \
        "Who runs public data open platform?"


def test_reach_back_two_turns(resolver: Resolver) -> None:
    turns = (Turn.of("海淀区的数字经济增加值是多少?"), Turn.of("北京推出了什么平台?", EXCHANGE))
    r = resolver.resolve("最开始问的那个区有多少家企业?", turns)
    assert (r.question, r.rule) == ("海淀区有多少家企业?", "back")
    # "那个区" is the first place named with 区, even when an earlier question named a city
    r = resolver.resolve("最开始问的那个区有多少家企业?", (Turn.of(COUNT), *turns))
    assert r.question == "海淀区有多少家企业?"
    r = resolver.resolve("What about the city I asked about first?", (
        Turn.of("What is Shanghai's data regulation?"), Turn.of("北京推出了什么平台?", EXCHANGE)))
    assert "Shanghai" in r.question and r.rule == "back"


def test_a_chain_of_follow_ups_builds_on_what_was_searched(resolver: Resolver) -> None:
    first = Turn.of(COUNT)
    second = Turn.of("那上海呢?", resolved="上海数字经济核心产业新设企业有多少家?")
    assert resolver.resolve("2022年呢?", (first, second)).question == \
        "2022年上海数字经济核心产业新设企业有多少家?"


@pytest.mark.parametrize("question", [
    "上海确立了什么数据交易价格原则?",
    "上海確立了什麼數據交易價格原則?",
    "What share of Beijing's GDP did the digital economy account for in 2023?",
    "北京提出建设全球数字经济标杆城市，其主要任务有哪些?",
    "北京第一个国家级数据交易所是哪年成立的?",
    "其中有哪些企业参与?",
    "When was the first data exchange established?",
    "2025年之前有哪些目标?",
    "Data security?",
    "北京的数字经济规模有多少?",
    "上海有多少家智能工厂?",
    "What was global AI market revenue, and how fast did it grow?",
])
def test_a_self_contained_question_is_left_alone(resolver: Resolver, question: str) -> None:
    r = resolved(resolver, question, Turn.of("北京推出了什么平台?", EXCHANGE), Turn.of(COUNT))
    assert (r.question, r.rule, r.changed) == (question, "none", False)


def test_no_history_changes_nothing(resolver: Resolver) -> None:
    assert resolver.resolve("那上海呢?", ()).question == "那上海呢?"


def test_records() -> None:
    assert answer_items(MEASURES)[2].startswith("二是") and len(answer_items(MEASURES)) == 4
    assert answer_items("一句。二句！") == ("一句。", "二句！")
    turn = Turn.of("q", "甲[1]。乙[2]。", "resolved q")
    assert turn.to_dict() == {"question": "q", "answer": "甲[1]。乙[2]。", "items": ["甲", "乙"],
                              "resolved": "resolved q"}
    assert Resolution("a", "b", "swap").to_dict() == {"original": "a", "question": "b",
                                                      "rule": "swap"}


# --- through the Answerer, the CLI and the eval (tiny corpus, fake embedder) ----------------

LIST_Q = "北京主要采取了哪些措施?"


def test_answerer_resolves_a_list_reference(answerer: Answerer) -> None:
    first = answerer.ask(LIST_Q)
    assert "二是建设高水平数据交易平台" in first.text
    follow = answerer.ask("第二个方面具体怎么做?", history=[Turn.from_answer(first)])
    assert follow.question == "第二个方面具体怎么做?"
    assert follow.resolved_question == "建设高水平数据交易平台具体怎么做?"
    assert any("建设高水平数据交易平台" in c.quote for c in follow.citations)
    assert answerer.ask(LIST_Q).resolved_question == LIST_Q


def test_topic_change_gets_the_same_hits_as_asked_alone(answerer: Answerer) -> None:
    turns = [Turn.from_answer(answerer.ask(LIST_Q))]
    for question in ("上海确立了什么数据交易价格原则?",
                     "截至2023年11月末北京累计建设了多少个5G基站?"):
        alone, after = answerer.ask(question), answerer.ask(question, history=turns)
        assert after.resolved_question == question
        assert [h.chunk.chunk_id for h in after.hits] == [h.chunk.chunk_id for h in alone.hits]
        assert after.text == alone.text


def test_cli_chat_reads_a_conversation_from_stdin(
    run_cli: Callable[..., tuple[int, str, str]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{LIST_Q}\n\n第二个方面具体怎么做?\n"))
    code, out, _ = run_cli("chat")
    assert code == 0
    assert "Searched: 建设高水平数据交易平台具体怎么做?" in out
    assert out.count("Sources") == 2
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{LIST_Q}\n第二个方面具体怎么做?\n/new\n"
                                                  "第二个方面具体怎么做?\n"))
    code, out, _ = run_cli("chat", "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(lines) == 3
    assert lines[1]["resolved_question"] == "建设高水平数据交易平台具体怎么做?"
    assert lines[2]["resolved_question"] == "第二个方面具体怎么做?"  # /new forgot the list
    assert {"question", "resolved_question", "answer", "stale", "hits"} == set(lines[0])


def test_cli_ask_with_history(tmp_path: Path, run_cli: Callable[..., tuple[int, str, str]]) -> None:
    questions = tmp_path / "h.json"
    questions.write_text(json.dumps([LIST_Q], ensure_ascii=False), encoding="utf-8")
    code, out, _ = run_cli("ask", "第二个方面具体怎么做?", "--history", str(questions), "--json")
    payload = json.loads(out)
    assert code == 0 and payload["resolved_question"] == "建设高水平数据交易平台具体怎么做?"
    turns = tmp_path / "t.json"
    turns.write_text(json.dumps([{"question": "上海确立了什么数据交易价格原则?",
                                  "answer": "上海市出台《上海市数据条例》。"}], ensure_ascii=False),
                     encoding="utf-8")
    code, out, _ = run_cli("ask", "那北京呢?", "--history", str(turns))
    assert code == 0 and "Searched: 北京确立了什么数据交易价格原则?" in out
    code, out, _ = run_cli("ask", "上海确立了什么数据交易价格原则?", "--json")
    assert json.loads(out)["resolved_question"] == "上海确立了什么数据交易价格原则?"


@pytest.mark.parametrize("content", ["{not json", '{"question": "x"}', "[3]", '[{"answer": "a"}]'])
def test_cli_ask_bad_history_is_one_clear_line(
    tmp_path: Path, run_cli: Callable[..., tuple[int, str, str]], content: str,
) -> None:
    path = tmp_path / "h.json"
    path.write_text(content, encoding="utf-8")
    code, _, err = run_cli("ask", "那上海呢?", "--history", str(path))
    assert code == 1 and "history file" in err and "Traceback" not in err
    code, _, err = run_cli("ask", "那上海呢?", "--history", str(tmp_path / "missing.json"))
    assert code == 1 and "history file" in err


def test_eval_replays_history(tmp_path: Path, run_cli: Callable[..., tuple[int, str, str]]) -> None:
    rows = [{"id": "f1", "question": "第二个方面具体怎么做?", "history": [LIST_Q],
             "evidence": ["建设高水平数据交易平台"]},
            {"id": "s1", "question": "上海确立了什么数据交易价格原则?", "evidence": ["自定+评估"]}]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    code, out, _ = run_cli("eval", str(path), "--json")
    assert code == 0
    by_id = {q["id"]: q for q in json.loads(out)["questions"]}
    assert by_id["f1"]["resolved_question"] == "建设高水平数据交易平台具体怎么做?"
    assert by_id["f1"]["history"] == [LIST_Q] and "history" not in by_id["s1"]
    assert by_id["f1"]["metrics"]["hit@5"] == 1.0 and by_id["f1"]["evidence_recall"] == 1.0
    assert by_id["s1"]["resolved_question"] == rows[1]["question"]


def test_eval_rejects_a_malformed_history(tmp_path: Path) -> None:
    from askbj.errors import AskbjError
    from askbj.evaluate import questions as evq

    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"id": "x", "question": "q", "history": "not a list"}),
                    encoding="utf-8")
    with pytest.raises(AskbjError, match="history"):
        evq.read_questions(path)


# --- the optional model rewrite (a scripted OpenAI-compatible server on loopback) -----------


def test_model_rewrite_is_used_and_any_failure_falls_back_to_the_rules(
    answerer: Answerer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from askbj.llm.generator import Generator, LLMConfig
    from askbj.llm.rewrite import clean

    from fake_llm_server import FakeLLM, Reply

    turns = [Turn.from_answer(answerer.ask(LIST_Q))]
    rewrite = "北京如何加强数据安全监管?"
    with FakeLLM(Reply("ok", rewrite), Reply("500")) as llm:
        generator = Generator(LLMConfig(llm.base_url, "fake-model", timeout=1.0), answerer)
        answer = generator.ask("第三个方面呢?", history=turns, stream=False)
        assert answer.question == "第三个方面呢?" and answer.resolved_question == rewrite
        body = llm.requests[0].body
        assert body["messages"][-1]["content"].endswith("第三个方面呢?")
        assert any("三是加强数据安全监管" in m["content"] for m in body["messages"])
        llm.script(Reply("500"))
        answer = generator.ask("第三个方面呢?", history=turns, stream=False)
        assert answer.resolved_question == "加强数据安全监管呢?"  # the rules' rewrite
        llm.script(Reply("ok", "<b>x</b>"))
        unusable = generator.ask("第三个方面呢?", history=turns)
        assert unusable.resolved_question == "加强数据安全监管呢?"
        requests = len(llm.requests)
        generator.ask(LIST_Q, stream=False)  # no history: the model is not asked to rewrite
        assert all("Rewrite" not in str(r.body) for r in llm.requests[requests:])
    assert clean("<think>hm</think>\nStandalone question: “上海呢?”\nmore") == "上海呢?"


def test_a_new_topic_marker_leaves_the_question_alone(resolver: Resolver) -> None:
    turn = Turn.of("北京高级别自动驾驶示范区是什么时候开始规划建设的?")
    for asked, alone in (("换个话题:北京市大数据中心的副主任是谁?",
                          "北京市大数据中心的副主任是谁?"),
                         ("Separately, how much did investment grow in 2023?",
                          "how much did investment grow in 2023?")):
        r = resolver.resolve(asked, [turn])
        assert (r.question, r.rule) == (alone, "topic")
        assert resolver.resolve(asked, []).question == alone  # the same asked alone


def test_a_thing_asked_for_by_what_it_did_is_that_description_later(resolver: Resolver) -> None:
    turn = Turn.of("Which industrial internet platform in Beijing has served 20,000 firms?")
    assert resolver.resolve("Who built it?", [turn]).question == \
        "Who built the industrial internet platform in Beijing that has served 20,000 firms?"
    turns = (Turn.of("What is the 'one corridor, four poles' spatial structure of Beijing?"),
             Turn.of("How much computing power has Beijing integrated?"))
    r = resolver.resolve("Back to the first thing I asked about — which plan strengthened that "
                         "structure?", turns)
    assert r.rule == "back" and "spatial structure" in r.question and "integrated" not in r.question


def test_list_reference_in_traditional_script_keeps_the_words_after_it(
        resolver: Resolver) -> None:
    answer = ("北京逐步建成三类标杆企业,包括全球标杆(细分领域全球领先)、全国标杆(细分领域全国领先)"
              "和北京标杆(细分领域区域领先)。[1]")
    turn = Turn.of("北京的数字经济标杆企业分成哪三类?", answer)
    # the item's gloss in brackets is dropped; 現在 is not eaten as part of 第二類
    assert resolver.resolve("第二類現在有幾家?", [turn]).question == "全國標杆現在有幾家?"
    assert resolver.resolve("第二类现在有几家?", [turn]).question == "全国标杆现在有几家?"


def test_a_swap_followed_by_its_own_restatement_is_a_swap(resolver: Resolver) -> None:
    turn = Turn.of("南京有哪个代表性的智能工厂案例?", "南钢建设了智能工厂。[1]")
    swapped = resolver.resolve("上海呢?有什么例子?", [turn]).question
    assert swapped == "上海有哪个代表性的智能工厂案例?"
    # words after the swap that ask for something new are not dropped
    new = resolver.resolve("那广州呢?有成立什么数据交易机构吗?", [turn]).question
    assert "数据交易机构" in new
    year = Turn.of("截至2024年底,交易所累计备案交易金额有多少?", "近100亿元。[1]")
    # 的时候 is no new topic: the year alone is swapped
    assert resolver.resolve("那2023年的时候呢?", [year]).question == \
        "截至2023年底,交易所累计备案交易金额有多少?"


def test_an_english_questions_chinese_gloss_is_no_subject(resolver: Resolver) -> None:
    turn = Turn.of("What is Chang'an Chain (长安链)?", "长安链是区块链成果。[1]")
    assert resolver.resolve("What was it approved as?", [turn]).question == \
        "What was Chang'an Chain approved as?"


@pytest.mark.parametrize(("question", "alone"), [
    ("Different question: who wrote the paper on cities?", "who wrote the paper on cities?"),
    ("By the way, what is a data exchange?", "what is a data exchange?"),
    ("对了,预计到2030年能减排多少?", "预计到2030年能减排多少?"),
    ("另外想問,OECD研究說了什麼?", "OECD研究說了什麼?"),
])
def test_more_new_topic_markers_leave_the_question_alone(resolver: Resolver, question: str,
                                                        alone: str) -> None:
    turn = Turn.of("北京每万人拥有多少个5G基站?", "48个。[1]")
    assert resolver.resolve(question, [turn]).question == alone


def test_a_traditional_answers_series_is_read_for_its_items(resolver: Resolver) -> None:
    answer = ("北京著力從數字基礎設施佈局、數據要素市場化配置、平臺生態系統構建與高效制度供給"
              "四方面採取措施。[1]")
    turn = Turn.of("北京推動數字經濟高質量發展主要從哪四個方面著手?", answer)
    first = resolver.resolve("第一個方面具體是怎麼做的?", [turn]).question
    assert first == "數字基礎設施佈局具體是怎麼做的?"


def test_the_question_asked_first_is_a_turn_not_a_list_item(resolver: Resolver) -> None:
    # "第一个问的那个" points at the first question; "第一个方面" at the answer's first item
    turns = (Turn.of("长安链是什么?"), Turn.of("北京物联网终端用户有多少?"))
    r = resolver.resolve("第一个问的那个,它获批成了什么?", turns)
    assert (r.question, r.rule) == ("长安链,它获批成了什么?", "back")  # not the place 长安
    listed = Turn.of("北京采取了哪三方面措施?", MEASURES)
    r = resolver.resolve("第一个方面具体怎么做?", [listed])
    assert r.rule == "item" and "数据产权" in r.question


def test_back_to_a_named_thing_of_several_words(resolver: Resolver) -> None:
    turns = (Turn.of("Where is Beijing's data infrastructure pilot zone located?"),
             Turn.of("How many 5G base stations did Beijing have by Nov 2023?"))
    r = resolver.resolve("Back to that pilot zone — how many market entities moved in first?",
                         turns)
    assert r.rule == "back" and "pilot zone" in r.question and "5G" not in r.question


def test_a_bare_ordinal_refers_to_an_item_only_with_its_article(resolver: Resolver) -> None:
    listed = Turn.of("What three measures did Beijing take?", MEASURES)
    assert resolver.resolve("And the first?", [listed]).rule == "item"
    r = resolver.resolve("Which firms moved in first?", [listed])
    assert r.rule != "item" and "数据产权" not in r.question


def test_a_count_said_right_before_the_asked_noun_marks_the_list_sentence() -> None:
    from askbj.answer.references import states_count

    sentence = "北京率先实现数据合规跨境三路径——安全评估、标准合同备案、个人信息保护认证全跑通。"
    assert states_count(sentence, 3, ("路径", "跨境"))
    assert not states_count(sentence, 3)  # no classifier: only the question's noun tells
    assert not states_count(sentence, 4, ("路径",))
    assert states_count("从四方面推动发展", 4)


def test_a_noun_run_keeps_a_bound_noun_morpheme() -> None:
    from askbj.answer.phrases import noun_runs

    assert noun_runs("长安链是什么?") == ["长安链"]  # 长安/ns + 链/ng


def test_an_english_date_phrase_replaces_the_earlier_one_whole(resolver: Resolver) -> None:
    turn = Turn.of("How many 5G base stations had Beijing built by end of Nov 2023?")
    r = resolver.resolve("And by the end of 2020?", [turn])
    assert (r.question, r.rule) == (
        "How many 5G base stations had Beijing built by the end of 2020?", "swap")
    r = resolver.resolve("And in 2022?", [Turn.of("What was Shanghai's digital trade value?")])
    assert r.question == "What was Shanghai's digital trade value in 2022?"


def test_what_is_that_measured_anew_asks_the_earlier_question_so(resolver: Resolver) -> None:
    turn = Turn.of("How many 5G base stations had Beijing built by the end of November 2023?")
    r = resolver.resolve("what's that per 10k people?", [turn])
    assert (r.question, r.rule) == ("How many 5G base stations had Beijing built by the end "
                                    "of November 2023 per 10k people?", "pronoun")


def test_a_bare_this_as_subject_is_the_earlier_subject(resolver: Resolver) -> None:
    turn = Turn.of("北京国际大数据交易所的成交额是多少?")
    assert resolver.resolve("这是谁推出的?", [turn]).question == "北京国际大数据交易所是谁推出的?"
    r = resolver.resolve("這主要幫到哪類企業?", [turn])
    assert (r.question, r.rule) == ("北京國際大數據交易所主要幫到哪類企業?", "pronoun")
    # 这些/这个 + a noun are demonstratives, not a bare 这
    assert resolver.resolve("这些企业在哪里?", [turn]).question == "这些企业在哪里?"


@pytest.mark.parametrize(("earlier", "follow_up", "expected"), [
    ("How many categories of data does Beijing's public data open platform provide?",
     "And how many market entities does it cover?",
     "And how many market entities does Beijing's public data open platform cover?"),
    ("What is the first commercial undersea data center mentioned in the Beijing report?",
     "Which company built it?", "Which company built first commercial undersea data center"),
    ("What did Zhongguancun pioneer?", "When did it start?", "When did Zhongguancun start?"),
])
def test_english_it_is_the_thing_asked_about_not_the_place_it_is_in(
        resolver: Resolver, earlier: str, follow_up: str, expected: str) -> None:
    assert resolved(resolver, follow_up, Turn.of(earlier)).question.startswith(expected)


def test_which_x_asks_for_the_head_of_its_noun_run() -> None:
    from askbj.answer.phrases import asked_head

    assert asked_head("北京哪个工业互联网平台已服务超2万家制造企业?") == "平台"
    assert asked_head("是哪家公司建成的?") == "公司"
