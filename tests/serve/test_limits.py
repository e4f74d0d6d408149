"""The concurrency gate under load: a full queue answers 503 at once, a slow call 504."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from askbj import cli
from askbj.serve.engine import Engine

from fakes import FakeEmbedder
from serve_helpers import QUESTION, LiveServer

ASK = {"question": QUESTION}


class Held(Engine):
    """Each ask waits until the test lets it go (or ``hold`` seconds pass)."""

    def __init__(self, *args: Any, hold: float = 20.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.release, self.entered, self.hold = threading.Event(), threading.Semaphore(0), hold

    def ask(self, *args: Any) -> dict[str, Any]:
        self.entered.release()
        self.release.wait(self.hold)
        return super().ask(*args)


def test_full_queue_is_503_and_the_rest_still_finish(serve: Callable[..., LiveServer],
                                                     corpus: Any) -> None:
    engine = Held(corpus, embedder=FakeEmbedder())
    server = serve(engine=engine, concurrency=1, queue=1)
    with ThreadPoolExecutor(2) as pool, server.client() as http:
        running = pool.submit(http.post, "/v1/ask", json=ASK)
        assert engine.entered.acquire(timeout=10)  # the one slot is taken
        waiting = pool.submit(http.post, "/v1/ask", json=ASK)
        _until_queued(server)
        with server.client() as other:
            refused = other.post("/v1/ask", json=ASK)
        engine.release.set()
        assert running.result().status_code == 200 and waiting.result().status_code == 200
    assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
    assert refused.json()["error"]["code"] == "server_busy"


def _until_queued(server: LiveServer) -> None:
    """Wait for the second request to be queued at the gate (it is within moments)."""
    for _ in range(500):
        if server.app.state.gate.waiting == 1:
            return
        threading.Event().wait(0.02)
    pytest.fail("the second request never queued")


def test_slow_call_is_504_and_frees_its_slot(serve: Callable[..., LiveServer],
                                             corpus: Any) -> None:
    engine = Held(corpus, embedder=FakeEmbedder(), hold=0.5)
    server = serve(engine=engine, concurrency=1, queue=4, timeout=0.1)
    with server.client() as http:
        slow = http.post("/v1/ask", json=ASK)
        engine.release.set()
        after = http.post("/v1/ask", json=ASK)
    assert slow.status_code == 504 and slow.json()["error"]["code"] == "timeout"
    assert after.status_code == 200


def test_cli_refuses_a_public_host_in_one_line(corpus: Any, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("ASKBJ_API_KEYS", raising=False)
    monkeypatch.setattr("sys.argv", ["askbj", "--index-dir", str(corpus.index_dir),
                                     "--ingest-dir", str(corpus.ingest_dir),
                                     "serve", "--host", "0.0.0.0"])
    with pytest.raises(SystemExit) as done:
        cli.main()
    message = " ".join(capsys.readouterr().err.split())
    assert done.value.code == 1 and "Refusing to serve on 0.0.0.0 without API keys" in message
