"""Putting a freshly built index folder in place of the old one, and recovering after a crash.

The swap is one atomic exchange of the two folders (Linux ``renameat2(RENAME_EXCHANGE)``), so
a reader opening ``index/`` finds the old index or the new one, never none. Where the system
cannot exchange, two renames are used (old aside, new in); a crash between them leaves both
complete copies as hidden siblings (``.index-build-*``, ``.index-old-*``), and ``usable``
points readers at the newest complete one until ``recover`` moves it back. A folder counts
as complete only when the caller's ``complete`` check (manifest present and verified) says so.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

Complete = Callable[[Path], "str | None"]
"""complete(folder) -> the index's build time when ``folder`` holds a verified index, else None."""


def write_last(path: Path, text: str) -> None:
    """The manifest, written aside and renamed once every other file of its folder is on
    disk: its presence marks a complete folder, even after a power cut."""
    for other in path.parent.rglob("*"):
        if other.is_file():
            with other.open("rb") as f:
                os.fsync(f.fileno())
    part = path.with_name(f".{path.name}.part")
    with part.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(part, path)


def swap_in(tmp: Path, folder: Path) -> None:
    """Replace ``folder`` by ``tmp``; a README kept in ``folder`` survives the swap.

    With an atomic exchange ``tmp`` ends up holding the previous index (removed by the
    caller); otherwise two renames, with ``recover`` covering a crash between them."""
    readme = folder / "README.md"
    if readme.exists():
        shutil.copy2(readme, tmp / "README.md")
    if not folder.exists():
        os.replace(tmp, folder)
        return
    if _exchange(tmp, folder):
        return
    old = folder.with_name(f".{folder.name}-old-{os.getpid()}")
    os.replace(folder, old)
    _between_renames()
    try:
        os.replace(tmp, folder)
    except OSError:
        os.replace(old, folder)  # put the previous index back
        raise
    shutil.rmtree(old, ignore_errors=True)


def _between_renames() -> None:
    """Nothing; fault-injection tests make a crash happen here."""


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders (Linux renameat2); False where the system cannot."""
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_cwd = -100
    done = renameat2(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), _RENAME_EXCHANGE) == 0
    return done


def _siblings(folder: Path) -> list[Path]:
    return [p for kind in ("build", "old") for p in folder.parent.glob(f".{folder.name}-{kind}-*")
            if p.is_dir()]


def _complete_copies(folder: Path, complete: Complete) -> list[Path]:
    """Hidden sibling folders holding a complete, verified index, newest build first."""
    found = []
    for path in _siblings(folder):
        built_at = complete(path)
        if built_at is not None:
            found.append((built_at, path.name.startswith(f".{folder.name}-build-"), path))
    return [path for *_, path in sorted(found, reverse=True)]


def usable(folder: Path, complete: Complete) -> Path:
    """Where to read the index from: ``folder``, or after a crash mid-swap, its newest
    complete copy (read in place; ``recover`` moves it back)."""
    if (folder / "manifest.json").exists():
        return folder
    copies = _complete_copies(folder, complete)
    return copies[0] if copies else folder


def recover(folder: Path, complete: Complete) -> bool:
    """Move the newest complete copy into place when ``folder`` has no index (a crash
    between the two renames of a swap). Call it holding the ingest lock."""
    if (folder / "manifest.json").exists():
        return False
    copies = _complete_copies(folder, complete)
    if not copies:
        return False
    if folder.exists():
        shutil.rmtree(folder)
    os.replace(copies[0], folder)
    return True


def clean_stale(folder: Path) -> list[str]:
    """Remove leftover build and old folders of ``folder`` once it holds a complete index;
    call it holding the ingest lock. Returns the names removed."""
    if not (folder / "manifest.json").exists():
        return []
    removed = []
    for path in _siblings(folder):
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    return removed
