"""Nightly-style soak: questions never fail while ingests run and files change.

Usage: .venv/bin/python bench/soak.py [--seconds 60] [--users 2] [--max-requests 20000]
                                      [--think 0.02]

Works on a copy of ``ingest/`` and ``index/`` in a temporary folder (the repo is never
touched) and in-process only (no network). For ``--seconds``:

- ``--users`` threads ask mixed questions (dev set, off-topic, malformed, citation lookups,
  the freshness check), each reopening the index now and then as the app does after a
  rebuild, so loads overlap swaps;
- one thread changes files in the copy's ``ingest/`` (adds, edits, removes a document,
  sometimes without ingesting) and runs incremental ingests one after another.

Any exception a user sees is an error. At the end one last ingest runs and the copy is
checked: index in sync with ``ingest/``, every file's document present with its latest
text, the last edit findable, no build folders left behind. Prints a markdown table.
Not a test (it takes a minute and the real model).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import random
import shutil
import tempfile
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from askbj import engine
from askbj.config import Settings
from askbj.evaluate import questions as evq
from askbj.lookup import lookup

REPO = Path(__file__).resolve().parents[1]
EXTRA = ("红烧肉怎么做？", "IDeX", "!!!", "北京數字經濟占GDP比重是多少？", "x" * 3000,
         "What share of Beijing's GDP is the digital economy?")
MALFORMED = ("", "   ", "\udcff")  # refused with a clear AskbjError: that is the right answer
QUOTES = ("数据交易平台", "18766.7亿元", "002:100-160", "no such quote anywhere")


@dataclass
class Tally:
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, error: str | None = None) -> None:
        with self.lock:
            self.counts[kind] += 1
            if error:
                self.errors.append(error)


def copy_home(root: Path) -> Settings:
    shutil.copytree(REPO / "ingest", root / "ingest")
    shutil.copytree(REPO / "index", root / "index")
    return Settings(ingest_dir=root / "ingest", index_dir=root / "index")


def user(settings: Settings, embedder, questions: list[str], stop: threading.Event,  # type: ignore[no-untyped-def]
         tally: Tally, think: float, budget: itertools.count) -> None:
    rng = random.Random(threading.get_ident())
    answerer = engine.open_answerer(settings, embedder)
    while not stop.is_set() and next(budget) > 0:
        kind = rng.choice(("ask", "ask", "search", "cite", "fresh", "reopen", "malformed"))
        try:
            if kind == "ask":
                answerer.ask(rng.choice(questions), k=8)
            elif kind == "malformed":
                _refused(answerer, rng.choice(MALFORMED))
            elif kind == "search":
                answerer.searcher.search(rng.choice(questions), k=5, mode=rng.choice(
                    ("hybrid", "dense", "bm25")))
            elif kind == "cite":
                _cite(answerer.searcher.index, rng.choice(QUOTES))
            elif kind == "fresh":
                engine.freshness(settings, answerer.searcher.index).notice()
            else:
                answerer = engine.open_answerer(settings, embedder)
            tally.add(kind)
        except Exception as exc:  # every failure a user would see is counted
            tally.add(kind, f"{kind}: {type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        time.sleep(think)


def _refused(answerer, question: str) -> None:  # type: ignore[no-untyped-def]
    """A malformed question must be answered with a clear refusal (or an answer)."""
    from askbj.errors import AskbjError

    with contextlib.suppress(AskbjError):
        answerer.ask(question)


def _cite(index, ref: str) -> None:  # type: ignore[no-untyped-def]
    from askbj.errors import AskbjError

    with contextlib.suppress(AskbjError):  # "not found" is an answer, not a failure
        lookup(index, ref)


def writer(settings: Settings, embedder, stop: threading.Event, tally: Tally,  # type: ignore[no-untyped-def]
           state: dict[str, str]) -> None:
    extra = settings.ingest_dir / "soak_extra.txt"
    for step in itertools.count():
        if stop.is_set():
            return
        marker = f"第{step}次浸泡测试新增的句子说明北京数字经济标杆城市编号{step:05d}。"
        if step % 4 == 3:
            extra.unlink(missing_ok=True)
            state["marker"] = ""
        else:
            text = extra.read_text(encoding="utf-8") if extra.exists() else "一、浸泡测试\n\n"
            extra.write_text(text + marker + "\n", encoding="utf-8")
            state["marker"] = marker
        tally.add("file changes")
        if step % 5 == 4:
            time.sleep(1.0)  # a change left un-ingested for a while: served stale
            continue
        try:
            engine.build(settings, embedder=embedder)
            tally.add("ingests")
        except Exception as exc:
            tally.add("ingests", f"ingest: {type(exc).__name__}: {exc}")


def final_checks(settings: Settings, embedder, state: dict[str, str]) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    from askbj.ingest.sources import load_documents

    engine.build(settings, embedder=embedder)
    searcher = engine.open_searcher(settings, embedder)
    docs, _ = load_documents(settings.ingest_dir)
    indexed = {d.doc_id: d.text for d in searcher.index.documents}
    marker = state.get("marker", "")
    found = not marker or any(marker in h.chunk.text
                              for h in searcher.search(marker, k=5, mode="bm25"))
    leftovers = [p.name for p in settings.index_dir.parent.iterdir()
                 if p.name.startswith(".index-")]
    return {
        "index in sync with ingest/": not engine.freshness(settings, searcher.index).stale,
        "every document indexed with its latest text": indexed == {d.doc_id: d.text
                                                                   for d in docs},
        "last edit findable": found,
        "no build folders left": not leftovers,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--users", type=int, default=2)
    parser.add_argument("--max-requests", type=int, default=20000)
    parser.add_argument("--think", type=float, default=0.02)
    args = parser.parse_args()
    dev, _ = evq.read_questions(REPO / "eval" / "questions.jsonl")
    questions = [q.question for q in dev] + list(EXTRA)
    tally, stop, state = Tally(), threading.Event(), {}
    with tempfile.TemporaryDirectory(prefix="askbj-soak-") as tmp:
        settings = copy_home(Path(tmp))
        embedder = engine.make_embedder(settings)
        budget = itertools.count(args.max_requests, -1)
        threads = [threading.Thread(target=user, args=(settings, embedder, questions, stop,
                                                       tally, args.think, budget))
                   for _ in range(args.users)]
        threads.append(threading.Thread(target=writer, args=(settings, embedder, stop, tally,
                                                             state)))
        started = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        stop.set()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        checks = final_checks(settings, embedder, state)
    report(tally, checks, elapsed, args)


def report(tally: Tally, checks: dict[str, bool], elapsed: float, args) -> None:  # type: ignore[no-untyped-def]
    print(f"| figure | value |\n|---|---|\n| duration | {elapsed:.1f} s |")
    print(f"| users | {args.users} (think {args.think} s) |")
    for kind in ("ask", "search", "cite", "fresh", "reopen", "malformed", "file changes",
                 "ingests"):
        print(f"| {kind} | {tally.counts[kind]} |")
    print(f"| errors | {len(tally.errors)} |")
    for name, ok in checks.items():
        print(f"| {name} | {'yes' if ok else 'NO'} |")
    for error in tally.errors[:5]:
        print("\n" + error)


if __name__ == "__main__":
    main()
