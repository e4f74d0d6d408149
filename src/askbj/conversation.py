"""The terminal side of asking (`askbj ask`, `askbj chat`): answer a question after the
conversation so far, print it with its sources and what was searched, read a history file
and standard input. Printing goes through ``askbj.terminal`` (document text verbatim).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text

from askbj.answer.followup import Turn
from askbj.errors import AskbjError
from askbj.records import Answer, AskResult
from askbj.terminal import emit_json, err, out, print_sources

if TYPE_CHECKING:
    from askbj.answer.extractive import Answerer
    from askbj.llm.client import LLMConfig


def answer_and_show(answerer: Answerer, config: LLMConfig, question: str,
                    turns: Sequence[Turn], k: int, mode: str, script: str, as_json: bool,
                    stale: str = "", json_lines: bool = False) -> Answer:
    """Answer ``question`` after ``turns`` and print it (text, or JSON); returns the answer."""
    from askbj.llm.generator import Generator

    streamed: list[str] = []
    history = tuple(turns)
    answer = Generator(config, answerer).ask(  # tokens shown as they come, then the checked text
        question, k=k, mode=mode, script=script, history=history,
        on_token=None if as_json else _token(streamed),
    ) if config.enabled else answerer.ask(question, k=k, mode=mode, script=script,
                                          history=history)
    if as_json:
        payload = AskResult(question, answer, stale).to_dict()
        if json_lines:
            sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        else:
            emit_json(payload)
        return answer
    _show_answer(answer, answerer, streamed)
    return answer


def _show_answer(answer: Answer, answerer: Answerer, streamed: list[str]) -> None:
    if answer.notice:
        err.print(Text.assemble(("note: ", "yellow"), answer.notice))
    if answer.text != "".join(streamed).strip():  # else: it has just streamed
        out.print(Text.assemble(("\n\nChecked answer\n", "bold") if streamed else "",
                                answer.text))
    else:
        out.print()
    if answer.resolved_question and answer.resolved_question != answer.question:
        out.print(Text(f"Searched: {answer.resolved_question}", style="dim"))
    print_sources(answer, {d.doc_id: d.title for d in answerer.searcher.index.documents})


def read_history(path: Path) -> list[tuple[str, str | None]]:
    """``--history FILE``: a JSON list of questions or of {"question", "answer"} objects."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise AskbjError(f"Cannot read the history file {path}: {exc}. It must be a JSON list "
                         "of earlier questions, or of {\"question\", \"answer\"} objects.") from exc
    if not isinstance(data, list):
        raise AskbjError(f"The history file {path} must hold a JSON list (oldest turn first).")
    return [_entry(path, n, turn) for n, turn in enumerate(data, start=1)]


def _entry(path: Path, n: int, turn: object) -> tuple[str, str | None]:
    if isinstance(turn, str) and turn.strip():
        return turn, None
    if isinstance(turn, dict) and isinstance(turn.get("question"), str) and \
            isinstance(turn.get("answer", ""), str):
        return turn["question"], turn.get("answer")
    raise AskbjError(f"The history file {path}: turn {n} must be a question string or an "
                     "object with a \"question\" string (and optionally an \"answer\").")


def prompt(interactive: bool) -> str | None:
    """The next line of standard input (with a prompt at a terminal); None at its end."""
    if interactive:
        try:
            return input("› ")
        except EOFError:
            return None
    line = sys.stdin.readline()
    return line if line else None


def _token(streamed: list[str]) -> Callable[[str], None]:
    def show(token: str) -> None:
        streamed.append(token)
        out.print(token, end="", markup=False, highlight=False)

    return show


def converse(answerer: Answerer, config: LLMConfig, k: int, mode: str, script: str,
             as_json: bool, stale: str = "") -> None:
    """`askbj chat`: answer each line of standard input after the turns before it."""
    interactive = sys.stdin.isatty() and not as_json
    if interactive:
        out.print(Text("Ask a question (an empty line or /quit ends, /new starts over).",
                       style="dim"))
    turns: list[Turn] = []
    while (line := prompt(interactive)) is not None:
        question = line.strip()
        if question in ("/quit", "/exit") or (interactive and not question):
            break
        if question == "/new":
            turns = []
            continue
        if not question:
            continue
        try:
            answer = answer_and_show(answerer, config, question, turns, k, mode, script,
                                     as_json, stale, json_lines=True)
        except AskbjError as exc:  # one bad line does not end the conversation
            err.print(Text.assemble(("error: ", "red"), str(exc)))
            continue
        turns.append(Turn.from_answer(answer))
        if not as_json:
            out.print()
