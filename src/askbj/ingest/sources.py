"""Read the ingest folder: decode each file, clean it, attach manifest metadata.

One bad file must not stop an ingest of many, so unreadable files become warnings the
user sees; only a broken ``sources.toml`` is an error, because silently dropping the
metadata the user wrote by hand would produce wrong citations without anyone noticing.
Chinese documents arrive as UTF-8, GB18030 or Big5, and nothing in the bytes says which;
``decode`` picks the reading whose characters look like ordinary Chinese. PDF and .docx
files are read by ``formats``; their extracted text plays the part of a text file's.

Only regular files inside the folder are read: a link that leaves it (``/etc/passwd``) is
skipped with a warning, and files are opened without following links, so a name swapped
for a link after the check is refused too. Each file is hashed while it streams in, and the
hash recorded is that of the very bytes indexed. Every file is held to ``IngestLimits``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import re
import stat
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from askbj.errors import AskbjError
from askbj.ingest.clean import clean
from askbj.ingest.decode import decode
from askbj.ingest.formats import docx_text, pdf_text
from askbj.ingest.isolate import run_isolated
from askbj.ingest.limits import IngestLimits, LimitExceeded
from askbj.records import Document, content_id

SUPPORTED = (".txt", ".md", ".pdf", ".docx")
MANIFEST = "sources.toml"

_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_KNOWN_KEYS = frozenset(
    {"file", "id", "title", "authors", "venue", "publication", "date", "lang", "same_as", "note"}
)


DEFAULT_LIMITS = IngestLimits()
_BLOCK = 2**20
_SETTLED_NS = 2 * 10**9


@dataclass(frozen=True)
class Corpus:
    """What one read of ``ingest/`` found: documents sorted by id, warnings for the user, and
    the sha256 of every supported file's bytes as read (the index's freshness record)."""

    documents: tuple[Document, ...]
    warnings: tuple[str, ...]
    hashes: dict[str, str]

    def to_dict(self) -> dict[str, object]:
        return {"documents": [d.doc_id for d in self.documents],
                "warnings": list(self.warnings), "hashes": dict(self.hashes)}


def load_documents(ingest_dir: Path, limits: IngestLimits = DEFAULT_LIMITS
                   ) -> tuple[list[Document], list[str]]:
    """Load every supported file; return documents sorted by id and warnings for the user."""
    corpus = load_corpus(ingest_dir, limits)
    return list(corpus.documents), list(corpus.warnings)


def load_corpus(ingest_dir: Path, limits: IngestLimits = DEFAULT_LIMITS) -> Corpus:
    """``load_documents`` plus the hashes of the bytes actually read."""
    _require_dir(ingest_dir)
    warnings: list[str] = []
    entries = read_manifest(ingest_dir, warnings)
    files = _supported_files(ingest_dir, warnings)
    names = {path.name for path in files}
    for name in entries:
        if name not in names:
            warnings.append(f"{MANIFEST}: {name} is listed but no such supported file exists")
    documents: list[Document] = []
    hashes: dict[str, str] = {}
    used_ids = {str(e["id"]) for e in entries.values() if "id" in e}
    for path in files:
        entry = entries.get(path.name, {})
        doc_id = str(entry["id"]) if "id" in entry else _unique(_slug(path.stem), used_ids)
        if "id" not in entry and doc_id != _slug(path.stem):
            warnings.append(f"{path.name}: id {_slug(path.stem)!r} already taken, using {doc_id}")
        document = _load_file(path, doc_id, entry, ingest_dir, warnings, hashes, limits)
        if document is not None:
            documents.append(document)
    return Corpus(tuple(sorted(documents, key=lambda d: d.doc_id)), tuple(warnings), hashes)


def file_hashes(ingest_dir: Path) -> dict[str, str]:
    """File name -> sha256 of its bytes, for deciding whether an index is stale. Files are
    hashed while streaming, and a file whose size and times are unchanged is not read again."""
    _require_dir(ingest_dir)
    found = {}
    for path in _supported_files(ingest_dir, []):
        try:
            found[path.name] = _cached_hash(path)
        except OSError:
            found[path.name] = "unreadable"
    return found


def _cached_hash(path: Path) -> str:
    """A file's hash, from the cache once the file has been still for a while: a file
    rewritten within one clock tick can keep its size and times (git's "racy" case)."""
    st = os.stat(path)
    if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) < _SETTLED_NS:
        return _read_regular(path, keep=0)[1]
    return _hash_of(str(path), st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


@functools.lru_cache(maxsize=4096)
def _hash_of(path: str, inode: int, size: int, mtime: int, ctime: int) -> str:
    return _read_regular(Path(path), keep=0)[1]


def _read_regular(path: Path, keep: int) -> tuple[bytes | None, str]:
    """(the bytes, or None when over ``keep``; sha256 of all of them), read as they stream
    from a regular file opened without following links."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path.resolve(), flags)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise OSError(f"{path.name} is not a regular file")
        digest, kept = hashlib.sha256(), bytearray()
        while block := f.read(_BLOCK):
            digest.update(block)
            if len(kept) <= keep:
                kept += block
    return (bytes(kept) if len(kept) <= keep else None), digest.hexdigest()


def _require_dir(ingest_dir: Path) -> None:
    if not ingest_dir.is_dir():
        raise AskbjError(f"ingest folder {ingest_dir} does not exist or is not a folder")


def read_manifest(ingest_dir: Path, warnings: list[str]) -> dict[str, dict[str, Any]]:
    """Manifest entries keyed by file name; a malformed manifest is the user's to fix."""
    path = ingest_dir / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AskbjError(f"{path} is not valid TOML: {exc}. Fix or remove it.") from exc
    tables = data.get("document", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise AskbjError(f"{path}: expected [[document]] tables, one per file")
    entries: dict[str, dict[str, Any]] = {}
    ids: set[str] = set()
    for n, table in enumerate(tables, start=1):
        entry = _check_entry(path, n, table, warnings)
        if entry["file"] in entries or entry.get("id", "") in ids:
            raise AskbjError(f"{path}: document #{n} repeats a file or id used before")
        entries[entry["file"]] = entry
        if "id" in entry:
            ids.add(entry["id"])
    return entries


def _check_entry(path: Path, n: int, table: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """Validate one [[document]] table and normalise its value types."""
    where = f"{path}: document #{n}"
    if not isinstance(table.get("file"), str) or not table["file"]:
        raise AskbjError(f'{where} needs a file = "name.txt" entry')
    for key in sorted(set(table) - _KNOWN_KEYS):
        warnings.append(f"{MANIFEST}: unknown key {key!r} for {table['file']} (ignored)")
    entry = dict(table)
    if "publication" in entry and "venue" not in entry:
        entry["venue"] = entry["publication"]
    if isinstance(entry.get("date"), (int, dt.date)):
        entry["date"] = str(entry["date"])
    if isinstance(entry.get("authors"), str):
        entry["authors"] = [entry["authors"]]
    for key in ("id", "title", "venue", "date", "lang"):
        if key in entry and not isinstance(entry[key], str):
            raise AskbjError(f"{where}: {key} must be a string")
    authors = entry.get("authors", [])
    if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
        raise AskbjError(f"{where}: authors must be a list of strings")
    if "id" in entry and not _SAFE_ID.fullmatch(entry["id"]):
        raise AskbjError(f"{where}: id {entry['id']!r} may use only letters, digits, . _ -")
    return entry


def _supported_files(ingest_dir: Path, warnings: list[str]) -> list[Path]:
    """Visible regular files with a supported suffix, inside the folder; others are
    reported, not silently ignored."""
    files: list[Path] = []
    root = ingest_dir.resolve()
    for path in sorted(ingest_dir.iterdir()):
        if path.name.startswith(".") or path.name == MANIFEST:
            continue
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            warnings.append(f"skipped {path.name}: a link to {path.resolve()}, outside "
                            f"{ingest_dir}/ (copy the file into the folder instead)")
            continue
        if not path.is_file():
            continue
        if path.suffix.lower() in SUPPORTED:
            files.append(path)
        else:
            kinds = ", ".join(SUPPORTED)
            warnings.append(f"skipped {path.name}: unsupported file type (use {kinds})")
    return files


def _load_file(path: Path, doc_id: str, entry: dict[str, Any], ingest_dir: Path,
               warnings: list[str], hashes: dict[str, str], limits: IngestLimits
               ) -> Document | None:
    """One document, or None with a warning saying why the file was skipped."""
    try:
        data, hashes[path.name] = _read_regular(path, keep=limits.max_file_bytes)
        if data is None:
            raise LimitExceeded(f"over the {limits.max_file_bytes:,}-byte limit per file "
                                "(split the document)")
        raw = read_text(path.suffix.lower(), data, limits)
    except (OSError, ValueError) as exc:
        hashes.setdefault(path.name, "unreadable")
        warnings.append(f"skipped {path.name}: {_reason(exc)}")
        return None
    cleaned = clean(raw)
    if not cleaned.text:
        warnings.append(f"skipped {path.name}: no text left after cleaning")
        return None
    return Document(
        doc_id=doc_id,
        path=_display_path(path, ingest_dir),
        title=entry.get("title") or path.stem,
        text=cleaned.text,
        sha256=hashes[path.name],
        authors=tuple(entry.get("authors", ())),
        venue=entry.get("venue", ""),
        date=entry.get("date", ""),
        lang=entry.get("lang", ""),
        offsets=cleaned.offsets,
    )


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc)


def read_text(suffix: str, data: bytes, limits: IngestLimits = DEFAULT_LIMITS) -> str:
    """The raw text of a file's bytes by its type; ValueError says why it has none
    (``LimitExceeded`` when it is over a limit)."""
    if suffix in (".pdf", ".docx"):  # parsed in a child process that the time limit stops
        parse = pdf_text if suffix == ".pdf" else docx_text
        return run_isolated(parse, (data, limits), limits.parse_seconds)
    if len(data) > 4 * limits.max_chars:  # no encoding packs more than 4 bytes a character
        limits.check_chars(len(data) // 4)
    text = decode(data)
    limits.check_chars(len(text))
    return text


def _slug(stem: str) -> str:
    """A doc id safe in URLs and file names; non-ASCII stems fall back to a hash."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._").lower()[:64]
    return slug if _SAFE_ID.fullmatch(slug) else "doc-" + content_id(stem, length=8)


def _unique(doc_id: str, used: set[str]) -> str:
    """Keep ids unique when two file names slug to the same id."""
    candidate, n = doc_id, 1
    while candidate in used:
        n += 1
        candidate = f"{doc_id}-{n}"
    used.add(candidate)
    return candidate


def _display_path(path: Path, ingest_dir: Path) -> str:
    """Relative to the project (ingest's parent) so indexes move between machines."""
    try:
        return path.resolve().relative_to(ingest_dir.resolve().parent).as_posix()
    except ValueError:
        return str(path.resolve())


