"""What the Streamlit app needs beyond layout: configuration, cached loading, safe rendering.

Every string from the corpus or from a user reaches the browser through ``html_block`` or
``md_literal``, which escape HTML *and* Markdown, so a document or a question can never
inject markup: ``<script>`` and ``**bold**`` are shown as typed. The pure helpers (formatting,
passage context, evaluation tables) are plain functions tested without a browser; the few
``render_*`` functions at the end are the Streamlit pieces shared by several pages.

Configuration: ``ASKBJ_HOME`` is the folder holding ``ingest/``, ``index/`` and ``eval/``
(default: the working directory); ``ASKBJ_MODEL`` selects the embedding model (default: the
bundled one). Tests swap ``SETTINGS_FACTORY`` / ``EMBEDDER_FACTORY`` to use a tiny index.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from askbj import index as index_store
from askbj import pipeline
from askbj.errors import AskbjError, IndexDamaged, IndexMissing
from askbj.index import Index
from askbj.records import Answer, Chunk, Document, Hit

MODES = ("hybrid", "dense", "bm25")
SCRIPT_CHOICES = {"auto": "Follow the question", "simplified": "简体 Simplified",
                  "traditional": "繁體 Traditional"}
EXAMPLES = (
    "2023年北京数字经济增加值是多少?",
    "北京算力资源布局里说的“一廊四极”分别是指哪些地方?",
    "北數所的IDeX數據交易系統有什麼特點?",
    "What share of Beijing's GDP did the digital economy account for in 2023?",
    "What does the article mean by a \"rainforest-style innovation ecosystem\"?",
    "What is Beijing's \"one corridor, four poles\" computing layout?",
)
FIRST_RUN = ("**First run:** there is no index yet, so askbj is reading the documents in "
             "`{ingest}` and embedding every passage once. This takes a minute or two; "
             "later starts load the saved index in seconds.")


# --- configuration and loading --------------------------------------------------------------

def settings_from_env() -> pipeline.Settings:
    """Settings from ``ASKBJ_HOME`` (ingest/, index/) and ``ASKBJ_MODEL``."""
    return pipeline.Settings(model=os.environ.get("ASKBJ_MODEL") or None)


SETTINGS_FACTORY: Callable[[], pipeline.Settings] = settings_from_env
EMBEDDER_FACTORY: Callable[[pipeline.Settings], Any] = pipeline.make_embedder


def factory_key() -> str:
    """Names the embedder factory in use, so a swapped factory gets its own cache entry."""
    f = EMBEDDER_FACTORY
    return f"{getattr(f, '__module__', '')}.{getattr(f, '__qualname__', repr(f))}"


def home() -> Path:
    return Path(os.environ.get("ASKBJ_HOME", Path.cwd()))


def default_questions() -> Path:
    return home() / "eval" / "questions.jsonl"


def display_path(path: Path) -> str:
    """``path`` relative to ``ASKBJ_HOME`` when inside it (shorter to read)."""
    try:
        return str(Path(path).relative_to(home()))
    except ValueError:
        return str(path)


@dataclass
class Engine:
    """A loaded index with its searcher and answerer; one per process, shared by sessions."""

    settings: pipeline.Settings
    searcher: Any
    answerer: Any

    @property
    def index(self) -> Index:
        return self.searcher.index  # type: ignore[no-any-return]

    def ask(self, question: str, options: AskOptions) -> Answer:
        return self.answerer.ask(  # type: ignore[no-any-return]
            question, k=options.k, mode=options.mode,
            doc_ids=set(options.doc_ids) if options.doc_ids else None, script=options.script)


@dataclass(frozen=True)
class AskOptions:
    mode: str = "hybrid"
    k: int = 8
    doc_ids: tuple[str, ...] = ()
    script: str = "auto"

    def describe(self, index: Index) -> str:
        scope = (f"{len(self.doc_ids)} of {len(index.documents)} documents" if self.doc_ids
                 else "all documents")
        return f"{self.mode} · top {self.k} passages · {scope} · script: {self.script}"


@st.cache_resource(show_spinner=False, max_entries=4)
def get_embedder(settings: pipeline.Settings, factory: str) -> Any:
    """The embedding model, loaded once per process (``factory`` only keys the cache)."""
    return EMBEDDER_FACTORY(settings)


@st.cache_resource(show_spinner=False, max_entries=4)
def get_engine(settings: pipeline.Settings, factory: str) -> Engine:
    """Searcher and answerer over the saved index, loaded once per process."""
    from askbj.answer import Answerer

    searcher = pipeline.open_searcher(settings, get_embedder(settings, factory))
    return Engine(settings, searcher, Answerer(searcher))


@dataclass(frozen=True)
class IndexStatus:
    """What the sidebar shows about the index on disk (read without loading it)."""

    exists: bool
    model: str = ""
    documents: int = 0
    chunks: int = 0
    built_at: str = ""
    corpus_matches: bool | None = None
    problem: str = ""


def index_status(settings: pipeline.Settings) -> IndexStatus:
    from askbj.sources import file_hashes

    try:
        m = index_store.read_manifest(settings.index_dir)
    except IndexMissing as exc:
        return IndexStatus(False, problem=str(exc))
    except IndexDamaged as exc:
        return IndexStatus(True, problem=str(exc))
    try:
        matches: bool | None = file_hashes(settings.ingest_dir) == m.corpus
    except AskbjError:
        matches = None
    return IndexStatus(True, m.model, m.counts.get("documents", len(m.corpus)),
                       m.counts.get("chunks", 0), m.built_at, matches)


# --- escaping -------------------------------------------------------------------------------

# Everything HTML or (Streamlit's) Markdown could read as syntax becomes a numeric character
# reference: the parser then sees a literal character and never markup.
_MARKUP = "\\`*_{}[]()<>#+-.!|~$:&\"'=^@"
_ENTITIES = {ord(c): f"&#{ord(c)};" for c in _MARKUP}


def literal(text: str) -> str:
    """``text`` as inert inline HTML/Markdown: shows exactly these characters, on one line."""
    escaped = text.replace("\r\n", "\n").translate(_ENTITIES)
    return escaped.replace("\n", "<br>")


def md_literal(text: str) -> str:
    """``text`` for Markdown-only places (alerts, labels): no HTML, hard line breaks."""
    lines = (line.strip().translate(_ENTITIES) for line in text.replace("\r\n", "\n").split("\n"))
    return "  \n".join(lines)


def html_block(inner_html: str, css_class: str) -> str:
    """One line starting with ``<div>``: a single HTML block, so Markdown never parses it."""
    return f'<div class="{css_class}">{inner_html.replace(chr(10), "")}</div>'


def answer_html(answer: Answer) -> str:
    """The answer text, escaped, with its own ``[n]`` citation markers styled."""
    numbers = {c.n for c in answer.citations}
    parts = re.split(r"\[(\d+)\]", answer.text)
    out = [literal(parts[0])]
    for number, rest in zip(parts[1::2], parts[2::2], strict=True):
        if int(number) in numbers:
            out.append(f'<span class="askbj-ref">[{number}]</span>')
        else:
            out.append(literal(f"[{number}]"))
        out.append(literal(rest))
    return html_block("".join(out), "askbj-answer")


def shorten(text: str, limit: int = 90) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


# --- sources and passages -------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """One numbered source of an answer: a passage, the sentences cited in it (document
    offsets) and the near-duplicate passages folded into it."""

    n: int
    chunk: Chunk
    document: Document
    spans: tuple[tuple[int, int], ...] = ()
    alternates: tuple[str, ...] = ()

    @property
    def section(self) -> str:
        return " › ".join(self.chunk.section)

    @property
    def snippet(self) -> str:
        d = self.document.text
        return shorten(d[self.spans[0][0] : self.spans[0][1]] if self.spans else self.chunk.text)


def _chunk_map(index: Index) -> dict[str, Chunk]:
    return {c.chunk_id: c for c in index.chunks}


def sources_of(answer: Answer, index: Index) -> list[Source]:
    """The answer's citations grouped by number (one passage may back several sentences)."""
    chunks, grouped = _chunk_map(index), {}
    for c in answer.citations:
        chunk = chunks.get(c.chunk_id)
        if chunk is None:
            continue
        prev = grouped.get(c.n)
        spans = (*(prev.spans if prev else ()), (c.start, c.end))
        grouped[c.n] = Source(c.n, chunk, index.document(c.doc_id), spans, c.alternates)
    return [grouped[n] for n in sorted(grouped)]


