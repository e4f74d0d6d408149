"""What the command line prints, and how: document text verbatim, problems on stderr.

Document and user text is never read as rich markup or emoji codes (``root:x:0`` stays
``root:x:0``, ``[bold]`` stays literal): it goes into ``Text`` objects, whose styles come
only from here. Lone surrogates (argv bytes that were not UTF-8) become U+FFFD before
anything is printed or written as JSON.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from askbj.text.normalize import without_surrogates

out = Console(highlight=False, soft_wrap=True, emoji=False)
err = Console(stderr=True, highlight=False, emoji=False, soft_wrap=True)


def emit_json(payload: Any) -> None:
    sys.stdout.write(without_surrogates(json.dumps(payload, ensure_ascii=False, indent=2))
                     + "\n")


def arg(text: str) -> str:
    """A command-line argument as text: bytes that were not UTF-8 become U+FFFD."""
    return without_surrogates(text)


def print_metrics(runs: dict[str, dict[str, Any]]) -> None:
    table = Table(title="Retrieval on the question set")
    for col in ("mode", "lang", "n", "hit@1", "hit@5", "mrr@10", "ndcg@10"):
        table.add_column(col, justify="right" if col not in ("mode", "lang") else "left")
    for mode, result in runs.items():
        for lang, m in result["summary"]["metrics"].items():
            table.add_row(Text(mode), Text(lang), str(int(m["n"])),
                          *(f"{m[x]:.3f}" for x in ("hit@1", "hit@5", "mrr@10", "ndcg@10")))
    if table.row_count:
        out.print(table)
    for mode, result in runs.items():
        out.print(f"{mode}: {result['summary']['questions']} questions, "
                  f"p50 latency {result['summary']['latency_ms_p50']} ms")


def print_answer_metrics(summary: dict[str, Any], label: str = "answers") -> None:
    out.print(
        f"{label}: evidence carried {summary['evidence_carried']} of {summary['answerable']} "
        f"answerable, false abstentions {summary['false_abstentions']}, abstained on "
        f"{summary['unanswerable_abstained']}/{summary['unanswerable']} unanswerable, "
        f"citation validity {summary['citation_validity']}, "
        f"p50 {summary['latency_ms_p50']} ms, p95 {summary['latency_ms_p95']} ms"
        + (f", fell back to extracted {summary['fell_back']}" if "fell_back" in summary else "")
    )


def print_sources(answer: Any, titles: dict[str, str]) -> None:
    if answer.citations:
        out.print(Text("\nSources", style="bold"))
        for n in sorted({c.n for c in answer.citations}):
            c = next(c for c in answer.citations if c.n == n)
            line = _source_line(titles[c.doc_id], c.section, c.quote)
            out.print(Text.assemble((f"[{n}]", "bold"), " ", line, " ",
                                    (f"({c.doc_id}:{c.start}-{c.end}, {c.chunk_id})", "dim")))
    elif answer.hits:
        out.print(Text("\nPossibly related", style="bold"))
        for h in answer.hits:
            line = _source_line(titles[h.chunk.doc_id], h.chunk.section, h.chunk.text)
            out.print(Text.assemble("- ", line, " ", (f"({h.chunk.chunk_id})", "dim")))


def _source_line(title: str, section: tuple[str, ...], text: str) -> str:
    snippet = " ".join(text.split())
    snippet = snippet if len(snippet) <= 80 else snippet[:80] + "…"
    return " · ".join(p for p in (title, " / ".join(section), snippet) if p)


def print_place(p: Any) -> None:
    out.print(Text(p.title, style="bold"))
    for label, value in (("author", "、".join(p.authors)), ("venue", p.venue),
                         ("date", p.date), ("section", " / ".join(p.section))):
        if value:
            out.print(Text.assemble((f"{label}:", "dim"), " ", value))
    out.print(Text.assemble(("span:", "dim"), f" {p.doc_id}:{p.start}-{p.end}",
                            (f" (chunk {p.chunk_id})" if p.chunk_id else "", "dim")))
    text = p.passage
    out.print(Text.assemble(text[: p.mark_start], (text[p.mark_start : p.mark_end],
                                                   "bold reverse"), text[p.mark_end :]))
