"""Embeddings from a service: ``RemoteEncoder`` against a real HTTP server on loopback."""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from askbj import cli, engine
from askbj.config import Settings, embed_service
from askbj.errors import AskbjError, IndexDamaged
from askbj.index.remote import RemoteEncoder
from askbj.index.service import EmbedService
from askbj.serve.config import ServeConfig
from askbj.serve.engine import settings_with

from corpora import DOCS, write_ingest
from fake_embed_server import FakeEmbeddings, fake_vectors

TEXTS = [f"第{i}段：数字经济与数据要素 passage {i}" for i in range(10)]


def service(server: FakeEmbeddings, **changes: Any) -> EmbedService:
    """Fast settings for tests: no waiting between tries, short timeouts."""
    base = EmbedService(url=server.base_url, model="test/e5", backoff=0.0, timeout=5.0)
    return replace(base, **changes)


@pytest.fixture
def server() -> Iterator[FakeEmbeddings]:
    with FakeEmbeddings() as running:
        yield running


@pytest.fixture(autouse=True)
def no_service_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("URL", "MODEL", "API_KEY", "PROMPTS", "BATCH", "CONCURRENCY"):
        monkeypatch.delenv(f"ASKBJ_EMBED_{name}", raising=False)


def test_batches_are_bounded_and_rows_keep_the_texts_order(server: FakeEmbeddings) -> None:
    seen: list[int] = []
    vectors = RemoteEncoder(service(server, batch_size=3)).embed_documents(TEXTS, seen.append)
    sent = ["passage: " + t for t in TEXTS]
    batches = server.batches
    assert sorted(len(b) for b in batches) == [1, 3, 3, 3]
    assert sorted(t for b in batches for t in b) == sorted(sent)  # each text once
    assert all(b == sent[sent.index(b[0]) : sent.index(b[0]) + len(b)] for b in batches)
    np.testing.assert_allclose(vectors, fake_vectors(sent), atol=1e-6)  # row i is text i
    assert vectors.dtype == np.float32 and vectors.shape == (10, 64)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert sorted(seen) == [1, 3, 3, 3]  # progress as each batch comes back


def test_at_most_concurrency_requests_are_in_flight() -> None:
    with FakeEmbeddings(delay=0.15) as slow:
        encoder = RemoteEncoder(service(slow, batch_size=2, concurrency=3))
        vectors = encoder.embed_documents(TEXTS * 2)
    assert len(slow.batches) == 10
    assert 2 <= slow.max_in_flight <= 3  # parallel, never beyond the bound
    np.testing.assert_allclose(vectors, fake_vectors(["passage: " + t for t in TEXTS * 2]),
                               atol=1e-6)


def test_rows_follow_the_index_field_not_the_listing_order() -> None:
    with FakeEmbeddings(reverse=True) as backwards:
        vectors = RemoteEncoder(service(backwards)).embed_queries(TEXTS[:4])
    np.testing.assert_allclose(vectors, fake_vectors(["query: " + t for t in TEXTS[:4]]),
                               atol=1e-6)
    assert not np.allclose(vectors[0], vectors[3])


def test_base64_embeddings_are_read() -> None:
    with FakeEmbeddings(garble="base64") as packed:
        vectors = RemoteEncoder(service(packed)).embed_queries(TEXTS[:2])
    np.testing.assert_allclose(vectors, fake_vectors(["query: " + t for t in TEXTS[:2]]),
                               atol=1e-6)


def test_overload_and_rate_limit_are_retried_until_they_pass() -> None:
    with FakeEmbeddings(failures=(503, 429, 502)) as flaky:
        vectors = RemoteEncoder(service(flaky, retries=3)).embed_queries(TEXTS[:2])
    assert len(flaky.batches) == 4  # three failures, then the answer
    np.testing.assert_allclose(vectors, fake_vectors(["query: " + t for t in TEXTS[:2]]),
                               atol=1e-6)


