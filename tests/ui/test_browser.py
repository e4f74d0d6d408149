"""The real app in a real browser: `streamlit run` on localhost, driven by headless Chromium.

Nothing is installed at test time. Needs the Debian ``chromium`` package (at
/usr/bin/chromium) and the ``playwright`` Python package; ``playwright install`` is *not*
needed because the system Chromium is used. Without either the tests are skipped.
Screenshots are saved under the test's tmp_path (the path is printed; run with ``-s``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update",
                 "--disable-sync"]
QUESTION = "2023年北京数字经济增加值是多少?"
FACT = "18766.7"
HOSTILE = "<script>alert(1)</script> **bold** <img src=x onerror=alert(2)>"
STARTUP_S, ANSWER_MS = 90, 180_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_serving(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"streamlit did not serve {url} within {STARTUP_S} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: apt-get install -y chromium")
    pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    from app_helpers import real_home

    port = _free_port()
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    env = {**os.environ, "ASKBJ_HOME": str(real_home(tmp_path_factory))}
    env.pop("ASKBJ_MODEL", None)
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
           "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def page(server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                    headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(server)
        page.get_by_test_id("stChatInputTextArea").wait_for(timeout=ANSWER_MS)
        yield page
        browser.close()


def ask(page, question: str) -> None:  # type: ignore[no-untyped-def]
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    box.press("Enter")


def test_chinese_question_gets_cited_answer_and_source_highlights_sentence(
    page, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    from playwright.sync_api import expect

    ask(page, QUESTION)
    first_ref = page.locator(".askbj-answer .askbj-ref").first
    first_ref.wait_for(timeout=ANSWER_MS)
    expect(page.locator(".askbj-answer")).to_contain_text(FACT)
    expect(page.locator(".askbj-src").first).to_contain_text("[1]")
    # the options caption is the last thing an answer renders: the run is complete
    page.get_by_text("top 8 passages").wait_for(timeout=ANSWER_MS)
    answer_png = tmp_path / "answer.png"
    page.screenshot(path=str(answer_png), full_page=True)

    page.get_by_test_id("stExpander").filter(has_text="[1]").first.locator("summary").click()
    mark = page.locator(".askbj-passage mark").first
    expect(mark).to_be_visible()
    expect(mark).to_contain_text(FACT)
    mark.scroll_into_view_if_needed()
    source_png = tmp_path / "source.png"
    page.screenshot(path=str(source_png), full_page=True)
    print(f"\nscreenshots: {answer_png} {source_png}")
    assert answer_png.stat().st_size > 10_000 and source_png.stat().st_size > 10_000


def test_markup_in_question_is_shown_as_text_not_run(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    ask(page, HOSTILE)
    bubble = page.locator(".askbj-user").last
    expect(bubble).to_have_text(HOSTILE, timeout=ANSWER_MS)
    assert bubble.locator("script, strong, img").count() == 0
    page.locator("[data-testid='stChatMessage']").nth(1).wait_for(timeout=ANSWER_MS)
    assert dialogs == []
