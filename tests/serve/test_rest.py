"""REST endpoints return the CLI's `--json` records, and uploads re-ingest."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import CliRunner

from askbj import cli, engine
from askbj.config import Settings
from askbj.serve.engine import Engine

from fakes import FakeEmbedder
from serve_helpers import QUESTION, LiveServer


@pytest.fixture
def cli_json(corpus: Settings, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    monkeypatch.setattr(engine, "make_embedder", lambda settings: FakeEmbedder())

    def run(*args: str) -> Any:
        argv = ["--index-dir", str(corpus.index_dir), "--ingest-dir", str(corpus.ingest_dir),
                *args, "--json"]
        result = CliRunner().invoke(cli.app, argv)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return run


def test_search_is_the_cli_record(server: LiveServer, cli_json: Callable[..., Any]) -> None:
    with server.client() as http:
        got = http.post("/v1/search", json={"question": QUESTION, "k": 3, "mode": "bm25"})
    assert got.status_code == 200
    assert got.json() == cli_json("search", QUESTION, "-k", "3", "--mode", "bm25")


def test_ask_is_the_cli_record(server: LiveServer, cli_json: Callable[..., Any]) -> None:
    with server.client() as http:
        got = http.post("/v1/ask", json={"question": QUESTION, "script": "traditional"})
    assert got.json() == cli_json("ask", QUESTION, "--script", "traditional")
    assert got.json()["answer"]["citations"][0]["doc_id"] == "beta"


def test_cite_is_the_cli_record(server: LiveServer, cli_json: Callable[..., Any]) -> None:
    with server.client() as http:
        got = http.get("/v1/cite", params={"ref": "IDeX", "context": 0})
    assert got.json() == cli_json("cite", "IDeX", "--context", "0")
    assert got.headers["x-total-count"] == "1"


def test_documents_list_and_read(server: LiveServer) -> None:
    with server.client() as http:
        listed = http.get("/v1/documents").json()["documents"]
        one = http.get("/v1/documents/beta")
        missing = http.get("/v1/documents/nope")
    assert [d["doc_id"] for d in listed] == ["alpha", "beta"]
    assert one.json()["text"].startswith("2023年北京市数字经济")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "document_not_found"


def test_probes(server: LiveServer) -> None:
    with server.client() as http:
        assert http.get("/healthz").json() == {"status": "ok"}
        assert http.get("/readyz").json() == {"status": "ready", "documents": 2, "chunks": 3}
        assert "/v1/chat/completions" in http.get("/openapi.json").json()["paths"]


def test_api_docs_need_no_internet(server: LiveServer) -> None:
    """/docs loads Swagger UI from this server, never from a CDN."""
    with server.client() as http:
        page = http.get("/docs").text
        scripts = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert scripts and all(s.startswith("/") for s in scripts), scripts
        assert all(http.get(s).status_code == 200 for s in scripts)


def test_upload_ingests_and_answers_from_it(serve: Callable[..., LiveServer],
                                            corpus: Settings, tmp_path: Any) -> None:
    settings = Settings(ingest_dir=tmp_path / "ingest", index_dir=tmp_path / "index")
    settings.ingest_dir.mkdir()
    for path in corpus.ingest_dir.iterdir():
        (settings.ingest_dir / path.name).write_bytes(path.read_bytes())
    engine.build(settings, embedder=FakeEmbedder())
    server = serve(engine=Engine(settings, embedder=FakeEmbedder()))
    text = "2024年北京市新建5G基站1.2万个。".encode()
    with server.client() as http:
        added = http.post("/v1/documents", files={"file": ("gamma.txt", text, "text/plain")})
        again = http.post("/v1/documents", files={"file": ("gamma.txt", text, "text/plain")})
        hits = http.post("/v1/search", json={"question": "5G基站", "k": 1}).json()["hits"]
    assert added.status_code == 201, added.text
    assert added.json()["saved"] == "gamma.txt" and added.json()["ingest"]["added"] == ["gamma"]
    assert hits[0]["doc_id"] == "gamma"
    assert again.status_code == 400 and "already exists" in again.json()["error"]["message"]
    assert str(tmp_path) not in again.text  # no server paths in errors
