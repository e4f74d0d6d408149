"""Many people at once, without patching Streamlit: the engine one server process shares
between its sessions, asked from eight threads together; and eight independent app sessions
(AppTest, each in its own process) asking at the same moment, each getting its own answer.
"""

from __future__ import annotations

import html
import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest
from ui import session as ui

from askbj.records import Answer

from app_helpers import APP, QA, TIMEOUT, markdown_of, rendered

pytest_plugins = ["app_helpers"]  # the tiny_home and fake_app fixtures


def test_one_engine_answers_eight_threads_at_once(fake_app: Path) -> None:
    engine = ui.get_engine(ui.SETTINGS_FACTORY(), ui.factory_key())
    options = ui.AskOptions("hybrid", 8, (), "auto", "")
    alone = {q: engine.ask(q, options).text for q, _, _ in QA}
    barrier = threading.Barrier(len(QA), timeout=60)

    def together(question: str) -> Answer:
        barrier.wait()  # all eight are inside the engine at once
        return engine.ask(question, options)

    with ThreadPoolExecutor(max_workers=len(QA)) as pool:
        answers = list(pool.map(together, [q for q, _, _ in QA]))
    for (question, doc, fact), answer in zip(QA, answers, strict=True):
        assert answer.question == question and answer.text == alone[question]
        assert answer.citations[0].doc_id == doc and fact in answer.text + "".join(
            c.quote for c in answer.citations)


def _session(question: str, barrier: Any, results: Any) -> None:
    """One user's session in a process of its own: open the app, ask, report what it shows."""
    real_ask = ui.Engine.ask

    def ask_together(self: ui.Engine, q: str, options: ui.AskOptions,
                     history: tuple = ()) -> Answer:  # type: ignore[type-arg]
        barrier.wait()  # every session is answering at the same moment
        return real_ask(self, q, options, history)

    ui.Engine.ask = ask_together  # type: ignore[method-assign]
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    at = at.chat_input[0].set_value(question).run()
    history = at.session_state["history"]
    answer = history[1].answer
    results.put((question, [e.value for e in at.exception], [t.role for t in history],
                 history[0].text, answer.question, answer.abstained,
                 answer.citations[0].doc_id if answer.citations else "",
                 [c.quote for c in answer.citations], markdown_of(at, "askbj-user"),
                 "".join(markdown_of(at, "askbj-answer"))))


def test_eight_app_sessions_at_once_each_get_their_own_answer(fake_app: Path) -> None:
    ctx = multiprocessing.get_context("fork")  # children inherit the fake app's settings
    barrier, results = ctx.Barrier(len(QA), timeout=120), ctx.Queue()
    procs = [ctx.Process(target=_session, args=(q, barrier, results)) for q, _, _ in QA]
    for p in procs:
        p.start()
    got = {r[0]: r for r in (results.get(timeout=240) for _ in procs)}
    for p in procs:
        p.join(timeout=60)
    for question, doc, fact in QA:
        _, errors, roles, shown_q, asked, abstained, cited, quotes, user, body = got[question]
        assert not errors and roles == ["user", "assistant"], (question, errors)
        assert shown_q == question == asked and not abstained, question
        assert cited == doc and any(fact in q for q in quotes), question
        assert rendered(user[0])[1].strip() == question
        assert fact in html.unescape(body)