def sources_of_hits(hits: Iterable[Hit], index: Index) -> list[Source]:
    """Search hits as uncited sources (for "possibly related" and evaluation rows)."""
    return [Source(h.rank, h.chunk, index.document(h.chunk.doc_id), (), h.alternates)
            for h in hits]


def sources_of_records(records: Iterable[dict[str, Any]], index: Index) -> list[Source]:
    """Hits in the JSON form ``evaluate.hit_record`` writes, as sources (unknown ids skipped)."""
    chunks, out = _chunk_map(index), []
    for r in records:
        chunk = chunks.get(str(r["chunk_id"]))
        if chunk is not None:
            out.append(Source(int(r["rank"]), chunk, index.document(chunk.doc_id), (),
                              tuple(r.get("alternates", ()))))
    return out


def alternate_titles(source: Source, index: Index) -> list[str]:
    """Titles of the other documents holding the same passage (e.g. the other script)."""
    chunks, titles = _chunk_map(index), []
    for chunk_id in source.alternates:
        chunk = chunks.get(chunk_id)
        if chunk is not None:
            title = index.document(chunk.doc_id).title
            if title not in titles and chunk.doc_id != source.document.doc_id:
                titles.append(title)
    return titles


def source_item_html(source: Source, also_in: list[str]) -> str:
    """One line of the numbered source list: title · section · snippet · also in."""
    parts = [f'<span class="n">[{source.n}]</span> <b>{literal(source.document.title)}</b>']
    if source.section:
        parts.append(f' <span class="meta">· {literal(source.section)}</span>')
    parts.append(f'<br><span class="snip">“{literal(source.snippet)}”</span>')
    if also_in:
        parts.append(f'<br><span class="alt">also in: {literal("; ".join(also_in))}</span>')
    return html_block("".join(parts), "askbj-src")


