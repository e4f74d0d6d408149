"""Text out of the document formats policy papers are published in: PDF and Word (.docx).

Every reader returns the file's text or raises ``ValueError`` saying why it cannot: the
ingest turns that into a warning naming the file, so one damaged or scanned PDF never
stops an ingest of many. The extracted text is the document's "raw" text: cleaning,
offsets and citations all index into it, exactly as for a .txt file.

A .docx is a zip of XML; its paragraphs are read with the standard library rather than a
Word library, because paragraph text is all we need and every dependency is one more thing
to install offline. Both readers treat their input as untrusted: sizes, pages, characters
and parse time are capped (``IngestLimits``) before and while anything is decompressed, and
the XML parser (expat) resolves no external entities.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from typing import Any
from xml.etree import ElementTree

from askbj.ingest.limits import Deadline, IngestLimits, LimitExceeded

DEFAULT_LIMITS = IngestLimits()
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_BREAKS = {f"{_W}br": "\n", f"{_W}cr": "\n", f"{_W}tab": "\t"}


def pdf_text(data: bytes, limits: IngestLimits = DEFAULT_LIMITS) -> str:
    """The text of a text PDF, pages separated by a blank line.

    pypdf raises a zoo of exception types on damaged files (and logs complaints about
    merely untidy ones), so any failure of the parser is reported as the file's problem.
    """
    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    deadline = limits.deadline()
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        locked = reader.is_encrypted and not reader.decrypt("")
        pages = [] if locked else _pdf_pages(reader, limits, deadline)
    except LimitExceeded:
        raise
    except Exception as exc:  # the parser's failure on a bad file, not our bug
        raise ValueError(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    if locked:
        raise ValueError("the PDF is password-protected")
    # pypdf decodes with surrogatepass; a lone surrogate would crash OpenCC and the model
    text = re.sub("[\ud800-\udfff]", "\ufffd", "\n\n".join(p.strip() for p in pages if p.strip()))
    if not text:
        raise ValueError("the PDF has no extractable text (a scanned PDF needs OCR first)")
    return text


def _pdf_pages(reader: Any, limits: IngestLimits, deadline: Deadline) -> list[str]:
    """Page texts, held to the page, character and time limits as they are extracted."""
    if len(reader.pages) > limits.max_pdf_pages:
        raise LimitExceeded(f"{len(reader.pages):,} pages, over the {limits.max_pdf_pages:,} "
                            "page limit per PDF (split the document)")
    pages, chars = [], 0
    for page in reader.pages:
        deadline.check()
        pages.append(page.extract_text() or "")
        chars += len(pages[-1])
        limits.check_chars(chars)
    return pages


def docx_text(data: bytes, limits: IngestLimits = DEFAULT_LIMITS) -> str:
    """The paragraphs of a .docx body (tables included, cell by cell), blank-line separated."""
    deadline = limits.deadline()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = _docx_body(archive, limits)
        root = ElementTree.fromstring(xml)
    except LimitExceeded:
        raise
    except Exception as exc:  # zipfile, zlib and expat each have their own errors
        raise ValueError(f"not a readable .docx file ({type(exc).__name__}: {exc})") from exc
    paragraphs, chars = [], 0
    for p in root.iter(f"{_W}p"):
        deadline.check()
        paragraphs.append("".join(_runs(p)).strip())
        chars += len(paragraphs[-1])
        limits.check_chars(chars)
    text = "\n\n".join(p for p in paragraphs if p)
    if not text:
        raise ValueError("the .docx file has no text")
    return text


def _docx_body(archive: zipfile.ZipFile, limits: IngestLimits) -> bytes:
    """word/document.xml, refused before inflating when its header says it is too big or
    too compressed, and cut off while inflating if the header lied."""
    info = archive.getinfo("word/document.xml")
    cap = limits.max_unzipped_bytes
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > cap:
        raise LimitExceeded(f"its text inflates to {info.file_size:,} bytes, over the "
                            f"{cap:,}-byte limit for a .docx body (split the document)")
    if ratio > limits.max_zip_ratio and info.file_size > limits.ratio_from_bytes:
        raise LimitExceeded(f"its text is compressed {ratio:.0f} to 1, over the "
                            f"{limits.max_zip_ratio:g} to 1 limit (a zip bomb, or save it again)")
    with archive.open(info) as body:
        xml = body.read(cap + 1)
    if len(xml) > cap:
        raise LimitExceeded(f"its text inflates past the {cap:,}-byte limit for a .docx body")
    return xml


def _runs(paragraph: ElementTree.Element) -> list[str]:
    """The text of one paragraph, in document order, skipping paragraphs nested in it (text
    boxes): ``iter`` visits those on their own, and reading them here too would repeat them.
    A loop, not recursion, so a hostile file nested thousands deep cannot crash the ingest."""
    parts: list[str] = []
    stack = list(reversed(paragraph))
    while stack:
        node = stack.pop()
        if node.tag == f"{_W}p":
            continue
        if node.tag == f"{_W}t" and node.text:
            parts.append(node.text)
        elif node.tag in _BREAKS:
            parts.append(_BREAKS[node.tag])
        else:
            stack.extend(reversed(node))
    return parts
