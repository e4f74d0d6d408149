"""The `askbj` command line: ingest, search, ask, cite, eval, doctor.

Every command takes ``--json`` for a stable machine-readable output (documented in the
README); human output goes to stdout, problems to stderr with a non-zero exit code.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from askbj import engine
from askbj.config import Settings, thread_policy
from askbj.errors import AskbjError

thread_policy()  # before any command loads the model's OpenMP runtime

app = typer.Typer(
    help="Ask Beijing: cited answers from Beijing digital-economy policy documents, offline.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)
_state: dict[str, Settings] = {}

ModeOpt = Annotated[str, typer.Option("--mode", "-m", help="hybrid (default), dense or bm25.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print stable JSON instead of text.")]
KOpt = Annotated[int, typer.Option("-k", min=1, max=100, help="How many passages.")]
LLMOpt = Annotated[bool | None, typer.Option("--llm/--no-llm", help="Generate the answer with a "
    "model, checked against its citations (default: on when a base URL and model are set).")]
UrlOpt = Annotated[str | None, typer.Option(help="OpenAI-compatible endpoint, e.g. "
    "http://localhost:11434/v1 (env ASKBJ_LLM_BASE_URL).")]
ModelOpt = Annotated[str | None, typer.Option(help="Model name (env ASKBJ_LLM_MODEL).")]


@app.callback()
def _options(
    index_dir: Annotated[Path | None, typer.Option(
        help="Index folder (default: $ASKBJ_HOME/index, else ./index).")] = None,
    ingest_dir: Annotated[Path | None, typer.Option(
        help="Documents folder (default: $ASKBJ_HOME/ingest, else ./ingest).")] = None,
    model: Annotated[str | None, typer.Option(
        help="Sentence-transformers model name or path (env ASKBJ_MODEL; default: bundled "
             "multilingual-e5-small 4-bit).")] = None,
) -> None:
    settings = Settings(model=model)
    if index_dir:
        settings = replace(settings, index_dir=index_dir)
    if ingest_dir:
        settings = replace(settings, ingest_dir=ingest_dir)
    _state["settings"] = settings


def _settings() -> Settings:
    return _state.get("settings") or Settings()


def _emit_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


@app.command()
def ingest(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Re-embed everything.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Build or update the index from the documents in ingest/."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True,
                  disable=as_json or not err.is_terminal) as bar:
        task = bar.add_task("Embedding passages", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = engine.build(_settings(), rebuild=rebuild, progress=progress)
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}")
    if as_json:
        _emit_json({k: list(v) if isinstance(v, tuple) else v for k, v in vars(report).items()})
        return
    out.print(
        f"Indexed {report.chunks} passages from "
        f"{len(report.added) + len(report.changed) + len(report.unchanged)} documents in "
        f"{report.seconds:.1f} s ({report.embedded} embedded). "
        f"added: {len(report.added)}, changed: {len(report.changed)}, "
        f"removed: {len(report.removed)}, unchanged: {len(report.unchanged)}"
    )


@app.command()
def search(
    question: Annotated[str, typer.Argument(help="The question, in Chinese or English.")],
    k: KOpt = 10, mode: ModeOpt = "hybrid", as_json: JsonOpt = False,
) -> None:
    """Show the passages that best match a question."""
    from askbj.evaluate.runner import hit_record
    from askbj.retrieve.searcher import prepare_query

    query = prepare_query(question)
    hits = engine.open_searcher(_settings()).search(query.text, k=k, mode=mode)
    if query.notice:
        err.print(f"[yellow]note:[/] {query.notice}")
    if as_json:
        _emit_json({"question": question, "mode": mode, "notice": query.notice,
                    "hits": [hit_record(h) for h in hits]})
        return
    for h in hits:
        section = " / ".join(h.chunk.section)
        out.print(f"[bold]{h.rank}.[/] [cyan]{h.chunk.doc_id}[/] {escape(section)} "
                  f"[dim]({h.score:.4f}, {h.chunk.chunk_id})[/]")
        out.print("   " + escape(h.chunk.text.replace("\n", " ")[:300]))


@app.command("eval")
def evaluate(
    questions: Annotated[Path, typer.Argument(help="Questions JSONL (id, question[, lang]).")],
    out_path: Annotated[Path | None, typer.Option("--out", help="Write results JSON here.")] = None,
    mode: Annotated[
        str, typer.Option("--mode", "-m", help="hybrid, dense, bm25 or all.")] = "hybrid",
    k: KOpt = 10, as_json: JsonOpt = False,
    answers: Annotated[bool, typer.Option(
        "--answers/--no-answers", help="Also answer each question and score the answers.")] = True,
    llm: LLMOpt = None, llm_base_url: UrlOpt = None, llm_model: ModelOpt = None,
) -> None:
    """Run a question set; with gold evidence, print hit@1/hit@5/MRR@10/nDCG@10 per language."""
    from askbj.evaluate import runner as ev
    from askbj.llm.generator import resolve_config

    config = resolve_config(llm, llm_base_url, llm_model)
    qs, gold = ev.read_questions(questions)
    searcher = engine.open_searcher(_settings())
    modes = ["hybrid", "dense", "bm25"] if mode == "all" else [mode]
    runs = {m: ev.run(qs, gold, searcher, m, k) for m in modes}
    result = ev.combine(runs)
    if answers:
        from askbj.answer.extractive import Answerer

        answered = ev.run_answers(qs, gold, Answerer(searcher), mode=modes[0])
        result = ev.merge_answers(result, answered)
    if config.enabled:
        generated = ev.run_generated(qs, gold, searcher, config, mode=modes[0])
        result = ev.merge_generated(result, generated)
    if out_path:
        out_path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    if as_json:
        _emit_json(result)
    else:
        _print_metrics(runs)
        for key in ("answers", "generated_answers"):
            if key in result["summary"]:
                _print_answer_metrics(result["summary"][key], key.replace("_", " "))


def _print_metrics(runs: dict[str, dict[str, Any]]) -> None:
    table = Table(title="Retrieval on the question set")
    for col in ("mode", "lang", "n", "hit@1", "hit@5", "mrr@10", "ndcg@10"):
        table.add_column(col, justify="right" if col not in ("mode", "lang") else "left")
    for mode, result in runs.items():
        for lang, m in result["summary"]["metrics"].items():
            table.add_row(mode, lang, str(int(m["n"])),
                          *(f"{m[x]:.3f}" for x in ("hit@1", "hit@5", "mrr@10", "ndcg@10")))
    if table.row_count:
        out.print(table)
    for mode, result in runs.items():
        out.print(f"{mode}: {result['summary']['questions']} questions, "
                  f"p50 latency {result['summary']['latency_ms_p50']} ms")


@app.command()
def doctor(as_json: JsonOpt = False) -> None:
    """Check the set-up: packages, model, index, corpus in sync; say what to fix."""
    checks = engine.diagnose(_settings())
    if as_json:
        _emit_json([{"check": c.name, "ok": c.ok, "detail": c.detail} for c in checks])
    else:
        for c in checks:
            mark = "[green]ok[/]  " if c.ok else "[red]FIX[/] "
            out.print(f"{mark} {escape(c.name)}: {escape(c.detail)}")
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


def _print_answer_metrics(summary: dict[str, Any], label: str = "answers") -> None:
    out.print(
        f"{label}: evidence carried {summary['evidence_carried']} of {summary['answerable']} "
        f"answerable, false abstentions {summary['false_abstentions']}, abstained on "
        f"{summary['unanswerable_abstained']}/{summary['unanswerable']} unanswerable, "
        f"citation validity {summary['citation_validity']}, "
        f"p50 {summary['latency_ms_p50']} ms, p95 {summary['latency_ms_p95']} ms"
        + (f", fell back to extracted {summary['fell_back']}" if "fell_back" in summary else "")
    )


ScriptOpt = Annotated[str, typer.Option(
    "--script", help="Answer script: auto (follows the question), simplified or traditional.")]


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in Chinese or English.")],
    k: KOpt = 8, mode: ModeOpt = "hybrid", script: ScriptOpt = "auto", as_json: JsonOpt = False,
    llm: LLMOpt = None, llm_base_url: UrlOpt = None, llm_model: ModelOpt = None,
) -> None:
    """Answer a question from the documents, with numbered, verified citations."""
    from askbj.evaluate.runner import answer_record, hit_record
    from askbj.llm.generator import Generator, resolve_config

    config, streamed = resolve_config(llm, llm_base_url, llm_model), []
    answerer = engine.open_answerer(_settings())
    answer = Generator(config, answerer).ask(  # tokens shown as they come, then the checked text
        question, k=k, mode=mode, script=script, on_token=None if as_json else _token(streamed),
    ) if config.enabled else answerer.ask(question, k=k, mode=mode, script=script)
    if as_json:
        _emit_json({"question": question, "answer": answer_record(answer),
                    "hits": [hit_record(h) for h in answer.hits]})
        return
    if answer.notice:
        err.print(f"[yellow]note:[/] {escape(answer.notice)}")
    out.print(("\n\n[bold]Checked answer[/]\n" if streamed else "") + escape(answer.text)
              if answer.text != "".join(streamed).strip() else "")  # else: it has just streamed
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


def _token(streamed: list[str]) -> Callable[[str], None]:
    def show(token: str) -> None:
        streamed.append(token)
        out.print(token, end="", markup=False, highlight=False)

    return show


def _source_line(title: str, section: tuple[str, ...], text: str) -> str:
    snippet = " ".join(text.split())
    snippet = snippet if len(snippet) <= 80 else snippet[:80] + "…"
    return " · ".join(p for p in (title, " / ".join(section), snippet) if p)


@app.command()
def cite(
    ref: Annotated[str, typer.Argument(
        help="A chunk id, a span DOC:START-END, or a quoted sentence (either script).")],
    context: Annotated[int, typer.Option(
        "--context", min=0, max=20, help="Sentences shown before and after.")] = 1,
    as_json: JsonOpt = False,
) -> None:
    """Show where a citation points: document, author, section, and the text around it."""
    from dataclasses import asdict

    from askbj.lookup import lookup

    places = lookup(engine.open_index(_settings()), ref, context=context)
    if as_json:
        _emit_json({"ref": ref, "places": [asdict(p) for p in places]})
        return
    if len(places) > 1:
        out.print(f"[dim]{len(places)} places[/]\n")
    for i, p in enumerate(places):
        if i:
            out.print()
        out.print(f"[bold]{escape(p.title)}[/]")
        for label, value in (("author", "、".join(p.authors)), ("venue", p.venue),
                             ("date", p.date), ("section", " / ".join(p.section))):
            if value:
                out.print(f"[dim]{label}:[/] {escape(value)}")
        out.print(f"[dim]span:[/] {p.doc_id}:{p.start}-{p.end}"
                  + (f" [dim](chunk {p.chunk_id})[/]" if p.chunk_id else ""))
        text = p.passage
        out.print(escape(text[: p.mark_start]) + "[bold reverse]"
                  + escape(text[p.mark_start : p.mark_end]) + "[/]" + escape(text[p.mark_end :]))


def main() -> None:
    """Entry point: user-facing errors become one clear line on stderr and exit code 1."""
    try:
        app()
    except AskbjError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}")
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
