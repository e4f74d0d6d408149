"""How far one machine goes: synthetic corpora of 10k / 100k / 1M passages, saved by askbj's
own ``store.save`` and searched by askbj's ``Searcher`` (not a test; figures go to RESULTS.md).

Usage: .venv/bin/python bench/scale.py [--sizes 10000,100000] [--busy] [--work DIR] [--milvus]
                                      [--graph-dir DIR]

``--graph-dir`` keeps each HNSW graph built (by size, seed and tuning) and reuses it when the
same corpus is made again: at 1M passages the graph takes 20+ minutes on two cores.

``--milvus`` writes each synthetic index into a Milvus Lite gRPC server on loopback
(``milvus-lite server``, started here) with askbj's own Milvus ingest and measures search
through ``MilvusCandidates`` instead of the FAISS files; with ``--hold`` it only ingests and
keeps the server (its URI printed) until ``WORK/stop`` exists, for ``--measure-milvus URI
WORK/queries.npy`` runs of one collection by several versions of the code.

Passages are 2–4 real sentences of the corpus; a passage's vector is the mean of the real
vectors of the passages its sentences came from plus Gaussian noise, re-normalised, so dense
and BM25 agree about as often as on the real corpus, without an embedding run. Per size, in a
fresh process: index load time,
RSS after load and after searching, search p50/p95 with the query vector given and with the
real query embedder, and dense recall@10 of the index against an exact product. HNSW's
efSearch is swept on the same vectors. ``--busy`` runs a CPU-bound process alongside.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def real_parts() -> tuple[Any, list[str], np.ndarray, list[list[str]]]:
    """The real index, its sentences, the passage each came from, their BM25 tokens."""
    from askbj.index import store
    from askbj.text.normalize import tokenize

    index = store.load(REPO / "index")
    found = {s.strip(): i for i, c in enumerate(index.chunks) for s in SENTENCE.findall(c.text)}
    sentences = [s for s in found if len(s) >= 8]
    sources = np.array([found[s] for s in sentences])
    return index, sentences, sources, [tokenize(s) or ["<empty>"] for s in sentences]


def synthetic(n: int, seed: int = 0, flat_below: int | None = None,
              graph_dir: Path | None = None) -> Any:
    """An ``Index`` of ``n`` passages built from real sentences and real vectors."""
    import bm25s

    from askbj.index import dense, store
    from askbj.records import Chunk, Document

    real, sentences, sources, tokens = real_parts()
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(sentences), size=(n, 4))
    lengths = rng.integers(2, 5, size=n)
    vocab = {t: i for i, t in enumerate(dict.fromkeys(t for ts in tokens for t in ts))}
    token_ids = [[vocab[t] for t in ts] for ts in tokens]
    docs, chunks, corpus, per_doc = [], [], [], 1000
    for d in range(0, n, per_doc):
        texts = ["".join(sentences[j] for j in picks[i, : lengths[i]])
                 for i in range(d, min(n, d + per_doc))]
        doc_id, at = f"s{d // per_doc:05d}", 0
        for i, text in enumerate(texts, start=d):
            chunks.append(Chunk(f"{doc_id}-{i:07d}", doc_id, at, at + len(text), text))
            corpus.append([t for j in picks[i, : lengths[i]] for t in token_ids[j]])
            at += len(text) + 1
        docs.append(Document(doc_id, f"{doc_id}.txt", f"synthetic {doc_id}", "\n".join(texts),
                             f"{d:064x}"))
    bm25 = bm25s.BM25()
    bm25.index(bm25s.tokenization.Tokenized(ids=corpus, vocab=vocab), show_progress=False)
    vectors = mixed_vectors(real.vectors, sources[picks], lengths, rng)
    manifest = store.Manifest(model=real.manifest.model, dim=real.manifest.dim,
                              chunking=real.manifest.chunking, corpus={})
    tuning = dense.DenseTuning() if flat_below is None else dense.DenseTuning(flat_below)
    faiss_index = built_graph(vectors, tuning, graph_dir, seed)
    return store.Index(manifest, tuple(docs), tuple(chunks), dense.vectors_of(faiss_index),
                       bm25, faiss_index)


def built_graph(vectors: np.ndarray, tuning: Any, graph_dir: Path | None, seed: int) -> Any:
    """``dense.build(vectors, tuning)``, kept in ``graph_dir`` for the next run (an HNSW
    graph is reused only when it holds exactly these vectors)."""
    import faiss

    from askbj.index import dense

    n = len(vectors)
    if graph_dir is None or n < tuning.flat_below:
        return dense.build(vectors, tuning)
    path = graph_dir / f"hnsw{tuning.hnsw_m}-efc{tuning.ef_construction}-{n}-seed{seed}.faiss"
    if path.exists():
        index = dense.read(path)
        if np.array_equal(dense.vectors_of(index), vectors):
            print(f"# reusing {path}", file=sys.stderr)
            return index
    started = time.perf_counter()
    index = dense.build(vectors, tuning)
    print(f"# built the HNSW graph of {n} in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)
    graph_dir.mkdir(parents=True, exist_ok=True)
    faiss.write_index(index, str(path))
    return index


def mixed_vectors(real: np.ndarray, origin: np.ndarray, lengths: np.ndarray,
                  rng: np.random.Generator) -> np.ndarray:
    """Mean of the real vectors of each passage's sentences' sources, plus noise."""
    n = len(origin)
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    for start in range(0, n, 100_000):
        end = min(n, start + 100_000)
        used = np.arange(4)[None, :] < lengths[start:end, None]
        block = (real[origin[start:end]] * used[..., None]).sum(axis=1) / used.sum(1)[:, None]
        block += rng.normal(0, 0.02, size=block.shape).astype(np.float32)
        out[start:end] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def dev_questions() -> list[str]:
    rows = (json.loads(line) for line in (REPO / "eval/questions.jsonl").read_text().splitlines()
            if line.strip())
    return [r["question"] for r in rows]


class Given:
    """An encoder that returns precomputed query vectors (the 'query vector given' case)."""

    name = "given"

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self._vectors = vectors

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vectors[t] for t in texts])


def timed_searches(searcher: Any, questions: list[str], mode: str = "hybrid") -> list[float]:
    times = []
    for q in questions:
        started = time.perf_counter()
        searcher.search(q, k=10, mode=mode)
        times.append(1000 * (time.perf_counter() - started))
    return times


def recall_at_10(index: Any, vectors: np.ndarray, queries: np.ndarray) -> float:
    from askbj.index import dense

    found = []
    for q in queries:
        exact = set(np.argsort(-(vectors @ q))[:10].tolist())
        found.append(len(exact & set(dense.top(index, q, 10).tolist())) / 10)
    return float(np.mean(found))


def hnsw_sweep(vectors: np.ndarray, queries: np.ndarray) -> list[dict[str, float]]:
    """Recall@10 and latency of HNSW32 at several efSearch values, against exact."""
    from askbj.index import dense

    started = time.perf_counter()
    index = dense.build(vectors, dense.DenseTuning(flat_below=0))
    built = time.perf_counter() - started
    rows = _sweep(index, vectors, queries, (64, 128, 256, 512), 256)
    return [{**row, "build_s": built} for row in rows]


def _sweep(index: Any, vectors: np.ndarray, queries: np.ndarray, efs: tuple[int, ...],
           k: int) -> list[dict[str, float]]:
    """For each efSearch: recall@10 against exact and the time of a top-``k`` search."""
    from askbj.index import dense

    rows = []
    for ef in efs:
        index.hnsw.efSearch = ef
        t0 = time.perf_counter()
        for q in queries:
            dense.top(index, q, k)
        ms = 1000 * (time.perf_counter() - t0) / len(queries)
        rows.append({"ef_search": ef, "recall@10": recall_at_10(index, vectors, queries),
                     f"ms_top{k}": ms})
    return rows


def ef_sweep(index: Any, vectors: np.ndarray, queries: np.ndarray) -> list[dict[str, float]]:
    """Recall@10 and top-512 time of the loaded HNSW graph at several efSearch (no rebuild)."""
    from askbj.index import dense

    if dense.is_exact(index):
        return []
    shipped = index.hnsw.efSearch
    rows = _sweep(index, vectors, queries, (256, 512, 768, 1024, 1536), 512)
    index.hnsw.efSearch = shipped
    return rows


def top_ids(searcher: Any, questions: list[str], mode: str) -> list[list[str]]:
    return [[h.chunk.chunk_id for h in searcher.search(q, k=10, mode=mode)] for q in questions]


def agreement(a: list[list[str]], b: list[list[str]]) -> float:
    """Mean share of the exact top 10 (``b``) found in ``a``'s top 10."""
    return float(np.mean([len(set(x) & set(y)) / max(1, len(y)) for x, y in zip(a, b,
                                                                                 strict=True)]))


