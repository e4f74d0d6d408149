"""House style that CI enforces: ruff and mypy clean, short functions, no corpus vocabulary
in code, and a library that never imports Streamlit.

Run in CI like any test, so a lint or type error, an overgrown function or a place name
written into code fails the build instead of waiting for someone to notice.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LIBRARY = REPO / "src" / "askbj"
MAX_FUNCTION_LINES = 45
# The shipped domain's own name; 交易所 also names a kind of organisation (like 公司, 协会)
# in the general rules that tell an organisation's name.
ALLOWED_WORDS = {"beijing", "交易所"}


def _tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    if not Path(found).exists():
        pytest.skip(f"{name} is not installed (it comes with the test extras)")
    return found


def test_ruff_reports_nothing() -> None:
    done = subprocess.run([_tool("ruff"), "check", "."], cwd=REPO, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_reports_nothing_on_the_library() -> None:
    done = subprocess.run([_tool("mypy"), "src/askbj"], cwd=REPO, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _python_files() -> Iterator[Path]:
    yield from sorted(LIBRARY.rglob("*.py"))
    yield from sorted((REPO / "ui").rglob("*.py"))


def test_no_function_is_long() -> None:
    long = [f"{p.relative_to(REPO)}:{n.lineno} {n.name} ({n.end_lineno - n.lineno + 1} lines)"
            for p in _python_files()
            for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
            and (n.end_lineno or n.lineno) - n.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == []


def _domain_words() -> set[str]:
    """Names of this corpus's world (places, abbreviations, policy phrases) from every
    shipped domain file: they belong in data, not in code."""
    names: set[str] = set()  # places and abbreviations: any of two characters or more
    phrases: set[str] = set()  # glossary phrases: 区 or 企业 are general words, 数字经济 is not
    for path in (LIBRARY / "domains").glob("*.toml"):
        d = tomllib.loads(path.read_text(encoding="utf-8"))
        names |= set(d.get("gazetteer", {}).values()) | set(d.get("acronyms", {}).values())
        names |= {k for k in d.get("gazetteer", {}) if len(k) >= 4}
        names |= set(d.get("place_prefixes", []))
        names |= {w for k, v in d.get("abbreviations", {}).items() for w in (k, *v)}
        phrases |= {w for forms in d.get("glossary", {}).values() for w in forms}
    words = {w for w in names if len(w) >= 2} | {w for w in phrases if len(w) >= 3}
    return {w.lower() for w in words} - ALLOWED_WORDS


def _code_strings(path: Path) -> Iterator[tuple[int, str]]:
    """String literals of the code, docstrings aside (they may give examples)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and n.body and isinstance(n.body[0], ast.Expr)
            and isinstance(n.body[0].value, ast.Constant)}
    for n in ast.walk(tree):
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs:
            yield n.lineno, n.value


def test_no_corpus_vocabulary_in_library_code() -> None:
    words = _domain_words()
    assert {"北京", "中关村", "北数所"} <= words  # the check reads the real domain file
    found = [f"{p.relative_to(REPO)}:{line} {w!r}"
             for p in sorted(LIBRARY.rglob("*.py")) for line, text in _code_strings(p)
             for w in words
             if (w in text if not w.isascii() else f" {w} " in f" {text.lower()} ")]
    assert found == []


def test_the_library_never_imports_streamlit() -> None:
    found = [f"{p.relative_to(REPO)}:{n.lineno}" for p in sorted(LIBRARY.rglob("*.py"))
             for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
             if isinstance(n, ast.Import | ast.ImportFrom)
             and any((a.name if isinstance(n, ast.Import) else n.module or "").startswith(
                 "streamlit") for a in n.names)]
    assert found == []
