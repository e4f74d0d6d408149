"""House style that CI enforces: the tree is ruff clean and modules stay small.

Run in CI like any test, so a lint error or an overgrown module fails the build instead of
waiting for someone to notice.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_ruff_reports_nothing() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (it comes with the test extras)")
    done = subprocess.run([ruff, "check", "."], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_pipeline_modules_stay_near_300_lines() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines())
             for p in (REPO / "src" / "askbj").glob("*.py")}
    assert {name: n for name, n in sizes.items() if n > 310} == {}
