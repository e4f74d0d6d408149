"""`askbj serve` under load: N concurrent HTTP clients against a live server on loopback.

Usage: .venv/bin/python bench/serve_load.py [--seconds 60] [--clients 8] [--think 0.5]
                                            [--max-requests 5000] [--concurrency 2]
Starts `askbj serve` over ./index (build it first with `askbj ingest`) on a free loopback
port with a generated API key and no rate limit, then: every question once, three times,
from one client (warm single-client POST /v1/ask latency; the best pass is kept), the server's
RSS, then ``--clients`` clients for ``--seconds`` (or ``--max-requests`` in all), each asking
and waiting ``--think`` s, then RSS again, then 20 streamed chat completions (time to the
first SSE chunk and to the first content chunk). Prints a markdown table. Not a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from askbj.evaluate import questions as evq

REPO = Path(__file__).resolve().parents[1]
EXTRA = ("What share of Beijing's GDP is the digital economy?", "北京有多少5G基站？",
         "红烧肉怎么做？", "北京數字經濟占GDP比重是多少？", "IDeX", "!!!")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, error: str | None) -> None:
        with self.lock:
            if error is None:
                self.latencies.append(seconds)
            else:
                self.errors[error] += 1


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def questions() -> list[str]:
    dev, _ = evq.read_questions(REPO / "eval" / "questions.jsonl")
    return [q.question for q in dev] + list(EXTRA)


def start_server(key: str, concurrency: int) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    askbj = str(Path(sys.executable).with_name("askbj"))
    process = subprocess.Popen(
        [askbj, "--index-dir", str(REPO / "index"), "--ingest-dir", str(REPO / "ingest"),
         "serve", "--port", str(port), "--rate", "0", "--concurrency", str(concurrency),
         "--queue", "64"], env={**os.environ, "ASKBJ_API_KEYS": key},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(url + "/readyz").status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            sys.exit("askbj serve exited: is there an index? run `askbj ingest`")
        time.sleep(0.2)
    sys.exit("askbj serve did not become ready")


def ask(http: httpx.Client, question: str) -> str | None:
    try:
        response = http.post("/v1/ask", json={"question": question})
        return None if response.status_code == 200 else f"HTTP {response.status_code}"
    except httpx.HTTPError as exc:
        return type(exc).__name__


def single_client(http: httpx.Client, qs: list[str], passes: int = 3) -> list[float]:
    ask(http, qs[0])
    runs = []
    for _ in range(passes):
        latencies = []
        for q in qs:
            started = time.perf_counter()
            if ask(http, q) is None:
                latencies.append(time.perf_counter() - started)
        runs.append(latencies)
    return min(runs, key=lambda r: pct(r, 0.95))


def client(url: str, headers: dict[str, str], qs: list[str], n: int, stop: float,
           budget: list[int], think: float, tally: Tally) -> None:
    i = n * 7
    with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
        while time.perf_counter() < stop:
            with tally.lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            started = time.perf_counter()
            error = ask(http, qs[i % len(qs)])
            tally.record(time.perf_counter() - started, error)
            i += 1
            time.sleep(think)


def load(url: str, headers: dict[str, str], qs: list[str],
         args: argparse.Namespace) -> tuple[Tally, float]:
    tally, budget = Tally(), [args.max_requests]
    started = time.perf_counter()
    with ThreadPoolExecutor(args.clients) as pool:
        for n in range(args.clients):
            pool.submit(client, url, headers, qs, n, started + args.seconds, budget,
                        args.think, tally)
    return tally, time.perf_counter() - started


def first_chunks(http: httpx.Client, qs: list[str], n: int = 20) -> tuple[list[float], list[float]]:
    """Seconds to the first SSE chunk and to the first content chunk of streamed chats."""
    first, content = [], []
    for q in qs[:n]:
        body = {"model": "askbj", "stream": True, "messages": [{"role": "user", "content": q}]}
        started, got_first = time.perf_counter(), False
        with http.stream("POST", "/v1/chat/completions", json=body) as response:
            for line in response.iter_lines():
                if line.startswith("data: ") and not got_first:
                    first.append(time.perf_counter() - started)
                    got_first = True
                if '"content": "' in line and '"content": ""' not in line:
                    content.append(time.perf_counter() - started)
                    break
    return first, content


def ms(values: list[float], q: float) -> str:
    return f"{pct(values, q) * 1000:.0f}"


def report(alone: list[float], tally: Tally, wall: float, rss: tuple[float, float],
           stream: tuple[list[float], list[float]], args: argparse.Namespace) -> None:
    p95_alone, p95 = pct(alone, 0.95), pct(tally.latencies, 0.95)
    done = len(tally.latencies) + sum(tally.errors.values())
    rows = [
        ("clients, think time, server --concurrency",
         f"{args.clients}, {args.think:g} s, {args.concurrency}"),
        ("duration", f"{wall:.1f} s (limit {args.seconds:g} s, {args.max_requests} requests)"),
        ("warm single-client /v1/ask p50 / p95 (best of 3 passes)",
         f"{ms(alone, 0.5)} / {ms(alone, 0.95)} ms"),
        ("requests completed", str(done)),
        ("throughput", f"{done / wall:.2f} requests/s"),
        ("p50 / p95 / max latency under load",
         f"{ms(tally.latencies, 0.5)} / {ms(tally.latencies, 0.95)} / "
         f"{max(tally.latencies, default=0) * 1000:.0f} ms"),
        ("p95 vs single-client p95", f"{p95 / p95_alone:.1f}×"),
        ("errors", ", ".join(f"{k}: {v}" for k, v in tally.errors.items()) or "0"),
        ("server RSS before / after load", f"{rss[0]:.0f} / {rss[1]:.0f} MiB "
         f"({(rss[1] - rss[0]) / rss[0] * 100:+.1f} %)"),
        ("stream: first chunk p50 / p95", f"{ms(stream[0], 0.5)} / {ms(stream[0], 0.95)} ms"),
        ("stream: first content chunk p50 / p95",
         f"{ms(stream[1], 0.5)} / {ms(stream[1], 0.95)} ms"),
    ]
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f}")
    print("| figure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--think", type=float, default=0.5, help="pause between requests (s)")
    parser.add_argument("--max-requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=2, help="server engine slots")
    args = parser.parse_args()
    key = secrets.token_urlsafe(24)
    headers = {"Authorization": f"Bearer {key}"}
    process, url = start_server(key, args.concurrency)
    try:
        qs = questions()
        with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
            alone = single_client(http, qs)
            before = rss_mib(process.pid)
            tally, wall = load(url, headers, qs, args)
            after = rss_mib(process.pid)
            stream = first_chunks(http, qs)
        report(alone, tally, wall, (before, after), stream, args)
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
