"""The terminal side of asking (`askbj ask`, `askbj chat`): answer a question after the
conversation so far, print it with its sources and what was searched, read a history file
and standard input. Kept apart from ``cli`` so the command table stays short.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from askbj.errors import AskbjError

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)


def emit_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def answer_and_show(answerer, config, question: str, turns: tuple, k: int,  # type: ignore[no-untyped-def]
                     mode: str, script: str, as_json: bool, json_lines: bool = False):
    """Answer ``question`` after ``turns`` and print it (text, or JSON); returns the answer."""
    from askbj.evaluate.runner import answer_record, hit_record
    from askbj.llm.generator import Generator

    streamed: list[str] = []
    answer = Generator(config, answerer).ask(  # tokens shown as they come, then the checked text
        question, k=k, mode=mode, script=script, history=turns,
        on_token=None if as_json else _token(streamed),
    ) if config.enabled else answerer.ask(question, k=k, mode=mode, script=script,
                                          history=turns)
    if as_json:
        payload = {"question": question, "resolved_question": answer.resolved_question,
                   "answer": answer_record(answer), "hits": [hit_record(h) for h in answer.hits]}
        if json_lines:
            sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        else:
            emit_json(payload)
        return answer
    _show_answer(answer, answerer, streamed)
    return answer


def _show_answer(answer, answerer, streamed: list[str]) -> None:  # type: ignore[no-untyped-def]
    if answer.notice:
        err.print(f"[yellow]note:[/] {escape(answer.notice)}")
    out.print(("\n\n[bold]Checked answer[/]\n" if streamed else "") + escape(answer.text)
              if answer.text != "".join(streamed).strip() else "")  # else: it has just streamed
    if answer.resolved_question and answer.resolved_question != answer.question:
        out.print(f"[dim]Searched: {escape(answer.resolved_question)}[/]")
    titles = {d.doc_id: d.title for d in answerer.searcher.index.documents}
    if answer.citations:
        out.print("\n[bold]Sources[/]")
        for n in sorted({c.n for c in answer.citations}):
            c = next(c for c in answer.citations if c.n == n)
            out.print(f"[bold][{n}][/] {escape(_source_line(titles[c.doc_id], c.section, c.quote))}"
                      f" [dim]({c.doc_id}:{c.start}-{c.end}, {c.chunk_id})[/]")
    elif answer.hits:
        out.print("\n[bold]Possibly related[/]")
        for h in answer.hits:
            line = _source_line(titles[h.chunk.doc_id], h.chunk.section, h.chunk.text)
            out.print(f"- {escape(line)} [dim]({h.chunk.chunk_id})[/]")


def read_history(path: Path) -> list[tuple[str, str | None]]:
    """``--history FILE``: a JSON list of questions or of {"question", "answer"} objects."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise AskbjError(f"Cannot read the history file {path}: {exc}. It must be a JSON list "
                         "of earlier questions, or of {\"question\", \"answer\"} objects.") from exc
    if not isinstance(data, list):
        raise AskbjError(f"The history file {path} must hold a JSON list (oldest turn first).")
    entries: list[tuple[str, str | None]] = []
    for n, turn in enumerate(data, start=1):
        if isinstance(turn, str) and turn.strip():
            entries.append((turn, None))
        elif isinstance(turn, dict) and isinstance(turn.get("question"), str) and \
                isinstance(turn.get("answer", ""), str):
            entries.append((turn["question"], turn.get("answer")))
        else:
            raise AskbjError(f"The history file {path}: turn {n} must be a question string or an "
                             "object with a \"question\" string (and optionally an \"answer\").")
    return entries


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


def _source_line(title: str, section: tuple[str, ...], text: str) -> str:
    snippet = " ".join(text.split())
    snippet = snippet if len(snippet) <= 80 else snippet[:80] + "…"
    return " · ".join(p for p in (title, " / ".join(section), snippet) if p)


def converse(answerer, config, k: int, mode: str, script: str,  # type: ignore[no-untyped-def]
             as_json: bool) -> None:
    """`askbj chat`: answer each line of standard input after the turns before it."""
    from askbj.answer.followup import Turn

    interactive = sys.stdin.isatty() and not as_json
    if interactive:
        out.print("[dim]Ask a question (an empty line or /quit ends, /new starts over).[/]")
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
            answer = answer_and_show(answerer, config, question, tuple(turns), k, mode,
                                     script, as_json, json_lines=True)
        except AskbjError as exc:  # one bad line does not end the conversation
            err.print(f"[red]error:[/] {escape(str(exc))}")
            continue
        turns.append(Turn.from_answer(answer))
        if not as_json:
            out.print()
