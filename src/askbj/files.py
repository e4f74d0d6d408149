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


def write_atomically(path: Path, data: bytes, overwrite: bool = True) -> None:
    """Write ``data`` to a hidden file beside ``path`` and move it into place in one step;
    ``path`` is untouched on failure (the OSError propagates for the caller to describe).
    Without ``overwrite`` the move raises ``FileExistsError`` if ``path`` exists by then."""
    path = Path(path)
    stem = path.name.encode("utf-8")[:100].decode("utf-8", "ignore")  # a name is bytes-limited
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{stem}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        if overwrite:
            os.replace(tmp, path)
        else:
            _move_to_new(Path(tmp), path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _move_to_new(tmp: Path, target: Path) -> None:
    """Move ``tmp`` to a ``target`` that must not exist: a hard link is atomic; a file system
    without hard links gets a check and a move instead."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise
    except OSError:
        if target.exists() or target.is_symlink():
            raise FileExistsError(target) from None
        os.replace(tmp, target)
