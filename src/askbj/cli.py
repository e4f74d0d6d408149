"""The `askbj` command line: ingest, search, ask, chat, cite, eval, doctor, serve.

Every command takes ``--json`` for a stable machine-readable output (documented in the
README); human output goes to stdout, problems to stderr with a non-zero exit code.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from askbj import engine
from askbj.config import EVAL_MODES, Settings, thread_policy
from askbj.domain import load_domain
from askbj.errors import AskbjError, describe_os_error
from askbj.serve.command import serve_command
from askbj.terminal import (
    arg,
    emit_json,
    err,
    out,
    print_answer_metrics,
    print_metrics,
    print_place,
)

thread_policy()  # before any command loads the model's OpenMP runtime

app = typer.Typer(
    help="askbj: cited answers from your policy documents, offline (domain: --domain).",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)
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
    domain: Annotated[str | None, typer.Option(
        help="Vocabulary of the corpus: a shipped domain name or a .toml file (env ASKBJ_DOMAIN;"
             " default: beijing).")] = None,
    store: Annotated[str | None, typer.Option(
        help="Where the index lives: faiss (files in --index-dir, the default), a Milvus Lite "
             "file (./milvus.db) or a Milvus server (http://host:19530) (env ASKBJ_STORE).")]
    = None,
    embed_url: Annotated[str | None, typer.Option(
        help="Embed through this OpenAI-compatible embeddings service instead of the local "
             "model, e.g. http://localhost:8080/v1 (env ASKBJ_EMBED_URL). Queries must use the "
             "same service model as the ingest.")] = None,
    embed_model: Annotated[str | None, typer.Option(
        help="Model name sent to the embeddings service (env ASKBJ_EMBED_MODEL; default: "
             "intfloat/multilingual-e5-small).")] = None,
) -> None:
    settings = Settings.from_env().with_service(embed_url, embed_model)
    if embed_model and not settings.embed.enabled:
        raise AskbjError("--embed-model names a model of an embeddings service: give the "
                         "service too, with --embed-url or ASKBJ_EMBED_URL (for a local model, "
                         "use --model).")
    if model:
        settings = replace(settings, model=model)
    if domain:
        load_domain(domain)  # a wrong name or file fails here, with what to do
        settings = replace(settings, domain=domain)
    if index_dir:
        settings = replace(settings, index_dir=index_dir)
    if ingest_dir:
        settings = replace(settings, ingest_dir=ingest_dir)
    if store:
        settings = replace(settings, store=store)
    if settings.milvus:
        from askbj.index.milvus import check_uri

        check_uri(settings.store)  # a malformed store fails here, with what to do
    _state["settings"] = settings


def _settings() -> Settings:
    return _state.get("settings") or Settings.from_env()


def _stale_notice(index: Any) -> str:
    """The note that the index lags ``ingest/`` ("" when it does not), shown on stderr."""
    notice = engine.freshness(_settings(), index).notice()
    if notice:
        err.print(Text.assemble(("note: ", "yellow"), notice))
    return notice


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
            bar.update(task, completed=done, total=total,
                       description=engine.STAGES.get(stage, stage))

        report = engine.build(_settings(), rebuild=rebuild, progress=progress)
    for warning in report.warnings:
        err.print(Text.assemble(("warning: ", "yellow"), warning))
    if as_json:
        emit_json({k: list(v) if isinstance(v, tuple) else v for k, v in vars(report).items()})
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
    from askbj.records import SearchResult
    from askbj.retrieve.searcher import prepare_query

    question = arg(question)
    query = prepare_query(question)
    searcher = engine.open_searcher(_settings())
    stale = _stale_notice(searcher.index)
    hits = searcher.search(query.text, k=k, mode=mode)
    if query.notice:
        err.print(Text.assemble(("note: ", "yellow"), query.notice))
    if as_json:
        emit_json(SearchResult(question, mode, tuple(hits), query.notice, stale).to_dict())
        return
    for h in hits:
        section = " / ".join(h.chunk.section)
        out.print(Text.assemble((f"{h.rank}.", "bold"), " ", (h.chunk.doc_id, "cyan"), " ",
                                section, " ", (f"({h.score:.4f}, {h.chunk.chunk_id})", "dim")))
        out.print(Text("   " + h.chunk.text.replace("\n", " ")[:300]))


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
    from askbj.files import check_target
    from askbj.llm.generator import resolve_config

    config = resolve_config(llm, llm_base_url, llm_model)
    if out_path:
        check_target(out_path)
    found = _question_set(questions)
    qs, gold = list(found.questions), found.gold
    answerer = engine.open_answerer(_settings())
    searcher = answerer.searcher
    _stale_notice(searcher.index)
    modes = list(EVAL_MODES) if mode == "all" else [mode]
    contexts = ev.replay_histories(qs, answerer, mode=modes[0])
    runs = {m: ev.run(qs, gold, searcher, m, k, contexts=contexts) for m in modes}
    result = ev.combine(runs)
    if answers:
        answered = ev.run_answers(qs, gold, answerer, mode=modes[0], contexts=contexts)
        result = ev.merge_answers(result, answered)
    if config.enabled:
        generated = ev.run_generated(qs, gold, searcher, config, mode=modes[0],
                                     contexts=contexts)
        result = ev.merge_generated(result, generated)
    result = ev.with_errors(result, found.errors)
    if out_path:
        ev.write_results(out_path, result)
    if as_json:
        emit_json(result)
        return
    print_metrics(runs)
    for key in ("answers", "generated_answers"):
        if key in result["summary"]:
            print_answer_metrics(result["summary"][key], key.replace("_", " "))


def _question_set(path: Path) -> Any:
    """The readable questions of ``path``; each unreadable line is a warning (and an error
    record in the results), a file with none readable is an error."""
    from askbj.evaluate import questions as evq

    found = evq.read_question_set(path)
    if found.errors and not found.questions:
        raise AskbjError(f"{path}:{found.errors[0].line}: {found.errors[0].error}")
    for problem in found.errors:
        err.print(Text.assemble(("warning: ", "yellow"), f"{path}:{problem.line}: {problem.error}"))
    return found


@app.command()
def doctor(as_json: JsonOpt = False) -> None:
    """Check the set-up: packages, model, index, corpus in sync; say what to fix."""
    checks = engine.diagnose(_settings())
    if as_json:
        emit_json([{"check": c.name, "ok": c.ok, "detail": c.detail} for c in checks])
    else:
        for c in checks:
            mark = ("ok  ", "green") if c.ok else ("FIX ", "red")
            out.print(Text.assemble(mark, f" {c.name}: {c.detail}"))
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


ScriptOpt = Annotated[str, typer.Option(
    "--script", help="Answer script: auto (follows the question), simplified or traditional.")]
HistoryOpt = Annotated[Path | None, typer.Option(
    "--history", help="Earlier turns of the conversation: a JSON list of questions (askbj "
    "answers them first) or of {\"question\", \"answer\"} objects, oldest first.")]


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in Chinese or English.")],
    k: KOpt = 8, mode: ModeOpt = "hybrid", script: ScriptOpt = "auto", as_json: JsonOpt = False,
    llm: LLMOpt = None, llm_base_url: UrlOpt = None, llm_model: ModelOpt = None,
    history: HistoryOpt = None,
) -> None:
    """Answer a question from the documents, with numbered, verified citations."""
    from askbj.answer.followup import replay
    from askbj.conversation import answer_and_show, read_history
    from askbj.llm.generator import resolve_config

    config = resolve_config(llm, llm_base_url, llm_model)
    entries = read_history(history) if history else []
    answerer = engine.open_answerer(_settings())
    stale = _stale_notice(answerer.searcher.index)
    turns = replay(answerer, entries, k=k, mode=mode)
    answer_and_show(answerer, config, arg(question), turns, k, mode, script, as_json, stale)


@app.command()
def chat(
    k: KOpt = 8, mode: ModeOpt = "hybrid", script: ScriptOpt = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per answer (JSONL).")]
    = False,
    llm: LLMOpt = None, llm_base_url: UrlOpt = None, llm_model: ModelOpt = None,
) -> None:
    """A conversation: one question per line on standard input; follow-ups ("那上海呢?",
    "the third one") are read in the context of the earlier turns. /new starts over."""
    from askbj.conversation import converse
    from askbj.llm.generator import resolve_config

    config = resolve_config(llm, llm_base_url, llm_model)
    answerer = engine.open_answerer(_settings())
    converse(answerer, config, k, mode, script, as_json, _stale_notice(answerer.searcher.index))


@app.command()
def cite(
    ref: Annotated[str, typer.Argument(
        help="A chunk id, a span DOC:START-END, or a quoted sentence (either script).")],
    context: Annotated[int, typer.Option(
        "--context", min=0, max=20, help="Sentences shown before and after.")] = 1,
    limit: Annotated[int, typer.Option(
        "--limit", min=0, help="Show at most this many places (0: all).")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Show where a citation points: document, author, section, and the text around it."""
    from dataclasses import asdict

    from askbj.lookup import lookup

    ref = arg(ref)
    index = engine.open_index(_settings())
    _stale_notice(index)
    places = lookup(index, ref, context=context)
    shown = places[:limit] if limit else places
    if as_json:
        emit_json({"ref": ref, "total": len(places), "places": [asdict(p) for p in shown]})
        return
    if len(places) > 1:
        out.print(Text(f"{len(places)} places\n", style="dim"))
    for i, p in enumerate(shown):
        if i:
            out.print()
        print_place(p)
    if len(shown) < len(places):
        out.print(Text(f"\n… {len(places) - len(shown)} more places (show them with "
                       f"--limit {len(places)} or --limit 0)", style="dim"))


app.command("serve")(serve_command(_settings))  # options only; FastAPI loads when it runs


def main() -> None:
    """Entry point: user-facing errors become one clear line on stderr and exit code 1."""
    try:
        app()
    except AskbjError as exc:
        err.print(Text.assemble(("error: ", "red"), str(exc)))
        sys.exit(1)
    except OSError as exc:  # permissions, a full disk, a name too long: the user's to fix
        err.print(Text.assemble(("error: ", "red"), describe_os_error(exc)))
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