def against_exact(index: Any, searcher: Any, questions: list[str]) -> dict[str, float]:
    """Hybrid and dense top 10 of the shipped index against an exact (flat) one over the same
    vectors: the recall of search itself, not only of the graph."""
    from dataclasses import replace

    from askbj.index import dense
    from askbj.retrieve.searcher import Searcher

    if dense.is_exact(index.dense):
        return {"hybrid_recall@10": 1.0, "dense_recall@10": 1.0}
    flat = dense.build(index.vectors, dense.DenseTuning(flat_below=len(index.vectors) + 1))
    exact = Searcher(replace(index, dense=flat), searcher.encoder, searcher.domain)
    out = {f"{m}_recall@10": agreement(top_ids(searcher, questions, m),
                                       top_ids(exact, questions, m))
           for m in ("hybrid", "dense")}
    del exact, flat
    return out


def measure(folder: Path, given: Path) -> dict[str, Any]:
    """In a fresh process: load, search with given vectors and with the real embedder."""
    from askbj.config import thread_policy

    thread_policy()  # as the CLI does, before faiss and the model load their OpenMP
    from askbj import engine
    from askbj.config import Settings
    from askbj.index import store
    from askbj.retrieve.searcher import Searcher

    base = rss_mib()
    started = time.perf_counter()
    index = store.load(folder)
    load_s = time.perf_counter() - started
    loaded = rss_mib()
    questions = dev_questions()
    vectors = np.load(given)
    started = time.perf_counter()
    searcher = Searcher(index, Given(dict(zip(questions, vectors, strict=True))))
    init_s = time.perf_counter() - started
    timed_searches(searcher, questions[:5])  # warm caches (jieba, glossary)
    given_ms = timed_searches(searcher, questions * 2)
    dense_ms = timed_searches(searcher, questions, "dense")
    embedder = engine.make_embedder(Settings())
    real = Searcher(index, embedder, searcher.domain)
    timed_searches(real, questions[:3])
    real_ms = timed_searches(real, questions)
    row = {"passages": len(index.chunks), "faiss": type(index.dense).__name__,
           "load_s": load_s, "searcher_init_s": init_s, "rss_before_mib": base,
           "rss_loaded_mib": loaded,
           "rss_end_mib": rss_mib(),
           "hybrid_given_p50": pct(given_ms, 0.5), "hybrid_given_p95": pct(given_ms, 0.95),
           "dense_given_p50": pct(dense_ms, 0.5), "dense_given_p95": pct(dense_ms, 0.95),
           "hybrid_real_p50": pct(real_ms, 0.5), "hybrid_real_p95": pct(real_ms, 0.95),
           "recall@10": recall_at_10(index.dense, index.vectors, vectors),
           "loadavg": list(os.getloadavg())}
    row["ef_sweep"] = ef_sweep(index.dense, index.vectors, vectors)
    row.update(against_exact(index, searcher, questions))
    started = time.perf_counter()
    store.load(folder, full=True)  # every file hashed, as on a first load after a copy
    row["load_full_check_s"] = time.perf_counter() - started
    return row


