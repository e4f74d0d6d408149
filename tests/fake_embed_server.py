"""A small OpenAI-compatible embeddings server for tests: real HTTP on 127.0.0.1.

``askbj.index.remote`` talks to a service over HTTP only, so batching, concurrency, retries and
error handling are tested against real sockets and status codes rather than a mocked client.
Vectors come from any ``embed(texts) -> array`` (the fake embedder by default, the real model
in the integration test); the server records every request, the largest number of requests it
was handling at once, and can fail, stall, shuffle or garble replies on demand.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np

from fakes import FakeEmbedder

GARBLES = ("", "not-json", "short", "no-embedding", "same-index", "dim-change", "base64")


@dataclass(frozen=True)
class Seen:
    headers: dict[str, str]
    body: dict[str, Any]


def fake_vectors(texts: list[str]) -> np.ndarray:
    return FakeEmbedder().embed_queries(texts)


class FakeEmbeddings:
    """``with FakeEmbeddings() as server:`` serves on ``server.base_url`` (…/v1).

    ``failures`` are HTTP statuses answered to the first requests, one each, before the server
    behaves (``always`` answers every request with that status); ``delay`` is how long each
    request takes; ``reverse`` lists the items last first (clients must use ``index``);
    ``garble`` is one of ``GARBLES``; ``api_key`` makes a missing or wrong key a 401;
    failures carry ``Retry-After: retry_after``.
    """

    def __init__(self, embed: Callable[[list[str]], np.ndarray] = fake_vectors, *,
                 failures: tuple[int, ...] = (), always: int = 0, delay: float = 0.0,
                 reverse: bool = False, garble: str = "", api_key: str = "",
                 retry_after: str = "0") -> None:
        self.embed, self.failures, self.always = embed, list(failures), always
        self.retry_after = retry_after
        self.delay, self.reverse, self.garble, self.api_key = delay, reverse, garble, api_key
        self.seen: list[Seen] = []
        self.in_flight = self.max_in_flight = 0
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def batches(self) -> list[list[str]]:
        """The ``input`` of every request, in arrival order."""
        with self.lock:
            return [list(s.body.get("input", [])) for s in self.seen]

    def __enter__(self) -> FakeEmbeddings:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def reply(self, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, Any, dict]:
        """(status, payload, extra headers) for one request; counts it as in flight."""
        with self.lock:
            self.seen.append(Seen(headers, body))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            status = self.failures.pop(0) if self.failures else self.always
            number = len(self.seen)
        try:
            time.sleep(self.delay)
            if self.api_key and headers.get("Authorization") != f"Bearer {self.api_key}":
                return 401, _error("Invalid API key"), {}
            if status:
                return status, _error(f"overloaded ({status})"), {"Retry-After": self.retry_after}
            return 200, self._payload(body, number), {}
        finally:
            with self.lock:
                self.in_flight -= 1

    def _payload(self, body: dict[str, Any], number: int) -> Any:
        texts = list(body["input"])
        vectors = np.asarray(self.embed(texts), dtype=np.float32)
        if self.garble == "dim-change" and number > 1:
            vectors = vectors[:, : vectors.shape[1] // 2]
        data: list[dict[str, Any]] = [
            {"object": "embedding", "index": i, "embedding": [float(x) for x in row]}
            for i, row in enumerate(vectors * 3.0)]  # not unit length: the client normalises
        if self.garble == "base64":
            import base64

            for item, row in zip(data, vectors, strict=True):
                item["embedding"] = base64.b64encode(row.astype("<f4").tobytes()).decode()
        data = _garbled(data, self.garble)
        if self.reverse:
            data.reverse()
        return {"object": "list", "data": data, "model": body.get("model"),
                "usage": {"prompt_tokens": 0, "total_tokens": 0}}


def _garbled(data: list[dict[str, Any]], garble: str) -> list[dict[str, Any]]:
    if garble == "short":
        return data[:-1]
    if garble == "no-embedding":
        data[0].pop("embedding")
    if garble == "same-index" and len(data) > 1:
        data[1]["index"] = data[0]["index"]
    return data


def _error(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "server_error", "code": None}}


def _handler(server: FakeEmbeddings) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real servers do

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path != "/v1/embeddings":
                self._send(404, _error(f"no route {self.path}"), {})
                return
            status, payload, extra = server.reply(dict(self.headers), json.loads(raw or b"{}"))
            self._send(status, payload, extra)

        def _send(self, status: int, payload: Any, extra: dict[str, str]) -> None:
            garbled = server.garble == "not-json" and status == 200
            data = b"<html>oops</html>" if garbled else json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (a timeout test)
                pass

    return Handler
