"""Adding a user's file to the ingest folder, from a browser upload.

An upload's name and bytes come from whoever holds the browser, so neither is trusted: the
name could climb out of the folder (``../../x.txt``), hide the file from ingest
(``.x.txt``), spoof its type with invisible direction marks, or be too long for the file
system; the bytes could be empty or huge. ``safe_name`` keeps only a plain, visible,
supported file name (Chinese names are normal here and are kept), and ``save_upload``
writes atomically, so an ingest running at the same moment never reads half a file and an
existing document is replaced only when the user said so.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from askbj.errors import AskbjError, user_error
from askbj.files import write_atomically
from askbj.ingest.limits import IngestLimits, LimitExceeded
from askbj.ingest.sources import SUPPORTED, read_text

MAX_BYTES = 20 * 2**20
MAX_STEM = 80  # characters, and at most MAX_NAME_BYTES in UTF-8 (emoji take 4 bytes each)
MAX_NAME_BYTES = 250  # the usual limit is 255 bytes
DEFAULT_LIMITS = IngestLimits()
_SEPARATORS = re.compile(r"[/\\]")
_RESERVED = re.compile(r'[<>:"|?*]')  # not allowed in Windows names: the folder may be shared


def safe_name(name: str) -> str:
    """The upload's base name made safe to create inside the ingest folder; ``AskbjError``
    when nothing usable is left or the type is not one ingest reads."""
    text = unicodedata.normalize("NFC", name)
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = _SEPARATORS.split(text)[-1]  # basename, whichever system's separator was used
    text = _RESERVED.sub("_", " ".join(text.split()))
    text = re.sub(r"\.{2,}", ".", text).rstrip(" .")  # no "..", no trailing dots
    stem, dot, suffix = text.rpartition(".")
    suffix = f".{suffix.lower()}" if dot else ""
    if suffix not in SUPPORTED:
        kinds = ", ".join(SUPPORTED)
        shown = suffix or "a file without an extension"
        raise AskbjError(f"Cannot add {name!r}: {shown} is not a supported type (use {kinds}).")
    stem = _fit(stem.lstrip(" .")[:MAX_STEM], MAX_NAME_BYTES - len(suffix)).rstrip(" .")
    if not stem:
        raise AskbjError(f"Cannot add {name!r}: give the file a name before the extension.")
    return stem + suffix


def _fit(stem: str, max_bytes: int) -> str:
    """``stem`` cut to whole characters that take at most ``max_bytes`` in UTF-8."""
    return stem.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")


def save_upload(ingest_dir: Path, name: str, data: bytes, overwrite: bool = False,
                max_bytes: int = MAX_BYTES, limits: IngestLimits = DEFAULT_LIMITS) -> Path:
    """Store ``data`` as ``ingest_dir/safe_name(name)`` and return that path; refuses empty or
    oversized data (its size, and its extracted text by ``limits``), and an existing file
    unless ``overwrite``. File-system failures are ``AskbjError`` lines naming no folder."""
    clean = safe_name(name)
    if not data:
        raise AskbjError(f"{clean} is empty: there is nothing to add.")
    if len(data) > max_bytes:
        raise AskbjError(f"{clean} is {_size(len(data))}, over the {_size(max_bytes)} limit "
                         "for an upload: split it, or copy it into the ingest folder directly.")
    _check_text(clean, data, limits)
    try:
        return _store(ingest_dir, clean, data, overwrite)
    except OSError as exc:
        raise user_error(exc, shown=lambda path: Path(path).name) from exc


def _check_text(name: str, data: bytes, limits: IngestLimits) -> None:
    """Refuse an upload whose extracted text is over a limit (a small .docx may inflate to
    millions of characters); other reading problems are reported by the ingest that follows."""
    try:
        read_text(Path(name).suffix.lower(), data, limits)
    except LimitExceeded as exc:
        raise AskbjError(f"Cannot add {name}: {exc}.") from exc
    except ValueError:
        return


def _store(ingest_dir: Path, clean: str, data: bytes, overwrite: bool) -> Path:
    ingest_dir.mkdir(parents=True, exist_ok=True)
    root = ingest_dir.resolve()
    target = root / clean
    if target.resolve().parent != root or target.is_dir():
        raise AskbjError(f"Cannot write {clean}: that name points outside {ingest_dir}/.")
    if not overwrite and (target.exists() or target.is_symlink()):
        raise AskbjError(_exists(clean, ingest_dir))
    try:
        write_atomically(target, data, overwrite=overwrite)
    except FileExistsError as exc:
        raise AskbjError(_exists(target.name, root)) from exc
    return target


def _exists(name: str, folder: Path) -> str:
    return (f"{name} already exists in {folder}/: confirm that it should be replaced "
            "(“Replace it”, or overwrite=True), or rename the file.")


def _size(n: int) -> str:
    for unit, scale in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} byte{'s' if n != 1 else ''}"