def test_a_service_that_keeps_failing_is_a_clear_error_after_bounded_tries() -> None:
    with FakeEmbeddings(always=503) as down:
        with pytest.raises(AskbjError) as info:
            RemoteEncoder(service(down, retries=2)).embed_documents(TEXTS)
        tries = len(down.batches)
    message = str(info.value)
    assert "failed 3 times" in message and "HTTP 503: overloaded (503)" in message
    assert down.base_url in message
    assert 3 <= tries <= 3 * 2  # each batch at most 1 + retries, the rest cancelled


def test_retry_after_is_honoured_but_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    from askbj.index import remote

    waits: list[float] = []
    monkeypatch.setattr(remote, "_pause", lambda stop, seconds: waits.append(seconds))
    with FakeEmbeddings(failures=(503, 503)) as flaky:
        RemoteEncoder(service(flaky, backoff=0.25, retries=2)).embed_queries(["x"])
    assert waits == [0.25, 0.5]  # backoff doubles (the server's Retry-After is 0)
    with FakeEmbeddings(failures=(429, 429), retry_after="3") as limited:
        RemoteEncoder(service(limited, backoff=0.25, retries=2)).embed_queries(["x"])
    with FakeEmbeddings(failures=(429,), retry_after="3600") as limited:
        RemoteEncoder(service(limited, backoff=0.25, retries=2)).embed_queries(["x"])
    assert waits[2:] == [3.0, 3.0, remote.MAX_WAIT]


def test_a_failed_batch_stops_the_others_retries_and_unsent_batches() -> None:
    with FakeEmbeddings(failures=(400, 503, 503, 503, 503)) as failing:
        encoder = RemoteEncoder(service(failing, batch_size=2, concurrency=2, backoff=0.5))
        started = time.monotonic()
        with pytest.raises(AskbjError, match="HTTP 400"):
            encoder.embed_documents(TEXTS)
        assert time.monotonic() - started < 0.45  # no 0.5 s wait for the 503's next try
        assert len(failing.batches) == 2  # the 3 batches not sent yet never are


def test_an_interrupt_cancels_the_batches_not_sent() -> None:
    def interrupt(n: int) -> None:
        raise KeyboardInterrupt

    with FakeEmbeddings(delay=0.1) as slow:
        encoder = RemoteEncoder(service(slow, batch_size=1, concurrency=2))
        with pytest.raises(KeyboardInterrupt):
            encoder.embed_documents(TEXTS, interrupt)
        assert len(slow.batches) <= 4 < len(TEXTS)


def test_an_unreachable_service_says_so() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    encoder = RemoteEncoder(EmbedService(url=f"http://127.0.0.1:{port}", backoff=0.0,
                                         retries=1))
    with pytest.raises(AskbjError, match="cannot connect") as info:
        encoder.embed_queries(["x"])
    assert f"http://127.0.0.1:{port}/v1/embeddings failed 2 times" in str(info.value)
    assert "Start it, or correct --embed-url / ASKBJ_EMBED_URL" in str(info.value)


def test_a_stalled_service_times_out() -> None:
    with FakeEmbeddings(delay=2.0) as stalled:
        encoder = RemoteEncoder(service(stalled, timeout=0.2, retries=1))
        with pytest.raises(AskbjError, match=r"no reply within 0\.2 s.*ASKBJ_EMBED_TIMEOUT"):
            encoder.embed_queries(["x"])


@pytest.mark.parametrize(("status", "advice"), [
    (400, "check that the service serves the model 'test/e5'"),
    (401, "ASKBJ_EMBED_API_KEY"),
    (404, "give the server's base URL"),
    (413, "ASKBJ_EMBED_BATCH"),
])
def test_a_refusal_is_not_retried_and_names_the_fix(status: int, advice: str) -> None:
    with FakeEmbeddings(always=status) as refusing:
        with pytest.raises(AskbjError) as info:
            RemoteEncoder(service(refusing)).embed_queries(["x"])
        assert len(refusing.batches) == 1
    assert f"HTTP {status}: overloaded ({status})" in str(info.value)  # the server's message
    assert advice in str(info.value)


