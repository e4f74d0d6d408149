"""Time from the README's main command to a first cited answer in a real browser.

Usage: .venv/bin/python bench/first_answer.py [--fresh]
With --fresh the repository is cloned into a temporary folder first, so the time includes
creating .venv, installing everything (pip's download cache is used if warm) and building
the index. Without it, the current checkout is used as it is (already set up). Needs
/usr/bin/chromium and the playwright package (the test extras). Prints one markdown row.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
T0 = 0.0
QUESTION = "2023年北京数字经济增加值是多少?"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
        "--no-first-run", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_serving(url: str, proc: subprocess.Popen[bytes], limit: float = 900) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"./run.sh exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the app did not come up")


def first_answer(url: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page()
        page.goto(url)
        box = page.get_by_test_id("stChatInputTextArea")
        box.wait_for(timeout=600_000)
        print(f"chat input visible after {time.monotonic() - T0:.1f} s", file=sys.stderr)
        box.fill(QUESTION)
        box.press("Enter")
        page.locator(".askbj-answer .askbj-ref").first.wait_for(timeout=600_000)
        browser.close()


def run(root: Path) -> tuple[float, float]:
    port = free_port()
    env = {**os.environ, "STREAMLIT_SERVER_PORT": str(port), "STREAMLIT_SERVER_HEADLESS": "true",
           "STREAMLIT_SERVER_ADDRESS": "127.0.0.1"}
    global T0
    started = T0 = time.monotonic()
    proc = subprocess.Popen(["./run.sh"], cwd=root, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_serving(url, proc)
        serving = time.monotonic() - started
        first_answer(url)
        return serving, time.monotonic() - started
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def main() -> None:
    if "--fresh" in sys.argv:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "askbj"
            subprocess.run(["git", "clone", "-q", str(REPO), str(root)], check=True)
            serving, answered = run(root)
            label = "fresh clone (install + index build)"
    else:
        serving, answered = run(REPO)
        label = "already set up"
    print(f"| {label} | {serving:.1f} s | {answered:.1f} s |")


if __name__ == "__main__":
    main()
