"""A small OpenAI-compatible chat server for tests: real HTTP on 127.0.0.1, scripted replies.

``askbj.llm.generator`` talks to models over HTTP only, so its failure handling is worth testing
against real sockets, real status codes and a real event stream rather than a mocked client.
Each request takes the next scripted ``Reply`` (the last one repeats), and every request
body is recorded for inspection.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

KINDS = ("ok", "500", "401", "hang", "malformed", "empty", "no-choices", "drip")


@dataclass(frozen=True)
class Reply:
    """What the server does with one request: ``kind`` is one of ``KINDS``."""

    kind: str = "ok"
    text: str = ""
    piece: int = 3  # characters per streamed token
    pause: float = 0.0  # seconds between streamed tokens ("drip" repeats the text for ever)


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: str


class FakeLLM:
    """``with FakeLLM() as llm:`` serves on ``llm.base_url`` (…/v1) until the block ends."""

    def __init__(self, *replies: Reply, hang_seconds: float = 5.0) -> None:
        self.replies = list(replies) or [Reply()]
        self.requests: list[Request] = []
        self.hang_seconds = hang_seconds
        self._release = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)  # a short poll: shutdown is quick

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self.replies = list(replies)

    def next_reply(self) -> Reply:
        with self._lock:
            return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    def __enter__(self) -> FakeLLM:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()  # wake any hanging handler
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _handler(llm: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
            body = json.loads(raw) if raw else {}
            llm.requests.append(Request(self.path, dict(self.headers), body, raw))
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._json(404, {"error": {"message": f"no route {self.path}"}})
                return
            _serve(self, llm, llm.next_reply(), bool(body.get("stream")))

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _serve(h: Any, llm: FakeLLM, reply: Reply, stream: bool) -> None:
    if reply.kind == "500":
        h._json(500, {"error": {"message": "model crashed"}})
    elif reply.kind == "401":
        h._json(401, {"error": {"message": "Invalid API key"}})
    elif reply.kind == "hang":
        llm._release.wait(llm.hang_seconds)
    elif not stream:
        text = "" if reply.kind == "empty" else reply.text
        payload: dict[str, Any] = {"choices": [{"index": 0, "message": {
            "role": "assistant", "content": text}, "finish_reason": "stop"}]}
        h._json(200, {"oops": True} if reply.kind in ("malformed", "no-choices") else payload)
    else:
        _stream(h, reply)


def _stream(h: Any, reply: Reply) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/event-stream")
    h.end_headers()

    def event(data: str) -> None:
        h.wfile.write(f"data: {data}\n\n".encode())
        h.wfile.flush()

    h.wfile.write(b": keep-alive\n\n")
    event(json.dumps({"choices": [{"index": 0, "delta": {"role": "assistant"}}]}))
    if reply.kind == "malformed":
        event('{"choices": [{"delta": {"content": "北京')
    elif reply.kind == "no-choices":
        event(json.dumps({"id": "x"}))
    elif reply.kind in ("ok", "drip"):
        text = reply.text * (1000 if reply.kind == "drip" else 1)
        for i in range(0, len(text), reply.piece):
            delta = {"content": text[i : i + reply.piece]}
            try:
                event(json.dumps({"choices": [{"index": 0, "delta": delta}]},
                                 ensure_ascii=False))
            except OSError:  # the client gave up
                return
            time.sleep(reply.pause)
    event(json.dumps({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
    event("[DONE]")
