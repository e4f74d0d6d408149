"""Parsing a PDF or .docx in a child process, so that a parser stuck inside one page is
stopped at the parse-time limit: the parsers also check the clock between pages and
paragraphs, but only a process can be stopped in the middle of a call that never returns.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from askbj.ingest.limits import LimitExceeded


def _child(conn: Connection, parse: Callable[..., str], args: tuple[Any, ...]) -> None:
    try:
        conn.send(("ok", parse(*args)))
    except LimitExceeded as exc:
        conn.send(("limit", str(exc)))
    except Exception as exc:  # the parser's failure on a bad file: reported, not re-raised
        conn.send(("error", str(exc) or type(exc).__name__))
    finally:
        conn.close()


def run_isolated(parse: Callable[..., str], args: tuple[Any, ...], seconds: float) -> str:
    """``parse(*args)`` in a forked child; ``LimitExceeded`` when it takes longer than
    ``seconds`` (plus a short grace), ``ValueError`` with the parser's message when it fails."""
    if seconds <= 0:
        raise LimitExceeded(f"reading it took over {seconds:g} s, the parse-time limit per "
                            "file (convert it to .txt)")
    ctx = multiprocessing.get_context("fork")
    here, there = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(there, parse, args), daemon=True)
    child.start()
    there.close()
    try:
        # a grace on top of the limit: the child's own clock checks usually stop it first
        if not here.poll(seconds + min(5.0, seconds)):
            raise LimitExceeded(f"reading it took over {seconds:g} s, the parse-time limit "
                                "per file, and it was stopped (convert it to .txt)")
        kind, value = here.recv()
    except EOFError as exc:
        raise ValueError("the parser stopped without a result (the file may be damaged)") \
            from exc
    finally:
        here.close()
        if child.is_alive():
            child.kill()
        child.join(timeout=5)
    if kind == "limit":
        raise LimitExceeded(value)
    if kind == "error":
        raise ValueError(value)
    return str(value)