@dataclass(frozen=True)
class PassageView:
    """A passage in its document: context before/after and the passage cut into
    (text, highlighted) segments."""

    before: str
    segments: tuple[tuple[str, bool], ...]
    after: str


def passage_view(source: Source, context: int = 240) -> PassageView:
    text, chunk = source.document.text, source.chunk
    lo, hi = max(0, chunk.start - context), min(len(text), chunk.end + context)
    cuts = sorted((max(s, chunk.start), min(e, chunk.end)) for s, e in source.spans
                  if s < chunk.end and e > chunk.start)
    segments: list[tuple[str, bool]] = []
    pos = chunk.start
    for s, e in cuts:
        if s > pos:
            segments.append((text[pos:s], False))
        if e > max(s, pos):
            segments.append((text[max(s, pos) : e], True))
        pos = max(pos, e)
    if pos < chunk.end:
        segments.append((text[pos : chunk.end], False))
    before = ("…" if lo > 0 else "") + text[lo : chunk.start]
    after = text[chunk.end : hi] + ("…" if hi < len(text) else "")
    return PassageView(before, tuple(segments), after)


def _display(text: str) -> str:
    """Escaped for display, runs of blank lines shown as one line break."""
    return literal(re.sub(r"\n[ \t\u3000]*(?:\n[ \t\u3000]*)+", "\n", text))


def passage_html(view: PassageView) -> str:
    body = "".join(f"<mark>{_display(t)}</mark>" if marked else _display(t)
                   for t, marked in view.segments)
    return html_block(f'<span class="ctx">{_display(view.before)}</span>'
                      f'<span class="psg">{body}</span>'
                      f'<span class="ctx">{_display(view.after)}</span>', "askbj-passage")


def document_meta(doc: Document) -> list[tuple[str, str]]:
    rows = [("Title", doc.title), ("Authors", "、".join(doc.authors)), ("Venue", doc.venue),
            ("Date", doc.date), ("Language", doc.lang), ("Document id", doc.doc_id),
            ("File", doc.path)]
    return [(k, v) for k, v in rows if v]


def table_html(rows: Iterable[tuple[str, str]]) -> str:
    """A two-column (label, value) table, every cell escaped."""
    body = "".join(f"<tr><th>{literal(k)}</th><td>{literal(v)}</td></tr>" for k, v in rows)
    return html_block(f"<table>{body}</table>", "askbj-meta")


def meta_html(doc: Document, extra: Iterable[tuple[str, str]] = ()) -> str:
    return table_html([*document_meta(doc), *extra])


def doc_label(doc: Document) -> str:
    return f"{doc.doc_id} · {shorten(doc.title, 36)}" + (f" ({doc.lang})" if doc.lang else "")


def place_view(place: Any) -> PassageView:
    """A ``cite.CitationPlace`` as context / marked quote / context."""
    p = place.passage
    return PassageView(p[: place.mark_start], ((p[place.mark_start : place.mark_end], True),),
                       p[place.mark_end :])


