"""Speed and memory of askbj on this machine; writes the figures to stdout as markdown.

Usage: .venv/bin/python bench/bench.py [--skip-ingest]
Measures: cold ingest (fresh index, every passage embedded), re-ingest after editing one
document, index load, warm search and ask latency p50/p95 over the dev questions, the wall
time of a cold `askbj search` process, and peak RSS. Not a test: figures go to RESULTS.md.
"""

from __future__ import annotations

import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from askbj import engine
from askbj.config import Settings
from askbj.evaluate import questions as evq
from askbj.index import store as index_store

REPO = Path(__file__).resolve().parents[1]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def ingest_figures(work: Path) -> dict[str, float]:
    ingest = work / "ingest"
    shutil.copytree(REPO / "ingest", ingest)
    settings = Settings(ingest_dir=ingest, index_dir=work / "index")
    embedder = engine.make_embedder(settings)
    _ = embedder.dim  # load the model outside the timing: ingest cost is the corpus work
    report, cold = timed(engine.build, settings, embedder)
    doc = next(ingest.glob("003_*.txt"))
    doc.write_text(doc.read_text(encoding="utf-8").replace("数据", "數據", 3), encoding="utf-8")
    again, warm = timed(engine.build, settings, embedder)
    return {"cold_ingest_s": cold, "passages": report.chunks, "reingest_one_doc_s": warm,
            "reingest_embedded": again.embedded, "reingest_share": warm / cold}


def query_figures() -> dict[str, float]:
    settings = Settings(ingest_dir=REPO / "ingest", index_dir=REPO / "index")
    _, load_s = timed(index_store.load, settings.index_dir)
    searcher = engine.open_searcher(settings)
    questions, _ = evq.read_questions(REPO / "eval" / "questions.jsonl")
    searcher.search(questions[0].question)  # warm-up
    search_ms = [timed(searcher.search, q.question)[1] * 1000 for q in questions]
    figures = {"index_load_s": load_s, "search_p50_ms": pct(search_ms, 0.5),
               "search_p95_ms": pct(search_ms, 0.95)}
    try:
        from askbj.answer.extractive import Answerer
    except ImportError:
        return figures
    answerer = Answerer(searcher)
    answerer.ask(questions[0].question)
    ask_ms = [timed(answerer.ask, q.question)[1] * 1000 for q in questions]
    figures.update({"ask_p50_ms": pct(ask_ms, 0.5), "ask_p95_ms": pct(ask_ms, 0.95)})
    return figures


def cold_cli_s(runs: int = 3) -> float:
    cmd = [str(REPO / ".venv" / "bin" / "askbj"), "search", "北京数字经济增加值", "--json"]
    walls = [timed(subprocess.run, cmd, cwd=REPO, capture_output=True, check=True)[1]
             for _ in range(runs)]
    return statistics.median(walls)


def main() -> None:
    figures: dict[str, float] = {}
    if "--skip-ingest" not in sys.argv:
        with tempfile.TemporaryDirectory() as tmp:
            figures.update(ingest_figures(Path(tmp)))
    figures.update(query_figures())
    figures["cold_cli_search_s"] = cold_cli_s()
    figures["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
          f"{__import__('os').cpu_count()} cores, Python {platform.python_version()}")
    print("| figure | value |\n|---|---|")
    for name, value in figures.items():
        print(f"| {name} | {value:.3f} |" if isinstance(value, float) else f"| {name} | {value} |")


if __name__ == "__main__":
    main()
