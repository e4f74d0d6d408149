"""Writes ``tests/data/hits_baseline.json``: the hits every committed question set gets from the
real index, so a change to how search is computed can be checked to give the same hits.

Usage: .venv/bin/python tests/integration/hits_baseline.py [INDEX_DIR]
The searcher writing it takes every passage as a candidate (``Fusion(candidates=N)`` for N
passages), which is a full scan by construction; ``test_same_hits.py`` checks that search at
the default and at a shallow depth gives exactly those hits. (The first stored file was
written by the full-scan searcher that preceded candidate search, main at aebbabd, and
candidate search matched it with 0 differences; it was rewritten this way when the English
term rules changed, 2026-12-01.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "tests" / "data" / "hits_baseline.json"
FILTER = ("003", "004")
CASES: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("hybrid", 10, ()), ("dense", 10, ()), ("bm25", 10, ()), ("hybrid", 50, ()),
    ("hybrid", 10, FILTER), ("dense", 10, FILTER), ("bm25", 10, FILTER),
)


def case_name(mode: str, k: int, docs: tuple[str, ...]) -> str:
    return f"{mode}/k{k}" + (f"/docs={','.join(docs)}" if docs else "")


def questions() -> list[tuple[str, str]]:
    out = []
    for path in sorted((REPO / "eval").glob("questions*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out.append((f"{path.name}:{row['id']}", row["question"]))
    return out


def hits_of(searcher: Any) -> dict[str, dict[str, list[list[Any]]]]:
    found: dict[str, dict[str, list[list[Any]]]] = {}
    for qid, text in questions():
        found[qid] = {}
        for mode, k, docs in CASES:
            hits = searcher.search(text, k=k, mode=mode, doc_ids=set(docs) or None)
            found[qid][case_name(mode, k, docs)] = [
                [h.chunk.chunk_id, h.score, list(h.alternates)] for h in hits]
    return found


def dumps(found: dict[str, dict[str, list[list[Any]]]]) -> str:
    """One question a line, so a change shows as the questions it touches."""
    rows = (f"{json.dumps(q, ensure_ascii=False)}: "
            f"{json.dumps(cases, ensure_ascii=False, separators=(',', ':'))}"
            for q, cases in found.items())
    return "{\n" + ",\n".join(rows) + "\n}\n"


def main() -> None:
    from askbj import engine
    from askbj.config import Settings
    from askbj.retrieve.fusion import Fusion
    from askbj.retrieve.searcher import Searcher

    index_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "index"
    shipped = engine.open_searcher(Settings(ingest_dir=REPO / "ingest", index_dir=index_dir))
    every = len(shipped.index.chunks)
    searcher = Searcher(shipped.index, shipped.encoder, shipped.domain, Fusion(candidates=every))
    BASELINE.write_text(dumps(hits_of(searcher)), encoding="utf-8")
    print(f"wrote {BASELINE}", file=sys.stderr)


if __name__ == "__main__":
    main()