@pytest.mark.parametrize(("garble", "what"), [
    ("not-json", "the body is not JSON"),
    ("short", "expected 'data' with 2 items, got 1 items"),
    ("no-embedding", "item 0 has no 'embedding'"),
    ("same-index", "repeated or out-of-range 'index'"),
])
def test_a_reply_of_the_wrong_shape_is_a_clear_error(garble: str, what: str) -> None:
    with FakeEmbeddings(garble=garble) as broken, pytest.raises(AskbjError) as info:
        RemoteEncoder(service(broken)).embed_queries(["x", "y"])
    assert "not an OpenAI embeddings response" in str(info.value) and what in str(info.value)


def test_a_dimension_change_mid_run_is_refused() -> None:
    with FakeEmbeddings(garble="dim-change") as shifting:
        encoder = RemoteEncoder(service(shifting, batch_size=2, concurrency=1))
        assert encoder.dim == 64  # the probe: the first reply
        with pytest.raises(AskbjError, match="32-dimensional vectors after 64-dimensional"):
            encoder.embed_documents(TEXTS)


def test_the_api_key_is_sent_as_a_bearer_token() -> None:
    with FakeEmbeddings(api_key="s3cret") as guarded:
        RemoteEncoder(service(guarded, api_key="s3cret")).embed_queries(["x"])
        assert guarded.seen[-1].headers["Authorization"] == "Bearer s3cret"
        with pytest.raises(AskbjError, match="ASKBJ_EMBED_API_KEY"):
            RemoteEncoder(service(guarded)).embed_queries(["x"])
        assert "Authorization" not in guarded.seen[-1].headers
    assert "s3cret" not in repr(service(guarded, api_key="s3cret"))


def test_prompt_styles(server: FakeEmbeddings) -> None:
    RemoteEncoder(service(server, prompts="input_type")).embed_documents(["a"])
    RemoteEncoder(service(server, prompts="input_type")).embed_queries(["b"])
    RemoteEncoder(service(server, query_prefix="Q> ")).embed_queries(["c"])
    RemoteEncoder(service(server, prompts="none")).embed_queries(["d"])
    bodies = [s.body for s in server.seen]
    assert [(b["input"], b.get("input_type")) for b in bodies] == [
        (["a"], "passage"), (["b"], "query"), (["Q> c"], None), (["d"], None)]
    assert {b["model"] for b in bodies} == {"test/e5"}


def test_names_tell_models_and_prompts_apart() -> None:
    assert EmbedService(url="http://x", model="m").name == "remote:m"
    names = {EmbedService(url="http://x", model="m", **kw).name for kw in (
        {}, {"prompts": "input_type"}, {"prompts": "none"}, {"query_prefix": ""})}
    assert len(names) == 4
    assert EmbedService(url="http://h:1").endpoint == "http://h:1/v1/embeddings"
    assert EmbedService(url="http://h:1/api/v1/").endpoint == "http://h:1/api/v1/embeddings"
    assert EmbedService(url="http://h/v1/embeddings").endpoint == "http://h/v1/embeddings"


def test_settings_read_the_service_from_the_environment() -> None:
    env = {"ASKBJ_EMBED_URL": " http://emb:8080/v1 ", "ASKBJ_EMBED_MODEL": "BAAI/bge-m3",
           "ASKBJ_EMBED_API_KEY": "k", "ASKBJ_EMBED_QUERY_PREFIX": "", "ASKBJ_EMBED_BATCH": "16",
           "ASKBJ_EMBED_CONCURRENCY": "2", "ASKBJ_EMBED_TIMEOUT": "7.5"}
    embed = Settings.from_env(env).embed
    assert (embed.url, embed.model, embed.api_key) == ("http://emb:8080/v1", "BAAI/bge-m3", "k")
    assert (embed.query_prefix, embed.document_prefix) == ("", "passage: ")
    assert (embed.batch_size, embed.concurrency, embed.timeout) == (16, 2, 7.5)
    assert not Settings.from_env({}).embed.enabled
    with pytest.raises(AskbjError, match="ASKBJ_EMBED_BATCH must be a whole number, got 'lots'"):
        embed_service({"ASKBJ_EMBED_BATCH": "lots"})
    with pytest.raises(AskbjError, match="concurrency must be at least 1"):
        embed_service({"ASKBJ_EMBED_CONCURRENCY": "0"})
    flags = Settings.from_env(env).with_service(None, "other")
    assert (flags.embed.url, flags.embed.model) == ("http://emb:8080/v1", "other")


