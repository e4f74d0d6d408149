"""Read the ingest folder: decode each file, clean it, attach manifest metadata.

One bad file must not stop an ingest of many, so unreadable files become warnings the
user sees; only a broken ``sources.toml`` is an error, because silently dropping the
metadata the user wrote by hand would produce wrong citations without anyone noticing.
Chinese documents arrive as UTF-8, GB18030 or Big5, and nothing in the bytes says which;
``decode`` picks the reading whose characters look like ordinary Chinese. PDF and .docx
files are read by ``formats``; their extracted text plays the part of a text file's.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import tomllib
from pathlib import Path
from typing import Any

from askbj.errors import AskbjError
from askbj.ingest.clean import clean
from askbj.ingest.formats import docx_text, pdf_text
from askbj.records import Document, content_id

SUPPORTED = (".txt", ".md", ".pdf", ".docx")
MANIFEST = "sources.toml"

_LEGACY_ENCODINGS = ("gb18030", "big5", "cp950", "big5hkscs")
_MIN_PLAUSIBLE = 0.5
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_KNOWN_KEYS = frozenset(
    {"file", "id", "title", "authors", "venue", "publication", "date", "lang", "same_as", "note"}
)


def load_documents(ingest_dir: Path) -> tuple[list[Document], list[str]]:
    """Load every supported file; return documents sorted by id and warnings for the user."""
    _require_dir(ingest_dir)
    warnings: list[str] = []
    entries = read_manifest(ingest_dir, warnings)
    files = _supported_files(ingest_dir, warnings)
    names = {path.name for path in files}
    for name in entries:
        if name not in names:
            warnings.append(f"{MANIFEST}: {name} is listed but no such supported file exists")
    documents: list[Document] = []
    used_ids = {str(e["id"]) for e in entries.values() if "id" in e}
    for path in files:
        entry = entries.get(path.name, {})
        doc_id = str(entry["id"]) if "id" in entry else _unique(_slug(path.stem), used_ids)
        if "id" not in entry and doc_id != _slug(path.stem):
            warnings.append(f"{path.name}: id {_slug(path.stem)!r} already taken, using {doc_id}")
        document = _load_file(path, doc_id, entry, ingest_dir, warnings)
        if document is not None:
            documents.append(document)
    return sorted(documents, key=lambda d: d.doc_id), warnings


def file_hashes(ingest_dir: Path) -> dict[str, str]:
    """File name -> sha256 of its bytes, for deciding whether an index is stale."""
    _require_dir(ingest_dir)
    return {path.name: _sha256(path.read_bytes()) for path in _supported_files(ingest_dir, [])}


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
    """Visible files with a supported suffix; others are reported, not silently ignored."""
    files: list[Path] = []
    for path in sorted(ingest_dir.iterdir()):
        if path.name.startswith(".") or path.name == MANIFEST or not path.is_file():
            continue
        if path.suffix.lower() in SUPPORTED:
            files.append(path)
        else:
            kinds = ", ".join(SUPPORTED)
            warnings.append(f"skipped {path.name}: unsupported file type (use {kinds})")
    return files


def _load_file(
    path: Path, doc_id: str, entry: dict[str, Any], ingest_dir: Path, warnings: list[str]
) -> Document | None:
    """One document, or None with a warning saying why the file was skipped."""
    try:
        data = path.read_bytes()
        raw = read_text(path.suffix.lower(), data)
    except (OSError, ValueError) as exc:
        warnings.append(f"skipped {path.name}: {exc}")
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
        sha256=_sha256(data),
        authors=tuple(entry.get("authors", ())),
        venue=entry.get("venue", ""),
        date=entry.get("date", ""),
        lang=entry.get("lang", ""),
        offsets=cleaned.offsets,
    )


def read_text(suffix: str, data: bytes) -> str:
    """The raw text of a file's bytes by its type; ValueError says why it has none."""
    if suffix == ".pdf":
        return pdf_text(data)
    if suffix == ".docx":
        return docx_text(data)
    return decode(data)


def decode(data: bytes) -> str:
    """Bytes -> text, or ValueError saying why the file cannot be read as text.

    UTF-8 is unambiguous, so it wins when valid. GB18030 decodes almost any byte soup, so
    for legacy files every candidate that decodes is scored and the most plausible wins.
    """
    if not data:
        raise ValueError("file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ValueError("broken UTF-16 text") from exc
    if b"\x00" in data:
        raise ValueError("looks like a binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    scored: list[tuple[float, str]] = []
    for encoding in _LEGACY_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        scored.append((plausibility(text), text))
    if not scored:
        raise ValueError("not valid UTF-8, GB18030 or Big5 text")
    best_score, best = max(scored, key=lambda pair: pair[0])
    if best_score < _MIN_PLAUSIBLE:
        raise ValueError("not readable as UTF-8, GB18030 or Big5 (decodes to gibberish)")
    return best


def plausibility(text: str) -> float:
    """Share of non-ASCII characters that are common Chinese characters or punctuation.

    A wrong legacy decoding scatters characters over rare code points (about 25-40% common
    on this corpus), a right one is nearly all common (over 99%).
    """
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return 1.0
    return sum(map(_is_common, wide)) / len(wide)


@functools.lru_cache(maxsize=65536)
def _is_common(ch: str) -> bool:
    """GB2312 level 1 (simplified) or Big5 frequent (traditional) hanzi, or CJK punctuation."""
    code = ord(ch)
    if 0x3000 <= code <= 0x303F or 0xFF01 <= code <= 0xFF5E or 0x2010 <= code <= 0x2027:
        return True
    for encoding, low, high in (("gb2312", 0xB0, 0xD7), ("big5", 0xA4, 0xC6)):
        try:
            encoded = ch.encode(encoding)
        except UnicodeEncodeError:
            continue
        if len(encoded) == 2 and low <= encoded[0] <= high:
            return True
    return False


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


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
