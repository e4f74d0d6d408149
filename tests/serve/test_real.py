"""`askbj serve` as users run it: a subprocess over the real index and the real model,
driven by the official openai client; then a graceful stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from askbj import engine
from askbj.config import Settings

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
KEY = "integration-key-0123"
START_WAIT = 120.0  # seconds to wait for the model and index (a ceiling, not a measurement)


@pytest.fixture(scope="module")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(ingest_dir=REPO / "ingest",
                                 index_dir=tmp_path_factory.mktemp("serve-real") / "index")
    engine.build(settings)
    return settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live(real_index: Settings) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    askbj = str(Path(sys.executable).with_name("askbj"))
    process = subprocess.Popen(
        [askbj, "--index-dir", str(real_index.index_dir), "--ingest-dir",
         str(real_index.ingest_dir), "serve", "--port", str(port)],
        env={**os.environ, "ASKBJ_API_KEYS": f"{KEY}:admin"}, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_WAIT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url + "/readyz").status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    yield url, process
    if process.poll() is None:
        process.kill()


def test_real_model_answers_through_the_openai_client(
        live: tuple[str, subprocess.Popen[bytes]]) -> None:
    url, _ = live
    client = openai.OpenAI(base_url=url + "/v1", api_key=KEY, max_retries=0)
    question = "北京国际大数据交易所推出了什么系统？"
    done = client.chat.completions.create(
        model="askbj", messages=[{"role": "user", "content": question}])
    content, cited = done.choices[0].message.content or "", (done.model_extra or {})["citations"]
    assert "IDeX" in content and "[1]" in content and cited
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}"}) as http:
        for c in cited:  # every citation is the document's exact text at its span
            text = http.get(f"/v1/documents/{c['doc_id']}").json()["text"]
            assert text[c["start"]:c["end"]] == c["quote"]
        ask = http.post("/v1/ask", json={"question": question}).json()
    assert ask["answer"]["text"] == content
    stream = client.chat.completions.create(
        model="askbj", messages=[{"role": "user", "content": question}], stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in stream) == content


def test_sigterm_stops_gracefully(live: tuple[str, subprocess.Popen[bytes]]) -> None:
    url, process = live
    assert httpx.get(url + "/healthz").status_code == 200
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=30)  # uvicorn re-raises the signal once it has shut down
    log = process.stderr.read().decode() if process.stderr else ""
    assert code in (0, -signal.SIGTERM), log
    assert "engine ready" in log and "Application shutdown complete" in log
    assert "Traceback" not in log
