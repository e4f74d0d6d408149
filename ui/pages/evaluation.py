"""Retrieval quality on a question set: the three search modes side by side, per language,
with a hit@k chart and a per-question table whose rows open the retrieved passages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from askbj.errors import AskbjError
from ui import session as ui
from ui import widgets as ui_widgets

ui_widgets.setup_page("Evaluation", ":material/monitoring:", "wide")


def load_questions(uploaded, path: Path) -> tuple[str, Any]:  # type: ignore[no-untyped-def]
    if uploaded is not None:
        return uploaded.name, ui.read_uploaded_questions(uploaded.getvalue(), uploaded.name)
    name = ui.display_path(path)
    return name, ui.read_question_file(path, name)


def run(engine: ui.Engine, uploaded, path: Path, modes: list[str]) -> None:  # type: ignore[no-untyped-def]
    name, found = load_questions(uploaded, path)
    questions, gold = list(found.questions), found.gold
    bar = st.progress(0.0, text=f"{len(questions)} questions × {len(modes)} modes")
    runs = ui.run_modes(questions, gold, engine.searcher, modes, answerer=engine.answerer,
                        progress=lambda d, t: bar.progress(d / t, text=f"Searching: {d} / {t}"))
    bar.empty()
    st.session_state["eval"] = {"name": name, "runs": runs, "gold": gold,
                                "errors": list(found.errors)}


def open_selected_row() -> None:
    rows = st.session_state["eval_table"].selection.rows
    shown = st.session_state.get("eval_shown", [])
    if rows and rows[0] < len(shown):
        st.session_state["eval_open"] = shown[rows[0]]


def summary(runs: dict, gold: dict) -> None:  # type: ignore[type-arg]
    cols = st.columns(len(runs))
    for col, (mode, r) in zip(cols, runs.items(), strict=True):
        overall = r["summary"]["metrics"].get("overall", {})
        col.metric(f"{mode} · hit@5", f"{overall.get('hit@5', 0):.3f}",
                   help=f"MRR@10 {overall.get('mrr@10', 0):.3f} · "
                        f"p50 latency {r['summary']['latency_ms_p50']} ms")
    left, right = st.columns([3, 2])
    table = pd.DataFrame(ui.metrics_side_by_side(runs))
    left.dataframe(table, hide_index=True, column_config={
        m: st.column_config.NumberColumn(m, format="%.3f") for m in runs})
    curve = pd.DataFrame(ui.hit_curve(runs, gold))
    right.line_chart(curve, x="k", y=list(runs), x_label="k (passages read)",
                     y_label="hit@k", height=320)


def per_question(runs: dict, gold: dict, index: ui.Index) -> None:  # type: ignore[type-arg]
    everything = ui.question_rows(runs, gold)
    rows = everything
    if st.toggle("Show only questions with a miss", key="misses_only"):
        rows = [r for r in rows if r["status"] in ("✗ missed", "△ partial")]
    st.session_state["eval_shown"] = [r["id"] for r in rows]
    frame = pd.DataFrame(rows)
    styled = frame.style.apply(lambda row: [ui.status_style(str(row["status"]))] * len(row),
                               axis=1) if rows else frame
    st.caption("Rank of the first passage holding the gold evidence, per mode. "
               "Select a row to open what was retrieved.")
    st.dataframe(styled, hide_index=True, key="eval_table", on_select=open_selected_row,
                 selection_mode="single-row",
                 column_order=("status", "id", "lang", "question", *runs))
    ids = [q["id"] for q in next(iter(runs.values()))["questions"]]
    texts = {r["id"]: f"{r['status']} · {r['id']} · {r['question']}" for r in everything}
    picked = st.selectbox("Open a question", ids, key="eval_open", format_func=texts.__getitem__)
    show_retrieved(runs, gold, index, picked)


def show_retrieved(runs: dict, gold: dict, index: ui.Index, qid: str) -> None:  # type: ignore[type-arg]
    tabs = st.tabs(list(runs))
    for tab, r in zip(tabs, runs.values(), strict=True):
        record = next(q for q in r["questions"] if q["id"] == qid)
        g = gold.get(qid)
        flags = ui.relevant_flags(record["hits"], g) if g else [False] * len(record["hits"])
        with tab:
            for source, ok in zip(ui.sources_of_records(record["hits"], index), flags,
                                  strict=False):
                mark = "✓ " if ok else ""
                ui_widgets.render_source(source, index, f"{mark}{source.n}. "
                                         f"{ui.shorten(source.document.title, 28)} — "
                                         f"{source.snippet}")


st.title("Evaluation")
engine = ui_widgets.page_engine()
st.caption(ui.md_literal(f"Runs {ui.display_path(ui.default_questions())} (the fixed dev set) "
                         "or another committed set — or upload a JSONL file with id, question "
                         "and optional lang and evidence."))
sets = ui.question_sets() or [ui.default_questions()]
chosen = st.selectbox("Question set", sets, format_func=ui.display_path, key="eval_set")
uploaded = st.file_uploader("…or upload one (JSONL)", type=["jsonl", "json"], key="eval_upload")
modes = st.multiselect("Search modes", list(ui.EVAL_MODES), default=list(ui.EVAL_MODES),
                       key="eval_modes",
                       help="first-stage: hybrid without its sentence stage (what the stage adds)")
if st.button("Run evaluation", type="primary", key="eval_run", disabled=not modes):
    try:
        run(engine, uploaded, chosen, modes)
    except AskbjError as exc:
        st.error(ui.md_literal(str(exc)))
result = st.session_state.get("eval")
if result:
    st.subheader(ui.md_literal(f"Results · {result['name']}"))
    for problem in result.get("errors", []):  # like `askbj eval`: named, the rest still run
        st.warning(ui.md_literal(f"Line {problem.line} skipped: {problem.error}"))
    if not any(r["summary"]["metrics"] for r in result["runs"].values()):
        st.info("No question in this set has gold evidence, so nothing could be scored.")
    else:
        summary(result["runs"], result["gold"])
    per_question(result["runs"], result["gold"], engine.index)
