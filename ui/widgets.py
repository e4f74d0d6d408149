"""The Streamlit pieces shared by the pages: page setup, rendering of text, answers and
sources, streaming a generated answer, loading (or first building) the index, and adding
an uploaded document to it.

The hooks ``SETTINGS_FACTORY`` / ``EMBEDDER_FACTORY`` and the cached loaders are read from
``askbj.ui`` at call time (``ui.X``, never ``from ui.session import X``), so tests that swap
them on ``askbj.ui`` are seen here.
"""

from __future__ import annotations

import streamlit as st

from askbj import engine
from askbj.config import Settings
from askbj.errors import AskbjError, describe_os_error
from askbj.index.store import Index
from askbj.ingest.sources import SUPPORTED
from askbj.ingest.uploads import MAX_BYTES, safe_name, save_upload
from askbj.llm.client import LLMConfig
from askbj.llm.generator import Generator, fell_back
from askbj.records import Answer
from ui import session as ui
from ui.html import (
    Source,
    alternate_titles,
    answer_html,
    html_block,
    literal,
    md_literal,
    meta_html,
    passage_html,
    passage_view,
    shorten,
    source_item_html,
    sources_of,
    sources_of_hits,
    stream_literal,
)

FIRST_RUN = ("**First run:** there is no index yet, so askbj is reading the documents in "
             "`{ingest}` and embedding every passage once. This takes a minute or two; "
             "later starts load the saved index in seconds.")


CSS = """<style>
.askbj-answer{line-height:1.8;font-size:1.02rem}
.askbj-partial{border-left:4px solid #d9a400;padding:.3rem .8rem;background:rgba(217,164,0,.08)}
.askbj-status{color:#8a6a00;font-size:.8rem;font-weight:600;margin-bottom:.2rem}
.askbj-ref{color:#1a62d6;font-weight:700;font-size:.78em;vertical-align:super;margin:0 1px}
.askbj-user{line-height:1.7}
.askbj-src{padding:.35rem .7rem;border-left:3px solid #c9d3e0;margin:.35rem 0;font-size:.9rem;
 line-height:1.6}
.askbj-src .n{font-weight:700;color:#1a62d6}
.askbj-src .meta{color:#5b6675}
.askbj-src .snip{color:#39424e}
.askbj-src .alt{color:#7a4fc2;font-size:.85em}
.askbj-passage{line-height:1.85;padding:.8rem 1rem;background:rgba(127,140,160,.08);
 border-radius:.5rem;margin-bottom:.6rem}
.askbj-passage .ctx{color:#8a94a3}
.askbj-passage mark{background:#ffe98a;color:inherit;padding:0 2px;border-radius:3px}
.askbj-meta table{font-size:.85rem;border-collapse:collapse;margin:0}
.askbj-meta th{color:#5b6675;font-weight:600;padding:1px 12px 1px 0;text-align:left;
 border:none;vertical-align:top;white-space:nowrap}
.askbj-meta td{padding:1px 0;border:none}
.askbj-doc{line-height:1.85;max-height:32rem;overflow-y:auto;padding:.8rem 1rem;
 background:rgba(127,140,160,.06);border-radius:.5rem}
</style>"""


def setup_page(title: str, icon: str, layout: str = "centered") -> None:
    """Page config and the app's CSS (the page list is ``st.navigation``'s, in
    streamlit_app.py)."""
    st.set_page_config(page_title=f"{title} · Ask Beijing", page_icon=icon,
                       layout=layout)  # type: ignore[arg-type]
    st.html(CSS)


def render_text(text: str, css_class: str = "askbj-user") -> None:
    """User- or corpus-supplied text, shown literally."""
    st.markdown(html_block(literal(text), css_class), unsafe_allow_html=True)


def render_source(source: Source, index: Index, label: str | None = None) -> None:
    """An expander showing the passage in its document, cited sentences highlighted."""
    title = label or f"[{source.n}] {shorten(source.document.title, 40)}"
    with st.expander(md_literal(title), expanded=False):
        if source.section:
            st.caption(md_literal(source.section))
        st.markdown(passage_html(passage_view(source)), unsafe_allow_html=True)
        extra = [("Passage", f"{source.chunk.chunk_id} · characters "
                             f"{source.chunk.start}–{source.chunk.end}")]
        also = alternate_titles(source, index)
        if also:
            extra.append(("Also in", "; ".join(also)))
        st.markdown(meta_html(source.document, extra), unsafe_allow_html=True)


