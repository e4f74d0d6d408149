"""The question file, the judging rule of eval/README.md, the metrics, and the run contract."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from askbj import engine
from askbj.config import Settings
from askbj.errors import AskbjError
from askbj.evaluate import metrics as evm
from askbj.evaluate import questions as evq
from askbj.evaluate import runner as ev
from askbj.retrieve.searcher import Searcher
from askbj.text.normalize import to_traditional


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path


def gold_for(tmp_path: Path, evidence: list[str]) -> evq.Gold:
    """Gold as read from a question file: the path real evidence takes."""
    path = write_jsonl(tmp_path / "g.jsonl", [{"id": "q", "question": "?", "evidence": evidence}])
    return evq.read_questions(path)[1]["q"]


# --- read_questions -------------------------------------------------------------------


def test_read_questions_keeps_gold_apart(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": "a01",
                "question": "北京数字经济占比?",
                "lang": "zh-Hans",
                "doc": "000",
                "evidence": ["占比42.9%"],
                "answer": "42.9%",
                "type": "numeric",
            },
            ensure_ascii=False,
        )
        + "\n\n"
        + json.dumps({"id": 7, "question": "What is IDeX?"})
        + "\n"
        + json.dumps(
            {"id": "u01", "question": "火星上有数据中心吗?", "lang": "zh-Hans", "evidence": []},
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    questions, gold = evq.read_questions(path)
    assert questions == [
        evq.Question("a01", "北京数字经济占比?", "zh-Hans"),
        evq.Question("7", "What is IDeX?", ""),
        evq.Question("u01", "火星上有数据中心吗?", "zh-Hans"),
    ]
    # the records handed to retrieval carry nothing but id, question, language and the
    # conversation's earlier questions (empty here): never a gold field
    assert {f for q in questions for f in vars(q)} == {"id", "question", "lang", "history"}
    assert all(q.history == () for q in questions)
    assert set(gold) == {"a01", "u01"}
    assert gold["a01"].groups == {"": ("占比42.9%",)} and gold["a01"].answerable
    assert not gold["u01"].answerable


@pytest.mark.parametrize(
    "bad",
    ['{"id": "x", "question": ', '{"id": "x"}', '{"question": "q"}', "[1, 2]", '"text"', "42"],
)
def test_malformed_line_names_file_and_line(tmp_path: Path, bad: str) -> None:
    good = json.dumps({"id": "a", "question": "q"})
    path = tmp_path / "q.jsonl"
    path.write_text(f"{good}\n\n{bad}\n{good}\n", encoding="utf-8")
    with pytest.raises(AskbjError, match=r"q\.jsonl:3") as info:
        evq.read_questions(path)
    assert '{"id", "question"}' in str(info.value)


def test_unreadable_question_file_is_askbj_error(tmp_path: Path) -> None:
    with pytest.raises(AskbjError, match=r"missing\.jsonl"):
        evq.read_questions(tmp_path / "missing.jsonl")
    bad = tmp_path / "latin1.jsonl"
    bad.write_bytes('{"id": "a", "question": "caf\u00e9"}'.encode("latin-1"))
    with pytest.raises(AskbjError, match=r"latin1\.jsonl"):
        evq.read_questions(bad)


# --- the judging rule -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("passage", "evidence"),
    [
        ("改革已进入深水區(qū)，需要攻坚克难。", "进入深水区"),  # pinyin gloss dropped
        ("改革已进入深水區（qū），需要攻坚克难。", "进入深水区"),  # full-width parentheses too
        ("占地区生产总值比重达到４２．９％。", "比重达到42.9%"),  # full-width → ASCII
        ("北京國際大數據交易所推出了IDeX系統。", "大数据交易所推出了IDeX系统"),  # script
        ("数据要素 市场\n化配置", "数据要素市场化配置"),  # whitespace in the passage
        ("数据要素市场化配置", "数据要素 市场化\t配置"),  # whitespace in the evidence
        ("推出了ＩＤＥＸ系统", "idex系统"),  # case and width
    ],
)
def test_judging_rule_normalizes(tmp_path: Path, passage: str, evidence: str) -> None:
    gold = gold_for(tmp_path, [evidence])
    assert evm.relevant_groups(passage, gold) == {""}


@pytest.mark.parametrize(
    "passage",
    ["改革已进入深水期，需要攻坚克难。", "比重达到42.8%", "", "深水"],
)
def test_judging_rule_rejects_passages_without_evidence(tmp_path: Path, passage: str) -> None:
    gold = gold_for(tmp_path, ["进入深水区", "比重达到42.9%"])
    assert evm.relevant_groups(passage, gold) == set()


def test_any_span_of_a_group_is_enough(tmp_path: Path) -> None:
    gold = gold_for(tmp_path, ["一廊四极", "首钢园四极联动"])
    assert evm.relevant_groups("协同首钢园四极联动。", gold) == {""}


def test_prefixed_evidence_is_grouped_by_document(tmp_path: Path) -> None:
    gold = gold_for(tmp_path, ["003:平台经济", "004:数据要素", "004:创新生态"])
    assert gold.groups == {"003": ("平台经济",), "004": ("数据要素", "创新生态")}
    assert evm.relevant_groups("发展平台经济与创新生态", gold) == {"003", "004"}
    assert evm.relevant_groups("城市创新生态", gold) == {"004"}


# --- score_ranking ----------------------------------------------------------------------

ONE = evq.Gold({"": ("目标",)})
TWO = evq.Gold({"003": ("甲证据",), "004": ("乙证据",)})
MISS = "无关段落"


def approx(metrics: dict[str, float]) -> dict[str, object]:
    return {k: pytest.approx(v) for k, v in metrics.items()}


@pytest.mark.parametrize(
    ("ranking", "gold", "expected"),
    [
        (
            ["含目标的段落", MISS, MISS],
            ONE,
            {"hit@1": 1.0, "hit@5": 1.0, "mrr@10": 1.0, "ndcg@10": 1.0},
        ),
        (
            [MISS, MISS, "目标", MISS],
            ONE,
            {"hit@1": 0.0, "hit@5": 1.0, "mrr@10": 1 / 3, "ndcg@10": 0.5},
        ),
        (
            [MISS] * 5 + ["目标"],
            ONE,
            {"hit@1": 0.0, "hit@5": 0.0, "mrr@10": 1 / 6, "ndcg@10": 1 / math.log2(7)},
        ),
        (
            [MISS] * 10 + ["目标"],
            ONE,  # beyond k=10: not counted
            {"hit@1": 0.0, "hit@5": 0.0, "mrr@10": 0.0, "ndcg@10": 0.0},
        ),
        ([MISS] * 3, ONE, {"hit@1": 0.0, "hit@5": 0.0, "mrr@10": 0.0, "ndcg@10": 0.0}),
        ([], ONE, {"hit@1": 0.0, "hit@5": 0.0, "mrr@10": 0.0, "ndcg@10": 0.0}),
        # two groups, only one of them found: recall over groups
        (
            ["甲证据", MISS, MISS],
            TWO,
            {"hit@1": 0.5, "hit@5": 0.5, "mrr@10": 1.0, "ndcg@10": 1 / (1 + 1 / math.log2(3))},
        ),
        (
            [MISS, "乙证据", MISS, MISS, MISS, "甲证据"],
            TWO,
            {
                "hit@1": 0.0,
                "hit@5": 0.5,
                "mrr@10": 0.5,
                "ndcg@10": (1 / math.log2(3) + 1 / math.log2(7)) / (1 + 1 / math.log2(3)),
            },
        ),
        (["乙证据", "甲证据"], TWO, {"hit@1": 0.5, "hit@5": 1.0, "mrr@10": 1.0, "ndcg@10": 1.0}),
        (
            ["甲证据和乙证据都在这里"],
            TWO,
            {"hit@1": 1.0, "hit@5": 1.0, "mrr@10": 1.0, "ndcg@10": 1 / (1 + 1 / math.log2(3))},
        ),
    ],
)
def test_score_ranking(ranking: list[str], gold: evq.Gold, expected: dict[str, float]) -> None:
    assert evm.score_ranking(ranking, gold) == approx(expected)


def test_score_ranking_respects_k() -> None:
    ranking = [MISS, MISS, "目标"]
    assert evm.score_ranking(ranking, ONE, k=2)["mrr@10"] == 0.0
    assert evm.score_ranking(ranking, ONE, k=3)["mrr@10"] == pytest.approx(1 / 3)


def test_summarize_per_language() -> None:
    def m(x: float) -> dict[str, float]:
        return {"hit@1": x, "hit@5": 1.0}

    summary = evm.summarize(
        [("zh-Hans", m(1.0)), ("en", m(0.0)), ("zh-Hans", m(0.0)), ("", m(0.5))])
    assert summary == {
        "overall": {"n": 4.0, "hit@1": 0.375, "hit@5": 1.0},
        "zh-Hans": {"n": 2.0, "hit@1": 0.5, "hit@5": 1.0},
        "en": {"n": 1.0, "hit@1": 0.0, "hit@5": 1.0},
        "unknown": {"n": 1.0, "hit@1": 0.5, "hit@5": 1.0},
    }
    assert evm.summarize([("en", m(1 / 3))])["en"]["hit@1"] == 0.3333


# --- run: the results contract ------------------------------------------------------------

SHARED = (
    "北京国际大数据交易所推出了国内首个数据交易平台IDeX系统，为数据要素市场化配置提供了新的路径。"
)
DOCS = {
    "000.txt": f"一、数据交易\n\n{SHARED}\n\n二、算力布局\n\n"
    "北京以中关村科学城为核心算力走廊，协同怀柔科学城、未来科学城和首钢园四极联动。",
    "001.txt": f"一、數據交易\n\n{to_traditional(SHARED)}",
    "002.txt": "2023年北京市数字经济实现增加值18766.7亿元，占地区生产总值比重达到42.9%。",
}
QUESTIONS = [
    {
        "id": "a01",
        "question": "北京数字经济增加值是多少亿元?",
        "lang": "zh-Hans",
        "doc": "002",
        "evidence": ["18766.7亿元"],
        "answer": "18766.7亿元",
    },
    {
        "id": "a02",
        "question": "懷柔科學城和首鋼園佔地區生產總值比重",
        "lang": "zh-Hant",
        "evidence": ["000:首钢园四极联动", "002:比重达到42.9%"],
    },
    {
        "id": "e01",
        "question": "What is the IDeX trading system?",
        "lang": "en",
        "evidence": ["IDeX系统"],
    },
    {"id": "u01", "question": "火星数据中心", "lang": "zh-Hans", "evidence": []},
    {"id": "n01", "question": "数据要素市场化"},
]


class SpySearcher:
    """Records exactly what the eval passes to search."""

    def __init__(self, inner: Searcher) -> None:
        self.inner = inner
        self.calls: list[tuple[tuple[object, ...], dict[str, object]]] = []

    def search(self, *args: object, **kwargs: object) -> list:  # type: ignore[type-arg]
        self.calls.append((args, kwargs))
        return self.inner.search(*args, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def searcher(tmp_path: Path, fake_embedder: Any) -> Searcher:
    root = tmp_path / "corpus"
    ingest = root / "ingest"
    ingest.mkdir(parents=True)
    for name, text in DOCS.items():
        (ingest / name).write_text(text, encoding="utf-8")
    settings = Settings(ingest_dir=ingest, index_dir=root / "index")
    engine.build(settings, embedder=fake_embedder)
    return engine.open_searcher(settings, fake_embedder)


HIT_KEYS = {"rank", "chunk_id", "doc_id", "section", "text", "score", "start", "end", "alternates"}


def check_contract(result: dict, searcher: Searcher, n: int) -> None:  # type: ignore[type-arg]
    assert set(result) == {"summary", "questions"}
    assert len(result["questions"]) == n
    for record in result["questions"]:
        assert {"id", "question", "hits", "latency_ms"} <= set(record)
        assert isinstance(record["latency_ms"], float) and record["latency_ms"] >= 0
        assert record["hits"], record["id"]
        assert [h["rank"] for h in record["hits"]] == list(range(1, len(record["hits"]) + 1))
        for hit in record["hits"]:
            assert set(hit) == HIT_KEYS
            doc = searcher.index.document(hit["doc_id"])
            assert doc.text[hit["start"] : hit["end"]] == hit["text"]
            assert isinstance(hit["section"], str) and isinstance(hit["score"], float)
    json.dumps(result)  # serialisable as is


def test_run_scores_judged_questions_and_records_all(tmp_path: Path, searcher: Searcher) -> None:
    questions, gold = evq.read_questions(write_jsonl(tmp_path / "q.jsonl", QUESTIONS))
    spy = SpySearcher(searcher)
    seen: list[str] = []
    result = ev.run(questions, gold, spy, "bm25", k=5, on_question=lambda r: seen.append(r["id"]))

    check_contract(result, searcher, len(QUESTIONS))
    # retrieval saw only the question text, never the gold
    assert [args[0] for args, _ in spy.calls] == [q["question"] for q in QUESTIONS]
    assert all(kw == {"k": 5, "mode": "bm25"} for _, kw in spy.calls)
    assert seen == [q["id"] for q in QUESTIONS]

    by_id = {r["id"]: r for r in result["questions"]}
    assert by_id["a01"]["question"] == QUESTIONS[0]["question"]
    assert by_id["a01"]["metrics"]["hit@1"] == 1.0  # bm25 finds the exact figure
    assert by_id["a02"]["metrics"]["hit@5"] == 1.0  # both document groups found
    # unanswerable and gold-less questions are recorded but not scored
    assert "metrics" not in by_id["u01"] and "metrics" not in by_id["n01"]

    summary = result["summary"]
    assert summary["questions"] == 5 and summary["judged"] == 3 and summary["mode"] == "bm25"
    assert summary["latency_ms_p50"] is not None
    assert set(summary["metrics"]) == {"overall", "zh-Hans", "zh-Hant", "en"}
    assert summary["metrics"]["overall"]["n"] == 3.0
    assert summary["metrics"]["zh-Hans"]["hit@1"] == 1.0


def test_run_without_gold_still_records_results(tmp_path: Path, searcher: Searcher) -> None:
    bare = [{k: q[k] for k in ("id", "question", "lang") if k in q} for q in QUESTIONS]
    questions, gold = evq.read_questions(write_jsonl(tmp_path / "bare.jsonl", bare))
    assert gold == {}
    result = ev.run(questions, gold, searcher, "hybrid", k=3)
    check_contract(result, searcher, len(bare))
    assert all(len(r["hits"]) <= 3 and "metrics" not in r for r in result["questions"])
    assert result["summary"]["judged"] == 0 and result["summary"]["metrics"] == {}


def test_combine_puts_modes_side_by_side(tmp_path: Path, searcher: Searcher) -> None:
    questions, gold = evq.read_questions(write_jsonl(tmp_path / "q.jsonl", QUESTIONS[:2]))
    runs = {m: ev.run(questions, gold, searcher, m, k=3) for m in ("hybrid", "bm25")}
    result = ev.combine(runs)
    check_contract(result, searcher, 2)
    assert result["summary"]["mode"] == "hybrid"
    assert set(result["summary"]["by_mode"]) == {"hybrid", "bm25"}
    for i, record in enumerate(result["questions"]):
        assert record["hits"] == runs["hybrid"]["questions"][i]["hits"]
        assert record["hits_by_mode"]["bm25"] == runs["bm25"]["questions"][i]["hits"]
    assert "by_mode" not in ev.combine({"bm25": runs["bm25"]})["summary"]
