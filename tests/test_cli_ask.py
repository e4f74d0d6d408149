"""`askbj ask`, and answers in `askbj eval`, over the tiny hand-made corpus."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from askbj.answer.extractive import Answerer

pytest_plugins = ["answer_corpus"]  # the tiny corpus and its fixtures


def test_ask_json_contract(run_cli: Callable[..., tuple[int, str, str]]) -> None:
    code, out, _ = run_cli("ask", "上海确立了什么数据交易价格原则?", "--json")
    assert code == 0
    payload = json.loads(out)
    assert set(payload) == {"question", "resolved_question", "answer", "hits", "stale"}
    assert payload["stale"] == ""
    assert set(payload["answer"]) == {"text", "abstained", "status", "citations", "notice"}
    citation = payload["answer"]["citations"][0]
    assert set(citation) == {"n", "chunk_id", "doc_id", "title", "section", "start", "end",
                             "quote", "text", "alternates"}
    assert payload["hits"] and {"rank", "chunk_id", "score"} <= set(payload["hits"][0])


def test_ask_prints_answer_then_sources(run_cli: Callable[..., tuple[int, str, str]]) -> None:
    code, out, _ = run_cli("ask", "上海确立了什么数据交易价格原则?")
    assert code == 0
    answer, sources = out.split("Sources", 1)
    assert "自定+评估" in answer and "[1]" in answer
    assert "上海城市数字化转型" in sources and "[1]" in sources
    # Document text is printed as text: its "[b]" is neither a style nor swallowed.
    assert "《上海市数据条例》[b]" in answer


def test_abstention_lists_possibly_related_passages(
    run_cli: Callable[..., tuple[int, str, str]],
) -> None:
    code, out, _ = run_cli("ask", "2022年合肥市的常住人口是多少?")
    assert code == 0
    assert out.startswith("文档中没有找到") and "Possibly related" in out and "Sources" not in out


def test_markup_in_the_question_is_text(run_cli: Callable[..., tuple[int, str, str]]) -> None:
    question = "[bold red]上海[/] <b>数据条例</b> **原则** [link=x]y[/link]"
    code, out, _ = run_cli("ask", question, "--json")
    assert code == 0 and json.loads(out)["question"] == question
    code, out, err = run_cli("ask", "[red]😀[/red]")
    assert code == 0  # an abstention, not a markup error
    code, out, err = run_cli("ask", "[/]")
    assert code == 0 and "MarkupError" not in out + err


def test_ask_with_empty_question_exits_1(run_cli: Callable[..., tuple[int, str, str]]) -> None:
    code, _, err = run_cli("ask", "  ")
    assert code == 1 and "empty" in err


def test_eval_scores_answers(tmp_path: Path, answerer: Answerer) -> None:
    from askbj.evaluate import questions as evq
    from askbj.evaluate import runner as ev

    rows = [
        {"id": "q1", "question": "截至2023年11月末北京累计建设了多少个5G基站?",
         "evidence": ["5G基站10.6万个"]},
        {"id": "q2", "question": "上海确立了什么数据交易价格原则?", "evidence": ["“自定+评估”"]},
        {"id": "u1", "question": "2022年合肥市的常住人口是多少?", "evidence": []},
        {"id": "x1", "question": "北京采取了哪些措施?"},  # no gold: recorded, not judged
    ]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    questions, gold = evq.read_questions(path)
    run = ev.run_answers(questions, gold, answerer)
    summary = run["summary"]
    assert summary["answerable"] == 2 and summary["evidence_carried"] == 1.0
    assert summary["false_abstentions"] == 0
    assert (summary["unanswerable"], summary["unanswerable_abstained"]) == (1, 1)
    assert summary["citation_validity"] == 1.0
    by_id = {r["id"]: r for r in run["questions"]}
    assert set(by_id["x1"]["answer"]) == {"text", "abstained", "status", "citations", "notice"}
    assert "evidence_recall" not in by_id["x1"]
    merged = ev.merge_answers(ev.run(questions, gold, answerer.searcher, "hybrid"), run)
    assert merged["summary"]["answers"] == summary
    assert all("answer" in q and "hits" in q and "latency_ms" in q for q in merged["questions"])


def test_cli_eval_answers_flag(
    tmp_path: Path, run_cli: Callable[..., tuple[int, str, str]]
) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"id": "q1", "question": "上海确立了什么数据交易价格原则?",
                                "evidence": ["自定+评估"]}, ensure_ascii=False), encoding="utf-8")
    code, out, _ = run_cli("eval", str(path), "--json")
    assert code == 0 and "answers" in json.loads(out)["summary"]
    code, out, _ = run_cli("eval", str(path), "--json", "--no-answers")
    result = json.loads(out)
    assert code == 0 and "answers" not in result["summary"]
    assert "answer" not in result["questions"][0]
    code, out, _ = run_cli("eval", str(path))
    assert code == 0 and "evidence carried" in out