def place_meta(place: Any) -> list[tuple[str, str]]:
    rows = [("Title", place.title), ("Authors", "、".join(place.authors)),
            ("Venue", place.venue), ("Date", place.date),
            ("Section", " › ".join(place.section)),
            ("Span", f"{place.doc_id}:{place.start}-{place.end}"), ("Passage", place.chunk_id)]
    return [(k, v) for k, v in rows if v]


# --- documents page -------------------------------------------------------------------------

def documents_rows(index: Index) -> list[dict[str, object]]:
    counts: dict[str, int] = {}
    for c in index.chunks:
        counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
    return [{"id": d.doc_id, "title": d.title, "authors": "、".join(d.authors),
             "venue": d.venue, "date": d.date, "language": d.lang,
             "chunks": counts.get(d.doc_id, 0), "characters": len(d.text)}
            for d in index.documents]


def document_sections(doc: Document) -> list[tuple[str, int, int]]:
    """(label, start, end) for each heading-delimited section of the document, in order."""
    from askbj.chunk import sections

    out = []
    for s in sections(doc.text):
        label = " › ".join(s.path) if s.path else "(opening)"
        out.append((label, s.start, s.end))
    return out


# --- evaluation page ------------------------------------------------------------------------

METRICS = ("hit@1", "hit@5", "mrr@10", "ndcg@10")


def run_modes(questions: list[Any], gold: dict[str, Any], searcher: Any,
              modes: Iterable[str], k: int = 10,
              progress: Callable[[int, int], None] | None = None) -> dict[str, dict[str, Any]]:
    """``evaluate.run`` for each mode, reporting (done, total) questions across all modes."""
    from askbj import evaluate as ev

    modes = list(modes)
    total, done = len(questions) * len(modes), 0

    def tick(_: object) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    return {m: ev.run(questions, gold, searcher, m, k, on_question=tick) for m in modes}


def metrics_side_by_side(runs: dict[str, dict[str, Any]]) -> list[dict[str, object]]:
    """Rows (scope, metric) with one column per mode: overall first, then each language."""
    scopes: list[str] = []
    for r in runs.values():
        for scope in r["summary"]["metrics"]:
            if scope not in scopes:
                scopes.append(scope)
    scopes.sort(key=lambda s: (s != "overall", s))
    rows = []
    for scope in scopes:
        first = next((r["summary"]["metrics"].get(scope) for r in runs.values()), None) or {}
        for metric in METRICS:
            row: dict[str, object] = {"scope": scope, "n": int(first.get("n", 0)),
                                      "metric": metric}
            for mode, r in runs.items():
                row[mode] = r["summary"]["metrics"].get(scope, {}).get(metric)
            rows.append(row)
    return rows


def read_uploaded_questions(data: bytes, name: str = "upload.jsonl",
                            ) -> tuple[list[Any], dict[str, Any]]:
    """``evaluate.read_questions`` for an uploaded file's bytes (errors name the file)."""
    import tempfile

    from askbj.evaluate import read_questions

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(data)
        try:
            return read_questions(path)
        except AskbjError as exc:
            raise AskbjError(str(exc).replace(str(path), name)) from exc


def relevant_flags(hits: list[dict[str, Any]], gold: Any) -> list[bool]:
    from askbj.evaluate import relevant_groups

    return [bool(relevant_groups(str(h["text"]), gold)) for h in hits]


def hit_curve(runs: dict[str, dict[str, Any]], gold: dict[str, Any],
              kmax: int = 10) -> list[dict[str, float]]:
    """hit@k for k = 1..kmax per mode: the share of evidence groups found in the top k."""
    from askbj.evaluate import relevant_groups

    rows = [{"k": float(k)} for k in range(1, kmax + 1)]
    for mode, r in runs.items():
        judged = [q for q in r["questions"] if q["id"] in gold and gold[q["id"]].answerable]
        sums = [0.0] * kmax
        for q in judged:
            g = gold[q["id"]]
            found: set[str] = set()
            for k in range(kmax):
                if k < len(q["hits"]):
                    found |= relevant_groups(str(q["hits"][k]["text"]), g)
                sums[k] += len(found) / len(g.groups)
        for k in range(kmax):
            rows[k][mode] = round(sums[k] / len(judged), 4) if judged else 0.0
    return rows


STATUS_STYLES = {"✗ missed": "background-color: rgba(229, 72, 77, 0.18)",
                 "△ partial": "background-color: rgba(245, 166, 35, 0.16)"}


def status_style(status: str) -> str:
    """CSS for a per-question table row, so misses stand out."""
    return STATUS_STYLES.get(status, "")


