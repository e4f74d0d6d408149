"""The benchmarks that need no index still run (their figures live in bench/RESULTS.md; no
timing is asserted here): a refactor once broke bench/followup.py unnoticed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_followup_benchmark_prints_its_table() -> None:
    run = subprocess.run([sys.executable, str(REPO / "bench" / "followup.py"), "--rounds", "1"],
                         capture_output=True, text=True, timeout=300, cwd=REPO)
    assert run.returncode == 0, run.stderr
    rows = re.findall(r"^\| (cleared|warm) \| (\d+) \|", run.stdout, re.M)
    assert [r[0] for r in rows] == ["cleared", "warm"]
    assert all(int(n) >= 10 for _, n in rows)  # every conversation resolved
