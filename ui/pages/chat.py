"""The chat page: questions and follow-ups, each answered with cited sentences.

Layout only: loading, answering and all escaping of corpus and user text live in
``ui.session``, ``ui.widgets`` and ``ui.html``.
"""

from __future__ import annotations

import streamlit as st
from ui import session as ui
from ui import widgets as ui_widgets

from askbj.errors import AskbjError

ui_widgets.setup_page("问北京", ":material/forum:")


def clear_conversation() -> None:
    st.session_state["history"] = []


def queue_question(question: str) -> None:
    st.session_state["pending"] = question


def sidebar(engine: ui.Engine, llm: ui.LLMConfig) -> ui.AskOptions:
    docs = {d.doc_id: d for d in engine.index.documents}
    with st.sidebar:
        st.button("Clear conversation", icon=":material/delete_sweep:", key="clear",
                  on_click=clear_conversation, width="stretch")
        st.subheader("Search")
        mode = st.radio("Search mode", ui.MODES, horizontal=True, key="mode",
                        help="hybrid = dense (meaning, cross-lingual) + BM25 (exact words)")
        k = st.slider("Passages to retrieve", 1, 20, 8, key="k")
        chosen = st.multiselect("Only these documents", list(docs), key="doc_filter",
                                format_func=lambda d: ui.doc_label(docs[d]),
                                placeholder="All documents")
        script = st.selectbox("Answer script", list(ui.SCRIPT_CHOICES), key="script",
                              format_func=ui.SCRIPT_CHOICES.__getitem__)
        generate = ui_widgets.render_llm_panel(llm)
        ui_widgets.render_index_panel(engine.settings)
    return ui.AskOptions(mode, k, tuple(chosen), script, llm.model if generate else "")


def show_body(turn: ui.ChatTurn, index: ui.Index) -> None:
    if turn.role == "user":
        ui_widgets.render_text(turn.text)
    elif turn.answer is None:
        st.error(ui.md_literal(turn.error))
    else:
        ui_widgets.render_answer(turn.answer, index, turn.caption)


def show_turn(turn: ui.ChatTurn, index: ui.Index) -> None:
    with st.chat_message(turn.role):
        show_body(turn, index)


def answer(engine: ui.Engine, question: str, options: ui.AskOptions, llm: ui.LLMConfig,
           history: list[ui.ChatTurn]) -> ui.ChatTurn:
    try:
        with st.spinner("Searching the documents…"):
            result = engine.ask(question, options, ui.turns_of(history))
    except AskbjError as exc:
        return ui.ChatTurn.failed(str(exc))
    if options.llm and not result.abstained:  # the model never sees an unanswerable question
        result = ui_widgets.stream_answer(engine.generator(llm), result, options.script)
    caption = "\n".join(c for c in (ui.searched_caption(result),
                                     options.describe(engine.index, result)) if c)
    return ui.ChatTurn.answered(result, caption)


def examples() -> None:
    st.markdown("##### Try a question · 试试这些问题")
    cols = st.columns(2)
    for i, question in enumerate(ui.examples()):
        cols[i % 2].button(question, key=f"example_{i}", on_click=queue_question,
                           args=(question,), width="stretch")


st.title("Ask Beijing · 问北京")
st.caption(f"Cited answers from {ui.subject()} — offline, every sentence quoted from a "
           "source. Ask in Chinese or English.")
# The input box first: it is usable while the model and index are still loading.
question = st.chat_input("Ask a question · 输入问题") or st.session_state.pop(
    "pending", None)
engine = ui_widgets.ensure_engine()
if engine is None:
    st.stop()
llm = ui.llm_config()
options = sidebar(engine, llm)
history: list[ui.ChatTurn] = st.session_state.setdefault("history", [])
if not history and not question:
    examples()
for turn in history:
    show_turn(turn, engine.index)
if question:
    user_turn = ui.ChatTurn.asked(question)
    show_turn(user_turn, engine.index)
    with st.chat_message("assistant"):
        reply = answer(engine, question, options, llm, history)
        show_body(reply, engine.index)
    history.extend([user_turn, reply])