def measure_milvus(uri: str, given: Path) -> dict[str, Any]:
    """In a fresh process: load from the Milvus server, search through it."""
    from askbj.config import thread_policy

    thread_policy()
    from askbj import engine
    from askbj.config import Settings
    from askbj.index.milvus import MilvusStore
    from askbj.retrieve.milvus_candidates import MilvusCandidates
    from askbj.retrieve.searcher import Searcher

    base = rss_mib()
    started = time.perf_counter()
    index = MilvusStore(uri, timeout=600).load()
    load_s, loaded = time.perf_counter() - started, rss_mib()
    questions = dev_questions()
    vectors = np.load(given)
    started = time.perf_counter()
    source = MilvusCandidates(index)
    occurrences = len(source.postings.rows)  # BM25 sparse vectors, read once
    postings_s = time.perf_counter() - started
    searcher = Searcher(index, Given(dict(zip(questions, vectors, strict=True))), source=source)
    timed_searches(searcher, questions[:5])  # warm caches (jieba, glossary)
    given_ms = timed_searches(searcher, questions * 2)
    dense_ms = timed_searches(searcher, questions, "dense")
    real = Searcher(index, engine.make_embedder(Settings()), searcher.domain,
                    source=searcher.source)
    timed_searches(real, questions[:3])
    real_ms = timed_searches(real, questions)
    return {"passages": len(index.chunks), "store": "milvus-lite server", "load_s": load_s,
            "bm25_read_s": postings_s, "bm25_occurrences": occurrences,
            "rss_before_mib": base, "rss_loaded_mib": loaded, "rss_end_mib": rss_mib(),
            "hybrid_given_p50": pct(given_ms, 0.5), "hybrid_given_p95": pct(given_ms, 0.95),
            "dense_given_p50": pct(dense_ms, 0.5), "dense_given_p95": pct(dense_ms, 0.95),
            "hybrid_real_p50": pct(real_ms, 0.5), "hybrid_real_p95": pct(real_ms, 0.95),
            "loadavg": list(os.getloadavg())}


