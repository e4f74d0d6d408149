"""Writing output files so that a failure never leaves a truncated or empty one.

Everything askbj writes for the user (eval results; the index has its own folder swap) is
written to a hidden file beside the target, flushed, and renamed over it in one step: an
existing file stays whole until the new one is complete. ``check_target`` runs before long
work, so a path that can never be written is reported before the work, not after it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from askbj.errors import AskbjError


def check_target(path: Path) -> None:
    """``AskbjError`` now if ``path`` cannot be written later: a folder, a missing or
    read-only parent folder."""
    path = Path(path)
    if path.is_dir():
        raise AskbjError(f"{path} is a folder: give a file path for the output, "
                         f"e.g. {path / 'results.json'}.")
    parent = path.parent
    if not parent.is_dir():
        raise AskbjError(f"The folder {parent}/ does not exist: create it or choose another "
                         "output path.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise AskbjError(f"Cannot write in {parent}/ (permission denied): choose another "
                         "output path.")


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` beside ``path`` and rename it into place; ``path`` is untouched on
    failure (the OSError propagates for the caller to describe)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:100]}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