def question_rows(runs: dict[str, dict[str, Any]], gold: dict[str, Any]) -> list[dict[str, object]]:
    """Per question: the rank of the first relevant passage in each mode ("miss" if none)."""
    modes = list(runs)
    rows = []
    for i, q in enumerate(runs[modes[0]]["questions"]):
        g = gold.get(q["id"])
        row: dict[str, object] = {"id": q["id"], "lang": q["lang"], "question": q["question"]}
        misses = 0
        for m in modes:
            if g is None or not g.answerable:
                row[m] = "—"
                continue
            flags = relevant_flags(runs[m]["questions"][i]["hits"], g)
            first = next((r for r, f in enumerate(flags, start=1) if f), None)
            row[m] = str(first) if first else "miss"
            misses += first is None
        judged = g is not None and g.answerable
        row["status"] = ("unjudged" if not judged else "✗ missed" if misses == len(modes)
                         else "△ partial" if misses else "✓ found")
        rows.append(row)
    return rows


# --- Streamlit pieces shared by the pages ---------------------------------------------------

CSS = """<style>
.askbj-answer{line-height:1.8;font-size:1.02rem}
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


NAV = (("streamlit_app.py", "Ask", ":material/forum:"),
       ("pages/1_Citation_lookup.py", "Citation lookup", ":material/link:"),
       ("pages/2_Documents.py", "Documents", ":material/description:"),
       ("pages/3_Evaluation.py", "Evaluation", ":material/monitoring:"))


def setup_page(title: str, icon: str, layout: str = "centered") -> None:
    """Page config, the app's CSS, and sidebar links to the pages (Streamlit's own page list
    is switched off in .streamlit/config.toml because it would call the chat "streamlit app")."""
    st.set_page_config(page_title=f"{title} · Ask Beijing", page_icon=icon,
                       layout=layout)  # type: ignore[arg-type]
    st.html(CSS)
    with st.sidebar:
        for path, label, nav_icon in NAV:
            st.page_link(path, label=label, icon=nav_icon)
        st.divider()


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
    if answer.notice:
        st.caption(md_literal(answer.notice))
    if answer.abstained:
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


def build_index(settings: pipeline.Settings, rebuild: bool = False) -> pipeline.BuildReport:
    """Ingest with a progress bar, then drop the cached engine so the new index is used."""
    bar = st.progress(0.0, text="Reading documents…")

    def progress(stage: str, done: int, total: int) -> None:
        bar.progress(min(1.0, done / total) if total else 1.0,
                     text=f"Embedding passages: {done} / {total}")

    report = pipeline.build(settings, embedder=get_embedder(settings, factory_key()),
                            rebuild=rebuild, progress=progress)
    bar.progress(1.0, text=f"Indexed {report.chunks} passages ({report.embedded} embedded) "
                           f"in {report.seconds:.1f} s")
    get_engine.clear()
    return report


def ensure_engine() -> Engine | None:
    """The engine, building the index on first run; a clear message when that cannot work."""
    settings = SETTINGS_FACTORY()
    try:
        if not index_status(settings).exists:
            st.info(FIRST_RUN.format(ingest=settings.ingest_dir))
            build_index(settings)
        with st.spinner("Loading the model and the index…"):
            return get_engine(settings, factory_key())
    except AskbjError as exc:
        st.error(md_literal(str(exc)))
        if st.button("Update the index now", key="fix_index", type="primary"):
            build_index(settings)
            st.rerun()
        return None


def render_index_panel(settings: pipeline.Settings | None = None) -> None:
    """Sidebar: index status and an update/rebuild button with progress."""
    settings = settings or SETTINGS_FACTORY()
    status = index_status(settings)
    st.subheader("Index")
    if not status.exists or status.problem:
        st.warning(md_literal(status.problem or "No index yet."))
    else:
        fresh = {True: "✓ matches ingest/", False: "⚠ ingest/ changed — update",
                 None: "ingest/ not found"}[status.corpus_matches]
        st.markdown(md_literal(f"Model: {status.model}\n{status.documents} documents, "
                               f"{status.chunks} passages\nBuilt: {status.built_at}\n"
                               f"Corpus: {fresh}"))
    scratch = st.checkbox("Re-embed everything", key="rebuild_all",
                          help="Otherwise only new or changed passages are embedded.")
    if st.button("Update index", key="rebuild", width="stretch"):
        try:
            build_index(settings, rebuild=scratch)
        except AskbjError as exc:
            st.error(md_literal(str(exc)))
