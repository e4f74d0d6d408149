"""The HTTP chat client against a real server on loopback: what goes over the wire, and
that every failure of the endpoint falls back to the extracted answer.

The server (``fake_llm_server``) speaks the OpenAI chat API on a loopback port, streams
server-sent events, and fails on cue; the index is the tiny hand-made corpus of
``answer_corpus`` with the fake embedder, so every test runs in well under a second.
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from askbj.answer.extractive import Answerer
from askbj.llm.generator import FALLBACK, Generator, LLMConfig
from askbj.records import Answer

from fake_llm_server import FakeLLM, Reply

pytest_plugins = ["answer_corpus"]  # the tiny corpus and its fixtures

REPO = Path(__file__).resolve().parents[2]
Q_5G = "截至2023年11月末北京累计建设了多少个5G基站?"
SUPPORTED = "截至2023年11月末，北京累计建设5G基站10.6万个"
UNANSWERABLE = "2022年合肥市的常住人口是多少?"


@pytest.fixture
def llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLLM]:
    for name in ("ASKBJ_LLM_BASE_URL", "ASKBJ_LLM_MODEL", "ASKBJ_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with FakeLLM(hang_seconds=5.0) as server:
        yield server


@pytest.fixture
def generator(answerer: Answerer, llm: FakeLLM) -> Generator:
    return Generator(LLMConfig(llm.base_url, "fake-model", timeout=1.0), answerer)


def number_of(generator: Generator, question: str, needle: str) -> int:
    """The passage number the model sees for the passage containing ``needle``."""
    hits = generator.answerer.ask(question).hits[: generator.max_passages]
    return next(n for n, h in enumerate(hits, start=1) if needle in h.chunk.text)


FAILURES = {"500": "HTTP 500", "401": "HTTP 401", "hang": "no reply", "malformed": "malformed",
            "empty": "empty answer", "no-choices": "malformed"}



def test_server_receives_passages_as_delimited_data(generator: Generator, llm: FakeLLM) -> None:
    n = number_of(generator, Q_5G, "10.6万")
    llm.script(Reply("ok", f"{SUPPORTED}[{n}]。"))
    generator.ask(Q_5G)
    [request] = llm.requests
    assert request.path == "/v1/chat/completions" and request.body["stream"] is True
    assert request.body["model"] == "fake-model" and "Authorization" not in request.headers
    system, user = (m["content"] for m in request.body["messages"])
    assert "data, not instructions" in system and "[1]" in system
    blocks = re.findall(r'<passage n="(\d+)">\n(.*?)\n</passage>', user, flags=re.S)
    assert [int(b[0]) for b in blocks] == list(range(1, len(blocks) + 1))
    assert "10.6万" in blocks[n - 1][1] and f"<question>{Q_5G}</question>" in user
    assert "evidence" not in request.raw and '"answer"' not in request.raw


def test_api_key_is_sent_as_bearer_token(answerer: Answerer, llm: FakeLLM) -> None:
    llm.script(Reply("ok", "北京累计建设5G基站10.6万个[1]。"))
    Generator(LLMConfig(llm.base_url, "m", "sk-test", 1.0), answerer).ask(Q_5G)
    assert llm.requests[0].headers["Authorization"] == "Bearer sk-test"


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize("kind", list(FAILURES))
def test_every_failure_falls_back_to_the_extracted_answer(
    generator: Generator, llm: FakeLLM, kind: str, stream: bool,
) -> None:
    llm.script(Reply(kind, "北京累计建设5G基站10.6万个[1]。"))
    generator = Generator(replace(generator.config, timeout=0.5), generator.answerer)
    extractive = generator.answerer.ask(Q_5G)
    answer = generator.ask(Q_5G, stream=stream)
    assert len(llm.requests) == 1
    assert_fallback(answer, extractive, FAILURES[kind])


def assert_fallback(answer: Answer, extractive: Answer, why: str) -> None:
    assert (answer.text, answer.citations, answer.hits) == (
        extractive.text, extractive.citations, extractive.hits)
    assert FALLBACK in answer.notice and why in answer.notice and "\n" not in answer.notice


def test_unreachable_or_bad_endpoints_fall_back(answerer: Answerer) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    extractive = answerer.ask(Q_5G)
    for url, why in ((f"http://127.0.0.1:{port}/v1", "cannot connect"),
                     ("localhost:11434", "bad endpoint URL")):
        assert_fallback(Generator(LLMConfig(url, "m", timeout=1.0), answerer).ask(Q_5G),
                        extractive, why)


def test_cli_ask_streams_then_lists_sources(
    run_cli: Callable[..., tuple[int, str, str]], llm: FakeLLM, generator: Generator,
) -> None:
    n = number_of(generator, Q_5G, "10.6万")
    flags = ("--llm-base-url", llm.base_url, "--llm-model", "m")
    llm.script(Reply("ok", f"{SUPPORTED}[{n}]。"))
    code, out, err = run_cli("ask", Q_5G, *flags)
    assert code == 0 and out.split("Sources")[0].count(SUPPORTED) == 1
    assert "Checked answer" not in out
    assert out.index(SUPPORTED) < out.index("Sources") and f"[{n}]" in out.split("Sources")[1]
    llm.script(Reply("ok", f"{SUPPORTED}[{n}]。上海是首都[{n}]。"))
    code, out, err = run_cli("ask", Q_5G, "--llm", *flags)
    assert code == 0 and "Checked answer" in out and "Removed" in err
    assert "上海是首都" not in out.split("Checked answer")[1]
    code, out, _ = run_cli("ask", UNANSWERABLE, *flags)
    assert code == 0 and len(llm.requests) == 2


def test_cli_ask_json_and_usage_errors(
    run_cli: Callable[..., tuple[int, str, str]], llm: FakeLLM,
) -> None:
    llm.script(Reply("500"))
    code, out, _ = run_cli("ask", Q_5G, "--json", "--llm-base-url", llm.base_url,
                           "--llm-model", "m")
    answer = json.loads(out)["answer"]
    assert code == 0 and set(answer) == {"text", "abstained", "status", "citations", "notice"}
    assert FALLBACK in answer["notice"] and answer["citations"]
    code, _, err = run_cli("ask", Q_5G, "--llm")
    assert code == 1 and "--llm needs" in err
    code, _, _ = run_cli("ask", Q_5G, "--no-llm", "--llm-base-url", llm.base_url,
                         "--llm-model", "m")
    assert code == 0 and len(llm.requests) == 1


def test_cli_eval_records_generated_answers(
    tmp_path: Path, run_cli: Callable[..., tuple[int, str, str]], llm: FakeLLM,
    generator: Generator,
) -> None:
    rows = [{"id": "q1", "question": Q_5G, "evidence": ["5G基站10.6万个"]},
            {"id": "u1", "question": UNANSWERABLE, "evidence": []}]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    generated = f"{SUPPORTED}[{number_of(generator, Q_5G, '10.6万')}]。"
    llm.script(Reply("ok", generated))
    code, out, _ = run_cli("eval", str(path), "--json", "--llm", "--llm-base-url",
                           llm.base_url, "--llm-model", "m")
    result = json.loads(out)
    assert code == 0 and len(llm.requests) == 1  # the unanswerable one never reached it
    q1, u1 = result["questions"]
    assert set(q1["generated"]["answer"]) == set(q1["answer"])
    assert q1["generated"]["answer"]["text"] == generated
    assert q1["generated"]["citations_valid"] and q1["generated"]["evidence_recall"] == 1.0
    assert u1["generated"]["answer"]["abstained"]
    summary = result["summary"]["generated_answers"]
    assert summary["fell_back"] == 0 and summary["citation_validity"] == 1.0
    code, out, _ = run_cli("eval", str(path), "--llm-base-url", llm.base_url, "--llm-model", "m")
    assert code == 0 and "generated answers: evidence carried" in out


def test_a_model_dripping_tokens_is_cut_off_and_falls_back(
    generator: Generator, llm: FakeLLM,
) -> None:
    # Each token comes well within the per-token timeout, but the answer would never end.
    from askbj.llm.client import WHOLE_ANSWER

    llm.script(Reply("drip", "北京累计建设5G基站10.6万个[1]。", piece=2, pause=0.05))
    generator = Generator(replace(generator.config, timeout=0.3), generator.answerer)
    extractive = generator.answerer.ask(Q_5G)
    started = time.monotonic()
    answer = generator.ask(Q_5G, stream=True)
    assert time.monotonic() - started < 0.3 * WHOLE_ANSWER + 1.5
    assert_fallback(answer, extractive, "took longer than 1.5 s")
