"""User-facing errors.

Anything the user can fix (no index, damaged index, bad input, unloadable model) raises
``AskbjError`` with a message that says what is wrong and what to do; the CLI prints it to
stderr and exits non-zero, the UI shows it in a box. Tracebacks are for our bugs only.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable


class AskbjError(Exception):
    """An error whose message is meant for the user, not a developer."""


class IndexMissing(AskbjError):
    """There is no index yet: run `askbj ingest`."""


class IndexDamaged(AskbjError):
    """The index on disk is damaged, incomplete, or built with other settings."""


_ADVICE = {
    errno.EACCES: "check the folder's permissions, or point askbj elsewhere (ASKBJ_HOME, "
                  "--index-dir, --ingest-dir)",
    errno.EROFS: "the file system is read-only: point askbj at a writable folder "
                 "(ASKBJ_HOME, --index-dir)",
    errno.ENOSPC: "the disk is full: free some space and try again",
    errno.EDQUOT: "the disk quota is used up: free some space and try again",
    errno.EFBIG: "the file is over the size this system allows (disk full or ulimit -f): "
                 "free some space or raise the limit and try again",
    errno.ENAMETOOLONG: "the name is too long for the file system: use a shorter name",
    errno.ENOENT: "it does not exist: check the path",
    errno.EISDIR: "it is a folder: give a file path",
    errno.ENOTDIR: "part of the path is not a folder: check the path",
}
_ADVICE[errno.EPERM] = _ADVICE[errno.EACCES]


def describe_os_error(exc: OSError, shown: Callable[[str], str] = str) -> str:
    """One line for an operating-system error: what failed, on which file, what to do.
    ``shown`` turns a path into what may be displayed (the UI hides server folders)."""
    what = exc.strerror or str(exc) or type(exc).__name__
    where = f" ({shown(os.fsdecode(exc.filename))})" if exc.filename is not None else ""
    advice = _ADVICE.get(exc.errno or -1, "check the file and folder, then try again")
    return f"{what}{where}: {advice}."


def user_error(exc: OSError, shown: Callable[[str], str] = str) -> AskbjError:
    """``describe_os_error`` as an ``AskbjError``, for callers that show those."""
    return AskbjError(describe_os_error(exc, shown))
