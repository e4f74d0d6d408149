"""Generated answers in the chat (AppTest against the fake OpenAI-compatible server):
streamed, then replaced by the verified answer; fallback on failure; the sidebar switch."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from ui import session as ui

from askbj.llm.generator import FALLBACK, MAX_PASSAGES
from askbj.records import Answer

from app_helpers import UNANSWERABLE, ask, assert_inert, markdown_of, rendered, settings_of, start
from fake_llm_server import FakeLLM, Reply

pytest_plugins = ["app_helpers"]  # the tiny_home and fake_app fixtures

Q_VALUE = "2023年北京市数字经济增加值是多少?"
SUPPORTED_SENTENCE = "据测算，2023年北京市数字经济实现增加值18766.7亿元"


@pytest.fixture
def llm(fake_app: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLLM]:
    """The fake OpenAI-compatible server, named to the app through ``ASKBJ_LLM_*``."""
    with FakeLLM(hang_seconds=5.0) as server:
        monkeypatch.setenv("ASKBJ_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("ASKBJ_LLM_MODEL", "fake-model")
        monkeypatch.setenv("ASKBJ_LLM_TIMEOUT", "5")
        yield server


def passage_number(home: Path, question: str, needle: str) -> int:
    """The number the model sees for the passage holding ``needle`` (app defaults: hybrid, 8)."""
    engine = ui.get_engine(settings_of(home), ui.factory_key())
    hits = engine.answerer.ask(question).hits[:MAX_PASSAGES]
    return next(n for n, h in enumerate(hits, start=1) if needle in h.chunk.text)


def sidebar_text(at: AppTest) -> str:
    return html.unescape(" ".join(m.value for m in at.sidebar.markdown))


def test_sidebar_says_generation_is_off_without_an_endpoint(fake_app: Path) -> None:
    at = start()
    assert ui.LLM_OFF in sidebar_text(at)
    assert not [t for t in at.toggle if t.key == "llm_on"]


def test_sidebar_names_the_model_and_offers_the_switch(llm: FakeLLM) -> None:
    at = start()
    assert f"fake-model at {llm.base_url}" in sidebar_text(at)
    assert at.toggle(key="llm_on").label == "Generate a fluent answer with the LLM"
    assert at.toggle(key="llm_on").value is True
    assert ui.llm_label(ui.LLMConfig("http://me:secret@h:1/v1", "m")) == "m at http://h:1/v1"


def test_streamed_answer_is_replaced_by_its_verified_text_and_sources(
    fake_app: Path, llm: FakeLLM
) -> None:
    n = passage_number(fake_app, Q_VALUE, "18766.7")
    llm.script(Reply("ok", f"{SUPPORTED_SENTENCE}[{n}]。北京的房价全国最低[{n}]。", piece=4))
    at = start()
    turn = ask(at, Q_VALUE)
    answer: Answer = turn.answer
    [request] = llm.requests
    assert request.body["stream"] is True and request.body["model"] == "fake-model"
    assert answer.text == f"{SUPPORTED_SENTENCE}[{n}]。" and "房价" in answer.notice
    [answer_md] = markdown_of(at, "askbj-answer")
    assert f'class="askbj-ref">[{n}]</span>' in answer_md
    assert_inert(answer_md, SUPPORTED_SENTENCE)
    assert "房价" not in html.unescape(answer_md)
    sources = markdown_of(at, "askbj-src")
    assert len(sources) == 1 and "18766.7" in html.unescape(sources[0])
    captions = html.unescape(" ".join(c.value for c in at.caption))
    assert "Removed from the generated answer" in captions and "written by fake-model" in captions
    assert not at.warning


def test_model_failure_shows_the_extracted_answer_and_says_why(
    fake_app: Path, llm: FakeLLM
) -> None:
    llm.script(Reply("500"))
    extractive = ui.get_engine(settings_of(fake_app), ui.factory_key()).answerer.ask(Q_VALUE)
    at = start()
    turn = ask(at, Q_VALUE)
    answer = turn.answer
    assert len(llm.requests) == 1
    assert (answer.text, answer.citations) == (extractive.text, extractive.citations)
    [warning] = at.warning
    assert FALLBACK in html.unescape(warning.value) and "HTTP 500" in html.unescape(warning.value)
    assert "18766.7" in html.unescape(markdown_of(at, "askbj-answer")[0])
    assert markdown_of(at, "askbj-src") and "written by" not in turn.caption


def test_unanswerable_question_never_reaches_the_model(llm: FakeLLM) -> None:
    at = start()
    turn = ask(at, UNANSWERABLE)
    assert turn.answer.abstained and "没有找到" in html.unescape(at.info[0].value)
    assert llm.requests == [] and "written by" not in turn.caption


def test_switch_off_keeps_the_extractive_answer(llm: FakeLLM) -> None:
    at = start()
    at.toggle(key="llm_on").set_value(False).run()
    turn = ask(at, Q_VALUE)
    assert llm.requests == [] and "18766.7" in turn.answer.text
    assert "written by" not in turn.caption


def test_streamed_tokens_are_shown_as_literal_text() -> None:
    tokens = ["<scr", "ipt>alert(1)</", "script> **bo", "ld** [x](javascript:", "y)\n下一行"]
    joined = "".join(ui.stream_literal(tokens))
    tags, text = rendered(joined)
    assert tags <= {"p", "br"}
    assert text.replace("\n", "") == "".join(tokens).replace("\n", "")