def test_make_embedder_uses_the_service_when_a_url_is_set(server: FakeEmbeddings) -> None:
    settings = Settings().with_service(server.base_url, "test/e5")
    encoder = engine.make_embedder(settings)
    assert isinstance(encoder, RemoteEncoder) and encoder.name == "remote:test/e5"
    assert encoder.dim == 64
    served = settings_with(**ServeConfig(embed_url=server.base_url, embed_model="m").folders())
    assert (served.embed.url, served.embed.model) == (server.base_url, "m")  # askbj serve


def test_the_manifest_records_the_service_model_and_another_is_refused(
        tmp_path: Path, server: FakeEmbeddings) -> None:
    settings = write_ingest(tmp_path)
    seen: list[tuple[str, int, int]] = []
    report = engine.build(settings, RemoteEncoder(service(server, batch_size=2)),
                          progress=lambda *a: seen.append(a))
    manifest = json.loads((settings.index_dir / "manifest.json").read_text("utf-8"))
    assert manifest["model"] == "remote:test/e5" and manifest["dim"] == 64
    passages = [x for x in seen if x[0] == "embed"]
    assert passages[-1] == ("embed", report.chunks, report.chunks) and len(passages) > 1
    assert seen[-1] == ("sentences", report.sentences_embedded, report.sentences_embedded)
    hits = engine.open_searcher(settings, RemoteEncoder(service(server))).search("算力格局")
    assert hits
    with pytest.raises(IndexDamaged) as info:
        engine.open_searcher(settings, RemoteEncoder(service(server, model="other/model")))
    message = str(info.value)
    assert "'remote:test/e5'" in message and "'remote:other/model'" in message
    assert "--embed-url URL --embed-model test/e5" in message and "--rebuild" in message
    with pytest.raises(IndexDamaged, match="--embed-url URL --embed-model test/e5"):
        engine.load_index(settings, "askbj/multilingual-e5-small-q4")  # the local model


def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
            *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["askbj", *args])
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        cli.main()
    captured = capsys.readouterr()
    return int(info.value.code or 0), captured.out, captured.err


def test_cli_ingest_and_search_through_the_service(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        server: FakeEmbeddings) -> None:
    settings = write_ingest(tmp_path)
    folders = ["--index-dir", str(settings.index_dir), "--ingest-dir", str(settings.ingest_dir)]

    def askbj(*args: str) -> tuple[int, str, str]:
        return run_cli(monkeypatch, capsys, *args)

    service_args = ["--embed-url", server.base_url, "--embed-model", "test/e5"]
    code, out, err = askbj(*folders, *service_args, "ingest", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["embedded"] == report["chunks"] > 0 and len(report["added"]) == len(DOCS)
    sent = [t for b in server.batches for t in b]
    # every passage, then every distinct sentence, sent as a passage
    assert sum(t.startswith("passage: ") for t in sent) == \
        report["chunks"] + report["sentences_embedded"]

    monkeypatch.setenv("ASKBJ_EMBED_URL", server.base_url)  # the environment works as well
    code, out, err = askbj(*folders, "--embed-model", "test/e5", "search", "一廊四极的算力格局",
                           "--json", "--mode", "dense", "-k", "3")
    assert code == 0, err
    hits = json.loads(out)["hits"]
    assert hits and "算力" in hits[0]["text"]
    assert server.batches[-1] == ["query: 一廊四极的算力格局"]

    code, out, err = askbj(*folders, *service_args[:2], "--embed-model", "other", "search", "x")
    assert code == 1 and "--embed-model test/e5" in " ".join(err.split())
    monkeypatch.delenv("ASKBJ_EMBED_URL")
    code, out, err = askbj(*folders, "--embed-model", "test/e5", "search", "x")
    assert code == 1 and "give the service too, with --embed-url" in " ".join(err.split())
