"""Keys and scopes, limits, the error shape and request ids, over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from askbj.serve import auth
from askbj.serve.config import ServeConfig
from askbj.serve.engine import Engine, UserError
from askbj.serve.server import check, is_loopback

from fakes import FakeEmbedder
from serve_helpers import ADMIN_KEY, QUESTION, READ_KEY, LiveServer, keyring

ASK = {"question": QUESTION}


def assert_error_shape(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"} and error["code"] == code
    assert "Traceback" not in response.text and "/work/" not in response.text
    assert response.headers["x-request-id"]
    return error


def test_missing_or_wrong_key_is_401(keyed: LiveServer) -> None:
    with keyed.client() as http:
        missing = http.post("/v1/ask", json=ASK)
    with keyed.client("not-a-real-key-at-all") as http:
        wrong = http.post("/v1/ask", json=ASK)
    assert_error_shape(missing, 401, "invalid_api_key")
    assert_error_shape(wrong, 401, "invalid_api_key")
    assert missing.headers["www-authenticate"] == "Bearer"


def test_read_key_reads_but_cannot_upload(keyed: LiveServer) -> None:
    upload = {"file": ("x.txt", "北京".encode(), "text/plain")}
    with keyed.client(READ_KEY) as http:
        assert http.post("/v1/ask", json=ASK).status_code == 200
        denied = http.post("/v1/documents", files=upload)
    assert_error_shape(denied, 403, "insufficient_scope")
    with keyed.client(ADMIN_KEY) as http:
        assert http.get("/v1/documents").status_code == 200


def test_openai_client_with_a_key(keyed: LiveServer) -> None:
    good = openai.OpenAI(base_url=keyed.url + "/v1", api_key=READ_KEY, max_retries=0)
    assert len(good.models.list().data) == 3
    bad = openai.OpenAI(base_url=keyed.url + "/v1", api_key="wrong-key-123456", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        bad.models.list()


def test_probes_need_no_key(keyed: LiveServer) -> None:
    with keyed.client() as http:
        assert http.get("/healthz").status_code == 200
        assert http.get("/readyz").status_code == 200


def test_rate_limit_is_429_with_retry_after(serve: Callable[..., LiveServer]) -> None:
    server = serve(keys=keyring(), rate=0.01, burst=2)
    with server.client(READ_KEY) as http:
        codes = [http.get("/v1/models").status_code for _ in range(2)]
        limited = http.get("/v1/models")
    with server.client(ADMIN_KEY) as http:
        other = http.get("/v1/models")  # buckets are per key
    assert codes == [200, 200]
    assert_error_shape(limited, 429, "rate_limit_exceeded")
    assert int(limited.headers["retry-after"]) >= 1
    assert other.status_code == 200


def test_oversized_body_is_413(serve: Callable[..., LiveServer]) -> None:
    server = serve(max_body=1024)
    with server.client() as http:
        declared = http.post("/v1/ask", json={"question": "北" * 2000})
        chunked = http.post("/v1/ask", content=iter([b'{"question": "', b"x" * 4096, b'"}']),
                            headers={"content-type": "application/json"})
    assert_error_shape(declared, 413, "request_too_large")
    assert_error_shape(chunked, 413, "request_too_large")


def test_oversized_upload_is_413(serve: Callable[..., LiveServer]) -> None:
    server = serve(max_upload=100)
    with server.client() as http:
        big = http.post("/v1/documents",
                        files={"file": ("big.txt", b"x" * 70_000 + b"y" * 70_000, "text/plain")})
    assert_error_shape(big, 413, "request_too_large")


def test_long_question_is_400(serve: Callable[..., LiveServer]) -> None:
    server = serve(max_question=50)
    with server.client() as http:
        long = http.post("/v1/ask", json={"question": "北京" * 40})
        chat = http.post("/v1/chat/completions", json={
            "model": "askbj", "messages": [{"role": "user", "content": "北京" * 40}]})
    assert assert_error_shape(long, 400, "question_too_long")["param"] == "question"
    assert assert_error_shape(chat, 400, "question_too_long")["param"] == "messages"


def test_invalid_body_and_unknown_route_use_the_error_shape(server: LiveServer) -> None:
    with server.client() as http:
        bad_k = http.post("/v1/search", json={"question": QUESTION, "k": 0})
        not_json = http.post("/v1/ask", content=b"{", headers={"content-type": "application/json"})
        nowhere = http.get("/v1/nowhere")
    assert assert_error_shape(bad_k, 400, "invalid_request")["param"] == "k"
    assert_error_shape(not_json, 400, "invalid_request")
    assert_error_shape(nowhere, 404, "not_found")


class Broken(Engine):
    def ask(self, *args: Any) -> dict[str, Any]:
        raise RuntimeError(f"secret detail in {Path(__file__)}")


def test_a_crash_is_500_without_details(serve: Callable[..., LiveServer], corpus: Any) -> None:
    server = serve(engine=Broken(corpus, embedder=FakeEmbedder()))
    with server.client() as http:
        crashed = http.post("/v1/ask", json=ASK, headers={"X-Request-ID": "crash-1"})
    assert_error_shape(crashed, 500, "internal_error")
    assert "secret" not in crashed.text and crashed.headers["x-request-id"] == "crash-1"


def test_request_id_is_echoed_or_made(server: LiveServer) -> None:
    with server.client() as http:
        given = http.get("/healthz", headers={"X-Request-ID": "abc-123"})
        made = [http.post("/v1/ask", json=ASK).headers["x-request-id"] for _ in range(2)]
        hostile = http.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert given.headers["x-request-id"] == "abc-123"
    assert made[0] != made[1] and all(len(m) == 32 for m in made)
    assert hostile.headers["x-request-id"] != "<script>"


def test_document_text_is_json_not_markup(serve: Callable[..., LiveServer]) -> None:
    with serve().client() as http:
        doc = http.get("/v1/documents/alpha")
    assert doc.headers["content-type"] == "application/json"
    assert doc.headers["x-content-type-options"] == "nosniff"


def test_keys_from_env_and_file(tmp_path: Path) -> None:
    keys_file = tmp_path / "keys"
    keys_file.write_text("# ops\nfile-admin-key-1 admin\nfile-read-key-1\n", encoding="utf-8")
    ring = auth.load_keys(str(keys_file), {"ASKBJ_API_KEYS": "env-read-key-1, env-admin-1:admin"})
    scopes = {k.decode(): s for k, s in ring.keys}
    assert scopes == {"env-read-key-1": "read", "env-admin-1": "admin",
                      "file-admin-key-1": "admin", "file-read-key-1": "read"}
    assert ring.check("Bearer file-admin-key-1", "1.2.3.4").scope == "admin"
    with pytest.raises(ValueError, match="scope"):
        auth.load_keys(None, {"ASKBJ_API_KEYS": "some-long-key:root"})


def test_open_server_refuses_a_public_host(corpus: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(auth.ENV, raising=False)
    folders = {"index_dir": str(corpus.index_dir), "ingest_dir": str(corpus.ingest_dir)}
    with pytest.raises(UserError, match="without API keys"):
        check(ServeConfig(host="0.0.0.0", **folders))
    check(ServeConfig(host="0.0.0.0", insecure=True, **folders))
    monkeypatch.setenv(auth.ENV, "a-long-enough-key")
    check(ServeConfig(host="0.0.0.0", **folders))
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.2")