def render_answer(answer: Answer, index: Index, caption: str = "") -> None:
    """An answer with its numbered sources, or an abstention with possibly related passages."""
    if fell_back(answer):
        st.warning(md_literal(answer.notice), icon=":material/warning:")
    elif answer.notice:
        st.caption(md_literal(answer.notice))
    if answer.abstained and answer.status != "partial":
        st.info(md_literal(answer.text), icon=":material/search_off:")
        related = sources_of_hits(answer.hits[:3], index)
        if related:
            st.caption("Possibly related passages")
        for s in related:
            render_source(s, index, f"{s.n}. {shorten(s.document.title, 24)} — "
                                    f"{shorten(s.snippet, 48)}")
    else:
        st.markdown(answer_html(answer), unsafe_allow_html=True)
        sources = sources_of(answer, index)
        st.caption(f"Sources ({len(sources)})")
        for s in sources:
            st.markdown(source_item_html(s, alternate_titles(s, index)), unsafe_allow_html=True)
        for s in sources:
            render_source(s, index, f"[{s.n}] Open in document · {shorten(s.document.title, 30)}")
    if caption:
        st.caption(md_literal(caption))


def render_llm_panel(config: LLMConfig) -> bool:
    """Sidebar: which model writes answers, and whether it should; False when none is set."""
    st.subheader("Answers")
    st.markdown(md_literal(f"LLM: {ui.llm_label(config)}"))
    if not config.enabled:
        return False
    return st.toggle("Generate a fluent answer with the LLM", value=True, key="llm_on",
                     help="The model rewrites the retrieved passages; each sentence it writes "
                          "is checked against the passage it cites and removed if unsupported. "
                          "Questions the documents do not answer never reach the model.")


def stream_answer(generator: Generator, extractive: Answer, script: str) -> Answer:
    """Show the model's words as they come, then clear them: the caller shows the verified
    answer instead, which can differ (sentences removed, or the extractive fallback)."""
    draft = generator.draft(extractive, script)
    slot = st.empty()
    with slot.container():
        st.caption(md_literal(f"Writing with {generator.config.model}… each sentence is "
                              "checked against its source when it is done."))
        st.write_stream(stream_literal(draft))
    final = draft.answer()
    slot.empty()
    return final


def build_index(settings: Settings, rebuild: bool = False) -> engine.BuildReport:
    """Ingest with a progress bar, then drop the cached engine so the new index is used."""
    bar = st.progress(0.0, text="Reading documents…")

    def progress(stage: str, done: int, total: int) -> None:
        bar.progress(min(1.0, done / total) if total else 1.0,
                     text=f"{engine.STAGES.get(stage, stage)}: {done} / {total}")

    report = engine.build(settings, embedder=ui.get_embedder(settings, ui.factory_key()),
                            rebuild=rebuild, progress=progress)
    bar.progress(1.0, text=f"Indexed {report.chunks} passages ({report.embedded} embedded) "
                           f"in {report.seconds:.1f} s")
    ui.get_engine.clear()
    return report


def problem_line(exc: Exception) -> str:
    """The one line the UI shows for a user-fixable failure; OS errors name no server folder."""
    if isinstance(exc, OSError):
        return describe_os_error(exc, shown=ui.display_path)
    return str(exc)


UPDATE_NOW = "Update the index now"


def ensure_engine() -> ui.Engine | None:
    """The engine, building the index on first run; a clear message when that cannot work.
    A stale index still serves, under a notice with a button to update it."""
    settings = ui.SETTINGS_FACTORY()
    try:
        if not ui.index_status(settings).exists:
            st.info(FIRST_RUN.format(ingest=settings.ingest_dir))
            build_index(settings)
        with st.spinner("Loading the model and the index…"):
            loaded = ui.get_engine(settings, ui.factory_key())
    except (AskbjError, OSError) as exc:
        st.error(md_literal(problem_line(exc)))
        _update_button(settings)
        return None
    notice = engine.freshness(settings, loaded.index).notice(action=f"press “{UPDATE_NOW}”")
    if notice:
        st.warning(md_literal(f"Answering from the last index: {notice}."))
        _update_button(settings)
    return loaded


