"""Many users at once on this machine: one shared Answerer, as the Streamlit app holds it.

Usage: .venv/bin/python bench/load.py [--seconds 60] [--threads 8] [--think 0]
                                      [--max-requests 5000]
First answers every question alone, three times (the single-user latency), then runs ``--threads``
simulated users against the same Answerer for ``--seconds``: each asks a question, waits
``--think`` seconds (0 = back to back, the worst case), and asks the next. The run stops at
the deadline or after ``--max-requests`` in all, whichever comes first. Prints a markdown
table: throughput, p50/p95 latency, errors, RSS before and after. Not a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from askbj import engine
from askbj.config import Settings
from askbj.evaluate import questions as evq

REPO = Path(__file__).resolve().parents[1]
# Beyond the dev set: what real users also send, so the load is not only the happy path.
EXTRA = ("What share of Beijing's GDP is the digital economy?", "北京有多少5G基站？",
         "红烧肉怎么做？", "北京數字經濟占GDP比重是多少？", "IDeX", "!!!")


@dataclass
class Tally:
    """What the users saw, gathered under a lock (each user appends as it goes)."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, error: str | None) -> None:
        with self.lock:
            if error is None:
                self.latencies.append(seconds)
            else:
                self.errors[error] += 1


def rss_mib() -> float:
    """Resident memory now (VmRSS); what a second or tenth user costs the machine."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # peak, not current


def load_average() -> float:
    """1-minute load average: other work on the machine shows up in every latency here."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def questions() -> list[str]:
    dev, _ = evq.read_questions(REPO / "eval" / "questions.jsonl")
    return [q.question for q in dev] + list(EXTRA)


def single_user(answerer, qs: list[str], passes: int = 3) -> list[float]:  # type: ignore[no-untyped-def]
    """Every question alone, ``passes`` times; the pass with the lowest p95 is kept.

    Other work on the machine only ever adds latency (on two cores, one busy core stalls
    the model's OpenMP threads), so the best pass is the nearest to an idle machine.
    """
    answerer.ask(qs[0])  # warm-up: model, jieba, OpenCC and the dictionary load here
    runs = []
    for _ in range(passes):
        latencies = []
        for q in qs:
            started = time.perf_counter()
            answerer.ask(q)
            latencies.append(time.perf_counter() - started)
        runs.append(latencies)
    return min(runs, key=lambda r: pct(r, 0.95))


def user(answerer, qs: list[str], n: int, stop: float, budget: list[int],  # type: ignore[no-untyped-def]
         think: float, tally: Tally) -> None:
    """One simulated user: its own walk through the questions until time or budget ends."""
    i = n * 7
    while time.perf_counter() < stop:
        with tally.lock:
            if budget[0] <= 0:
                return
            budget[0] -= 1
        q = qs[i % len(qs)]
        i += 1
        started = time.perf_counter()
        try:
            answerer.ask(q)
            error = None
        except Exception as exc:  # a load test counts failures instead of stopping at one
            error = type(exc).__name__
        tally.record(time.perf_counter() - started, error)
        if think:
            time.sleep(think)


def concurrent(answerer, qs: list[str], args: argparse.Namespace) -> tuple[Tally, float]:  # type: ignore[no-untyped-def]
    tally, budget = Tally(), [args.max_requests]
    started = time.perf_counter()
    stop = started + args.seconds
    with ThreadPoolExecutor(args.threads) as pool:
        for n in range(args.threads):
            pool.submit(user, answerer, qs, n, stop, budget, args.think, tally)
    return tally, time.perf_counter() - started


def report(alone: list[float], tally: Tally, wall: float, rss: dict[str, float],
           args: argparse.Namespace) -> None:
    p95_alone, p95 = pct(alone, 0.95), pct(tally.latencies, 0.95)
    done = len(tally.latencies) + sum(tally.errors.values())
    rows = [
        ("users (threads), think time", f"{args.threads}, {args.think:g} s"),
        ("duration", f"{wall:.1f} s (limit {args.seconds:g} s, {args.max_requests} requests)"),
        ("single-user p50 / p95 (best of 3 passes)",
         f"{pct(alone, 0.5) * 1000:.0f} / {p95_alone * 1000:.0f} ms"),
        ("requests completed", str(done)),
        ("throughput", f"{done / wall:.2f} questions/s"),
        ("p50 / p95 / max latency", f"{pct(tally.latencies, 0.5) * 1000:.0f} / "
         f"{p95 * 1000:.0f} / {max(tally.latencies, default=0) * 1000:.0f} ms"),
        ("p95 vs single-user p95", f"{p95 / p95_alone:.1f}× "
         f"({'within' if p95 <= 3 * p95_alone else 'NOT within'} 3×)"),
        ("errors", ", ".join(f"{k}: {v}" for k, v in tally.errors.items()) or "0"),
        ("RSS after load / single-user / concurrent",
         f"{rss['loaded']:.0f} / {rss['alone']:.0f} / {rss['after']:.0f} MiB"),
        ("1-min load average before / after", f"{rss['load0']:.2f} / {rss['load1']:.2f}"),
    ]
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print("| figure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--think", type=float, default=0.0, help="pause between questions (s)")
    parser.add_argument("--max-requests", type=int, default=5000)
    args = parser.parse_args()
    settings = Settings(ingest_dir=REPO / "ingest", index_dir=REPO / "index")
    answerer = engine.open_answerer(settings)
    qs = questions()
    rss = {"loaded": rss_mib(), "load0": load_average()}
    alone = single_user(answerer, qs)
    rss["alone"] = rss_mib()
    tally, wall = concurrent(answerer, qs, args)
    rss["after"], rss["load1"] = rss_mib(), load_average()
    report(alone, tally, wall, rss, args)


if __name__ == "__main__":
    main()