def run_milvus(sizes: list[int], work: Path, hold: bool = False) -> None:
    """Each size written into a fresh milvus-lite server by askbj's Milvus ingest, then
    measured in another process (vectors come from the synthetic index: no embedding).
    ``hold``: measure nothing; print the server's URI and keep it until ``WORK/stop``
    exists (measure it with ``--measure-milvus URI WORK/queries.npy``)."""
    sys.path.insert(0, str(REPO / "tests"))
    from askbj import engine
    from askbj.config import Settings
    from askbj.index import milvus_build
    from askbj.index.milvus import MilvusStore

    from milvus_helpers import lite_server

    work.mkdir(parents=True, exist_ok=True)
    given = work / "queries.npy"
    np.save(given, engine.make_embedder(Settings()).embed_queries(dev_questions()))
    for n in sizes:
        index = synthetic(n, flat_below=n + 1)  # the FAISS graph is not needed here
        vectors = {c.chunk_id: v for c, v in zip(index.chunks, index.vectors, strict=True)}
        with lite_server(work / f"milvus-{n}", start_timeout=120) as uri:
            started = time.perf_counter()
            store = MilvusStore(uri, timeout=3600)
            milvus_build.write(store, index.documents, index.chunks,
                               lambda todo, v=vectors: np.stack([v[c.chunk_id] for c in todo]),
                               index.manifest, rebuild=True)
            store.close()
            built = time.perf_counter() - started
            if hold:
                print(json.dumps({"passages": n, "uri": uri, "ingest_s": built,
                                  "loadavg": list(os.getloadavg())}), flush=True)
                while not (work / "stop").exists():
                    time.sleep(2)
                continue
            out = subprocess.run([sys.executable, __file__, "--measure-milvus", uri, str(given)],
                                 capture_output=True, text=True, check=True)
        row = {**json.loads(out.stdout.strip().splitlines()[-1]), "ingest_s": built}
        print(json.dumps(row), flush=True)


def busy() -> None:
    end = time.time() + 900
    while time.time() < end:
        sum(i * i for i in range(10_000))


def run(sizes: list[int], work: Path, with_busy: bool, flat_below: int | None = None,
        graph_dir: Path | None = None) -> None:
    from askbj import engine
    from askbj.config import Settings
    from askbj.index import store

    work.mkdir(parents=True, exist_ok=True)
    given = work / "queries.npy"
    np.save(given, engine.make_embedder(Settings()).embed_queries(dev_questions()))
    neighbour = multiprocessing.Process(target=busy, daemon=True) if with_busy else None
    for n in sizes:
        started = time.perf_counter()
        index = synthetic(n, flat_below=flat_below, graph_dir=graph_dir)
        folder = work / f"index-{n}"
        store.save(index, folder)
        built = time.perf_counter() - started
        sweep = hnsw_sweep(index.vectors, np.load(given)) if 50_000 <= n <= 200_000 else []
        del index
        if neighbour and not neighbour.is_alive():
            neighbour.start()
        out = subprocess.run([sys.executable, __file__, "--measure", str(folder), str(given)],
                             capture_output=True, text=True, check=True)
        row = {**json.loads(out.stdout.strip().splitlines()[-1]), "build_and_save_s": built,
               "hnsw": sweep, "busy_neighbour": with_busy}
        print(json.dumps(row), flush=True)
    if neighbour and neighbour.is_alive():
        neighbour.terminate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--busy", action="store_true", help="a CPU-bound process alongside")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--flat-below", type=int, default=None,
                        help="override DenseTuning.flat_below (e.g. to skip a long HNSW build)")
    parser.add_argument("--graph-dir", type=Path, default=None,
                        help="keep HNSW graphs here and reuse them (same size, seed, tuning)")
    parser.add_argument("--measure-only", action="store_true",
                        help="measure the indexes already in --work (no build)")
    parser.add_argument("--milvus", action="store_true",
                        help="measure the Milvus store (a milvus-lite server) instead of FAISS")
    parser.add_argument("--hold", action="store_true",
                        help="with --milvus: ingest only, keep the server until WORK/stop")
    parser.add_argument("--measure", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--measure-milvus", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    if args.measure_milvus:
        print(json.dumps(measure_milvus(args.measure_milvus[0], Path(args.measure_milvus[1]))))
        return
    print(f"# {platform.machine()}, {multiprocessing.cpu_count()} cores, Python "
          f"{platform.python_version()}", file=sys.stderr)
    work = args.work or Path(tempfile.mkdtemp(prefix="askbj-scale-"))
    if args.milvus:
        run_milvus([int(s) for s in args.sizes.split(",")], work, args.hold)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.measure_only:
        for n in sizes:
            out = subprocess.run([sys.executable, __file__, "--measure", str(work / f"index-{n}"),
                                  str(work / "queries.npy")], capture_output=True, text=True,
                                 check=True)
            print(out.stdout.strip().splitlines()[-1], flush=True)
        return
    run(sizes, work, args.busy, args.flat_below, args.graph_dir)


if __name__ == "__main__":
    main()
