"""Eight chat sessions answered at once in one process (AppTest in threads), each getting
its own answer; plus the fixtures that make AppTest safe to run in threads."""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from ui import session as ui

from askbj.records import Answer

from app_helpers import APP, QA, ROOT, TIMEOUT, markdown_of, rendered, start

pytest_plugins = ["app_helpers"]  # the tiny_home and fake_app fixtures


@pytest.fixture
def shared_script_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each AppTest run compiles the script afresh, and CPython 3.11 keeps the AST
    constructor's depth counter in interpreter-wide state, so threads parsing at once can
    fail with "AST constructor recursion depth mismatch": share one script cache, whose
    lock compiles each page once."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    for module in (app_test, local_script_runner):
        monkeypatch.setattr(module, "ScriptCache", lambda: shared)


@pytest.fixture
def thread_safe_apptest(monkeypatch: pytest.MonkeyPatch,
                        shared_script_cache: None) -> Iterator[None]:
    """AppTest is written for one run at a time: each run installs process-wide state — a
    mock Runtime singleton (set back to None when the run ends), the multipage-app flag
    (reset to None when a run starts) and a config option — and a run in another thread
    then finds it gone. Pin all three for this test; the app's own code is untouched."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.runtime import Runtime
    from streamlit.testing.v1 import app_test
    from streamlit.testing.v1.util import patch_config_options

    last: list[Any] = []

    def instance(cls: type[Runtime]) -> Runtime:
        if cls._instance is not None:
            last[:] = [cls._instance]
            return cls._instance
        if last:
            return last[0]  # type: ignore[no-any-return]
        raise RuntimeError("Runtime hasn't been created!")

    class IgnoreReset(type):
        def __setattr__(cls, name: str, value: object) -> None:
            if not (name == "uses_pages_directory" and value is None):
                super().__setattr__(name, value)

    class PinnedPagesManager(PagesManager, metaclass=IgnoreReset):
        pass

    monkeypatch.setattr(Runtime, "instance", classmethod(instance))
    monkeypatch.setattr(Runtime, "exists", classmethod(
        lambda cls: cls._instance is not None or bool(last)))
    monkeypatch.setattr(PagesManager, "uses_pages_directory", (ROOT / "pages").is_dir())
    monkeypatch.setattr(app_test, "PagesManager", PinnedPagesManager)
    with patch_config_options({"global.appTest": True}):
        yield


@pytest.mark.usefixtures("thread_safe_apptest")
def test_eight_concurrent_sessions_each_get_their_own_answer(
    fake_app: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start()  # load the engine once, so the threads race on answering, not loading
    # every session waits inside `ask` until all eight are there: they truly overlap
    barrier = threading.Barrier(len(QA), timeout=60)
    real_ask = ui.Engine.ask

    def ask_together(self: ui.Engine, question: str, options: ui.AskOptions,
                     history: tuple = ()) -> Answer:  # type: ignore[type-arg]
        barrier.wait()
        return real_ask(self, question, options, history)

    monkeypatch.setattr(ui.Engine, "ask", ask_together)

    def session(question: str) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
        return at.chat_input[0].set_value(question).run()

    with ThreadPoolExecutor(max_workers=len(QA)) as pool:
        apps = list(pool.map(session, [q for q, _, _ in QA]))
    for (question, doc, fact), at in zip(QA, apps, strict=True):
        assert not at.exception, [e.stack_trace for e in at.exception]
        history = at.session_state["history"]
        assert [t["role"] for t in history] == ["user", "assistant"], question
        answer: Answer = history[1]["answer"]
        assert history[0]["text"] == question and answer.question == question
        [shown] = markdown_of(at, "askbj-user")
        assert rendered(shown)[1].strip() == question
        assert not answer.abstained, question
        assert answer.citations[0].doc_id == doc, question
        assert any(fact in c.quote for c in answer.citations), (question, answer.text)
        assert fact in html.unescape("".join(markdown_of(at, "askbj-answer")))