def _update_button(settings: Settings) -> None:
    if st.button(UPDATE_NOW, key="fix_index", type="primary"):
        try:
            build_index(settings)
        except (AskbjError, OSError) as exc:
            st.error(md_literal(problem_line(exc)))
            return
        st.rerun()


def page_engine() -> ui.Engine:
    """The engine for a secondary page, with the index panel in its sidebar; without an
    engine the page stops after ``ensure_engine`` has said why."""
    engine = ensure_engine()
    if engine is None:
        st.stop()
    with st.sidebar:
        render_index_panel(engine.settings)
    return engine


def render_index_panel(settings: Settings | None = None) -> None:
    """Sidebar: index status and an update/rebuild button with progress."""
    settings = settings or ui.SETTINGS_FACTORY()
    status = ui.index_status(settings)
    st.subheader("Index")
    if not status.exists or status.problem:
        st.warning(md_literal(status.problem or "No index yet."))
    else:
        fresh = {True: "✓ matches ingest/", False: "⚠ ingest/ changed — answers come from "
                 "the last index; update it",
                 None: "ingest/ not found"}[status.corpus_matches]
        st.markdown(md_literal(f"Model: {status.model}\n{status.documents} documents, "
                               f"{status.chunks} passages\nBuilt: {status.built_at}\n"
                               f"Corpus: {fresh}"))
    scratch = st.checkbox("Re-embed everything", key="rebuild_all",
                          help="Otherwise only new or changed passages are embedded.")
    if st.button("Update index", key="rebuild", width="stretch"):
        try:
            build_index(settings, rebuild=scratch)
        except (AskbjError, OSError) as exc:
            st.error(md_literal(problem_line(exc)))


def render_upload(settings: Settings) -> None:
    """Documents page: add a file to the ingest folder and index it at once. The uploader's
    key changes after each success, so the added file does not linger as a new upload."""
    turn = st.session_state.setdefault("upload_turn", 0)
    for kind, message in st.session_state.pop("upload_result", []):
        getattr(st, kind)(md_literal(message))
    kinds = ", ".join(SUPPORTED)
    file = st.file_uploader(f"File to add to the index ({kinds}; up to {MAX_BYTES // 2**20} MB)",
                            type=[s.lstrip(".") for s in SUPPORTED], key=f"doc_upload_{turn}",
                            max_upload_size=MAX_BYTES // 2**20)
    if file is None:
        return
    try:
        name = safe_name(file.name)
    except AskbjError as exc:
        st.error(md_literal(str(exc)))
        return
    exists = (settings.ingest_dir / name).exists()
    replace = False
    if exists:
        st.warning(md_literal(f"{name} is already in {settings.ingest_dir}/. Replacing it "
                              "re-indexes that document from the uploaded file."))
        replace = st.checkbox("Replace it", key=f"upload_replace_{turn}")
    label = "Replace and index" if exists else "Add and index"
    if st.button(label, key="upload_add", type="primary", disabled=exists and not replace):
        add_upload(settings, file.name, file.getvalue(), replace)


def add_upload(settings: Settings, name: str, data: bytes, overwrite: bool) -> None:
    """Save, re-index incrementally with a progress bar, then rerun with a fresh engine."""
    try:
        path = save_upload(settings.ingest_dir, name, data, overwrite=overwrite,
                           limits=settings.limits)
        report = build_index(settings)
    except (AskbjError, OSError) as exc:
        st.error(md_literal(problem_line(exc)))
        return
    problems = [w for w in report.warnings if path.name in w]
    done = (f"{'Replaced' if overwrite else 'Added'} {path.name}: the index now holds "
            f"{report.chunks} passages ({report.embedded} newly embedded, "
            f"{report.seconds:.1f} s). Ask about it on the Ask page.")
    st.session_state["upload_result"] = (
        [("warning", f"{path.name} was saved but not indexed: {'; '.join(problems)}")]
        if problems else [("success", done)])
    st.session_state["upload_turn"] += 1
    st.rerun()
